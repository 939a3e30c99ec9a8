"""jaxaug.volume's spatial ops: MONAI 1.6.1's recorded outputs, the properties that make them
right, the distributions of the draws, and the inputs they refuse.

Tolerances (README): flips, quarter turns, pads, crops exact; trilinear (affine, zoom, resize)
within 1e-5 of MONAI on values in [-1, 1] (float32 rounding of the sample points); nearest equal
except at exact half-voxel ties, where torch rounds half to even and jaxaug up (at most 0.2% of
voxels; 1 of 1080 in the recording).
"""

import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxaug as ja
from jaxaug import volume as V

REF = np.load(os.path.join(os.path.dirname(__file__), "reference", "monai_spatial_reference.npz"))
ROTATE = (0.3, -0.2, 0.25)
SHEAR = (0.1, -0.05, 0.08, 0.02, -0.1, 0.06)
TRANSLATE = (1.5, -2.0, 0.7)
SCALE = (1.1, 0.9, 1.05)


# --- MONAI's recorded outputs ---------------------------------------------------------------------


def test_flips_quarter_turns_pads_and_crops_match_monai_exactly():
    v = REF["volume"]
    for name, got in [
        ("flip_0", V.flip(v, 0)),
        ("flip_12", V.flip(v, (1, 2))),
        ("flip_all", V.flip(v)),
        ("rot90_1_01", V.rot90(v, 1, (0, 1))),
        ("rot90_3_12", V.rot90(v, 3, (1, 2))),
        ("rot90_2_02", V.rot90(v, 2, (0, 2))),
        ("pad_14_13_11", V.spatial_pad(v, (14, 13, 11))),
        ("pad_end_14_13_11", V.spatial_pad(v, (14, 13, 11), method="end")),
        ("center_crop_5_7_20", V.center_spatial_crop(v, (5, 7, 20))),
        ("center_crop_4_5_3", V.center_spatial_crop(v, (4, 5, 3))),
    ]:
        np.testing.assert_array_equal(np.asarray(got), REF[name], err_msg=name)


@jax.jit
def _interpolating_ops(v):
    out = {}
    for mode in ("bilinear", "nearest"):
        for padding in ("zeros", "border", "reflection"):
            out[f"affine_{mode}_{padding}"] = V.affine(v, ROTATE, SHEAR, TRANSLATE, SCALE, mode=mode, padding_mode=padding)
    out["affine_size_8_14_9"] = V.affine(v, ROTATE, None, None, SCALE, padding_mode="zeros", spatial_size=(8, 14, 9))
    out["rotate_border"] = V.affine(v, (0.2, -0.3, 0.4), padding_mode="border")
    out["zoom_1.3"] = V.zoom(v, 1.3)
    out["zoom_0.7_1.2_0.9"] = V.zoom(v, (0.7, 1.2, 0.9))
    out["resize_7_15_9_trilinear"] = V.resize(v, (7, 15, 9))
    out["resize_7_15_9_nearest"] = V.resize(v, (7, 15, 9), mode="nearest")
    return out


def test_affine_zoom_and_resize_match_monai_within_interpolation_tolerance():
    outs = _interpolating_ops(jnp.asarray(REF["volume"]))
    for name, got in outs.items():
        got = np.asarray(got)
        assert got.shape == REF[name].shape, name
        if name.startswith("resize") and "nearest" in name:
            np.testing.assert_array_equal(got, REF[name], err_msg=name)  # torch's legacy nearest floors
        elif "nearest" in name:
            assert np.mean(got != REF[name]) <= 0.002, name
        else:
            np.testing.assert_allclose(got, REF[name], atol=1e-5, err_msg=name)


def test_label_by_nearest_matches_monai():
    label = REF["label"].astype(np.int32)
    t = V.RandAffine(prob=1, padding_mode="zeros")
    params = V._transforms.AffineParams(*(jnp.asarray(p, jnp.float32) for p in (ROTATE, SHEAR, TRANSLATE, SCALE)))
    _, out_label = jax.jit(t.apply)(params, REF["volume"], label)  # (S0, S1, S2, 1): the channel stays
    assert out_label.shape == label.shape
    assert np.mean(np.asarray(out_label) != REF["affine_label"].astype(np.int32)) <= 0.002


# --- properties -----------------------------------------------------------------------------------

SHAPES = st.just((4, 4, 3, 2))  # one shape: each new shape costs op-by-op compiles


@given(SHAPES, st.sets(st.integers(0, 2), min_size=1), st.integers(0, 3), st.sampled_from([(0, 1), (2, 0), (1, 2)]))
def test_flip_twice_and_four_quarter_turns_are_the_identity(shape, axes, k, plane):
    v = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(V.flip(V.flip(v, tuple(axes)), tuple(axes))), v)
    turned = v
    for _ in range(4):
        turned = V.rot90(turned, k, plane)
    np.testing.assert_array_equal(np.asarray(turned), v)
    # One turn is jnp.rot90's, and the 4x4 matrix Compose fuses is the same map.
    if shape[plane[0]] == shape[plane[1]] or k % 2 == 0:
        m = V._spatial.rot90_matrix(k, plane, shape)
        fused, _ = V._spatial.warp(jnp.asarray(v), None, m, shape[:3], mode="nearest", padding_mode="zeros")
        np.testing.assert_array_equal(np.asarray(fused), np.asarray(V.rot90(v, k, plane)))


@jax.jit
def _identity_affines(v):
    return [V.affine(v, mode=m, padding_mode=p) for m in ("bilinear", "nearest") for p in ("zeros", "reflection")]


def test_affine_with_identity_parameters_is_the_identity():
    v = np.random.default_rng(1).normal(size=(5, 3, 4, 2)).astype(np.float32)
    for out in _identity_affines(v):
        np.testing.assert_allclose(np.asarray(out), v, atol=1e-6)


def _moments_mm(values, spacing):
    """Centroid and covariance eigenvalues, in mm, of a non-negative volume (S0, S1, S2)."""
    idx = np.stack(np.meshgrid(*[np.arange(n) for n in values.shape], indexing="ij"), -1) * np.asarray(spacing)
    w = values / values.sum()
    centroid = (w[..., None] * idx).reshape(-1, 3).sum(0)
    d = (idx - centroid).reshape(-1, 3)
    cov = (w.reshape(-1, 1) * d).T @ d
    return centroid, np.linalg.eigvalsh(cov)


@jax.jit
def _rotate_sphere(v):
    spacing = (1.0, 1.0, 2.5)
    return V.affine(v, (0.6, 0.0, 0.0), padding_mode="zeros", spacing=spacing), V.affine(v, (0.6, 0.0, 0.0), padding_mode="zeros")


def test_rotation_with_spacing_keeps_a_round_blob_round_in_millimetres():
    spacing = np.asarray([1.0, 1.0, 2.5])
    shape = (33, 33, 15)
    centre = (np.asarray(shape) - 1) / 2 * spacing
    ball_centre = centre + np.asarray([0.0, 4.0, 0.0])  # off the rotation axis, so it moves
    idx = np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij"), -1) * spacing
    # A Gaussian blob of 4 mm: smooth enough that 2.5 mm slices sample its moments well.
    ball = np.exp(-0.5 * (np.linalg.norm(idx - ball_centre, axis=-1) / 4.0) ** 2).astype(np.float32)
    with_spacing, in_voxels = (np.asarray(o)[..., 0] for o in _rotate_sphere(jnp.asarray(ball[..., None])))
    _, eig_before = _moments_mm(ball, spacing)
    moved, eig = _moments_mm(with_spacing, spacing)
    # Trilinear interpolation adds blur variance (about 1 mm^2 here) along the 2.5 mm axis.
    assert eig_before.max() / eig_before.min() < 1.02 and eig.max() / eig.min() < 1.08
    # The centre turned by 0.6 rad about axis 0 in millimetres, at the same distance; MONAI's
    # matrix maps output to input, so the content turns by its inverse.
    expected = centre + np.asarray([0.0, 4.0 * np.cos(0.6), -4.0 * np.sin(0.6)])
    np.testing.assert_allclose(moved, expected, atol=0.3)
    # Rotating voxel indices as if they were isotropic squashes the sphere.
    _, eig_voxels = _moments_mm(in_voxels, spacing)
    assert eig_voxels.max() / eig_voxels.min() > 1.3


_LABEL_AFFINE = V.RandAffine(prob=1, rotate_range=(0.5, 0.5, 0.5), scale_range=(0.2, 0.2, 0.2), padding_mode="zeros")
_affine_with_label = jax.jit(lambda k, v, l: _LABEL_AFFINE(k, v, l))


@given(st.integers(0, 2**31 - 1))
def test_labels_carried_by_nearest_keep_their_label_set(seed):
    rng = np.random.default_rng(seed)
    label = rng.choice(np.asarray([0, 3, 7, 250]), size=(9, 8, 7)).astype(np.int32)
    _, out = _affine_with_label(jax.random.key(seed), np.zeros((9, 8, 7, 1), np.float32), label)
    assert set(np.unique(np.asarray(out))) <= {0, 3, 7, 250}


@jax.jit
def _shift_and_turn(v):
    return V.affine(v, translate=(1.0, 0.0, 0.0), padding_mode="zeros"), V.affine(v, rotate=(0.2, 0.0, 0.0), padding_mode="zeros")


def test_nan_stays_within_the_trilinear_footprint():
    v = np.zeros((6, 7, 5, 1), np.float32)
    v[2, 3, 2] = np.nan
    shifted, turned = (np.asarray(o) for o in _shift_and_turn(v))
    assert np.isnan(shifted).sum() == 1 and np.isnan(shifted[1, 3, 2, 0])
    bad = np.argwhere(np.isnan(turned[..., 0]))
    assert 1 <= len(bad) <= 8 and np.abs(bad - np.asarray([2, 3, 2])).max() <= 1


def test_compose_fuses_into_one_resample_equal_to_the_steps_run_apart():
    """Exact steps then a rotation: fused equals sequential where the rotation reads inside."""
    steps = [V.RandSpatialCrop((7, 7, 6)), V.RandFlip(1, (0, 2)), V.RandRotate90(1), V.RandAffine(1, rotate_range=0.3, padding_mode="border")]
    pipeline = V.Compose(steps)
    v = np.random.default_rng(3).normal(size=(9, 8, 7, 1)).astype(np.float32)
    key = jax.random.key(4)
    params = pipeline.sample(key, v.shape)

    @jax.jit
    def fused_and_apart(params, v):
        x = v
        for t, p in zip(steps, params):
            x = t.apply(p, x)
        return pipeline.apply(params, v), x

    fused, x = (np.asarray(o) for o in fused_and_apart(params, v))
    # RandAffine pads at the crop's border when run apart, reads real voxels when fused:
    # compare where the rotation reads inside the crop.
    m = V._spatial.affine_matrix(*params[3], (7, 7, 6, 1), (7, 7, 6, 1))
    coords = V._spatial.matrix_coords(m, (7, 7, 6))
    inside = np.all([(np.asarray(c) >= 0) & (np.asarray(c) <= n - 1) for c, n in zip(coords, (7, 7, 6))], axis=0)
    assert inside.mean() > 0.5
    np.testing.assert_allclose(fused[inside], np.asarray(x)[inside], atol=1e-5)


# --- draws ----------------------------------------------------------------------------------------

KEYS = jax.random.split(jax.random.key(0), 4000)


def _draws(t, shape):
    return jax.jit(jax.vmap(lambda k: t.sample(k, shape)))(KEYS)


def test_random_crop_positions_are_uniform_over_every_valid_start():
    starts = np.asarray(_draws(V.RandSpatialCrop((4, 9, 3)), (10, 12, 9, 1)).start).astype(int)
    for axis, room in enumerate((7, 4, 7)):
        counts = np.bincount(starts[:, axis], minlength=room)
        assert len(counts) == room  # nothing beyond the last valid start
        expected = len(KEYS) / room
        assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected)), counts


def test_pos_neg_crop_centres_follow_the_ratio_and_the_label():
    t = V.RandCropByPosNegLabel((3, 3, 3), pos=3.0, neg=1.0, num_samples=2)
    draws = _draws(t, (10, 12, 9, 1))
    positive = np.asarray(draws.positive)
    assert abs(positive.mean() - 0.75) < 4 * np.sqrt(0.75 * 0.25 / positive.size)
    label = np.zeros((10, 12, 9), np.int32)
    fg = [(2, 3, 4), (5, 6, 2), (7, 9, 6)]  # inside the valid centres, so no clipping moves them
    for i, j, k in fg:
        label[i, j, k] = 2
    volume = np.zeros((10, 12, 9, 1), np.float32)
    starts = np.asarray(jax.jit(jax.vmap(lambda p: t.starts(p, volume, label)))(draws))
    centres = starts + 1
    hit = label[centres[..., 0], centres[..., 1], centres[..., 2]] > 0
    np.testing.assert_array_equal(hit, positive)
    picked = [tuple(c) for c in centres[positive]]
    for voxel in fg:  # uniform among the foreground voxels
        share = np.mean([p == voxel for p in picked])
        assert abs(share - 1 / 3) < 0.04, (voxel, share)
    # Background centres are spread over the background, clipped into the valid region.
    bg = centres[~positive]
    assert len({tuple(c) for c in bg}) > 100 and bg.min() >= 1 and np.all(bg.max(0) <= np.asarray([8, 10, 7]))


def test_pos_neg_crop_background_above_image_threshold_and_labels_with_a_channel():
    """With image_threshold, background centres lie where the volume is brighter (MONAI's
    image=...); a (S0, S1, S2, 1) label comes back with its channel."""
    t = V.RandCropByPosNegLabel((3, 3, 3), pos=1.0, neg=3.0, num_samples=8, image_threshold=0.5)
    volume = np.zeros((10, 12, 9, 1), np.float32)
    volume[3:6, 4:8, 2:5] = 1.0  # inside the valid centres
    label = np.zeros((10, 12, 9, 1), np.int32)
    label[7, 9, 6] = 1
    patches, labels = jax.jit(t)(jax.random.key(3), volume, label)
    assert patches.shape == (8, 3, 3, 3, 1) and labels.shape == (8, 3, 3, 3, 1)
    centres = patches[:, 1, 1, 1, 0]
    centre_labels = np.asarray(labels[:, 1, 1, 1, 0])
    # Every centre is either the labelled voxel or a bright voxel, and both kinds occur.
    assert np.all((np.asarray(centres) == 1.0) | (centre_labels == 1))
    assert 0 < centre_labels.sum() < 8


def test_pos_neg_crop_with_no_foreground_uses_background_and_returns_static_shapes():
    t = V.RandCropByPosNegLabel((4, 4, 4), pos=1.0, neg=0.0, num_samples=4)
    patches, labels = jax.jit(t)(jax.random.key(0), np.ones((8, 8, 6, 1), np.float32), np.zeros((8, 8, 6), np.int32))
    assert patches.shape == (4, 4, 4, 4, 1) and labels.shape == (4, 4, 4, 4)


def test_affine_parameter_draws_stay_in_their_ranges_and_follow_monai_rules():
    t = V.RandAffine(prob=0.3, rotate_range=(0.3, (0.1, 0.4), 0.2), shear_range=(0.1,), translate_range=(2.0, 0.0, 1.0), scale_range=(0.1, 0.2, 0.1))
    d = _draws(t, (8, 8, 6, 1))
    rotate, shear, translate, scale = (np.asarray(x) for x in d)
    applied = np.any(rotate != 0, axis=1)
    assert abs(applied.mean() - 0.3) < 4 * np.sqrt(0.21 / len(KEYS))
    r = rotate[applied]
    # The apply-or-not draw is independent of the magnitudes: applied angles take both signs.
    assert abs(np.mean(r[:, 0] > 0) - 0.5) < 0.06
    for axis, (lo, hi) in enumerate([(-0.3, 0.3), (0.1, 0.4), (-0.2, 0.2)]):
        assert r[:, axis].min() >= lo and r[:, axis].max() <= hi
        assert r[:, axis].min() < lo + 0.02 and r[:, axis].max() > hi - 0.02
    assert np.all(shear[:, 1:] == 0) and np.abs(shear[:, 0]).max() <= 0.1
    assert np.all(translate[:, 1] == 0) and np.abs(translate[applied, 0]).max() > 1.9
    assert np.all((scale[applied] >= 1 - np.asarray([0.1, 0.2, 0.1])) & (scale[applied] <= 1 + np.asarray([0.1, 0.2, 0.1])))
    np.testing.assert_array_equal(scale[~applied], 1.0)
    # MONAI: one number draws the first parameter only.
    only_first = np.asarray(_draws(V.RandAffine(prob=1, rotate_range=0.3), (8, 8, 6, 1)).rotate)
    assert np.all(only_first[:, 1:] == 0) and np.abs(only_first[:, 0]).max() > 0.29


def test_quarter_turns_axis_flips_and_zooms_draw_as_monai():
    k = np.asarray(_draws(V.RandRotate90(prob=0.6, max_k=3), (8, 8, 6, 1)).k)
    assert abs(np.mean(k == 0) - 0.4) < 0.04
    counts = np.bincount(k[k > 0], minlength=4)[1:]
    assert np.all(np.abs(counts / counts.sum() - 1 / 3) < 0.04)
    flips = np.asarray(_draws(V.RandAxisFlip(prob=1), (8, 8, 6, 1)).flips)
    assert np.all(flips.sum(1) == 1) and np.all(np.abs(flips.mean(0) - 1 / 3) < 0.04)
    zoom = np.asarray(_draws(V.RandZoom(prob=1, min_zoom=0.8, max_zoom=1.2), (8, 8, 6, 1)).zoom)
    assert np.all(zoom[:, 0] == zoom[:, 2]) and zoom.min() >= 0.8 and zoom.max() <= 1.2
    zoom2 = np.asarray(_draws(V.RandZoom(prob=1, min_zoom=(0.8, 1.0), max_zoom=(0.9, 1.3)), (8, 8, 6, 1)).zoom)
    assert np.all(zoom2[:, 0] == zoom2[:, 1]) and zoom2[:, 1].max() <= 0.9 and zoom2[:, 2].min() >= 1.0


# --- refused inputs -------------------------------------------------------------------------------


def test_bad_inputs_are_refused_clearly():
    v = np.zeros((10, 12, 9, 1), np.float32)
    key = jax.random.key(0)
    with pytest.raises(ValueError, match=r"flip: volume must have shape \(S0, S1, S2, C\).*2-D"):
        V.flip(np.zeros((10, 12, 3), np.float32))
    with pytest.raises(ValueError, match="RandAffine: volume must have shape"):
        V.RandAffine(prob=1)(key, np.zeros((10, 12, 3), np.float32))
    with pytest.raises(ValueError, match="channels-first"):
        V.RandFlip()(key, np.zeros((1, 10, 12, 9), np.float32))
    with pytest.raises(ValueError, match="label must have the volume's spatial size"):
        V.RandFlip()(key, v, np.zeros((10, 12, 8), np.int32))
    with pytest.raises(TypeError, match="label must be integer"):
        V.RandFlip()(key, v, np.zeros((10, 12, 9), np.float32))
    with pytest.raises(ValueError, match="larger than the volume"):
        V.RandCropByPosNegLabel((11, 4, 4))(key, v, np.zeros((10, 12, 9), np.int32))
    with pytest.raises(ValueError, match="larger than the volume"):
        V.RandSpatialCrop((4, 13, 4))(key, v)
    with pytest.raises(ValueError, match="needs the label"):
        V.RandCropByPosNegLabel((4, 4, 4))(key, v)
    with pytest.raises(ValueError, match="rotate_range must be a finite number"):
        V.RandAffine(rotate_range=float("nan"))
    with pytest.raises(ValueError, match="must be finite"):
        V.affine(v, rotate=(0.1, float("nan"), 0.0))
    with pytest.raises(ValueError, match="spacing"):
        V.RandRotate(range_x=0.1, spacing=(1.0, float("inf"), 1.0))
    with pytest.raises(TypeError, match="prob must be a probability"):
        V.RandFlip(prob=True)
    with pytest.raises(ValueError, match="prob must be a probability"):
        V.RandZoom(prob=1.5)
    with pytest.raises(ValueError, match="same size"):
        V.RandRotate90(prob=1)(key, v)
    with pytest.raises(TypeError, match="jaxaug.volume transform"):
        V.Compose([ja.RandomHorizontalFlip()])
    with pytest.raises(TypeError, match="ja.volume.Compose"):
        ja.Compose([V.RandFlip()])
    with pytest.raises(ValueError, match=r"batch: volumes must be a batch \(N, S0, S1, S2, C\)"):
        ja.batch(V.RandFlip())(key, v)
    with pytest.raises(ValueError, match="keep_size"):
        V.RandRotate(range_x=0.1, keep_size=False)
    # Integer probabilities are probabilities: prob=1 always flips, prob=0 never.
    x = np.arange(10 * 12 * 9, dtype=np.float32).reshape(10, 12, 9, 1)
    np.testing.assert_array_equal(np.asarray(V.RandFlip(prob=1, spatial_axis=2)(key, x)), x[:, :, ::-1])
    np.testing.assert_array_equal(np.asarray(V.RandFlip(prob=0)(key, x)), x)


def test_defaults_are_monai_s():
    """MONAI 1.6.1's defaults (inspect.signature of monai.transforms); the modes jaxaug lacks
    ("area") are the documented exceptions."""
    assert (V.RandFlip().prob, V.RandFlip().spatial_axis, V.RandAxisFlip().prob) == (0.1, None, 0.1)
    assert (V.RandRotate90().prob, V.RandRotate90().max_k, V.RandRotate90().spatial_axes) == (0.1, 3, (0, 1))
    r = V.RandRotate()
    assert (r.range_x, r.prob, r.keep_size, r.mode, r.padding_mode) == ((0.0, 0.0), 0.1, True, "bilinear", "border")
    z = V.RandZoom()
    assert (z.prob, z.min_zoom, z.max_zoom, z.padding_mode, z.keep_size) == (0.1, 0.9, 1.1, "edge", True)
    a = V.RandAffine()
    assert (a.prob, a.rotate_range, a.spatial_size, a.mode, a.padding_mode) == (0.1, (), None, "bilinear", "reflection")
    e = V.Rand3DElastic((1.0, 2.0), (3.0, 4.0))
    assert (e.prob, e.mode, e.padding_mode, e.sigma_range, e.magnitude_range) == (0.1, "bilinear", "reflection", (1.0, 2.0), (3.0, 4.0))
    p = V.SpatialPad(8)
    assert (p.method, p.mode) == ("symmetric", "constant")
    c = V.RandCropByPosNegLabel(8)
    assert (c.pos, c.neg, c.num_samples) == (1.0, 1.0, 1)
    s = V.RandSpatialCrop(8)
    assert (s.random_center, s.random_size) == (True, False)
