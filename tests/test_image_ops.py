"""Properties of the functional ops, over varied inputs (hypothesis), in and out of jit."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxaug as ja
from jaxaug import image as F


# A few fixed sides rather than any side: every new shape is a new compilation, and the
# sides below cover the edge cases (one pixel, odd, even, non-square).
SIDES = (1, 5, 8)


@st.composite
def images(draw, min_side=1, channels=(1, 3), dtypes=("uint8", "float32")):
    h = draw(st.sampled_from([s for s in SIDES if s >= min_side]))
    w = draw(st.sampled_from([s for s in SIDES if s >= min_side]))
    c = draw(st.sampled_from(channels))
    dtype = draw(st.sampled_from(dtypes))
    seed = draw(st.integers(0, 2**16))
    x = np.random.default_rng(seed).integers(0, 256, (h, w, c), dtype=np.uint8)
    return jnp.asarray(x) if dtype == "uint8" else jnp.asarray(x.astype(np.float32) / 255.0).astype(dtype)


@given(images(dtypes=("uint8", "float32", "bfloat16")))
def test_a_flip_twice_is_the_identity(img):
    np.testing.assert_array_equal(np.asarray(F.hflip(F.hflip(img))), np.asarray(img))
    np.testing.assert_array_equal(np.asarray(F.vflip(F.vflip(img))), np.asarray(img))
    assert F.hflip(img).dtype == img.dtype


@given(images(min_side=2))
def test_four_quarter_turns_are_the_identity_and_rotate_90_is_rot90(img):
    x = img
    for _ in range(4):
        x = F.rot90(x)
    np.testing.assert_array_equal(np.asarray(x), np.asarray(img))
    square = img[: min(img.shape[:2]), : min(img.shape[:2])]
    np.testing.assert_array_equal(np.asarray(F.rotate(square, 90.0)), np.asarray(F.to_float(F.rot90(square))))


@given(images(), st.floats(-180, 180))
def test_rotate_keeps_shape_and_range_and_zero_is_identity(img, angle):
    out = F.rotate(img, angle, "bilinear")
    assert out.shape == img.shape and out.dtype == jnp.float32
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0 + 1e-6
    np.testing.assert_allclose(np.asarray(F.rotate(img, 0.0, "bilinear")), np.asarray(F.to_float(img)), atol=1e-6)


@given(images())
def test_neutral_factors_are_the_identity(img):
    x = np.asarray(F.to_float(img))
    np.testing.assert_allclose(np.asarray(F.adjust_brightness(img, 1.0)), x, atol=1e-6)
    np.testing.assert_allclose(np.asarray(F.adjust_contrast(img, 1.0)), x, atol=1e-6)
    np.testing.assert_allclose(np.asarray(F.adjust_saturation(img, 1.0)), x, atol=1e-6)
    np.testing.assert_allclose(np.asarray(F.adjust_hue(img, 0.0)), x, atol=1e-5)


@given(images(channels=(3,)))
def test_colour_extremes(img):
    gray = np.asarray(F.adjust_saturation(img, 0.0))
    np.testing.assert_allclose(gray[..., 0], gray[..., 1], atol=1e-6)
    flat = np.asarray(F.adjust_contrast(img, 0.0))
    np.testing.assert_allclose(flat, np.full_like(flat, flat.flat[0]), atol=1e-6)
    np.testing.assert_allclose(flat.flat[0], np.asarray(F.rgb_to_grayscale(img)).mean(), atol=1e-5)
    np.testing.assert_array_equal(np.asarray(F.adjust_brightness(img, 0.0)), 0.0)
    # Half a turn of hue, twice, is a full turn.
    twice = F.adjust_hue(F.adjust_hue(img, 0.5), 0.5)
    np.testing.assert_allclose(np.asarray(twice), np.asarray(F.to_float(img)), atol=1e-5)


@given(images(), st.floats(0, 3), st.floats(0, 3), st.floats(-0.5, 0.5))
def test_colour_ops_stay_in_range_and_finite(img, b, c, h):
    for out in (F.adjust_brightness(img, b), F.adjust_contrast(img, c), F.adjust_saturation(img, c), F.adjust_hue(img, h)):
        o = np.asarray(out)
        assert np.all(np.isfinite(o)) and o.min() >= 0.0 and o.max() <= 1.0 + 1e-6
        assert out.shape == img.shape and out.dtype == jnp.float32


@given(images(min_side=4), st.data())
def test_erase_changes_exactly_the_box(img, data):
    h, w = img.shape[:2]
    top, left = data.draw(st.integers(0, h - 1)), data.draw(st.integers(0, w - 1))
    bh, bw = data.draw(st.integers(1, h)), data.draw(st.integers(1, w))
    out = np.asarray(F.erase(img, top, left, bh, bw, -1.0))
    box = np.zeros((h, w), bool)
    box[top : top + bh, left : left + bw] = True
    assert np.all(out[box] == -1.0)
    np.testing.assert_array_equal(out[~box], np.asarray(F.to_float(img))[~box])


@given(images(min_side=5), st.floats(0.3, 3.0))
def test_blur_keeps_constant_images_and_smooths(img, sigma):
    const = jnp.full(img.shape, 0.25, jnp.float32)
    np.testing.assert_allclose(np.asarray(F.gaussian_blur(const, 3, sigma)), 0.25, atol=1e-6)
    out = np.asarray(F.gaussian_blur(img, 3, sigma))
    x = np.asarray(F.to_float(img))
    assert out.shape == x.shape
    # Each output is a convex combination of inputs: inside their range, and never rougher.
    assert out.min() >= x.min() - 1e-6 and out.max() <= x.max() + 1e-6
    assert np.abs(np.diff(out, axis=0)).sum() <= np.abs(np.diff(x, axis=0)).sum() + 1e-4


@given(images(min_side=3), st.data())
def test_crop_equals_slicing_with_traced_offsets(img, data):
    h, w = img.shape[:2]
    ch, cw = data.draw(st.integers(1, h)), data.draw(st.integers(1, w))
    top, left = data.draw(st.integers(0, h - ch)), data.draw(st.integers(0, w - cw))
    out = jax.jit(F.crop, static_argnums=(3, 4))(img, top, left, ch, cw)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(img[top : top + ch, left : left + cw]))


def _shorter_side_shape(h, w, size):
    """torchvision's rule: the shorter side becomes `size`, the longer keeps the aspect (truncated)."""
    return (size, int(size * w / h)) if h <= w else (int(size * h / w), size)


@given(images(min_side=2), st.integers(1, 24))
def test_resize_shorter_side_rule_and_identity(img, size):
    h, w = img.shape[:2]
    out = F.resize(img, size)
    assert out.shape == (*_shorter_side_shape(h, w, size), img.shape[2])
    np.testing.assert_array_equal(np.asarray(F.resize(img, (h, w))), np.asarray(F.to_float(img)))


@pytest.mark.parametrize(
    "shape, size, expected", [((5, 8), 3, (3, 4)), ((8, 5), 3, (4, 3)), ((16, 20), 12, (12, 15)), ((20, 16), 12, (15, 12))]
)
def test_resize_int_sets_the_shorter_side_of_a_non_square_image(shape, size, expected):
    assert _shorter_side_shape(*shape, size) == expected
    img = jnp.zeros((*shape, 2), jnp.float32)
    assert F.resize(img, size).shape == (*expected, 2)
    assert F.resize(img, [size]).shape == (*expected, 2)
    assert ja.Resize(size).output_shape(img.shape) == (*expected, 2)
    assert F.resize(img, expected).shape == (*expected, 2)  # a pair is (height, width)


@given(images())
def test_uint8_input_equals_float_input(img):
    if img.dtype != jnp.uint8:
        return
    x = F.to_float(img)
    for op in (
        lambda a: F.adjust_brightness(a, 1.3),
        lambda a: F.adjust_contrast(a, 0.7),
        lambda a: F.rotate(a, 17.0, "bilinear"),
        # uint8 takes a packed 2x2-neighbourhood gather; this map scales, rotates and leaves
        # the image on two sides, so every neighbour and the border band are read.
        lambda a: F.warp_affine(a, jnp.array([[0.7, -0.4, 1.3], [0.5, 0.8, -0.6], [0.0, 0.0, 1.0]]), (7, 6)),
        lambda a: F.resized_crop(a, 0, 0, a.shape[0], a.shape[1], 5),
        lambda a: F.normalize(a, [0.5], [0.25]),
    ):
        np.testing.assert_allclose(np.asarray(op(img)), np.asarray(op(x)), atol=1e-6)


FUNCTIONAL = [
    ("hflip", lambda x: F.hflip(x)),
    ("vflip", lambda x: F.vflip(x)),
    ("rot90", lambda x: F.rot90(x, 1)),
    ("crop", lambda x: F.crop(x, 1, 2, 5, 6)),
    ("center_crop", lambda x: F.center_crop(x, 5)),
    ("resize", lambda x: F.resize(x, 5)),
    ("resized_crop", lambda x: F.resized_crop(x, 1, 1, 6, 7, 9)),
    ("rotate", lambda x: F.rotate(x, 33.0, "bilinear")),
    ("adjust_brightness", lambda x: F.adjust_brightness(x, 1.2)),
    ("adjust_contrast", lambda x: F.adjust_contrast(x, 1.2)),
    ("adjust_saturation", lambda x: F.adjust_saturation(x, 1.2)),
    ("adjust_hue", lambda x: F.adjust_hue(x, 0.2)),
    ("rgb_to_grayscale", lambda x: F.rgb_to_grayscale(x, 3)),
    ("normalize", lambda x: F.normalize(x, [0.4], [0.2])),
    ("erase", lambda x: F.erase(x, 1, 1, 3, 3, 0.0)),
    ("gaussian_blur", lambda x: F.gaussian_blur(x, 3, 0.8)),
    ("to_float", lambda x: F.to_float(x)),
    ("warp_affine", lambda x: F.warp_affine(x, jnp.eye(3), (4, 4))),
]


@pytest.mark.parametrize("name, op", FUNCTIONAL, ids=[n for n, _ in FUNCTIONAL])
def test_functional_eager_equals_jit_and_vmap(name, op):
    x = jnp.asarray(np.random.default_rng(0).integers(0, 256, (10, 11, 3), dtype=np.uint8))
    eager = op(x)
    np.testing.assert_allclose(np.asarray(jax.jit(op)(x)), np.asarray(eager), atol=1e-5)
    xs = jnp.stack([x, x[::-1]])
    np.testing.assert_allclose(np.asarray(jax.vmap(op)(xs)[1]), np.asarray(op(x[::-1])), atol=1e-5)


def test_magnitudes_can_be_traced_per_example():
    imgs = jnp.ones((3, 6, 6, 3)) * 0.5
    factors = jnp.array([0.0, 1.0, 2.0])
    out = jax.jit(jax.vmap(F.adjust_brightness))(imgs, factors)
    np.testing.assert_allclose(np.asarray(out[:, 0, 0, 0]), [0.0, 0.5, 1.0])
    angles = jnp.array([0.0, 90.0, 180.0])
    rotated = jax.jit(jax.vmap(F.rotate))(jnp.stack([jnp.arange(16.0).reshape(4, 4, 1)] * 3), angles)
    np.testing.assert_array_equal(np.asarray(rotated[2]), np.asarray(jnp.arange(16.0).reshape(4, 4, 1)[::-1, ::-1]))


def test_hue_is_the_same_eagerly_and_under_jit_vmap_on_ties():
    # Pixels with two equal top channels: a `maxc == r` test could fail in one fused copy.
    rng = np.random.default_rng(0)
    base = rng.uniform(0, 1, (64, 3)).astype(np.float32)
    base[:, 1] = base[:, 0]
    base[::2, 2] = base[::2, 0]
    imgs = jnp.asarray(base.reshape(4, 4, 4, 3))
    factors = jnp.array([-0.3, 0.1, 0.25, 0.5])
    batched = jax.jit(jax.vmap(lambda x, f: F.adjust_hue(F.adjust_brightness(x, 1.3), f)))(imgs, factors)
    for i in range(4):
        np.testing.assert_allclose(np.asarray(batched[i]), np.asarray(F.adjust_hue(F.adjust_brightness(imgs[i], 1.3), factors[i])), atol=1e-5)


# Jitted once at import so both values share a compilation per shape (eager runs the preset
# op by op, which cost more than the compiles).
_IMAGENET_8 = jax.jit(ja.presets.imagenet_train(size=8))


@pytest.mark.parametrize("value", [0, 255])
def test_constant_and_tiny_images_give_finite_output(value):
    for shape in [(1, 1, 3), (1, 7, 3), (7, 1, 1), (3, 3, 3)]:
        img = jnp.full(shape, value, jnp.uint8)
        for op in (
            lambda a: F.adjust_hue(a, 0.3),
            lambda a: F.adjust_saturation(a, 1.7),
            lambda a: F.adjust_contrast(a, 1.7),
            lambda a: F.rotate(a, 45.0, "bilinear"),
            lambda a: F.resized_crop(a, 0, 0, 1, 1, 4),
        ):
            assert np.all(np.isfinite(np.asarray(op(img))))
        if shape[-1] == 3:
            out = _IMAGENET_8(jax.random.key(0), img)
            assert np.all(np.isfinite(np.asarray(out)))


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
@given(images(min_side=5), st.integers(0, 4), st.integers(0, 2**16))
def test_random_crop_padding_modes_equal_numpy_pad_then_slice(mode, img, pad, seed):
    """torchvision's padding modes are numpy.pad's; the mask is padded the same way."""
    h, w, _ = img.shape
    t = ja.RandomCrop((h, w), padding=pad, padding_mode=mode)
    mask = jnp.arange(1, h * w + 1, dtype=jnp.int32).reshape(h, w)  # 0 only where padded
    key = jax.random.key(seed)
    out, out_mask = t(key, img, mask)
    box = t.sample(key, img.shape)
    top, left = int(box.top) + pad, int(box.left) + pad
    padded = np.pad(np.asarray(F.to_float(img)), ((pad, pad), (pad, pad), (0, 0)), mode=mode)
    np.testing.assert_allclose(np.asarray(out), padded[top : top + h, left : left + w], atol=1e-6)
    # Constant mode pads the mask with mask_fill (0), as numpy.pad pads with 0.
    padded_mask = np.pad(np.asarray(mask), pad, mode=mode)
    np.testing.assert_array_equal(np.asarray(out_mask), padded_mask[top : top + h, left : left + w])
