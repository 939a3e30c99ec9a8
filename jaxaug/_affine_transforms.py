"""Random affine, perspective, elastic, pad and zoom-out, named and defaulted like
torchvision.transforms.v2.

RandomAffine, RandomPerspective, Pad and RandomZoomOut are matrices (perspective's a
homography), so ``Compose`` resamples them once with their geometric neighbours, and a mask or a
box follows the same matrix. ElasticTransform is a displacement field: it resamples on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from jaxaug import _checks
from jaxaug._base import GeometricTransform, Shape, uniform_vector
from jaxaug._image_transforms import _as_tuple, _check_center, _check_fill, _check_interpolation, _freeze
from jaxaug.image import _color, _geometry, _warps
from jaxaug.image._color import to_float


def _symmetric_range(where: str, name: str, value: Any) -> tuple[float, float]:
    """torchvision's _setup_angle: a number v >= 0 is (-v, v), a pair is the range itself."""
    if _checks.is_number(value):
        v = _checks.check_nonnegative(where, name, value)
        return (-v, v)
    return _checks.check_range(where, name, value)


class AffineDraw(NamedTuple):
    """RandomAffine's draw: angle (degrees, clockwise), translate (x, y) in whole pixels,
    scale, shear (x, y) in degrees."""

    angle: jax.Array
    translate: jax.Array
    scale: jax.Array
    shear: jax.Array


@dataclass(frozen=True)
class RandomAffine(GeometricTransform):
    """Rotate, translate, scale and shear by amounts drawn per example, in one resample.

    Draws as torchvision: angle ~ U(degrees) (a number d is (-d, d)); translate (a, b) gives
    whole-pixel shifts ``round(U(-a W, a W))`` and ``round(U(-b H, b H))``; scale ~ U(scale);
    shear: a number s draws x-shear from (-s, s), a pair is the x range, four numbers are the x
    and y ranges. The angle is clockwise, as in torchvision's affine (``image.affine``).

    Shapes: (H, W, C) -> (H, W, C) float; all arguments static. Corners that come from outside
    get `fill` (masks `mask_fill`).
    torchvision: ``T.RandomAffine(degrees, translate=None, scale=None, shear=None,
    interpolation=NEAREST, fill=0, center=None)``; `center` is in torchvision's coordinates
    (pixel i covers [i, i + 1]).

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> t = ja.RandomAffine(10, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=5)
      >>> t(jax.random.key(0), jnp.zeros((32, 32, 3))).shape
      (32, 32, 3)
    """

    degrees: float | Sequence[float]
    translate: Sequence[float] | None = None
    scale: Sequence[float] | None = None
    shear: float | Sequence[float] | None = None
    interpolation: str = "nearest"
    fill: float | Sequence[float] = 0.0
    center: Sequence[float] | None = None
    mask_fill: int = 0
    border = "fill"

    def __post_init__(self) -> None:
        where = "RandomAffine"
        _freeze(self, "degrees", _symmetric_range(where, "degrees", _as_tuple(self.degrees)))
        if self.translate is not None:
            _freeze(self, "translate", self._fractions())
        if self.scale is not None:
            lo, hi = _checks.check_range(where, "scale", _as_tuple(self.scale))
            if lo <= 0:
                raise ValueError(f"RandomAffine: scale values must be > 0, got {self.scale!r}")
            _freeze(self, "scale", (lo, hi))
        if self.shear is not None:
            _freeze(self, "shear", self._shear_ranges())
        _check_interpolation(where, self.interpolation)
        _freeze(self, "fill", _check_fill(where, "fill", self.fill))
        _freeze(self, "center", _check_center(where, self.center))

    def _fractions(self) -> tuple[float, float]:
        t = _as_tuple(self.translate)
        if not isinstance(t, tuple) or len(t) != 2:
            raise ValueError(f"RandomAffine: translate must be a pair of fractions (x, y), got {self.translate!r}")
        values = tuple(_checks.check_finite("RandomAffine", "translate", v) for v in t)
        if not all(0.0 <= v <= 1.0 for v in values):
            raise ValueError(f"RandomAffine: translate fractions must lie in [0, 1], got {self.translate!r}")
        return values  # type: ignore[return-value]

    def _shear_ranges(self) -> tuple[float, float, float, float]:
        shear = _as_tuple(self.shear)
        if isinstance(shear, tuple) and len(shear) == 4:
            x = _checks.check_range("RandomAffine", "shear", shear[:2])
            y = _checks.check_range("RandomAffine", "shear", shear[2:])
            return (*x, *y)
        if isinstance(shear, tuple) and len(shear) != 2:
            raise ValueError(f"RandomAffine: shear must be a number, or 2 or 4 numbers, got {self.shear!r}")
        return (*_symmetric_range("RandomAffine", "shear", shear), 0.0, 0.0)

    def sample(self, key: jax.Array, shape: Shape) -> AffineDraw:
        height, width = shape[0], shape[1]
        # One draw of six independent uniforms (each compiled draw costs XLA time): angle,
        # translate x, y, scale, shear x, y, each scaled to its range; unused ones are ignored.
        translate = (0.0, 0.0) if self.translate is None else (self.translate[0] * width, self.translate[1] * height)
        scale = (1.0, 1.0) if self.scale is None else self.scale
        shear = (0.0, 0.0, 0.0, 0.0) if self.shear is None else self.shear
        low = jnp.array([self.degrees[0], -translate[0], -translate[1], scale[0], shear[0], shear[2]], jnp.float32)
        high = jnp.array([self.degrees[1], translate[0], translate[1], scale[1], shear[1], shear[3]], jnp.float32)
        u = low + (high - low) * uniform_vector(key, 6)
        # torchvision rounds the shift to whole pixels; jnp.round, like Python's, takes halves to even.
        return AffineDraw(u[0], jnp.round(u[1:3]), u[3], u[4:6])

    def matrix(self, params: AffineDraw, shape: Shape) -> jax.Array:
        return _geometry.affine_matrix(
            params.angle, params.translate, params.scale, params.shear, self.center, shape[0], shape[1]
        )


class PerspectiveDraw(NamedTuple):
    """RandomPerspective's draw: whether it applies, and where the four corners land."""

    apply: jax.Array
    endpoints: jax.Array


@dataclass(frozen=True)
class RandomPerspective(GeometricTransform):
    """With probability `p`, move each corner inwards by a random amount: a perspective warp.

    Draws as torchvision: each corner moves to a whole pixel up to
    ``int(distortion_scale * (W // 2))`` across and ``int(distortion_scale * (H // 2))`` down
    or up into the image; the homography mapping the corners there is the transform. Its
    matrix is projective (``projective = True``): Compose resamples it once with its affine
    neighbours, and boxes follow it with a homogeneous divide.

    Shapes: (H, W, C) -> (H, W, C) float; all arguments static.
    torchvision: ``T.RandomPerspective(distortion_scale=0.5, p=0.5, interpolation=BILINEAR,
    fill=0)``; differences as ``image.perspective``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.RandomPerspective(p=1.0)(jax.random.key(0), jnp.zeros((32, 32, 3))).shape
      (32, 32, 3)
    """

    distortion_scale: float = 0.5
    p: float = 0.5
    interpolation: str = "bilinear"
    fill: float | Sequence[float] = 0.0
    mask_fill: int = 0
    border = "fill"
    projective = True

    def __post_init__(self) -> None:
        d = _checks.check_finite("RandomPerspective", "distortion_scale", self.distortion_scale)
        if not 0.0 <= d <= 1.0:
            raise ValueError(f"RandomPerspective: distortion_scale must lie in [0, 1], got {self.distortion_scale!r}")
        _freeze(self, "distortion_scale", d)
        _freeze(self, "p", _checks.check_probability("RandomPerspective", "p", self.p))
        _check_interpolation("RandomPerspective", self.interpolation)
        _freeze(self, "fill", _check_fill("RandomPerspective", "fill", self.fill))

    @staticmethod
    def startpoints(shape: Shape) -> jax.Array:
        """The image corners torchvision starts from: [top-left, top-right, bottom-right, bottom-left]."""
        h, w = shape[0], shape[1]
        return jnp.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], jnp.float32)

    def sample(self, key: jax.Array, shape: Shape) -> PerspectiveDraw:
        height, width = shape[0], shape[1]
        bound_w = int(self.distortion_scale * (width // 2)) + 1
        bound_h = int(self.distortion_scale * (height // 2)) + 1
        # One draw of nine independent uniforms (each compiled draw costs XLA time): x, y
        # offsets inwards for each corner (torch.randint(0, bound) per coordinate), then
        # apply-or-not, independent of the offsets.
        u = uniform_vector(key, 9)
        bounds = jnp.array([bound_w, bound_h] * 4, jnp.float32)
        inwards = jnp.floor(u[:8] * bounds).reshape(4, 2)
        far = jnp.array([[0, 0], [width - bound_w, 0], [width - bound_w, height - bound_h], [0, height - bound_h]], jnp.float32)
        return PerspectiveDraw(u[8] < jnp.asarray(self.p, jnp.float32), far + inwards)

    def matrix(self, params: PerspectiveDraw, shape: Shape) -> jax.Array:
        m = _warps.perspective_matrix(self.startpoints(shape), params.endpoints)
        return jnp.where(params.apply, m, _geometry.identity_matrix())


class Displacement(NamedTuple):
    """ElasticTransform's draw: (dx, dy) per pixel, (H, W, 2), in normalised grid units."""

    displacement: jax.Array


def _pair_of(where: str, name: str, value: Any) -> tuple[float, float]:
    """torchvision's _setup_number_or_seq: a number or [v] is (v, v), a pair is itself."""
    values = _as_tuple(value)
    if _checks.is_number(values):
        values = (values,)
    if not isinstance(values, tuple) or len(values) not in (1, 2):
        raise ValueError(f"{where}: {name} must be a number or a pair of numbers, got {value!r}")
    values = tuple(_checks.check_finite(where, name, v) for v in values)
    return (values[0], values[-1])


@dataclass(frozen=True)
class ElasticTransform(GeometricTransform):
    """Displace every pixel by a smooth random field: an elastic deformation.

    Draws as torchvision: dx, dy ~ U(-1, 1) per pixel, each smoothed by a Gaussian of standard
    deviation `sigma` (kernel ``int(8 sigma + 1)`` made odd, reflecting at the border), then
    scaled by ``alpha / W`` and ``alpha / H`` in normalised units, so the shift in pixels is
    about ``alpha / 2`` times the smoothed noise. Not a matrix: it resamples on its own (never
    fused with neighbours, no ``matrix``) and a mask follows it by nearest neighbour.

    Shapes: (H, W, C) -> (H, W, C) float; all arguments static (the kernel size comes from
    `sigma`). Cost: a (kernel)-tap blur of an (H, W, 2) field per example.
    torchvision: ``T.ElasticTransform(alpha=50.0, sigma=5.0, interpolation=BILINEAR, fill=0)``;
    alpha and sigma are a number or an (x, y) pair. dm-pix's ``elastic_deformation`` draws a
    different field (alpha and sigma in pixels, scipy's conventions).

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.ElasticTransform(alpha=20.0, sigma=3.0)(jax.random.key(0), jnp.zeros((32, 32, 3))).shape
      (32, 32, 3)
    """

    alpha: float | Sequence[float] = 50.0
    sigma: float | Sequence[float] = 5.0
    interpolation: str = "bilinear"
    fill: float | Sequence[float] = 0.0
    mask_fill: int = 0
    border = "fill"

    def __post_init__(self) -> None:
        _freeze(self, "alpha", _pair_of("ElasticTransform", "alpha", self.alpha))
        sigma = _pair_of("ElasticTransform", "sigma", self.sigma)
        if min(sigma) < 0 or (min(sigma) == 0 < max(sigma)):
            raise ValueError(f"ElasticTransform: sigma must be > 0 (or 0 for no smoothing on both axes), got {self.sigma!r}")
        _freeze(self, "sigma", sigma)
        _check_interpolation("ElasticTransform", self.interpolation)
        _freeze(self, "fill", _check_fill("ElasticTransform", "fill", self.fill))

    def fuses(self, shape: Shape) -> bool:
        return False

    def matrix(self, params: Any, shape: Shape) -> jax.Array:
        raise NotImplementedError("ElasticTransform has no matrix: it displaces every pixel on its own")

    def _kernels(self, axis_sigma: float) -> jax.Array:
        """(k, 1, 1, 2) blur taps along one axis for dx and dy: torchvision blurs dx with a k x k
        kernel, k from sigma[0], and dy with k from sigma[1], both with `axis_sigma` along this
        axis. The shorter kernel is zero-padded, so both fields blur in one pass."""
        sizes = [int(8 * s + 1) for s in self.sigma]
        sizes = [k + 1 - k % 2 for k in sizes]
        longest = max(sizes)
        taps = [jnp.pad(_color._gaussian_kernel(k, axis_sigma, jnp.float32), (longest - k) // 2) for k in sizes]
        return jnp.stack(taps, axis=-1).reshape(longest, 1, 1, 2)

    def sample(self, key: jax.Array, shape: Shape) -> Displacement:
        height, width = shape[0], shape[1]
        # dx and dy: one draw of two independent U(-1, 1) fields.
        field = uniform_vector(key, height * width * 2, -1.0, 1.0).reshape(height, width, 2)
        if self.sigma[0] > 0:
            field = _color._blur_axis(field, self._kernels(self.sigma[1]), axis=0)
            field = _color._blur_axis(field, self._kernels(self.sigma[0]), axis=1)
        scale = jnp.array([self.alpha[0] / width, self.alpha[1] / height], jnp.float32).reshape(1, 1, 2)
        return Displacement(field * scale)

    def apply_pair(self, params: Displacement, image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        height, width = image.shape[0], image.shape[1]
        x_in, y_in = _warps.elastic_points(params.displacement, height, width)
        where = "ElasticTransform"
        out = _geometry.sample_points(
            image, x_in, y_in, interpolation=self.interpolation, fill=self.fill, border="fill", where=where
        )
        out = to_float(out).astype(_color.float_dtype(image.dtype))
        if mask is None:
            return out, None
        channels = mask[..., None] if mask.ndim == 2 else mask
        out_mask = _geometry.sample_points(
            channels, x_in, y_in, interpolation="nearest", fill=self.mask_fill, border="fill", where=where,
            fill_name="mask_fill",
        )
        return out, out_mask[..., 0] if mask.ndim == 2 else out_mask


@dataclass(frozen=True)
class Pad(GeometricTransform):
    """Pad the borders by a fixed amount: with `fill`, the edge pixels, or a mirror image.

    Shapes: (H, W, C) -> (H + top + bottom, W + left + right, C) float; all arguments static.
    `padding` is an int, (left/right, top/bottom) or (left, top, right, bottom), as torchvision;
    it is stored as (left, top, right, bottom). With "constant" the step is a translation and
    fuses with its geometric neighbours; the other modes pad on their own (mask alike).
    torchvision: ``T.Pad(padding, fill=0, padding_mode="constant")``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.Pad((4, 2))(jax.random.key(0), jnp.zeros((8, 8, 3))).shape
      (12, 16, 3)
    """

    axis_aligned = True

    padding: int | Sequence[int]
    fill: float | Sequence[float] = 0.0
    padding_mode: str = "constant"
    mask_fill: int = 0
    interpolation = "nearest"
    border = "fill"

    def __post_init__(self) -> None:
        _freeze(self, "padding", _warps.padding_ltrb("Pad", _as_tuple(self.padding)))
        _warps.check_padding_mode("Pad", self.padding_mode)
        _freeze(self, "fill", _check_fill("Pad", "fill", self.fill))

    def output_shape(self, shape: Shape) -> Shape:
        left, top, right, bottom = self.padding
        return (shape[0] + top + bottom, shape[1] + left + right, *shape[2:])

    def matrix(self, params: Any, shape: Shape) -> jax.Array:
        left, top = self.padding[0], self.padding[1]
        return _geometry.translation_matrix(-left, -top)

    def fuses(self, shape: Shape) -> bool:
        return self.padding_mode == "constant"

    def apply_pair(self, params: Any, image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        if self.padding_mode == "constant":
            return super().apply_pair(params, image, mask)

        def padded(values: jax.Array) -> jax.Array:
            return jnp.pad(values, _warps.pad_widths(self.padding, values.ndim), mode=self.padding_mode)

        out = to_float(padded(image)).astype(_color.float_dtype(image.dtype))
        return out, None if mask is None else padded(mask)


class ZoomOutDraw(NamedTuple):
    """RandomZoomOut's draw: whether it applies, the canvas size and where the image sits."""

    apply: jax.Array
    canvas_height: jax.Array
    canvas_width: jax.Array
    top: jax.Array
    left: jax.Array


@dataclass(frozen=True)
class RandomZoomOut(GeometricTransform):
    """With probability `p`, put the image on a larger `fill` canvas and shrink it back.

    Draws as torchvision: a side ratio r ~ U(side_range), a canvas of ``int(r H) x int(r W)``,
    the image at ``(int((cW - W) u), int((cH - H) v))``. **Static-shape difference:**
    torchvision returns the canvas itself, whose size depends on the draw; here the canvas is
    resampled back to the input's size, so the output is (H, W, C) and the image appears
    shrunk by about 1 / r. This equals torchvision's ``RandomZoomOut`` followed by
    ``Resize((H, W), antialias=False)``; it is one matrix, so it fuses with its neighbours.
    Shrinking by up to `side_range[1]` without an antialias filter aliases fine texture; keep
    the range modest or blur first.

    Shapes: (H, W, C) -> (H, W, C) float; all arguments static. `interpolation` is jaxaug's
    addition (torchvision pads exactly and has none).
    torchvision: ``T.RandomZoomOut(fill=0, side_range=(1.0, 4.0), p=0.5)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.RandomZoomOut(p=1.0)(jax.random.key(0), jnp.ones((32, 32, 3))).shape
      (32, 32, 3)
    """

    fill: float | Sequence[float] = 0.0
    side_range: Sequence[float] = (1.0, 4.0)
    p: float = 0.5
    interpolation: str = "bilinear"
    mask_fill: int = 0
    border = "fill"
    axis_aligned = True

    def __post_init__(self) -> None:
        _freeze(self, "fill", _check_fill("RandomZoomOut", "fill", self.fill))
        lo, hi = _checks.check_range("RandomZoomOut", "side_range", _as_tuple(self.side_range))
        if lo < 1.0:
            raise ValueError(f"RandomZoomOut: side_range must start at >= 1 (a canvas at least the image), got {self.side_range!r}")
        _freeze(self, "side_range", (lo, hi))
        _freeze(self, "p", _checks.check_probability("RandomZoomOut", "p", self.p))
        _check_interpolation("RandomZoomOut", self.interpolation)

    def sample(self, key: jax.Array, shape: Shape) -> ZoomOutDraw:
        height, width = shape[0], shape[1]
        # One draw of four independent uniforms: the side ratio, the placement across and
        # down, and apply-or-not.
        u = uniform_vector(key, 4)
        r = self.side_range[0] + (self.side_range[1] - self.side_range[0]) * u[0]
        canvas_h, canvas_w = jnp.floor(height * r), jnp.floor(width * r)
        left = jnp.floor((canvas_w - width) * u[1])
        top = jnp.floor((canvas_h - height) * u[2])
        return ZoomOutDraw(u[3] < jnp.asarray(self.p, jnp.float32), canvas_h, canvas_w, top, left)

    def matrix(self, params: ZoomOutDraw, shape: Shape) -> jax.Array:
        # Output pixels -> the canvas (a resize of the canvas to the input's size) -> the image.
        m = _geometry.resized_crop_matrix(
            -params.top, -params.left, params.canvas_height, params.canvas_width, (shape[0], shape[1])
        )
        return jnp.where(params.apply, m, _geometry.identity_matrix())
