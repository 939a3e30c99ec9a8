"""The volume Compose: chains volume transforms, resampling neighbouring spatial steps once
(4x4 matrices), and runs the steps after a multi-patch crop on each patch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jax

from jaxaug._base import Shape
from jaxaug.volume import _spatial as S
from jaxaug.volume._transforms import SpatialTransform, VolumeTransform, _freeze


def _check_steps(transforms: Any) -> tuple[VolumeTransform, ...]:
    if not isinstance(transforms, Sequence) or isinstance(transforms, str):
        raise TypeError(f"Compose: transforms must be a list of jaxaug.volume transforms, got {type(transforms).__name__}")
    for i, t in enumerate(transforms):
        if not isinstance(t, VolumeTransform):
            raise TypeError(
                f"Compose: transforms[{i}] must be a jaxaug.volume transform (e.g. ja.volume.RandFlip()), got "
                f"{type(t).__name__}; 2-D image transforms go in ja.Compose"
            )
    if sum(t.multi_sample for t in transforms) > 1:
        raise ValueError("Compose: at most one step may return several patches (RandCropByPosNegLabel)")
    return tuple(transforms)


def _group_settings(steps: Sequence[SpatialTransform]) -> dict[str, Any]:
    mode = "bilinear" if any(s.mode is not None and S.check_mode("Compose", s.mode) == "bilinear" for s in steps) else "nearest"
    paddings = [s.padding_mode for s in steps if s.padding_mode is not None]
    return {
        "mode": mode,
        "padding_mode": paddings[0] if paddings else "zeros",
        "axis_aligned": all(s.axis_aligned for s in steps),
    }


@dataclass(frozen=True)
class Compose(VolumeTransform):
    """Chain volume transforms; neighbouring spatial steps are resampled once.

    Step i draws from ``jax.random.fold_in(key, i)``. Neighbouring spatial steps (flips,
    quarter turns, crops, RandRotate, RandAffine) multiply their 4x4 matrices and the volume is
    read once, trilinearly if any of them interpolates; the label follows by nearest. Steps
    with different padding modes are not fused. A fused group pads where the *composed* map
    leaves the group's input: a crop followed by a rotation reads real voxels outside the crop
    where the two steps run apart would pad (MONAI's lazy resampling does the same).
    After RandCropByPosNegLabel the later steps run on each patch, with their own draw each
    (patch j of step i draws from ``jax.random.split(jax.random.fold_in(key, i), n)[j]``).

    Shapes: as the steps say, known statically. ``sample`` returns each step's parameters;
    ``apply`` replays them. ``ja.Compose`` is for 2-D images; the 2-D fusion is written for
    3x3 matrices, fill frames and (H, W, C) checks, and extending it to volumes would have
    threaded a dimension through all of them.
    MONAI: ``Compose(transforms)`` (with lazy resampling).

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> pipeline = ja.volume.Compose([
      ...     ja.volume.RandSpatialCrop((6, 6, 6)),
      ...     ja.volume.RandFlip(prob=0.5, spatial_axis=0),
      ...     ja.volume.RandAffine(prob=1.0, rotate_range=(0.26, 0.26, 0.26)),
      ... ])
      >>> pipeline(jax.random.key(0), jnp.zeros((8, 10, 9, 1))).shape
      (6, 6, 6, 1)
    """

    transforms: Sequence[VolumeTransform]

    def __post_init__(self) -> None:
        _freeze(self, "transforms", _check_steps(self.transforms))

    def output_shape(self, shape: Shape) -> Shape:
        samples: tuple[int, ...] = ()
        for t in self.transforms:
            shape = t.output_shape(shape)
            if t.multi_sample:
                samples, shape = shape[:1], shape[1:]
        return (*samples, *shape)

    def sample(self, key: jax.Array, shape: Shape) -> tuple[Any, ...]:
        params = []
        samples = None
        for i, t in enumerate(self.transforms):
            k = jax.random.fold_in(key, i)
            if samples is None:
                params.append(t.sample(k, shape))
            else:
                params.append(jax.vmap(lambda kk, t=t, shape=shape: t.sample(kk, shape))(jax.random.split(k, samples)))
            shape = t.output_shape(shape)
            if t.multi_sample:
                samples, shape = shape[0], shape[1:]
        return tuple(params)

    def apply_pair(self, params: tuple[Any, ...], volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        if len(params) != len(self.transforms):
            raise ValueError(f"Compose: params must have one entry per transform ({len(self.transforms)}), got {len(params)}")
        group: list[tuple[SpatialTransform, Any, Shape]] = []
        per_patch = False

        def run(fn: Any, p: Any, volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
            if not per_patch:
                return fn(p, volume, label)
            if label is None:
                return jax.vmap(lambda p, v: fn(p, v, None)[0])(p, volume), None
            return jax.vmap(fn)(p, volume, label)

        def flush(volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
            if not group:
                return volume, label
            steps = list(group)
            group.clear()
            if len(steps) == 1:
                t, p, _ = steps[0]
                return run(t.apply_pair, p, volume, label)

            def fused(ps: Any, volume: jax.Array, label: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
                m = S.identity_matrix()
                for (t, _, shape), p in zip(steps, ps):
                    m = m @ t.matrix(p, shape)
                t_last, _, shape_last = steps[-1]
                out_spatial = t_last.output_shape(shape_last)[:3]
                return S.warp(volume, label, m, out_spatial, **_group_settings([t for t, _, _ in steps]))

            return run(fused, tuple(p for _, p, _ in steps), volume, label)

        shape = tuple(volume.shape)
        for t, p in zip(self.transforms, params):
            if isinstance(t, SpatialTransform) and t.fuses(shape):
                padding = {s.padding_mode for s, _, _ in group} | {t.padding_mode}
                if len(padding - {None}) > 1:
                    volume, label = flush(volume, label)
                group.append((t, p, shape))
            else:
                volume, label = flush(volume, label)
                volume, label = run(t.apply_pair, p, volume, label)
            shape = t.output_shape(shape)
            if t.multi_sample:
                per_patch, shape = True, shape[1:]
        return flush(volume, label)
