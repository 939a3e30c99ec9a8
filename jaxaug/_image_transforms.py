"""Random image transforms named and defaulted like torchvision.transforms.v2.

Each is a frozen dataclass: ``t(key, image)`` or ``t(key, image, mask)``; ``t.sample`` and
``t.apply`` are the two halves. Images are one example (H, W, C); use ``ja.batch`` for a batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxaug import _checks
from jaxaug._base import GeometricTransform, PixelTransform, Shape, normal_noise, split_key, uniform_vector
from jaxaug.image import _color, _geometry, _warps
from jaxaug.image._color import to_float
from jaxaug.image._intensity import scale_intensity_range

# Attempts before torchvision's RandomResizedCrop and RandomErasing give up and fall back.
_ATTEMPTS = 10


def _freeze(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


def _as_tuple(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_as_tuple(v) for v in value)
    return value


def _check_center(where: str, center: Any) -> tuple[float, float] | None:
    """A static rotation centre: None, or an (x, y) pair of finite numbers."""
    if center is None:
        return None
    pair = _as_tuple(center)
    if not isinstance(pair, tuple) or len(pair) != 2:
        raise ValueError(f"{where}: center must be None or an (x, y) pair, got {center!r}")
    return tuple(_checks.check_finite(where, "center", c) for c in pair)  # type: ignore[return-value]


def _check_fill(where: str, name: str, fill: Any) -> Any:
    """A static fill: finite numbers, one or one per channel (the dtype is checked at apply)."""
    if isinstance(fill, (str, bool)):
        raise TypeError(f"{where}: {name} must be a number or one number per channel, got {fill!r}")
    for v in np.atleast_1d(np.asarray(fill, dtype=object)).ravel():
        _checks.check_finite(where, name, v)
    return _as_tuple(fill)


def _check_interpolation(where: str, interpolation: str) -> None:
    if interpolation not in _geometry.INTERPOLATIONS:
        raise ValueError(f"{where}: interpolation must be one of {_geometry.INTERPOLATIONS}, got {interpolation!r}")


def _randint(key: jax.Array, high: jax.Array, size: int | None = None) -> jax.Array:
    """Uniform integers in [0, high) for a traced `high` >= 1 (torch.randint(0, high)): a
    scalar, or a (size,) vector."""
    u = jax.random.uniform(key, ()) if size is None else uniform_vector(key, size)
    high_f = jnp.asarray(high, jnp.float32)
    return jnp.minimum(jnp.floor(u * high_f), high_f - 1.0)


# --- geometric ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resize(GeometricTransform):
    """Resize to a fixed size; an int sets the shorter side and keeps the aspect ratio.

    Shapes: (H, W, C) -> (h, w, C) float; `size`, `interpolation` and `antialias` are static.
    torchvision: ``T.Resize(size, interpolation=BILINEAR, antialias=True)``.

    A shrinking Resize runs on its own with antialiasing, exactly as torchvision's; an enlarging
    one is folded into the neighbouring geometric steps' single resample.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.Resize(256)(jax.random.key(0), jnp.zeros((512, 640, 3))).shape
      (256, 320, 3)
    """

    axis_aligned = True

    size: int | Sequence[int]
    interpolation: str = "bilinear"
    antialias: bool = True

    def __post_init__(self) -> None:
        _freeze(self, "size", _as_tuple(self.size))
        _geometry.resize_output_size((1, 1), self.size, "Resize")
        _check_interpolation("Resize", self.interpolation)
        if not isinstance(self.antialias, bool):
            raise TypeError(f"Resize: antialias must be True or False, got {self.antialias!r}")

    def output_shape(self, shape: Shape) -> Shape:
        return (*_geometry.resize_output_size(shape, self.size, "Resize"), shape[2])

    def fuses(self, shape: Shape) -> bool:
        out_h, out_w = self.output_shape(shape)[:2]
        return not (self.antialias and (out_h < shape[0] or out_w < shape[1]))

    def is_identity(self, shape: Shape) -> bool:
        # torchvision returns the image unchanged when it already has the size; fused with a
        # nearest rotation, this step must not turn the rotation bilinear.
        return self.output_shape(shape) == tuple(shape)

    def matrix(self, params: Any, shape: Shape) -> jax.Array:
        out_h, out_w = self.output_shape(shape)[:2]
        return _geometry.scale_matrix(shape[1] / out_w, shape[0] / out_h)

    def apply_pair(self, params: Any, image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        size = self.output_shape(image.shape)[:2]
        if self.fuses(image.shape):
            return super().apply_pair(params, image, mask)
        out = _geometry.resize(image, size, self.interpolation, self.antialias)
        if mask is not None:
            m = self.matrix(params, image.shape)
            mask = _geometry.resample(mask, m, size, interpolation="nearest", fill=0, border="edge", separable=True)
        return out, mask


@dataclass(frozen=True)
class CenterCrop(GeometricTransform):
    """Cut out the centre (zero-padded when the crop is larger than the image).

    Shapes: (H, W, C) -> (h, w, C) float; `size` is static.
    torchvision: ``T.CenterCrop(size)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.CenterCrop(224)(jax.random.key(0), jnp.zeros((256, 256, 3))).shape
      (224, 224, 3)
    """

    axis_aligned = True

    size: int | Sequence[int]
    fill: float | Sequence[float] = 0.0
    mask_fill: int = 0
    interpolation = "nearest"
    border = "fill"

    def __post_init__(self) -> None:
        _freeze(self, "size", _checks.size_pair("CenterCrop", "size", self.size))
        _freeze(self, "fill", _check_fill("CenterCrop", "fill", self.fill))

    def output_shape(self, shape: Shape) -> Shape:
        return (*self.size, shape[2])

    def matrix(self, params: Any, shape: Shape) -> jax.Array:
        top, left = _geometry.center_crop_offsets(shape, self.size)
        return _geometry.crop_matrix(top, left)


class CropBox(NamedTuple):
    """A drawn crop box in input pixels."""

    top: jax.Array
    left: jax.Array
    height: jax.Array
    width: jax.Array


@dataclass(frozen=True)
class RandomCrop(GeometricTransform):
    """Cut out a box of fixed size at a random position, optionally after padding.

    Shapes: (H, W, C) -> (h, w, C) float; `size`, `padding` and `pad_if_needed` are static.
    torchvision: ``T.RandomCrop(size, padding=None, pad_if_needed=False, fill=0,
    padding_mode="constant")``. With ``padding_mode`` "edge", "reflect" or "symmetric" (as
    torchvision and ``numpy.pad`` define them) the mask is padded the same way, and the crop is
    its own step rather than fused with its geometric neighbours, since a fused warp can only
    fill or repeat the border.
    Boxes and keypoints need ``padding_mode="constant"`` when padding happens (as torchvision).

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.RandomCrop(224)(jax.random.key(0), jnp.zeros((256, 256, 3))).shape
      (224, 224, 3)
    """

    axis_aligned = True

    size: int | Sequence[int]
    padding: int | Sequence[int] | None = None
    pad_if_needed: bool = False
    fill: float | Sequence[float] = 0.0
    padding_mode: str = "constant"
    mask_fill: int = 0
    interpolation = "nearest"
    border = "fill"

    def __post_init__(self) -> None:
        _freeze(self, "size", _checks.size_pair("RandomCrop", "size", self.size))
        _freeze(self, "fill", _check_fill("RandomCrop", "fill", self.fill))
        if self.padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(
                f"RandomCrop: padding_mode must be 'constant', 'edge', 'reflect' or 'symmetric', got {self.padding_mode!r}"
            )
        _freeze(self, "padding", self._padding_ltrb())

    def _padding_ltrb(self) -> tuple[int, int, int, int]:
        return (0, 0, 0, 0) if self.padding is None else _warps.padding_ltrb("RandomCrop", self.padding)

    def _padded(self, shape: Shape) -> tuple[int, int, int, int]:
        """(pad_top, pad_left, padded_height, padded_width) as torchvision computes them."""
        left, top, right, bottom = self.padding
        height, width = shape[0] + top + bottom, shape[1] + left + right
        if self.pad_if_needed and height < self.size[0]:
            diff = self.size[0] - height
            top, height = top + diff, height + 2 * diff
        if self.pad_if_needed and width < self.size[1]:
            diff = self.size[1] - width
            left, width = left + diff, width + 2 * diff
        if height < self.size[0] or width < self.size[1]:
            raise ValueError(
                f"RandomCrop: size {self.size} is larger than the (padded) image {(height, width)}; "
                "pass pad_if_needed=True or Resize first"
            )
        return top, left, height, width

    def _pads(self, shape: Shape) -> bool:
        """Whether padding happens for an input of `shape` (else the box lies inside the image)."""
        return self._padded(shape)[2:] != tuple(shape[:2])

    def output_shape(self, shape: Shape) -> Shape:
        self._padded(shape)
        return (*self.size, shape[2])

    def sample(self, key: jax.Array, shape: Shape) -> CropBox:
        pad_top, pad_left, height, width = self._padded(shape)
        k_top, k_left = split_key(key, 2)
        top = _randint(k_top, height - self.size[0] + 1) - pad_top
        left = _randint(k_left, width - self.size[1] + 1) - pad_left
        return CropBox(top, left, jnp.float32(self.size[0]), jnp.float32(self.size[1]))

    def matrix(self, params: CropBox, shape: Shape) -> jax.Array:
        return _geometry.crop_matrix(params.top, params.left)

    def fuses(self, shape: Shape) -> bool:
        return self.padding_mode == "constant"

    def fill_frames(self, params: CropBox, shape: Shape) -> list[tuple[jax.Array, tuple[int, int]]]:
        # Without padding the box lies inside the image and nothing is filled; a frame test
        # would cost a fused group a second matrix per pixel and channel (issue #15).
        if not self._pads(shape):
            return []
        return super().fill_frames(params, shape)

    def map_targets(self, params: CropBox, shape: Shape, targets: Any) -> Any:
        if self.padding_mode != "constant" and self._pads(shape):
            # Mirrored or repeated copies of an object would carry no box (torchvision refuses too).
            raise ValueError(
                f"RandomCrop: boxes and keypoints need padding_mode='constant', got {self.padding_mode!r}"
            )
        return super().map_targets(params, shape, targets)

    def apply_pair(self, params: CropBox, image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        if self.padding_mode == "constant":
            return super().apply_pair(params, image, mask)
        pad_top, pad_left, height, width = self._padded(image.shape)
        widths = ((pad_top, height - image.shape[0] - pad_top), (pad_left, width - image.shape[1] - pad_left))
        start = (params.top.astype(jnp.int32) + pad_top, params.left.astype(jnp.int32) + pad_left)

        def cut(values: jax.Array) -> jax.Array:
            padded = jnp.pad(values, widths + ((0, 0),) * (values.ndim - 2), mode=self.padding_mode)
            return jax.lax.dynamic_slice(padded, (*start, *(0,) * (values.ndim - 2)), (*self.size, *values.shape[2:]))

        out = to_float(cut(image)).astype(_color.float_dtype(image.dtype))
        return out, None if mask is None else cut(mask)


@dataclass(frozen=True)
class RandomResizedCrop(GeometricTransform):
    """Crop a box of random area and aspect ratio, resized to a fixed size.

    Draws like torchvision: up to 10 tries of area ``U(scale) * H * W`` and log-uniform aspect
    ratio in `ratio`, rounded to whole pixels and kept if it fits; otherwise the central crop of
    the largest box with a ratio in range. The 10 tries are drawn at once and the first that
    fits is taken, so the draw is branch-free under jit and vmap.

    Shapes: (H, W, C) -> (size_h, size_w, C) float; `size` and `interpolation` are static.
    torchvision: ``T.RandomResizedCrop(size, scale=(0.08, 1.0), ratio=(3/4, 4/3))``. The box is
    resampled bilinearly without torchvision's antialias filter (see ``image.resized_crop``).

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.RandomResizedCrop(224)(jax.random.key(0), jnp.zeros((256, 256, 3))).shape
      (224, 224, 3)
    """

    axis_aligned = True

    size: int | Sequence[int]
    scale: Sequence[float] = (0.08, 1.0)
    ratio: Sequence[float] = (3.0 / 4.0, 4.0 / 3.0)
    interpolation: str = "bilinear"
    antialias: bool = True
    border = "edge"

    def __post_init__(self) -> None:
        _freeze(self, "size", _checks.size_pair("RandomResizedCrop", "size", self.size))
        _freeze(self, "scale", _checks.check_range("RandomResizedCrop", "scale", self.scale, low=0.0))
        _freeze(self, "ratio", _checks.check_range("RandomResizedCrop", "ratio", self.ratio))
        if self.scale[1] <= 0:
            raise ValueError(f"RandomResizedCrop: scale must include areas > 0, got {self.scale}")
        if self.ratio[0] <= 0:
            raise ValueError(f"RandomResizedCrop: ratio must be > 0, got {self.ratio}")
        _check_interpolation("RandomResizedCrop", self.interpolation)

    def output_shape(self, shape: Shape) -> Shape:
        return (*self.size, shape[2])

    def sample(self, key: jax.Array, shape: Shape) -> CropBox:
        height, width = shape[0], shape[1]
        k_area, k_ratio, k_top, k_left = split_key(key, 4)
        area = float(height * width)
        target_area = area * uniform_vector(k_area, _ATTEMPTS, self.scale[0], self.scale[1])
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        aspect = jnp.exp(uniform_vector(k_ratio, _ATTEMPTS, log_ratio[0], log_ratio[1]))
        w = jnp.round(jnp.sqrt(target_area * aspect))
        h = jnp.round(jnp.sqrt(target_area / aspect))
        fits = (w > 0) & (w <= width) & (h > 0) & (h <= height)
        first = jnp.argmax(fits)
        tops = _randint(k_top, height - h + 1.0, _ATTEMPTS)
        lefts = _randint(k_left, width - w + 1.0, _ATTEMPTS)
        fb_h, fb_w = self._fallback(height, width)
        found = jnp.any(fits)
        box_h = jnp.where(found, h[first], fb_h)
        box_w = jnp.where(found, w[first], fb_w)
        top = jnp.where(found, tops[first], (height - fb_h) // 2)
        left = jnp.where(found, lefts[first], (width - fb_w) // 2)
        return CropBox(top, left, box_h, box_w)

    def _fallback(self, height: int, width: int) -> tuple[float, float]:
        in_ratio = width / height
        if in_ratio < self.ratio[0]:
            w = width
            h = int(round(w / self.ratio[0]))
        elif in_ratio > self.ratio[1]:
            h = height
            w = int(round(h * self.ratio[1]))
        else:
            w, h = width, height
        return float(h), float(w)

    def matrix(self, params: CropBox, shape: Shape) -> jax.Array:
        return _geometry.resized_crop_matrix(params.top, params.left, params.height, params.width, self.size)


class Flip(NamedTuple):
    """Whether the flip was applied."""

    flip: jax.Array


@dataclass(frozen=True)
class RandomHorizontalFlip(GeometricTransform):
    """Mirror left to right with probability `p`.

    Shapes: (H, W, C) -> (H, W, C) float. `p` is static.
    torchvision: ``T.RandomHorizontalFlip(p=0.5)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> img = jnp.arange(3.0).reshape(1, 3, 1)
      >>> ja.RandomHorizontalFlip(p=1.0)(jax.random.key(0), img)[0, :, 0]
      Array([2., 1., 0.], dtype=float32)
    """

    axis_aligned = True

    p: float = 0.5
    interpolation = "nearest"

    def __post_init__(self) -> None:
        _freeze(self, "p", _checks.check_probability("RandomHorizontalFlip", "p", self.p))

    def sample(self, key: jax.Array, shape: Shape) -> Flip:
        return Flip(_checks.bernoulli(key, self.p))

    def matrix(self, params: Flip, shape: Shape) -> jax.Array:
        return jnp.where(params.flip, _geometry.hflip_matrix(shape[1]), _geometry.identity_matrix())


@dataclass(frozen=True)
class RandomVerticalFlip(GeometricTransform):
    """Mirror top to bottom with probability `p`.

    Not for chest X-rays (it puts the diaphragm on top); fine for histopathology.
    Shapes: (H, W, C) -> (H, W, C) float. `p` is static.
    torchvision: ``T.RandomVerticalFlip(p=0.5)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> img = jnp.arange(3.0).reshape(3, 1, 1)
      >>> ja.RandomVerticalFlip(p=1.0)(jax.random.key(0), img)[:, 0, 0]
      Array([2., 1., 0.], dtype=float32)
    """

    axis_aligned = True

    p: float = 0.5
    interpolation = "nearest"

    def __post_init__(self) -> None:
        _freeze(self, "p", _checks.check_probability("RandomVerticalFlip", "p", self.p))

    def sample(self, key: jax.Array, shape: Shape) -> Flip:
        return Flip(_checks.bernoulli(key, self.p))

    def matrix(self, params: Flip, shape: Shape) -> jax.Array:
        return jnp.where(params.flip, _geometry.vflip_matrix(shape[0]), _geometry.identity_matrix())


class Angle(NamedTuple):
    """A drawn rotation angle in degrees, counter-clockwise."""

    angle: jax.Array


@dataclass(frozen=True)
class RandomRotation(GeometricTransform):
    """Rotate by an angle drawn uniformly from ``(-degrees, degrees)`` (or the given range).

    Shapes: (H, W, C) -> (H, W, C) float; `interpolation` and `fill` are static. Corners that
    come from outside the image get `fill` (masks get `mask_fill`).
    torchvision: ``T.RandomRotation(degrees, interpolation=NEAREST, expand=False, center=None,
    fill=0)``; `center` is (x, y) in torchvision's coordinates (pixel i covers [i, i + 1]), None
    for the image centre. ``expand=True`` is not supported: the output shape would depend on the
    draw. In a Compose with bilinear steps the fused resample is bilinear.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.RandomRotation(10)(jax.random.key(0), jnp.zeros((64, 64, 1))).shape
      (64, 64, 1)
    """

    degrees: float | Sequence[float]
    interpolation: str = "nearest"
    expand: bool = False
    center: Sequence[float] | None = None
    fill: float | Sequence[float] = 0.0
    mask_fill: int = 0
    border = "fill"

    def __post_init__(self) -> None:
        if _checks.is_number(self.degrees):
            _checks.check_nonnegative("RandomRotation", "degrees", self.degrees)
            _freeze(self, "degrees", (-float(self.degrees), float(self.degrees)))
        else:
            _freeze(self, "degrees", _checks.check_range("RandomRotation", "degrees", self.degrees))
        if self.expand:
            raise ValueError("RandomRotation: expand must be False: an expanded shape would depend on the drawn angle")
        _freeze(self, "center", _check_center("RandomRotation", self.center))
        _check_interpolation("RandomRotation", self.interpolation)
        _freeze(self, "fill", _check_fill("RandomRotation", "fill", self.fill))

    def sample(self, key: jax.Array, shape: Shape) -> Angle:
        return Angle(jax.random.uniform(key, (), minval=self.degrees[0], maxval=self.degrees[1]))

    def matrix(self, params: Angle, shape: Shape) -> jax.Array:
        return _geometry.rotation_matrix(params.angle, shape[0], shape[1], self.center)


class QuarterTurns(NamedTuple):
    """Drawn number of counter-clockwise quarter turns, 0 to 3."""

    k: jax.Array


@dataclass(frozen=True)
class RandomRot90(GeometricTransform):
    """Turn by 0, 90, 180 or 270 degrees, each equally likely: exact, no interpolation.

    For histopathology tiles, which have no canonical orientation. Needs a square image, so
    that the output shape does not depend on the draw.
    Shapes: (S, S, C) -> (S, S, C) float. No torchvision class; ``RandomChoice`` of
    ``rotate(img, 90 * k)`` is the equivalent.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.RandomRot90()(jax.random.key(0), jnp.zeros((32, 32, 3))).shape
      (32, 32, 3)
    """

    interpolation = "nearest"

    def output_shape(self, shape: Shape) -> Shape:
        if shape[0] != shape[1]:
            raise ValueError(f"RandomRot90: image must be square, got height {shape[0]} and width {shape[1]}")
        return tuple(shape)

    def sample(self, key: jax.Array, shape: Shape) -> QuarterTurns:
        return QuarterTurns(jax.random.randint(key, (), 0, 4))

    def matrix(self, params: QuarterTurns, shape: Shape) -> jax.Array:
        self.output_shape(shape)
        return _geometry.rot90_matrix(params.k, shape[0])


# --- pixel ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToFloat(PixelTransform):
    """Convert uint8 (0..255) to float32 (0..1); floats pass through.

    Shapes: (H, W, C) -> (H, W, C) float. torchvision: ``T.ToTensor()`` /
    ``T.ToDtype(torch.float32, scale=True)`` (without the move to channels-first: jaxaug keeps
    Flax's (H, W, C)).

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.ToFloat()(jax.random.key(0), jnp.full((1, 1, 1), 51, jnp.uint8))
      Array([[[0.2]]], dtype=float32)
    """

    converts_to_float_units = True

    def apply_image(self, params: Any, image: jax.Array) -> jax.Array:
        return to_float(image)


@dataclass(frozen=True)
class ScaleIntensityRange(PixelTransform):
    """Map physical intensities from [a_min, a_max] to [b_min, b_max]: a CT or MR window.

    The first step of a pipeline for images in physical units (int16 or float Hounsfield
    units, MR intensities), so that the colour steps after it see [0, 1]. All arguments static.
    It reads raw values, as MONAI does: uint8 input counts 0..255, not the [0, 1] of the other
    transforms. Shapes: (H, W, C) any real dtype -> (H, W, C) float (float32 for integers).
    MONAI: ``ScaleIntensityRange(a_min, a_max, b_min, b_max, clip=False)``; pass ``clip=True``
    for a display window (see ``jaxaug.image.window``).

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> soft_tissue = ja.ScaleIntensityRange(a_min=-160, a_max=240, clip=True)
      >>> soft_tissue(jax.random.key(0), jnp.full((2, 2, 1), 40, jnp.int16))[0, 0, 0]
      Array(0.5, dtype=float32)
    """

    a_min: float
    a_max: float
    b_min: float = 0.0
    b_max: float = 1.0
    clip: bool = False
    accepts_physical_units = True
    converts_to_float_units = True

    @property
    def leaves_unit_range(self) -> str:  # type: ignore[override]
        if self.clip and 0.0 <= min(self.b_min, self.b_max) and max(self.b_min, self.b_max) <= 1.0:
            return ""
        return "ScaleIntensityRange without clip=True into [0, 1]"

    def __post_init__(self) -> None:
        for name in ("a_min", "a_max", "b_min", "b_max"):
            _freeze(self, name, _checks.check_finite("ScaleIntensityRange", name, getattr(self, name)))
        if not self.a_min < self.a_max:
            raise ValueError(f"ScaleIntensityRange: a_min must be < a_max, got a_min={self.a_min}, a_max={self.a_max}")

    def apply_image(self, params: Any, image: jax.Array) -> jax.Array:
        return scale_intensity_range(image, self.a_min, self.a_max, self.b_min, self.b_max, self.clip)


@dataclass(frozen=True)
class Normalize(PixelTransform):
    """Standardise each channel: ``(x - mean) / std``.

    Shapes: (H, W, C) -> (H, W, C) float; `mean` and `std` have 1 or C values (static).
    torchvision: ``T.Normalize(mean, std)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.Normalize([0.5], [0.5])(jax.random.key(0), jnp.ones((1, 1, 1)))
      Array([[[1.]]], dtype=float32)
    """

    converts_to_float_units = True
    leaves_unit_range = "Normalize"

    mean: Sequence[float]
    std: Sequence[float]

    def __post_init__(self) -> None:
        _freeze(self, "mean", tuple(float(v) for v in np.atleast_1d(np.asarray(self.mean, np.float64))))
        _freeze(self, "std", tuple(float(v) for v in np.atleast_1d(np.asarray(self.std, np.float64))))
        if any(not 0 < s < math.inf for s in self.std):
            raise ValueError(f"Normalize: std must be finite and > 0 for every channel, got {self.std}")
        if any(not math.isfinite(m) for m in self.mean):
            raise ValueError(f"Normalize: mean must be finite for every channel, got {self.mean}")

    def apply_image(self, params: Any, image: jax.Array) -> jax.Array:
        return _color.normalize(image, self.mean, self.std)


class Jitter(NamedTuple):
    """ColorJitter's draw: the order of the four adjustments and their factors."""

    order: jax.Array
    brightness: jax.Array
    contrast: jax.Array
    saturation: jax.Array
    hue: jax.Array


def _jitter_range(name: str, value: Any, center: float, bound: float | None, clip_first: bool) -> tuple[float, float] | None:
    """torchvision's _check_input: a number v means [center - v, center + v] (clipped at 0 for
    the factors), a pair is the range itself; factors must be >= 0 (a negative contrast
    inverts the image), hue lies in [-0.5, 0.5]; every bound finite. None is off (torchvision
    v2's default), which is also how an off adjustment is stored, so a stored config rebuilds."""
    if value is None:
        return None
    if _checks.is_number(value):
        v = _checks.check_nonnegative("ColorJitter", name, value)
        lo, hi = center - v, center + v
        if clip_first:
            lo = max(lo, 0.0)
    else:
        lo, hi = _checks.check_range("ColorJitter", name, value, low=0.0 if clip_first else None)
    if bound is not None and not (-bound <= lo <= hi <= bound):
        raise ValueError(f"ColorJitter: {name} must lie in [-{bound}, {bound}], got {value!r}")
    if (lo, hi) == (center, center):
        return None
    return (lo, hi)


@dataclass(frozen=True)
class ColorJitter(PixelTransform):
    """Randomly change brightness, contrast, saturation and hue, in a random order.

    Factors are drawn uniformly: brightness, contrast, saturation from
    ``[max(0, 1 - v), 1 + v]`` (or the given range), hue from ``[-h, h]`` with h <= 0.5; the
    four are applied in a random permutation, as torchvision does. The draw-dependent order is
    computed without branches: the cheap blends run in up to six slots around one hue pass.

    Shapes: (H, W, C) -> (H, W, C) float, C in {1, 3} (saturation and hue leave gray alone).
    torchvision: ``T.ColorJitter(brightness=0, contrast=0, saturation=0, hue=0)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.ColorJitter(0.4, 0.4, 0.4, 0.1)(jax.random.key(0), jnp.ones((8, 8, 3))).shape
      (8, 8, 3)
    """

    brightness: float | Sequence[float] = 0.0
    contrast: float | Sequence[float] = 0.0
    saturation: float | Sequence[float] = 0.0
    hue: float | Sequence[float] = 0.0
    clamps_to_unit_range = True

    def __post_init__(self) -> None:
        _freeze(self, "brightness", _jitter_range("brightness", _as_tuple(self.brightness), 1.0, None, True))
        _freeze(self, "contrast", _jitter_range("contrast", _as_tuple(self.contrast), 1.0, None, True))
        _freeze(self, "saturation", _jitter_range("saturation", _as_tuple(self.saturation), 1.0, None, True))
        _freeze(self, "hue", _jitter_range("hue", _as_tuple(self.hue), 0.0, 0.5, False))

    def sample(self, key: jax.Array, shape: Shape) -> Jitter:
        k_order, k_b, k_c, k_s, k_h = split_key(key, 5)

        def draw(k: jax.Array, rng: tuple[float, float] | None, neutral: float) -> jax.Array:
            if rng is None:
                return jnp.float32(neutral)
            return jax.random.uniform(k, (), minval=rng[0], maxval=rng[1])

        return Jitter(
            order=jax.random.permutation(k_order, 4),
            brightness=draw(k_b, self.brightness, 1.0),
            contrast=draw(k_c, self.contrast, 1.0),
            saturation=draw(k_s, self.saturation, 1.0),
            hue=draw(k_h, self.hue, 0.0),
        )

    def apply_image(self, params: Jitter, image: jax.Array) -> jax.Array:
        _checks.check_unit_range("ColorJitter", image)
        x = _color._work(image)
        if x.shape[-1] not in (1, 3):
            raise ValueError(f"ColorJitter: image must have 1 or 3 channels, got {x.shape[-1]}")
        color = x.shape[-1] == 3
        # Ops 0, 1, 2 are brightness, contrast, saturation (blends against 0, the gray mean,
        # the gray image); 3 is hue. Saturation and hue leave a gray image alone. Only the
        # configured blends get slots, in the drawn order; hue, if on, runs once between them.
        blends = [op for op, rng in enumerate((self.brightness, self.contrast, self.saturation)) if rng is not None]
        if not color:
            blends = [op for op in blends if op != 2]
        use_hue = self.hue is not None and color
        factors = jnp.stack([params.brightness, params.contrast, params.saturation]).astype(x.dtype)
        position = jnp.argsort(params.order)  # position[op]: when op runs
        if blends:
            ops = jnp.asarray(blends, jnp.int32)
            when = position[ops]
            sequence, sequence_when = ops[jnp.argsort(when)], jnp.sort(when)
        if not use_hue:
            for j in range(len(blends)):
                x = self._blend_slot(x, sequence[j], blends, factors, jnp.bool_(True))
            return _color._done(x, image)
        hue_when = position[3]
        for j in range(len(blends)):
            x = self._blend_slot(x, sequence[j], blends, factors, sequence_when[j] < hue_when)
        x = _color._shift_hue(x, params.hue.astype(x.dtype))
        for j in range(len(blends)):
            x = self._blend_slot(x, sequence[j], blends, factors, sequence_when[j] > hue_when)
        return _color._done(x, image)

    @staticmethod
    def _blend_slot(x: jax.Array, op: jax.Array, blends: list[int], factors: jax.Array, active: jax.Array) -> jax.Array:
        """Apply blend `op` to `x` where `active`; the reference is built only for configured ops."""
        gray = _color._gray(x) if x.shape[-1] == 3 else x
        reference = jnp.zeros((), x.dtype)
        if 1 in blends:
            reference = jnp.where(op == 1, jnp.mean(gray), reference)
        if 2 in blends:
            reference = jnp.where(op == 2, gray, reference)
        blended = _color._blend(x, reference, factors[op])
        return jnp.where(active, blended, x)


@dataclass(frozen=True)
class Grayscale(PixelTransform):
    """Convert to grayscale with ITU-R 601 weights.

    Shapes: (H, W, 3) -> (H, W, num_output_channels) float; `num_output_channels` static.
    torchvision: ``T.Grayscale(num_output_channels=1)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.Grayscale()(jax.random.key(0), jnp.ones((4, 4, 3))).shape
      (4, 4, 1)
    """

    num_output_channels: int = 1

    def __post_init__(self) -> None:
        if self.num_output_channels not in (1, 3):
            raise ValueError(f"Grayscale: num_output_channels must be 1 or 3, got {self.num_output_channels!r}")

    def output_shape(self, shape: Shape) -> Shape:
        return (shape[0], shape[1], self.num_output_channels)

    def apply_image(self, params: Any, image: jax.Array) -> jax.Array:
        return _color.rgb_to_grayscale(image, self.num_output_channels)


class Apply(NamedTuple):
    """Whether a probabilistic transform fired."""

    apply: jax.Array


@dataclass(frozen=True)
class RandomGrayscale(PixelTransform):
    """Convert to grayscale with probability `p`, keeping the number of channels.

    Shapes: (H, W, C) -> (H, W, C) float. torchvision: ``T.RandomGrayscale(p=0.1)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.RandomGrayscale(p=1.0)(jax.random.key(0), jnp.ones((4, 4, 3))).shape
      (4, 4, 3)
    """

    p: float = 0.1

    def __post_init__(self) -> None:
        _freeze(self, "p", _checks.check_probability("RandomGrayscale", "p", self.p))

    def sample(self, key: jax.Array, shape: Shape) -> Apply:
        return Apply(_checks.bernoulli(key, self.p))

    def apply_image(self, params: Apply, image: jax.Array) -> jax.Array:
        if image.shape[-1] not in (1, 3):
            raise ValueError(f"RandomGrayscale: image must have 1 (gray) or 3 (RGB) channels, got {image.shape[-1]}")
        x = to_float(image)
        gray = _color.rgb_to_grayscale(x, 3) if x.shape[-1] == 3 else x
        return jnp.where(params.apply, gray, x)


class Sigma(NamedTuple):
    """A drawn blur standard deviation in pixels."""

    sigma: jax.Array


@dataclass(frozen=True)
class GaussianBlur(PixelTransform):
    """Blur with a Gaussian of static kernel size and sigma drawn from ``U(sigma)``.

    Shapes: (H, W, C) -> (H, W, C) float. `kernel_size` is static; sigma is drawn per example
    and traced. torchvision: ``T.GaussianBlur(kernel_size, sigma=(0.1, 2.0))``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.GaussianBlur(5)(jax.random.key(0), jnp.ones((16, 16, 3))).shape
      (16, 16, 3)
    """

    kernel_size: int | Sequence[int]
    sigma: float | Sequence[float] = (0.1, 2.0)

    def __post_init__(self) -> None:
        _freeze(self, "kernel_size", _color._kernel_pair(_as_tuple(self.kernel_size)))
        if _checks.is_number(self.sigma):
            if not 0 < float(self.sigma) < math.inf:
                raise ValueError(f"GaussianBlur: sigma must be > 0 and finite, got {self.sigma}")
            _freeze(self, "sigma", (float(self.sigma), float(self.sigma)))
        else:
            lo, hi = _checks.check_range("GaussianBlur", "sigma", self.sigma)
            if not lo > 0:
                raise ValueError(f"GaussianBlur: sigma must be > 0, got {self.sigma!r}")
            _freeze(self, "sigma", (lo, hi))

    def sample(self, key: jax.Array, shape: Shape) -> Sigma:
        return Sigma(jax.random.uniform(key, (), minval=self.sigma[0], maxval=self.sigma[1]))

    def apply_image(self, params: Sigma, image: jax.Array) -> jax.Array:
        return _color.gaussian_blur(image, self.kernel_size, params.sigma)


class EraseBox(NamedTuple):
    """RandomErasing's draw: whether to erase, the box, and a key for random fill values."""

    erase: jax.Array
    top: jax.Array
    left: jax.Array
    height: jax.Array
    width: jax.Array
    noise_key: jax.Array


@dataclass(frozen=True)
class RandomErasing(PixelTransform):
    """With probability `p`, overwrite a random box with `value` (Cutout).

    The box is drawn like torchvision's: up to 10 tries of area ``U(scale) * H * W`` and
    log-uniform aspect ratio in `ratio`, kept if strictly smaller than the image; if none fits
    nothing is erased. `value` is a number, one per channel, or "random" (standard normal
    noise, as torchvision). Masks are left untouched.

    Shapes: (H, W, C) -> (H, W, C) float.
    torchvision: ``T.RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.RandomErasing(p=1.0)(jax.random.key(0), jnp.ones((32, 32, 3))).min()
      Array(0., dtype=float32)
    """

    p: float = 0.5
    scale: Sequence[float] = (0.02, 0.33)
    ratio: Sequence[float] = (0.3, 3.3)
    value: float | Sequence[float] | str = 0.0
    inplace: bool = False

    def __post_init__(self) -> None:
        _freeze(self, "p", _checks.check_probability("RandomErasing", "p", self.p))
        _freeze(self, "scale", _checks.check_range("RandomErasing", "scale", self.scale, low=0.0, high=1.0))
        _freeze(self, "ratio", _checks.check_range("RandomErasing", "ratio", self.ratio))
        if self.ratio[0] <= 0:
            raise ValueError(f"RandomErasing: ratio must be > 0, got {self.ratio}")
        if isinstance(self.value, str):
            if self.value != "random":
                raise ValueError(f"RandomErasing: value must be a number, a sequence or 'random', got {self.value!r}")
        else:
            _check_fill("RandomErasing", "value", self.value)
        _freeze(self, "value", _as_tuple(self.value))

    def sample(self, key: jax.Array, shape: Shape) -> EraseBox:
        height, width = shape[0], shape[1]
        k_apply, k_area, k_ratio, k_top, k_left, k_noise = split_key(key, 6)
        area = float(height * width)
        erase_area = area * uniform_vector(k_area, _ATTEMPTS, self.scale[0], self.scale[1])
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        aspect = jnp.exp(uniform_vector(k_ratio, _ATTEMPTS, log_ratio[0], log_ratio[1]))
        h = jnp.round(jnp.sqrt(erase_area * aspect))
        w = jnp.round(jnp.sqrt(erase_area / aspect))
        fits = (h < height) & (w < width)
        first = jnp.argmax(fits)
        tops = _randint(k_top, height - h + 1.0, _ATTEMPTS)
        lefts = _randint(k_left, width - w + 1.0, _ATTEMPTS)
        erase = _checks.bernoulli(k_apply, self.p) & jnp.any(fits)
        return EraseBox(erase, tops[first], lefts[first], h[first], w[first], k_noise)

    def apply_image(self, params: EraseBox, image: jax.Array) -> jax.Array:
        x = to_float(image)
        if self.value == "random":
            value = normal_noise(params.noise_key, x.shape, x.dtype)
        else:
            value = jnp.asarray(_checks.channel_values("RandomErasing", "value", self.value, x.shape[-1]), x.dtype)
        # A zero-height box erases nothing, which is how "do not erase" is expressed.
        height = jnp.where(params.erase, params.height, 0.0)
        return _color.erase(x, params.top, params.left, height, params.width, value)
