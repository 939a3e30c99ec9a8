"""Properties of affine, perspective, elastic and pad (torchvision's meanings), and of their
random transforms; the torchvision comparisons are in test_torchvision_geometry_reference.py."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxaug import image as F

RNG = np.random.default_rng(0)
IMG = jnp.asarray(RNG.uniform(size=(9, 12, 2)).astype(np.float32))


def _bright_pixel(h=9, w=12, y=4, x=5):
    return jnp.zeros((h, w, 1)).at[y, x, 0].set(1.0)


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_affine_with_identity_parameters_is_the_identity(interpolation):
    out = F.affine(IMG, 0.0, (0, 0), 1.0, (0.0, 0.0), interpolation)
    np.testing.assert_allclose(np.asarray(out), np.asarray(IMG), atol=1e-6)


@pytest.mark.parametrize("angle", [17.0, -63.0])
def test_affine_angle_turns_clockwise_like_torchvision_so_it_is_rotate_of_minus_angle(angle):
    # torchvision: F.affine(img, a, ...) == F.rotate(img, -a) (its affine angle is clockwise).
    np.testing.assert_array_equal(
        np.asarray(F.affine(IMG, angle, (0, 0), 1.0, 0.0)), np.asarray(F.rotate(IMG, -angle))
    )
    assert not np.allclose(np.asarray(F.affine(IMG, angle, (0, 0), 1.0, 0.0)), np.asarray(F.rotate(IMG, angle)))


def test_translate_moves_a_bright_pixel_right_and_up_by_exactly_3_and_2():
    out = F.affine(_bright_pixel(), 0.0, (3, -2), 1.0, 0.0)
    np.testing.assert_array_equal(np.argwhere(np.asarray(out[..., 0]) == 1.0), [[2, 8]])
    assert float(out.sum()) == 1.0


def test_shear_x_moves_rows_below_the_centre_left_by_tan_of_the_angle():
    # torchvision's forward map for shear (sx, 0) sends (x, y) to (x - tan(sx) (y - cy), y).
    out = F.affine(_bright_pixel(y=8, x=5), 0.0, (0, 0), 1.0, (45.0, 0.0))
    np.testing.assert_array_equal(np.argwhere(np.asarray(out[..., 0]) == 1.0), [[8, 1]])


def test_scale_about_a_given_center_keeps_the_center_fixed():
    # Centre (2.5, 3.5) in torchvision's edge coordinates is pixel (row 3, column 2).
    img = _bright_pixel(y=3, x=2) + _bright_pixel(y=3, x=4) * 0.5
    out = np.asarray(F.affine(img, 0.0, (0, 0), 2.0, 0.0, center=(2.5, 3.5))[..., 0])
    assert out[3, 2] == 1.0 and out[3, 6] == 0.5


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
