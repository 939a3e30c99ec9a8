"""A random image transform is its functional op called with the drawn parameters.

For every random image transform, ``t.apply(t.sample(key, shape), x)`` must equal the
``jaxaug.image`` op given those parameters in torchvision's meaning: ``crop(top, left, h, w)``,
``resized_crop``, ``hflip``, ``vflip``, ``rotate(angle)`` (degrees, counter-clockwise),
``jnp.rot90``, the ``adjust_*`` ops in the drawn order, ``rgb_to_grayscale``,
``gaussian_blur`` and ``erase``. Images are float and not square (16x20) and ranges are
asymmetric, so a swapped height and width, a flipped sign or a mirrored order shows.

Each case runs as one jitted vmap over many keys. The last two tests pin what the comparison
with ``jaxaug.image`` cannot see, because both sides would move together: which way a rotation
turns on screen, and that RandomResizedCrop's drawn width / height is the aspect ratio asked for.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxaug as ja
from jaxaug import image as F

H, W = 16, 20
NUM_KEYS = 24
KEYS = jax.random.split(jax.random.key(17), NUM_KEYS)


def _image(h=H, w=W, c=3, seed=0):
    return jnp.asarray(np.random.default_rng(seed).uniform(0.0, 1.0, (h, w, c)), jnp.float32)


# The functional ops, compiled once each; ColorJitter's reference calls them key by key in the
# drawn order (a vmapped lax.switch over the order compiled hue four times: 8 s).
_ADJUST = {
    0: ("brightness", jax.jit(F.adjust_brightness)),
    1: ("contrast", jax.jit(F.adjust_contrast)),
    2: ("saturation", jax.jit(F.adjust_saturation)),
    3: ("hue", jax.jit(F.adjust_hue)),
}


def _jitter_reference(t, p, x):
    """ColorJitter spelled out for one draw `p` (numpy): the configured adjust_* ops in order."""
    for op in p.order.tolist():
        name, adjust = _ADJUST[op]
        if getattr(t, name) is not None:
            x = adjust(x, getattr(p, name))
    return x


def _rot90_reference(p, x):
    return jnp.stack([jnp.rot90(x, k, axes=(0, 1)) for k in range(4)])[p.k]


def _off_half_pixel_ties(p, out_shape):
    """Output pixels of a resized crop whose source point is not a tie between two pixels.

    Nearest neighbour at a source point exactly halfway between two pixels may round either way
    depending on how XLA compiled the float32 coordinate (eager and jit differ there)."""
    out_h, out_w = out_shape
    ys = p.top[:, None] + (np.arange(out_h) + 0.5) * p.height[:, None] / out_h - 0.5
    xs = p.left[:, None] + (np.arange(out_w) + 0.5) * p.width[:, None] / out_w - 0.5
    off_y = np.abs(ys - np.floor(ys) - 0.5) > 1e-4
    off_x = np.abs(xs - np.floor(xs) - 0.5) > 1e-4
    return off_y[:, :, None] & off_x[:, None, :]


def case(name, make, reference, *, image=None, atol=0.0, covers=None, where=None, per_key=False):
    """`reference(t, params, x)` runs inside the vmap, or with `per_key` on each draw's numpy params."""
    return pytest.param(make, reference, image or _image, atol, covers, where, per_key, id=name)


CASES = [
    case(
        "RandomCrop",
        lambda: ja.RandomCrop((10, 6)),
        lambda t, p, x: F.crop(x, p.top, p.left, 10, 6),
        # top in [0, 16 - 10], left in [0, 20 - 6]: a swapped top and left leaves the range.
        covers=lambda p: 0 <= p.top.min() and p.top.max() <= 6 < p.left.max() <= 14 and p.left.min() >= 0,
    ),
    case(
        "RandomCrop-padding",
        # Padding (left, top, right, bottom) = (1, 2, 3, 4): F.crop zero-pads outside, like fill=0.
        lambda: ja.RandomCrop((19, 22), padding=(1, 2, 3, 4)),
        lambda t, p, x: F.crop(x, p.top, p.left, 19, 22),
        # top in [-2, 16 + 4 - 19 - 2], left in [-1, 20 + 3 - 22 - 1], as torchvision pads.
        covers=lambda p: set(p.top.tolist()) == {-2, -1, 0, 1} and set(p.left.tolist()) == {-1, 0, 1},
    ),
    case(
        "RandomResizedCrop-bilinear",
        lambda: ja.RandomResizedCrop((9, 14), scale=(0.2, 0.7), ratio=(0.5, 2.0)),
        lambda t, p, x: F.resized_crop(x, p.top, p.left, p.height, p.width, (9, 14), "bilinear"),
        # Rows then columns (separable) against both at once: the same lerps in another order.
        atol=2e-6,
    ),
    case(
        "RandomResizedCrop-nearest",
        lambda: ja.RandomResizedCrop((9, 14), scale=(0.2, 0.7), ratio=(0.5, 2.0), interpolation="nearest"),
        lambda t, p, x: F.resized_crop(x, p.top, p.left, p.height, p.width, (9, 14), "nearest"),
        where=lambda p: _off_half_pixel_ties(p, (9, 14)),
    ),
    case(
        "RandomHorizontalFlip",
        lambda: ja.RandomHorizontalFlip(p=0.5),
        lambda t, p, x: jnp.where(p.flip, F.hflip(x), x),
        covers=lambda p: 0 < p.flip.mean() < 1,
    ),
    case(
        "RandomVerticalFlip",
        lambda: ja.RandomVerticalFlip(p=0.5),
        lambda t, p, x: jnp.where(p.flip, F.vflip(x), x),
        covers=lambda p: 0 < p.flip.mean() < 1,
    ),
    case(
        "RandomRotation-nearest",
        lambda: ja.RandomRotation((-10.0, 40.0), fill=(0.2, 0.5, 0.9)),
        lambda t, p, x: F.rotate(x, p.angle, "nearest", fill=(0.2, 0.5, 0.9)),
    ),
    case(
        "RandomRotation-bilinear",
        lambda: ja.RandomRotation((5.0, 50.0), interpolation="bilinear", fill=(0.2, 0.5, 0.9)),
        lambda t, p, x: F.rotate(x, p.angle, "bilinear", fill=(0.2, 0.5, 0.9)),
        atol=1e-6,
    ),
    case(
        "RandomRotation-fixed-30",
        lambda: ja.RandomRotation((30.0, 30.0), interpolation="bilinear"),
        lambda t, p, x: F.rotate(x, 30.0, "bilinear"),
        atol=1e-6,
    ),
    case(
        "RandomRotation-0-to-30",
        lambda: ja.RandomRotation((0.0, 30.0)),
        lambda t, p, x: F.rotate(x, p.angle, "nearest"),
        covers=lambda p: p.angle.min() >= 0.0 and p.angle.max() <= 30.0 and p.angle.max() > 20.0,
    ),
    case(
        "RandomRot90",
        lambda: ja.RandomRot90(),
        lambda t, p, x: _rot90_reference(p, x),
        image=lambda: _image(H, H),
        covers=lambda p: set(p.k.tolist()) == {0, 1, 2, 3},
    ),
    case(
        "ColorJitter",
        lambda: ja.ColorJitter(brightness=(0.6, 1.3), contrast=(0.7, 1.6), saturation=(0.2, 1.9), hue=(-0.1, 0.3)),
        _jitter_reference,
        atol=2e-6,
        per_key=True,
        covers=lambda p: len({tuple(o) for o in p.order.tolist()}) > 12,
    ),
    case(
        "ColorJitter-no-contrast",
        lambda: ja.ColorJitter(brightness=0.5, saturation=(0.2, 1.9), hue=0.25),
        _jitter_reference,
        atol=2e-6,
        per_key=True,
    ),
    case(
        "ColorJitter-gray",
        lambda: ja.ColorJitter(brightness=(0.6, 1.3), contrast=(0.7, 1.6), saturation=0.5, hue=0.2),
        _jitter_reference,
        image=lambda: _image(c=1),
        atol=2e-6,
        per_key=True,
    ),
    case(
        "RandomGrayscale",
        lambda: ja.RandomGrayscale(p=0.5),
        lambda t, p, x: jnp.where(p.apply, F.rgb_to_grayscale(x, 3), x),
        covers=lambda p: 0 < p.apply.mean() < 1,
    ),
    case(
        "GaussianBlur",
        # kernel_size is (kx, ky) in torchvision's order: 3 across, 5 down.
        lambda: ja.GaussianBlur((3, 5), sigma=(0.3, 1.7)),
        lambda t, p, x: F.gaussian_blur(x, (3, 5), p.sigma),
        atol=1e-6,
    ),
    case(
        "RandomErasing",
        lambda: ja.RandomErasing(p=0.7, scale=(0.05, 0.3), ratio=(0.4, 1.5), value=(0.1, 0.5, 0.9)),
        lambda t, p, x: jnp.where(p.erase, F.erase(x, p.top, p.left, p.height, p.width, jnp.array([0.1, 0.5, 0.9])), x),
        covers=lambda p: 0 < p.erase.mean() < 1 and np.any(p.height != p.width),
    ),
    case(
        "RandomErasing-random",
        lambda: ja.RandomErasing(p=1.0, scale=(0.05, 0.3), ratio=(0.4, 1.5), value="random"),
        lambda t, p, x: jnp.where(
            p.erase, F.erase(x, p.top, p.left, p.height, p.width, jax.random.normal(p.noise_key, x.shape, x.dtype)), x
        ),
        # Bit-exact at XLA's default level; the suite compiles at level 0 (conftest.py), where the
        # normal draw's last rounding differs by up to one ulp between the two programs.
        atol=1e-6,
    ),
]


def _numpy(tree):
    """Parameters as numpy arrays (PRNG keys, which numpy cannot hold, are left out)."""
    is_key = lambda v: jax.dtypes.issubdtype(v.dtype, jax.dtypes.prng_key)  # noqa: E731
    return jax.tree.map(lambda v: None if is_key(v) else np.asarray(v), tree)


@pytest.mark.parametrize("make, reference, image, atol, covers, where, per_key", CASES)
def test_apply_of_the_draw_is_the_functional_op_with_those_parameters(make, reference, image, atol, covers, where, per_key):
    t = make()
    x = image()

    @jax.jit
    def both(keys, x):
        def one(key):
            p = t.sample(key, x.shape)
            return t.apply(p, x), (None if per_key else reference(t, p, x)), p

        return jax.vmap(one)(keys)

    ours, theirs, params = both(KEYS, x)
    params = _numpy(params)
    if per_key:
        theirs = np.stack([reference(t, jax.tree.map(lambda v, i=i: v[i], params), x) for i in range(NUM_KEYS)])
    assert ours.shape == theirs.shape == (NUM_KEYS, *t.output_shape(x.shape))
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    if where is not None:
        compared = where(params)
        assert compared.mean() > 0.8
        ours, theirs = ours[compared], theirs[compared]
    if atol == 0.0:
        np.testing.assert_array_equal(ours, theirs)
    else:
        np.testing.assert_allclose(ours, theirs, atol=atol, rtol=0)
    # The draws exercised what the comparison is about (both branches, every turn, ...).
    if covers is not None:
        assert covers(params)


def _blob(h, w, row, col, sigma=1.2):
    y, x = np.mgrid[0:h, 0:w]
    return jnp.asarray(np.exp(-((y - row) ** 2 + (x - col) ** 2) / (2 * sigma**2))[..., None], jnp.float32)


def _centroids(images):
    images = np.asarray(images)[..., 0]
    y, x = np.mgrid[0 : images.shape[1], 0 : images.shape[2]]
    total = images.sum(axis=(1, 2))
    return (images * y).sum(axis=(1, 2)) / total, (images * x).sum(axis=(1, 2)) / total


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_random_rotation_turns_counter_clockwise_on_screen(interpolation):
    """A blob right of the centre goes up (y points down), as torchvision's rotate turns it."""
    h, w, radius = 21, 25, 7.0
    cy, cx = (h - 1) / 2, (w - 1) / 2
    image = _blob(h, w, cy, cx + radius)
    quarter = ja.RandomRotation((90.0, 90.0), interpolation=interpolation)
    fixed = ja.RandomRotation((30.0, 30.0), interpolation=interpolation)
    ranged = ja.RandomRotation((0.0, 30.0), interpolation=interpolation)

    @jax.jit
    def run(keys, image):
        def one(key):
            return quarter(key, image), fixed(key, image), ranged(key, image), ranged.sample(key, image.shape).angle

        return jax.vmap(one)(keys)

    out_90, out_30, out_range, angles = run(KEYS, image)
    tol = 0.35  # pixels; a turn the other way moves the blob 2 * radius * sin(angle)
    rows, cols = _centroids(out_90)
    np.testing.assert_allclose(rows, cy - radius, atol=tol)
    np.testing.assert_allclose(cols, cx, atol=tol)
    rows, cols = _centroids(out_30)
    np.testing.assert_allclose(rows, cy - radius * np.sin(np.pi / 6), atol=tol)
    np.testing.assert_allclose(cols, cx + radius * np.cos(np.pi / 6), atol=tol)
    angles = np.asarray(angles)
    assert angles.min() >= 0.0 and angles.max() <= 30.0
    rows, cols = _centroids(out_range)
    theta = np.deg2rad(angles)
    np.testing.assert_allclose(rows, cy - radius * np.sin(theta), atol=tol)
    np.testing.assert_allclose(cols, cx + radius * np.cos(theta), atol=tol)
    # The functional op agrees: +90 degrees is numpy's counter-clockwise rot90 of a square.
    square = _blob(21, 21, 10, 17)
    np.testing.assert_array_equal(np.asarray(F.rotate(square, 90.0)), np.rot90(np.asarray(square), 1, axes=(0, 1)))
    assert int(np.argmax(np.asarray(F.rotate(square, 90.0))[:, 10, 0])) == 3


def test_random_resized_crop_draws_width_over_height_in_the_ratio_range():
    """ratio is width / height, as torchvision's: a wide box for ratio (1.5, 2.0)."""
    t = ja.RandomResizedCrop((16, 24), scale=(0.3, 0.5), ratio=(1.5, 2.0))
    shape = (240, 320, 3)
    keys = jax.random.split(jax.random.key(3), 2000)
    boxes = jax.tree.map(np.asarray, jax.jit(jax.vmap(lambda k: t.sample(k, shape)))(keys))
    aspect = boxes.width / boxes.height
    area = boxes.width * boxes.height / (shape[0] * shape[1])
    # Log-uniform in [1.5, 2]: median sqrt(3); rounding to whole pixels moves it by < 0.01.
    assert abs(np.median(aspect) - np.sqrt(3.0)) < 0.02
    assert aspect.min() > 1.45 and aspect.max() < 2.05
    np.testing.assert_allclose(np.median(area), 0.4, atol=0.01)
    assert np.all(boxes.top >= 0) and np.all(boxes.top + boxes.height <= shape[0])
    assert np.all(boxes.left >= 0) and np.all(boxes.left + boxes.width <= shape[1])
