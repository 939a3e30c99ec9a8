"""Random intensity transforms for volumes, named and defaulted like MONAI's array transforms:
windows, normalisation, noise, shift and scale, bias field, gamma (filters and artefacts are in
``_artefact_transforms.py``).

Each is a frozen dataclass: ``t(key, volume)`` or ``t(key, volume, label)`` for one
(S0, S1, S2, C) volume; ``t.sample`` and ``t.apply`` are the two halves, and ``ja.batch(t)``
takes a batch (N, S0, S1, S2, C). MONAI's ``prob`` is the probability of applying the
transform; the apply-or-not draw uses its own key, independent of the magnitudes. A label volume
passes through untouched. MONAI's ``dtype`` argument is not taken: the output is float32 for
integer input and the input's float dtype otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxaug import _checks
from jaxaug._base import Shape, fast_normal_noise, split_key, uniform_vector
from jaxaug._image_transforms import ScaleIntensityRange as _ScaleIntensityRange2D
from jaxaug.volume import _intensity as ops
from jaxaug.volume._transforms import VolumeTransform


def freeze(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


def randint(key: jax.Array, low: jax.Array, high: jax.Array, size: int) -> jax.Array:
    """`size` uniform integers in [low, high) (numpy's ``randint``), as int32."""
    u = uniform_vector(key, size)
    low = jnp.asarray(low, jnp.float32)
    span = jnp.asarray(high, jnp.float32) - low
    return (low + jnp.minimum(jnp.floor(u * span), span - 1.0)).astype(jnp.int32)


def symmetric_range(where: str, name: str, value: Any) -> tuple[float, float]:
    """MONAI's reading of a magnitude: a number v is (-v, v), a pair is sorted."""
    if _checks.is_number(value):
        v = _checks.check_finite(where, name, value)
        return (min(-v, v), max(-v, v))
    if isinstance(value, (list, tuple, np.ndarray)) and len(value) == 2:
        lo, hi = (_checks.check_finite(where, name, v) for v in value)
        return (min(lo, hi), max(lo, hi))
    raise ValueError(f"{where}: {name} must be a number or a (min, max) pair, got {value!r}")


def positive_range(where: str, name: str, value: Any) -> tuple[float, float]:
    lo, hi = _checks.check_range(where, name, value)
    if lo <= 0:
        raise ValueError(f"{where}: {name} must be > 0, got {value!r}")
    return lo, hi


def check_bool(where: str, name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name} must be True or False, got {value!r}")


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
                freeze(self, name, values[0] if _checks.is_number(value) else values)
        check_bool("NormalizeIntensity", "nonzero", self.nonzero)
        check_bool("NormalizeIntensity", "channel_wise", self.channel_wise)

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
    The noise uses both words of each threefry block (``jaxaug._base.fast_normal_noise``, 3x
    cheaper on a CPU than ``jax.random.normal``, whose values it does not reproduce); with a
    non-threefry key (``impl="rbg"``) or float64 it is ``jax.random.normal``'s.
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
        freeze(self, "prob", _checks.check_probability("RandGaussianNoise", "prob", self.prob))
        freeze(self, "mean", _checks.check_finite("RandGaussianNoise", "mean", self.mean))
        freeze(self, "std", _checks.check_nonnegative("RandGaussianNoise", "std", self.std))
        check_bool("RandGaussianNoise", "sample_std", self.sample_std)

    def sample(self, key: jax.Array, shape: Shape) -> Noise:
        k_apply, k_std, k_noise = split_key(key, 3)
        std = jax.random.uniform(k_std, (), minval=0.0, maxval=self.std) if self.sample_std else jnp.asarray(self.std)
        return Noise(_checks.bernoulli(k_apply, self.prob), std, k_noise)

    def apply_image(self, params: Noise, image: jax.Array) -> jax.Array:
        x, _ = ops.work("RandGaussianNoise", image)
        noise = self.mean + params.std.astype(x.dtype) * fast_normal_noise(params.noise_key, x.shape, x.dtype)
        return self._gate(params.apply, x + noise, image)


@dataclass(frozen=True)
class RandRicianNoise(VolumeIntensityTransform):
    """MR magnitude noise: ``sqrt((v + n1)**2 + n2**2)``, n1, n2 ~ ``N(mean, s)``, s ~ ``U(0, std)``.

    With `relative`, s is scaled by the standard deviation of the volume (of each channel with
    `channel_wise`), taken over finite voxels (MONAI: torch's sample std). `mean` and `std` are one
    number, or one per channel with `channel_wise` (each channel then draws its own s).
    Shapes: (S0, S1, S2, C) -> float, >= 0. All arguments static. Pointwise. The two noise
    fields are drawn as RandGaussianNoise's (``jaxaug._base.fast_normal_noise``).
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
        freeze(self, "prob", _checks.check_probability(where, "prob", self.prob))
        check_bool(where, "channel_wise", self.channel_wise)
        check_bool(where, "relative", self.relative)
        check_bool(where, "sample_std", self.sample_std)
        for name, check in (("mean", _checks.check_finite), ("std", _checks.check_nonnegative)):
            value = getattr(self, name)
            if _checks.is_number(value):
                freeze(self, name, check(where, name, value))
            elif not self.channel_wise:
                raise ValueError(f"{where}: {name} must be one number unless channel_wise=True, got {value!r}")
            else:
                freeze(self, name, tuple(check(where, name, v) for v in value))

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
        n1 = mean + std * fast_normal_noise(k1, x.shape, x.dtype)
        n2 = mean + std * fast_normal_noise(k2, x.shape, x.dtype)
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
        freeze(self, "offsets", symmetric_range("RandShiftIntensity", "offsets", self.offsets))
        freeze(self, "prob", _checks.check_probability("RandShiftIntensity", "prob", self.prob))
        check_bool("RandShiftIntensity", "safe", self.safe)
        check_bool("RandShiftIntensity", "channel_wise", self.channel_wise)

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
        freeze(self, "factors", symmetric_range("RandScaleIntensity", "factors", self.factors))
        freeze(self, "prob", _checks.check_probability("RandScaleIntensity", "prob", self.prob))
        check_bool("RandScaleIntensity", "channel_wise", self.channel_wise)

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
        freeze(self, "degree", int(self.degree))
        freeze(self, "coeff_range", _checks.check_range("RandBiasField", "coeff_range", self.coeff_range))
        freeze(self, "prob", _checks.check_probability("RandBiasField", "prob", self.prob))

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
        freeze(self, "prob", _checks.check_probability(where, "prob", self.prob))
        if _checks.is_number(self.gamma):
            g = _checks.check_finite(where, "gamma", self.gamma)
            if g <= 0.5:
                raise ValueError(f"{where}: a single gamma g means (0.5, g) and must be > 0.5, got {self.gamma!r}")
            freeze(self, "gamma", (0.5, g))
        else:
            freeze(self, "gamma", positive_range(where, "gamma", tuple(sorted(symmetric_range(where, "gamma", self.gamma)))))
        check_bool(where, "invert_image", self.invert_image)
        check_bool(where, "retain_stats", self.retain_stats)

    def sample(self, key: jax.Array, shape: Shape) -> Factor:
        k_apply, k_gamma = split_key(key, 2)
        gamma = jax.random.uniform(k_gamma, (), minval=self.gamma[0], maxval=self.gamma[1])
        return Factor(_checks.bernoulli(k_apply, self.prob), gamma)

    def apply_image(self, params: Factor, image: jax.Array) -> jax.Array:
        out = ops.adjust_contrast(image, params.value, self.invert_image, self.retain_stats)
        return self._gate(params.apply, out, image)
