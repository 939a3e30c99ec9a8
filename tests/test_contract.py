"""The one contract every random image transform passes (CONVENTIONS rule 6)."""

import dataclasses
import inspect

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxaug as ja
from jaxaug import presets

H, W = 16, 20


def case(name, make, *, p0=None, deterministic=False, square=False, channels=3):
    return pytest.param(
        {"make": make, "p0": p0, "deterministic": deterministic, "square": square, "channels": channels}, id=name
    )


CASES = [
    case("Resize-down", lambda: ja.Resize(12), deterministic=True),
    case("Resize-up", lambda: ja.Resize((24, 30)), deterministic=True),
    case("CenterCrop", lambda: ja.CenterCrop(10), deterministic=True),
    case("RandomCrop", lambda: ja.RandomCrop(10)),
    case("RandomCrop-padding", lambda: ja.RandomCrop((18, 22), padding=2)),
    case("RandomCrop-reflect", lambda: ja.RandomCrop((18, 22), padding=(2, 3), padding_mode="reflect")),
    case("RandomResizedCrop", lambda: ja.RandomResizedCrop(12)),
    case("RandomHorizontalFlip", lambda: ja.RandomHorizontalFlip(), p0=lambda: ja.RandomHorizontalFlip(p=0.0)),
    case("RandomVerticalFlip", lambda: ja.RandomVerticalFlip(), p0=lambda: ja.RandomVerticalFlip(p=0.0)),
    case("RandomRotation", lambda: ja.RandomRotation(30)),
    case("RandomRotation-bilinear", lambda: ja.RandomRotation((-20, 40), interpolation="bilinear", fill=1)),
    case("RandomRot90", lambda: ja.RandomRot90(), square=True),
    case("RandomAffine", lambda: ja.RandomAffine(20, translate=(0.1, 0.2), scale=(0.8, 1.2), shear=(-5, 10, -3, 3))),
    case("RandomPerspective", lambda: ja.RandomPerspective(0.3, p=1), p0=lambda: ja.RandomPerspective(p=0)),
    case("ElasticTransform", lambda: ja.ElasticTransform(alpha=30.0, sigma=1.5, fill=1)),
    case("Pad", lambda: ja.Pad((1, 2, 3, 4)), deterministic=True),
    case("RandomZoomOut", lambda: ja.RandomZoomOut(side_range=(1.0, 1.3), p=1), p0=lambda: ja.RandomZoomOut(p=0)),
    case("ToFloat", lambda: ja.ToFloat(), deterministic=True),
    case("ScaleIntensityRange", lambda: ja.ScaleIntensityRange(-20.0, 300.0, clip=True), deterministic=True),
    case("Normalize", lambda: ja.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]), deterministic=True),
    case("ColorJitter", lambda: ja.ColorJitter(0.4, 0.4, 0.4, 0.1)),
    case("ColorJitter-gray", lambda: ja.ColorJitter(0.4, 0.4, 0.4, 0.1), channels=1),
    case("Grayscale", lambda: ja.Grayscale(3), deterministic=True),
    case("RandomGrayscale", lambda: ja.RandomGrayscale(p=0.5), p0=lambda: ja.RandomGrayscale(p=0.0)),
    case("GaussianBlur", lambda: ja.GaussianBlur(5)),
    case("RandomErasing", lambda: ja.RandomErasing(p=1.0), p0=lambda: ja.RandomErasing(p=0.0)),
    case("RandomErasing-random", lambda: ja.RandomErasing(p=1.0, value="random")),
    case(
        "RandomApply-geometric",
        lambda: ja.RandomApply([ja.RandomRotation(20)], p=0.5),
        p0=lambda: ja.RandomApply([ja.RandomRotation(20)], p=0.0),
    ),
    case(
        "RandomApply-pixel",
        lambda: ja.RandomApply([ja.GaussianBlur(3)], p=0.5),
        p0=lambda: ja.RandomApply([ja.GaussianBlur(3)], p=0.0),
    ),
    case("RandomChoice-geometric", lambda: ja.RandomChoice([ja.RandomHorizontalFlip(1.0), ja.RandomRotation(30)])),
    case("RandomChoice-pixel", lambda: ja.RandomChoice([ja.ColorJitter(0.5), ja.GaussianBlur(3)], p=[0.3, 0.7])),
    case(
        "Compose",
        lambda: ja.Compose([ja.RandomResizedCrop(12), ja.RandomHorizontalFlip(), ja.ColorJitter(0.2, 0.2), ja.RandomRotation(10)]),
    ),
    case("preset-xray", lambda: presets.xray_train(size=12, resize=14), channels=1),
    case("preset-pathology", lambda: presets.pathology_train(size=12, resize=14)),
    case("preset-imagenet", lambda: presets.imagenet_train(size=12)),
    case("preset-eval", lambda: presets.eval_transform(size=12, resize=14), deterministic=True),
]


def _image(c, dtype=jnp.uint8, seed=0):
    h, w = (H, H) if c["square"] else (H, W)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, (h, w, c["channels"]), dtype=np.uint8)
    return jnp.asarray(x) if dtype == jnp.uint8 else (jnp.asarray(x, jnp.float32) / 255.0).astype(dtype)


def _mask(c):
    h, w = (H, H) if c["square"] else (H, W)
    return jnp.asarray(np.arange(h * w, dtype=np.int32).reshape(h, w) % 7)


@pytest.mark.parametrize("c", CASES)
def test_shape_and_dtype_as_documented(c):
    t = c["make"]()
    for dtype, out_dtype in [(jnp.uint8, jnp.float32), (jnp.float32, jnp.float32), (jnp.bfloat16, jnp.bfloat16)]:
        x = _image(c, dtype)
        out = t(jax.random.key(1), x)
        assert out.shape == t.output_shape(x.shape)
        assert out.dtype == out_dtype
        assert bool(jnp.all(jnp.isfinite(out.astype(jnp.float32))))


@pytest.mark.parametrize("c", CASES)
def test_same_key_same_output_and_other_keys_other_outputs(c):
    t = c["make"]()
    x = _image(c)
    a = t(jax.random.key(3), x)
    b = t(jax.random.key(3), x)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    outs = [np.asarray(t(jax.random.key(k), x)) for k in range(8)]
    distinct = len({o.tobytes() for o in outs})
    assert distinct == 1 if c["deterministic"] else distinct > 1


@pytest.mark.parametrize("c", CASES)
def test_legacy_uint32_keys_work(c):
    t = c["make"]()
    x = _image(c)
    out = t(jax.random.PRNGKey(3), x)
    assert out.shape == t.output_shape(x.shape)


@pytest.mark.parametrize("c", [c for c in CASES if c.values[0]["p0"] is not None])
def test_p_zero_is_the_identity(c):
    t = c["p0"]()
    x = _image(c)
    for k in range(4):
        np.testing.assert_array_equal(np.asarray(t(jax.random.key(k), x)), np.asarray(ja.image.to_float(x)))


@pytest.mark.parametrize("c", CASES)
def test_eager_equals_jit(c):
    t = c["make"]()
    x = _image(c)
    eager = t(jax.random.key(5), x)
    jitted = jax.jit(t)(jax.random.key(5), x)
    np.testing.assert_allclose(np.asarray(eager), np.asarray(jitted), atol=5e-5)


@pytest.mark.parametrize("c", CASES)
def test_batch_example_equals_single_call_with_its_key(c):
    t = c["make"]()
    xs = jnp.stack([_image(c, seed=i) for i in range(4)])
    key = jax.random.key(7)
    out = jax.jit(ja.batch(t))(key, xs)
    keys = jax.random.split(key, 4)
    for i in range(4):
        np.testing.assert_allclose(np.asarray(out[i]), np.asarray(t(keys[i], xs[i])), atol=5e-5)


@pytest.mark.parametrize("c", [c for c in CASES if not c.values[0]["deterministic"]])
def test_identical_images_in_a_batch_come_out_different(c):
    t = c["make"]()
    xs = jnp.stack([_image(c)] * 8)
    out = np.asarray(jax.jit(ja.batch(t))(jax.random.key(0), xs))
    assert len({o.tobytes() for o in out}) > 1


@pytest.mark.parametrize("c", CASES)
def test_compiles_once_across_keys(c):
    t = c["make"]()
    x = _image(c)
    traces = []

    @jax.jit
    def run(key, image):
        traces.append(1)
        return ja.batch(t)(key, image)

    xs = jnp.stack([x, x])
    for k in range(3):
        run(jax.random.key(k), xs).block_until_ready()
    assert len(traces) == 1


@pytest.mark.parametrize("c", CASES)
def test_sample_then_apply_replays_the_call(c):
    t = c["make"]()
    x = _image(c)
    key = jax.random.key(11)
    params = t.sample(key, x.shape)
    np.testing.assert_array_equal(np.asarray(t.apply(params, x)), np.asarray(t(key, x)))


@pytest.mark.parametrize("c", CASES)
def test_mask_follows_the_geometry_and_ignores_colour(c):
    t = c["make"]()
    x = _image(c)
    mask = _mask(c)
    key = jax.random.key(2)
    out, out_mask = t(key, x, mask)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(t(key, x)))
    assert out_mask.shape == out.shape[:2]
    assert out_mask.dtype == mask.dtype
    # A mask-shaped image, warped with nearest interpolation, lands where the mask lands.
    if isinstance(t, ja.GeometricTransform) and t.is_geometric and t.interpolation == "nearest":
        as_image = (mask.astype(jnp.float32) / 255.0)[..., None]
        moved = t(key, as_image)
        np.testing.assert_array_equal(np.round(np.asarray(moved[..., 0]) * 255).astype(np.int32), np.asarray(out_mask))
    # With bilinear interpolation, every pixel gets its own label and its own one-hot channel:
    # the warped one-hot image holds the weight each output pixel gave each input pixel, and the
    # mask must copy the input pixel with the largest weight (its nearest), exactly.
    if isinstance(t, ja.GeometricTransform) and t.is_geometric and t.interpolation == "bilinear":
        h, w = mask.shape
        ids = jnp.arange(1, h * w + 1, dtype=jnp.int32).reshape(h, w)
        weights, out_ids = (np.asarray(v) for v in t(key, jnp.eye(h * w, dtype=jnp.float32).reshape(h, w, h * w), ids))
        inside = out_ids > 0  # 0 is mask_fill: the nearest input point lies outside the image
        picked = np.take_along_axis(weights, np.clip(out_ids - 1, 0, None)[..., None], axis=-1)[..., 0]
        assert inside.mean() > 0.5
        np.testing.assert_array_less(weights.max(-1)[inside] - 1e-5, picked[inside] + 1e-12)
    if not t.is_geometric and t.output_shape(x.shape)[:2] == x.shape[:2] and not isinstance(t, ja.Compose):
        np.testing.assert_array_equal(np.asarray(out_mask), np.asarray(mask))


@pytest.mark.parametrize("c", CASES)
def test_transform_is_a_frozen_hashable_dataclass(c):
    t = c["make"]()
    assert dataclasses.is_dataclass(t)
    hash(t)
    field = dataclasses.fields(t)[0].name if dataclasses.fields(t) else None
    if field is not None:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(t, field, None)


@pytest.mark.parametrize("c", CASES)
def test_call_signature_takes_key_first(c):
    t = c["make"]()
    params = list(inspect.signature(t.__call__).parameters)
    assert params[:2] == ["key", "image"]


@pytest.mark.parametrize("c", CASES)
def test_input_is_never_modified(c):
    t = c["make"]()
    x = np.asarray(_image(c)).copy()
    before = x.copy()
    t(jax.random.key(0), x)
    np.testing.assert_array_equal(x, before)
