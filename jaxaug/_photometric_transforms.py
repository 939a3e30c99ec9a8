"""Random photometric transforms of torchvision.transforms.v2: the point ops (each applies a
fixed op with probability p), GaussianNoise, RandomChannelPermutation, RandomPhotometricDistort.

Natural-image tools: posterize, solarize, equalize, autocontrast and invert change the grey
levels a reader interprets (density on a radiograph, stain intensity on a slide), so the chest
X-ray and histopathology presets use none of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp

from jaxaug import _checks
from jaxaug._base import PixelTransform, Shape, split_key
from jaxaug._image_transforms import Apply, _as_tuple, _freeze
from jaxaug.image import _color, _photometric
from jaxaug.image._color import to_float


class _RandomPointOp(PixelTransform):
    """Apply ``self._op(image)`` with probability `p` (a field of the subclass)."""

    def _op(self, image: jax.Array) -> jax.Array:
        raise NotImplementedError

    def sample(self, key: jax.Array, shape: Shape) -> Apply:
        return Apply(_checks.bernoulli(key, self.p))  # type: ignore[attr-defined]

    def apply_image(self, params: Apply, image: jax.Array) -> jax.Array:
        out = self._op(image)
        return jnp.where(params.apply, out, to_float(image).astype(out.dtype))


@dataclass(frozen=True)
class RandomPosterize(_RandomPointOp):
    """Keep the `bits` most significant bits of each value, with probability `p`.

    Shapes: (H, W, C) -> (H, W, C) float; `bits` (an int in [0, 8]) and `p` are static.
    uint8 values are masked, floats quantised, as ``jaxaug.image.posterize``.
    torchvision: ``T.RandomPosterize(bits, p=0.5)``. Not for radiographs or slides: fewer grey
    levels erase subtle density and stain differences.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> out = ja.RandomPosterize(bits=1, p=1)(jax.random.key(0), jnp.full((1, 1, 1), 200, jnp.uint8))
      >>> out * 255
      Array([[[128.]]], dtype=float32)
    """

    bits: int
    p: float = 0.5

    def __post_init__(self) -> None:
        if not _checks.is_int(self.bits) or not 0 <= self.bits <= 8:
            raise ValueError(f"RandomPosterize: bits must be an integer in [0, 8], got {self.bits!r}")
        _freeze(self, "bits", int(self.bits))
        _freeze(self, "p", _checks.check_probability("RandomPosterize", "p", self.p))

    def _op(self, image: jax.Array) -> jax.Array:
        return _photometric.posterize(image, self.bits)


@dataclass(frozen=True)
class RandomSolarize(_RandomPointOp):
    """Invert every value at or above `threshold`, with probability `p`.

    `threshold` is a value of the input image, like a fill: 0..255 for uint8 input, 0..1 for
    floats (in a Compose, the pipeline input's units until ToFloat, as for fills).
    Shapes: (H, W, C) -> (H, W, C) float; `threshold` and `p` are static.
    torchvision: ``T.RandomSolarize(threshold, p=0.5)``. Not for radiographs or slides: it
    turns bright structures dark.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> img = jnp.array([[[10], [200]]], jnp.uint8)
      >>> jnp.round(ja.RandomSolarize(128, p=1)(jax.random.key(0), img)[..., 0] * 255)
      Array([[10., 55.]], dtype=float32)
    """

    threshold: float
    p: float = 0.5
    # The threshold is a value of the input image (255 is white for uint8), like a fill.
    input_unit_fields = ("threshold",)

    def __post_init__(self) -> None:
        _freeze(self, "threshold", _checks.check_finite("RandomSolarize", "threshold", self.threshold))
        _freeze(self, "p", _checks.check_probability("RandomSolarize", "p", self.p))

    def _op(self, image: jax.Array) -> jax.Array:
        bound = 255.0 if image.dtype == jnp.uint8 else 1.0
        if self.threshold > bound:
            raise ValueError(
                f"RandomSolarize: threshold {self.threshold:g} is above the maximum {bound:g} of a {image.dtype} "
                "image; it is a value of the input image (0..255 for uint8, 0..1 for floats)"
            )
        return _photometric.solarize(image, self.threshold)


@dataclass(frozen=True)
class RandomEqualize(_RandomPointOp):
    """Equalize each channel's histogram of uint8 levels, with probability `p`.

    Shapes: (H, W, C) -> (H, W, C) float; `p` is static. Floats are binned to uint8 levels
    first, as ``jaxaug.image.equalize``. torchvision: ``T.RandomEqualize(p=0.5)``. Not for
    radiographs or slides: it remaps densities and stain intensities image by image.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.RandomEqualize(p=1)(jax.random.key(0), jnp.zeros((8, 8, 3), jnp.uint8)).shape
      (8, 8, 3)
    """

    p: float = 0.5

    def __post_init__(self) -> None:
        _freeze(self, "p", _checks.check_probability("RandomEqualize", "p", self.p))

    def _op(self, image: jax.Array) -> jax.Array:
        return _photometric.equalize(image)


@dataclass(frozen=True)
class RandomAutocontrast(_RandomPointOp):
    """Stretch each channel to the full range, with probability `p`.

    Shapes: (H, W, C) -> (H, W, C) float, C in {1, 3}; `p` is static.
    torchvision: ``T.RandomAutocontrast(p=0.5)``. On radiographs it changes absolute density
    (a window per image); prefer a fixed window.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.RandomAutocontrast(p=1)(jax.random.key(0), jnp.array([[[0.2], [0.6]]]))[..., 0]
      Array([[0., 1.]], dtype=float32)
    """

    p: float = 0.5

    def __post_init__(self) -> None:
        _freeze(self, "p", _checks.check_probability("RandomAutocontrast", "p", self.p))

    def _op(self, image: jax.Array) -> jax.Array:
        return _photometric.autocontrast(image)


@dataclass(frozen=True)
class RandomAdjustSharpness(_RandomPointOp):
    """Sharpen (factor > 1) or soften (factor < 1) with a 3x3 kernel, with probability `p`.

    Shapes: (H, W, C) -> (H, W, C) float, C in {1, 3}; `sharpness_factor` and `p` are static.
    torchvision: ``T.RandomAdjustSharpness(sharpness_factor, p=0.5)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.RandomAdjustSharpness(2.0, p=1)(jax.random.key(0), jnp.ones((8, 8, 3))).shape
      (8, 8, 3)
    """

    sharpness_factor: float
    p: float = 0.5

    def __post_init__(self) -> None:
        factor = _checks.check_nonnegative("RandomAdjustSharpness", "sharpness_factor", self.sharpness_factor)
        _freeze(self, "sharpness_factor", factor)
        _freeze(self, "p", _checks.check_probability("RandomAdjustSharpness", "p", self.p))

    def _op(self, image: jax.Array) -> jax.Array:
        return _photometric.adjust_sharpness(image, self.sharpness_factor)


@dataclass(frozen=True)
class RandomInvert(_RandomPointOp):
    """Invert the values (max - v), with probability `p`.

    Shapes: (H, W, C) -> (H, W, C) float; `p` is static. torchvision: ``T.RandomInvert(p=0.5)``.
    Not for radiographs: inverted polarity is a different display convention, not a new view.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.RandomInvert(p=1)(jax.random.key(0), jnp.full((1, 1, 1), 0.25))
      Array([[[0.75]]], dtype=float32)
    """

    p: float = 0.5

    def __post_init__(self) -> None:
        _freeze(self, "p", _checks.check_probability("RandomInvert", "p", self.p))

    def _op(self, image: jax.Array) -> jax.Array:
        return _photometric.invert(image)


__all__ = [
    "RandomAdjustSharpness",
    "RandomAutocontrast",
    "RandomEqualize",
    "RandomInvert",
    "RandomPosterize",
    "RandomSolarize",
]


class NoiseKey(NamedTuple):
    """GaussianNoise's draw: the key its noise comes from (replayed exactly by ``apply``)."""

    key: jax.Array


@dataclass(frozen=True)
class GaussianNoise(PixelTransform):
    """Add Gaussian noise ``N(mean, sigma**2)``, a new draw per pixel and per call.

    Shapes: (H, W, C) -> (H, W, C) float; `mean` and `sigma` are in [0, 1] units whatever the
    dtype (uint8 is converted first and never wraps), `clip` is static.
    torchvision: ``T.GaussianNoise(mean=0.0, sigma=0.1, clip=True)``; see
    :func:`jaxaug.image.gaussian_noise` for how uint8 differs.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.GaussianNoise(sigma=0.05)(jax.random.key(0), jnp.full((8, 8, 3), 0.5)).shape
      (8, 8, 3)
    """

    mean: float = 0.0
    sigma: float = 0.1
    clip: bool = True

    @property
    def clamps_to_unit_range(self) -> bool:  # type: ignore[override]
        return self.clip

    @property
    def leaves_unit_range(self) -> str:  # type: ignore[override]
        return "" if self.clip else "GaussianNoise(clip=False)"

    def __post_init__(self) -> None:
        _freeze(self, "mean", _checks.check_finite("GaussianNoise", "mean", self.mean))
        _freeze(self, "sigma", _checks.check_nonnegative("GaussianNoise", "sigma", self.sigma))
        if not isinstance(self.clip, bool):
            raise TypeError(f"GaussianNoise: clip must be True or False, got {self.clip!r}")

    def sample(self, key: jax.Array, shape: Shape) -> NoiseKey:
        return NoiseKey(key)

    def apply_image(self, params: NoiseKey, image: jax.Array) -> jax.Array:
        return _photometric.gaussian_noise(params.key, image, mean=self.mean, sigma=self.sigma, clip=self.clip)


class Permutation(NamedTuple):
    """A drawn channel order: output channel i is input channel ``permutation[i]``."""

    permutation: jax.Array


@dataclass(frozen=True)
class RandomChannelPermutation(PixelTransform):
    """Shuffle the channels in a uniformly drawn order (RGB becomes e.g. BRG).

    Shapes: (H, W, C) -> (H, W, C) float, any C (one channel: the identity); no arguments, the
    order is drawn per example. torchvision: ``T.RandomChannelPermutation()``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.RandomChannelPermutation()(jax.random.key(0), jnp.ones((4, 4, 3))).shape
      (4, 4, 3)
    """

    def sample(self, key: jax.Array, shape: Shape) -> Permutation:
        return Permutation(jax.random.permutation(key, shape[-1]))

    def apply_image(self, params: Permutation, image: jax.Array) -> jax.Array:
        return to_float(_photometric.permute_channels(image, params.permutation))


class Distortion(NamedTuple):
    """RandomPhotometricDistort's draw.

    ``applied`` says which of (brightness, contrast, saturation, hue, channel permutation) run;
    contrast runs before saturation and hue if ``contrast_before``, else after them.
    """

    applied: jax.Array
    brightness: jax.Array
    contrast: jax.Array
    saturation: jax.Array
    hue: jax.Array
    contrast_before: jax.Array
    permutation: jax.Array


@dataclass(frozen=True)
class RandomPhotometricDistort(PixelTransform):
    """SSD's photometric distortion: brightness, contrast, saturation, hue, channel order.

    Each of the five is applied independently with probability `p`, its factor drawn uniformly
    from its range. The order is brightness, then contrast either first (probability 1/2) or
    after saturation and hue, then the channel permutation, as torchvision's. The ops are
    ``jaxaug.image``'s (the ones ColorJitter runs), computed in float, where torchvision
    re-quantises uint8 input after each op.

    Shapes: (H, W, C) -> (H, W, C) float, C in {1, 3} (saturation and hue leave gray alone).
    The ranges and `p` are static (checked when built); the draws are per example.
    torchvision: ``T.RandomPhotometricDistort(brightness=(0.875, 1.125), contrast=(0.5, 1.5),
    saturation=(0.5, 1.5), hue=(-0.05, 0.05), p=0.5)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.RandomPhotometricDistort()(jax.random.key(0), jnp.full((8, 8, 3), 0.5)).shape
      (8, 8, 3)
    """

    brightness: Sequence[float] = (0.875, 1.125)
    contrast: Sequence[float] = (0.5, 1.5)
    saturation: Sequence[float] = (0.5, 1.5)
    hue: Sequence[float] = (-0.05, 0.05)
    p: float = 0.5
    clamps_to_unit_range = True

    def __post_init__(self) -> None:
        where = "RandomPhotometricDistort"
        for name in ("brightness", "contrast", "saturation"):
            _freeze(self, name, _checks.check_range(where, name, _as_tuple(getattr(self, name)), low=0.0))
        _freeze(self, "hue", _checks.check_range(where, "hue", _as_tuple(self.hue), low=-0.5, high=0.5))
        _freeze(self, "p", _checks.check_probability(where, "p", self.p))

    def sample(self, key: jax.Array, shape: Shape) -> Distortion:
        k_applied, k_b, k_c, k_s, k_h, k_before, k_perm = split_key(key, 7)

        def uniform(k: jax.Array, rng: tuple[float, float]) -> jax.Array:
            return jax.random.uniform(k, (), minval=rng[0], maxval=rng[1])

        return Distortion(
            applied=_checks.bernoulli(k_applied, self.p, (5,)),
            brightness=uniform(k_b, self.brightness),
            contrast=uniform(k_c, self.contrast),
            saturation=uniform(k_s, self.saturation),
            hue=uniform(k_h, self.hue),
            contrast_before=jax.random.bernoulli(k_before, 0.5),
            permutation=jax.random.permutation(k_perm, shape[-1]),
        )

    def apply_image(self, params: Distortion, image: jax.Array) -> jax.Array:
        _checks.check_unit_range("RandomPhotometricDistort", image)
        channels = image.shape[-1]
        if channels not in (1, 3):
            raise ValueError(f"RandomPhotometricDistort: image must have 1 (gray) or 3 (RGB) channels, got {channels}")
        x = _color._work(image)
        on = params.applied
        # Ops that did not fire are skipped with a select, never run at a neutral factor: a
        # blend at factor 1 would still read the other operand (a NaN in the mean spreads).
        x = jnp.where(on[0], _color._blend(x, jnp.zeros((), x.dtype), params.brightness), x)
        contrast_on = on[1]
        x = jnp.where(contrast_on & params.contrast_before, self._contrast(x, params.contrast), x)
        if channels == 3:
            x = jnp.where(on[2], _color._blend(x, _color._gray(x), params.saturation), x)
            x = jnp.where(on[3], _color._shift_hue(x, params.hue.astype(x.dtype)), x)
        x = jnp.where(contrast_on & ~params.contrast_before, self._contrast(x, params.contrast), x)
        x = jnp.where(on[4], _photometric.permute_channels(x, params.permutation), x)
        return _color._done(x, image)

    @staticmethod
    def _contrast(x: jax.Array, factor: jax.Array) -> jax.Array:
        return _color._blend(x, _color._contrast_reference(x), factor)
