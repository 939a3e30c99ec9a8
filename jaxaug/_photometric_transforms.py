"""The random point ops of torchvision.transforms.v2: each applies a fixed op with probability p.

Natural-image tools: posterize, solarize, equalize, autocontrast and invert change the grey
levels a reader interprets (density on a radiograph, stain intensity on a slide), so the chest
X-ray and histopathology presets use none of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp

from jaxaug import _checks
from jaxaug._base import PixelTransform, Shape
from jaxaug._image_transforms import Apply, _freeze
from jaxaug.image import _photometric
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
