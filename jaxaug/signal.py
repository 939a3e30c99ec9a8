"""Augmentation for ECGs and other multi-channel time series.

One example is a ``(T, C)`` array (Flax's layout: time first, one column per lead); pass
``time_axis=-1`` for ``(C, T)`` data, and a 1-D ``(T,)`` array is one channel. A signal with
more channels than time samples is almost surely transposed (a 12-lead ECG passed as
``(12, 5000)``): with the default ``time_axis=None`` it is refused, and ``time_axis=0`` says
that such a ``(T, C)`` layout is intended. Every function
takes the key first, keeps the input's shape, returns floats, and runs under ``jax.jit`` and
``ja.batch`` (one draw per example). Settings involving time or frequency are in seconds and
hertz with the sampling rate `fs`, so they mean the same at 100 Hz and at 500 Hz.

Magnitudes are relative to each lead's own standard deviation, since leads differ in amplitude
(V2 is often several times lead III). A flat lead gets no noise and never NaN.

Clinical safety: noise, baseline wander, powerline interference, small amplitude and time
scaling, shifts and short masked segments mimic acquisition, and keep the rhythm and morphology
a cardiologist reads. Lead permutation changes the meaning of a 12-lead ECG (the axis, the
territory of an infarct), so ``permute_channels`` refuses to run unless the caller states the
channels are exchangeable. Large time scaling changes the heart rate, which is itself a finding
(brady- and tachycardia): keep it within ±10% for rate-sensitive labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jaxaug import _checks
from jaxaug._base import normal_noise, split_key, uniform_vector

__all__ = [
    "ECGAugment",
    "amplitude_scale",
    "augment_ecg",
    "baseline_wander",
    "gaussian_noise",
    "lead_dropout",
    "permute_channels",
    "powerline_interference",
    "segment_mask",
    "stretch",
    "time_scale",
    "time_shift",
]

Range = float | Sequence[float]


# --- layout helpers -------------------------------------------------------------------------


def _to_tc(where: str, x: ArrayLike, time_axis: int | None) -> tuple[jax.Array, Any]:
    """Move to (T, C) float; return the array and what is needed to move it back."""
    x = _checks.as_array(x)
    if x.ndim not in (1, 2):
        hint = "; for a batch use ja.batch(fn)(key, signals)" if x.ndim == 3 else ""
        raise ValueError(f"{where}: x must have shape (T, C) or (T,), got shape {x.shape}{hint}")
    if time_axis is None:
        if x.ndim == 2 and x.shape[1] > x.shape[0]:
            raise ValueError(
                f"{where}: x of shape {x.shape} has more channels ({x.shape[1]}) than time samples "
                f"({x.shape[0]}), so it looks like (C, T): pass time_axis=-1 for (C, T) data, or "
                "time_axis=0 if it really is (T, C)"
            )
        time_axis = 0
    # True == 1 in Python: a bool would silently pick an axis.
    if isinstance(time_axis, bool) or time_axis not in (0, 1, -1, -2) or (x.ndim == 1 and time_axis not in (0, -1)):
        raise ValueError(f"{where}: time_axis must be 0 or -1 for x of shape {x.shape}, got {time_axis}")
    if not (jnp.issubdtype(x.dtype, jnp.floating) or jnp.issubdtype(x.dtype, jnp.integer)):
        raise TypeError(f"{where}: x must be real numbers, got dtype {x.dtype}")
    if x.shape[time_axis] < 2:
        raise ValueError(f"{where}: x needs at least 2 time samples, got shape {x.shape}")
    out_dtype = x.dtype if jnp.issubdtype(x.dtype, jnp.floating) else jnp.dtype(jnp.float32)
    work = jnp.float64 if x.dtype == jnp.float64 else jnp.float32
    original = (x.ndim, time_axis, out_dtype)
    if x.ndim == 1:
        return x.astype(work)[:, None], original
    return jnp.moveaxis(x, time_axis, 0).astype(work), original


def _from_tc(y: jax.Array, original: Any) -> jax.Array:
    ndim, time_axis, out_dtype = original
    if ndim == 1:
        return y[:, 0].astype(out_dtype)
    return jnp.moveaxis(y, 0, time_axis).astype(out_dtype)


def _lead_std(x: jax.Array) -> jax.Array:
    """(1, C) standard deviation of each lead over its finite samples.

    A NaN or inf sample (a dropped or saturated reading) must not turn the whole lead's noise
    into NaN, so it is left out of the statistic; the sample itself stays as it is.
    """
    finite = jnp.isfinite(x)
    count = jnp.maximum(jnp.sum(finite, axis=0, keepdims=True), 1).astype(x.dtype)
    values = jnp.where(finite, x, 0.0)
    mean = jnp.sum(values, axis=0, keepdims=True) / count
    deviation = jnp.where(finite, x - mean, 0.0)
    return jnp.sqrt(jnp.sum(deviation * deviation, axis=0, keepdims=True) / count)


def _range(where: str, name: str, value: Range, *, low: float | None = None, high: float | None = None) -> tuple[float, float]:
    """A number v means (v, v); a pair is a (min, max) range to draw from."""
    if _checks.is_number(value):
        v = _checks.check_finite(where, name, value)
        pair = (v, v)
    else:
        pair = _checks.check_range(where, name, value)
    if (low is not None and pair[0] < low) or (high is not None and pair[1] > high):
        bounds = f"[{low if low is not None else '-inf'}, {high if high is not None else 'inf'}]"
        raise ValueError(f"{where}: {name} must lie in {bounds}, got {value!r}")
    return pair


def _uniform(key: jax.Array, pair: tuple[float, float], shape: tuple[int, ...] = ()) -> jax.Array:
    return jax.random.uniform(key, shape, minval=pair[0], maxval=pair[1])


def _check_fs(where: str, fs: float) -> float:
    if not _checks.is_number(fs) or not 0 < float(fs) < float("inf"):
        raise ValueError(f"{where}: fs (sampling rate in Hz) must be a number > 0, got {fs!r}")
    return float(fs)


def _times(n: int, fs: float, dtype: Any) -> jax.Array:
    return (jnp.arange(n, dtype=dtype) / fs)[:, None]


# --- noise ----------------------------------------------------------------------------------


def gaussian_noise(
    key: jax.Array,
    x: ArrayLike,
    *,
    std: Range = 0.05,
    snr_db: Range | None = None,
    time_axis: int | None = None,
) -> jax.Array:
    """Add white Gaussian noise scaled to each lead's own amplitude.

    Args:
      key: PRNG key.
      x: (T, C) signal (or (T,), or (C, T) with ``time_axis=-1``).
      std: noise standard deviation as a fraction of each lead's standard deviation; a pair
        draws it uniformly per call.
      snr_db: if given, set the noise by signal-to-noise ratio in decibels instead (a number or
        a range): noise std = lead std / 10 ** (snr_db / 20).
      time_axis: None or 0 for (T, C), -1 for (C, T) (static); see the module docstring.

    Returns:
      Array of x's shape, float.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import signal
      >>> ecg = jnp.sin(jnp.linspace(0, 20, 5000))[:, None] * jnp.arange(1.0, 13.0)[None, :]
      >>> signal.gaussian_noise(jax.random.key(0), ecg, std=0.1).shape
      (5000, 12)
    """
    _checks.check_key("gaussian_noise", key)
    y, original = _to_tc("gaussian_noise", x, time_axis)
    k_level, k_noise = jax.random.split(key)
    if snr_db is None:
        level = _uniform(k_level, _range("gaussian_noise", "std", std, low=0.0))
    else:
        snr = _uniform(k_level, _range("gaussian_noise", "snr_db", snr_db))
        level = 10.0 ** (-snr / 20.0)
    noise = normal_noise(k_noise, y.shape, y.dtype) * (level * _lead_std(y))
    return _from_tc(y + noise, original)


def baseline_wander(
    key: jax.Array,
    x: ArrayLike,
    *,
    fs: float,
    amplitude: Range = (0.0, 0.2),
    min_freq: float = 0.05,
    max_freq: float = 0.5,
    n_components: int = 1,
    time_axis: int | None = None,
) -> jax.Array:
    """Add slow baseline drift: sinusoids below `max_freq` Hz with random frequency and phase.

    Respiration moves the baseline at 0.05 to 0.5 Hz. Each component has its own frequency,
    phase and, per lead, an amplitude drawn from `amplitude` times the lead's standard deviation.

    Args:
      key: PRNG key.
      x: (T, C) signal.
      fs: sampling rate in Hz.
      amplitude: drift amplitude relative to each lead's std: a number or a (min, max) range.
      min_freq, max_freq: frequency range in Hz, 0 < min_freq <= max_freq < fs / 2.
      n_components: number of sinusoids summed (static).
      time_axis: None or 0 for (T, C), -1 for (C, T) (static); see the module docstring.

    Returns:
      Array of x's shape, float.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import signal
      >>> signal.baseline_wander(jax.random.key(0), jnp.zeros((5000, 12)), fs=500.0).shape
      (5000, 12)
    """
    _checks.check_key("baseline_wander", key)
    fs = _check_fs("baseline_wander", fs)
    y, original = _to_tc("baseline_wander", x, time_axis)
    amp = _range("baseline_wander", "amplitude", amplitude, low=0.0)
    _checks.refuse_bools("baseline_wander", "min_freq and max_freq", (min_freq, max_freq))
    if not 0 < min_freq <= max_freq < fs / 2:
        raise ValueError(
            f"baseline_wander: need 0 < min_freq <= max_freq < fs / 2 = {fs / 2}, got min_freq={min_freq}, max_freq={max_freq}"
        )
    if not _checks.is_int(n_components) or n_components < 1:
        raise ValueError(f"baseline_wander: n_components must be an int >= 1, got {n_components!r}")
    k_freq, k_phase, k_amp = split_key(key, 3)
    channels = y.shape[1]
    freq = _uniform(k_freq, (min_freq, max_freq), (n_components, 1, 1)).astype(y.dtype)
    phase = _uniform(k_phase, (0.0, 2 * math.pi), (n_components, 1, 1)).astype(y.dtype)
    amps = _uniform(k_amp, amp, (n_components, 1, channels)).astype(y.dtype)
    t = _times(y.shape[0], fs, y.dtype)[None]
    drift = jnp.sum(amps * jnp.sin(2 * math.pi * freq * t + phase), axis=0)
    return _from_tc(y + drift * _lead_std(y), original)


def powerline_interference(
    key: jax.Array,
    x: ArrayLike,
    *,
    fs: float,
    freq: float = 50.0,
    amplitude: Range = (0.0, 0.1),
    time_axis: int | None = None,
) -> jax.Array:
    """Add mains hum: a sinusoid at `freq` Hz (50 in Europe, 60 in the Americas) with random phase.

    Args:
      key: PRNG key.
      x: (T, C) signal.
      fs: sampling rate in Hz; `freq` must be below fs / 2.
      freq: mains frequency in Hz (static).
      amplitude: relative to each lead's std, a number or a (min, max) range drawn per lead.
      time_axis: None or 0 for (T, C), -1 for (C, T) (static); see the module docstring.

    Returns:
      Array of x's shape, float.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import signal
      >>> signal.powerline_interference(jax.random.key(0), jnp.ones((1000, 3)), fs=500.0, freq=60.0).shape
      (1000, 3)
    """
    _checks.check_key("powerline_interference", key)
    fs = _check_fs("powerline_interference", fs)
    _checks.refuse_bools("powerline_interference", "freq", freq)
    if not 0 < freq < fs / 2:
        raise ValueError(f"powerline_interference: freq must be in (0, fs / 2 = {fs / 2}) Hz, got {freq}")
    y, original = _to_tc("powerline_interference", x, time_axis)
    amp = _range("powerline_interference", "amplitude", amplitude, low=0.0)
    k_phase, k_amp = jax.random.split(key)
    phase = _uniform(k_phase, (0.0, 2 * math.pi)).astype(y.dtype)
    amps = _uniform(k_amp, amp, (1, y.shape[1])).astype(y.dtype)
    hum = jnp.sin(2 * math.pi * freq * _times(y.shape[0], fs, y.dtype) + phase)
    return _from_tc(y + amps * hum * _lead_std(y), original)


# --- time -----------------------------------------------------------------------------------


def stretch(x: ArrayLike, factor: ArrayLike, *, pad: str = "edge", time_axis: int | None = None) -> jax.Array:
    """Play the signal `factor` times faster, at the same length (deterministic).

    Output sample n is the input at time ``n * factor`` (linear interpolation), so factor 1.1
    compresses (frequencies x 1.1, and the tail is cut) and 0.9 stretches (frequencies x 0.9,
    and the end is padded with the last value, or zeros with ``pad="zero"``).

    Args:
      x: (T, C) signal.
      factor: rate > 0; may be traced.
      pad: "edge" or "zero" (static).
      time_axis: None or 0 for (T, C), -1 for (C, T) (static); see the module docstring.

    Returns:
      Array of x's shape, float.

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxaug import signal
      >>> signal.stretch(jnp.arange(6.0)[:, None], 2.0)[:, 0]
      Array([0., 2., 4., 5., 5., 5.], dtype=float32)
    """
    y, original = _to_tc("stretch", x, time_axis)
    if pad not in ("edge", "zero"):
        raise ValueError(f"stretch: pad must be 'edge' or 'zero', got {pad!r}")
    _checks.refuse_bools("stretch", "factor", factor)  # True == 1 would return the signal unchanged
    if not isinstance(factor, jax.core.Tracer) and not 0 < float(factor) < math.inf:
        raise ValueError(f"stretch: factor must be > 0, got {factor!r}")
    n = y.shape[0]
    pos = jnp.arange(n, dtype=y.dtype) * jnp.asarray(factor, y.dtype)
    i0 = jnp.clip(jnp.floor(pos), 0, n - 1)
    frac = (pos - i0)[:, None]
    i0 = i0.astype(jnp.int32)
    i1 = jnp.minimum(i0 + 1, n - 1)
    out = y[i0] + jnp.clip(frac, 0.0, 1.0) * (y[i1] - y[i0])
    if pad == "zero":
        out = jnp.where((pos <= n - 1)[:, None], out, 0.0)
    return _from_tc(out, original)


def time_scale(
    key: jax.Array,
    x: ArrayLike,
    *,
    factor: Range = (0.9, 1.1),
    pad: str = "edge",
    time_axis: int | None = None,
) -> jax.Array:
    """Speed the signal up or slow it down by a random factor, keeping its length.

    A factor is drawn uniformly from `factor`; see :func:`stretch` for what it does. The output
    length is always the input length, so this compiles once whatever the draw.

    Args:
      key: PRNG key.
      x: (T, C) signal, any length.
      factor: (min, max) rate range, > 0 (default 0.9 to 1.1: heart rate ±10%).
      pad: "edge" or "zero", how the end is filled when slowing down (static).
      time_axis: None or 0 for (T, C), -1 for (C, T) (static); see the module docstring.

    Returns:
      Array of x's shape, float.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import signal
      >>> signal.time_scale(jax.random.key(0), jnp.zeros((5000, 12))).shape
      (5000, 12)
    """
    _checks.check_key("time_scale", key)
    pair = _range("time_scale", "factor", factor)
    if pair[0] <= 0:
        raise ValueError(f"time_scale: factor must be > 0, got {factor!r}")
    return stretch(x, _uniform(key, pair), pad=pad, time_axis=time_axis)


def time_shift(
    key: jax.Array,
    x: ArrayLike,
    *,
    fs: float,
    max_shift: float = 0.5,
    mode: str = "wrap",
    time_axis: int | None = None,
) -> jax.Array:
    """Shift in time by up to `max_shift` seconds either way.

    Args:
      key: PRNG key.
      x: (T, C) signal.
      fs: sampling rate in Hz.
      max_shift: largest shift in seconds, >= 0.
      mode: "wrap" (circular, natural for a rhythm strip) or "zero" (fill with zeros) (static).
      time_axis: None or 0 for (T, C), -1 for (C, T) (static); see the module docstring.

    Returns:
      Array of x's shape, float.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import signal
      >>> signal.time_shift(jax.random.key(0), jnp.zeros((1000, 2)), fs=100.0, max_shift=1.0).shape
      (1000, 2)
    """
    _checks.check_key("time_shift", key)
    fs = _check_fs("time_shift", fs)
    _checks.check_nonnegative("time_shift", "max_shift", max_shift)
    if mode not in ("wrap", "zero"):
        raise ValueError(f"time_shift: mode must be 'wrap' or 'zero', got {mode!r}")
    y, original = _to_tc("time_shift", x, time_axis)
    n = y.shape[0]
    limit = min(int(round(max_shift * fs)), n - 1)
    shift = jax.random.randint(key, (), -limit, limit + 1)
    source = jnp.arange(n) - shift
    out = y[jnp.mod(source, n)]
    if mode == "zero":
        out = jnp.where(((source >= 0) & (source < n))[:, None], out, 0.0)
    return _from_tc(out, original)


def amplitude_scale(
    key: jax.Array,
    x: ArrayLike,
    *,
    scale: Range = (0.8, 1.2),
    per_channel: bool = False,
    time_axis: int | None = None,
) -> jax.Array:
    """Multiply by a factor drawn from `scale` (one for all leads, or one per lead).

    One factor for all leads keeps the ratios between leads, which carry the electrical axis.

    Args:
      key: PRNG key.
      x: (T, C) signal.
      scale: (min, max) gain range.
      per_channel: draw a gain per lead (static).
      time_axis: None or 0 for (T, C), -1 for (C, T) (static); see the module docstring.

    Returns:
      Array of x's shape, float.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import signal
      >>> signal.amplitude_scale(jax.random.key(0), jnp.ones((10, 3)), scale=(2.0, 2.0))[0]
      Array([2., 2., 2.], dtype=float32)
    """
    _checks.check_key("amplitude_scale", key)
    y, original = _to_tc("amplitude_scale", x, time_axis)
    # A negative gain flips the ECG's polarity, which changes the reading (an inverted lead is
    # itself a finding): refused.
    pair = _range("amplitude_scale", "scale", scale)
    if pair[0] < 0:
        raise ValueError(f"amplitude_scale: scale must be >= 0 (a negative gain flips the polarity), got {scale!r}")
    gain = _uniform(key, pair, (1, y.shape[1] if per_channel else 1))
    return _from_tc(y * gain.astype(y.dtype), original)


def segment_mask(
    key: jax.Array,
    x: ArrayLike,
    *,
    fs: float,
    max_duration: float = 0.2,
    n_segments: int = 1,
    value: float = 0.0,
    time_axis: int | None = None,
) -> jax.Array:
    """Set `n_segments` random windows of up to `max_duration` seconds to `value`, in all leads.

    Args:
      key: PRNG key.
      x: (T, C) signal.
      fs: sampling rate in Hz.
      max_duration: longest window in seconds, >= 0.
      n_segments: number of windows (static).
      value: what the windows hold.
      time_axis: None or 0 for (T, C), -1 for (C, T) (static); see the module docstring.

    Returns:
      Array of x's shape, float.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import signal
      >>> out = signal.segment_mask(jax.random.key(0), jnp.ones((100, 2)), fs=100.0, max_duration=0.3)
      >>> bool((out == 0).sum() <= 60)
      True
    """
    _checks.check_key("segment_mask", key)
    fs = _check_fs("segment_mask", fs)
    _checks.check_nonnegative("segment_mask", "max_duration", max_duration)
    if not _checks.is_int(n_segments) or n_segments < 1:
        raise ValueError(f"segment_mask: n_segments must be an int >= 1, got {n_segments!r}")
    y, original = _to_tc("segment_mask", x, time_axis)
    n = y.shape[0]
    k_len, k_start = jax.random.split(key)
    max_len = min(int(round(max_duration * fs)), n)
    lengths = jax.random.randint(k_len, (n_segments, 1), 0, max_len + 1)
    room = (n - lengths + 1).astype(jnp.float32)
    starts = jnp.floor(jax.random.uniform(k_start, (n_segments, 1)) * room).astype(jnp.int32)
    t = jnp.arange(n)[None, :]
    masked = jnp.any((t >= starts) & (t < starts + lengths), axis=0)
    return _from_tc(jnp.where(masked[:, None], jnp.asarray(value, y.dtype), y), original)


# --- channels -------------------------------------------------------------------------------


def lead_dropout(
    key: jax.Array,
    x: ArrayLike,
    *,
    p: float = 0.1,
    value: float = 0.0,
    keep_one: bool = True,
    time_axis: int | None = None,
) -> jax.Array:
    """Drop each lead with probability `p` (set it to `value`), as a detached electrode would.

    Args:
      key: PRNG key.
      x: (T, C) signal.
      p: probability of dropping each lead.
      value: what a dropped lead holds.
      keep_one: never drop every lead: if all are drawn, one random lead is kept (static).
      time_axis: None or 0 for (T, C), -1 for (C, T) (static); see the module docstring.

    Returns:
      Array of x's shape, float.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import signal
      >>> signal.lead_dropout(jax.random.key(0), jnp.ones((1000, 12)), p=0.5).shape
      (1000, 12)
    """
    _checks.check_key("lead_dropout", key)
    p = _checks.check_probability("lead_dropout", "p", p)
    y, original = _to_tc("lead_dropout", x, time_axis)
    k_drop, k_keep = jax.random.split(key)
    channels = y.shape[1]
    drop = uniform_vector(k_drop, channels) < p  # jax.random.bernoulli(k_drop, p, (channels,))
    if keep_one:
        rescue = jax.nn.one_hot(jax.random.randint(k_keep, (), 0, channels), channels) > 0
        drop = jnp.where(jnp.all(drop), drop & ~rescue, drop)
    return _from_tc(jnp.where(drop[None, :], jnp.asarray(value, y.dtype), y), original)


def permute_channels(
    key: jax.Array,
    x: ArrayLike,
    *,
    channels_exchangeable: bool = False,
    time_axis: int | None = None,
) -> jax.Array:
    """Shuffle the channels; refuses unless you state that they are exchangeable.

    Fine for the three axes of an accelerometer or interchangeable EEG montages; wrong for the
    12 leads of an ECG, each of which looks at the heart from a fixed direction.

    Args:
      key: PRNG key.
      x: (T, C) signal.
      channels_exchangeable: must be True; the statement that a permuted recording is still a
        valid recording with the same label (static).
      time_axis: None or 0 for (T, C), -1 for (C, T) (static); see the module docstring.

    Returns:
      Array of x's shape, float, channels permuted.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import signal
      >>> xyz = jnp.ones((100, 3)) * jnp.arange(3.0)[None, :]
      >>> signal.permute_channels(jax.random.key(0), xyz, channels_exchangeable=True).shape
      (100, 3)
    """
    _checks.check_key("permute_channels", key)
    if channels_exchangeable is not True:
        raise ValueError(
            "permute_channels: pass channels_exchangeable=True only if any order of the channels is "
            "an equally valid recording (accelerometer axes: yes; the 12 leads of an ECG: no)"
        )
    y, original = _to_tc("permute_channels", x, time_axis)
    return _from_tc(y[:, jax.random.permutation(key, y.shape[1])], original)


# --- the seed's composition -----------------------------------------------------------------


def augment_ecg(
    key: jax.Array,
    x: ArrayLike,
    p: float = 0.5,
    fs: float = 500.0,
    *,
    noise_std: Range = (0.0, 0.05),
    wander_amplitude: Range = (0.0, 0.2),
    wander_max_freq: float = 0.5,
    scale: Range = (0.9, 1.1),
    time_axis: int | None = None,
) -> jax.Array:
    """Noise, baseline wander and time scaling, each applied with probability `p`.

    For any length and any number of leads; noise is relative to each lead's own std.

    Args:
      key: PRNG key.
      x: (T, C) ECG, e.g. (5000, 12) for 10 s of a 12-lead ECG at 500 Hz.
      p: probability of each of the three steps, drawn independently.
      fs: sampling rate in Hz.
      noise_std: Gaussian noise std relative to each lead's std, a number or range.
      wander_amplitude: baseline wander amplitude relative to each lead's std.
      wander_max_freq: highest wander frequency in Hz.
      scale: time scaling rate range.
      time_axis: None or 0 for (T, C), -1 for (C, T) (static); see the module docstring.

    Returns:
      Array of x's shape, float.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import signal
      >>> ecgs = jnp.zeros((4, 5000, 12))
      >>> import jaxaug as ja
      >>> ja.batch(signal.augment_ecg)(jax.random.key(0), ecgs).shape
      (4, 5000, 12)
    """
    _checks.check_key("augment_ecg", key)
    p = _checks.check_probability("augment_ecg", "p", p)
    k_apply, k_noise, k_wander, k_scale = jax.random.split(key, 4)
    apply = uniform_vector(k_apply, 3) < p  # jax.random.bernoulli(k_apply, p, (3,))
    y = _checks.as_array(x)
    y = y.astype(y.dtype if jnp.issubdtype(y.dtype, jnp.floating) else jnp.float32)
    noisy = gaussian_noise(k_noise, y, std=noise_std, time_axis=time_axis)
    y = jnp.where(apply[0], noisy, y)
    wandering = baseline_wander(
        k_wander, y, fs=fs, amplitude=wander_amplitude, max_freq=wander_max_freq,
        min_freq=min(0.05, wander_max_freq), time_axis=time_axis,
    )
    y = jnp.where(apply[1], wandering, y)
    scaled = time_scale(k_scale, y, factor=scale, time_axis=time_axis)
    return jnp.where(apply[2], scaled, y)


def _range_field(value: Range) -> Range:
    """A number, or a (min, max) pair as a tuple: hashable, and as a config stores it."""
    return value if _checks.is_number(value) else tuple(value)


@dataclass(frozen=True)
class ECGAugment:
    """:func:`augment_ecg` as a frozen dataclass: a config can hold it (``ja.save``, ``ja.to_config``).

    ``ECGAugment(...)(key, x)`` equals ``augment_ecg(key, x, ...)`` with the same arguments;
    see :func:`augment_ecg` for their meaning. Arguments are checked when it is built.
    Shapes: x (T, C) (or (C, T) with ``time_axis=-1``) -> the same shape, float.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> from jaxaug import signal
      >>> aug = signal.ECGAugment(p=0.8, fs=100.0)
      >>> ja.batch(aug)(jax.random.key(0), jnp.zeros((4, 1000, 12))).shape
      (4, 1000, 12)
      >>> ja.from_config(ja.to_config(aug)) == aug
      True
    """

    p: float = 0.5
    fs: float = 500.0
    noise_std: Range = (0.0, 0.05)
    wander_amplitude: Range = (0.0, 0.2)
    wander_max_freq: float = 0.5
    scale: Range = (0.9, 1.1)
    time_axis: int | None = None

    def __post_init__(self) -> None:
        where = "ECGAugment"
        object.__setattr__(self, "p", _checks.check_probability(where, "p", self.p))
        fs = _check_fs(where, self.fs)
        _range(where, "noise_std", self.noise_std, low=0.0)
        _range(where, "wander_amplitude", self.wander_amplitude, low=0.0)
        if not _checks.is_number(self.wander_max_freq) or not 0 < self.wander_max_freq < fs / 2:
            raise ValueError(f"{where}: wander_max_freq must be > 0 and < fs / 2 = {fs / 2}, got {self.wander_max_freq!r}")
        if _range(where, "scale", self.scale)[0] <= 0:
            raise ValueError(f"{where}: scale must be > 0, got {self.scale!r}")
        if self.time_axis not in (None, 0, 1, -1, -2):
            raise ValueError(f"{where}: time_axis must be None, 0 (T, C) or -1 (C, T), got {self.time_axis!r}")
        for name in ("noise_std", "wander_amplitude", "scale"):
            object.__setattr__(self, name, _range_field(getattr(self, name)))

    def __call__(self, key: jax.Array, x: ArrayLike) -> jax.Array:
        """``augment_ecg(key, x, ...)`` with this object's arguments."""
        return augment_ecg(
            key,
            x,
            self.p,
            self.fs,
            noise_std=self.noise_std,
            wander_amplitude=self.wander_amplitude,
            wander_max_freq=self.wander_max_freq,
            scale=self.scale,
            time_axis=self.time_axis,
        )
