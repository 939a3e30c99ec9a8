"""Geometric ops on one (H, W, C) image, and the single affine resampler they share.

Coordinates are pixel indices, x along the width and y along the height, pixel centres at
integers. A geometric op is described by a 3x3 matrix that maps an *output* pixel (x, y, 1) to
the *input* point it reads, so consecutive steps compose by matrix product (the later step's
matrix on the right) and are resampled once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dm_pix
import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxaug import _checks
from jaxaug.image._color import _done, float_dtype, to_float

INTERPOLATIONS = ("nearest", "bilinear")


# --- matrices (output pixel -> input point) -------------------------------------------------


def identity_matrix() -> jax.Array:
    return jnp.eye(3, dtype=jnp.float32)


def translation_matrix(tx: ArrayLike, ty: ArrayLike) -> jax.Array:
    one, zero = jnp.float32(1), jnp.float32(0)
    tx, ty = jnp.asarray(tx, jnp.float32), jnp.asarray(ty, jnp.float32)
    return jnp.stack([jnp.stack([one, zero, tx]), jnp.stack([zero, one, ty]), jnp.stack([zero, zero, one])])


def scale_matrix(sx: ArrayLike, sy: ArrayLike) -> jax.Array:
    """Half-pixel-centred scaling: output pixel x reads input ``(x + 0.5) * sx - 0.5``."""
    one, zero = jnp.float32(1), jnp.float32(0)
    sx, sy = jnp.asarray(sx, jnp.float32), jnp.asarray(sy, jnp.float32)
    scale = jnp.stack([jnp.stack([sx, zero, zero]), jnp.stack([zero, sy, zero]), jnp.stack([zero, zero, one])])
    return translation_matrix(-0.5, -0.5) @ scale @ translation_matrix(0.5, 0.5)


def crop_matrix(top: ArrayLike, left: ArrayLike) -> jax.Array:
    return translation_matrix(left, top)


def resized_crop_matrix(
    top: ArrayLike, left: ArrayLike, height: ArrayLike, width: ArrayLike, size: tuple[int, int]
) -> jax.Array:
    """Crop the box, then resize it to `size` (half-pixel centres, as torchvision's resize)."""
    return crop_matrix(top, left) @ scale_matrix(
        jnp.asarray(width, jnp.float32) / size[1], jnp.asarray(height, jnp.float32) / size[0]
    )


def hflip_matrix(width: int) -> jax.Array:
    return jnp.array([[-1.0, 0.0, width - 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], jnp.float32)


def vflip_matrix(height: int) -> jax.Array:
    return jnp.array([[1.0, 0.0, 0.0], [0.0, -1.0, height - 1.0], [0.0, 0.0, 1.0]], jnp.float32)


def rotation_matrix(
    angle: ArrayLike, height: int, width: int, center: Sequence[ArrayLike] | None = None
) -> jax.Array:
    """Counter-clockwise rotation by `angle` degrees about `center`: (x, y) in torchvision's
    coordinates (pixel i covers [i, i + 1]), None for the image centre."""
    theta = jnp.deg2rad(jnp.asarray(angle, jnp.float32))
    cos, sin = jnp.cos(theta), jnp.sin(theta)
    one, zero = jnp.float32(1), jnp.float32(0)
    # With y pointing down, a counter-clockwise turn on screen reads the input at
    # c + [[cos, -sin], [sin, cos]] (p - c).
    rot = jnp.stack([jnp.stack([cos, -sin, zero]), jnp.stack([sin, cos, zero]), jnp.stack([zero, zero, one])])
    cx, cy = _center_pixel(center, height, width)
    return translation_matrix(cx, cy) @ rot @ translation_matrix(-cx, -cy)


def _center_pixel(center: Sequence[ArrayLike] | None, height: int, width: int) -> tuple[jax.Array, jax.Array]:
    """torchvision's (x, y) centre in pixel-index coordinates; None is the image centre."""
    if center is None:
        return jnp.float32((width - 1) / 2.0), jnp.float32((height - 1) / 2.0)
    # torchvision's centre is in edge coordinates; pixel centres are half a pixel in.
    return jnp.asarray(center[0], jnp.float32) - 0.5, jnp.asarray(center[1], jnp.float32) - 0.5


def rot90_matrix(k: ArrayLike, size: int) -> jax.Array:
    """Counter-clockwise quarter turns of a square image; exact on the pixel grid."""
    k = jnp.mod(jnp.asarray(k, jnp.int32), 4)
    cos = jnp.array([1.0, 0.0, -1.0, 0.0], jnp.float32)[k]
    sin = jnp.array([0.0, 1.0, 0.0, -1.0], jnp.float32)[k]
    one, zero = jnp.float32(1), jnp.float32(0)
    rot = jnp.stack([jnp.stack([cos, -sin, zero]), jnp.stack([sin, cos, zero]), jnp.stack([zero, zero, one])])
    c = (size - 1) / 2.0
    return translation_matrix(c, c) @ rot @ translation_matrix(-c, -c)


def affine_matrix(
    angle: ArrayLike,
    translate: ArrayLike | Sequence[ArrayLike],
    scale: ArrayLike,
    shear: ArrayLike | Sequence[ArrayLike],
    center: ArrayLike | Sequence[ArrayLike] | None,
    height: int,
    width: int,
) -> jax.Array:
    """torchvision's affine map (``_get_inverse_affine_matrix``), output pixel -> input point.

    The forward map is ``T(translate) C R(angle) S(scale) Shear_y Shear_x C^-1``: `angle` in
    degrees *clockwise* on screen (torchvision's affine; its rotate turns the other way, so
    ``rotation_matrix(a) == affine_matrix(-a, ...)``), `shear` (x, y) in degrees, `translate`
    (x, y) in pixels. `center` is (x, y) in torchvision's coordinates, where pixel i covers
    [i, i + 1] (so the default centre is (width / 2, height / 2)); None is the image centre.
    Every argument may be traced except `height` and `width`.
    """
    rot = jnp.deg2rad(jnp.asarray(angle, jnp.float32))
    shear_x = jnp.deg2rad(jnp.asarray(shear[0], jnp.float32))
    shear_y = jnp.deg2rad(jnp.asarray(shear[1], jnp.float32))
    scale = jnp.asarray(scale, jnp.float32)
    # The rotation-shear part (determinant 1) and its inverse, as torchvision writes them.
    a = jnp.cos(rot - shear_y) / jnp.cos(shear_y)
    b = -(a * jnp.tan(shear_x) + jnp.sin(rot))
    c = jnp.sin(rot - shear_y) / jnp.cos(shear_y)
    d = jnp.cos(rot) - c * jnp.tan(shear_x)
    one, zero = jnp.float32(1), jnp.float32(0)
    inverse = jnp.stack(
        [jnp.stack([d / scale, -b / scale, zero]), jnp.stack([-c / scale, a / scale, zero]), jnp.stack([zero, zero, one])]
    )
    cx, cy = _center_pixel(center, height, width)
    tx, ty = jnp.asarray(translate[0], jnp.float32), jnp.asarray(translate[1], jnp.float32)
    return translation_matrix(cx, cy) @ inverse @ translation_matrix(-cx - tx, -cy - ty)


# --- the resampler --------------------------------------------------------------------------


def warp_affine(
    image: ArrayLike,
    matrix: ArrayLike,
    size: int | Sequence[int],
    *,
    interpolation: str = "bilinear",
    fill: float | Sequence[float] = 0.0,
    border: str = "fill",
) -> jax.Array:
    """Resample an image through an affine map, reading each output pixel once.

    Args:
      image: (H, W, C) image, uint8 or float. uint8 is read as uint8 and converted after the
        gather, so the input is touched once.
      matrix: (3, 3) finite map from output pixel (x, y, 1) to input point (x, y, 1), pixel
        centres at integers; may be traced.
      size: output (height, width), static.
      interpolation: "bilinear" or "nearest" (static).
      fill: value, or one per channel, for points outside the image (static).
      border: "fill" blends `fill` in over the one-pixel band outside the image, as
        torchvision's rotate does; "edge" repeats the border pixels, as resize does (static).

    Returns:
      (height, width, C) float image (float32 for uint8 input).

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> img = jnp.arange(12.0).reshape(3, 4, 1)
      >>> flip = jnp.array([[-1.0, 0, 3], [0, 1, 0], [0, 0, 1]])
      >>> bool((jaxaug.image.warp_affine(img, flip, (3, 4)) == img[:, ::-1]).all())
      True
    """
    image = _checks.as_array(image)
    _checks.check_image("warp_affine", image)
    size = _checks.size_pair("warp_affine", "size", size)
    _check_finite_values("warp_affine", "matrix", matrix)
    last_row = jnp.asarray(matrix, jnp.float32)
    if last_row.shape != (3, 3):
        raise ValueError(f"warp_affine: matrix must have shape (3, 3), got {last_row.shape}")
    # The resampler reads only the top two rows: a projective row would be ignored, silently.
    _checks.check_values(
        "warp_affine",
        lambda: jnp.all(last_row[2] == jnp.array([0.0, 0.0, 1.0])),
        "matrix must be affine, with last row [0, 0, 1]; for a projective map use ja.image.perspective",
        last_row,
    )
    out = resample(image, matrix, size, interpolation=interpolation, fill=fill, border=border, where="warp_affine")
    return to_float(out).astype(float_dtype(image.dtype))


def resample(
    values: jax.Array,
    matrix: ArrayLike,
    size: tuple[int, int],
    *,
    interpolation: str,
    fill: float | Sequence[float],
    border: str,
    separable: bool = False,
    where: str = "resample",
    fill_name: str = "fill",
    fill_frames: Sequence[tuple[jax.Array, tuple[int, int]]] | None = None,
    projective: bool = False,
) -> jax.Array:
    """The resampler behind every geometric op; also used for masks.

    Nearest keeps the dtype of `values` (masks stay integer); bilinear returns floats in the
    units of `to_float`. With ``separable=True`` the caller promises an axis-aligned matrix
    (no rotation or shear: crops, resizes, flips), and the image is resampled rows first, then
    columns: whole rows and columns are gathered instead of single pixels, which is several
    times faster and gives the same result.

    With ``border="fill"``, `fill_frames` says where the fill goes: one ``(matrix, (h, w))`` per
    filling step, mapping output pixels into that step's own input of size (h, w). A fused
    group (an enlarging resize, then a rotation) must fill where the *rotation* reads outside
    the resized image, not where the composed map leaves the original; by default the frame is
    `matrix` and the input's own size.

    With ``projective=True`` (static) the matrices are homographies (a perspective step):
    points are divided by their third coordinate, and points at or behind the horizon (third
    coordinate <= 0) count as outside. Affine maps leave it False and pay nothing for it.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
    if border not in ("fill", "edge"):
        raise ValueError(f"border must be 'fill' or 'edge', got {border!r}")
    matrix = jnp.asarray(matrix, jnp.float32)
    if matrix.shape != (3, 3):
        raise ValueError(f"matrix must have shape (3, 3), got {matrix.shape}")
    if values.ndim == 2:
        return resample(
            values[..., None],
            matrix,
            size,
            interpolation=interpolation,
            fill=fill,
            border=border,
            separable=separable,
            where=where,
            fill_name=fill_name,
            fill_frames=fill_frames,
            projective=projective,
        )[..., 0]
    height, width, channels = values.shape
    out_h, out_w = size
    xs = jnp.arange(out_w, dtype=jnp.float32).reshape(1, out_w)
    ys = jnp.arange(out_h, dtype=jnp.float32).reshape(out_h, 1)
    if separable and projective:
        raise ValueError("resample: a projective map is not separable")
    x_in, y_in = _map_points(matrix, xs, ys, separable, projective)
    if fill_frames is None:
        fill_frames = [(matrix, (height, width))]
    frames = [
        (*_map_points(jnp.asarray(m, jnp.float32), xs, ys, separable, projective), frame_size)
        for m, frame_size in fill_frames
    ]
    return sample_points(
        values, x_in, y_in, interpolation=interpolation, fill=fill, border=border, separable=separable,
        where=where, fill_name=fill_name, frames=frames,
    )


def sample_points(
    values: jax.Array,
    x_in: jax.Array,
    y_in: jax.Array,
    *,
    interpolation: str,
    fill: float | Sequence[float],
    border: str,
    separable: bool = False,
    where: str = "resample",
    fill_name: str = "fill",
    frames: Sequence[tuple[jax.Array, jax.Array, tuple[int, int]]] | None = None,
) -> jax.Array:
    """Read (H, W, C) `values` at input points (`x_in`, `y_in`), one per output pixel.

    The core of `resample`, also used directly by maps that are not matrices (elastic). The
    points are (out_h, out_w) arrays, or (1, out_w) and (out_h, 1) with ``separable=True``.
    `frames` are ``(x, y, (h, w))``: where each filling step reads in its own input of size
    (h, w) (default: these points in `values` itself).
    """
    height, width, channels = values.shape
    # A fill is a value of the input (255 is white for uint8, 1.0 for floats), whichever
    # interpolation runs; it is refused if the input's dtype cannot hold it.
    fill_values = _checks.fill_values(where, fill_name, fill, channels, values.dtype)
    if frames is None:
        frames = [(x_in, y_in, (height, width))]

    if interpolation == "nearest":
        xi = _nearest(x_in).astype(jnp.int32)
        yi = _nearest(y_in).astype(jnp.int32)
        inside = jnp.ones((), bool)
        for fx_in, fy_in, (frame_h, frame_w) in frames:
            fxi, fyi = _nearest(fx_in), _nearest(fy_in)
            inside = inside & (fxi >= 0) & (fxi < frame_w) & (fyi >= 0) & (fyi < frame_h)
        xi, yi = jnp.clip(xi, 0, width - 1), jnp.clip(yi, 0, height - 1)
        if separable:
            picked = jnp.take(jnp.take(values, yi[:, 0], axis=0, mode="clip"), xi[0], axis=1, mode="clip")
        else:
            picked = values.reshape(height * width, channels)[yi * width + xi]
        if border == "edge":
            return picked
        fill_array = jnp.asarray(fill_values).astype(values.dtype).reshape(1, 1, channels)
        return jnp.where(inside[..., None], picked, fill_array)

    work = jnp.float64 if values.dtype == jnp.float64 else jnp.float32
    scale = 1.0 / 255.0 if values.dtype == jnp.uint8 else 1.0
    xc = jnp.clip(x_in, 0.0, width - 1.0)
    yc = jnp.clip(y_in, 0.0, height - 1.0)
    x0f, y0f = jnp.floor(xc), jnp.floor(yc)
    fx = (xc - x0f).astype(work)[..., None]
    fy = (yc - y0f).astype(work)[..., None]
    x0, y0 = x0f.astype(jnp.int32), y0f.astype(jnp.int32)
    x1, y1 = jnp.minimum(x0 + 1, width - 1), jnp.minimum(y0 + 1, height - 1)

    if separable:
        # Rows first (out_h gathers of whole rows), then columns (out_w gathers of columns).
        # Indices are already clipped; take's default mode ("fill") would add a bounds test
        # and a select per output value, a third of this path's time.
        def rows(index: jax.Array) -> jax.Array:
            return jnp.take(values, index[:, 0], axis=0, mode="clip").astype(work)

        top_rows = rows(y0)
        blended_rows = top_rows + fy * (rows(y1) - top_rows)  # (out_h, W, C)
        # Columns are gathered as rows of the transpose: each index then moves a whole
        # contiguous (out_h, C) slab instead of C values.
        columns = jnp.swapaxes(blended_rows, 0, 1)  # (W, out_h, C)
        left = jnp.take(columns, x0[0], axis=0, mode="clip")
        blended = left + jnp.swapaxes(fx, 0, 1) * (jnp.take(columns, x1[0], axis=0, mode="clip") - left)
        out = jnp.swapaxes(blended, 0, 1) * scale
    elif values.dtype == jnp.uint8:
        # A general (rotated) gather costs per index, not per byte, so each pixel's 2x2
        # neighbourhood is packed into one uint32 per channel and read with a single index:
        # 2.3x faster for one channel than four reads (benchmarks/README.md).
        edged = jnp.pad(values, ((0, 1), (0, 1), (0, 0)), mode="edge").astype(jnp.uint32)
        packed = (
            edged[:height, :width]
            | (edged[:height, 1:] << 8)
            | (edged[1:, :width] << 16)
            | (edged[1:, 1:] << 24)
        ).reshape(height * width, channels)
        neighbourhood = packed[y0 * width + x0]

        def byte(shift: int) -> jax.Array:
            return ((neighbourhood >> shift) & 255).astype(work)

        top_left, top_right, bottom_left, bottom_right = byte(0), byte(8), byte(16), byte(24)
        top = top_left + fx * (top_right - top_left)
        bottom = bottom_left + fx * (bottom_right - bottom_left)
        out = (top + fy * (bottom - top)) * scale
    else:
        flat = values.reshape(height * width, channels)

        def read(yy: jax.Array, xx: jax.Array) -> jax.Array:
            return flat[yy * width + xx].astype(work)

        top = read(y0, x0) + fx * (read(y0, x1) - read(y0, x0))
        bottom = read(y1, x0) + fx * (read(y1, x1) - read(y1, x0))
        out = (top + fy * (bottom - top)) * scale
    if border == "edge":
        return out
    # Coverage of the sample by the image: 1 inside, 0 a pixel or more outside, a linear
    # ramp between, which is the weight bilinear interpolation gives in-image neighbours.
    coverage = jnp.ones((), jnp.float32)
    for fx_in, fy_in, (frame_h, frame_w) in frames:
        coverage = coverage * (
            jnp.clip(fx_in + 1.0, 0.0, 1.0)
            * jnp.clip(frame_w - fx_in, 0.0, 1.0)
            * jnp.clip(fy_in + 1.0, 0.0, 1.0)
            * jnp.clip(frame_h - fy_in, 0.0, 1.0)
        )
    coverage = jnp.broadcast_to(coverage, jnp.broadcast_shapes(x_in.shape, y_in.shape)).astype(work)[..., None]
    fill_array = jnp.asarray(fill_values, work).reshape(1, 1, channels) * scale
    # Samples wholly outside read nothing from the image (a NaN border pixel stays out).
    return jnp.where(coverage > 0, fill_array + coverage * (out - fill_array), fill_array)


def shift_lines_nearest(
    values: jax.Array,
    matrix: ArrayLike,
    axis: int,
    *,
    fill: float | Sequence[float],
    where: str = "resample",
    fill_name: str = "fill",
    translation: bool = False,
) -> jax.Array:
    """Nearest resample by a map that moves pixels along one axis only: a translation or a
    shear along x (``axis=1``) or y (``axis=0``).

    `matrix` (output -> input) must move only `axis`: for ``axis=1`` it is
    ``[[1, a, b], [0, 1, 0], [0, 0, 1]]``, so output pixel (y, x) reads input (y, x + a * y + b);
    for ``axis=0`` it is ``[[1, 0, 0], [a, 1, b], [0, 0, 1]]``. Each line (a row for ``axis=1``)
    moves by one whole number of pixels, the nearest to ``a * line + b``; pixels read from
    outside take `fill`. The same pixels as ``resample(..., interpolation="nearest")`` for
    these maps (up to float rounding at exact half-pixel ties), at half the cost on XLA's CPU
    backend (issue #13): the read index is one offset per line plus the position, not a 2-D
    coordinate per pixel, and the read is along one axis.

    Args:
      values: (H, W, C) or (H, W) image or mask of any dtype.
      matrix: (3, 3) output -> input map of the form above; may be traced.
      axis: 1 (move along x, one offset per row) or 0 (along y, one offset per column).
      fill: value(s) for pixels read from outside, in the units of `values`.
      translation: static; True promises a = 0 (every line moves the same), so that a move
        along y reads whole rows (1.6x faster than a read per pixel).

    Returns:
      An array of the shape and dtype of `values`.
    """
    if values.ndim == 2:
        return shift_lines_nearest(
            values[..., None], matrix, axis, fill=fill, where=where, fill_name=fill_name, translation=translation
        )[..., 0]
    if axis not in (0, 1):
        raise ValueError(f"shift_lines_nearest: axis must be 0 or 1, got {axis!r}")
    height, width, channels = values.shape
    fill_values = _checks.fill_values(where, fill_name, fill, channels, values.dtype)
    matrix = jnp.asarray(matrix, jnp.float32)
    # Line index along the other axis; the slope and offset of this axis's coordinate.
    lines, length = (height, width) if axis == 1 else (width, height)
    slope, offset = (matrix[0, 1], matrix[0, 2]) if axis == 1 else (matrix[1, 0], matrix[1, 2])
    line = jnp.arange(lines, dtype=jnp.float32)
    shift = _nearest(slope * line + offset).astype(jnp.int32)  # (lines,)
    position = jnp.arange(length, dtype=jnp.int32)
    fill_array = jnp.asarray(fill_values).astype(values.dtype).reshape(1, 1, channels)
    if translation and axis == 0:
        rows = position + shift[0]
        inside_rows = (rows >= 0) & (rows < height)
        picked_rows = values.at[jnp.clip(rows, 0, height - 1)].get(mode="promise_in_bounds")
        return jnp.where(inside_rows[:, None, None], picked_rows, fill_array)
    if axis == 1:
        source = position[None, :] + shift[:, None]  # (H, W)
    else:
        source = position[:, None] + shift[None, :]  # (H, W)
    inside = (source >= 0) & (source < length)
    picked = jnp.take_along_axis(values, jnp.clip(source, 0, length - 1)[..., None], axis=axis, mode="clip")
    return jnp.where(inside[..., None], picked, fill_array)


def _map_points(
    m: jax.Array, xs: jax.Array, ys: jax.Array, separable: bool, projective: bool
) -> tuple[jax.Array, jax.Array]:
    """Input points read by output pixels (xs, ys): (1, W) and (H, 1) for separable maps."""
    if separable:
        return m[0, 0] * xs + m[0, 2], m[1, 1] * ys + m[1, 2]
    x = m[0, 0] * xs + m[0, 1] * ys + m[0, 2]
    y = m[1, 0] * xs + m[1, 1] * ys + m[1, 2]
    if not projective:
        return x, y
    w = m[2, 0] * xs + m[2, 1] * ys + m[2, 2]
    # At or behind the horizon nothing is seen: a point two pixels outside (fill, or the edge).
    # Far points are clipped so that the integer index of a nearest read cannot overflow.
    ahead = w > 0
    safe = jnp.where(ahead, w, 1.0)
    far = float(1 << 20)
    x = jnp.where(ahead, jnp.clip(x / safe, -far, far), -2.0)
    y = jnp.where(ahead, jnp.clip(y / safe, -far, far), -2.0)
    return x, y


def _nearest(position: jax.Array) -> jax.Array:
    """The nearest pixel index; a sample exactly between two pixels takes the higher one.

    Half-pixel ties are common (enlarging 2 -> 7 puts output 3 at input 0.5), and the position
    is off by float rounding that differs between eager and compiled code; without the 1e-4
    the same call picked different pixels eagerly and under jit.
    """
    return jnp.floor(position + (0.5 + 1e-4))


# --- functional ops -------------------------------------------------------------------------


def hflip(image: ArrayLike) -> jax.Array:
    """Mirror left to right.

    Args:
      image: (H, W, C) image of any dtype.

    Returns:
      (H, W, C) image, same dtype: an exact reindexing.

    torchvision: ``horizontal_flip`` / ``hflip``. Runs ``dm_pix.flip_left_right``: the same
    reindexing at the same speed (benchmarks/DM_PIX.md).

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.hflip(jnp.arange(3.0).reshape(1, 3, 1))[0, :, 0]
      Array([2., 1., 0.], dtype=float32)
    """
    image = _checks.as_array(image)
    _checks.check_image("hflip", image)
    return dm_pix.flip_left_right(image)


def vflip(image: ArrayLike) -> jax.Array:
    """Mirror top to bottom.

    Args:
      image: (H, W, C) image of any dtype.

    Returns:
      (H, W, C) image, same dtype.

    torchvision: ``vertical_flip`` / ``vflip``. Runs ``dm_pix.flip_up_down``: the same reindexing
    at the same speed (benchmarks/DM_PIX.md).

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.vflip(jnp.arange(3.0).reshape(3, 1, 1))[:, 0, 0]
      Array([2., 1., 0.], dtype=float32)
    """
    image = _checks.as_array(image)
    _checks.check_image("vflip", image)
    return dm_pix.flip_up_down(image)


def rot90(image: ArrayLike, k: int = 1) -> jax.Array:
    """Turn by k quarter turns counter-clockwise.

    Args:
      image: (H, W, C) image of any dtype.
      k: number of quarter turns (static: odd k swaps H and W).

    Returns:
      (H, W, C) for even k, (W, H, C) for odd k; same dtype.

    torchvision: ``rotate(img, 90 * k)`` on a square image; ``torch.rot90``. Runs
    ``dm_pix.rot90``: the same reindexing at the same speed (benchmarks/DM_PIX.md).

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.rot90(jnp.zeros((2, 5, 1))).shape
      (5, 2, 1)
    """
    image = _checks.as_array(image)
    _checks.check_image("rot90", image)
    if not _checks.is_int(k):
        raise TypeError(f"rot90: k must be a Python int (it can change the shape), got {k!r}")
    return dm_pix.rot90(image, int(k))


def crop(image: ArrayLike, top: ArrayLike, left: ArrayLike, height: int, width: int) -> jax.Array:
    """Cut out ``[top:top+height, left:left+width]``, padding with zeros outside the image.

    Args:
      image: (H, W, C) image of any dtype.
      top, left: corner, finite; may be traced (e.g. drawn per example).
      height, width: static ints; they set the output shape.

    Returns:
      (height, width, C) image, same dtype.

    torchvision: ``crop(img, top, left, height, width)``.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.crop(jnp.zeros((8, 8, 3)), 2, 2, 4, 5).shape
      (4, 5, 3)
    """
    image = _checks.as_array(image)
    _checks.check_image("crop", image)
    height, width = _checks.size_pair("crop", "(height, width)", (height, width))
    _check_finite_values("crop", "top and left", top, left)
    return resample(image, crop_matrix(top, left), (height, width), interpolation="nearest", fill=0.0, border="fill")


def center_crop(image: ArrayLike, output_size: int | Sequence[int]) -> jax.Array:
    """Cut out the centre; pads with zeros when the crop is larger than the image.

    Args:
      image: (H, W, C) image of any dtype.
      output_size: int or (height, width), static.

    Returns:
      (height, width, C) image, same dtype.

    torchvision: ``center_crop(img, output_size)`` (same rounding of the offset).

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.center_crop(jnp.zeros((256, 300, 3)), 224).shape
      (224, 224, 3)
    """
    image = _checks.as_array(image)
    _checks.check_image("center_crop", image)
    out_h, out_w = _checks.size_pair("center_crop", "output_size", output_size)
    top, left = center_crop_offsets(image.shape, (out_h, out_w))
    if 0 <= top and 0 <= left and top + out_h <= image.shape[0] and left + out_w <= image.shape[1]:
        return image[top : top + out_h, left : left + out_w]
    return crop(image, top, left, out_h, out_w)


def center_crop_offsets(shape: Sequence[int], size: tuple[int, int]) -> tuple[int, int]:
    # Python's round (half to even), exactly as torchvision computes it.
    return int(round((shape[0] - size[0]) / 2.0)), int(round((shape[1] - size[1]) / 2.0))


def resize_output_size(shape: Sequence[int], size: int | Sequence[int], where: str = "resize") -> tuple[int, int]:
    """torchvision's rule: an int (or [int]) sets the shorter side and keeps the aspect ratio."""
    height, width = int(shape[0]), int(shape[1])
    if isinstance(size, int) or (isinstance(size, Sequence) and len(size) == 1):
        short = _checks.size_pair(where, "size", size)[0]
        if width <= height:
            return int(short * height / width), short
        return short, int(short * width / height)
    return _checks.size_pair(where, "size", size)


def resize(
    image: ArrayLike,
    size: int | Sequence[int],
    interpolation: str = "bilinear",
    antialias: bool = True,
) -> jax.Array:
    """Resize; an int sets the shorter side and keeps the aspect ratio.

    Args:
      image: (H, W, C) image, uint8 or float.
      size: int (shorter side) or (height, width), static.
      interpolation: "bilinear" or "nearest" (static).
      antialias: low-pass when shrinking, as torchvision v2 and PIL do (static).

    Returns:
      (new_h, new_w, C) float image.

    torchvision: ``resize(img, size, interpolation, antialias=True)``. Built on
    ``jax.image.resize`` (``scale_and_translate``), whose antialiased bilinear filter is the
    same triangle filter.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.resize(jnp.zeros((300, 400, 3)), 256).shape
      (256, 341, 3)
    """
    image = _checks.as_array(image)
    _checks.check_image("resize", image)
    out_h, out_w = resize_output_size(image.shape, size)
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"resize: interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
    if (out_h, out_w) == image.shape[:2]:
        return to_float(image)
    if interpolation == "nearest":
        m = scale_matrix(image.shape[1] / out_w, image.shape[0] / out_h)
        return to_float(resample(image, m, (out_h, out_w), interpolation="nearest", fill=0.0, border="edge"))
    x = to_float(image).astype(jnp.float32)
    shape = (out_h, out_w, image.shape[2])
    if jnp.issubdtype(image.dtype, jnp.floating):
        return _done(_resize_keeping_non_finite_local(x, shape, antialias), image)
    return _done(jax.image.resize(x, shape, method="linear", antialias=antialias), image)


def _resize_keeping_non_finite_local(x: jax.Array, shape: tuple[int, int, int], antialias: bool) -> jax.Array:
    """Confine NaN and inf to the output pixels whose filter reads them.

    ``jax.image.resize`` multiplies by dense weight matrices, so one NaN pixel would turn whole
    rows and columns into NaN (0 * NaN), where torchvision's resize, which sums only the
    filter's taps, keeps it local. The finite part is resized with bad pixels at 0, and a
    one-channel map of bad pixels marks (as NaN) the outputs whose filter touches one: the
    filter's weights are >= 0, so the map is > 0 exactly there.
    """
    finite = jnp.isfinite(x)
    clean = jax.image.resize(jnp.where(finite, x, 0.0), shape, method="linear", antialias=antialias)
    bad = jnp.any(~finite, axis=-1, keepdims=True).astype(x.dtype)
    touched = jax.image.resize(bad, (*shape[:2], 1), method="linear", antialias=antialias) > 0
    return jnp.where(touched, jnp.nan, clean)


def resized_crop(
    image: ArrayLike,
    top: ArrayLike,
    left: ArrayLike,
    height: ArrayLike,
    width: ArrayLike,
    size: int | Sequence[int],
    interpolation: str = "bilinear",
) -> jax.Array:
    """Crop a box and resize it to `size` in one resampling pass.

    Args:
      image: (H, W, C) image, uint8 or float.
      top, left, height, width: the box; all may be traced (only `size` sets the shape).
      size: int or (height, width) of the output, static.
      interpolation: "bilinear" or "nearest" (static).

    Returns:
      (size_h, size_w, C) float image.

    torchvision: ``resized_crop``. Differs in one way: the box is resampled directly with
    bilinear interpolation, without torchvision's antialiasing filter, so that a box drawn per
    example needs no per-example filter; for the usual shrink factors (< 2x) the two agree
    closely, and a preceding ``Resize`` brings large images into that range.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.resized_crop(jnp.zeros((64, 64, 3)), 8, 8, 32, 40, 24).shape
      (24, 24, 3)
    """
    image = _checks.as_array(image)
    _checks.check_image("resized_crop", image)
    size = _checks.size_pair("resized_crop", "size", size)
    _check_finite_values("resized_crop", "top, left, height and width", top, left, height, width)
    h, w, _ = image.shape
    box = [jnp.asarray(v, jnp.float32) for v in (top, left, height, width)]
    # An empty or negative box stretched one row or came out flipped; a box beyond the image
    # would repeat its edge where torchvision's crop pads with zeros.
    _checks.check_values(
        "resized_crop",
        lambda: (box[2] > 0) & (box[3] > 0) & (box[0] >= 0) & (box[1] >= 0) & (box[0] + box[2] <= h) & (box[1] + box[3] <= w),
        f"the box (top, left, height, width) = {(top, left, height, width)!r} must be non-empty and inside the "
        f"{h}x{w} image; pad first (ja.image.pad) to crop beyond it",
        *box,
    )
    m = resized_crop_matrix(top, left, height, width, size)
    return warp_affine(image, m, size, interpolation=interpolation, border="edge")


def rotate(
    image: ArrayLike,
    angle: ArrayLike,
    interpolation: str = "nearest",
    fill: float | Sequence[float] = 0.0,
    center: Sequence[ArrayLike] | None = None,
) -> jax.Array:
    """Rotate counter-clockwise by `angle` degrees about the centre (or `center`), keeping the size.

    Args:
      image: (H, W, C) image, uint8 or float.
      angle: degrees, counter-clockwise; finite; may be traced.
      interpolation: "nearest" (torchvision's default) or "bilinear" (static).
      fill: value, or one per channel, for the corners that come from outside (static).
      center: (x, y) in torchvision's coordinates (pixel i covers [i, i + 1]); None is the
        image centre (width / 2, height / 2). May be traced.

    Returns:
      (H, W, C) float image.

    torchvision: ``rotate(img, angle, interpolation, expand=False, center, fill)``. With bilinear,
    the border pixels blend the image with `fill` by the share of the pixel that lies inside,
    as bilinear interpolation with constant padding does; torchvision attenuates that band a
    second time. Not dm-pix's ``rotate``: it turns the other way (clockwise) and takes radians.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> img = jnp.arange(16.0).reshape(4, 4, 1)
      >>> bool((jaxaug.image.rotate(img, 90.0) == jnp.rot90(img)).all())
      True
    """
    image = _checks.as_array(image)
    _checks.check_image("rotate", image)
    if center is not None:
        center = _xy_pair("rotate", "center", center)
    # A NaN angle would read every pixel from outside: the fill, silently.
    _check_finite_values("rotate", "angle and center", angle, *(center or ()))
    h, w, _ = image.shape
    return warp_affine(image, rotation_matrix(angle, h, w, center), (h, w), interpolation=interpolation, fill=fill)


def _xy_pair(where: str, name: str, value: Any) -> tuple[Any, Any]:
    """An (x, y) pair of numbers or traced scalars."""
    if isinstance(value, (str, bool)) or not (isinstance(value, Sequence) or hasattr(value, "shape")):
        raise TypeError(f"{where}: {name} must be an (x, y) pair, got {value!r}")
    if len(value) != 2:
        raise ValueError(f"{where}: {name} must be an (x, y) pair, got {value!r}")
    return value[0], value[1]


def _shear_pair(where: str, shear: Any) -> tuple[Any, Any]:
    """torchvision's shear forms: a number is (s, 0), [s] is (s, s), (sx, sy) itself."""
    if isinstance(shear, (str, bool)):
        raise TypeError(f"{where}: shear must be a number or an (x, y) pair of degrees, got {shear!r}")
    if isinstance(shear, Sequence) or (hasattr(shear, "shape") and jnp.ndim(shear) == 1):
        if len(shear) == 1:
            return shear[0], shear[0]
        if len(shear) != 2:
            raise ValueError(f"{where}: shear must be a number or an (x, y) pair of degrees, got {shear!r}")
        return shear[0], shear[1]
    return shear, 0.0


def affine(
    image: ArrayLike,
    angle: ArrayLike,
    translate: Sequence[ArrayLike] | ArrayLike,
    scale: ArrayLike,
    shear: ArrayLike | Sequence[ArrayLike],
    interpolation: str = "nearest",
    fill: float | Sequence[float] = 0.0,
    center: Sequence[float] | None = None,
) -> jax.Array:
    """Rotate, scale, shear and translate about a centre in one resample, keeping the size.

    Args:
      image: (H, W, C) image, uint8 or float.
      angle: degrees, *clockwise* on screen, as torchvision's ``affine`` (its ``rotate`` turns
        counter-clockwise: ``affine(img, a, (0, 0), 1, 0) == rotate(img, -a)``); may be traced.
      translate: (x, y) shift in pixels, right and down; may be traced.
      scale: zoom factor > 0; may be traced.
      shear: degrees: a number shears along x, (x, y) along both, [s] is (s, s); may be traced.
      interpolation: "nearest" (torchvision's default) or "bilinear" (static).
      fill: value, or one per channel, for points read from outside; a value of the input
        image (255 is white for uint8) (static).
      center: (x, y) in torchvision's coordinates (pixel i covers [i, i + 1]); None is the
        image centre (width / 2, height / 2). May be traced.

    Returns:
      (H, W, C) float image (float32 for uint8 input).

    torchvision: ``affine(img, angle, translate, scale, shear, interpolation, fill, center)``,
    same matrix. With bilinear the border band is blended with `fill` once by its coverage
    (torchvision attenuates it twice when a fill is given, see ``rotate``); nearest rounds a
    point exactly between two pixels up. dm-pix's ``affine_transform`` takes a raw matrix in
    (row, column) order with scipy's conventions, not these parameters.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> img = jnp.zeros((5, 5, 1)).at[2, 2, 0].set(1.0)
      >>> out = jaxaug.image.affine(img, angle=0.0, translate=(1, -2), scale=1.0, shear=0.0)
      >>> [int(v) for v in jnp.argwhere(out[..., 0] == 1.0)[0]]
      [0, 3]
    """
    image = _checks.as_array(image)
    _checks.check_image("affine", image)
    _check_interpolation("affine", interpolation)
    tx, ty = _xy_pair("affine", "translate", translate)
    shear = _shear_pair("affine", shear)
    if center is not None:
        center = _xy_pair("affine", "center", center)
    _check_finite_values("affine", "angle, translate, scale, shear and center", angle, tx, ty, scale, *shear, *(center or ()))
    scale_array = jnp.asarray(scale)
    _checks.check_values("affine", lambda: jnp.all(scale_array > 0), f"scale must be > 0, got {scale!r}", scale_array)
    h, w, _ = image.shape
    m = affine_matrix(angle, (tx, ty), scale, shear, center, h, w)
    out = resample(image, m, (h, w), interpolation=interpolation, fill=fill, border="fill", where="affine")
    return to_float(out).astype(float_dtype(image.dtype))


def _check_interpolation(where: str, interpolation: str) -> None:
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"{where}: interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")


def _check_finite_values(where: str, names: str, *values: Any) -> None:
    """Raise when a concrete parameter is NaN or infinite (a traced one is checked under ja.checked)."""
    for v in values:
        if isinstance(v, (str, bool, np.bool_)):
            raise TypeError(f"{where}: {names} must be numbers, got {v!r}")
    arrays = [jnp.asarray(v, jnp.float32) for v in values]
    _checks.check_values(
        where,
        lambda: jnp.all(jnp.stack([jnp.all(jnp.isfinite(a)) for a in arrays])),
        f"{names} must be finite, got {values!r}",
        *arrays,
    )
