"""affine, perspective, elastic, pad and the random geometric transforms' draws against
torchvision 0.29.1, on outputs recorded by tests/reference/make_torchvision_geometry_reference.py
(torch is never imported here)."""

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxaug as ja
from jaxaug import image as F
from jaxaug.image._warps import padding_ltrb, perspective_matrix

REF = np.load(Path(__file__).parent / "reference" / "torchvision_geometry_reference.npz")
SMOOTH, NOISE_U8, DISPLACEMENT = REF["in_smooth"], REF["in_noise_u8"], REF["in_displacement"]
H, W = SMOOTH.shape[:2]
RGB_FILL = [0.2, 0.5, 0.9]
AFFINES = {
    "rts": (23.0, [3, -2], 1.2, [10.0, -5.0], None),
    "center": (-40.0, [1, 4], 0.8, [0.0, 12.0], [5.0, 7.0]),
    "shear_only": (0.0, [0, 0], 1.0, [30.0, 0.0], None),
}
STARTPOINTS = [[0, 0], [W - 1, 0], [W - 1, H - 1], [0, H - 1]]
ENDPOINTS = [[3, 2], [28, 1], [30, 22], [1, 19]]


def _source_points(matrix):
    """Where each output pixel reads, in float64, from jaxaug's (output -> input) matrix."""
    m = np.asarray(matrix, np.float64)
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    w = m[2, 0] * x + m[2, 1] * y + m[2, 2]
    return (m[0, 0] * x + m[0, 1] * y + m[0, 2]) / w, (m[1, 0] * x + m[1, 1] * y + m[1, 2]) / w


def _ties(matrix):
    xs, ys = _source_points(matrix)
    return (np.abs(xs - np.floor(xs) - 0.5) < 1e-3) | (np.abs(ys - np.floor(ys) - 0.5) < 1e-3)


# Compiled once per (shape, interpolation, fill): the three affine cases share one program.
_affine = jax.jit(F.affine, static_argnums=(5, 6))
_perspective = jax.jit(F.perspective, static_argnums=(3, 4))
_elastic = jax.jit(F.elastic, static_argnums=(2, 3))


def _warp(op, image, name, interpolation, fill):
    fill = tuple(fill) if isinstance(fill, list) else fill
    if op == "affine":
        angle, translate, scale, shear, center = AFFINES[name]
        center = jnp.asarray([W / 2, H / 2] if center is None else center, jnp.float32)
        return _affine(image, angle, jnp.asarray(translate, jnp.float32), scale, jnp.asarray(shear), interpolation, fill, center)
    return _perspective(image, jnp.asarray(STARTPOINTS, jnp.float32), jnp.asarray(ENDPOINTS, jnp.float32), interpolation, fill)


def _matrix(op, name):
    if op == "affine":
        angle, translate, scale, shear, center = AFFINES[name]
        return ja.image._geometry.affine_matrix(angle, translate, scale, shear, center, H, W)
    return perspective_matrix(STARTPOINTS, ENDPOINTS)


WARPS = [("affine", n) for n in AFFINES] + [("perspective", "")]


def _key(op, name, interpolation, fill_name, u8=False):
    middle = f"{name}_" if name else ""
    return f"{'u8_' if u8 else ''}{op}_{middle}{interpolation}_fill{fill_name}"


@pytest.mark.parametrize("op, name", WARPS, ids=[f"{o}-{n}" for o, n in WARPS])
def test_nearest_picks_torchvisions_pixel_off_ties_float_and_uint8(op, name):
    # Measured: identical for affine; perspective differs on 1 of 768 pixels, a point read
    # exactly between two pixels (jaxaug rounds halves up, documented).
    ties = _ties(_matrix(op, name))
    assert ties.mean() < 0.01
    for fill, fill_name in ((0.0, "none"), (RGB_FILL, "rgb")):
        out = np.asarray(_warp(op, SMOOTH, name, "nearest", fill))
        np.testing.assert_array_equal(out[~ties], REF[_key(op, name, "nearest", fill_name)][~ties])
    out = np.asarray(_warp(op, NOISE_U8, name, "nearest", 200)) * 255.0
    np.testing.assert_allclose(out[~ties], REF[_key(op, name, "nearest", "200", u8=True)][~ties], atol=1e-4, rtol=0)


@pytest.mark.parametrize("op, name", WARPS, ids=[f"{o}-{n}" for o, n in WARPS])
def test_bilinear_matches_torchvision_and_its_border_band_is_the_documented_double_attenuation(op, name):
    # Zero padding (torchvision's fill=None): equal everywhere (measured: at most 4.9e-6).
    zero_fill = np.asarray(_warp(op, SMOOTH, name, "bilinear", 0.0))
    np.testing.assert_allclose(zero_fill, REF[_key(op, name, "bilinear", "none")], atol=1e-5, rtol=0)
    # With a fill, jaxaug blends the fill in once by the sample's coverage c; torchvision
    # computes fill + c * (zero-padded result - fill), c applied twice. That formula, with c and
    # the zero-padded result taken from jaxaug, reproduces torchvision everywhere (1e-5), and
    # where c == 1 the two agree directly.
    coverage = np.asarray(_warp(op, np.ones((H, W, 1), np.float32), name, "bilinear", 0.0))
    fill = np.asarray(RGB_FILL, np.float32)
    ref = REF[_key(op, name, "bilinear", "rgb")]
    np.testing.assert_allclose(fill + coverage * (zero_fill - fill), ref, atol=1e-5, rtol=0)
    out = np.asarray(_warp(op, SMOOTH, name, "bilinear", RGB_FILL))
    inside = coverage[..., 0] == 1.0
    assert inside.mean() > 0.4
    np.testing.assert_allclose(out[inside], ref[inside], atol=1e-5, rtol=0)
    # uint8 in 0..255 units: torchvision rounds its result (measured: at most 0.5).
    out_u8 = np.asarray(_warp(op, NOISE_U8, name, "bilinear", 200)) * 255.0
    np.testing.assert_allclose(out_u8[inside], REF[_key(op, name, "bilinear", "200", u8=True)][inside], atol=0.501, rtol=0)


def test_perspective_homography_is_torchvisions_least_squares_solution():
    # torchvision's coefficients map output to input in its edge coordinates, third entry 1.
    m = np.asarray(perspective_matrix(STARTPOINTS, ENDPOINTS), np.float64)
    shift = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
    edge = shift @ m @ np.linalg.inv(shift)
    np.testing.assert_allclose((edge / edge[2, 2]).ravel()[:8], REF["perspective_coefficients"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_elastic_with_a_fixed_displacement_matches_torchvision(interpolation):
    # Measured: nearest identical, bilinear at most 1.5e-6 (float) and 0.5 (uint8, rounded).
    out = np.asarray(_elastic(SMOOTH, DISPLACEMENT, interpolation))
    np.testing.assert_allclose(out, REF[f"elastic_{interpolation}"], atol=1e-5, rtol=0)
    out_u8 = np.asarray(_elastic(NOISE_U8, DISPLACEMENT[0], interpolation)) * 255.0
    np.testing.assert_allclose(out_u8, REF[f"u8_elastic_{interpolation}"], atol=0.501, rtol=0)


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_pad_matches_torchvision_exactly_in_every_mode(mode):
    out = F.pad(SMOOTH, [3, 2, 5, 1], 0.25 if mode == "constant" else 0.0, mode)
    np.testing.assert_array_equal(np.asarray(out), REF[f"pad_{mode}"])
    out_u8 = F.pad(NOISE_U8, [3, 2, 5, 1], 200 if mode == "constant" else 0, mode)
    assert out_u8.dtype == jnp.uint8
    np.testing.assert_array_equal(np.asarray(out_u8), REF[f"u8_pad_{mode}"])


def test_pad_int_and_pair_forms_mean_what_torchvision_means():
    # Parsing only (pad itself is checked above): an int pads every side, (3, 1) pads left and
    # right by 3, top and bottom by 1.
    assert padding_ltrb("pad", 2) == (2, 2, 2, 2) and padding_ltrb("pad", [3, 1]) == (3, 1, 3, 1)
    np.testing.assert_array_equal(np.pad(SMOOTH, ((2, 2), (2, 2), (0, 0))), REF["pad_2"])
    np.testing.assert_array_equal(np.pad(SMOOTH, ((1, 1), (3, 3), (0, 0)), constant_values=0.5), REF["pad_lr3_tb1"])


def test_zoom_out_equals_torchvision_pad_then_resize_without_antialias():
    t = ja.RandomZoomOut(fill=0.3, p=1.0)
    left, top, right, bottom = 7, 4, 9, 6
    params = ja._affine_transforms.ZoomOutDraw(
        jnp.bool_(True), jnp.float32(H + top + bottom), jnp.float32(W + left + right), jnp.float32(top), jnp.float32(left)
    )
    out = np.asarray(jax.jit(t.apply)(params, SMOOTH))
    # Measured: at most 2.4e-7 (the canvas has fill on every side, so no edge band differs).
    np.testing.assert_allclose(out, REF["zoom_out_resized"], atol=1e-5, rtol=0)


def _draws(t, shape, n=4000):
    keys = jax.random.split(jax.random.key(0), n)
    return jax.jit(jax.vmap(lambda k: t.sample(k, shape)))(keys)


def _quantiles(x):
    return np.quantile(x, [0.02, 0.25, 0.5, 0.75, 0.98], axis=0)


def test_random_affine_draws_like_torchvision():
    t = ja.RandomAffine(degrees=(-15, 30), translate=(0.1, 0.25), scale=(0.7, 1.3), shear=(-10, 5, 2, 20))
    d = _draws(t, (H, W, 3))
    ours = np.stack([d.angle, d.translate[:, 0], d.translate[:, 1], d.scale, d.shear[:, 0], d.shear[:, 1]], axis=1)
    theirs = REF["draws_affine"]
    # The documented ranges: translate in whole pixels within 0.1 W and 0.25 H.
    lows, highs = [-15, -3.2, -6, 0.7, -10, 2], [30, 3.2, 6, 1.3, 5, 20]
    for x in (ours, theirs):
        assert np.all(x >= lows) and np.all(x <= highs)
    np.testing.assert_array_equal(np.unique(ours[:, 1]), np.unique(theirs[:, 1]))
    np.testing.assert_array_equal(np.unique(ours[:, 2]), np.unique(theirs[:, 2]))
    spread = np.array(highs) - np.array(lows)
    np.testing.assert_allclose(_quantiles(ours) / spread, _quantiles(theirs) / spread, atol=0.04)


def test_random_perspective_draws_like_torchvision():
    t = ja.RandomPerspective(distortion_scale=0.6, p=1.0)
    ours = np.asarray(_draws(t, (H, W, 3)).endpoints).reshape(-1, 8)
    theirs = REF["draws_perspective"].astype(np.float32)
    assert np.array_equal(ours, np.round(ours))
    # Each coordinate takes exactly torchvision's set of whole-pixel values, as often.
    for j in range(8):
        values = np.unique(theirs[:, j])
        np.testing.assert_array_equal(np.unique(ours[:, j]), values)
        ours_freq = np.array([np.mean(ours[:, j] == v) for v in values])
        theirs_freq = np.array([np.mean(theirs[:, j] == v) for v in values])
        np.testing.assert_allclose(ours_freq, theirs_freq, atol=0.04)


def test_random_zoom_out_draws_like_torchvision():
    t = ja.RandomZoomOut(side_range=(1.0, 3.0), p=1.0)
    d = _draws(t, (H, W, 3))
    ours = np.stack([d.left, d.top, d.canvas_width - W - d.left, d.canvas_height - H - d.top], axis=1)
    theirs = REF["draws_zoom_out"].astype(np.float32)
    assert np.all(ours >= 0) and np.all(ours[:, 0] + ours[:, 2] <= 2 * W)
    np.testing.assert_allclose(_quantiles(ours) / W, _quantiles(theirs) / W, atol=0.06)


def test_elastic_transform_draws_fields_like_torchvision():
    t = ja.ElasticTransform(alpha=(40.0, 20.0), sigma=(3.0, 3.0))
    fields = np.asarray(_draws(t, (H, W, 3), n=200).displacement)
    dx, dy = fields[..., 0], fields[..., 1]
    corr = np.mean(dx[:, :, 1:] * dx[:, :, :-1], axis=(1, 2)) / np.mean(dx * dx, axis=(1, 2))
    ours = np.stack([dx.std(axis=(1, 2)), dy.std(axis=(1, 2)), corr], axis=1)
    theirs = REF["draws_elastic_stats"]
    # Same size of displacement and the same smoothness (medians within 10%).
    np.testing.assert_allclose(np.median(ours, axis=0), np.median(theirs, axis=0), rtol=0.1)
