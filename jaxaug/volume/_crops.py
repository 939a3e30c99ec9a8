"""Volume crops, pads and resizes named and defaulted like MONAI's, and the crop by label
(RandCropByPosNegLabel) that draws patch centres under jit with static shapes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxaug import _checks
from jaxaug._base import Shape, split_key, uniform_vector
from jaxaug.volume import _spatial as S
from jaxaug.volume._transforms import SpatialTransform, VolumeTransform, _check_mode, _freeze


# --- crops, pads, resize -------------------------------------------------------------------------


class CropStart(NamedTuple):
    """A drawn crop's first voxel along each spatial axis."""

    start: jax.Array


def _slice(values: jax.Array, start: jax.Array, size: Sequence[int]) -> jax.Array:
    start = jnp.asarray(start, jnp.int32)
    full_start = (*[start[a] for a in range(3)], *(0,) * (values.ndim - 3))
    return jax.lax.dynamic_slice(values, full_start, (*size, *values.shape[3:]))


class _Crop(SpatialTransform):
    """A crop at `start`: an exact slice on its own, a translation when fused."""

    axis_aligned = True

    def matrix(self, params: CropStart, shape: Shape) -> jax.Array:
        return S.crop_matrix(params.start)

    def apply_pair(self, params: CropStart, volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        size = self.output_shape(volume.shape)[:3]
        return _slice(volume, params.start, size), None if label is None else _slice(label, params.start, size)


@dataclass(frozen=True)
class CenterSpatialCrop(_Crop):
    """Cut out the centre; an axis smaller than `roi_size` is kept whole.

    Shapes: (S0, S1, S2, C) -> (min(roi, S0), min(roi, S1), min(roi, S2), C), same dtype;
    `roi_size` is static (a size <= 0 keeps that axis).
    MONAI: ``CenterSpatialCrop(roi_size)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.CenterSpatialCrop((4, 6, 20))(jax.random.key(0), jnp.zeros((10, 12, 9, 1))).shape
      (4, 6, 9, 1)
    """

    roi_size: int | Sequence[int]

    def __post_init__(self) -> None:
        S.spatial_triple("CenterSpatialCrop", "roi_size", self.roi_size, (1, 1, 1))
        if isinstance(self.roi_size, Sequence):
            _freeze(self, "roi_size", tuple(self.roi_size))

    def _roi(self, shape: Shape) -> S.Triple:
        return S.spatial_triple("CenterSpatialCrop", "roi_size", self.roi_size, shape)

    def output_shape(self, shape: Shape) -> Shape:
        roi = self._roi(shape)
        return (*(min(roi[a], shape[a]) for a in range(3)), shape[3])

    def sample(self, key: jax.Array, shape: Shape) -> CropStart:
        return CropStart(jnp.asarray(S.center_crop_start(shape, self._roi(shape)), jnp.float32))


@dataclass(frozen=True)
class RandSpatialCrop(_Crop):
    """Cut out a box of static size at a uniform random position (every start equally likely).

    Shapes: (S0, S1, S2, C) -> ``(*roi_size, C)``, same dtype; `roi_size` is static (<= 0 keeps
    that axis); a roi larger than the volume is refused (pad first with SpatialPad).
    MONAI: ``RandSpatialCrop(roi_size, random_center=True, random_size=False)``; only
    ``random_size=False`` (static shapes). MONAI clips a larger roi to the volume.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.RandSpatialCrop((4, 6, 5))(jax.random.key(0), jnp.zeros((10, 12, 9, 1))).shape
      (4, 6, 5, 1)
    """

    roi_size: int | Sequence[int]
    random_center: bool = True
    random_size: bool = False

    def __post_init__(self) -> None:
        S.spatial_triple("RandSpatialCrop", "roi_size", self.roi_size, (1, 1, 1))
        if isinstance(self.roi_size, Sequence):
            _freeze(self, "roi_size", tuple(self.roi_size))
        if self.random_size is not False:
            raise ValueError("RandSpatialCrop: random_size must be False (output shapes are static)")
        if not isinstance(self.random_center, bool):
            raise TypeError(f"RandSpatialCrop: random_center must be True or False, got {self.random_center!r}")

    def _roi(self, shape: Shape) -> S.Triple:
        roi = S.spatial_triple("RandSpatialCrop", "roi_size", self.roi_size, shape)
        if any(roi[a] > shape[a] for a in range(3)):
            raise ValueError(
                f"RandSpatialCrop: roi_size {roi} is larger than the volume's spatial size {tuple(shape[:3])}; "
                "pad first with SpatialPad(roi_size)"
            )
        return roi

    def output_shape(self, shape: Shape) -> Shape:
        return (*self._roi(shape), shape[3])

    def sample(self, key: jax.Array, shape: Shape) -> CropStart:
        roi = self._roi(shape)
        if not self.random_center:
            return CropStart(jnp.asarray(S.center_crop_start(shape, roi), jnp.float32))
        room = jnp.asarray([shape[a] - roi[a] + 1 for a in range(3)], jnp.float32)
        return CropStart(jnp.minimum(jnp.floor(uniform_vector(key, 3) * room), room - 1.0))


@dataclass(frozen=True)
class SpatialPad(VolumeTransform):
    """Pad each spatial axis up to `spatial_size` (axes already as large are left alone).

    Shapes: (S0, S1, S2, C) -> (max(S0, s0), max(S1, s1), max(S2, s2), C), same dtype; all
    arguments static. Labels are padded with 0 in "constant" mode, else like the volume.
    MONAI: ``SpatialPad(spatial_size, method="symmetric", mode="constant")``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.SpatialPad((8, 8, 6))(jax.random.key(0), jnp.zeros((5, 8, 3, 1))).shape
      (8, 8, 6, 1)
    """

    spatial_size: int | Sequence[int]
    method: str = "symmetric"
    mode: str = "constant"
    value: float = 0.0

    def __post_init__(self) -> None:
        S.spatial_triple("SpatialPad", "spatial_size", self.spatial_size, (1, 1, 1))
        if isinstance(self.spatial_size, Sequence):
            _freeze(self, "spatial_size", tuple(self.spatial_size))
        if self.method not in ("symmetric", "end"):
            raise ValueError(f"SpatialPad: method must be 'symmetric' or 'end', got {self.method!r}")
        if self.mode not in S.PAD_MODES:
            raise ValueError(f"SpatialPad: mode must be one of {S.PAD_MODES}, got {self.mode!r}")
        _freeze(self, "value", _checks.check_finite("SpatialPad", "value", self.value))

    def output_shape(self, shape: Shape) -> Shape:
        size = S.spatial_triple("SpatialPad", "spatial_size", self.spatial_size, shape)
        return (*(max(size[a], shape[a]) for a in range(3)), shape[3])

    def apply_pair(self, params: Any, volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        out = S.spatial_pad(volume, self.output_shape(volume.shape)[:3], self.method, self.mode, self.value)
        if label is None:
            return out, None
        widths = S.pad_widths(volume.shape, self.output_shape(volume.shape)[:3], self.method)
        widths = widths + [(0, 0)] * (label.ndim - 3)
        return out, jnp.pad(label, widths, mode=self.mode) if self.mode != "constant" else jnp.pad(label, widths)


@dataclass(frozen=True)
class Resize(VolumeTransform):
    """Resize to a static spatial size (a size <= 0 keeps that axis).

    Shapes: (S0, S1, S2, C) -> ``(*spatial_size, C)``; float for "trilinear" (float32 for integer
    input), same dtype for "nearest"; labels by nearest. Its own resample: it does not fuse.
    MONAI: ``Resize(spatial_size, mode="area")``: "area" is not implemented; the default here is
    "trilinear" (``align_corners=None``, no anti-aliasing), and "nearest" is torch's legacy
    nearest, as MONAI's.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.volume.Resize((4, 6, -1))(jax.random.key(0), jnp.zeros((8, 8, 5, 1))).shape
      (4, 6, 5, 1)
    """

    spatial_size: int | Sequence[int]
    mode: str = "trilinear"

    def __post_init__(self) -> None:
        S.spatial_triple("Resize", "spatial_size", self.spatial_size, (1, 1, 1))
        if isinstance(self.spatial_size, Sequence):
            _freeze(self, "spatial_size", tuple(self.spatial_size))
        _check_mode("Resize", self.mode)

    def output_shape(self, shape: Shape) -> Shape:
        return (*S.spatial_triple("Resize", "spatial_size", self.spatial_size, shape), shape[3])

    def apply_pair(self, params: Any, volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        size = self.output_shape(volume.shape)[:3]
        out = S.resize(volume, size, self.mode)
        if label is None:
            return out, None
        coords = S.axis_coords([S.resize_coords(volume.shape[a], size[a], "nearest") for a in range(3)])
        return out, S.sample_label(label, coords, "border")


# --- crops by label ------------------------------------------------------------------------------


class PosNegDraw(NamedTuple):
    """RandCropByPosNegLabel's draw per patch: foreground or not, and a uniform rank in [0, 1)
    among the candidate voxels (turned into a voxel by the label at apply)."""

    positive: jax.Array
    rank: jax.Array


@dataclass(frozen=True)
class RandCropByPosNegLabel(VolumeTransform):
    """Cut `num_samples` patches centred on foreground (label > 0) or background voxels.

    Each patch is centred on foreground with probability ``pos / (pos + neg)``, at a voxel drawn
    uniformly among the candidates (a uniform rank found by cumsum and searchsorted, so it works
    under jit and vmap with static shapes), then the centre is moved inside the valid region as
    MONAI's ``correct_crop_centers`` does. With `image_threshold`, candidates must also have a
    channel of the volume above it (MONAI's ``image=`` argument). With no foreground every patch
    is centred on background, and the reverse; with neither, on the volume's centre.
    Shapes: volume (S0, S1, S2, C), label required -> patches ``(num_samples, *spatial_size, C)``
    and label patches ``(num_samples, *spatial_size[, 1])``, same dtypes; `spatial_size`,
    `num_samples` static. A `spatial_size` larger than the volume is refused unless
    `allow_smaller`. In a ``jaxaug.volume.Compose``, the steps after it run on each patch.
    MONAI: ``RandCropByPosNegLabel(spatial_size, label, pos=1.0, neg=1.0, num_samples=1,
    image=None, image_threshold=0.0, allow_smaller=False)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> label = jnp.zeros((10, 12, 9), jnp.int32).at[2, 3, 4].set(1)
      >>> t = ja.volume.RandCropByPosNegLabel((4, 4, 4), pos=1.0, neg=1.0, num_samples=3)
      >>> patches, labels = t(jax.random.key(0), jnp.zeros((10, 12, 9, 1)), label)
      >>> patches.shape, labels.shape
      ((3, 4, 4, 4, 1), (3, 4, 4, 4))
    """

    spatial_size: int | Sequence[int]
    pos: float = 1.0
    neg: float = 1.0
    num_samples: int = 1
    image_threshold: float | None = None
    allow_smaller: bool = False

    multi_sample = True

    def __post_init__(self) -> None:
        where = "RandCropByPosNegLabel"
        S.spatial_triple(where, "spatial_size", self.spatial_size, (1, 1, 1))
        if isinstance(self.spatial_size, Sequence):
            _freeze(self, "spatial_size", tuple(self.spatial_size))
        pos = _checks.check_nonnegative(where, "pos", self.pos)
        neg = _checks.check_nonnegative(where, "neg", self.neg)
        if pos + neg <= 0:
            raise ValueError(f"{where}: pos and neg must not both be 0")
        _freeze(self, "pos", pos)
        _freeze(self, "neg", neg)
        if not _checks.is_int(self.num_samples) or self.num_samples < 1:
            raise ValueError(f"{where}: num_samples must be an int >= 1, got {self.num_samples!r}")
        if self.image_threshold is not None:
            _freeze(self, "image_threshold", _checks.check_finite(where, "image_threshold", self.image_threshold))
        if not isinstance(self.allow_smaller, bool):
            raise TypeError(f"{where}: allow_smaller must be True or False, got {self.allow_smaller!r}")

    def _roi(self, shape: Shape) -> S.Triple:
        roi = S.spatial_triple("RandCropByPosNegLabel", "spatial_size", self.spatial_size, shape)
        if any(roi[a] > shape[a] for a in range(3)):
            if not self.allow_smaller:
                raise ValueError(
                    f"RandCropByPosNegLabel: spatial_size {roi} is larger than the volume's spatial size "
                    f"{tuple(shape[:3])}; pad first with SpatialPad, or pass allow_smaller=True"
                )
            roi = tuple(min(roi[a], shape[a]) for a in range(3))  # type: ignore[assignment]
        return roi

    def output_shape(self, shape: Shape) -> Shape:
        return (self.num_samples, *self._roi(shape), shape[3])

    def sample(self, key: jax.Array, shape: Shape) -> PosNegDraw:
        k_positive, k_rank = split_key(key, 2)
        p = self.pos / (self.pos + self.neg)
        return PosNegDraw(_checks.bernoulli(k_positive, p, (self.num_samples,)), uniform_vector(k_rank, self.num_samples))

    def apply_pair(self, params: PosNegDraw, volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        if label is None:
            raise ValueError("RandCropByPosNegLabel: needs the label: call t(key, volume, label)")
        starts = self.starts(params, volume, label)
        size = self._roi(volume.shape)
        patches = jax.vmap(lambda s: _slice(volume, s, size))(starts)
        return patches, jax.vmap(lambda s: _slice(label, s, size))(starts)

    def starts(self, params: PosNegDraw, volume: jax.Array, label: jax.Array) -> jax.Array:
        """(num_samples, 3) first voxels of the patches for this draw, volume and label."""
        shape = volume.shape
        roi = self._roi(shape)
        foreground = (label.reshape(label.shape[:3]) > 0).reshape(-1)
        if self.image_threshold is None:
            background = ~foreground
        else:
            bright = jnp.any(volume > jnp.asarray(self.image_threshold, volume.dtype), axis=-1).reshape(-1)
            background = bright & ~foreground
        fg_rank = jnp.cumsum(foreground.astype(jnp.int32))
        bg_rank = jnp.cumsum(background.astype(jnp.int32))
        n_fg, n_bg = fg_rank[-1], bg_rank[-1]
        use_fg = jnp.where(n_fg == 0, False, jnp.where(n_bg == 0, True, params.positive))
        count = jnp.where(use_fg, n_fg, n_bg)
        rank = jnp.minimum(jnp.floor(params.rank * count.astype(jnp.float32)).astype(jnp.int32), count - 1)
        # The voxel with `rank` candidates before it: the first whose running count exceeds rank.
        index = jnp.where(
            use_fg,
            jnp.searchsorted(fg_rank, rank + 1, side="left"),
            jnp.searchsorted(bg_rank, rank + 1, side="left"),
        )
        centre_of_volume = np.ravel_multi_index(tuple(s // 2 for s in shape[:3]), shape[:3])
        index = jnp.where(count > 0, index, centre_of_volume)
        centre = jnp.stack(jnp.unravel_index(index, shape[:3]), axis=-1)
        # MONAI's correct_crop_centers: centres in [roi // 2, end - 1], end = int(size + 1 - roi / 2).
        low = np.asarray([[r // 2 for r in roi]])
        end = np.asarray([[int(shape[a] + 1 - roi[a] / 2) for a in range(3)]])
        end = np.where(low == end, end + 1, end)
        centre = jnp.clip(centre, low, end - 1)
        return (centre - low).astype(jnp.int32)
