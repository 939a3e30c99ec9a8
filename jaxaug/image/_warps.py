"""Perspective, elastic and pad on one (H, W, C) image, with torchvision's meanings.

Perspective is a homography: a 3x3 matrix like the affine ops', resampled with a homogeneous
divide, so it fuses with them. Elastic is a dense displacement field: it is read through the
same sampler, but is not a matrix. Pad is an exact reindexing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxaug import _checks
from jaxaug.image._color import float_dtype, to_float
from jaxaug.image._geometry import _check_finite_values, _check_interpolation, resample, sample_points, translation_matrix

PADDING_MODES = ("constant", "edge", "reflect", "symmetric")


# --- perspective ----------------------------------------------------------------------------


def _square_to_quad(quad: jax.Array) -> jax.Array:
    """The homography sending the unit square's corners (0,0), (1,0), (1,1), (0,1) to the
    four rows of `quad` (Heckbert's closed form; its third coordinate is positive inside a
    convex quad)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad[0], quad[1], quad[2], quad[3]
    dx1, dx2, dx3 = x1 - x2, x3 - x2, x0 - x1 + x2 - x3
    dy1, dy2, dy3 = y1 - y2, y3 - y2, y0 - y1 + y2 - y3
    den = dx1 * dy2 - dx2 * dy1  # 0 exactly when points 1, 2, 3 are collinear
    g = (dx3 * dy2 - dx2 * dy3) / den
    h = (dx1 * dy3 - dx3 * dy1) / den
    one = jnp.ones_like(g)
    return jnp.stack(
        [
            jnp.stack([x1 - x0 + g * x1, x3 - x0 + h * x3, x0]),
            jnp.stack([y1 - y0 + g * y1, y3 - y0 + h * y3, y0]),
            jnp.stack([g, h, one]),
        ]
    )


def _inverse_3x3(m: jax.Array) -> jax.Array:
    """Adjugate over determinant: a closed form that vmaps and compiles small."""
    a, b, c = m[0, 0], m[0, 1], m[0, 2]
    d, e, f = m[1, 0], m[1, 1], m[1, 2]
    g, h, i = m[2, 0], m[2, 1], m[2, 2]
    adjugate = jnp.stack(
        [
            jnp.stack([e * i - f * h, c * h - b * i, b * f - c * e]),
            jnp.stack([f * g - d * i, a * i - c * g, c * d - a * f]),
            jnp.stack([d * h - e * g, b * g - a * h, a * e - b * d]),
        ]
    )
    return adjugate / (a * adjugate[0, 0] + b * adjugate[1, 0] + c * adjugate[2, 0])


def perspective_matrix(startpoints: ArrayLike, endpoints: ArrayLike) -> jax.Array:
    """The homography of torchvision's ``perspective``, output pixel -> input point.

    torchvision solves for the map sending `endpoints` (where the four points land in the
    output) to `startpoints` (where they are in the input), in its coordinates where pixel i
    covers [i, i + 1], and evaluates it at pixel centres (i + 0.5). This is that map in
    jaxaug's pixel-centre coordinates. Both arguments are (4, 2) (x, y) points and may be
    traced; the solve is in closed form (unit square to each quad), so it vmaps cheaply. The
    third row is scaled so that the third coordinate is positive inside the endpoints' quad.
    """
    start = jnp.asarray(startpoints, jnp.float32)
    end = jnp.asarray(endpoints, jnp.float32)
    homography = _square_to_quad(start) @ _inverse_3x3(_square_to_quad(end))
    return translation_matrix(-0.5, -0.5) @ homography @ translation_matrix(0.5, 0.5)


def _no_three_on_a_line(points: jax.Array) -> jax.Array:
    """Whether every triple of the four points spans a triangle (relative to their extent): a
    homography needs it, and a degenerate quad would give a singular but finite matrix."""
    extent = jnp.max(jnp.max(points, axis=0) - jnp.min(points, axis=0))
    areas = []
    for a, b, c in ((0, 1, 2), (0, 1, 3), (0, 2, 3), (1, 2, 3)):
        u, v = points[b] - points[a], points[c] - points[a]
        areas.append(jnp.abs(u[0] * v[1] - u[1] * v[0]))
    return jnp.min(jnp.stack(areas)) > 1e-6 * extent * extent


def _points(where: str, name: str, value: Any) -> jax.Array:
    if isinstance(value, (str, bool)):
        raise TypeError(f"{where}: {name} must be four (x, y) points, got {value!r}")
    array = jnp.asarray(value, jnp.float32)
    if array.shape != (4, 2):
        raise ValueError(
            f"{where}: {name} must be four (x, y) points [top-left, top-right, bottom-right, bottom-left], "
            f"shape (4, 2), got shape {array.shape}"
        )
    return array


def perspective(
    image: ArrayLike,
    startpoints: ArrayLike,
    endpoints: ArrayLike,
    interpolation: str = "bilinear",
    fill: float | Sequence[float] = 0.0,
) -> jax.Array:
    """Warp so that the four `startpoints` of the input land on the four `endpoints`.

    Args:
      image: (H, W, C) image, uint8 or float.
      startpoints: (4, 2) (x, y) points in the input, [top-left, top-right, bottom-right,
        bottom-left], in torchvision's coordinates (pixel i covers [i, i + 1]); may be traced.
      endpoints: (4, 2) where those points land in the output; may be traced.
      interpolation: "bilinear" (torchvision's default) or "nearest" (static).
      fill: value, or one per channel, for points read from outside; a value of the input
        image (255 is white for uint8) (static).

    Returns:
      (H, W, C) float image (float32 for uint8 input).

    torchvision: ``perspective(img, startpoints, endpoints, interpolation, fill)``; the same
    homography, solved in closed form in float32 (torchvision: least squares in float64). Two
    differences: with bilinear the border band is blended with `fill` once (see ``rotate``), and
    output pixels beyond the map's horizon (the mirror image torchvision shows there) get
    `fill`. No dm-pix equivalent.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> img = jnp.ones((8, 8, 1))
      >>> corners = [[0, 0], [7, 0], [7, 7], [0, 7]]
      >>> inward = [[2, 1], [6, 0], [7, 7], [0, 6]]
      >>> out = jaxaug.image.perspective(img, corners, inward)
      >>> out.shape, bool(out[0, 0, 0] == 0.0), bool(out[4, 4, 0] == 1.0)
      ((8, 8, 1), True, True)
    """
    image = _checks.as_array(image)
    _checks.check_image("perspective", image)
    _check_interpolation("perspective", interpolation)
    start = _points("perspective", "startpoints", startpoints)
    end = _points("perspective", "endpoints", endpoints)
    m = perspective_matrix(start, end)
    _checks.check_values(
        "perspective",
        lambda: jnp.all(jnp.isfinite(m)) & _no_three_on_a_line(start) & _no_three_on_a_line(end),
        "startpoints and endpoints must be finite, with no three of either set on one line",
        m,
    )
    h, w, _ = image.shape
    out = resample(image, m, (h, w), interpolation=interpolation, fill=fill, border="fill", where="perspective", projective=True)
    return to_float(out).astype(float_dtype(image.dtype))


# --- elastic --------------------------------------------------------------------------------


def elastic_points(displacement: jax.Array, height: int, width: int) -> tuple[jax.Array, jax.Array]:
    """Input points read by each output pixel under torchvision's displacement convention.

    `displacement` (H, W, 2) holds (dx, dy) in grid_sample's normalised units, where the
    image spans [-1, 1]: a pixel's shift is (dx * W / 2, dy * H / 2) pixels.
    """
    d = jnp.asarray(displacement, jnp.float32)
    xs = jnp.arange(width, dtype=jnp.float32).reshape(1, width)
    ys = jnp.arange(height, dtype=jnp.float32).reshape(height, 1)
    return xs + d[..., 0] * (width / 2.0), ys + d[..., 1] * (height / 2.0)


def _displacement(where: str, displacement: Any, height: int, width: int) -> jax.Array:
    d = jnp.asarray(displacement)
    if d.ndim == 4 and d.shape[0] == 1:
        d = d[0]
    if d.shape != (height, width, 2):
        raise ValueError(
            f"{where}: displacement must have shape (1, H, W, 2) or (H, W, 2) = {(height, width, 2)} "
            f"(dx, dy in normalised [-1, 1] grid units), got shape {tuple(jnp.shape(displacement))}"
        )
    if not jnp.issubdtype(d.dtype, jnp.floating):
        raise TypeError(f"{where}: displacement must be floating (normalised grid units), got dtype {d.dtype}")
    _checks.check_values(where, lambda: jnp.all(jnp.isfinite(d)), "displacement must be finite", d)
    return d


def elastic(
    image: ArrayLike,
    displacement: ArrayLike,
    interpolation: str = "bilinear",
    fill: float | Sequence[float] = 0.0,
) -> jax.Array:
    """Move every pixel by its own displacement: an elastic deformation, one resample.

    Args:
      image: (H, W, C) image, uint8 or float.
      displacement: (1, H, W, 2) or (H, W, 2) float, (dx, dy) per output pixel in
        torchvision's normalised grid units (the image spans [-1, 1], so dx = 2 / W reads one
        pixel to the right); may be traced.
      interpolation: "bilinear" (torchvision's default) or "nearest" (static).
      fill: value, or one per channel, for points read from outside; a value of the input
        image (255 is white for uint8) (static).

    Returns:
      (H, W, C) float image (float32 for uint8 input).

    torchvision: ``elastic(img, displacement, interpolation, fill)``; the border band is
    blended with `fill` once (see ``rotate``). dm-pix's ``elastic_deformation`` draws its own
    field from a key (alpha, sigma in pixels, scipy's map_coordinates order), so it is a
    random op, not this one.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> img = jnp.arange(12.0).reshape(3, 4, 1)
      >>> one_right = jnp.zeros((3, 4, 2)).at[..., 0].set(2 / 4)
      >>> jaxaug.image.elastic(img, one_right)[0, :, 0]
      Array([1., 2., 3., 0.], dtype=float32)
    """
    image = _checks.as_array(image)
    _checks.check_image("elastic", image)
    _check_interpolation("elastic", interpolation)
    h, w, _ = image.shape
    d = _displacement("elastic", displacement, h, w)
    x_in, y_in = elastic_points(d, h, w)
    out = sample_points(image, x_in, y_in, interpolation=interpolation, fill=fill, border="fill", where="elastic")
    return to_float(out).astype(float_dtype(image.dtype))


# --- pad ------------------------------------------------------------------------------------


def padding_ltrb(where: str, padding: Any) -> tuple[int, int, int, int]:
    """torchvision's padding forms as (left, top, right, bottom): an int is all four sides,
    (lr, tb) pads left and right by lr and top and bottom by tb, and (l, t, r, b) each side."""
    values = (padding,) if _checks.is_int(padding) else padding
    if not isinstance(values, Sequence) or isinstance(values, str) or len(values) not in (1, 2, 4) or any(
        not _checks.is_int(v) or v < 0 for v in values
    ):
        raise ValueError(
            f"{where}: padding must be an int >= 0 or a sequence of 1, 2 (left/right, top/bottom) or "
            f"4 (left, top, right, bottom) of them, got {padding!r}"
        )
    values = tuple(int(v) for v in values)
    if len(values) == 1:
        return values * 4
    if len(values) == 2:
        return (values[0], values[1], values[0], values[1])
    return values  # type: ignore[return-value]


def check_padding_mode(where: str, padding_mode: Any) -> None:
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"{where}: padding_mode must be one of {PADDING_MODES}, got {padding_mode!r}")


def pad_widths(ltrb: tuple[int, int, int, int], ndim: int) -> tuple[tuple[int, int], ...]:
    """``jnp.pad`` widths for an (H, W, ...) array padded by (left, top, right, bottom)."""
    left, top, right, bottom = ltrb
    return ((top, bottom), (left, right)) + ((0, 0),) * (ndim - 2)


def pad(
    image: ArrayLike,
    padding: int | Sequence[int],
    fill: float | Sequence[float] = 0.0,
    padding_mode: str = "constant",
) -> jax.Array:
    """Pad the borders: with a constant, the edge pixels, or a mirror image.

    Args:
      image: (H, W, C) image of any dtype.
      padding: int (all sides), (left/right, top/bottom) or (left, top, right, bottom), ints
        >= 0 (static: it sets the shape).
      fill: value, or one per channel, for "constant"; a value of the input image (255 is
        white for uint8) (static).
      padding_mode: "constant", "edge" (repeat the border pixel), "reflect" (mirror without
        repeating it: 3 2 | 1 2 3) or "symmetric" (mirror repeating it: 2 1 | 1 2 3) (static).

    Returns:
      (H + top + bottom, W + left + right, C), same dtype: an exact reindexing.

    torchvision: ``pad(img, padding, fill, padding_mode)``; the modes are ``numpy.pad``'s.
    torchvision refuses a per-channel fill with modes other than "constant"; so does this.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.pad(jnp.arange(3.0).reshape(1, 3, 1), (2, 0), padding_mode="reflect")[0, :, 0]
      Array([2., 1., 0., 1., 2., 1., 0.], dtype=float32)
    """
    image = _checks.as_array(image)
    _checks.check_image("pad", image)
    ltrb = padding_ltrb("pad", padding)
    check_padding_mode("pad", padding_mode)
    fill_values = _checks.fill_values("pad", "fill", fill, image.shape[-1], image.dtype)
    if padding_mode != "constant":
        if len(set(np.atleast_1d(np.asarray(fill, np.float64)).tolist())) > 1:
            raise ValueError(f"pad: a per-channel fill needs padding_mode 'constant', got {padding_mode!r}")
        return jnp.pad(image, pad_widths(ltrb, image.ndim), mode=padding_mode)
    left, top, right, bottom = ltrb
    size = (image.shape[0] + top + bottom, image.shape[1] + left + right)
    return resample(
        image, translation_matrix(-left, -top), size, interpolation="nearest", fill=fill_values, border="fill",
        separable=True, where="pad",
    )
