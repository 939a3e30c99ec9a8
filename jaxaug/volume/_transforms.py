"""Random spatial volume transforms named and defaulted like MONAI's array transforms, and the
volume Compose that resamples neighbouring spatial steps once.

Each is a frozen dataclass called as ``t(key, volume)`` or ``t(key, volume, label)`` on one
(S0, S1, S2, C) volume; ``ja.batch(t)`` takes (N, S0, S1, S2, C). MONAI's ``prob`` is the
probability of applying a step; the apply-or-not draw and the magnitudes come from separate keys.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxaug import _checks
from jaxaug._base import Shape, Transform, split_key, uniform_vector
from jaxaug.volume import _spatial as S


def _freeze(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


class VolumeTransform(Transform):
    """Base of the volume transforms: one (S0, S1, S2, C) volume and an optional integer label
    (S0, S1, S2) or (S0, S1, S2, 1), which follows every spatial step by nearest sampling.

    Subclasses define ``sample(key, shape)``, ``apply_pair(params, volume, label)`` and, when
    the shape changes, ``output_shape(shape)``; the checks of volume, label and key are here.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> isinstance(ja.volume.RandFlip(), ja.volume.VolumeTransform)
      True
    """

    is_volume = True
    accepts_physical_units = True
    # Steps that return several patches per volume (RandCropByPosNegLabel) set this: their
    # output gains a leading (num_samples,) axis and later Compose steps run per patch.
    multi_sample = False

    def apply(self, params: Any, volume: ArrayLike, label: ArrayLike | None = None) -> Any:
        """Apply drawn `params`: returns the volume, or ``(volume, label)`` when a label is given."""
        name = type(self).__name__
        volume = jnp.asarray(volume)
        S.check_volume(name, volume)
        if label is not None:
            label = jnp.asarray(label)
            S.check_label(name, label, volume.shape)
        out, out_label = self.apply_pair(params, volume, label)
        return out if label is None else (out, out_label)

    def __call__(self, key: jax.Array, volume: ArrayLike, label: ArrayLike | None = None) -> Any:
        """Draw parameters from `key` and apply them: returns the volume, or ``(volume, label)``."""
        name = type(self).__name__
        _checks.check_key(name, key)
        volume = jnp.asarray(volume)
        S.check_volume(name, volume)
        return self.apply(self.sample(key, volume.shape), volume, label)


class SpatialTransform(VolumeTransform):
    """A volume transform defined by a 4x4 matrix (output voxel -> input point).

    `mode` is "bilinear" or "nearest", or None for exact index maps (flips, quarter turns,
    crops), which keep the dtype; `padding_mode` is "zeros", "border" or "reflection", or None
    for maps that never read outside the input.

    Example:
      >>> import jax, jaxaug as ja
      >>> ja.volume.RandFlip(prob=1.0, spatial_axis=0).matrix(ja.volume.RandFlip(prob=1.0, spatial_axis=0).sample(jax.random.key(0), (4, 5, 6, 1)), (4, 5, 6, 1))[0]
      Array([-1.,  0.,  0.,  3.], dtype=float32)
    """

    is_geometric = True
    axis_aligned = False
    mode: Any = None
    padding_mode: Any = None

    def matrix(self, params: Any, shape: Shape) -> jax.Array:
        raise NotImplementedError

    def fuses(self, shape: Shape) -> bool:
        return True

    def apply_pair(self, params: Any, volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        return S.warp(
            volume,
            label,
            self.matrix(params, volume.shape),
            self.output_shape(volume.shape)[:3],
            mode=self.mode or "nearest",
            padding_mode=self.padding_mode or "zeros",
            axis_aligned=self.axis_aligned,
        )


def _check_prob(where: str, prob: Any) -> float:
    return _checks.check_probability(where, "prob", prob)


def _rand_ranges(where: str, name: str, value: Any, length: int) -> tuple[tuple[float, float], ...]:
    """MONAI's RandRange as (min, max) pairs, one per parameter: a number x is (-x, x) for the
    first parameter only (MONAI's rule); a sequence gives one entry per parameter, each a number
    x (-x, x) or a (min, max) pair."""
    if value is None:
        return ()
    entries = [value] if _checks.is_number(value) else list(value) if isinstance(value, Sequence) and not isinstance(value, str) else None
    if entries is None or len(entries) > length:
        raise ValueError(f"{where}: {name} must be a number or up to {length} numbers or (min, max) pairs, got {value!r}")
    out = []
    for entry in entries:
        if entry is None:
            raise ValueError(f"{where}: {name} entries must be numbers or (min, max) pairs, got None in {value!r}; use 0 for no change")
        if _checks.is_number(entry):
            x = _checks.check_finite(where, name, entry)
            out.append((-abs(x), abs(x)))
        else:
            out.append(_checks.check_range(where, name, entry))
    return tuple(out)


def _draw(key: jax.Array, ranges: tuple[tuple[float, float], ...], length: int, default: float) -> jax.Array:
    """One uniform draw per range (pairs to `length` with `default`), from one key."""
    if not ranges:
        return jnp.full((length,), default, jnp.float32)
    u = uniform_vector(key, len(ranges))
    lo = jnp.asarray([r[0] for r in ranges], jnp.float32)
    hi = jnp.asarray([r[1] for r in ranges], jnp.float32)
    drawn = lo + u * (hi - lo)
    return jnp.concatenate([drawn, jnp.full((length - len(ranges),), default, jnp.float32)])


def _check_mode(where: str, mode: Any) -> str:
    S.check_mode(where, mode)
    return mode


# --- flips and quarter turns ---------------------------------------------------------------------


class Flips(NamedTuple):
    """Which spatial axes a drawn flip mirrors."""

    flips: jax.Array


@dataclass(frozen=True)
class RandFlip(SpatialTransform):
    """Mirror along the given spatial axes (all three when None) with probability `prob`.

    Shapes: (S0, S1, S2, C) -> same, same dtype (exact); `spatial_axis` is static.
    MONAI: ``RandFlip(prob=0.1, spatial_axis=None)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.RandFlip(prob=1.0, spatial_axis=0)(jax.random.key(0), jnp.zeros((8, 8, 6, 1))).shape
      (8, 8, 6, 1)
    """

    axis_aligned = True

    prob: float = 0.1
    spatial_axis: int | Sequence[int] | None = None

    def __post_init__(self) -> None:
        _freeze(self, "prob", _check_prob("RandFlip", self.prob))
        axes = S.spatial_axes_tuple("RandFlip", "spatial_axis", self.spatial_axis)
        _freeze(self, "spatial_axis", None if self.spatial_axis is None else axes)

    def sample(self, key: jax.Array, shape: Shape) -> Flips:
        axes = S.spatial_axes_tuple("RandFlip", "spatial_axis", self.spatial_axis)
        apply = _checks.bernoulli(key, self.prob)
        return Flips(apply & jnp.asarray([a in axes for a in range(3)]))

    def matrix(self, params: Flips, shape: Shape) -> jax.Array:
        return S.flip_matrix(params.flips, shape)


@dataclass(frozen=True)
class RandAxisFlip(SpatialTransform):
    """Mirror along one spatial axis picked at random, with probability `prob`.

    Shapes: (S0, S1, S2, C) -> same, same dtype (exact).
    MONAI: ``RandAxisFlip(prob=0.1)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.RandAxisFlip(prob=1.0)(jax.random.key(0), jnp.zeros((8, 8, 6, 1))).shape
      (8, 8, 6, 1)
    """

    axis_aligned = True

    prob: float = 0.1

    def __post_init__(self) -> None:
        _freeze(self, "prob", _check_prob("RandAxisFlip", self.prob))

    def sample(self, key: jax.Array, shape: Shape) -> Flips:
        k_apply, k_axis = split_key(key, 2)
        axis = jax.random.randint(k_axis, (), 0, 3)
        return Flips(_checks.bernoulli(k_apply, self.prob) & (jnp.arange(3) == axis))

    def matrix(self, params: Flips, shape: Shape) -> jax.Array:
        return S.flip_matrix(params.flips, shape)


class QuarterTurns(NamedTuple):
    """How many quarter turns a drawn RandRotate90 makes (0 when not applied)."""

    k: jax.Array


@dataclass(frozen=True)
class RandRotate90(SpatialTransform):
    """With probability `prob`, turn by k quarter turns (k uniform in 1..max_k) in a plane.

    Shapes: (S0, S1, S2, C) -> same, same dtype (exact); `max_k` and `spatial_axes` are static,
    and the two axes must have the same size (an odd k would swap them, and shapes are static).
    MONAI: ``RandRotate90(prob=0.1, max_k=3, spatial_axes=(0, 1))``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.RandRotate90(prob=1.0)(jax.random.key(0), jnp.zeros((8, 8, 6, 1))).shape
      (8, 8, 6, 1)
    """

    prob: float = 0.1
    max_k: int = 3
    spatial_axes: tuple[int, int] = (0, 1)

    def __post_init__(self) -> None:
        _freeze(self, "prob", _check_prob("RandRotate90", self.prob))
        if not _checks.is_int(self.max_k) or self.max_k < 1:
            raise ValueError(f"RandRotate90: max_k must be an int >= 1, got {self.max_k!r}")
        _freeze(self, "spatial_axes", S.check_plane("RandRotate90", self.spatial_axes))

    def output_shape(self, shape: Shape) -> Shape:
        a, b = self.spatial_axes
        if shape[a] != shape[b]:
            raise ValueError(
                f"RandRotate90: spatial axes {self.spatial_axes} must have the same size for a static output "
                f"shape, got a volume of shape {tuple(shape)}; crop or pad them to equal size first"
            )
        return tuple(shape)

    def sample(self, key: jax.Array, shape: Shape) -> QuarterTurns:
        u = uniform_vector(key, 2)  # apply or not, and k: independent elements of one draw
        k = 1 + jnp.minimum(jnp.floor(u[1] * self.max_k), self.max_k - 1).astype(jnp.int32)
        return QuarterTurns(jnp.where(u[0] < jnp.asarray(self.prob, jnp.float32), k, 0))

    def matrix(self, params: QuarterTurns, shape: Shape) -> jax.Array:
        self.output_shape(shape)
        return S.rot90_matrix(params.k, self.spatial_axes, shape)


# --- rotation, zoom, affine, elastic -------------------------------------------------------------


class AffineParams(NamedTuple):
    """A drawn affine: MONAI's rotate (radians), shear, translate (voxels) and scale factors."""

    rotate: jax.Array
    shear: jax.Array
    translate: jax.Array
    scale: jax.Array


def _affine_when(apply: jax.Array, p: AffineParams) -> AffineParams:
    """`p` where applied, the identity's parameters where not."""
    return AffineParams(
        jnp.where(apply, p.rotate, 0.0),
        jnp.where(apply, p.shear, 0.0),
        jnp.where(apply, p.translate, 0.0),
        jnp.where(apply, p.scale, 1.0),
    )


def _check_affine_fields(t: Any) -> None:
    """RandAffine's and Rand3DElastic's shared fields, checked and frozen as plain data."""
    where = type(t).__name__
    _freeze(t, "prob", _check_prob(where, t.prob))
    for name, length in (("rotate_range", 3), ("shear_range", 6), ("translate_range", 3), ("scale_range", 3)):
        _freeze(t, name, _rand_ranges(where, name, getattr(t, name), length))
    if t.spatial_size is not None:
        S.spatial_triple(where, "spatial_size", t.spatial_size, (1, 1, 1))
        if isinstance(t.spatial_size, Sequence):
            _freeze(t, "spatial_size", tuple(t.spatial_size))
    _check_mode(where, t.mode)
    S.check_padding_mode(where, t.padding_mode)
    _freeze(t, "spacing", S.spacing_triple(where, t.spacing))


def _affine_output_shape(t: Any, shape: Shape) -> Shape:
    if t.spatial_size is None:
        return tuple(shape)
    return (*S.spatial_triple(type(t).__name__, "spatial_size", t.spatial_size, shape), shape[3])


def _draw_affine(t: Any, u: jax.Array) -> AffineParams:
    """All fifteen parameters from fifteen uniforms in [0, 1) (drawn at once: each separate
    random-bits kernel adds compile time under vmap); unset ranges keep the identity's values."""
    ranges = []
    for name, length in (("rotate_range", 3), ("shear_range", 6), ("translate_range", 3), ("scale_range", 3)):
        given = getattr(t, name)
        ranges.extend(given + ((0.0, 0.0),) * (length - len(given)))
    lo = jnp.asarray([r[0] for r in ranges], jnp.float32)
    hi = jnp.asarray([r[1] for r in ranges], jnp.float32)
    drawn = lo + u * (hi - lo)
    return AffineParams(drawn[:3], drawn[3:9], drawn[9:12], 1.0 + drawn[12:])


@dataclass(frozen=True)
class RandRotate(SpatialTransform):
    """With probability `prob`, rotate about the centre by angles drawn about each spatial axis.

    `range_x`, `range_y`, `range_z` are radians about spatial axes 0, 1, 2 (MONAI's names): a
    number x draws from (-x, x), a pair from (min, max). With `spacing` (mm per axis) the
    rotation is a rotation in millimetres on an anisotropic grid.
    Shapes: (S0, S1, S2, C) -> same, float (float32 for integer input) for "bilinear", same
    dtype for "nearest"; `mode`, `padding_mode`, `spacing` are static.
    MONAI: ``RandRotate(range_x=0.0, range_y=0.0, range_z=0.0, prob=0.1, keep_size=True,
    mode="bilinear", padding_mode="border")``; only ``keep_size=True`` (static shapes).

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> t = ja.volume.RandRotate(range_x=0.3, prob=1.0, spacing=(2.5, 0.8, 0.8))
      >>> t(jax.random.key(0), jnp.zeros((8, 8, 6, 1))).shape
      (8, 8, 6, 1)
    """

    range_x: float | Sequence[float] = 0.0
    range_y: float | Sequence[float] = 0.0
    range_z: float | Sequence[float] = 0.0
    prob: float = 0.1
    keep_size: bool = True
    mode: str = "bilinear"
    padding_mode: str = "border"
    spacing: Sequence[float] | None = None

    def __post_init__(self) -> None:
        where = "RandRotate"
        for name in ("range_x", "range_y", "range_z"):
            value = getattr(self, name)
            pair = _rand_ranges(where, name, [value] if _checks.is_number(value) else [tuple(value)], 1)[0]
            _freeze(self, name, pair)
        _freeze(self, "prob", _check_prob(where, self.prob))
        if self.keep_size is not True:
            raise ValueError(f"{where}: keep_size must be True (output shapes are static), got {self.keep_size!r}")
        _check_mode(where, self.mode)
        S.check_padding_mode(where, self.padding_mode)
        _freeze(self, "spacing", S.spacing_triple(where, self.spacing))

    def sample(self, key: jax.Array, shape: Shape) -> AffineParams:
        k_apply, k_angles = split_key(key, 2)
        angles = _draw(k_angles, (self.range_x, self.range_y, self.range_z), 3, 0.0)
        p = AffineParams(angles, jnp.zeros(6), jnp.zeros(3), jnp.ones(3))
        return _affine_when(_checks.bernoulli(k_apply, self.prob), p)

    def matrix(self, params: AffineParams, shape: Shape) -> jax.Array:
        return S.affine_matrix(*params, shape, shape, self.spacing)


@dataclass(frozen=True)
class RandAffine(SpatialTransform):
    """With probability `prob`, a random affine about the centre (rotate, shear, translate, scale).

    Ranges follow MONAI's RandRange: a number x draws the *first* parameter from (-x, x) and
    leaves the rest; a sequence gives one entry per parameter (3 rotations in radians about
    spatial axes 0, 1, 2; 6 shears; 3 translations in voxels; 3 scales), each a number x for
    (-x, x) or a (min, max) pair. Scale draws are added to 1.0 (0 is no change), as MONAI's.
    With `spacing` (mm per axis) rotation and shear act in millimetres.
    Shapes: (S0, S1, S2, C) -> (*spatial_size, C); float for "bilinear" (float32 for integer
    input), same dtype for "nearest"; `spatial_size`, `mode`, `padding_mode`, `spacing` static.
    MONAI: ``RandAffine(prob=0.1, rotate_range=None, shear_range=None, translate_range=None,
    scale_range=None, spatial_size=None, mode="bilinear", padding_mode="reflection")``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> t = ja.volume.RandAffine(prob=1.0, rotate_range=(0.26, 0.26, 0.26), scale_range=(0.1, 0.1, 0.1))
      >>> t(jax.random.key(0), jnp.zeros((8, 8, 6, 1))).shape
      (8, 8, 6, 1)
    """

    prob: float = 0.1
    rotate_range: Any = None
    shear_range: Any = None
    translate_range: Any = None
    scale_range: Any = None
    spatial_size: int | Sequence[int] | None = None
    mode: str = "bilinear"
    padding_mode: str = "reflection"
    spacing: Sequence[float] | None = None

    def __post_init__(self) -> None:
        _check_affine_fields(self)

    def output_shape(self, shape: Shape) -> Shape:
        return _affine_output_shape(self, shape)

    def sample(self, key: jax.Array, shape: Shape) -> AffineParams:
        # One draw: element 0 decides whether to apply, the other fifteen are the parameters
        # (independent elements of one threefry stream).
        u = uniform_vector(key, 16)
        return _affine_when(u[0] < jnp.asarray(self.prob, jnp.float32), _draw_affine(self, u[1:]))

    def matrix(self, params: AffineParams, shape: Shape) -> jax.Array:
        return S.affine_matrix(*params, shape, self.output_shape(shape), self.spacing)


class Elastic(NamedTuple):
    """A drawn Rand3DElastic: raw offsets (S0, S1, S2, 3) in [-1, 1], sigma, magnitude, and the
    affine that follows (all the identity's when not applied)."""

    offsets: jax.Array
    sigma: jax.Array
    magnitude: jax.Array
    affine: AffineParams


@dataclass(frozen=True)
class Rand3DElastic(VolumeTransform):
    """With probability `prob`, a smooth random deformation, then a random affine; one resample.

    Offsets are drawn uniform in [-1, 1] per voxel and axis, smoothed by a Gaussian of sigma
    drawn from `sigma_range`, and scaled by a magnitude drawn from `magnitude_range` (voxels, or
    millimetres with `spacing`); the affine ranges are RandAffine's.
    Shapes: (S0, S1, S2, C) -> (*spatial_size, C); float for "bilinear"; `sigma_range` sets the
    smoothing kernel's static radius (3 * max sigma). It does not fuse with its neighbours.
    MONAI: ``Rand3DElastic(sigma_range, magnitude_range, prob=0.1, rotate_range=None,
    shear_range=None, translate_range=None, scale_range=None, spatial_size=None,
    mode="bilinear", padding_mode="reflection")``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> t = ja.volume.Rand3DElastic(sigma_range=(1.0, 2.0), magnitude_range=(1.0, 2.0), prob=1.0)
      >>> t(jax.random.key(0), jnp.zeros((8, 8, 6, 1))).shape
      (8, 8, 6, 1)
    """

    sigma_range: Sequence[float]
    magnitude_range: Sequence[float]
    prob: float = 0.1
    rotate_range: Any = None
    shear_range: Any = None
    translate_range: Any = None
    scale_range: Any = None
    spatial_size: int | Sequence[int] | None = None
    mode: str = "bilinear"
    padding_mode: str = "reflection"
    spacing: Sequence[float] | None = None

    def __post_init__(self) -> None:
        _check_affine_fields(self)
        _freeze(self, "sigma_range", _checks.check_range("Rand3DElastic", "sigma_range", self.sigma_range, low=0.0))
        _freeze(self, "magnitude_range", _checks.check_range("Rand3DElastic", "magnitude_range", self.magnitude_range))

    def output_shape(self, shape: Shape) -> Shape:
        return _affine_output_shape(self, shape)

    def sample(self, key: jax.Array, shape: Shape) -> Elastic:
        k_apply, k_offsets, k_sigma, k_magnitude, k_affine = split_key(key, 5)
        apply = _checks.bernoulli(k_apply, self.prob)
        out = self.output_shape(shape)[:3]
        offsets = jax.random.uniform(k_offsets, (*out, 3), minval=-1.0, maxval=1.0)
        sigma = jax.random.uniform(k_sigma, (), minval=self.sigma_range[0], maxval=self.sigma_range[1])
        magnitude = jax.random.uniform(k_magnitude, (), minval=self.magnitude_range[0], maxval=self.magnitude_range[1])
        return Elastic(offsets, sigma, jnp.where(apply, magnitude, 0.0), _affine_when(apply, _draw_affine(self, uniform_vector(k_affine, 15))))

    def apply_pair(self, params: Elastic, volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        out_shape = self.output_shape(volume.shape)
        m = S.affine_matrix(*params.affine, volume.shape, out_shape, self.spacing)
        coords = S.elastic_coords(params.offsets, params.sigma, params.magnitude, out_shape, self.spacing, self.sigma_range[1], m)
        out = S.sample(volume, coords, mode=S.check_mode("Rand3DElastic", self.mode), padding_mode=self.padding_mode)
        return out, None if label is None else S.sample_label(label, coords, self.padding_mode)


class Zooms(NamedTuple):
    """Drawn zoom factors per spatial axis (1 when not applied)."""

    zoom: jax.Array


@dataclass(frozen=True)
class RandZoom(VolumeTransform):
    """With probability `prob`, zoom about the centre by a factor drawn in [min_zoom, max_zoom],
    keeping the size (edge-padded when zooming out, centre-cropped when zooming in).

    One min/max pair zooms all axes alike; two give one factor for axes 0 and 1 and another for
    axis 2; three, one per axis (MONAI's rules).
    Shapes: (S0, S1, S2, C) -> same; float for "trilinear" (float32 for integer input).
    MONAI: ``RandZoom(prob=0.1, min_zoom=0.9, max_zoom=1.1, mode="area", padding_mode="edge",
    keep_size=True)``; mode "area" is not implemented, the default here is "trilinear", and
    only ``keep_size=True`` (static shapes). Its own resample: it does not fuse.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.RandZoom(prob=1.0)(jax.random.key(0), jnp.zeros((8, 8, 6, 1))).shape
      (8, 8, 6, 1)
    """

    prob: float = 0.1
    min_zoom: float | Sequence[float] = 0.9
    max_zoom: float | Sequence[float] = 1.1
    mode: str = "trilinear"
    padding_mode: str = "edge"
    keep_size: bool = True

    def __post_init__(self) -> None:
        where = "RandZoom"
        _freeze(self, "prob", _check_prob(where, self.prob))
        lo = tuple(_checks.check_finite(where, "min_zoom", v) for v in np.atleast_1d(np.asarray(self.min_zoom, dtype=object)))
        hi = tuple(_checks.check_finite(where, "max_zoom", v) for v in np.atleast_1d(np.asarray(self.max_zoom, dtype=object)))
        if len(lo) != len(hi) or len(lo) not in (1, 2, 3) or any(not 0 < a <= b for a, b in zip(lo, hi)):
            raise ValueError(
                f"RandZoom: min_zoom and max_zoom must have 1, 2 or 3 values each, 0 < min <= max, got {self.min_zoom!r}, {self.max_zoom!r}"
            )
        _freeze(self, "min_zoom", lo[0] if len(lo) == 1 else lo)
        _freeze(self, "max_zoom", hi[0] if len(hi) == 1 else hi)
        _check_mode(where, self.mode)
        if self.padding_mode != "edge":
            raise ValueError(f"RandZoom: padding_mode must be 'edge' (the only one implemented), got {self.padding_mode!r}")
        if self.keep_size is not True:
            raise ValueError(f"RandZoom: keep_size must be True (output shapes are static), got {self.keep_size!r}")

    def sample(self, key: jax.Array, shape: Shape) -> Zooms:
        k_apply, k_zoom = split_key(key, 2)
        lo, hi = np.atleast_1d(self.min_zoom), np.atleast_1d(self.max_zoom)
        z = _draw(k_zoom, tuple(zip(lo.tolist(), hi.tolist())), len(lo), 1.0)
        z = jnp.concatenate([z[:1], z[:1], z[1:]]) if len(lo) == 2 else jnp.broadcast_to(z, (3,))
        return Zooms(jnp.where(_checks.bernoulli(k_apply, self.prob), z, 1.0))

    def apply_pair(self, params: Zooms, volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        mode = S.check_mode("RandZoom", self.mode)
        coords = S.axis_coords([S.zoom_coords(volume.shape[a], params.zoom[a], mode) for a in range(3)])
        out = S.sample(volume, coords, mode=mode, padding_mode="border")
        if label is None:
            return out, None
        label_coords = S.axis_coords([S.zoom_coords(volume.shape[a], params.zoom[a], "nearest") for a in range(3)])
        return out, S.sample_label(label, label_coords, "border")


# --- crops, pads, resize -------------------------------------------------------------------------


class CropStart(NamedTuple):
    """A drawn crop's first voxel along each spatial axis."""

    start: jax.Array


def _slice(values: jax.Array, start: jax.Array, size: Sequence[int]) -> jax.Array:
    start = jnp.asarray(start, jnp.int32)
    full_start = (*[start[a] for a in range(3)], *(0,) * (values.ndim - 3))
    return jax.lax.dynamic_slice(values, full_start, (*size, *values.shape[3:]))


class _Crop(SpatialTransform):
    """A crop at `start`: an exact slice on its own, a translation when fused."""

    axis_aligned = True

    def matrix(self, params: CropStart, shape: Shape) -> jax.Array:
        return S.crop_matrix(params.start)

    def apply_pair(self, params: CropStart, volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        size = self.output_shape(volume.shape)[:3]
        return _slice(volume, params.start, size), None if label is None else _slice(label, params.start, size)


@dataclass(frozen=True)
class CenterSpatialCrop(_Crop):
    """Cut out the centre; an axis smaller than `roi_size` is kept whole.

    Shapes: (S0, S1, S2, C) -> (min(roi, S0), min(roi, S1), min(roi, S2), C), same dtype;
    `roi_size` is static (a size <= 0 keeps that axis).
    MONAI: ``CenterSpatialCrop(roi_size)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.CenterSpatialCrop((4, 6, 20))(jax.random.key(0), jnp.zeros((10, 12, 9, 1))).shape
      (4, 6, 9, 1)
    """

    roi_size: int | Sequence[int]

    def __post_init__(self) -> None:
        S.spatial_triple("CenterSpatialCrop", "roi_size", self.roi_size, (1, 1, 1))
        if isinstance(self.roi_size, Sequence):
            _freeze(self, "roi_size", tuple(self.roi_size))

    def _roi(self, shape: Shape) -> S.Triple:
        return S.spatial_triple("CenterSpatialCrop", "roi_size", self.roi_size, shape)

    def output_shape(self, shape: Shape) -> Shape:
        roi = self._roi(shape)
        return (*(min(roi[a], shape[a]) for a in range(3)), shape[3])

    def sample(self, key: jax.Array, shape: Shape) -> CropStart:
        return CropStart(jnp.asarray(S.center_crop_start(shape, self._roi(shape)), jnp.float32))


@dataclass(frozen=True)
class RandSpatialCrop(_Crop):
    """Cut out a box of static size at a uniform random position (every start equally likely).

    Shapes: (S0, S1, S2, C) -> (*roi_size, C), same dtype; `roi_size` is static (<= 0 keeps
    that axis); a roi larger than the volume is refused (pad first with SpatialPad).
    MONAI: ``RandSpatialCrop(roi_size, random_center=True, random_size=False)``; only
    ``random_size=False`` (static shapes). MONAI clips a larger roi to the volume.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.RandSpatialCrop((4, 6, 5))(jax.random.key(0), jnp.zeros((10, 12, 9, 1))).shape
      (4, 6, 5, 1)
    """

    roi_size: int | Sequence[int]
    random_center: bool = True
    random_size: bool = False

    def __post_init__(self) -> None:
        S.spatial_triple("RandSpatialCrop", "roi_size", self.roi_size, (1, 1, 1))
        if isinstance(self.roi_size, Sequence):
            _freeze(self, "roi_size", tuple(self.roi_size))
        if self.random_size is not False:
            raise ValueError("RandSpatialCrop: random_size must be False (output shapes are static)")
        if not isinstance(self.random_center, bool):
            raise TypeError(f"RandSpatialCrop: random_center must be True or False, got {self.random_center!r}")

    def _roi(self, shape: Shape) -> S.Triple:
        roi = S.spatial_triple("RandSpatialCrop", "roi_size", self.roi_size, shape)
        if any(roi[a] > shape[a] for a in range(3)):
            raise ValueError(
                f"RandSpatialCrop: roi_size {roi} is larger than the volume's spatial size {tuple(shape[:3])}; "
                "pad first with SpatialPad(roi_size)"
            )
        return roi

    def output_shape(self, shape: Shape) -> Shape:
        return (*self._roi(shape), shape[3])

    def sample(self, key: jax.Array, shape: Shape) -> CropStart:
        roi = self._roi(shape)
        if not self.random_center:
            return CropStart(jnp.asarray(S.center_crop_start(shape, roi), jnp.float32))
        room = jnp.asarray([shape[a] - roi[a] + 1 for a in range(3)], jnp.float32)
        return CropStart(jnp.minimum(jnp.floor(uniform_vector(key, 3) * room), room - 1.0))


@dataclass(frozen=True)
class SpatialPad(VolumeTransform):
    """Pad each spatial axis up to `spatial_size` (axes already as large are left alone).

    Shapes: (S0, S1, S2, C) -> (max(S0, s0), max(S1, s1), max(S2, s2), C), same dtype; all
    arguments static. Labels are padded with 0 in "constant" mode, else like the volume.
    MONAI: ``SpatialPad(spatial_size, method="symmetric", mode="constant")``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.SpatialPad((8, 8, 6))(jax.random.key(0), jnp.zeros((5, 8, 3, 1))).shape
      (8, 8, 6, 1)
    """

    spatial_size: int | Sequence[int]
    method: str = "symmetric"
    mode: str = "constant"
    value: float = 0.0

    def __post_init__(self) -> None:
        S.spatial_triple("SpatialPad", "spatial_size", self.spatial_size, (1, 1, 1))
        if isinstance(self.spatial_size, Sequence):
            _freeze(self, "spatial_size", tuple(self.spatial_size))
        if self.method not in ("symmetric", "end"):
            raise ValueError(f"SpatialPad: method must be 'symmetric' or 'end', got {self.method!r}")
        if self.mode not in S.PAD_MODES:
            raise ValueError(f"SpatialPad: mode must be one of {S.PAD_MODES}, got {self.mode!r}")
        _freeze(self, "value", _checks.check_finite("SpatialPad", "value", self.value))

    def output_shape(self, shape: Shape) -> Shape:
        size = S.spatial_triple("SpatialPad", "spatial_size", self.spatial_size, shape)
        return (*(max(size[a], shape[a]) for a in range(3)), shape[3])

    def apply_pair(self, params: Any, volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        out = S.spatial_pad(volume, self.output_shape(volume.shape)[:3], self.method, self.mode, self.value)
        if label is None:
            return out, None
        widths = S.pad_widths(volume.shape, self.output_shape(volume.shape)[:3], self.method)
        widths = widths + [(0, 0)] * (label.ndim - 3)
        return out, jnp.pad(label, widths, mode=self.mode) if self.mode != "constant" else jnp.pad(label, widths)


@dataclass(frozen=True)
class Resize(VolumeTransform):
    """Resize to a static spatial size (a size <= 0 keeps that axis).

    Shapes: (S0, S1, S2, C) -> (*spatial_size, C); float for "trilinear" (float32 for integer
    input), same dtype for "nearest"; labels by nearest. Its own resample: it does not fuse.
    MONAI: ``Resize(spatial_size, mode="area")``: "area" is not implemented; the default here is
    "trilinear" (``align_corners=None``, no anti-aliasing), and "nearest" is torch's legacy
    nearest, as MONAI's.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.Resize((4, 6, -1))(jax.random.key(0), jnp.zeros((8, 8, 5, 1))).shape
      (4, 6, 5, 1)
    """

    spatial_size: int | Sequence[int]
    mode: str = "trilinear"

    def __post_init__(self) -> None:
        S.spatial_triple("Resize", "spatial_size", self.spatial_size, (1, 1, 1))
        if isinstance(self.spatial_size, Sequence):
            _freeze(self, "spatial_size", tuple(self.spatial_size))
        _check_mode("Resize", self.mode)

    def output_shape(self, shape: Shape) -> Shape:
        return (*S.spatial_triple("Resize", "spatial_size", self.spatial_size, shape), shape[3])

    def apply_pair(self, params: Any, volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        size = self.output_shape(volume.shape)[:3]
        out = S.resize(volume, size, self.mode)
        if label is None:
            return out, None
        coords = S.axis_coords([S.resize_coords(volume.shape[a], size[a], "nearest") for a in range(3)])
        return out, S.sample_label(label, coords, "border")


# --- crops by label ------------------------------------------------------------------------------


class PosNegDraw(NamedTuple):
    """RandCropByPosNegLabel's draw per patch: foreground or not, and a uniform rank in [0, 1)
    among the candidate voxels (turned into a voxel by the label at apply)."""

    positive: jax.Array
    rank: jax.Array


@dataclass(frozen=True)
class RandCropByPosNegLabel(VolumeTransform):
    """Cut `num_samples` patches centred on foreground (label > 0) or background voxels.

    Each patch is centred on foreground with probability ``pos / (pos + neg)``, at a voxel drawn
    uniformly among the candidates (a uniform rank found by cumsum and searchsorted, so it works
    under jit and vmap with static shapes), then the centre is moved inside the valid region as
    MONAI's ``correct_crop_centers`` does. With `image_threshold`, candidates must also have a
    channel of the volume above it (MONAI's ``image=`` argument). With no foreground every patch
    is centred on background, and the reverse; with neither, on the volume's centre.
    Shapes: volume (S0, S1, S2, C), label required -> patches (num_samples, *spatial_size, C)
    and label patches (num_samples, *spatial_size[, 1]), same dtypes; `spatial_size`,
    `num_samples` static. A `spatial_size` larger than the volume is refused unless
    `allow_smaller`. In a ``jaxaug.volume.Compose``, the steps after it run on each patch.
    MONAI: ``RandCropByPosNegLabel(spatial_size, label, pos=1.0, neg=1.0, num_samples=1,
    image=None, image_threshold=0.0, allow_smaller=False)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> label = jnp.zeros((10, 12, 9), jnp.int32).at[2, 3, 4].set(1)
      >>> t = ja.volume.RandCropByPosNegLabel((4, 4, 4), pos=1.0, neg=1.0, num_samples=3)
      >>> patches, labels = t(jax.random.key(0), jnp.zeros((10, 12, 9, 1)), label)
      >>> patches.shape, labels.shape
      ((3, 4, 4, 4, 1), (3, 4, 4, 4))
    """

    spatial_size: int | Sequence[int]
    pos: float = 1.0
    neg: float = 1.0
    num_samples: int = 1
    image_threshold: float | None = None
    allow_smaller: bool = False

    multi_sample = True

    def __post_init__(self) -> None:
        where = "RandCropByPosNegLabel"
        S.spatial_triple(where, "spatial_size", self.spatial_size, (1, 1, 1))
        if isinstance(self.spatial_size, Sequence):
            _freeze(self, "spatial_size", tuple(self.spatial_size))
        pos = _checks.check_nonnegative(where, "pos", self.pos)
        neg = _checks.check_nonnegative(where, "neg", self.neg)
        if pos + neg <= 0:
            raise ValueError(f"{where}: pos and neg must not both be 0")
        _freeze(self, "pos", pos)
        _freeze(self, "neg", neg)
        if not _checks.is_int(self.num_samples) or self.num_samples < 1:
            raise ValueError(f"{where}: num_samples must be an int >= 1, got {self.num_samples!r}")
        if self.image_threshold is not None:
            _freeze(self, "image_threshold", _checks.check_finite(where, "image_threshold", self.image_threshold))
        if not isinstance(self.allow_smaller, bool):
            raise TypeError(f"{where}: allow_smaller must be True or False, got {self.allow_smaller!r}")

    def _roi(self, shape: Shape) -> S.Triple:
        roi = S.spatial_triple("RandCropByPosNegLabel", "spatial_size", self.spatial_size, shape)
        if any(roi[a] > shape[a] for a in range(3)):
            if not self.allow_smaller:
                raise ValueError(
                    f"RandCropByPosNegLabel: spatial_size {roi} is larger than the volume's spatial size "
                    f"{tuple(shape[:3])}; pad first with SpatialPad, or pass allow_smaller=True"
                )
            roi = tuple(min(roi[a], shape[a]) for a in range(3))  # type: ignore[assignment]
        return roi

    def output_shape(self, shape: Shape) -> Shape:
        return (self.num_samples, *self._roi(shape), shape[3])

    def sample(self, key: jax.Array, shape: Shape) -> PosNegDraw:
        k_positive, k_rank = split_key(key, 2)
        p = self.pos / (self.pos + self.neg)
        return PosNegDraw(_checks.bernoulli(k_positive, p, (self.num_samples,)), uniform_vector(k_rank, self.num_samples))

    def apply_pair(self, params: PosNegDraw, volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        if label is None:
            raise ValueError("RandCropByPosNegLabel: needs the label: call t(key, volume, label)")
        starts = self.starts(params, volume, label)
        size = self._roi(volume.shape)
        patches = jax.vmap(lambda s: _slice(volume, s, size))(starts)
        return patches, jax.vmap(lambda s: _slice(label, s, size))(starts)

    def starts(self, params: PosNegDraw, volume: jax.Array, label: jax.Array) -> jax.Array:
        """(num_samples, 3) first voxels of the patches for this draw, volume and label."""
        shape = volume.shape
        roi = self._roi(shape)
        foreground = (label.reshape(label.shape[:3]) > 0).reshape(-1)
        if self.image_threshold is None:
            background = ~foreground
        else:
            bright = jnp.any(volume > jnp.asarray(self.image_threshold, volume.dtype), axis=-1).reshape(-1)
            background = bright & ~foreground
        fg_rank = jnp.cumsum(foreground.astype(jnp.int32))
        bg_rank = jnp.cumsum(background.astype(jnp.int32))
        n_fg, n_bg = fg_rank[-1], bg_rank[-1]
        use_fg = jnp.where(n_fg == 0, False, jnp.where(n_bg == 0, True, params.positive))
        count = jnp.where(use_fg, n_fg, n_bg)
        rank = jnp.minimum(jnp.floor(params.rank * count.astype(jnp.float32)).astype(jnp.int32), count - 1)
        # The voxel with `rank` candidates before it: the first whose running count exceeds rank.
        index = jnp.where(
            use_fg,
            jnp.searchsorted(fg_rank, rank + 1, side="left"),
            jnp.searchsorted(bg_rank, rank + 1, side="left"),
        )
        centre_of_volume = np.ravel_multi_index(tuple(s // 2 for s in shape[:3]), shape[:3])
        index = jnp.where(count > 0, index, centre_of_volume)
        centre = jnp.stack(jnp.unravel_index(index, shape[:3]), axis=-1)
        # MONAI's correct_crop_centers: centres in [roi // 2, end - 1], end = int(size + 1 - roi / 2).
        low = np.asarray([[r // 2 for r in roi]])
        end = np.asarray([[int(shape[a] + 1 - roi[a] / 2) for a in range(3)]])
        end = np.where(low == end, end + 1, end)
        centre = jnp.clip(centre, low, end - 1)
        return (centre - low).astype(jnp.int32)


# --- Compose -------------------------------------------------------------------------------------


def _check_steps(transforms: Any) -> tuple[VolumeTransform, ...]:
    if not isinstance(transforms, Sequence) or isinstance(transforms, str):
        raise TypeError(f"Compose: transforms must be a list of jaxaug.volume transforms, got {type(transforms).__name__}")
    for i, t in enumerate(transforms):
        if not isinstance(t, VolumeTransform):
            raise TypeError(
                f"Compose: transforms[{i}] must be a jaxaug.volume transform (e.g. ja.volume.RandFlip()), got "
                f"{type(t).__name__}; 2-D image transforms go in ja.Compose"
            )
    if sum(t.multi_sample for t in transforms) > 1:
        raise ValueError("Compose: at most one step may return several patches (RandCropByPosNegLabel)")
    return tuple(transforms)


def _group_settings(steps: Sequence[SpatialTransform]) -> dict[str, Any]:
    mode = "bilinear" if any(s.mode is not None and S.check_mode("Compose", s.mode) == "bilinear" for s in steps) else "nearest"
    paddings = [s.padding_mode for s in steps if s.padding_mode is not None]
    return {
        "mode": mode,
        "padding_mode": paddings[0] if paddings else "zeros",
        "axis_aligned": all(s.axis_aligned for s in steps),
    }


@dataclass(frozen=True)
class Compose(VolumeTransform):
    """Chain volume transforms; neighbouring spatial steps are resampled once.

    Step i draws from ``jax.random.fold_in(key, i)``. Neighbouring spatial steps (flips,
    quarter turns, crops, RandRotate, RandAffine) multiply their 4x4 matrices and the volume is
    read once, trilinearly if any of them interpolates; the label follows by nearest. Steps
    with different padding modes are not fused. A fused group pads where the *composed* map
    leaves the group's input: a crop followed by a rotation reads real voxels outside the crop
    where the two steps run apart would pad (MONAI's lazy resampling does the same).
    After RandCropByPosNegLabel the later steps run on each patch, with their own draw each
    (patch j of step i draws from ``jax.random.split(jax.random.fold_in(key, i), n)[j]``).

    Shapes: as the steps say, known statically. ``sample`` returns each step's parameters;
    ``apply`` replays them. ``ja.Compose`` is for 2-D images; the 2-D fusion is written for
    3x3 matrices, fill frames and (H, W, C) checks, and extending it to volumes would have
    threaded a dimension through all of them.
    MONAI: ``Compose(transforms)`` (with lazy resampling).

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> pipeline = ja.volume.Compose([
      ...     ja.volume.RandSpatialCrop((6, 6, 6)),
      ...     ja.volume.RandFlip(prob=0.5, spatial_axis=0),
      ...     ja.volume.RandAffine(prob=1.0, rotate_range=(0.26, 0.26, 0.26)),
      ... ])
      >>> pipeline(jax.random.key(0), jnp.zeros((8, 10, 9, 1))).shape
      (6, 6, 6, 1)
    """

    transforms: Sequence[VolumeTransform]

    def __post_init__(self) -> None:
        _freeze(self, "transforms", _check_steps(self.transforms))

    def output_shape(self, shape: Shape) -> Shape:
        samples: tuple[int, ...] = ()
        for t in self.transforms:
            shape = t.output_shape(shape)
            if t.multi_sample:
                samples, shape = shape[:1], shape[1:]
        return (*samples, *shape)

    def sample(self, key: jax.Array, shape: Shape) -> tuple[Any, ...]:
        params = []
        samples = None
        for i, t in enumerate(self.transforms):
            k = jax.random.fold_in(key, i)
            if samples is None:
                params.append(t.sample(k, shape))
            else:
                params.append(jax.vmap(lambda kk, t=t, shape=shape: t.sample(kk, shape))(jax.random.split(k, samples)))
            shape = t.output_shape(shape)
            if t.multi_sample:
                samples, shape = shape[0], shape[1:]
        return tuple(params)

    def apply_pair(self, params: tuple[Any, ...], volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        if len(params) != len(self.transforms):
            raise ValueError(f"Compose: params must have one entry per transform ({len(self.transforms)}), got {len(params)}")
        group: list[tuple[SpatialTransform, Any, Shape]] = []
        per_patch = False

        def run(fn: Any, p: Any, volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
            if not per_patch:
                return fn(p, volume, label)
            if label is None:
                return jax.vmap(lambda p, v: fn(p, v, None)[0])(p, volume), None
            return jax.vmap(fn)(p, volume, label)

        def flush(volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
            if not group:
                return volume, label
            steps = list(group)
            group.clear()
            if len(steps) == 1:
                t, p, _ = steps[0]
                return run(t.apply_pair, p, volume, label)

            def fused(ps: Any, volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
                m = S.identity_matrix()
                for (t, _, shape), p in zip(steps, ps):
                    m = m @ t.matrix(p, shape)
                t_last, _, shape_last = steps[-1]
                out_spatial = t_last.output_shape(shape_last)[:3]
                return S.warp(volume, label, m, out_spatial, **_group_settings([t for t, _, _ in steps]))

            return run(fused, tuple(p for _, p, _ in steps), volume, label)

        shape = tuple(volume.shape)
        for t, p in zip(self.transforms, params):
            if isinstance(t, SpatialTransform) and t.fuses(shape):
                padding = {s.padding_mode for s, _, _ in group} | {t.padding_mode}
                if len(padding - {None}) > 1:
                    volume, label = flush(volume, label)
                group.append((t, p, shape))
            else:
                volume, label = flush(volume, label)
                volume, label = run(t.apply_pair, p, volume, label)
            shape = t.output_shape(shape)
            if t.multi_sample:
                per_patch, shape = True, shape[1:]
        return flush(volume, label)
