"""The contract every volume transform passes (CONVENTIONS rule 6), as tests/test_contract.py
for images: one line per transform in CASES."""

import dataclasses
import functools
import inspect

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxaug as ja
from jaxaug import volume as V

SHAPE = (8, 8, 6, 2)  # axes 0 and 1 equal so RandRotate90 keeps the shape; 6 != 8 keeps the rest honest


def case(name, make, *, p0=None, deterministic=False, eager=True):
    """One transform: `make` builds it, `p0` builds it with prob=0, `deterministic` says no draw.
    Every call passes a label (RandCropByPosNegLabel needs one). `eager=False` skips the eager
    run (Compose: its own code is the same Python eagerly and under jit, and its steps are
    checked eagerly one by one; its eager run costs half a minute of op-by-op compiles)."""
    return pytest.param({"make": make, "p0": p0, "deterministic": deterministic, "eager": eager}, id=name)


AFFINE = dict(rotate_range=(0.3, (0.1, 0.4), 0.2), shear_range=(0.1, 0.0, 0.05), translate_range=(1.0, 2.0, 0.5), scale_range=(0.1, 0.2, 0.1))
CASES = [
    case("RandFlip", lambda: V.RandFlip(prob=0.7, spatial_axis=(0, 2)), p0=lambda: V.RandFlip(prob=0)),
    case("RandAxisFlip", lambda: V.RandAxisFlip(prob=0.8), p0=lambda: V.RandAxisFlip(prob=0)),
    case("RandRotate90", lambda: V.RandRotate90(prob=0.8), p0=lambda: V.RandRotate90(prob=0)),
    case("RandRotate", lambda: V.RandRotate(range_x=0.4, range_z=(0.1, 0.3), prob=0.9, spacing=(1.0, 1.0, 2.5)), p0=lambda: V.RandRotate(range_x=0.4, prob=0)),
    case("RandZoom", lambda: V.RandZoom(prob=0.9, min_zoom=0.7, max_zoom=1.3), p0=lambda: V.RandZoom(prob=0)),
    case("RandAffine", lambda: V.RandAffine(prob=0.9, padding_mode="zeros", **AFFINE), p0=lambda: V.RandAffine(prob=0, **AFFINE)),
    case("Rand3DElastic", lambda: V.Rand3DElastic((1.0, 2.0), (0.5, 1.5), prob=0.9, rotate_range=0.2), p0=lambda: V.Rand3DElastic((1.0, 2.0), (0.5, 1.5), prob=0)),
    case("RandSpatialCrop", lambda: V.RandSpatialCrop((5, 4, 3))),
    case("CenterSpatialCrop", lambda: V.CenterSpatialCrop((5, 4, 9)), deterministic=True),
    case("SpatialPad", lambda: V.SpatialPad((9, 11, 7)), deterministic=True),
    case("Resize", lambda: V.Resize((5, 10, 7)), deterministic=True),
    case("RandCropByPosNegLabel", lambda: V.RandCropByPosNegLabel((4, 5, 3), pos=2, neg=1, num_samples=3)),
    case("Compose", lambda: V.Compose([V.RandCropByPosNegLabel((5, 5, 4), num_samples=2), V.RandRotate90(0.5), V.RandAffine(0.9, **AFFINE)]), eager=False),
    # intensity
    case("ScaleIntensityRange", lambda: V.ScaleIntensityRange(0.1, 0.8, -1.0, 2.0, clip=True), deterministic=True),
    case("NormalizeIntensity", lambda: V.NormalizeIntensity(nonzero=True, channel_wise=True), deterministic=True),
    case("RandGaussianNoise", lambda: V.RandGaussianNoise(prob=0.7, mean=0.1, std=0.2), p0=lambda: V.RandGaussianNoise(prob=0)),
    case("RandRicianNoise", lambda: V.RandRicianNoise(prob=0.7, std=(0.1, 0.3), mean=(0.0, 0.1), channel_wise=True, relative=True), p0=lambda: V.RandRicianNoise(prob=0)),
    case("RandShiftIntensity", lambda: V.RandShiftIntensity((-0.1, 0.3), prob=0.7, channel_wise=True), p0=lambda: V.RandShiftIntensity(0.2, prob=0)),
    case("RandScaleIntensity", lambda: V.RandScaleIntensity((-0.2, 0.5), prob=0.7), p0=lambda: V.RandScaleIntensity(0.2, prob=0)),
    case("RandBiasField", lambda: V.RandBiasField(degree=2, coeff_range=(-0.1, 0.3), prob=0.7), p0=lambda: V.RandBiasField(prob=0)),
    case("RandAdjustContrast", lambda: V.RandAdjustContrast(prob=0.7, gamma=(0.6, 2.0), retain_stats=True), p0=lambda: V.RandAdjustContrast(prob=0)),
    case("RandGaussianSmooth", lambda: V.RandGaussianSmooth((0.3, 0.9), (0.5, 1.0), (0.2, 0.4), prob=0.7), p0=lambda: V.RandGaussianSmooth(prob=0)),
    case("RandGaussianSharpen", lambda: V.RandGaussianSharpen(sigma2_y=(0.2, 0.4), prob=0.7), p0=lambda: V.RandGaussianSharpen(prob=0)),
    case("RandHistogramShift", lambda: V.RandHistogramShift((4, 8), prob=0.7), p0=lambda: V.RandHistogramShift(prob=0)),
    case("RandGibbsNoise", lambda: V.RandGibbsNoise(prob=0.7, alpha=(0.2, 0.6)), p0=lambda: V.RandGibbsNoise(prob=0)),
    case("RandKSpaceSpikeNoise", lambda: V.RandKSpaceSpikeNoise(prob=0.7), p0=lambda: V.RandKSpaceSpikeNoise(prob=0)),
    case("RandCoarseDropout", lambda: V.RandCoarseDropout(1, (2, 3, 2), max_holes=3, prob=0.7), p0=lambda: V.RandCoarseDropout(1, 2, prob=0)),
]
INTENSITY = V._intensity_transforms.VolumeIntensityTransform


def _volume(dtype=jnp.float32, seed=0):
    rng = np.random.default_rng(seed)
    if jnp.issubdtype(dtype, jnp.integer):
        return jnp.asarray(rng.integers(0, 1000, SHAPE), dtype)
    return jnp.asarray(rng.uniform(0.0, 1.0, SHAPE), dtype)


def _label(seed=0):
    rng = np.random.default_rng(100 + seed)
    return jnp.asarray(rng.integers(0, 4, SHAPE[:3]) * (rng.uniform(size=SHAPE[:3]) < 0.3), jnp.int32)


@functools.lru_cache(maxsize=None)
def _jit(t):
    """One compiled call per transform (transforms are hashable), shared by the tests below."""
    return jax.jit(lambda k, x, l: t(k, x, l))


def _as_nearest(t):
    if isinstance(t, INTENSITY):
        return V.ScaleIntensityRange(0.0, 1.0)  # the identity in its place: values change, positions do not
    if isinstance(t, V.Compose):
        return V.Compose([_as_nearest(s) for s in t.transforms])
    if getattr(t, "mode", None) in V._spatial.MODES:
        return dataclasses.replace(t, mode="nearest")
    return t


@pytest.mark.parametrize("c", CASES)
def test_one_example(c):
    """Shape and dtype as documented; same key same output, other keys other draws; eager
    sample-then-apply equals the jitted call; legacy uint32 keys draw as typed keys; the label
    follows the geometry; the input is untouched. Few compiles: this machine's budget is tight."""
    t = c["make"]()
    single = _jit(t)
    x_np = np.asarray(_volume())
    before = x_np.copy()
    label = _label()
    outs = [single(jax.random.key(k), x_np, label) for k in range(8)]
    volumes = [np.asarray(o[0]) for o in outs]
    expected = t.output_shape(x_np.shape)
    assert volumes[0].shape == expected and volumes[0].dtype == np.float32
    assert all(np.isfinite(v).all() for v in volumes)
    np.testing.assert_array_equal(volumes[3], np.asarray(single(jax.random.key(3), x_np, label)[0]))
    distinct = len({v.tobytes() for v in volumes})
    assert distinct == 1 if c["deterministic"] else distinct > 1
    np.testing.assert_array_equal(x_np, before)
    ints = jax.eval_shape(lambda k, x: t(k, x, label)[0], jax.random.key(0), jax.ShapeDtypeStruct(SHAPE, jnp.int16))
    assert ints.shape == expected and ints.dtype in (jnp.int16, jnp.float32)  # exact steps keep int16
    # Legacy keys draw what typed keys draw.
    typed, legacy = t.sample(jax.random.key(5), SHAPE), t.sample(jax.random.PRNGKey(5), SHAPE)
    for a, b in zip(jax.tree_util.tree_leaves(typed), jax.tree_util.tree_leaves(legacy)):
        if jnp.issubdtype(a.dtype, jax.dtypes.prng_key):  # a key kept for a noise field
            a = jax.random.key_data(a)
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    if c["eager"]:
        eager, eager_label = t.apply(typed, x_np, label)
        np.testing.assert_allclose(np.asarray(eager), volumes[5], atol=2e-5)
        np.testing.assert_array_equal(np.asarray(eager_label), np.asarray(outs[5][1]))
    # The label lands where the same transform with nearest sampling puts a volume holding it.
    out_label = outs[2][1]
    assert out_label.shape == volumes[2].shape[:-1] and out_label.dtype == label.dtype
    as_volume = jnp.broadcast_to(label[..., None], SHAPE).astype(jnp.float32)
    nearest = _as_nearest(t)
    moved = _jit(nearest)(jax.random.key(2), as_volume, label)[0]
    np.testing.assert_array_equal(np.asarray(moved[..., 0]).astype(np.int32), np.asarray(out_label))


@pytest.mark.parametrize("c", CASES)
def test_batch_example_equals_single_call_and_compiles_once(c):
    t = c["make"]()
    traces = []

    @jax.jit
    def run(key, xs, labels):
        traces.append(1)
        return ja.batch(t)(key, xs, labels)

    xs = jnp.stack([_volume(seed=i) for i in range(3)])
    labels = jnp.stack([_label(i) for i in range(3)])
    single = _jit(t)
    for k in range(3):
        out, out_labels = run(jax.random.key(k), xs, labels)
    assert len(traces) == 1
    keys = jax.random.split(jax.random.key(2), 3)
    for i in range(3):
        one, one_label = single(keys[i], xs[i], labels[i])
        np.testing.assert_allclose(np.asarray(out[i]), np.asarray(one), atol=2e-5)
        np.testing.assert_array_equal(np.asarray(out_labels[i]), np.asarray(one_label))
    if not c["deterministic"]:
        same, _ = run(jax.random.key(0), jnp.stack([xs[0]] * 3), jnp.stack([labels[0]] * 3))
        assert len({np.asarray(o).tobytes() for o in same}) > 1


@pytest.mark.parametrize("c", [c for c in CASES if c.values[0]["p0"] is not None])
def test_prob_zero_is_the_identity(c):
    t = c["p0"]()
    x = _volume()
    run = jax.jit(t)
    for k in range(3):
        np.testing.assert_array_equal(np.asarray(run(jax.random.key(k), x)), np.asarray(x))


@pytest.mark.parametrize("c", CASES)
def test_frozen_hashable_and_key_first(c):
    t = c["make"]()
    assert dataclasses.is_dataclass(t)
    hash(t)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(t, dataclasses.fields(t)[0].name, None)
    assert list(inspect.signature(t.__call__).parameters)[:2] == ["key", "volume"]


@pytest.mark.parametrize("c", CASES)
def test_config_through_json_rebuilds_the_same_volume_transform(c):
    # Volume pipelines are data too: the JSON config rebuilds an equal transform with the same
    # fingerprint and the same draw for a key.
    import json

    t = c["make"]()
    loaded = ja.from_config(json.loads(json.dumps(ja.to_config(t), allow_nan=False)))
    assert type(loaded) is type(t) and loaded == t and hash(loaded) == hash(t)
    assert ja.fingerprint(loaded) == ja.fingerprint(t)
    key = jax.random.key(4)
    same = jax.tree.map(lambda a, b: bool(jnp.all(a == b)), loaded.sample(key, SHAPE), t.sample(key, SHAPE))
    assert all(jax.tree.leaves(same))
