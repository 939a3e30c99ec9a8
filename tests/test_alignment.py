"""A mask lands exactly where the image's pixels land: pixel by pixel, not 80% overlap.

Every pixel of the input gets its own label, and the labels are also written as a one-hot float
image with one channel per pixel. Both go through one call, ``t(key, onehot, ids)``: the image
is resampled as images are (bilinear where the transform says so), the mask by nearest
neighbour. Each output pixel of the one-hot image then holds the weight the image gave every
input pixel, and the mask names the one input pixel it copied. Checked:

- The mask names the input pixel the image weighted most (ties allowed): the nearest, for
  bilinear and antialiased (triangle) weights alike. A mask off by a fraction of a pixel fails.
- K = 5 labels in 3x4 blocks, read off the same outputs (summing the one-hot channels of each
  block's pixels is the warp of the block labels' one-hot image: the warp is linear). Where the
  image put all its weight on one label, the mask shows that label; where the image read only
  fill, the mask shows ``mask_fill`` (0 here; labels start at 1).

The presets hold colour steps, which would change a one-hot image. They are split into their
leading geometric steps and the rest (all pixel steps, which leave masks alone: see
test_contract). The preset is applied with its drawn parameters, the colour steps set to their
neutral values (factors 1, hue 0, no erasing): its image is then the leading geometric steps'
image, normalised, so those steps are the preset's geometry; and its mask is checked against
those steps applied to the one-hot image with the same parameters.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxaug as ja
from jaxaug import presets

H, W, K = 16, 20, 5
NUM_KEYS = 16
KEYS = jax.random.split(jax.random.key(23), NUM_KEYS)


def _blocks(h, w, seed=0):
    """Labels 1..K in blocks of 3x4 pixels, at random: no symmetry for a flip to hide in."""
    blocks = np.random.default_rng(seed).integers(1, K + 1, (h // 3 + 1, w // 4 + 1))
    return np.repeat(np.repeat(blocks, 3, axis=0), 4, axis=1)[:h, :w]


def _pixel_ids(h, w):
    """Every pixel its own label, 1..h*w, and the one-hot image of them."""
    ids = jnp.arange(1, h * w + 1, dtype=jnp.int32).reshape(h, w)
    return ids, jnp.eye(h * w, dtype=jnp.float32).reshape(h, w, h * w)


def assert_aligned(weights, ids, blocks, *, heaviest=True, min_pure=0.2):
    """`weights`: (N, h, w, P) the one-hot image of pixel ids after the transform; `ids`:
    (N, h, w) the mask of pixel ids after it (0: from outside); `blocks`: block label per id."""
    weights, ids = np.asarray(weights), np.asarray(ids)
    assert weights.shape[:-1] == ids.shape and ids.dtype == np.int32
    inside = ids > 0
    picked = np.take_along_axis(weights, np.clip(ids - 1, 0, None)[..., None], axis=-1)[..., 0]
    if heaviest:
        lighter = inside & (picked < weights.max(-1) - 1e-5)
        where = np.argwhere(lighter)[:5].tolist()
        assert not lighter.any(), f"{lighter.sum()} mask pixels copy a pixel the image weighted less than another: {where}"
    else:
        # After two resamples (an antialiased shrink, then a bilinear warp) the nearest of the
        # nearest need not be the heaviest; it still carries >= 1/8 * 0.49 of the weight, where
        # the image is wholly inside (in the half-filled border band the fill takes the rest).
        covered = weights.sum(-1) > 0.9
        unread = inside & covered & (picked < 0.05)
        assert not unread.any(), f"{unread.sum()} mask pixels copy an input pixel the image hardly read there"
    assert inside.mean() > 0.5
    # The same outputs for K labels in blocks.
    blocks = np.asarray(blocks).reshape(-1)
    per_label = np.stack([weights[..., blocks == k].sum(-1) for k in range(1, K + 1)], axis=-1)
    mask = np.where(inside, blocks[np.clip(ids - 1, 0, None)], 0)
    pure = per_label.max(-1) >= 1.0 - 1e-5
    wrong = pure & (mask != per_label.argmax(-1) + 1)
    where = np.argwhere(wrong)[:5].tolist()
    assert not wrong.any(), f"{wrong.sum()} pixels where the image is all one label and the mask another: {where}"
    outside = per_label.sum(-1) <= 1e-6
    assert np.all(mask[outside] == 0), "the image read only fill, the mask a label"
    # Not vacuous: much of the output is one label through and through.
    assert pure.mean() > min_pure


def case(name, make, square=False, min_pure=0.2):
    return pytest.param(make, square, min_pure, id=name)


CASES = [
    case("Resize-down-antialiased", lambda: ja.Resize(12)),
    case("Resize-up", lambda: ja.Resize((24, 30))),
    case("Resize-down-and-up", lambda: ja.Resize((12, 26))),
    case("CenterCrop-padded", lambda: ja.CenterCrop((19, 23))),
    case("RandomCrop-padding", lambda: ja.RandomCrop((19, 22), padding=(1, 2, 3, 4))),
    case("RandomCrop-reflect", lambda: ja.RandomCrop((18, 22), padding=(2, 3), padding_mode="reflect")),
    case("RandomResizedCrop", lambda: ja.RandomResizedCrop((10, 14), scale=(0.2, 0.9), ratio=(0.5, 2.0))),
    case(
        "RandomResizedCrop-nearest",
        lambda: ja.RandomResizedCrop((10, 14), scale=(0.2, 0.9), ratio=(0.5, 2.0), interpolation="nearest"),
    ),
    case("RandomHorizontalFlip", lambda: ja.RandomHorizontalFlip()),
    case("RandomVerticalFlip", lambda: ja.RandomVerticalFlip()),
    case("RandomRotation", lambda: ja.RandomRotation((-10.0, 40.0))),
    case("RandomRotation-bilinear", lambda: ja.RandomRotation((5.0, 50.0), interpolation="bilinear")),
    case("RandomRotation-center", lambda: ja.RandomRotation((-30.0, 45.0), center=(4.0, 2.5))),
    case("RandomRot90", lambda: ja.RandomRot90(), square=True),
    case(
        "RandomApply-geometric",
        lambda: ja.RandomApply([ja.RandomRotation((10.0, 30.0), interpolation="bilinear")], p=0.5),
    ),
    # A padding mode other than constant is its own step: RandomApply and RandomChoice then
    # select between whole outputs instead of matrices.
    case(
        "RandomApply-unfused",
        lambda: ja.RandomApply([ja.RandomCrop((16, 20), padding=(2, 3), padding_mode="reflect")], p=0.5),
    ),
    case(
        "RandomChoice-geometric",
        lambda: ja.RandomChoice(
            [ja.RandomHorizontalFlip(1.0), ja.RandomRotation(30.0, interpolation="bilinear")], p=[0.3, 0.7]
        ),
    ),
    case(
        "RandomChoice-unfused",
        lambda: ja.RandomChoice(
            [ja.RandomCrop((16, 20), padding=3, padding_mode="symmetric"), ja.RandomVerticalFlip(1.0)]
        ),
    ),
    case(
        "Compose-fused-bilinear",
        lambda: ja.Compose(
            [
                ja.RandomResizedCrop((12, 14), scale=(0.3, 0.9), ratio=(0.6, 1.8)),
                ja.RandomHorizontalFlip(),
                ja.RandomRotation((-20.0, 35.0), interpolation="bilinear"),
            ]
        ),
    ),
    case(
        "Compose-reflect-then-fused",
        lambda: ja.Compose(
            [
                ja.RandomCrop((14, 18), padding=(2, 3), padding_mode="reflect"),
                ja.RandomVerticalFlip(),
                ja.RandomRotation((10.0, 40.0), interpolation="bilinear"),
            ]
        ),
    ),
    case(
        "Compose-antialiased-resize-then-fused",
        lambda: ja.Compose([ja.Resize(12), ja.RandomCrop(11), ja.RandomRot90(), ja.RandomRotation((-30.0, 10.0))]),
        min_pure=0.1,
    ),
]


@pytest.mark.parametrize("make, square, min_pure", CASES)
def test_mask_copies_the_pixel_the_image_weighted_most(make, square, min_pure):
    t = make()
    h, w = (H, H) if square else (H, W)
    ids, onehot = _pixel_ids(h, w)
    weights, out_ids = jax.jit(jax.vmap(lambda key: t(key, onehot, ids)))(KEYS)
    assert_aligned(weights, out_ids, _blocks(h, w), min_pure=min_pure)


# `heaviest`: the geometry is one resample, or a nearest one after the antialiased shrink, so
# the mask's pixel is the heaviest. The X-ray preset shrinks (Resize 16x20 -> 14x17, its own
# antialiased resample) and then warps bilinearly: the nearest of the nearest is then only
# checked to carry real weight.
PRESETS = [
    pytest.param(lambda: presets.xray_train(size=12, resize=14), 1, False, id="xray"),
    pytest.param(lambda: presets.pathology_train(size=12, resize=14), 3, True, id="pathology"),
    pytest.param(lambda: presets.imagenet_train(size=12), 3, True, id="imagenet"),
]


def _neutral_colour(steps, params):
    """The drawn parameters with every colour step at its identity."""
    out = []
    for step, p in zip(steps, params):
        if isinstance(step, ja.ColorJitter):
            one = jnp.float32(1)
            p = p._replace(brightness=one, contrast=one, saturation=one, hue=jnp.float32(0))
        elif isinstance(step, ja.RandomErasing):
            p = p._replace(erase=jnp.bool_(False))
        out.append(p)
    return tuple(out)


@pytest.mark.parametrize("make, channels, heaviest", PRESETS)
def test_preset_masks_follow_the_presets_geometry(make, channels, heaviest):
    preset = make()
    geometric = 0
    while preset.transforms[geometric].is_geometric:
        geometric += 1
    colour = preset.transforms[geometric:]
    assert geometric >= 2 and all(isinstance(s, ja.PixelTransform) for s in colour)
    geometry = ja.Compose(preset.transforms[:geometric])
    (normalize,) = [s for s in colour if isinstance(s, ja.Normalize)]
    image = jnp.asarray(np.random.default_rng(1).integers(0, 256, (H, W, channels), dtype=np.uint8))
    ids, onehot = _pixel_ids(H, W)

    @jax.jit
    @jax.vmap
    def run(key):
        params = preset.sample(key, image.shape)
        plain, out_ids = preset.apply(_neutral_colour(preset.transforms, params), image, ids)
        moved, weights = geometry.apply(params[:geometric], image), geometry.apply(params[:geometric], onehot)
        return out_ids, plain, moved, weights

    out_ids, plain, moved, weights = (np.asarray(v) for v in run(KEYS))
    mean, std = np.asarray(normalize.mean, np.float32), np.asarray(normalize.std, np.float32)
    np.testing.assert_allclose(plain * std + mean, moved, atol=1e-6, rtol=0)
    # The X-ray preset rotates a 12x12 crop: its filled corners leave fewer pure pixels.
    assert_aligned(weights, out_ids, _blocks(H, W), heaviest=heaviest, min_pure=0.15)
