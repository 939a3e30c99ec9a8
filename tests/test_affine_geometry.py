"""Properties of affine, perspective, elastic and pad (torchvision's meanings), and of their
random transforms; the torchvision comparisons are in test_torchvision_geometry_reference.py."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxaug as ja
from jaxaug import image as F
from jaxaug.image._geometry import sample_points
from jaxaug.image._warps import perspective_matrix

RNG = np.random.default_rng(0)
IMG = jnp.asarray(RNG.uniform(size=(9, 12, 2)).astype(np.float32))


# Jitted once per (shape, interpolation, fill): compiling one program is cheaper than
# compiling each eager operation, and the parameters stay traced.
_affine = jax.jit(F.affine, static_argnums=(5, 6))
_pad = jax.jit(F.pad, static_argnums=(1, 2, 3))


def _bright_pixel(h=9, w=12, y=4, x=5):
    return jnp.zeros((h, w, 1)).at[y, x, 0].set(1.0)


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_affine_with_identity_parameters_is_the_identity(interpolation):
    out = _affine(IMG, 0.0, jnp.zeros(2), 1.0, jnp.zeros(2), interpolation)
    np.testing.assert_allclose(np.asarray(out), np.asarray(IMG), atol=1e-6)


@pytest.mark.parametrize("angle", [17.0, -63.0])
def test_affine_angle_turns_clockwise_like_torchvision_so_it_is_rotate_of_minus_angle(angle):
    # torchvision: F.affine(img, a, ...) == F.rotate(img, -a) (its affine angle is clockwise).
    np.testing.assert_array_equal(
        np.asarray(F.affine(IMG, angle, (0, 0), 1.0, 0.0)), np.asarray(F.rotate(IMG, -angle))
    )
    assert not np.allclose(np.asarray(F.affine(IMG, angle, (0, 0), 1.0, 0.0)), np.asarray(F.rotate(IMG, angle)))


def test_translate_moves_a_bright_pixel_right_and_up_by_exactly_3_and_2():
    out = _affine(_bright_pixel(), 0.0, jnp.array([3.0, -2.0]), 1.0, jnp.zeros(2))
    np.testing.assert_array_equal(np.argwhere(np.asarray(out[..., 0]) == 1.0), [[2, 8]])
    assert float(out.sum()) == 1.0


def test_shear_x_moves_rows_below_the_centre_left_by_tan_of_the_angle():
    # torchvision's forward map for shear (sx, 0) sends (x, y) to (x - tan(sx) (y - cy), y).
    out = F.affine(_bright_pixel(y=8, x=5), 0.0, (0, 0), 1.0, (45.0, 0.0))
    np.testing.assert_array_equal(np.argwhere(np.asarray(out[..., 0]) == 1.0), [[8, 1]])


def test_scale_about_a_given_center_reads_center_plus_offset_over_scale():
    # Centre (2.5, 3.5) in torchvision's edge coordinates is the centre of pixel (x 2, y 3);
    # zooming by 3 about it, output pixel (x, y) reads input point (2 + (x - 2) / 3, 3 + (y - 3) / 3).
    y, x = np.mgrid[0:9, 0:12].astype(np.float32)
    ramps = jnp.asarray(np.stack([x, y], axis=-1))
    out = np.asarray(F.affine(ramps, 0.0, (0, 0), 3.0, 0.0, "bilinear", center=(2.5, 3.5)))
    np.testing.assert_allclose(out[..., 0], 2 + (x - 2) / 3, atol=1e-5)
    np.testing.assert_allclose(out[..., 1], 3 + (y - 3) / 3, atol=1e-5)


def test_traced_parameters_draw_per_example():
    run = jax.jit(jax.vmap(lambda a, t, s, sh: F.affine(IMG, a, t, s, sh, "bilinear")))
    angles, shifts = jnp.array([0.0, 30.0]), jnp.array([[0.0, 0.0], [2.0, -1.0]])
    out = run(angles, shifts, jnp.array([1.0, 1.3]), jnp.array([0.0, 10.0]))
    np.testing.assert_allclose(np.asarray(out[0]), np.asarray(IMG), atol=1e-6)
    np.testing.assert_allclose(
        np.asarray(out[1]), np.asarray(F.affine(IMG, 30.0, (2.0, -1.0), 1.3, 10.0, "bilinear")), atol=1e-5
    )


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"scale": 0.0}, ValueError),
        ({"scale": float("nan")}, ValueError),
        ({"angle": float("inf")}, ValueError),
        ({"translate": (1, 2, 3)}, ValueError),
        ({"translate": 3}, TypeError),
        ({"shear": (1.0, 2.0, 3.0)}, ValueError),
        ({"interpolation": "bicubic"}, ValueError),
        ({"fill": 300}, ValueError),
    ],
)
def test_affine_refuses_bad_arguments_naming_itself(kwargs, error):
    args = {"angle": 10.0, "translate": (1, 2), "scale": 1.0, "shear": 0.0, **kwargs}
    image = jnp.zeros((6, 7, 1), jnp.uint8)
    with pytest.raises(error, match="affine"):
        F.affine(image, **args)


def test_affine_nan_pixel_stays_local():
    img = jnp.zeros((9, 12, 1)).at[4, 5, 0].set(jnp.nan)
    out = np.asarray(F.affine(img, 20.0, (1, 0), 1.1, 5.0, "bilinear"))
    assert 0 < np.isnan(out).sum() <= 4


# --- perspective ------------------------------------------------------------------------------

START = [[0, 0], [11, 0], [11, 8], [0, 8]]
END = [[2, 1], [10, 0], [11, 7], [1, 6]]


def test_perspective_matrix_sends_each_endpoint_back_to_its_startpoint():
    # In jaxaug's pixel-centre coordinates a torchvision point p is p - 0.5.
    m = np.asarray(perspective_matrix(START, END), np.float64)
    for (sx, sy), (ex, ey) in zip(START, END):
        x, y, w = m @ [ex - 0.5, ey - 0.5, 1.0]
        np.testing.assert_allclose([x / w, y / w], [sx - 0.5, sy - 0.5], atol=1e-4)
    assert abs(m[2, 0]) > 1e-3 or abs(m[2, 1]) > 1e-3  # really projective


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_perspective_with_start_equal_to_end_is_the_identity_also_traced(interpolation):
    same = jax.jit(lambda p: F.perspective(IMG, p, p, interpolation))(jnp.asarray(END, jnp.float32))
    np.testing.assert_allclose(np.asarray(same), np.asarray(IMG), atol=1e-5)


def test_perspective_moves_the_corner_pixel_to_its_endpoint():
    # The top-right pixel (centre (11.5, 0.5) in torchvision's coordinates) goes to the pixel
    # whose centre is that endpoint when start and end are pixel centres.
    start = [[0.5, 0.5], [11.5, 0.5], [11.5, 8.5], [0.5, 8.5]]
    end = [[2.5, 1.5], [9.5, 2.5], [11.5, 7.5], [1.5, 6.5]]
    out = F.perspective(_bright_pixel(y=0, x=11), start, end, "nearest")
    np.testing.assert_array_equal(np.argwhere(np.asarray(out[..., 0]) == 1.0), [[2, 9]])


def test_perspective_nan_stays_local_and_horizon_gets_fill():
    img = jnp.zeros((9, 12, 1)).at[4, 5, 0].set(jnp.nan)
    assert 0 < np.isnan(np.asarray(F.perspective(img, START, END))).sum() <= 4
    # A map whose horizon crosses the image: the far side reads nothing (fill), never a mirror.
    m = jnp.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.25, 0.0, -1.0]])
    out = ja.image._geometry.resample(
        jnp.ones((9, 12, 1)), m, (9, 12), interpolation="bilinear", fill=0.5, border="fill", projective=True
    )
    out = np.asarray(out)
    np.testing.assert_array_equal(out[:, :4, 0], 0.5)  # x < 4: third coordinate <= 0


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: F.perspective(IMG, START, END[:3]), ValueError, "perspective: endpoints must be four"),
        (lambda: F.perspective(IMG, START, [[0, 0], [1, 1], [2, 2], [0, 5]]), ValueError, "no three"),
        (lambda: F.perspective(IMG, [[0, 0], [4, 0], [8, 0], [0, 5]], END), ValueError, "no three"),
        (lambda: F.perspective(IMG, START, END, "area"), ValueError, "perspective: interpolation"),
        (lambda: F.elastic(IMG, jnp.zeros((9, 12, 3))), ValueError, "elastic: displacement must have shape"),
        (lambda: F.elastic(IMG, jnp.full((9, 12, 2), jnp.nan)), ValueError, "elastic: displacement must be finite"),
        (lambda: F.elastic(IMG, jnp.zeros((9, 12, 2), jnp.int32)), TypeError, "elastic: displacement must be floating"),
        (lambda: F.pad(IMG, (1, 2, 3)), ValueError, "pad: padding must be"),
        (lambda: F.pad(IMG, -1), ValueError, "pad: padding must be"),
        (lambda: F.pad(IMG, 1, padding_mode="wrap"), ValueError, "pad: padding_mode"),
        (lambda: F.pad(IMG, 1, (0.1, 0.2), padding_mode="edge"), ValueError, "per-channel fill"),
        (lambda: F.pad(jnp.zeros((3, 9, 12)), 1), ValueError, "channels-first"),
        (lambda: F.pad(jnp.zeros((9, 12, 3), jnp.int16), 1), TypeError, "pad: image dtype"),
        (lambda: ja.RandomAffine(-5), ValueError, "RandomAffine: degrees"),
        (lambda: ja.RandomAffine(5, translate=(0.1, 1.5)), ValueError, "RandomAffine: translate"),
        (lambda: ja.RandomAffine(5, scale=(0.0, 1.0)), ValueError, "RandomAffine: scale"),
        (lambda: ja.RandomAffine(5, shear=(1, 2, 3)), ValueError, "RandomAffine: shear"),
        (lambda: ja.RandomAffine(5, center=(1, float("nan"))), ValueError, "RandomAffine: center"),
        (lambda: ja.RandomPerspective(1.5), ValueError, "RandomPerspective: distortion_scale"),
        (lambda: ja.RandomPerspective(p=True), TypeError, "RandomPerspective: p"),
        (lambda: ja.ElasticTransform(sigma=-1.0), ValueError, "ElasticTransform: sigma"),
        (lambda: ja.ElasticTransform(alpha=float("inf")), ValueError, "ElasticTransform: alpha"),
        (lambda: ja.Pad((1, 2, 3)), ValueError, "Pad: padding"),
        (lambda: ja.Pad(1, padding_mode="wrap"), ValueError, "Pad: padding_mode"),
        (lambda: ja.RandomZoomOut(side_range=(0.5, 2.0)), ValueError, "RandomZoomOut: side_range"),
        (lambda: ja.RandomZoomOut(p=2), ValueError, "RandomZoomOut: p"),
    ],
)
def test_bad_arguments_are_refused_naming_the_function_and_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- elastic ----------------------------------------------------------------------------------


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_elastic_with_zero_displacement_is_the_identity(interpolation):
    out = F.elastic(IMG, jnp.zeros((1, 9, 12, 2)), interpolation)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(IMG))


def test_elastic_displacement_is_in_normalised_units_x_then_y():
    # dx = 2 * 3 / W reads 3 pixels to the right; dy = -2 / H reads 1 pixel up.
    d = jnp.stack([jnp.full((9, 12), 2 * 3 / 12), jnp.full((9, 12), -2 / 9)], axis=-1)
    out = np.asarray(F.elastic(IMG, d, "nearest"))
    np.testing.assert_array_equal(out[1:, :9], np.asarray(IMG)[:-1, 3:])
    np.testing.assert_array_equal(out[0], 0.0)
    np.testing.assert_array_equal(out[:, 9:], 0.0)


def test_elastic_transform_mask_follows_by_nearest_and_nan_stays_local():
    t = ja.ElasticTransform(alpha=8.0, sigma=1.0)
    ids = jnp.arange(9 * 12, dtype=jnp.int32).reshape(9, 12)
    img = jnp.zeros((9, 12, 1)).at[4, 5, 0].set(jnp.nan)

    @jax.jit
    def run(key):
        params = t.sample(key, (9, 12, 1))
        out, out_ids = t.apply(params, img, ids)
        x_in, y_in = ja.image._warps.elastic_points(params.displacement, 9, 12)
        expected = sample_points(ids[..., None], x_in, y_in, interpolation="nearest", fill=0, border="fill")[..., 0]
        return out, out_ids, expected, x_in, y_in

    out, out_ids, expected, x_in, y_in = run(jax.random.key(0))
    np.testing.assert_array_equal(np.asarray(out_ids), np.asarray(expected))
    assert len(np.unique(np.asarray(out_ids))) > 50
    # NaN reaches exactly the outputs whose bilinear footprint gives the NaN pixel a weight.
    reads_it = (np.abs(np.asarray(x_in) - 5) < 1) & (np.abs(np.asarray(y_in) - 4) < 1)
    assert reads_it.sum() > 0
    np.testing.assert_array_equal(np.isnan(np.asarray(out))[..., 0], reads_it)
    assert not t.fuses((9, 12, 1))


# --- pad --------------------------------------------------------------------------------------


@given(
    padding=st.tuples(*[st.integers(0, 4)] * 4),
    mode=st.sampled_from(["constant", "edge", "reflect", "symmetric"]),
)
def test_pad_then_crop_is_the_identity(padding, mode):
    left, top, right, bottom = padding
    out = _pad(IMG, padding, 0.5 if mode == "constant" else 0.0, mode)
    assert out.shape == (9 + top + bottom, 12 + left + right, 2)
    np.testing.assert_array_equal(np.asarray(out)[top : top + 9, left : left + 12], np.asarray(IMG))
    if mode == "constant" and top:
        np.testing.assert_array_equal(np.asarray(out[:top]), 0.5)


@given(dx=st.integers(-4, 4), dy=st.integers(-3, 3))
def test_random_affine_translation_moves_a_bright_pixel_by_the_drawn_whole_pixels(dx, dy):
    t = ja.RandomAffine(0, translate=(0.4, 0.4))
    params = t.sample(jax.random.key(0), (9, 12, 1))._replace(translate=jnp.array([dx, dy], jnp.float32))
    out = np.asarray(t.apply(params, _bright_pixel()))
    np.testing.assert_array_equal(np.argwhere(out[..., 0] == 1.0), [[4 + dy, 5 + dx]])


def test_pad_transform_reflect_pads_the_mask_the_same_way_and_constant_fuses():
    ids = jnp.arange(9 * 12, dtype=jnp.int32).reshape(9, 12)
    out, out_ids = ja.Pad((2, 1), padding_mode="reflect")(jax.random.key(0), IMG, ids)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(F.pad(IMG, (2, 1), padding_mode="reflect")))
    np.testing.assert_array_equal(np.asarray(out_ids), np.pad(np.asarray(ids), ((1, 1), (2, 2)), mode="reflect"))
    assert ja.Pad(1).fuses(IMG.shape) and not ja.Pad(1, padding_mode="edge").fuses(IMG.shape)
    constant = ja.Pad((1, 2, 3, 4), fill=0.5)(jax.random.key(0), IMG)
    np.testing.assert_array_equal(np.asarray(constant), np.asarray(F.pad(IMG, (1, 2, 3, 4), 0.5)))


# --- fusing -----------------------------------------------------------------------------------


def _smooth(h=20, w=24):
    y, x = np.mgrid[0:h, 0:w] / np.array([h, w])[:, None, None]
    return jnp.asarray(np.stack([0.5 + 0.4 * np.sin(3 * x + 2 * y), 0.5 + 0.4 * np.cos(2 * x - 3 * y)], -1), jnp.float32)


def test_perspective_fuses_with_affine_neighbours_into_one_projective_resample():
    steps = [
        ja.RandomHorizontalFlip(p=1.0),
        ja.RandomPerspective(0.4, p=1.0),
        ja.Pad((1, 2, 3, 1)),
        ja.RandomAffine((25, 25), interpolation="bilinear"),
    ]
    pipeline = ja.Compose(steps)
    assert pipeline.fuses((20, 24, 2)) and pipeline.projective
    img, key = _smooth(), jax.random.key(3)

    @jax.jit
    def run(key):
        params = pipeline.sample(key, img.shape)
        fused = pipeline.apply(params, img)
        # One resample through the product of the four matrices (a homography).
        m = pipeline.matrix(params, img.shape)
        direct = ja.image._geometry.resample(
            img, m, fused.shape[:2], interpolation="bilinear", fill=0.0, border="edge", projective=True
        )
        x = img
        for t, p in zip(steps, params):
            x = t.apply(p, x)
        return fused, direct, x, pipeline.apply(params, jnp.ones((20, 24, 1)))

    fused, direct, x, coverage = (np.asarray(v) for v in run(key))
    coverage = coverage[..., 0]
    # Away from the borders (where fill blends differ) fused == direct to float precision, and
    # == step by step within the second interpolation's blur.
    inner = coverage == 1.0
    # Step by step, the later steps' bilinear reads blend in the earlier steps' fill bands: two
    # pixels in from where the fused map leaves any step's frame.
    h, w = inner.shape
    padded = np.pad(inner, 2)
    inner = np.all([padded[2 + dy : h + 2 + dy, 2 + dx : w + 2 + dx] for dy in range(-2, 3) for dx in range(-2, 3)], axis=0)
    assert inner.mean() > 0.1
    np.testing.assert_allclose(fused[inner], np.asarray(direct)[inner], atol=1e-5)
    np.testing.assert_allclose(fused[inner], np.asarray(x)[inner], atol=0.03)
    assert np.abs(fused[inner] - np.asarray(x)[inner]).max() > 1e-4  # really fused, not stepwise
