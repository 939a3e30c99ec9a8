"""Random spatial volume transforms named and defaulted like MONAI's array transforms (flips,
quarter turns, rotation, zoom, affine, elastic) and the bases every volume transform shares.

Each is a frozen dataclass called as ``t(key, volume)`` or ``t(key, volume, label)`` on one
(S0, S1, S2, C) volume; ``ja.batch(t)`` takes (N, S0, S1, S2, C). MONAI's ``prob`` is the
probability of applying a step; the apply-or-not draw is independent of the magnitudes.
"""

from __future__ import annotations

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
        volume = _checks.as_array(volume)
        S.check_volume(name, volume)
        if label is not None:
            label = _checks.as_array(label)
            S.check_label(name, label, volume.shape)
        out, out_label = self.apply_pair(params, volume, label)
        return out if label is None else (out, out_label)

    def __call__(self, key: jax.Array, volume: ArrayLike, label: ArrayLike | None = None) -> Any:
        """Draw parameters from `key` and apply them: returns the volume, or ``(volume, label)``."""
        name = type(self).__name__
        _checks.check_key(name, key)
        volume = _checks.as_array(volume)
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
    Shapes: (S0, S1, S2, C) -> ``(*spatial_size, C)``; float for "bilinear" (float32 for integer
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
    Shapes: (S0, S1, S2, C) -> ``(*spatial_size, C)``; float for "bilinear"; `sigma_range` sets the
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
