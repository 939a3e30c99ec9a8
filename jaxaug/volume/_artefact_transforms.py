"""Random volume transforms that change texture or imitate acquisition artefacts, named and
defaulted like MONAI's array transforms: Gaussian smoothing and sharpening, histogram shift,
Gibbs ringing, k-space spikes, coarse dropout. The protocol is ``_intensity_transforms``'s
(``VolumeIntensityTransform``): one (S0, S1, S2, C) volume, the label passes through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxaug import _checks
from jaxaug._base import Shape, split_key, uniform_vector
from jaxaug.volume import _intensity as ops
from jaxaug.volume._intensity_transforms import (
    Factor,
    VolumeIntensityTransform,
    check_bool,
    freeze,
    positive_range,
    randint,
)


def _check_approx(where: str, approx: str) -> None:
    if approx != "erf":
        raise ValueError(f"{where}: approx must be 'erf' (MONAI's default; 'sampled' and 'scalespace' are not implemented), got {approx!r}")


class Sigma3(NamedTuple):
    """Whether the blur was applied, and its standard deviation per spatial axis (voxels)."""

    apply: jax.Array
    sigma: jax.Array


@dataclass(frozen=True)
class RandGaussianSmooth(VolumeIntensityTransform):
    """Blur with MONAI's Gaussian, sigma per spatial axis drawn from `sigma_x`, `sigma_y`, `sigma_z`.

    x, y, z are spatial axes 0, 1, 2 (S0, S1, S2), as in MONAI. The kernel's length is set by
    the largest sigma of each range (static), and taps beyond MONAI's own 4-sigma tail are 0, so
    every draw gives MONAI's kernel. Zero padding at the border, as MONAI. Shapes:
    (S0, S1, S2, C) -> float; all arguments static. A NaN voxel reaches only its kernel's footprint.
    MONAI: ``RandGaussianSmooth(sigma_x=(0.25, 1.5), sigma_y=(0.25, 1.5), sigma_z=(0.25, 1.5),
    prob=0.1, approx="erf")``.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> volume.RandGaussianSmooth(prob=1.0)(jax.random.key(0), jnp.ones((6, 6, 6, 1))).shape
      (6, 6, 6, 1)
    """

    sigma_x: Sequence[float] = (0.25, 1.5)
    sigma_y: Sequence[float] = (0.25, 1.5)
    sigma_z: Sequence[float] = (0.25, 1.5)
    prob: float = 0.1
    approx: str = "erf"

    def __post_init__(self) -> None:
        for name in ("sigma_x", "sigma_y", "sigma_z"):
            freeze(self, name, positive_range("RandGaussianSmooth", name, getattr(self, name)))
        freeze(self, "prob", _checks.check_probability("RandGaussianSmooth", "prob", self.prob))
        _check_approx("RandGaussianSmooth", self.approx)

    def sample(self, key: jax.Array, shape: Shape) -> Sigma3:
        k_apply, k_sigma = split_key(key, 2)
        ranges = (self.sigma_x, self.sigma_y, self.sigma_z)
        u = uniform_vector(k_sigma, 3)
        sigma = jnp.stack([lo + (hi - lo) * u[i] for i, (lo, hi) in enumerate(ranges)])
        return Sigma3(_checks.bernoulli(k_apply, self.prob), sigma)

    def apply_image(self, params: Sigma3, image: jax.Array) -> jax.Array:
        x, _ = ops.work("RandGaussianSmooth", image)
        tails = [ops.kernel_tail(r[1]) for r in (self.sigma_x, self.sigma_y, self.sigma_z)]
        return self._gate(params.apply, ops.smooth(x, params.sigma, tails), image)


class Sharpen(NamedTuple):
    """Whether sharpening was applied, both blurs' sigmas per axis, and the weight alpha."""

    apply: jax.Array
    sigma1: jax.Array
    sigma2: jax.Array
    alpha: jax.Array


@dataclass(frozen=True)
class RandGaussianSharpen(VolumeIntensityTransform):
    """Unsharp masking with drawn sigmas and weight; see ``gaussian_sharpen``.

    sigma1 per axis from `sigma1_*`; sigma2 from `sigma2_*`, or, where that is one number s,
    from ``U(s, sigma1)`` (s must then not exceed sigma1's lower bound); alpha from `alpha`.
    Shapes: (S0, S1, S2, C) -> float; all arguments static.
    MONAI: ``RandGaussianSharpen(sigma1_x=(0.5, 1.0), sigma1_y=(0.5, 1.0), sigma1_z=(0.5, 1.0),
    sigma2_x=0.5, sigma2_y=0.5, sigma2_z=0.5, alpha=(10.0, 30.0), approx="erf", prob=0.1)``.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> volume.RandGaussianSharpen(prob=1.0)(jax.random.key(0), jnp.ones((6, 6, 6, 1))).shape
      (6, 6, 6, 1)
    """

    sigma1_x: Sequence[float] = (0.5, 1.0)
    sigma1_y: Sequence[float] = (0.5, 1.0)
    sigma1_z: Sequence[float] = (0.5, 1.0)
    sigma2_x: float | Sequence[float] = 0.5
    sigma2_y: float | Sequence[float] = 0.5
    sigma2_z: float | Sequence[float] = 0.5
    alpha: Sequence[float] = (10.0, 30.0)
    approx: str = "erf"
    prob: float = 0.1

    def __post_init__(self) -> None:
        where = "RandGaussianSharpen"
        for axis in "xyz":
            first = positive_range(where, f"sigma1_{axis}", getattr(self, f"sigma1_{axis}"))
            freeze(self, f"sigma1_{axis}", first)
            second = getattr(self, f"sigma2_{axis}")
            if _checks.is_number(second):
                s = _checks.check_finite(where, f"sigma2_{axis}", second)
                if not 0 < s <= first[0]:
                    raise ValueError(
                        f"{where}: sigma2_{axis}={second!r} is drawn from (sigma2_{axis}, sigma1) and must lie in "
                        f"(0, {first[0]}], the lower bound of sigma1_{axis}"
                    )
                freeze(self, f"sigma2_{axis}", s)
            else:
                freeze(self, f"sigma2_{axis}", positive_range(where, f"sigma2_{axis}", second))
        freeze(self, "alpha", _checks.check_range(where, "alpha", self.alpha))
        _check_approx(where, self.approx)
        freeze(self, "prob", _checks.check_probability(where, "prob", self.prob))

    def _second(self, axis: str) -> Any:
        return getattr(self, f"sigma2_{axis}")

    def sample(self, key: jax.Array, shape: Shape) -> Sharpen:
        k_apply, k_values = split_key(key, 2)
        u = uniform_vector(k_values, 7)
        sigma1, sigma2 = [], []
        for i, axis in enumerate("xyz"):
            lo, hi = getattr(self, f"sigma1_{axis}")
            s1 = lo + (hi - lo) * u[i]
            second = self._second(axis)
            lo2, hi2 = (second, s1) if isinstance(second, float) else second
            sigma1.append(s1)
            sigma2.append(lo2 + (hi2 - lo2) * u[3 + i])
        alpha = self.alpha[0] + (self.alpha[1] - self.alpha[0]) * u[6]
        return Sharpen(_checks.bernoulli(k_apply, self.prob), jnp.stack(sigma1), jnp.stack(sigma2), alpha)

    def apply_image(self, params: Sharpen, image: jax.Array) -> jax.Array:
        out = ops.gaussian_sharpen(
            image,
            tuple(params.sigma1),
            tuple(params.sigma2),
            params.alpha,
            max_sigma1=tuple(getattr(self, f"sigma1_{a}")[1] for a in "xyz"),
            max_sigma2=tuple(
                getattr(self, f"sigma1_{a}")[1] if isinstance(self._second(a), float) else self._second(a)[1] for a in "xyz"
            ),
        )
        return self._gate(params.apply, out, image)


class ControlPoints(NamedTuple):
    """Whether the histogram was shifted, and the map's control points in [0, 1] (padded with 1)."""

    apply: jax.Array
    reference: jax.Array
    floating: jax.Array


@dataclass(frozen=True)
class RandHistogramShift(VolumeIntensityTransform):
    """A random monotone piecewise-linear map of intensities between the volume's min and max.

    The number of control points n is drawn from ``[min, max]`` of `num_control_points`; the
    reference points are ``linspace(0, 1, n)``, and each inner one moves to ``U(previous moved
    point, next reference point)``, in order, as MONAI draws them. min and max come from the
    finite voxels; a constant volume is returned as is. Shapes: (S0, S1, S2, C) -> float; all
    arguments static. Pointwise.
    MONAI: ``RandHistogramShift(num_control_points=10, prob=0.1)``.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> v = jnp.linspace(0.0, 1.0, 8).reshape(2, 2, 2, 1)
      >>> out = volume.RandHistogramShift(prob=1.0)(jax.random.key(0), v)
      >>> [float(out.min()), float(out.max())]
      [0.0, 1.0]
    """

    num_control_points: int | Sequence[int] = 10
    prob: float = 0.1

    def __post_init__(self) -> None:
        where = "RandHistogramShift"
        n = self.num_control_points
        pair = (n, n) if _checks.is_int(n) else tuple(n) if isinstance(n, (list, tuple)) else None
        if pair is None or len(pair) != 2 or not all(_checks.is_int(v) for v in pair):
            raise ValueError(f"{where}: num_control_points must be an int or a pair of ints, got {n!r}")
        if min(pair) < 3:
            raise ValueError(f"{where}: num_control_points must be >= 3, got {n!r}")
        freeze(self, "num_control_points", (int(min(pair)), int(max(pair))))
        freeze(self, "prob", _checks.check_probability(where, "prob", self.prob))

    def sample(self, key: jax.Array, shape: Shape) -> ControlPoints:
        k_apply, k_count, k_moves = split_key(key, 3)
        lo, hi = self.num_control_points
        n = randint(k_count, lo, hi + 1, 1)[0].astype(jnp.float32)
        index = jnp.arange(hi, dtype=jnp.float32)
        reference = jnp.where(index < n, index / (n - 1.0), 1.0)
        u = uniform_vector(k_moves, hi)
        floating = [jnp.asarray(0.0)]
        for i in range(1, hi - 1):
            moved = floating[i - 1] + u[i] * (reference[i + 1] - floating[i - 1])
            floating.append(jnp.where(i < n - 1, moved, reference[i]))
        floating.append(jnp.asarray(1.0))
        return ControlPoints(_checks.bernoulli(k_apply, self.prob), reference, jnp.stack(floating))

    def apply_image(self, params: ControlPoints, image: jax.Array) -> jax.Array:
        x, _ = ops.work("RandHistogramShift", image)
        lo, hi = ops.finite_min_max(x)
        xp = params.reference.astype(x.dtype) * (hi - lo) + lo
        fp = params.floating.astype(x.dtype) * (hi - lo) + lo
        out = jnp.interp(x, xp, fp)
        return self._gate(params.apply & (hi > lo), out, image)


@dataclass(frozen=True)
class RandGibbsNoise(VolumeIntensityTransform):
    """Gibbs ringing with alpha drawn from ``U(alpha)``; a number a means ``(0, a)``.

    See ``gibbs_noise``: k-space is cut to a ball of radius ``(1 - alpha) max(shape) / sqrt(2)``.
    0 <= alpha <= 1. Shapes: (S0, S1, S2, C) -> float; all arguments static. Global: a NaN voxel
    makes its channel NaN when the step fires.
    MONAI: ``RandGibbsNoise(prob=0.1, alpha=(0.0, 1.0))``.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> volume.RandGibbsNoise(prob=1.0, alpha=0.5)(jax.random.key(0), jnp.ones((6, 6, 6, 1))).shape
      (6, 6, 6, 1)
    """

    prob: float = 0.1
    alpha: float | Sequence[float] = (0.0, 1.0)

    def __post_init__(self) -> None:
        where = "RandGibbsNoise"
        freeze(self, "prob", _checks.check_probability(where, "prob", self.prob))
        alpha = (0.0, self.alpha) if _checks.is_number(self.alpha) else self.alpha
        freeze(self, "alpha", _checks.check_range(where, "alpha", alpha, low=0.0, high=1.0))

    def sample(self, key: jax.Array, shape: Shape) -> Factor:
        k_apply, k_alpha = split_key(key, 2)
        alpha = jax.random.uniform(k_alpha, (), minval=self.alpha[0], maxval=self.alpha[1])
        return Factor(_checks.bernoulli(k_apply, self.prob), alpha)

    def apply_image(self, params: Factor, image: jax.Array) -> jax.Array:
        return self._gate(params.apply, ops.gibbs_noise(image, params.value), image)


class Spikes(NamedTuple):
    """Whether spikes were added, one k-space location per channel, and a uniform draw per channel
    that places each spike's log-intensity within its range."""

    apply: jax.Array
    loc: jax.Array
    u: jax.Array


@dataclass(frozen=True)
class RandKSpaceSpikeNoise(VolumeIntensityTransform):
    """Spike (herringbone) artefacts: one k-space spike per channel at a random location.

    The spike's log-magnitude is drawn from `intensity_range`: a (low, high) pair, one pair per
    channel, or None for MONAI's data-dependent default ``(0.95 m, 1.1 m)`` with
    ``m = 2.5 * mean(log|k|)`` of each channel. Each channel draws its own intensity; with
    `channel_wise` (the default) each also draws its own location, otherwise one location
    serves all channels (as MONAI draws them). Shapes: (S0, S1, S2, C) -> float; all arguments static.
    Global: a NaN voxel makes its channel NaN when the step fires. Functional op:
    ``k_space_spike_noise``.
    MONAI: ``RandKSpaceSpikeNoise(prob=0.1, intensity_range=None, channel_wise=True)``.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> volume.RandKSpaceSpikeNoise(prob=1.0)(jax.random.key(0), jnp.ones((6, 6, 6, 2))).shape
      (6, 6, 6, 2)
    """

    prob: float = 0.1
    intensity_range: Sequence[float] | Sequence[Sequence[float]] | None = None
    channel_wise: bool = True

    def __post_init__(self) -> None:
        where = "RandKSpaceSpikeNoise"
        freeze(self, "prob", _checks.check_probability(where, "prob", self.prob))
        check_bool(where, "channel_wise", self.channel_wise)
        r = self.intensity_range
        if r is not None:
            if isinstance(r, (list, tuple)) and len(r) > 0 and isinstance(r[0], (list, tuple, np.ndarray)):
                freeze(self, "intensity_range", tuple(_checks.check_range(where, "intensity_range", p) for p in r))
            else:
                freeze(self, "intensity_range", _checks.check_range(where, "intensity_range", r))

    def _per_channel_ranges(self) -> bool:
        return self.intensity_range is not None and isinstance(self.intensity_range[0], tuple)

    def sample(self, key: jax.Array, shape: Shape) -> Spikes:
        k_apply, k_loc, k_u = split_key(key, 3)
        channels = shape[-1]
        if self._per_channel_ranges() and len(self.intensity_range) != channels:
            raise ValueError(
                f"RandKSpaceSpikeNoise: intensity_range has {len(self.intensity_range)} (low, high) pairs for a "
                f"{channels}-channel volume; give one per channel"
            )
        spots = channels if self.channel_wise else 1
        dims = np.asarray([shape[:3]], np.float32)
        loc = jnp.minimum(jnp.floor(uniform_vector(k_loc, spots * 3).reshape(spots, 3) * dims), dims - 1)
        loc = jnp.broadcast_to(loc.astype(jnp.int32), (channels, 3))
        return Spikes(_checks.bernoulli(k_apply, self.prob), loc, uniform_vector(k_u, channels))

    def apply_image(self, params: Spikes, image: jax.Array) -> jax.Array:
        x, _ = ops.work("RandKSpaceSpikeNoise", image)
        channels = x.shape[-1]
        if self.intensity_range is None:
            low, high = ops.default_spike_range(x.astype(jnp.promote_types(x.dtype, jnp.float32)))
        elif self._per_channel_ranges():
            low, high = (jnp.asarray([p[i] for p in self.intensity_range], jnp.float32) for i in (0, 1))
        else:
            low, high = (jnp.full((channels,), v, jnp.float32) for v in self.intensity_range)
        value = low + (high - low) * params.u
        return self._gate(params.apply, ops.k_space_spike_noise(image, params.loc, value), image)


class Holes(NamedTuple):
    """Whether dropout fired, how many holes, each hole's size and corner (voxels), and the key
    of the random fill."""

    apply: jax.Array
    count: jax.Array
    size: jax.Array
    corner: jax.Array
    noise_key: jax.Array


def _spatial_triple(where: str, name: str, value: Any) -> tuple[int, int, int]:
    values = (value,) * 3 if _checks.is_int(value) else tuple(value) if isinstance(value, (list, tuple)) else None
    if values is None or len(values) != 3 or not all(_checks.is_int(v) for v in values):
        raise ValueError(f"{where}: {name} must be an int or 3 ints (S0, S1, S2; <= 0 means the whole axis), got {value!r}")
    return tuple(int(v) for v in values)  # type: ignore[return-value]


@dataclass(frozen=True)
class RandCoarseDropout(VolumeIntensityTransform):
    """Fill random boxes (or everything outside them) with a value or uniform noise.

    Between `holes` and `max_holes` boxes; each of size `spatial_size` (up to `max_spatial_size`,
    drawn per axis), cut to the volume, at a uniform position. An entry <= 0 means the whole
    axis. `fill_value`: a number, a (min, max) range drawn per voxel, or None for the range of
    the volume's finite voxels. With ``dropout_holes=False`` the boxes are kept and the rest is
    filled. Shapes: (S0, S1, S2, C) -> float; all arguments static. The label is not touched.
    MONAI: ``RandCoarseDropout(holes, spatial_size, dropout_holes=True, fill_value=None,
    max_holes=None, max_spatial_size=None, prob=0.1)``.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> drop = volume.RandCoarseDropout(holes=2, spatial_size=3, fill_value=0.0, prob=1.0)
      >>> int((drop(jax.random.key(0), jnp.ones((8, 8, 8, 1))) == 0).sum()) >= 27
      True
    """

    holes: int
    spatial_size: int | Sequence[int]
    dropout_holes: bool = True
    fill_value: float | Sequence[float] | None = None
    max_holes: int | None = None
    max_spatial_size: int | Sequence[int] | None = None
    prob: float = 0.1

    def __post_init__(self) -> None:
        where = "RandCoarseDropout"
        if not _checks.is_int(self.holes) or self.holes < 1:
            raise ValueError(f"{where}: holes must be an int >= 1, got {self.holes!r}")
        if self.max_holes is not None and (not _checks.is_int(self.max_holes) or self.max_holes < self.holes):
            raise ValueError(f"{where}: max_holes must be None or an int >= holes ({self.holes}), got {self.max_holes!r}")
        freeze(self, "spatial_size", _spatial_triple(where, "spatial_size", self.spatial_size))
        if self.max_spatial_size is not None:
            freeze(self, "max_spatial_size", _spatial_triple(where, "max_spatial_size", self.max_spatial_size))
            # A maximum below the size was ignored (the boxes kept spatial_size); MONAI refuses it.
            for low, high in zip(self.spatial_size, self.max_spatial_size):
                if low > 0 and 0 < high < low:
                    raise ValueError(
                        f"{where}: max_spatial_size must be >= spatial_size on every axis (or <= 0 for the whole axis), "
                        f"got {self.max_spatial_size} below {self.spatial_size}"
                    )
        check_bool(where, "dropout_holes", self.dropout_holes)
        if self.fill_value is not None:
            if _checks.is_number(self.fill_value):
                freeze(self, "fill_value", _checks.check_finite(where, "fill_value", self.fill_value))
            else:
                freeze(self, "fill_value", _checks.check_range(where, "fill_value", self.fill_value))
        freeze(self, "prob", _checks.check_probability(where, "prob", self.prob))

    def sample(self, key: jax.Array, shape: Shape) -> Holes:
        k_apply, k_count, k_size, k_corner, k_noise = split_key(key, 5)
        most = self.holes if self.max_holes is None else self.max_holes
        count = jnp.asarray(self.holes) if self.max_holes is None else randint(k_count, self.holes, most + 1, 1)[0]
        dims = np.asarray([shape[:3]], np.float32)  # (1, 3): broadcasts over the holes
        low = np.where(np.asarray([self.spatial_size]) <= 0, dims, self.spatial_size).astype(np.float32)
        if self.max_spatial_size is None:
            size = jnp.broadcast_to(jnp.asarray(low), (most, 3))
        else:
            high = np.maximum(np.where(np.asarray([self.max_spatial_size]) <= 0, dims, self.max_spatial_size), low).astype(np.float32)
            # numpy's randint(low, high + 1) per hole and axis, as MONAI draws them.
            size = low + jnp.floor(uniform_vector(k_size, most * 3).reshape(most, 3) * (high - low + 1))
            size = jnp.minimum(size, high)
        size = jnp.minimum(size, dims)
        corner = jnp.floor(uniform_vector(k_corner, most * 3).reshape(most, 3) * (dims - size + 1))
        corner = jnp.minimum(corner, dims - size)
        return Holes(
            _checks.bernoulli(k_apply, self.prob), count, size.astype(jnp.int32), corner.astype(jnp.int32), k_noise
        )

    def apply_image(self, params: Holes, image: jax.Array) -> jax.Array:
        x, _ = ops.work("RandCoarseDropout", image)
        most = params.size.shape[0]
        box = []
        for a, n in enumerate(x.shape[:3]):
            g = jnp.arange(n)[None, :]
            box.append((g >= params.corner[:, a : a + 1]) & (g < params.corner[:, a : a + 1] + params.size[:, a : a + 1]))
        holes = box[0][:, :, None, None] & box[1][:, None, :, None] & box[2][:, None, None, :]
        active = (jnp.arange(most) < params.count)[:, None, None, None]
        inside = jnp.any(holes & active, axis=0)
        if isinstance(self.fill_value, float):
            fill = jnp.full(x.shape, self.fill_value, x.dtype)
        else:
            lo, hi = ops.finite_min_max(x) if self.fill_value is None else self.fill_value
            fill = lo + (hi - lo) * jax.random.uniform(params.noise_key, x.shape, x.dtype)
        dropped = inside[..., None] if self.dropout_holes else ~inside[..., None]
        return self._gate(params.apply, jnp.where(dropped, fill, x), image)
