"""Spatial ops on one (S0, S1, S2, C) volume, and the 3-D resampler they share (MONAI's meanings).

Coordinates are voxel indices along the three spatial axes in array order, voxel centres at
integers. A spatial step is a 4x4 matrix mapping an *output* voxel (i0, i1, i2, 1) to the
*input* point it reads, so neighbouring steps compose by matrix product (the later step's matrix
on the right) and the volume is resampled once. Sampling follows ``torch.grid_sample`` with
``align_corners=False``, as MONAI's ``Resample``: ``"bilinear"`` (trilinear in 3-D) or
``"nearest"``, and padding ``"zeros"``, ``"border"`` or ``"reflection"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxaug import _checks

MODES = ("bilinear", "trilinear", "nearest")
PADDING_MODES = ("zeros", "border", "reflection")
Triple = tuple[int, int, int]


# --- checks -----------------------------------------------------------------------------------


def looks_channels_first(shape: Sequence[int]) -> bool:
    """A (S0, S1, S2, C) shape whose first axis is 1 to 4 and last axis is larger than 4: almost
    surely MONAI's (C, S0, S1, S2). A volume with at most 4 slices along S0 and more than 4
    channels is refused too; none of CT, MRI or PET has more channels than that."""
    return len(shape) == 4 and shape[0] <= 4 and shape[3] > 4


def check_volume(where: str, volume: Any) -> None:
    """Raise unless `volume` is one (S0, S1, S2, C) array of a real dtype, channel last."""
    shape = getattr(volume, "shape", None)
    if shape is None:
        raise TypeError(f"{where}: volume must be an array of shape (S0, S1, S2, C), got {type(volume).__name__}")
    if len(shape) != 4:
        hint = ""
        if len(shape) == 3:
            hint = (
                "; a 2-D image (H, W, C) goes to the 2-D transforms (ja.RandomRotation, ...), and a volume "
                "without a channel axis needs one: volume[..., None]"
            )
        elif len(shape) == 5:
            hint = "; for a batch (N, S0, S1, S2, C) use ja.batch(transform)(key, volumes)"
        raise ValueError(f"{where}: volume must have shape (S0, S1, S2, C), got shape {tuple(shape)}{hint}")
    if min(shape) < 1:
        raise ValueError(f"{where}: volume must be non-empty, got shape {tuple(shape)}")
    if looks_channels_first(shape):
        raise ValueError(
            f"{where}: volume of shape {tuple(shape)} looks channels-first (C, S0, S1, S2), MONAI's layout; "
            f"jaxaug takes (S0, S1, S2, C): pass jnp.moveaxis(volume, 0, -1), shape {(*shape[1:], shape[0])}"
        )
    dtype = jnp.dtype(volume.dtype)
    if not (jnp.issubdtype(dtype, jnp.floating) or jnp.issubdtype(dtype, jnp.integer)):
        raise TypeError(f"{where}: volume dtype must be integer or floating, got {dtype}")


def check_label(where: str, label: Any, volume_shape: Sequence[int]) -> None:
    """Raise unless `label` is an integer (S0, S1, S2) or (S0, S1, S2, 1) volume of the volume's size."""
    shape = getattr(label, "shape", None)
    if shape is None or len(shape) not in (3, 4) or (len(shape) == 4 and shape[3] != 1):
        raise ValueError(f"{where}: label must have shape (S0, S1, S2) or (S0, S1, S2, 1), got {shape}")
    if tuple(shape[:3]) != tuple(volume_shape[:3]):
        raise ValueError(
            f"{where}: label must have the volume's spatial size {tuple(volume_shape[:3])}, got label of shape {tuple(shape)}"
        )
    dtype = jnp.dtype(label.dtype)
    if not (jnp.issubdtype(dtype, jnp.integer) or dtype == jnp.bool_):
        raise TypeError(f"{where}: label must be integer (class ids), got dtype {dtype}; cast it with label.astype(jnp.int32)")


def check_mode(where: str, mode: Any) -> str:
    if mode not in MODES:
        raise ValueError(f"{where}: mode must be one of {MODES}, got {mode!r}")
    return "nearest" if mode == "nearest" else "bilinear"


def check_padding_mode(where: str, padding_mode: Any) -> str:
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"{where}: padding_mode must be one of {PADDING_MODES}, got {padding_mode!r}")
    return padding_mode


def spatial_triple(where: str, name: str, size: Any, shape: Sequence[int] | None = None) -> Triple:
    """Three sizes from an int or three ints; as MONAI, a size <= 0 takes the volume's size
    along that axis (needs `shape`)."""
    if _checks.is_int(size):
        values = (int(size),) * 3
    elif isinstance(size, Sequence) and len(size) == 3 and all(_checks.is_int(s) for s in size):
        values = tuple(int(s) for s in size)
    else:
        raise ValueError(f"{where}: {name} must be an int or three ints (one per spatial axis), got {size!r}")
    if shape is None:
        if min(values) < 1:
            raise ValueError(f"{where}: {name} must be positive, got {size!r}")
        return values  # type: ignore[return-value]
    return tuple(int(shape[a]) if v <= 0 else v for a, v in enumerate(values))  # type: ignore[return-value]


def spacing_triple(where: str, spacing: Any) -> tuple[float, float, float] | None:
    """Voxel spacing (mm along S0, S1, S2), or None for voxel units; finite and > 0."""
    if spacing is None:
        return None
    values = tuple(np.atleast_1d(np.asarray(spacing, dtype=object)).ravel())
    if len(values) == 1:
        values = values * 3
    if len(values) != 3:
        raise ValueError(f"{where}: spacing must be one number or three (mm along S0, S1, S2), got {spacing!r}")
    out = tuple(_checks.check_finite(where, "spacing", v) for v in values)
    if min(out) <= 0:
        raise ValueError(f"{where}: spacing must be > 0, got {spacing!r}")
    return out  # type: ignore[return-value]


def params_vector(where: str, name: str, value: Any, length: int, default: float) -> jax.Array:
    """MONAI's parameter list (a number or a sequence, missing entries take `default`) as a
    float32 vector; concrete values must be finite, traced ones are taken as they are."""
    if value is None:
        return jnp.full((length,), default, jnp.float32)
    _checks.refuse_bools(where, name, value)
    arr = jnp.asarray(value, jnp.float32).reshape(-1)
    if arr.shape[0] > length:
        raise ValueError(f"{where}: {name} must have at most {length} values, got {arr.shape[0]}")
    if not isinstance(arr, jax.core.Tracer) and not bool(jnp.all(jnp.isfinite(arr))):
        raise ValueError(f"{where}: {name} must be finite, got {value!r}")
    if arr.shape[0] < length:
        arr = jnp.concatenate([arr, jnp.full((length - arr.shape[0],), default, jnp.float32)])
    return arr


def out_dtype(dtype: Any) -> Any:
    """Interpolated output: a floating input keeps its dtype, an integer one becomes float32."""
    return dtype if jnp.issubdtype(dtype, jnp.floating) else jnp.float32


# --- matrices (output voxel -> input point) -----------------------------------------------------


def identity_matrix() -> jax.Array:
    return jnp.eye(4, dtype=jnp.float32)


def translation_matrix(t: ArrayLike) -> jax.Array:
    return jnp.eye(4, dtype=jnp.float32).at[:3, 3].set(jnp.asarray(t, jnp.float32))


def diagonal_matrix(d: ArrayLike) -> jax.Array:
    d = jnp.asarray(d, jnp.float32)
    return jnp.diag(jnp.concatenate([d, jnp.ones((1,), jnp.float32)]))


def flip_matrix(flips: ArrayLike, shape: Sequence[int]) -> jax.Array:
    """Mirror the spatial axes where `flips` (three bools, may be traced) is true."""
    flips = jnp.asarray(flips, bool)
    sign = jnp.where(flips, -1.0, 1.0).astype(jnp.float32)
    offset = jnp.where(flips, jnp.asarray(shape[:3], jnp.float32) - 1.0, 0.0)
    return diagonal_matrix(sign).at[:3, 3].set(offset)


def rot90_matrix(k: ArrayLike, spatial_axes: tuple[int, int], shape: Sequence[int]) -> jax.Array:
    """``jnp.rot90(volume, k, axes=spatial_axes)`` as a matrix (the two axes of equal size)."""
    a, b = spatial_axes
    k = jnp.mod(jnp.asarray(k, jnp.int32), 4)
    cos = jnp.array([1.0, 0.0, -1.0, 0.0], jnp.float32)[k]
    sin = jnp.array([0.0, 1.0, 0.0, -1.0], jnp.float32)[k]
    # np.rot90 by one quarter: out[.., i, .., j, ..] = in[.., j, .., n - 1 - i, ..].
    rot = jnp.eye(4, dtype=jnp.float32)
    rot = rot.at[a, a].set(cos).at[a, b].set(sin).at[b, a].set(-sin).at[b, b].set(cos)
    centre = (jnp.asarray(shape[:3], jnp.float32) - 1.0) / 2.0
    return translation_matrix(centre) @ rot @ translation_matrix(-centre)


def rotation_matrix(radians: ArrayLike) -> jax.Array:
    """MONAI's ``create_rotate(3, radians)``: rotations about spatial axes 0, 1, 2 ("XYZ",
    intrinsic), composed ``R0 @ R1 @ R2``."""
    r = jnp.asarray(radians, jnp.float32)
    out = jnp.eye(4, dtype=jnp.float32)
    for axis in range(3):
        c, s = jnp.cos(r[axis]), jnp.sin(r[axis])
        i, j = [(1, 2), (0, 2), (0, 1)][axis]
        sign = -1.0 if axis == 1 else 1.0  # about axis 1 MONAI writes [[c, s], [-s, c]]
        m = jnp.eye(4, dtype=jnp.float32).at[i, i].set(c).at[j, j].set(c).at[i, j].set(-sign * s).at[j, i].set(sign * s)
        out = out @ m
    return out


def shear_matrix(coefs: ArrayLike) -> jax.Array:
    """MONAI's ``create_shear(3, coefs)``: six elementary shears, each pre-multiplied in turn."""
    c = jnp.asarray(coefs, jnp.float32)
    out = jnp.eye(4, dtype=jnp.float32)
    for n, (i, j) in enumerate([(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]):
        out = jnp.eye(4, dtype=jnp.float32).at[i, j].set(c[n]) @ out
    return out


def affine_matrix(
    rotate: ArrayLike,
    shear: ArrayLike,
    translate: ArrayLike,
    scale: ArrayLike,
    in_shape: Sequence[int],
    out_shape: Sequence[int],
    spacing: Sequence[float] | None = None,
) -> jax.Array:
    """MONAI's ``Affine``: the centred output grid mapped by ``R @ Shear @ T @ S``, read at the
    input's centre. With `spacing`, rotation and shear act in millimetres: ``D^-1 R Sh D``, with
    ``D = diag(spacing)``; translation stays in voxels and scale is per axis, as in MONAI."""
    linear = rotation_matrix(rotate) @ shear_matrix(shear)
    if spacing is not None:
        d = jnp.asarray(spacing, jnp.float32)
        linear = diagonal_matrix(1.0 / d) @ linear @ diagonal_matrix(d)
    core = linear @ translation_matrix(translate) @ diagonal_matrix(scale)
    c_in = (jnp.asarray(in_shape[:3], jnp.float32) - 1.0) / 2.0
    c_out = (jnp.asarray(out_shape[:3], jnp.float32) - 1.0) / 2.0
    return translation_matrix(c_in) @ core @ translation_matrix(-c_out)


def crop_matrix(start: ArrayLike) -> jax.Array:
    """Output voxel i reads input voxel ``i + start`` (a negative start pads before)."""
    return translation_matrix(start)


# --- the resampler ------------------------------------------------------------------------------


def _reflect(coord: jax.Array, size: int) -> jax.Array:
    """torch's reflection for ``align_corners=False``: mirror about the volume's outer faces at
    -0.5 and size - 0.5, then keep inside [0, size - 1]."""
    span = float(size)
    x = jnp.abs(coord + 0.5)
    flips = jnp.floor(x / span)
    extra = x - flips * span
    x = jnp.where(jnp.mod(flips, 2.0) == 0, extra, span - extra) - 0.5
    return jnp.clip(x, 0.0, size - 1.0)


def _padded(coord: jax.Array, size: int, padding_mode: str) -> jax.Array:
    if padding_mode == "border":
        return jnp.clip(coord, 0.0, size - 1.0)
    if padding_mode == "reflection":
        return _reflect(coord, size)
    return coord


def _nearest_index(coord: jax.Array) -> jax.Array:
    # Half-voxel ties take the higher voxel; the 1e-4 keeps eager and compiled code on the same
    # side of a tie that float rounding would otherwise split (as the 2-D resampler).
    return jnp.floor(coord + (0.5 + 1e-4)).astype(jnp.int32)


def sample(
    volume: jax.Array,
    coords: Sequence[jax.Array],
    *,
    mode: str,
    padding_mode: str,
) -> jax.Array:
    """Read `volume` (S0, S1, S2, C) at the points `coords` (three arrays of input voxel
    coordinates, broadcastable to the output's spatial shape). ``"nearest"`` keeps the dtype;
    ``"bilinear"`` returns floats (`out_dtype`). NaN and inf stay local: a voxel given weight 0
    is not read."""
    sizes = volume.shape[:3]
    channels = volume.shape[3]
    out_shape = jnp.broadcast_shapes(*(c.shape for c in coords))
    flat = volume.reshape(-1, channels)
    strides = (sizes[1] * sizes[2], sizes[2], 1)
    if mode == "nearest":
        index = jnp.zeros((), jnp.int32)
        valid = jnp.ones((), bool)
        for a in range(3):
            i = _nearest_index(_padded(coords[a].astype(jnp.float32), sizes[a], padding_mode))
            valid = valid & (i >= 0) & (i < sizes[a])
            index = index + jnp.clip(i, 0, sizes[a] - 1) * strides[a]
        picked = flat[jnp.broadcast_to(index, out_shape)]
        if padding_mode == "zeros":
            picked = jnp.where(jnp.broadcast_to(valid, out_shape)[..., None], picked, jnp.zeros((), volume.dtype))
        return picked
    work = jnp.float64 if volume.dtype == jnp.float64 else jnp.float32
    corners = []  # per axis: ((index, weight, valid) for the low and the high neighbour)
    for a in range(3):
        x = _padded(coords[a].astype(jnp.float32), sizes[a], padding_mode)
        low = jnp.floor(x)
        frac = x - low
        low_i = low.astype(jnp.int32)
        # With no weight on the high neighbour, read the low one twice: a NaN there stays out.
        high_i = low_i + (frac > 0).astype(jnp.int32)
        pair = []
        for i, w in ((low_i, 1.0 - frac), (high_i, frac)):
            valid = (i >= 0) & (i < sizes[a])
            pair.append((jnp.clip(i, 0, sizes[a] - 1) * strides[a], w.astype(work), valid))
        corners.append(pair)

    def corner(a0: int, a1: int, a2: int) -> jax.Array:
        (i0, _, v0), (i1, _, v1), (i2, _, v2) = corners[0][a0], corners[1][a1], corners[2][a2]
        value = flat[jnp.broadcast_to(i0 + i1 + i2, out_shape)].astype(work)
        if padding_mode == "zeros":
            value = jnp.where(jnp.broadcast_to(v0 & v1 & v2, out_shape)[..., None], value, 0.0)
        return value

    def weight(a: int, side: int) -> jax.Array:
        return jnp.broadcast_to(corners[a][side][1], out_shape)[..., None]

    # Axis by axis (four lines along axis 2, two planes, then axis 0) rather than eight
    # three-weight products: XLA's CPU loop then does 25% less work (benchmarks/README.md).
    planes = []
    for a0 in range(2):
        rows = [weight(2, 0) * corner(a0, a1, 0) + weight(2, 1) * corner(a0, a1, 1) for a1 in range(2)]
        planes.append(weight(1, 0) * rows[0] + weight(1, 1) * rows[1])
    out = weight(0, 0) * planes[0] + weight(0, 1) * planes[1]
    return out.astype(out_dtype(volume.dtype))


def grid(shape: Sequence[int]) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Output voxel indices along each axis, shaped to broadcast: (n0,1,1), (1,n1,1), (1,1,n2)."""
    return (
        jnp.arange(shape[0], dtype=jnp.float32).reshape(-1, 1, 1),
        jnp.arange(shape[1], dtype=jnp.float32).reshape(1, -1, 1),
        jnp.arange(shape[2], dtype=jnp.float32).reshape(1, 1, -1),
    )


def matrix_coords(matrix: jax.Array, out_spatial: Sequence[int], axis_aligned: bool = False) -> list[jax.Array]:
    """The input points the output grid reads through `matrix`. With `axis_aligned` (the caller
    promises a diagonal linear part) each coordinate depends on its own axis only, which keeps
    the index arrays small."""
    g = grid(out_spatial)
    if axis_aligned:
        return [matrix[a, a] * g[a] + matrix[a, 3] for a in range(3)]
    return [matrix[a, 0] * g[0] + matrix[a, 1] * g[1] + matrix[a, 2] * g[2] + matrix[a, 3] for a in range(3)]


def warp(
    volume: jax.Array,
    label: jax.Array | None,
    matrix: jax.Array,
    out_spatial: Sequence[int],
    *,
    mode: str,
    padding_mode: str,
    axis_aligned: bool = False,
) -> tuple[jax.Array, jax.Array | None]:
    """Resample a volume through one matrix, and its label by nearest with the same padding."""
    coords = matrix_coords(jnp.asarray(matrix, jnp.float32), out_spatial, axis_aligned)
    out = sample(volume, coords, mode=mode, padding_mode=padding_mode)
    if label is None:
        return out, None
    return out, sample_label(label, coords, padding_mode)


def sample_label(label: jax.Array, coords: Sequence[jax.Array], padding_mode: str) -> jax.Array:
    """Nearest sampling of a (S0, S1, S2) or (S0, S1, S2, 1) label; zeros padding gives 0."""
    if label.ndim == 3:
        return sample(label[..., None], coords, mode="nearest", padding_mode=padding_mode)[..., 0]
    return sample(label, coords, mode="nearest", padding_mode=padding_mode)


# --- functional ops -----------------------------------------------------------------------------


def flip(volume: ArrayLike, spatial_axis: int | Sequence[int] | None = None) -> jax.Array:
    """Mirror along spatial axes (all three when None); an exact reindexing.

    Args:
      volume: (S0, S1, S2, C), any real dtype.
      spatial_axis: an axis in 0..2, a sequence of them, or None for all (static).

    Returns:
      (S0, S1, S2, C), same dtype.

    MONAI: ``Flip(spatial_axis)``.

    Example:
      >>> import jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.flip(jnp.arange(3.0).reshape(3, 1, 1, 1), 0)[:, 0, 0, 0]
      Array([2., 1., 0.], dtype=float32)
    """
    volume = _checks.as_array(volume)
    check_volume("flip", volume)
    axes = spatial_axes_tuple("flip", "spatial_axis", spatial_axis)
    return jnp.flip(volume, axis=axes)


def spatial_axes_tuple(where: str, name: str, spatial_axis: Any) -> tuple[int, ...]:
    if spatial_axis is None:
        return (0, 1, 2)
    axes = (spatial_axis,) if _checks.is_int(spatial_axis) else tuple(spatial_axis)
    if not axes or any(not _checks.is_int(a) or not -3 <= a <= 2 for a in axes):
        raise ValueError(f"{where}: {name} must be None, an int in [0, 2] or a sequence of them, got {spatial_axis!r}")
    return tuple(sorted({int(a) % 3 for a in axes}))


def check_plane(where: str, spatial_axes: Any) -> tuple[int, int]:
    axes = tuple(spatial_axes) if isinstance(spatial_axes, Sequence) else ()
    if len(axes) != 2 or any(not _checks.is_int(a) or not -3 <= a <= 2 for a in axes) or axes[0] % 3 == axes[1] % 3:
        raise ValueError(f"{where}: spatial_axes must be two different spatial axes in [0, 2], got {spatial_axes!r}")
    return int(axes[0]) % 3, int(axes[1]) % 3


def rot90(volume: ArrayLike, k: int = 1, spatial_axes: tuple[int, int] = (0, 1)) -> jax.Array:
    """Turn by k quarter turns in the plane of two spatial axes, from the first towards the second.

    Args:
      volume: (S0, S1, S2, C), any real dtype.
      k: number of quarter turns (static: odd k swaps the two axes' sizes).
      spatial_axes: the plane, two spatial axes (static).

    Returns:
      The turned volume, same dtype; exact.

    MONAI: ``Rotate90(k, spatial_axes)``.

    Example:
      >>> import jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.rot90(jnp.zeros((2, 5, 3, 1)), 1, (0, 1)).shape
      (5, 2, 3, 1)
    """
    volume = _checks.as_array(volume)
    check_volume("rot90", volume)
    if not _checks.is_int(k):
        raise TypeError(f"rot90: k must be a Python int (it can change the shape), got {k!r}")
    return jnp.rot90(volume, k=int(k), axes=check_plane("rot90", spatial_axes))


def affine(
    volume: ArrayLike,
    rotate: ArrayLike | None = None,
    shear: ArrayLike | None = None,
    translate: ArrayLike | None = None,
    scale: ArrayLike | None = None,
    *,
    mode: str = "bilinear",
    padding_mode: str = "reflection",
    spacing: Sequence[float] | None = None,
    spatial_size: int | Sequence[int] | None = None,
) -> jax.Array:
    """Rotate, shear, translate and scale about the volume's centre, resampled once.

    Args:
      volume: (S0, S1, S2, C), any real dtype.
      rotate: radians about spatial axes 0, 1, 2 (composed as MONAI's ``create_rotate``); fewer
        values leave the rest 0. May be traced.
      shear: up to six shear factors, MONAI's order. May be traced.
      translate: voxels along each spatial axis. May be traced.
      scale: factor per spatial axis (1 is no change; > 1 reads a larger region, so the content
        shrinks, as in MONAI). May be traced.
      mode: "bilinear" (trilinear; "trilinear" is accepted) or "nearest" (static).
      padding_mode: "zeros", "border" or "reflection" (static), as ``grid_sample``.
      spacing: voxel size in mm per spatial axis (static); rotation and shear then act in
        millimetres, so a sphere stays a sphere on an anisotropic grid. None: voxel units (MONAI).
      spatial_size: output spatial size (static; default the input's, <= 0 keeps that axis).

    Returns:
      ``(*spatial_size, C)``: floats for "bilinear" (float32 for integer input), the input dtype for
      "nearest".

    MONAI: ``Affine(rotate_params, shear_params, translate_params, scale_params, spatial_size,
    mode, padding_mode)`` with ``align_corners=False``.

    Example:
      >>> import jax.numpy as jnp, jaxaug as ja
      >>> v = jnp.arange(24.0).reshape(2, 3, 4, 1)
      >>> bool(jnp.allclose(ja.volume.affine(v), v))
      True
    """
    volume = _checks.as_array(volume)
    check_volume("affine", volume)
    mode = check_mode("affine", mode)
    padding_mode = check_padding_mode("affine", padding_mode)
    spacing = spacing_triple("affine", spacing)
    out_spatial = volume.shape[:3] if spatial_size is None else spatial_triple("affine", "spatial_size", spatial_size, volume.shape)
    m = affine_matrix(
        params_vector("affine", "rotate", rotate, 3, 0.0),
        params_vector("affine", "shear", shear, 6, 0.0),
        params_vector("affine", "translate", translate, 3, 0.0),
        params_vector("affine", "scale", scale, 3, 1.0),
        volume.shape,
        out_spatial,
        spacing,
    )
    return warp(volume, None, m, out_spatial, mode=mode, padding_mode=padding_mode)[0]


def resize_coords(in_size: int, out_size: int, mode: str = "bilinear") -> jax.Array:
    """torch ``interpolate`` (align_corners=False): where output i reads. Linear modes use
    half-voxel centres; "nearest" is torch's legacy nearest, ``floor(i * in / out)``."""
    i = jnp.arange(out_size, dtype=jnp.float32)
    if mode == "nearest":
        return jnp.floor(i * (in_size / out_size))
    return (i + 0.5) * (in_size / out_size) - 0.5


def axis_coords(coords: Sequence[jax.Array]) -> list[jax.Array]:
    shapes = [(-1, 1, 1), (1, -1, 1), (1, 1, -1)]
    return [c.reshape(s) for c, s in zip(coords, shapes)]


def resize(volume: ArrayLike, spatial_size: int | Sequence[int], mode: str = "trilinear") -> jax.Array:
    """Resize to a static spatial size.

    Args:
      volume: (S0, S1, S2, C), any real dtype.
      spatial_size: an int or three ints (static); a size <= 0 keeps that axis, as MONAI.
      mode: "trilinear" ("bilinear" is accepted) or "nearest" (static). MONAI's default "area"
        is not implemented; shrinking by more than 2x aliases, as MONAI's trilinear does.

    Returns:
      ``(*spatial_size, C)``: floats for "trilinear" (float32 for integer input), the input dtype
      for "nearest".

    MONAI: ``Resize(spatial_size, mode="trilinear")`` (``align_corners=None``,
    ``anti_aliasing=False``); "nearest" picks the voxel whose centre is nearest, where torch's
    legacy "nearest" floors.

    Example:
      >>> import jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.resize(jnp.zeros((8, 8, 4, 1)), (4, 6, -1)).shape
      (4, 6, 4, 1)
    """
    volume = _checks.as_array(volume)
    check_volume("resize", volume)
    mode = check_mode("resize", mode)
    out = spatial_triple("resize", "spatial_size", spatial_size, volume.shape)
    coords = axis_coords([resize_coords(volume.shape[a], out[a], mode) for a in range(3)])
    return sample(volume, coords, mode=mode, padding_mode="border")


def zoom_coords(in_size: int, factor: jax.Array, mode: str = "bilinear") -> jax.Array:
    """MONAI's ``Zoom`` with ``keep_size=True`` along one axis: interpolate to
    ``floor(size * factor)`` voxels, then pad symmetrically with the edge or crop the centre back
    to `in_size`. Returns where each output voxel reads the input. `factor` may be traced."""
    zoomed = jnp.floor(in_size * factor + 1e-4)
    diff = in_size - zoomed
    # SpatialPad puts diff // 2 before; CenterSpatialCrop starts at zoomed // 2 - in_size // 2.
    offset = jnp.where(diff >= 0, -jnp.floor(diff / 2.0), jnp.floor(zoomed / 2.0) - in_size // 2)
    zoomed_index = jnp.clip(jnp.arange(in_size, dtype=jnp.float32) + offset, 0.0, zoomed - 1.0)
    if mode == "nearest":
        return jnp.floor(zoomed_index * (in_size / zoomed))
    return (zoomed_index + 0.5) * (in_size / zoomed) - 0.5


def zoom(volume: ArrayLike, zoom: ArrayLike, mode: str = "trilinear") -> jax.Array:
    """Zoom about the centre, keeping the size (edge-padded when zooming out).

    Args:
      volume: (S0, S1, S2, C), any real dtype.
      zoom: one factor or one per spatial axis (> 1 enlarges); may be traced.
      mode: "trilinear" ("bilinear" accepted) or "nearest" (static).

    Returns:
      (S0, S1, S2, C): floats for "trilinear" (float32 for integer input), the input dtype for
      "nearest".

    MONAI: ``Zoom(zoom, mode="trilinear", padding_mode="edge", keep_size=True)``; its default
    mode "area" is not implemented.

    Example:
      >>> import jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.zoom(jnp.zeros((8, 8, 4, 1)), 1.5).shape
      (8, 8, 4, 1)
    """
    volume = _checks.as_array(volume)
    check_volume("zoom", volume)
    mode = check_mode("zoom", mode)
    factors = zoom_factors("zoom", zoom)
    coords = axis_coords([zoom_coords(volume.shape[a], factors[a], mode) for a in range(3)])
    return sample(volume, coords, mode=mode, padding_mode="border")


def zoom_factors(where: str, zoom: ArrayLike) -> jax.Array:
    _checks.refuse_bools(where, "zoom", zoom)  # True == 1 would return the volume unchanged
    factors = jnp.asarray(zoom, jnp.float32).reshape(-1)
    if factors.shape[0] == 1:
        factors = jnp.broadcast_to(factors, (3,))
    if factors.shape[0] != 3:
        raise ValueError(f"{where}: zoom must be one factor or three (one per spatial axis), got {factors.shape[0]}")
    if not isinstance(factors, jax.core.Tracer) and not bool(jnp.all(jnp.isfinite(factors) & (factors > 0))):
        raise ValueError(f"{where}: zoom must be finite and > 0, got {zoom!r}")
    return factors


def pad_widths(shape: Sequence[int], spatial_size: Triple, method: str) -> list[tuple[int, int]]:
    """MONAI's ``SpatialPad``: pad each axis up to `spatial_size` (never crop); "symmetric" puts
    ``diff // 2`` before, "end" puts everything after."""
    widths = []
    for a in range(3):
        diff = max(spatial_size[a] - shape[a], 0)
        before = diff // 2 if method == "symmetric" else 0
        widths.append((before, diff - before))
    return widths


PAD_MODES = ("constant", "edge", "reflect", "symmetric")


def spatial_pad(
    volume: ArrayLike,
    spatial_size: int | Sequence[int],
    method: str = "symmetric",
    mode: str = "constant",
    value: float = 0.0,
) -> jax.Array:
    """Pad each spatial axis up to `spatial_size` (axes already as large are left alone).

    Args:
      volume: (S0, S1, S2, C), any real dtype.
      spatial_size: an int or three ints (static); a size <= 0 keeps that axis.
      method: "symmetric" (``diff // 2`` before) or "end" (static).
      mode: "constant", "edge", "reflect" or "symmetric", as ``numpy.pad`` (static).
      value: the constant for "constant" (static), a value the dtype holds.

    Returns:
      The padded volume, same dtype.

    MONAI: ``SpatialPad(spatial_size, method="symmetric", mode="constant")``.

    Example:
      >>> import jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.spatial_pad(jnp.zeros((5, 8, 3, 1)), (8, 8, 6)).shape
      (8, 8, 6, 1)
    """
    volume = _checks.as_array(volume)
    check_volume("spatial_pad", volume)
    size = spatial_triple("spatial_pad", "spatial_size", spatial_size, volume.shape)
    if method not in ("symmetric", "end"):
        raise ValueError(f"spatial_pad: method must be 'symmetric' or 'end', got {method!r}")
    if mode not in PAD_MODES:
        raise ValueError(f"spatial_pad: mode must be one of {PAD_MODES}, got {mode!r}")
    widths = pad_widths(volume.shape, size, method) + [(0, 0)]
    if mode == "constant":
        fill = _checks.fill_values("spatial_pad", "value", value, 1, volume.dtype)[0]
        return jnp.pad(volume, widths, mode="constant", constant_values=jnp.asarray(fill).astype(volume.dtype))
    return jnp.pad(volume, widths, mode=mode)


def center_crop_start(shape: Sequence[int], roi: Triple) -> Triple:
    """MONAI's ``CenterSpatialCrop``: start at ``size // 2 - roi // 2`` (a roi larger than the
    axis keeps the whole axis)."""
    return tuple(max(shape[a] // 2 - min(roi[a], shape[a]) // 2, 0) for a in range(3))  # type: ignore[return-value]


def center_spatial_crop(volume: ArrayLike, roi_size: int | Sequence[int]) -> jax.Array:
    """Cut out the centre; an axis smaller than the roi is kept whole, as MONAI.

    Args:
      volume: (S0, S1, S2, C), any real dtype.
      roi_size: an int or three ints (static); a size <= 0 keeps that axis.

    Returns:
      (min(roi, S0), min(roi, S1), min(roi, S2), C), same dtype.

    MONAI: ``CenterSpatialCrop(roi_size)``.

    Example:
      >>> import jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.center_spatial_crop(jnp.zeros((10, 12, 9, 1)), (4, 6, 20)).shape
      (4, 6, 9, 1)
    """
    volume = _checks.as_array(volume)
    check_volume("center_spatial_crop", volume)
    roi = spatial_triple("center_spatial_crop", "roi_size", roi_size, volume.shape)
    start = center_crop_start(volume.shape, roi)
    size = [min(roi[a], volume.shape[a]) for a in range(3)]
    return volume[start[0] : start[0] + size[0], start[1] : start[1] + size[1], start[2] : start[2] + size[2]]


def gaussian_smooth(field: jax.Array, sigma: jax.Array, radius: Triple) -> jax.Array:
    """Separable Gaussian smoothing of a (S0, S1, S2, K) field with per-axis `sigma` (voxels,
    may be traced), truncated at a static `radius` per axis; zero-padded at the faces."""
    for a in range(3):
        r = radius[a]
        if r == 0:
            continue
        x = jnp.arange(-r, r + 1, dtype=jnp.float32)
        kernel = jnp.exp(-0.5 * (x / jnp.maximum(sigma[a], 1e-6)) ** 2)
        kernel = kernel / jnp.sum(kernel)
        moved = jnp.moveaxis(field, a, -1)
        rows = moved.reshape(-1, 1, moved.shape[-1])
        # One 1-D convolution over all rows (zero padding at the faces, as MONAI's filter).
        out = jax.lax.conv_general_dilated(rows, kernel.reshape(1, 1, -1), (1,), [(r, r)]).reshape(moved.shape)
        field = jnp.moveaxis(out, -1, a)
    return field


def elastic(
    volume: ArrayLike,
    offsets: ArrayLike,
    sigma: ArrayLike,
    magnitude: ArrayLike,
    *,
    mode: str = "bilinear",
    padding_mode: str = "reflection",
    spacing: Sequence[float] | None = None,
    max_sigma: float | None = None,
) -> jax.Array:
    """Deform by a smooth random displacement field: `offsets` smoothed by a Gaussian of
    `sigma`, times `magnitude`, added to each voxel's position.

    Args:
      volume: (S0, S1, S2, C), any real dtype.
      offsets: (S0, S1, S2, 3) raw offsets, MONAI draws them uniform in [-1, 1]. May be traced.
      sigma: Gaussian width (voxels, or mm with `spacing`); may be traced.
      magnitude: displacement scale (voxels, or mm with `spacing`); may be traced.
      mode: "bilinear" or "nearest"; padding_mode: "zeros", "border" or "reflection" (static).
      spacing: voxel size in mm per axis (static); None: voxel units, as MONAI.
      max_sigma: the largest sigma the call may get (static; sets the kernel's 3-sigma
        radius). Default: `sigma`, which must then be a number.

    Returns:
      (S0, S1, S2, C): floats for "bilinear", the input dtype for "nearest".

    MONAI: ``Rand3DElastic``'s deformation for drawn ``rand_offset``, ``sigma``, ``magnitude``
    (its smoothing uses a sampled-erf kernel, here a sampled Gaussian: same width).

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> offsets = jax.random.uniform(jax.random.key(0), (8, 8, 8, 3), minval=-1, maxval=1)
      >>> ja.volume.elastic(jnp.zeros((8, 8, 8, 1)), offsets, sigma=2.0, magnitude=1.0).shape
      (8, 8, 8, 1)
    """
    volume = _checks.as_array(volume)
    check_volume("elastic", volume)
    mode = check_mode("elastic", mode)
    padding_mode = check_padding_mode("elastic", padding_mode)
    spacing = spacing_triple("elastic", spacing)
    offsets = jnp.asarray(offsets, jnp.float32)
    if offsets.shape != (*volume.shape[:3], 3):
        raise ValueError(f"elastic: offsets must have shape {(*volume.shape[:3], 3)}, got {offsets.shape}")
    if max_sigma is None:
        max_sigma = _checks.check_nonnegative("elastic", "sigma", sigma)
    else:
        max_sigma = _checks.check_nonnegative("elastic", "max_sigma", max_sigma)
        if not isinstance(sigma, jax.core.Tracer) and _checks.check_nonnegative("elastic", "sigma", sigma) > max_sigma:
            raise ValueError(f"elastic: sigma {sigma} exceeds max_sigma {max_sigma}; raise max_sigma (it sizes the kernel)")
    magnitude_array = jnp.asarray(magnitude, jnp.float32)
    # A NaN or infinite magnitude made every displacement, and so every voxel, NaN.
    _checks.check_values("elastic", lambda: jnp.all(jnp.isfinite(magnitude_array)), f"magnitude must be finite, got {magnitude!r}", magnitude_array)
    coords = elastic_coords(offsets, sigma, magnitude, volume.shape, spacing, max_sigma, identity_matrix())
    return sample(volume, coords, mode=mode, padding_mode=padding_mode)


def elastic_coords(
    offsets: jax.Array,
    sigma: ArrayLike,
    magnitude: ArrayLike,
    shape: Sequence[int],
    spacing: Sequence[float] | None,
    max_sigma: float,
    matrix: jax.Array,
) -> list[jax.Array]:
    """Where each voxel reads: MONAI's Rand3DElastic grid (centred voxel grid plus the smoothed
    offsets, then the affine `matrix`, output voxel -> input point)."""
    d = np.ones(3) if spacing is None else np.asarray(spacing, np.float64)
    sigma_vox = jnp.asarray(sigma, jnp.float32) / jnp.asarray(d, jnp.float32)
    radius = tuple(int(math.ceil(3.0 * max_sigma / d[a])) for a in range(3))
    radius = tuple(min(r, shape[a] - 1) for a, r in enumerate(radius))
    smooth = gaussian_smooth(offsets, sigma_vox, radius)  # type: ignore[arg-type]
    displacement = smooth * (jnp.asarray(magnitude, jnp.float32) / jnp.asarray(d, jnp.float32)).reshape(1, 1, 1, 3)
    g = grid(shape)
    points = [jnp.broadcast_to(g[a], shape[:3]) + displacement[..., a] for a in range(3)]
    m = jnp.asarray(matrix, jnp.float32)
    return [m[a, 0] * points[0] + m[a, 1] * points[1] + m[a, 2] * points[2] + m[a, 3] for a in range(3)]
