"""Augmentation for tabular patient records: per-feature noise, missingness, bounds kept.

One example is a feature vector ``(F,)``; ``ja.batch(fn)(key, X)`` augments an ``(N, F)`` table
with one draw per row. Noise is scaled per feature, because features live on different scales
(age in years, creatinine in mg/dL): pass the training set's standard deviations, or use
:func:`fit_scale`. Clinical safety: features that must not change (categorical codes, binary
flags such as sex or diabetes) are listed in `frozen` and left alone; natural bounds (age >= 0,
INR >= 0.5, a probability in [0, 1]) are kept by clipping or by drawing the noise from a
truncated normal, never by pushing values outside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxaug import _checks

__all__ = ["Augment", "augment", "augment_tabular", "feature_dropout", "feature_noise", "fit_scale"]


def fit_scale(X: ArrayLike) -> jax.Array:
    """Per-feature standard deviation of a training table, ignoring NaN (missing) entries.

    Args:
      X: (N, F) table.

    Returns:
      (F,) float32 standard deviations; features with no spread (or all missing) get 0, so they
      receive no noise.

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxaug import tabular
      >>> tabular.fit_scale(jnp.array([[1.0, 5.0], [3.0, 5.0]]))
      Array([1., 0.], dtype=float32)
    """
    X = jnp.asarray(X, jnp.float32)
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(f"fit_scale: X must be an (N, F) table with N >= 1, got shape {X.shape}")
    # Only finite values count: one inf (a sentinel, an overflow) must not zero the column's scale.
    return jnp.nan_to_num(jnp.nanstd(jnp.where(jnp.isfinite(X), X, jnp.nan), axis=0), nan=0.0)


def _features(where: str, x: ArrayLike) -> jax.Array:
    x = _checks.as_array(x)
    if x.ndim != 1:
        hint = "; for a table (N, F) use ja.batch(fn)(key, X)" if x.ndim == 2 else ""
        raise ValueError(f"{where}: x must be one example of shape (F,), got shape {x.shape}{hint}")
    if not (jnp.issubdtype(x.dtype, jnp.floating) or jnp.issubdtype(x.dtype, jnp.integer)):
        raise TypeError(f"{where}: x must be numbers, got dtype {x.dtype}")
    return x.astype(x.dtype if jnp.issubdtype(x.dtype, jnp.floating) else jnp.float32)


def _per_feature(where: str, name: str, value: Any, n: int, default: float, dtype: Any) -> jax.Array:
    """A scalar or an (F,) vector as an (F,) array; None means `default` everywhere."""
    if value is None:
        return jnp.full((n,), default, dtype)
    arr = jnp.asarray(value, dtype)
    if arr.ndim == 0:
        return jnp.full((n,), arr, dtype)
    if arr.shape != (n,):
        raise ValueError(f"{where}: {name} must be a number or have one value per feature ({n},), got shape {arr.shape}")
    return arr


def _inward(bound: jax.Array, dtype: Any, *, up: bool) -> jax.Array:
    """A bound in `dtype`, rounded towards the inside: in bfloat16 an upper bound of 54.2 is
    54.25, and clipping to it would put values above the bound."""
    cast = bound.astype(dtype)
    wide = cast.astype(jnp.float32)
    if up:
        return jnp.where(wide < bound, jnp.nextafter(cast, jnp.asarray(jnp.inf, dtype)), cast)
    return jnp.where(wide > bound, jnp.nextafter(cast, jnp.asarray(-jnp.inf, dtype)), cast)


def _check_scale(where: str, scale: Any) -> None:
    """A per-feature scale must be finite and >= 0 where it is known: NaN would spread over the
    whole column, and a negative scale has no meaning (``fit_scale`` never gives one)."""
    if scale is None or isinstance(scale, jax.core.Tracer):
        return
    values = np.asarray(scale, np.float64)
    bad = ~np.isfinite(values) | (values < 0)
    if np.any(bad):
        where_bad = np.flatnonzero(np.atleast_1d(bad)).tolist()
        raise ValueError(
            f"{where}: scale must be finite and >= 0 for every feature, got {np.atleast_1d(values)[where_bad].tolist()} "
            f"at features {where_bad}; fit_scale(X_train) gives 0 for constant or all-missing columns"
        )


def _check_bounds(where: str, lower: Any, upper: Any) -> None:
    for name, bound in (("lower", lower), ("upper", upper)):
        if bound is not None and not isinstance(bound, jax.core.Tracer) and np.any(np.isnan(np.asarray(bound, np.float64))):
            raise ValueError(f"{where}: {name} must not be NaN (use -inf or inf for no bound), got {bound!r}")
    if lower is None or upper is None or isinstance(lower, jax.core.Tracer) or isinstance(upper, jax.core.Tracer):
        return
    if np.any(np.asarray(lower, np.float64) > np.asarray(upper, np.float64)):
        raise ValueError(f"{where}: lower must be <= upper for every feature, got lower={lower!r}, upper={upper!r}")


def _frozen_mask(where: str, frozen: Any, n: int) -> jax.Array:
    """`frozen` as an (F,) bool mask: None, a bool mask, or a list of feature indices."""
    if frozen is None:
        return jnp.zeros((n,), bool)
    arr = np.asarray(frozen)
    if arr.size == 0:
        return jnp.zeros((n,), bool)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise ValueError(f"{where}: frozen as a mask must have shape ({n},), got {arr.shape}")
        return jnp.asarray(arr)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer) or arr.min() < 0 or arr.max() >= n:
        raise ValueError(f"{where}: frozen must be a bool mask of shape ({n},) or feature indices in [0, {n}), got {frozen!r}")
    return jnp.zeros((n,), bool).at[jnp.asarray(arr, jnp.int32)].set(True)


def feature_noise(
    key: jax.Array,
    x: ArrayLike,
    *,
    noise_std: ArrayLike = 0.02,
    scale: ArrayLike | None = None,
    frozen: Sequence[int] | ArrayLike | None = None,
    lower: ArrayLike | None = None,
    upper: ArrayLike | None = None,
    bounds: str = "clip",
) -> jax.Array:
    """Add Gaussian noise of ``noise_std * scale[f]`` to each feature f, keeping bounds.

    Args:
      key: PRNG key.
      x: (F,) features; NaN (missing) stays NaN.
      noise_std: noise as a fraction of each feature's scale (>= 0; may be traced).
      scale: (F,) per-feature scale, e.g. ``fit_scale(X_train)``; default 1 for every feature.
      frozen: features left unchanged: indices or an (F,) bool mask (static).
      lower, upper: natural bounds, a number or (F,) (use -inf/inf for none).
      bounds: "clip" clips noisy values into [lower, upper]; "redraw" draws the noise from a
        normal truncated to the bounds, so values near a bound are not piled onto it (static).

    Returns:
      (F,) float, within [lower, upper] wherever x was.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import tabular
      >>> x = jnp.array([0.1, 54.0, 1.0])  # INR-like, age, a binary flag
      >>> out = tabular.feature_noise(jax.random.key(0), x, noise_std=0.5, frozen=[2], lower=0.0)
      >>> bool(out[2] == 1.0) and bool((out >= 0).all())
      True
    """
    _checks.check_key("feature_noise", key)
    for name, value in (("scale", scale), ("lower", lower), ("upper", upper)):
        _checks.refuse_bools("feature_noise", name, value)
    x = _features("feature_noise", x)
    if not isinstance(noise_std, jax.core.Tracer):
        _checks.check_nonnegative("feature_noise", "noise_std", noise_std)
    if bounds not in ("clip", "redraw"):
        raise ValueError(f"feature_noise: bounds must be 'clip' or 'redraw', got {bounds!r}")
    n = x.shape[0]
    _check_scale("feature_noise", scale)
    sigma = jnp.asarray(noise_std, x.dtype) * _per_feature("feature_noise", "scale", scale, n, 1.0, x.dtype)
    lo = _inward(_per_feature("feature_noise", "lower", lower, n, -jnp.inf, jnp.float32), x.dtype, up=True)
    hi = _inward(_per_feature("feature_noise", "upper", upper, n, jnp.inf, jnp.float32), x.dtype, up=False)
    _check_bounds("feature_noise", lower, upper)
    frozen_mask = _frozen_mask("feature_noise", frozen, n)
    if bounds == "redraw":
        # Noise in units of sigma, truncated so that x + noise stays in [lo, hi].
        safe_sigma = jnp.where(sigma > 0, sigma, 1.0)
        z_lo = jnp.minimum((lo - x) / safe_sigma, 0.0)
        z_hi = jnp.maximum((hi - x) / safe_sigma, 0.0)
        z = jax.random.truncated_normal(key, jnp.nan_to_num(z_lo, nan=-1.0), jnp.nan_to_num(z_hi, nan=1.0), (n,), x.dtype)
    else:
        z = jax.random.normal(key, (n,), x.dtype)
    noisy = jnp.clip(x + z * sigma, lo, hi)
    # A value already outside its bounds (bad data) is left as it is rather than moved.
    inside = (x >= lo) & (x <= hi)
    return jnp.where(frozen_mask | ~inside | (sigma <= 0), x, noisy)


def feature_dropout(
    key: jax.Array,
    x: ArrayLike,
    *,
    dropout_prob: ArrayLike = 0.05,
    fill: str | float | ArrayLike = "zero",
    frozen: Sequence[int] | ArrayLike | None = None,
    lower: ArrayLike | None = None,
    upper: ArrayLike | None = None,
    return_mask: bool = False,
) -> jax.Array | tuple[jax.Array, jax.Array]:
    """Make each feature missing with probability `dropout_prob`, as in a real record.

    Args:
      key: PRNG key.
      x: (F,) features.
      dropout_prob: probability per feature, in [0, 1] (may be traced).
      fill: what a missing value becomes: "zero", "nan", a number, or an (F,) vector such as the
        training means (static choice).
      frozen: features never dropped: indices or an (F,) bool mask (static).
      lower, upper: natural bounds, a number or (F,): a numeric fill outside them (the default
        zero for an INR bounded below by 0.5) is refused for every feature that can be dropped,
        since it would put an impossible value in the record; use "nan", the training means, or
        freeze the feature.
      return_mask: also return the (F,) bool mask of dropped features (static).

    Returns:
      (F,) float, or ``(values, missing)`` with `return_mask`.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import tabular
      >>> out, missing = tabular.feature_dropout(jax.random.key(0), jnp.ones(6), dropout_prob=0.5, fill="nan", return_mask=True)
      >>> bool((jnp.isnan(out) == missing).all())
      True
    """
    _checks.check_key("feature_dropout", key)
    x = _features("feature_dropout", x)
    dropout_prob = _checks.check_probability("feature_dropout", "dropout_prob", dropout_prob, per_element=True)
    n = x.shape[0]
    if isinstance(fill, str) and fill not in ("zero", "nan"):
        raise ValueError(f"feature_dropout: fill must be 'zero', 'nan', a number or one value per feature, got {fill!r}")
    # Built from static arguments as concrete arrays, even under jit, so that the fill can be
    # checked against the bounds below (under jit they would be tracers and the check fail).
    with jax.ensure_compile_time_eval():
        if isinstance(fill, str):
            fill_values = jnp.full((n,), 0.0 if fill == "zero" else jnp.nan, x.dtype)
        else:
            fill_values = _per_feature("feature_dropout", "fill", fill, n, 0.0, x.dtype)
        frozen_mask = _frozen_mask("feature_dropout", frozen, n)
        _check_bounds("feature_dropout", lower, upper)
        _check_fill_in_bounds(fill_values, frozen_mask, lower, upper, n, x.dtype)
    missing = _checks.bernoulli(key, dropout_prob, (n,)) & ~frozen_mask
    out = jnp.where(missing, fill_values, x)
    return (out, missing) if return_mask else out


def _check_fill_in_bounds(
    fill_values: jax.Array, frozen_mask: jax.Array, lower: Any, upper: Any, n: int, dtype: Any
) -> None:
    if lower is None and upper is None:
        return
    if any(isinstance(v, jax.core.Tracer) for v in (fill_values, lower, upper)):
        return
    lo = np.asarray(_per_feature("feature_dropout", "lower", lower, n, -np.inf, dtype))
    hi = np.asarray(_per_feature("feature_dropout", "upper", upper, n, np.inf, dtype))
    fill = np.asarray(fill_values)
    outside = ~np.isnan(fill) & ((fill < lo) | (fill > hi)) & ~np.asarray(frozen_mask)
    if np.any(outside):
        features = np.flatnonzero(outside).tolist()
        raise ValueError(
            f"feature_dropout: fill {fill[features].tolist()} lies outside the bounds of features {features} "
            f"(lower {lo[features].tolist()}, upper {hi[features].tolist()}); pass fill='nan', fill=the training "
            "means (e.g. X_train.mean(axis=0)), or freeze those features"
        )


def augment(
    key: jax.Array,
    x: ArrayLike,
    noise_std: ArrayLike = 0.02,
    dropout_prob: ArrayLike = 0.05,
    *,
    scale: ArrayLike | None = None,
    frozen: Sequence[int] | ArrayLike | None = None,
    lower: ArrayLike | None = None,
    upper: ArrayLike | None = None,
    bounds: str = "clip",
    fill: str | float | ArrayLike = "zero",
    return_mask: bool = False,
) -> jax.Array | tuple[jax.Array, jax.Array]:
    """Per-feature noise, then feature dropout: the tabular augmentation in one call.

    Args:
      key: PRNG key.
      x: (F,) features of one example.
      noise_std: noise as a fraction of each feature's `scale` (see :func:`feature_noise`).
      dropout_prob: probability that each feature goes missing (see :func:`feature_dropout`).
      scale, frozen, lower, upper, bounds: as in :func:`feature_noise`; frozen features are
        also never dropped.
      fill, return_mask: as in :func:`feature_dropout`; a fill outside [lower, upper] is refused.

    Returns:
      (F,) float, or ``(values, missing)`` with `return_mask`.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> import jaxaug as ja
      >>> from jaxaug import tabular
      >>> X = jnp.array([[63.0, 1.2, 0.0], [45.0, 0.9, 1.0]])
      >>> scale = tabular.fit_scale(X)
      >>> ja.batch(lambda k, x: tabular.augment(k, x, scale=scale, frozen=[2], lower=0.0))(jax.random.key(0), X).shape
      (2, 3)
    """
    _checks.check_key("augment", key)
    k_noise, k_drop = jax.random.split(key)
    noisy = feature_noise(
        k_noise, x, noise_std=noise_std, scale=scale, frozen=frozen, lower=lower, upper=upper, bounds=bounds
    )
    return feature_dropout(
        k_drop,
        noisy,
        dropout_prob=dropout_prob,
        fill=fill,
        frozen=frozen,
        lower=lower,
        upper=upper,
        return_mask=return_mask,
    )


augment_tabular = augment


def _plain(value: Any) -> Any:
    """A number, string or None as is; an array or sequence as a tuple of Python numbers, the
    form a frozen dataclass can hash and a config can store (float32 values are kept exactly)."""
    if value is None or isinstance(value, str):
        return value
    arr = np.asarray(value)
    if arr.ndim == 0:
        return arr.item()
    if arr.ndim != 1:
        raise ValueError(f"Augment: per-feature values must be a number or an (F,) vector, got shape {arr.shape}")
    return tuple(arr.tolist())


@dataclass(frozen=True)
class Augment:
    """:func:`augment` as a frozen dataclass: a config can hold it (``ja.save``, ``ja.to_config``).

    ``Augment(...)(key, x)`` equals ``augment(key, x, ...)`` with the same arguments; see
    :func:`augment`. Arrays (``scale=fit_scale(X)``, per-feature bounds, fill means) are stored
    as tuples of numbers, exactly. Static arguments are checked when it is built.
    Shapes: x (F,) -> (F,) float, or ``(values, missing)`` with `return_mask`.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> from jaxaug import tabular
      >>> X = jnp.array([[63.0, 1.2, 0.0], [45.0, 0.9, 1.0]])
      >>> aug = tabular.Augment(scale=tabular.fit_scale(X), frozen=[2], lower=0.0)
      >>> ja.batch(aug)(jax.random.key(0), X).shape
      (2, 3)
      >>> ja.from_config(ja.to_config(aug)) == aug
      True
    """

    noise_std: float | Sequence[float] = 0.02
    dropout_prob: float | Sequence[float] = 0.05
    scale: Sequence[float] | None = None
    frozen: Sequence[int] | Sequence[bool] | None = None
    lower: float | Sequence[float] | None = None
    upper: float | Sequence[float] | None = None
    bounds: str = "clip"
    fill: str | float | Sequence[float] = "zero"
    return_mask: bool = False

    def __post_init__(self) -> None:
        for name in ("noise_std", "dropout_prob", "scale", "frozen", "lower", "upper", "fill"):
            object.__setattr__(self, name, _plain(getattr(self, name)))
        for v in np.atleast_1d(np.asarray(self.noise_std, np.float64)):
            _checks.check_nonnegative("Augment", "noise_std", v)
        for v in np.atleast_1d(np.asarray(self.dropout_prob, np.float64)):
            _checks.check_probability("Augment", "dropout_prob", v)
        if self.bounds not in ("clip", "redraw"):
            raise ValueError(f"Augment: bounds must be 'clip' or 'redraw', got {self.bounds!r}")
        if isinstance(self.fill, str) and self.fill not in ("zero", "nan"):
            raise ValueError(f"Augment: fill must be 'zero', 'nan', a number or one value per feature, got {self.fill!r}")
        if not isinstance(self.return_mask, bool):
            raise TypeError(f"Augment: return_mask must be True or False, got {self.return_mask!r}")
        _check_scale("Augment", self.scale)
        _check_bounds("Augment", self.lower, self.upper)

    def __call__(self, key: jax.Array, x: ArrayLike) -> jax.Array | tuple[jax.Array, jax.Array]:
        """``augment(key, x, ...)`` with this object's arguments."""
        return augment(
            key,
            x,
            self.noise_std,
            self.dropout_prob,
            scale=self.scale,
            frozen=self.frozen,
            lower=self.lower,
            upper=self.upper,
            bounds=self.bounds,
            fill=self.fill,
            return_mask=self.return_mask,
        )
