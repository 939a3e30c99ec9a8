"""Compose: stable key derivation, one resample for neighbouring geometric steps, masks, and the
four ported pipelines."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxaug as ja
from jaxaug import presets
from jaxaug.image import _geometry


def _smooth(h=40, w=48, c=3):
    y, x = np.mgrid[0:h, 0:w] / np.array([h, w]).reshape(2, 1, 1)
    chans = [0.5 + 0.4 * np.sin(2 * np.pi * (x + k * 0.3 * y)) for k in range(c)]
    return jnp.asarray(np.stack(chans, -1), jnp.float32)


def test_appending_a_step_keeps_the_earlier_draws():
    a = ja.Compose([ja.RandomResizedCrop(16), ja.RandomRotation(30)])
    b = ja.Compose([ja.RandomResizedCrop(16), ja.RandomRotation(30), ja.ColorJitter(0.3)])
    key = jax.random.key(4)
    pa, pb = a.sample(key, (40, 48, 3)), b.sample(key, (40, 48, 3))
    for x, y in zip(jax.tree.leaves(pa), jax.tree.leaves(pb[:2])):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def test_step_i_draws_from_fold_in_of_its_position():
    t = ja.Compose([ja.RandomHorizontalFlip(), ja.RandomRotation(30)])
    key = jax.random.key(9)
    params = t.sample(key, (8, 8, 1))
    expected = ja.RandomRotation(30).sample(jax.random.fold_in(key, 1), (8, 8, 1))
    np.testing.assert_array_equal(np.asarray(params[1].angle), np.asarray(expected.angle))


def test_crop_flip_rotate_is_one_composed_warp():
    steps = [ja.RandomCrop(32), ja.RandomHorizontalFlip(p=1.0), ja.RandomRotation(25, interpolation="bilinear")]
    pipeline = ja.Compose(steps)
    img = _smooth()
    key = jax.random.key(1)
    params = pipeline.sample(key, img.shape)
    # Crop and flip land on the pixel grid, so the one fused warp equals the three steps run
    # one after another, the rotation's corners filled where it reads outside the crop; only
    # the one-pixel band the fill blends into may differ (fused, it reads the pixels beyond
    # the crop instead of repeating the crop's edge).
    x = img
    for t, p in zip(steps, params):
        x = t.apply(p, x)
    coverage = np.asarray(steps[2].apply(params[2], jnp.ones((32, 32, 1))))[..., 0]
    whole = (coverage == 1.0) | (coverage == 0.0)
    assert whole.mean() > 0.8
    np.testing.assert_allclose(np.asarray(pipeline(key, img))[whole], np.asarray(x)[whole], atol=1e-6)
    m1 = steps[0].matrix(params[0], (40, 48, 3))
    m2 = steps[1].matrix(params[1], (32, 32, 3))
    m3 = steps[2].matrix(params[2], (32, 32, 3))
    inside = ja.image.warp_affine(img, m1 @ m2 @ m3, (32, 32), interpolation="bilinear", border="edge")
    centre = np.s_[8:24, 8:24]
    np.testing.assert_allclose(np.asarray(pipeline(key, img))[centre], np.asarray(inside)[centre], atol=1e-6)


def test_fused_resample_equals_step_by_step_where_interpolation_is_exact():
    # Crops, flips and quarter turns land on the pixel grid, so one warp and three agree exactly.
    steps = [ja.RandomCrop(24), ja.RandomHorizontalFlip(), ja.RandomRot90(), ja.RandomVerticalFlip()]
    pipeline = ja.Compose(steps)
    img = _smooth()
    for k in range(6):
        key = jax.random.key(k)
        params = pipeline.sample(key, img.shape)
        x = img
        for t, p in zip(steps, params):
            x = t.apply(p, x)
        np.testing.assert_array_equal(np.asarray(pipeline(key, img)), np.asarray(x))


def test_fused_warp_is_sharper_than_resampling_each_step():
    # Two bilinear rotations blur twice; the fused one blurs once and stays closer to exact.
    img = _smooth(48, 48)
    a, b = ja.RandomRotation((20, 20), interpolation="bilinear"), ja.RandomRotation((-20, -20), interpolation="bilinear")
    fused = ja.Compose([a, b])(jax.random.key(0), img)
    stepwise = b(jax.random.key(0), a(jax.random.key(0), img))
    inner = slice(12, 36)
    err_fused = float(jnp.abs(fused - img)[inner, inner].mean())
    err_step = float(jnp.abs(stepwise - img)[inner, inner].mean())
    assert err_fused < 1e-5 < err_step


def test_a_shrinking_resize_is_antialiased_not_fused():
    img = _smooth(80, 96)
    pipeline = ja.Compose([ja.Resize(40), ja.RandomHorizontalFlip(p=1.0)])
    expected = ja.image.hflip(ja.image.resize(img, 40))
    np.testing.assert_allclose(np.asarray(pipeline(jax.random.key(0), img)), np.asarray(expected), atol=1e-6)
    assert not ja.Resize(40).fuses(img.shape) and ja.Resize(200).fuses(img.shape)


def test_mask_gets_the_same_geometry_by_nearest_neighbour():
    """README: "a segmentation mask gets exactly the image's geometry", pixel by pixel.

    The image is the indicator of a square, so after the preset's one bilinear resample each
    pixel holds the weight the image gave the square; the drawn colour factors are set to 1, so
    only Normalize([0.5], [0.5]) remains to undo. The mask copies the nearest input pixel, the
    corner with the largest bilinear weight (>= 1/4, or >= 1/8 in the fill band), so: weight
    above 3/4 means the mask shows the label, below 1/8 that it does not, and no pixel in between
    contradicts its nearest corner."""
    pipeline = presets.xray_train(size=32, resize=40)
    img = jnp.zeros((40, 40, 1), jnp.float32).at[10:20, 5:15].set(1.0)
    mask = jnp.zeros((40, 40), jnp.int32).at[10:20, 5:15].set(3)

    @jax.jit
    @jax.vmap
    def run(key):
        params = list(pipeline.sample(key, img.shape))
        for i, step in enumerate(pipeline.transforms):
            if isinstance(step, ja.ColorJitter):
                params[i] = params[i]._replace(brightness=jnp.float32(1), contrast=jnp.float32(1))
        out, out_mask = pipeline.apply(tuple(params), img, mask)
        return out[..., 0] * 0.5 + 0.5, out_mask, pipeline(key, img, mask)[1]

    weight, out_mask, called_mask = (np.asarray(v) for v in run(jax.random.split(jax.random.key(0), 8)))
    np.testing.assert_array_equal(out_mask, called_mask)  # the colour draw does not touch the mask
    assert set(np.unique(out_mask).tolist()) == {0, 3}
    labelled = out_mask == 3
    assert np.all(labelled[weight > 0.75]) and not np.any(labelled[weight < 0.125])
    assert np.all(weight[labelled] >= 0.125) and np.all(weight[~labelled] <= 0.75)
    assert (weight >= 1.0 - 1e-6).sum() > 0.5 * labelled.sum() > 0


def test_mask_fill_marks_pixels_from_outside():
    t = ja.RandomRotation((45, 45), mask_fill=255)
    _, mask = t(jax.random.key(0), jnp.ones((20, 20, 1)), jnp.ones((20, 20), jnp.int32))
    assert int(mask[0, 0]) == 255 and int(mask[10, 10]) == 1


def test_colour_steps_leave_the_mask_alone():
    t = ja.Compose([ja.ColorJitter(0.5, 0.5, 0.5, 0.2), ja.RandomErasing(p=1.0), ja.Normalize([0.5], [0.2])])
    mask = jnp.arange(64, dtype=jnp.int32).reshape(8, 8)
    _, out_mask = t(jax.random.key(0), jnp.ones((8, 8, 3)), mask)
    np.testing.assert_array_equal(np.asarray(out_mask), np.asarray(mask))


PIPELINES = {
    "xray": (presets.xray_train, (256, 256, 1)),
    "pathology": (presets.pathology_train, (256, 256, 3)),
    "imagenet": (presets.imagenet_train, (256, 256, 3)),
}


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_ported_pipelines_run_batched_in_jit_with_a_draw_per_example(name):
    make, shape = PIPELINES[name]
    images = jnp.asarray(np.random.default_rng(0).integers(0, 256, (4, *shape), dtype=np.uint8))
    same = jnp.stack([images[0]] * 4)
    run = jax.jit(ja.batch(make()))
    out = run(jax.random.key(0), images)
    assert out.shape == (4, 224, 224, shape[-1]) and out.dtype == jnp.float32
    views = np.asarray(run(jax.random.key(0), same))
    assert len({v.tobytes() for v in views}) == 4


def test_eval_transform_is_deterministic_and_matches_the_functional_ops():
    img = jnp.asarray(np.random.default_rng(0).integers(0, 256, (300, 400, 3), dtype=np.uint8))
    t = presets.eval_transform()
    a, b = t(jax.random.key(0), img), t(jax.random.key(1), img)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    F = ja.image
    expected = F.normalize(F.center_crop(F.resize(img, 256), 224), presets.IMAGENET_MEAN, presets.IMAGENET_STD)
    np.testing.assert_allclose(np.asarray(a), np.asarray(expected), atol=1e-5)


def test_the_design_doc_xray_pipeline_ports_line_for_line():
    xray_train = ja.Compose(
        [
            ja.Resize(256),
            ja.RandomResizedCrop(224, scale=(0.8, 1.0)),
            ja.RandomHorizontalFlip(p=0.5),
            ja.RandomRotation(degrees=10),
            ja.ColorJitter(brightness=0.1, contrast=0.1),
            ja.ToFloat(),
            ja.Normalize(mean=[0.5], std=[0.5]),
        ]
    )
    assert xray_train == presets.xray_train()
    image = jnp.zeros((512, 512, 1), jnp.uint8)
    assert xray_train(jax.random.key(0), image).shape == (224, 224, 1)


def test_random_choice_of_geometric_steps_is_a_choice_of_matrix():
    t = ja.RandomChoice([ja.RandomHorizontalFlip(1.0), ja.RandomVerticalFlip(1.0)])
    img = _smooth(8, 8)
    seen = set()
    for k in range(12):
        out = np.asarray(t(jax.random.key(k), img))
        if np.array_equal(out, np.asarray(img[:, ::-1])):
            seen.add("h")
        elif np.array_equal(out, np.asarray(img[::-1])):
            seen.add("v")
        else:
            raise AssertionError("output is neither flip")
    assert seen == {"h", "v"}


def test_identity_matrix_warp_is_exact():
    img = _smooth()
    out = ja.image.warp_affine(img, _geometry.identity_matrix(), img.shape[:2])
    np.testing.assert_array_equal(np.asarray(out), np.asarray(img))


def test_pipelines_can_be_built_inside_a_jitted_function():
    # Construction must not touch traced values (Normalize once converted its mean with jnp).
    img = jnp.zeros((40, 48, 3), jnp.uint8)
    out = jax.jit(lambda k, x: presets.imagenet_train(size=16)(k, x))(jax.random.key(0), img)
    assert out.shape == (16, 16, 3)


def test_batch_in_chunks_gives_each_example_its_own_draw_as_vmap_does():
    # 5 examples in chunks of 2: two full chunks and a remainder of one.
    t = ja.Compose([ja.RandomResizedCrop(12), ja.RandomRotation(30), ja.ColorJitter(0.4, 0.4), ja.RandomErasing(p=1.0)])
    rng = np.random.default_rng(0)
    images = jnp.asarray(rng.integers(0, 256, (5, 16, 16, 3), dtype=np.uint8))
    masks = jnp.asarray(rng.integers(0, 4, (5, 16, 16), dtype=np.int32))
    key = jax.random.key(3)
    # Compared with single calls, which the contract test also ties the whole-batch vmap to.
    chunked = jax.jit(ja.batch(t, chunk_size=2))(key, images, masks)
    keys = jax.random.split(key, 5)
    single_call = jax.jit(t)
    for i in range(5):
        single = single_call(keys[i], images[i], masks[i])
        np.testing.assert_allclose(np.asarray(chunked[0][i]), np.asarray(single[0]), atol=5e-5)
        np.testing.assert_array_equal(np.asarray(chunked[1][i]), np.asarray(single[1]))
    assert chunked[0].shape == (5, 12, 12, 3) and chunked[0].dtype == jnp.float32
    assert chunked[1].shape == (5, 12, 12) and chunked[1].dtype == jnp.int32


def test_a_resize_to_the_images_own_size_leaves_a_fused_nearest_rotation_nearest():
    # torchvision returns the image unchanged when it already has the size, so the pathology
    # preset's Resize(256) on a 256 tile must not turn its nearest rotation bilinear.
    image = jnp.asarray(np.random.default_rng(3).integers(0, 256, (16, 16, 3), dtype=np.uint8))
    rotation = ja.RandomRotation(40, interpolation="nearest", fill=(255, 0, 7))
    pipeline = ja.Compose([ja.Resize(16), rotation])
    params = pipeline.sample(jax.random.key(5), image.shape)
    fused = pipeline.apply(params, image)
    alone = rotation.apply(params[1], image)
    np.testing.assert_array_equal(np.asarray(fused), np.asarray(alone))
    # Every output value is an input value or the fill: nothing was interpolated.
    fill = jnp.asarray([[[255, 0, 7]]], jnp.uint8)
    allowed = set(np.unique(np.asarray(ja.image.to_float(image)))) | set(np.asarray(ja.image.to_float(fill)).ravel())
    assert set(np.unique(np.asarray(fused))) <= allowed
