"""Random intensity transforms for volumes, named and defaulted like MONAI's array transforms.

Each is a frozen dataclass: ``t(key, volume)`` or ``t(key, volume, label)`` for one
(S0, S1, S2, C) volume; ``t.sample`` and ``t.apply`` are the two halves, and ``ja.batch(t)``
takes a batch (N, S0, S1, S2, C). MONAI's ``prob`` is the probability of applying the
transform; the apply-or-not draw uses its own key, independent of the magnitudes. A label volume
passes through untouched. MONAI's ``dtype`` argument is not taken: the output is float32 for
integer input and the input's float dtype otherwise.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxaug import _checks
from jaxaug._base import Shape, normal_noise, split_key, uniform_vector
from jaxaug._image_transforms import ScaleIntensityRange as _ScaleIntensityRange2D
from jaxaug.volume import _intensity as ops
from jaxaug.volume._transforms import VolumeTransform


def _freeze(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


def _randint(key: jax.Array, low: jax.Array, high: jax.Array, size: int) -> jax.Array:
    """`size` uniform integers in [low, high) (numpy's ``randint``), as int32."""
    u = uniform_vector(key, size)
    low = jnp.asarray(low, jnp.float32)
    span = jnp.asarray(high, jnp.float32) - low
    return (low + jnp.minimum(jnp.floor(u * span), span - 1.0)).astype(jnp.int32)


def _symmetric_range(where: str, name: str, value: Any) -> tuple[float, float]:
    """MONAI's reading of a magnitude: a number v is (-v, v), a pair is sorted."""
    if _checks.is_number(value):
        v = _checks.check_finite(where, name, value)
        return (min(-v, v), max(-v, v))
    if isinstance(value, (list, tuple, np.ndarray)) and len(value) == 2:
        lo, hi = (_checks.check_finite(where, name, v) for v in value)
        return (min(lo, hi), max(lo, hi))
    raise ValueError(f"{where}: {name} must be a number or a (min, max) pair, got {value!r}")


def _positive_range(where: str, name: str, value: Any) -> tuple[float, float]:
    lo, hi = _checks.check_range(where, name, value)
    if lo <= 0:
        raise ValueError(f"{where}: {name} must be > 0, got {value!r}")
    return lo, hi


def _check_bool(where: str, name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name} must be True or False, got {value!r}")


def _check_approx(where: str, approx: str) -> None:
    if approx != "erf":
        raise ValueError(f"{where}: approx must be 'erf' (MONAI's default; 'sampled' and 'scalespace' are not implemented), got {approx!r}")


@functools.partial(jax.jit, static_argnums=0)
def _apply_image(transform: Any, params: Any, volume: jax.Array) -> jax.Array:
    # One compiled function per transform and volume shape: called eagerly, the op-by-op
    # dispatch of a volume op costs seconds of compiling; inside a caller's jit it is inlined.
    return transform.apply_image(params, volume)


class VolumeIntensityTransform(VolumeTransform):
    """A random intensity step for one (S0, S1, S2, C) volume; the label passes through.

    Subclasses define ``apply_image(params, volume)``; it runs compiled once per transform and
    volume shape.
    """

    def apply_image(self, params: Any, image: jax.Array) -> jax.Array:
        raise NotImplementedError

    def apply_pair(self, params: Any, image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        return _apply_image(self, params, image), mask

    def _gate(self, applied: jax.Array, out: jax.Array, volume: jax.Array) -> jax.Array:
        x, out_dtype = ops.work(type(self).__name__, volume)
        return jnp.where(applied, out.astype(x.dtype), x).astype(out_dtype)


@dataclass(frozen=True)
class ScaleIntensityRange(VolumeIntensityTransform, _ScaleIntensityRange2D):
    """Map intensities from [a_min, a_max] to [b_min, b_max]: a CT or MR window on a volume.

    ``ja.ScaleIntensityRange`` (its fields, checks and op) for (S0, S1, S2, C) volumes; the op is
    ``jaxaug.volume.scale_intensity_range``, the same pointwise function as in 2-D. All
    arguments static; a_min < a_max, all finite. Shapes: (S0, S1, S2, C) any real dtype ->
    float (float32 for integers). The label passes through.
    MONAI: ``ScaleIntensityRange(a_min, a_max, b_min, b_max, clip=False)``.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> lung = volume.ScaleIntensityRange(a_min=-1350, a_max=150, clip=True)  # level -600, width 1500
      >>> float(lung(jax.random.key(0), jnp.full((2, 2, 2, 1), -600, jnp.int16))[0, 0, 0, 0])
      0.5
    """

    def apply_image(self, params: Any, image: jax.Array) -> jax.Array:
        return _ScaleIntensityRange2D.apply_image(self, params, image)


@dataclass(frozen=True)
class NormalizeIntensity(VolumeIntensityTransform):
    """Standardise by the volume's mean and std (or given ones); see ``normalize_intensity``.

    Deterministic. Shapes: (S0, S1, S2, C) -> float. All arguments static.
    MONAI: ``NormalizeIntensity(subtrahend=None, divisor=None, nonzero=False,
    channel_wise=False)``; ``nonzero=True, channel_wise=True`` is the usual MRI setting.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> v = jnp.array([0.0, 2.0, 4.0, 6.0]).reshape(1, 2, 2, 1)
      >>> volume.NormalizeIntensity(nonzero=True)(jax.random.key(0), v)[0, 0, 0, 0]
      Array(0., dtype=float32)
    """

    subtrahend: float | Sequence[float] | None = None
    divisor: float | Sequence[float] | None = None
    nonzero: bool = False
    channel_wise: bool = False
    leaves_unit_range = "NormalizeIntensity"

    def __post_init__(self) -> None:
        for name in ("subtrahend", "divisor"):
            value = getattr(self, name)
            if value is not None:
                values = tuple(
                    _checks.check_finite("NormalizeIntensity", name, v) for v in np.atleast_1d(np.asarray(value, dtype=object))
                )
                _freeze(self, name, values[0] if _checks.is_number(value) else values)
        _check_bool("NormalizeIntensity", "nonzero", self.nonzero)
        _check_bool("NormalizeIntensity", "channel_wise", self.channel_wise)

    def apply_image(self, params: Any, image: jax.Array) -> jax.Array:
        return ops.normalize_intensity(image, self.subtrahend, self.divisor, self.nonzero, self.channel_wise)


class Noise(NamedTuple):
    """Whether noise was added, its standard deviation (per channel) and the key of the noise field."""

    apply: jax.Array
    std: jax.Array
    noise_key: jax.Array


@dataclass(frozen=True)
class RandGaussianNoise(VolumeIntensityTransform):
    """Add Gaussian noise ``N(mean, s)``, s drawn from ``U(0, std)`` (or `std` itself).

    Shapes: (S0, S1, S2, C) -> float, in the input's units (std 0.1 suits [0, 1] data; for
    Hounsfield units scale it, e.g. std=20). All arguments static. Pointwise: a NaN stays put.
    MONAI: ``RandGaussianNoise(prob=0.1, mean=0.0, std=0.1, sample_std=True)``.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> volume.RandGaussianNoise(prob=1.0)(jax.random.key(0), jnp.zeros((4, 4, 4, 1))).shape
      (4, 4, 4, 1)
    """

    prob: float = 0.1
    mean: float = 0.0
    std: float = 0.1
    sample_std: bool = True

    def __post_init__(self) -> None:
        _freeze(self, "prob", _checks.check_probability("RandGaussianNoise", "prob", self.prob))
        _freeze(self, "mean", _checks.check_finite("RandGaussianNoise", "mean", self.mean))
        _freeze(self, "std", _checks.check_nonnegative("RandGaussianNoise", "std", self.std))
        _check_bool("RandGaussianNoise", "sample_std", self.sample_std)

    def sample(self, key: jax.Array, shape: Shape) -> Noise:
        k_apply, k_std, k_noise = split_key(key, 3)
        std = jax.random.uniform(k_std, (), minval=0.0, maxval=self.std) if self.sample_std else jnp.asarray(self.std)
        return Noise(_checks.bernoulli(k_apply, self.prob), std, k_noise)

    def apply_image(self, params: Noise, image: jax.Array) -> jax.Array:
        x, _ = ops.work("RandGaussianNoise", image)
        noise = self.mean + params.std.astype(x.dtype) * normal_noise(params.noise_key, x.shape, x.dtype)
        return self._gate(params.apply, x + noise, image)


@dataclass(frozen=True)
class RandRicianNoise(VolumeIntensityTransform):
    """MR magnitude noise: ``sqrt((v + n1)**2 + n2**2)``, n1, n2 ~ ``N(mean, s)``, s ~ ``U(0, std)``.

    With `relative`, s is scaled by the standard deviation of the volume (of each channel with
    `channel_wise`), taken over finite voxels (MONAI: torch's sample std). `mean` and `std` are one
    number, or one per channel with `channel_wise` (each channel then draws its own s).
    Shapes: (S0, S1, S2, C) -> float, >= 0. All arguments static. Pointwise.
    MONAI: ``RandRicianNoise(prob=0.1, mean=0.0, std=1.0, channel_wise=False, relative=False,
    sample_std=True)``.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> out = volume.RandRicianNoise(prob=1.0, std=5.0)(jax.random.key(0), jnp.full((4, 4, 4, 1), 100.0))
      >>> bool((out >= 0).all())
      True
    """

    prob: float = 0.1
    mean: float | Sequence[float] = 0.0
    std: float | Sequence[float] = 1.0
    channel_wise: bool = False
    relative: bool = False
    sample_std: bool = True

    def __post_init__(self) -> None:
        where = "RandRicianNoise"
        _freeze(self, "prob", _checks.check_probability(where, "prob", self.prob))
        _check_bool(where, "channel_wise", self.channel_wise)
        _check_bool(where, "relative", self.relative)
        _check_bool(where, "sample_std", self.sample_std)
        for name, check in (("mean", _checks.check_finite), ("std", _checks.check_nonnegative)):
            value = getattr(self, name)
            if _checks.is_number(value):
                _freeze(self, name, check(where, name, value))
            elif not self.channel_wise:
                raise ValueError(f"{where}: {name} must be one number unless channel_wise=True, got {value!r}")
            else:
                _freeze(self, name, tuple(check(where, name, v) for v in value))

    def sample(self, key: jax.Array, shape: Shape) -> Noise:
        k_apply, k_std, k_noise = split_key(key, 3)
        draws = shape[-1] if self.channel_wise else 1
        u = uniform_vector(k_std, draws) if self.sample_std else jnp.ones((draws,))
        std = u * jnp.asarray(_checks.channel_values("RandRicianNoise", "std", self.std, draws), jnp.float32)
        return Noise(_checks.bernoulli(k_apply, self.prob), std, k_noise)

    def apply_image(self, params: Noise, image: jax.Array) -> jax.Array:
        x, _ = ops.work("RandRicianNoise", image)
        channels = x.shape[-1]
        std = jnp.broadcast_to(params.std.astype(x.dtype), (channels,)).reshape(1, 1, 1, channels)
        if self.relative:
            axes = (0, 1, 2) if self.channel_wise else None
            std = std * ops.finite_mean_std(x, axes, ddof=1)[1]
        mean = jnp.asarray(_checks.channel_values("RandRicianNoise", "mean", self.mean, channels), x.dtype).reshape(1, 1, 1, channels)
        k1, k2 = split_key(params.noise_key, 2)
        n1 = mean + std * normal_noise(k1, x.shape, x.dtype)
        n2 = mean + std * normal_noise(k2, x.shape, x.dtype)
        return self._gate(params.apply, jnp.sqrt((x + n1) ** 2 + n2**2), image)


class Factor(NamedTuple):
    """Whether the step fired and its drawn value (one, or one per channel)."""

    apply: jax.Array
    value: jax.Array


@dataclass(frozen=True)
class RandShiftIntensity(VolumeIntensityTransform):
    """Add an offset drawn from ``U(offsets)``; a number v means ``(-v, v)``.

    With `channel_wise` each channel draws its own offset. Shapes: (S0, S1, S2, C) -> float;
    all arguments static. `safe` is accepted for MONAI's signature and does nothing: the output
    is float, so nothing wraps. Pointwise. Functional op: ``shift_intensity``.
    MONAI: ``RandShiftIntensity(offsets, safe=False, prob=0.1, channel_wise=False)``.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> out = volume.RandShiftIntensity((10, 20), prob=1.0)(jax.random.key(0), jnp.zeros((2, 2, 2, 1)))
      >>> bool(10 <= out[0, 0, 0, 0] <= 20)
      True
    """

    offsets: float | Sequence[float]
    safe: bool = False
    prob: float = 0.1
    channel_wise: bool = False

    def __post_init__(self) -> None:
        _freeze(self, "offsets", _symmetric_range("RandShiftIntensity", "offsets", self.offsets))
        _freeze(self, "prob", _checks.check_probability("RandShiftIntensity", "prob", self.prob))
        _check_bool("RandShiftIntensity", "safe", self.safe)
        _check_bool("RandShiftIntensity", "channel_wise", self.channel_wise)

    def sample(self, key: jax.Array, shape: Shape) -> Factor:
        k_apply, k_value = split_key(key, 2)
        value = uniform_vector(k_value, shape[-1] if self.channel_wise else 1, *self.offsets)
        return Factor(_checks.bernoulli(k_apply, self.prob), value)

    def apply_image(self, params: Factor, image: jax.Array) -> jax.Array:
        offset = jnp.broadcast_to(params.value, (image.shape[-1],))
        return self._gate(params.apply, ops.shift_intensity(image, offset), image)


@dataclass(frozen=True)
class RandScaleIntensity(VolumeIntensityTransform):
    """Multiply by ``1 + factor``, factor drawn from ``U(factors)``; a number v means ``(-v, v)``.

    With `channel_wise` each channel draws its own factor. Shapes: (S0, S1, S2, C) -> float; all
    arguments static. Pointwise. Functional op: ``scale_intensity(v, None, None, factor)``.
    MONAI: ``RandScaleIntensity(factors, prob=0.1, channel_wise=False)``.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> out = volume.RandScaleIntensity((0.5, 0.5), prob=1)(jax.random.key(0), jnp.ones((2, 2, 2, 1)))
      >>> float(out[0, 0, 0, 0])
      1.5
    """

    factors: float | Sequence[float]
    prob: float = 0.1
    channel_wise: bool = False

    def __post_init__(self) -> None:
        _freeze(self, "factors", _symmetric_range("RandScaleIntensity", "factors", self.factors))
        _freeze(self, "prob", _checks.check_probability("RandScaleIntensity", "prob", self.prob))
        _check_bool("RandScaleIntensity", "channel_wise", self.channel_wise)

    def sample(self, key: jax.Array, shape: Shape) -> Factor:
        k_apply, k_value = split_key(key, 2)
        value = uniform_vector(k_value, shape[-1] if self.channel_wise else 1, *self.factors)
        return Factor(_checks.bernoulli(k_apply, self.prob), value)

    def apply_image(self, params: Factor, image: jax.Array) -> jax.Array:
        factor = jnp.broadcast_to(params.value, (image.shape[-1],))
        return self._gate(params.apply, ops.scale_intensity(image, None, None, factor), image)


def bias_field_terms(degree: int) -> np.ndarray:
    """The (i, j, k) Legendre degrees of a 3-D bias field with i + j + k <= degree, MONAI's order."""
    return np.array(
        [(i, j, k) for i in range(degree + 1) for j in range(degree + 1 - i) for k in range(degree + 1 - i - j)]
    )


def _legendre(n: int, degree: int, dtype: Any) -> jax.Array:
    """(n, degree + 1): Legendre polynomials P_0..P_degree at ``linspace(-1, 1, n)``."""
    t = jnp.linspace(-1.0, 1.0, n, dtype=dtype)
    values = [jnp.ones_like(t), t]
    for d in range(1, degree):
        values.append(((2 * d + 1) * t * values[d] - d * values[d - 1]) / (d + 1))
    return jnp.stack(values[: degree + 1], axis=-1)


def bias_field(shape: Sequence[int], degree: int, coeff: ArrayLike, dtype: Any = jnp.float32) -> jax.Array:
    """The log bias field ``sum c_ijk P_i(x) P_j(y) P_k(z)`` on a (S0, S1, S2) grid over [-1, 1]^3."""
    terms = bias_field_terms(degree)
    coeff = jnp.asarray(coeff, dtype)
    grid = jnp.zeros((degree + 1,) * 3, dtype).at[terms[:, 0], terms[:, 1], terms[:, 2]].set(coeff)
    p0, p1, p2 = (_legendre(n, degree, dtype) for n in shape[:3])
    return jnp.einsum("abc,ia,jb,kc->ijk", grid, p0, p1, p2)


class Coefficients(NamedTuple):
    """Whether the bias field was applied, and its Legendre coefficients (MONAI's order)."""

    apply: jax.Array
    coeff: jax.Array


@dataclass(frozen=True)
class RandBiasField(VolumeIntensityTransform):
    """Multiply by a smooth field ``exp(sum c_ijk P_i P_j P_k)``: MR coil inhomogeneity.

    The sum runs over Legendre polynomial degrees i + j + k <= `degree` on [-1, 1] along each
    spatial axis; each of the ``(degree+1)(degree+2)(degree+3)/6`` coefficients is drawn from
    ``U(coeff_range)`` (the constant term too, so the field also scales the whole volume).
    The same field multiplies every channel. Shapes: (S0, S1, S2, C) -> float; all arguments
    static; degree >= 1 as in MONAI. Pointwise.
    MONAI: ``RandBiasField(degree=3, coeff_range=(0.0, 0.1), prob=0.1)``.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> volume.RandBiasField(prob=1.0)(jax.random.key(0), jnp.ones((6, 7, 5, 1))).shape
      (6, 7, 5, 1)
    """

    degree: int = 3
    coeff_range: Sequence[float] = (0.0, 0.1)
    prob: float = 0.1

    def __post_init__(self) -> None:
        if not _checks.is_int(self.degree) or self.degree < 1:
            raise ValueError(f"RandBiasField: degree must be an int >= 1, got {self.degree!r}")
        _freeze(self, "degree", int(self.degree))
        _freeze(self, "coeff_range", _checks.check_range("RandBiasField", "coeff_range", self.coeff_range))
        _freeze(self, "prob", _checks.check_probability("RandBiasField", "prob", self.prob))

    def sample(self, key: jax.Array, shape: Shape) -> Coefficients:
        k_apply, k_coeff = split_key(key, 2)
        coeff = uniform_vector(k_coeff, len(bias_field_terms(self.degree)), *self.coeff_range)
        return Coefficients(_checks.bernoulli(k_apply, self.prob), coeff)

    def apply_image(self, params: Coefficients, image: jax.Array) -> jax.Array:
        x, _ = ops.work("RandBiasField", image)
        field = jnp.exp(bias_field(x.shape, self.degree, params.coeff, x.dtype))
        return self._gate(params.apply, x * field[..., None], image)


@dataclass(frozen=True)
class RandAdjustContrast(VolumeIntensityTransform):
    """Gamma on the volume's own range, gamma drawn from ``U(gamma)``; see ``adjust_contrast``.

    A number g means ``(0.5, g)`` and must exceed 0.5; a pair is sorted, both > 0. min and range
    come from the finite voxels, so a NaN voxel stays put. Shapes: (S0, S1, S2, C) -> float;
    all arguments static.
    MONAI: ``RandAdjustContrast(prob=0.1, gamma=(0.5, 4.5), invert_image=False,
    retain_stats=False)``.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> v = jnp.linspace(0.0, 100.0, 8).reshape(2, 2, 2, 1)
      >>> volume.RandAdjustContrast(prob=1.0, gamma=(2.0, 2.0))(jax.random.key(0), v)[1, 1, 1, 0]
      Array(100., dtype=float32)
    """

    prob: float = 0.1
    gamma: float | Sequence[float] = (0.5, 4.5)
    invert_image: bool = False
    retain_stats: bool = False

    def __post_init__(self) -> None:
        where = "RandAdjustContrast"
        _freeze(self, "prob", _checks.check_probability(where, "prob", self.prob))
        if _checks.is_number(self.gamma):
            g = _checks.check_finite(where, "gamma", self.gamma)
            if g <= 0.5:
                raise ValueError(f"{where}: a single gamma g means (0.5, g) and must be > 0.5, got {self.gamma!r}")
            _freeze(self, "gamma", (0.5, g))
        else:
            _freeze(self, "gamma", _positive_range(where, "gamma", tuple(sorted(_symmetric_range(where, "gamma", self.gamma)))))
        _check_bool(where, "invert_image", self.invert_image)
        _check_bool(where, "retain_stats", self.retain_stats)

    def sample(self, key: jax.Array, shape: Shape) -> Factor:
        k_apply, k_gamma = split_key(key, 2)
        gamma = jax.random.uniform(k_gamma, (), minval=self.gamma[0], maxval=self.gamma[1])
        return Factor(_checks.bernoulli(k_apply, self.prob), gamma)

    def apply_image(self, params: Factor, image: jax.Array) -> jax.Array:
        out = ops.adjust_contrast(image, params.value, self.invert_image, self.retain_stats)
        return self._gate(params.apply, out, image)


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
            _freeze(self, name, _positive_range("RandGaussianSmooth", name, getattr(self, name)))
        _freeze(self, "prob", _checks.check_probability("RandGaussianSmooth", "prob", self.prob))
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
            first = _positive_range(where, f"sigma1_{axis}", getattr(self, f"sigma1_{axis}"))
            _freeze(self, f"sigma1_{axis}", first)
            second = getattr(self, f"sigma2_{axis}")
            if _checks.is_number(second):
                s = _checks.check_finite(where, f"sigma2_{axis}", second)
                if not 0 < s <= first[0]:
                    raise ValueError(
                        f"{where}: sigma2_{axis}={second!r} is drawn from (sigma2_{axis}, sigma1) and must lie in "
                        f"(0, {first[0]}], the lower bound of sigma1_{axis}"
                    )
                _freeze(self, f"sigma2_{axis}", s)
            else:
                _freeze(self, f"sigma2_{axis}", _positive_range(where, f"sigma2_{axis}", second))
        _freeze(self, "alpha", _checks.check_range(where, "alpha", self.alpha))
        _check_approx(where, self.approx)
        _freeze(self, "prob", _checks.check_probability(where, "prob", self.prob))

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
        _freeze(self, "num_control_points", (int(min(pair)), int(max(pair))))
        _freeze(self, "prob", _checks.check_probability(where, "prob", self.prob))

    def sample(self, key: jax.Array, shape: Shape) -> ControlPoints:
        k_apply, k_count, k_moves = split_key(key, 3)
        lo, hi = self.num_control_points
        n = _randint(k_count, lo, hi + 1, 1)[0].astype(jnp.float32)
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
        _freeze(self, "prob", _checks.check_probability(where, "prob", self.prob))
        alpha = (0.0, self.alpha) if _checks.is_number(self.alpha) else self.alpha
        _freeze(self, "alpha", _checks.check_range(where, "alpha", alpha, low=0.0, high=1.0))

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
        _freeze(self, "prob", _checks.check_probability(where, "prob", self.prob))
        _check_bool(where, "channel_wise", self.channel_wise)
        r = self.intensity_range
        if r is not None:
            if isinstance(r, (list, tuple)) and len(r) > 0 and isinstance(r[0], (list, tuple, np.ndarray)):
                _freeze(self, "intensity_range", tuple(_checks.check_range(where, "intensity_range", p) for p in r))
            else:
                _freeze(self, "intensity_range", _checks.check_range(where, "intensity_range", r))

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
        _freeze(self, "spatial_size", _spatial_triple(where, "spatial_size", self.spatial_size))
        if self.max_spatial_size is not None:
            _freeze(self, "max_spatial_size", _spatial_triple(where, "max_spatial_size", self.max_spatial_size))
        _check_bool(where, "dropout_holes", self.dropout_holes)
        if self.fill_value is not None:
            if _checks.is_number(self.fill_value):
                _freeze(self, "fill_value", _checks.check_finite(where, "fill_value", self.fill_value))
            else:
                _freeze(self, "fill_value", _checks.check_range(where, "fill_value", self.fill_value))
        _freeze(self, "prob", _checks.check_probability(where, "prob", self.prob))

    def sample(self, key: jax.Array, shape: Shape) -> Holes:
        k_apply, k_count, k_size, k_corner, k_noise = split_key(key, 5)
        most = self.holes if self.max_holes is None else self.max_holes
        count = jnp.asarray(self.holes) if self.max_holes is None else _randint(k_count, self.holes, most + 1, 1)[0]
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
