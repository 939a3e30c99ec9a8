"""Intensity ops on one volume (S0, S1, S2, C), with MONAI's parameter meanings.

Volumes arrive in physical units (CT in Hounsfield units, MR intensities), integer or float;
every op here takes them as they are and returns floats: float32 for integer input, the input's
own float dtype otherwise (arithmetic in float32, or float64 for float64 input).

Statistics an op takes over the whole volume (a minimum, a mean, a standard deviation) are taken
over the finite voxels only, so a NaN or inf voxel stays where it is and the other voxels come
out as MONAI computes them on finite data. The Fourier ops (``gibbs_noise``,
``k_space_spike_noise``) are global: every output voxel reads every input voxel of its channel,
so one non-finite voxel makes its whole channel NaN.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxaug import _checks
from jaxaug.image._intensity import scale_intensity_range, window
from jaxaug.volume._spatial import check_volume

__all__ = [
    "adjust_contrast",
    "gaussian_sharpen",
    "gaussian_smooth",
    "gibbs_noise",
    "k_space_spike_noise",
    "normalize_intensity",
    "scale_intensity",
    "scale_intensity_range",
    "shift_intensity",
    "window",
]

_SPATIAL = (0, 1, 2)
# MONAI's GaussianFilter truncates its kernel at 4 standard deviations.
_TRUNCATED = 4.0


def work(where: str, volume: ArrayLike) -> tuple[jax.Array, jnp.dtype]:
    """The checked volume in float32 (float64 kept) for the arithmetic, and the dtype to return."""
    volume = _checks.as_array(volume)
    check_volume(where, volume)
    out_dtype = volume.dtype if jnp.issubdtype(volume.dtype, jnp.floating) else jnp.dtype(jnp.float32)
    return volume.astype(jnp.float64 if volume.dtype == jnp.float64 else jnp.float32), out_dtype


def finite_min_max(x: jax.Array, axes: tuple[int, ...] | None = None) -> tuple[jax.Array, jax.Array]:
    """Minimum and maximum over the finite values (0, 0 when none is finite); with `axes`, the
    reduced axes are kept (size 1), so the result broadcasts against `x`."""
    finite = jnp.isfinite(x)
    keep = axes is not None
    lo = jnp.min(jnp.where(finite, x, jnp.inf), axis=axes, keepdims=keep)
    hi = jnp.max(jnp.where(finite, x, -jnp.inf), axis=axes, keepdims=keep)
    none = ~jnp.any(finite, axis=axes, keepdims=keep)
    return jnp.where(none, 0.0, lo), jnp.where(none, 0.0, hi)


def finite_mean_std(
    x: jax.Array, axes: tuple[int, ...] | None = None, ddof: int = 0, where: jax.Array | None = None
) -> tuple[jax.Array, jax.Array]:
    """Mean and standard deviation over the finite values (inside `where`, if given); with
    `axes`, the reduced axes are kept (size 1)."""
    use = jnp.isfinite(x) if where is None else jnp.isfinite(x) & where
    count = jnp.sum(use, axis=axes, keepdims=True).astype(x.dtype)
    safe = jnp.where(use, x, 0.0)
    mean = jnp.sum(safe, axis=axes, keepdims=True) / jnp.maximum(count, 1.0)
    sq = jnp.sum(jnp.where(use, (x - mean) ** 2, 0.0), axis=axes, keepdims=True)
    std = jnp.sqrt(sq / jnp.maximum(count - ddof, 1.0))
    if axes is None:
        return mean.reshape(()), std.reshape(())
    return mean, std


def _channel_constant(where: str, name: str, value: Any, channels: int, dtype: Any) -> jax.Array:
    """A number, or one per channel, as a (1, 1, 1, C) array; concrete values must be finite."""
    _checks.refuse_bools(where, name, value)
    if isinstance(value, jax.core.Tracer):
        return jnp.broadcast_to(jnp.asarray(value, dtype), (channels,)).reshape(1, 1, 1, channels)
    values = _checks.channel_values(where, name, value, channels)  # refuses non-finite values
    return jnp.asarray(values, dtype).reshape(1, 1, 1, channels)


def shift_intensity(volume: ArrayLike, offset: ArrayLike) -> jax.Array:
    """Add `offset` to every voxel: one number, or one per channel.

    Args:
      volume: (S0, S1, S2, C), integer or float, any units.
      offset: a number or C numbers; may be traced.

    Returns:
      (S0, S1, S2, C) float (float32 for integer input). Nothing wraps: integer input comes
      out as floats, where MONAI would cast back to the input's integer dtype.

    MONAI: ``ShiftIntensity(offset)``.

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxaug import volume
      >>> volume.shift_intensity(jnp.zeros((2, 2, 2, 1)), 40.0)[0, 0, 0, 0]
      Array(40., dtype=float32)
    """
    x, out_dtype = work("shift_intensity", volume)
    return (x + _channel_constant("shift_intensity", "offset", offset, x.shape[-1], x.dtype)).astype(out_dtype)


def scale_intensity(
    volume: ArrayLike,
    minv: float | None = 0.0,
    maxv: float | None = 1.0,
    factor: ArrayLike | None = None,
    channel_wise: bool = False,
) -> jax.Array:
    """Rescale intensities to [minv, maxv], or, with both None, multiply by ``1 + factor``.

    Args:
      volume: (S0, S1, S2, C), integer or float.
      minv, maxv: the output range (static). The input's minimum and maximum are taken over its
        finite voxels; a constant volume becomes ``volume * minv``, as in MONAI.
      factor: used when minv and maxv are None: ``v * (1 + factor)``, a number or one per
        channel; may be traced.
      channel_wise: rescale each channel by its own minimum and maximum (static).

    Returns:
      (S0, S1, S2, C) float.

    MONAI: ``ScaleIntensity(minv=0.0, maxv=1.0, factor=None, channel_wise=False)``.

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxaug import volume
      >>> volume.scale_intensity(jnp.full((2, 2, 2, 1), 10.0), None, None, factor=0.5)[0, 0, 0, 0]
      Array(15., dtype=float32)
    """
    x, out_dtype = work("scale_intensity", volume)
    if minv is None or maxv is None:
        if minv is not None or maxv is not None:
            # MONAI rescales to [0, 1] when only one bound is given.
            return _rescale(x, None, None, channel_wise).astype(out_dtype)
        if factor is None:
            return x.astype(out_dtype)
        f = _channel_constant("scale_intensity", "factor", factor, x.shape[-1], x.dtype)
        return (x * (1.0 + f)).astype(out_dtype)
    minv = _checks.check_finite("scale_intensity", "minv", minv)
    maxv = _checks.check_finite("scale_intensity", "maxv", maxv)
    return _rescale(x, minv, maxv, channel_wise).astype(out_dtype)


def _rescale(x: jax.Array, minv: float | None, maxv: float | None, channel_wise: bool) -> jax.Array:
    lo, hi = finite_min_max(x, _SPATIAL if channel_wise else None)
    constant = lo == hi
    norm = (x - lo) / jnp.where(constant, 1.0, hi - lo)
    if minv is None or maxv is None:
        return jnp.where(constant, x, norm)
    return jnp.where(constant, x * minv, norm * (maxv - minv) + minv)


def normalize_intensity(
    volume: ArrayLike,
    subtrahend: float | Sequence[float] | None = None,
    divisor: float | Sequence[float] | None = None,
    nonzero: bool = False,
    channel_wise: bool = False,
) -> jax.Array:
    """Standardise: ``(v - subtrahend) / divisor``, by default the volume's own mean and std.

    Args:
      volume: (S0, S1, S2, C), integer or float.
      subtrahend, divisor: numbers (static); one per channel when `channel_wise`. None takes the
        mean and the (population) standard deviation of the voxels used; a standard deviation
        of 0 divides by 1.
      nonzero: use and change only the voxels that are not 0 (static); zeros stay 0, so the
        air around a skull-stripped brain is left alone.
      channel_wise: statistics per channel (static); otherwise over the whole volume.

    Returns:
      (S0, S1, S2, C) float. Statistics are taken over finite voxels, so a NaN voxel stays NaN
      and leaves the others as they would be without it (MONAI's would turn every voxel NaN).

    MONAI: ``NormalizeIntensity(subtrahend=None, divisor=None, nonzero=False,
    channel_wise=False)``.

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxaug import volume
      >>> v = jnp.array([0.0, 2.0, 0.0, 6.0]).reshape(1, 2, 2, 1)  # nonzero: mean 4, std 2
      >>> volume.normalize_intensity(v, nonzero=True).ravel()
      Array([ 0., -1.,  0.,  1.], dtype=float32)
    """
    where = "normalize_intensity"
    x, out_dtype = work(where, volume)
    channels = x.shape[-1]
    axes = _SPATIAL if channel_wise else None
    used = (x != 0) if nonzero else jnp.ones(x.shape, bool)
    mean, std = finite_mean_std(x, axes, ddof=0, where=used)
    for name, given in (("subtrahend", subtrahend), ("divisor", divisor)):
        if given is not None:
            n = len(np.atleast_1d(np.asarray(given, dtype=object)))
            if not channel_wise and n != 1:
                raise ValueError(f"{where}: {name} must be one number unless channel_wise=True, got {given!r}")
            if channel_wise and n not in (1, channels):
                raise ValueError(f"{where}: {name} must have {channels} values (one per channel), got {given!r}")
    sub = mean if subtrahend is None else _constant(where, "subtrahend", subtrahend, channels, channel_wise, x.dtype)
    div = std if divisor is None else _constant(where, "divisor", divisor, channels, channel_wise, x.dtype)
    div = jnp.where(div == 0.0, 1.0, div)
    out = (x - sub) / div
    if nonzero:
        out = jnp.where(used, out, x)
    return out.astype(out_dtype)


def _constant(where: str, name: str, value: Any, channels: int, channel_wise: bool, dtype: Any) -> jax.Array:
    if not channel_wise:
        return jnp.asarray(_checks.check_finite(where, name, np.atleast_1d(np.asarray(value, dtype=object))[0]), dtype)
    return _channel_constant(where, name, value, channels, dtype)


def adjust_contrast(
    volume: ArrayLike, gamma: ArrayLike, invert_image: bool = False, retain_stats: bool = False
) -> jax.Array:
    """Gamma on the volume's own range: ``((v - min) / (range + 1e-7)) ** gamma * range + min``.

    Args:
      volume: (S0, S1, S2, C), integer or float. min and range are taken over all channels'
        finite voxels, as MONAI takes them over the whole array.
      gamma: > 0; may be traced. Below 1 brightens, above 1 darkens.
      invert_image: negate before and after (nnU-Net's inverted gamma), static.
      retain_stats: restore the input's mean and (sample) standard deviation afterwards, static.

    Returns:
      (S0, S1, S2, C) float.

    MONAI: ``AdjustContrast(gamma, invert_image=False, retain_stats=False)``.

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxaug import volume
      >>> v = jnp.array([0.0, 50.0, 100.0]).reshape(1, 1, 3, 1)
      >>> volume.adjust_contrast(v, 2.0).ravel()
      Array([  0.,  25., 100.], dtype=float32)
    """
    if not isinstance(gamma, jax.core.Tracer):
        g = _checks.check_finite("adjust_contrast", "gamma", gamma)
        if g <= 0:
            raise ValueError(f"adjust_contrast: gamma must be > 0, got {gamma!r}")
    x, out_dtype = work("adjust_contrast", volume)
    if invert_image:
        x = -x
    if retain_stats:
        mean, std = finite_mean_std(x, ddof=1)
    lo, hi = finite_min_max(x)
    out = jnp.power((x - lo) / (hi - lo + 1e-7), jnp.asarray(gamma, x.dtype)) * (hi - lo) + lo
    if retain_stats:
        out_mean, out_std = finite_mean_std(out, ddof=1)
        out = std * ((out - out_mean) / (out_std + 1e-8)) + mean
    if invert_image:
        out = -out
    return out.astype(out_dtype)


# --- Gaussian filters -----------------------------------------------------------------------


def kernel_tail(sigma: float) -> int:
    """Half-width of MONAI's Gaussian kernel for a static `sigma` (4 standard deviations)."""
    return int(max(sigma * _TRUNCATED, 0.5) + 0.5)


def _erf_kernel(sigma: jax.Array, tail: int, dtype: Any) -> jax.Array:
    """MONAI's "erf" kernel for a traced `sigma`, laid out on a static half-width `tail`.

    Taps beyond MONAI's own half-width for this sigma are exactly 0, so any sigma up to the one
    `tail` was set for gives MONAI's kernel, padded with zeros.
    """
    x = jnp.arange(-tail, tail + 1, dtype=dtype)
    t = 0.70710678 / jnp.abs(sigma)
    k = jnp.clip(0.5 * (jax.scipy.special.erf(t * (x + 0.5)) - jax.scipy.special.erf(t * (x - 0.5))), 0.0, None)
    own_tail = jnp.floor(jnp.maximum(sigma * _TRUNCATED, 0.5) + 0.5)
    return jnp.where(jnp.abs(x) <= own_tail, k, 0.0)


def _filter_axis(x: jax.Array, kernel: jax.Array, axis: int, tail: int) -> jax.Array:
    """Correlate along one axis with zero padding; a tap of weight 0 reads nothing (NaN stays local)."""
    pad = [(0, 0)] * x.ndim
    pad[axis] = (tail, tail)
    padded = jnp.pad(x, pad)
    n = x.shape[axis]
    out = jnp.zeros_like(x)
    for i in range(2 * tail + 1):
        shifted = jax.lax.slice_in_dim(padded, i, i + n, axis=axis)
        w = kernel[i]
        out = out + jnp.where(w == 0.0, 0.0, w * shifted)
    return out


def _sigmas(where: str, name: str, sigma: Any) -> tuple[Any, Any, Any]:
    if isinstance(sigma, (list, tuple)):
        if len(sigma) != 3:
            raise ValueError(f"{where}: {name} must be a number or 3 numbers (one per spatial axis), got {sigma!r}")
        values = tuple(sigma)
    else:
        values = (sigma,) * 3
    for s in values:
        if not isinstance(s, jax.core.Tracer):
            v = _checks.check_finite(where, name, s)
            if v <= 0:
                raise ValueError(f"{where}: {name} must be > 0, got {sigma!r}")
    return values


def smooth(x: jax.Array, sigma: Sequence[Any], tails: Sequence[int]) -> jax.Array:
    """MONAI's GaussianFilter on a float (S0, S1, S2, C) array: per-axis sigma, static tails."""
    return _smooth(x, jnp.stack([jnp.asarray(s, x.dtype) for s in sigma]), tuple(int(t) for t in tails))


@functools.partial(jax.jit, static_argnames=("tails",))
def _smooth(x: jax.Array, sigma: jax.Array, tails: tuple[int, ...]) -> jax.Array:
    # Jitted: eagerly, each of the shifted slices would be compiled on its own.
    for axis in _SPATIAL:
        if tails[axis] == 0:
            continue
        kernel = _erf_kernel(sigma[axis], tails[axis], x.dtype)
        x = _filter_axis(x, kernel, axis, tails[axis])
    return x


def _static_tails(sigma: Sequence[Any], max_sigma: float | Sequence[float] | None) -> tuple[int, ...]:
    if max_sigma is None:
        if any(isinstance(s, jax.core.Tracer) for s in sigma):
            raise ValueError("gaussian_smooth: a traced sigma needs max_sigma (static) to size the kernel")
        return tuple(kernel_tail(float(s)) for s in sigma)
    bounds = max_sigma if isinstance(max_sigma, (list, tuple)) else (max_sigma,) * 3
    bounds = tuple(_checks.check_nonnegative("gaussian_smooth", "max_sigma", b) for b in bounds)
    # A concrete sigma above its bound would be blurred by a cut-off kernel, silently.
    for s, b in zip(sigma, bounds):
        if not isinstance(s, jax.core.Tracer) and float(s) > b:
            raise ValueError(f"gaussian_smooth: sigma {float(s)} exceeds max_sigma {b}; raise max_sigma (it sizes the kernel)")
    return tuple(kernel_tail(b) for b in bounds)


def gaussian_smooth(
    volume: ArrayLike, sigma: ArrayLike | Sequence[ArrayLike] = 1.0, *, max_sigma: float | Sequence[float] | None = None
) -> jax.Array:
    """Blur with MONAI's Gaussian ("erf" kernel, 4-sigma tail, zero padding), per spatial axis.

    Args:
      volume: (S0, S1, S2, C), integer or float.
      sigma: > 0, one number or one per spatial axis (S0, S1, S2), in voxels; may be traced.
      max_sigma: static upper bound on a traced sigma (it sets the kernel's length); not
        needed for a Python number.

    Returns:
      (S0, S1, S2, C) float. A NaN voxel spreads only to voxels within its kernel's reach.

    MONAI: ``GaussianSmooth(sigma=1.0, approx="erf")``.

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxaug import volume
      >>> v = jnp.zeros((9, 9, 9, 1)).at[4, 4, 4, 0].set(1.0)  # the 4-sigma kernel fits inside
      >>> round(float(volume.gaussian_smooth(v, 1.0).sum()), 4)
      1.0
    """
    sigma = _sigmas("gaussian_smooth", "sigma", sigma)
    x, out_dtype = work("gaussian_smooth", volume)
    return smooth(x, sigma, _static_tails(sigma, max_sigma)).astype(out_dtype)


def gaussian_sharpen(
    volume: ArrayLike,
    sigma1: ArrayLike | Sequence[ArrayLike] = 3.0,
    sigma2: ArrayLike | Sequence[ArrayLike] = 1.0,
    alpha: ArrayLike = 30.0,
    *,
    max_sigma1: float | Sequence[float] | None = None,
    max_sigma2: float | Sequence[float] | None = None,
) -> jax.Array:
    """Unsharp masking: ``b + alpha * (b - g2(b))`` with ``b = g1(volume)``, MONAI's Gaussians.

    Args:
      volume: (S0, S1, S2, C), integer or float.
      sigma1, sigma2: > 0, one number or one per spatial axis; may be traced.
      alpha: the weight of the detail added back; may be traced.
      max_sigma1, max_sigma2: static bounds on traced sigmas (they set the kernels' lengths).

    Returns:
      (S0, S1, S2, C) float.

    MONAI: ``GaussianSharpen(sigma1=3.0, sigma2=1.0, alpha=30.0, approx="erf")``.

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxaug import volume
      >>> volume.gaussian_sharpen(jnp.ones((6, 6, 6, 1)), 1.0, 0.5, 10.0).shape
      (6, 6, 6, 1)
    """
    sigma1 = _sigmas("gaussian_sharpen", "sigma1", sigma1)
    sigma2 = _sigmas("gaussian_sharpen", "sigma2", sigma2)
    if not isinstance(alpha, jax.core.Tracer):
        _checks.check_finite("gaussian_sharpen", "alpha", alpha)
    x, out_dtype = work("gaussian_sharpen", volume)
    blurred = smooth(x, sigma1, _static_tails(sigma1, max_sigma1))
    twice = smooth(blurred, sigma2, _static_tails(sigma2, max_sigma2))
    return (blurred + jnp.asarray(alpha, x.dtype) * (blurred - twice)).astype(out_dtype)


# --- k-space ---------------------------------------------------------------------------------


def _k_space(x: jax.Array) -> jax.Array:
    """Centred k-space of each channel: MONAI's ``shift_fourier`` on the spatial axes."""
    return jnp.fft.fftshift(jnp.fft.fftn(x, axes=_SPATIAL), axes=_SPATIAL)


def _image_space(k: jax.Array) -> jax.Array:
    return jnp.real(jnp.fft.ifftn(jnp.fft.ifftshift(k, axes=_SPATIAL), axes=_SPATIAL))


def _fft_work(where: str, volume: ArrayLike) -> tuple[jax.Array, jnp.dtype]:
    x, out_dtype = work(where, volume)
    # jnp.fft has no half precision; float32 at least.
    return x.astype(jnp.promote_types(x.dtype, jnp.float32)), out_dtype


def gibbs_noise(volume: ArrayLike, alpha: ArrayLike = 0.1) -> jax.Array:
    """Gibbs ringing: keep only k-space within radius ``(1 - alpha) * max(shape) * sqrt(2) / 2``.

    Args:
      volume: (S0, S1, S2, C), integer or float; each channel is transformed on its own.
      alpha: in [0, 1], may be traced. 0 keeps every frequency whose distance from the centre
        of k-space is within ``max(shape) / sqrt(2)`` (all of them unless the volume is close to
        a cube: MONAI's radius is the 2-D one), 1 keeps only the point ``(n - 1) / 2``: the mean
        of each channel when every side is odd, nothing when a side is even (MONAI's centre is
        then half a voxel off the zero frequency at ``n // 2``).

    Returns:
      (S0, S1, S2, C) float, the real part of the inverse transform. Global: a non-finite voxel
      makes its whole channel NaN.

    MONAI: ``GibbsNoise(alpha=0.1)``.

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxaug import volume
      >>> v = jnp.arange(120.0).reshape(4, 5, 6, 1)
      >>> bool(jnp.allclose(volume.gibbs_noise(v, 0.0), v, atol=1e-3))
      True
    """
    if not isinstance(alpha, jax.core.Tracer):
        a = _checks.check_finite("gibbs_noise", "alpha", alpha)
        if not 0.0 <= a <= 1.0:
            raise ValueError(f"gibbs_noise: alpha must lie in [0, 1], got {alpha!r}")
    x, out_dtype = _fft_work("gibbs_noise", volume)
    shape = x.shape[:3]
    radius = (1.0 - jnp.asarray(alpha, x.dtype)) * max(shape) * math.sqrt(2.0) / 2.0
    grids = np.ogrid[tuple(slice(0, s) for s in shape)]
    distance = np.sqrt(sum((g - (s - 1) / 2.0) ** 2 for g, s in zip(grids, shape)))
    k = _k_space(x)
    keep = (jnp.asarray(distance, x.dtype) <= radius).astype(k.dtype)
    return _image_space(k * keep[..., None]).astype(out_dtype)


def default_spike_range(x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """MONAI's default log-intensity range per channel: (0.95 m, 1.1 m), m = 2.5 * mean log|k|."""
    m = 2.5 * jnp.mean(jnp.log(jnp.abs(_k_space(x)) + 1e-10), axis=_SPATIAL)
    return 0.95 * m, 1.1 * m


def k_space_spike_noise(volume: ArrayLike, loc: ArrayLike, k_intensity: ArrayLike | None = None) -> jax.Array:
    """Herringbone artefact: set the log-magnitude of centred k-space at `loc` to `k_intensity`.

    Args:
      volume: (S0, S1, S2, C), integer or float.
      loc: integer array, (3,) for one spike in every channel or (C, 3) for one spike per channel,
        indices into the centred k-space (the DC term sits at ``shape // 2``); may be traced.
      k_intensity: the spike's log-magnitude, one number or one per channel; may be traced.
        None takes ``2.5 * mean(log|k|)`` of each channel, MONAI's default.

    Returns:
      (S0, S1, S2, C) float. Global: a non-finite voxel makes its whole channel NaN.

    MONAI: ``KSpaceSpikeNoise(loc, k_intensity=None)`` with MONAI's ``(X, Y, Z)`` location (all
    channels) or one ``(C, X, Y, Z)`` location per channel.

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxaug import volume
      >>> v = jnp.ones((6, 6, 6, 1))
      >>> volume.k_space_spike_noise(v, jnp.array([3, 3, 4]), 8.0).shape
      (6, 6, 6, 1)
    """
    x, out_dtype = _fft_work("k_space_spike_noise", volume)
    channels = x.shape[-1]
    loc = jnp.asarray(loc)
    if not jnp.issubdtype(loc.dtype, jnp.integer):
        raise TypeError(f"k_space_spike_noise: loc must be integer indices, got dtype {loc.dtype}")
    if loc.shape == (3,):
        loc = jnp.broadcast_to(loc, (channels, 3))
    if loc.shape != (channels, 3):
        raise ValueError(f"k_space_spike_noise: loc must have shape (3,) or ({channels}, 3), got {loc.shape}")
    if not isinstance(loc, jax.core.Tracer):
        bad = np.asarray(loc) >= np.asarray(x.shape[:3])[None, :]
        bad |= np.asarray(loc) < 0
        if bad.any():
            raise ValueError(f"k_space_spike_noise: loc must lie inside the volume's shape {x.shape[:3]}, got {loc.tolist()}")
    k = _k_space(x)
    log_abs = jnp.log(jnp.abs(k) + 1e-10)
    phase = jnp.angle(k)
    if k_intensity is None:
        value = 2.5 * jnp.mean(log_abs, axis=_SPATIAL)
    else:
        value = _channel_constant("k_space_spike_noise", "k_intensity", k_intensity, channels, log_abs.dtype).reshape(channels)
    channel = jnp.arange(channels)
    log_abs = log_abs.at[loc[:, 0], loc[:, 1], loc[:, 2], channel].set(value)
    magnitude = jnp.exp(log_abs)
    return _image_space(jax.lax.complex(magnitude * jnp.cos(phase), magnitude * jnp.sin(phase))).astype(out_dtype)
