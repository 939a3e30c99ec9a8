"""Combinators (Compose, RandomApply, RandomChoice) and ja.batch."""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxaug import _checks, _targets
from jaxaug._base import GeometricTransform, Shape, Transform, warp_pair
from jaxaug._config import format_transform
from jaxaug.image import _geometry
from jaxaug.image._color import to_float


def _check_transforms(where: str, transforms: Any) -> tuple[Transform, ...]:
    if not isinstance(transforms, Sequence) or isinstance(transforms, str):
        raise TypeError(f"{where}: transforms must be a list of jaxaug transforms, got {type(transforms).__name__}")
    for i, t in enumerate(transforms):
        if not isinstance(t, Transform):
            raise TypeError(
                f"{where}: transforms[{i}] must be a jaxaug transform (e.g. ja.RandomHorizontalFlip()), "
                f"got {type(t).__name__}"
            )
        if getattr(t, "is_volume", False):
            raise TypeError(f"{where}: transforms[{i}] ({type(t).__name__}) is a volume transform; chain volume steps with ja.volume.Compose")
    return tuple(transforms)


def _check_units_before_clamping(transforms: Sequence[Transform]) -> None:
    """A colour step that clamps to [0, 1] after a step that leaves it (Normalize, an unclipped
    window) would clamp silently inside jit and vmap, where values are not seen: refused here."""
    leaver = ""
    for t in transforms:
        if t.clamps_to_unit_range and leaver:
            raise ValueError(
                f"Compose: {type(t).__name__} clamps to [0, 1] but comes after {leaver}, whose output "
                "is not in [0, 1]; put Normalize last, and give ScaleIntensityRange clip=True with b_min=0, b_max=1"
            )
        leaver = t.leaves_unit_range or leaver


def _fills_in_float_units(t: Transform) -> Transform:
    """`t` with its uint8-unit fills (255 is white) given in float units (1.0 is white)."""
    if isinstance(t, _Combination):
        return dataclasses.replace(t, transforms=[_fills_in_float_units(s) for s in t.transforms])
    if t.input_unit_fields:
        return dataclasses.replace(t, **{name: _in_float_units(getattr(t, name)) for name in t.input_unit_fields})
    names = {f.name for f in dataclasses.fields(t)} if dataclasses.is_dataclass(t) else set()
    if isinstance(t, GeometricTransform) and t.border == "fill" and "fill" in names:
        return dataclasses.replace(t, fill=tuple(float(v) / 255.0 for v in np.atleast_1d(np.asarray(t.fill, np.float64))))
    return t


def _in_float_units(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(float(v) / 255.0 for v in value)
    return float(value) / 255.0


def _fill_settings(steps: Sequence[Any]) -> set[tuple[Any, Any]]:
    """The distinct (fill, mask_fill) pairs of the steps that fill."""
    return {(s.fill, s.mask_fill) for s in steps if isinstance(s, GeometricTransform) and s.border == "fill"}


def _group_maps(
    group: Sequence[tuple[Any, Any, Shape]],
) -> tuple[jax.Array, list[tuple[jax.Array, tuple[int, int]]]]:
    """A fused group's matrix (output pixel -> group input) and each filling step's frame seen
    from the group's output: its own frames times the matrices of the steps after it. One pass
    from the last step back computes every matrix once."""
    after = _geometry.identity_matrix()
    frames = []
    for t, p, shape in reversed(group):
        frames.extend((m @ after, size) for m, size in t.fill_frames(p, shape))
        after = t.matrix(p, shape) @ after
    return after, frames


def _always_inside(size: tuple[int, int]) -> jax.Array:
    """A frame matrix sending every output pixel to the centre of a (h, w) frame: no fill."""
    h, w = size
    return jnp.array([[0.0, 0.0, (w - 1) / 2.0], [0.0, 0.0, (h - 1) / 2.0], [0.0, 0.0, 1.0]], jnp.float32)


def _geometry_settings(steps: Sequence[GeometricTransform]) -> dict[str, Any]:
    """How a fused group resamples: bilinear if any step is, fill if any step fills."""
    interpolation = "bilinear" if any(s.interpolation == "bilinear" for s in steps) else "nearest"
    fillers = [s for s in steps if s.border == "fill"]
    return {
        "interpolation": interpolation,
        "border": "fill" if fillers else "edge",
        "fill": fillers[-1].fill if fillers else 0.0,
        "mask_fill": fillers[-1].mask_fill if fillers else 0,
        "separable": all(s.axis_aligned for s in steps),
        # A product with a homography is a homography: one resample with the divide.
        "projective": any(s.projective for s in steps),
    }


class _Combination(GeometricTransform):
    """What Compose, RandomApply and RandomChoice share: geometric if all their steps are, and
    then resampled as one group with the settings the steps ask for (see _geometry_settings)."""

    transforms: tuple[Transform, ...]

    def __repr__(self) -> str:
        # Like the code that built it: one step per line, only non-default arguments.
        return format_transform(self)

    @property
    def is_geometric(self) -> bool:  # type: ignore[override]
        return all(t.is_geometric for t in self.transforms)

    @property
    def accepts_physical_units(self) -> bool:  # type: ignore[override]
        return bool(self.transforms) and self.transforms[0].accepts_physical_units

    @property
    def clamps_to_unit_range(self) -> bool:  # type: ignore[override]
        return any(t.clamps_to_unit_range for t in self.transforms)

    @property
    def fills_agree(self) -> bool:
        """Whether every filling step fills with the same values (else they are not fused:
        one resample has one fill)."""
        return len(_fill_settings(self.transforms)) <= 1 and all(
            getattr(t, "fills_agree", True) for t in self.transforms
        )

    @property
    def _settings(self) -> dict[str, Any]:
        return _geometry_settings([t for t in self.transforms if isinstance(t, GeometricTransform)])

    @property
    def axis_aligned(self) -> bool:  # type: ignore[override]
        return self._settings["separable"]

    @property
    def interpolation(self) -> str:  # type: ignore[override]
        return self._settings["interpolation"]

    @property
    def projective(self) -> bool:  # type: ignore[override]
        return self._settings["projective"]

    @property
    def border(self) -> str:  # type: ignore[override]
        return self._settings["border"]

    @property
    def fill(self) -> Any:  # type: ignore[override]
        return self._settings["fill"]

    @property
    def mask_fill(self) -> Any:  # type: ignore[override]
        return self._settings["mask_fill"]


@dataclass(frozen=True, repr=False)
class Compose(_Combination):
    """Chain transforms; neighbouring geometric steps are resampled once.

    Step i draws from ``jax.random.fold_in(key, i)``, so adding a step never changes the draws
    of the steps before it. Consecutive geometric steps (crops, resizes that enlarge, flips,
    rotations, quarter turns) multiply their matrices and the image is interpolated once, with
    bilinear interpolation if any of them asks for it; masks follow by nearest neighbour.

    Shapes: as the steps say, known statically. ``sample`` returns a tuple with each step's
    parameters; ``apply`` replays them, e.g. on a mask.
    torchvision: ``T.Compose(transforms)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> pipeline = ja.Compose([ja.RandomResizedCrop(8), ja.RandomHorizontalFlip(), ja.ToFloat()])
      >>> pipeline(jax.random.key(0), jnp.zeros((16, 16, 3), jnp.uint8)).shape
      (8, 8, 3)
    """

    transforms: Sequence[Transform]

    def __post_init__(self) -> None:
        object.__setattr__(self, "transforms", _check_transforms("Compose", self.transforms))
        _check_units_before_clamping(self.transforms)

    def fuses(self, shape: Shape) -> bool:
        if not self.fills_agree:
            return False
        for t in self.transforms:
            if not t.fuses(shape):
                return False
            shape = t.output_shape(shape)
        return True

    def fill_frames(self, params: tuple[Any, ...], shape: Shape) -> list[tuple[jax.Array, tuple[int, int]]]:
        group = []
        for t, p in zip(self.transforms, params):
            group.append((t, p, shape))
            shape = t.output_shape(shape)
        return _group_maps(group)[1]

    def output_shape(self, shape: Shape) -> Shape:
        for t in self.transforms:
            shape = t.output_shape(shape)
        return tuple(shape)

    def sample(self, key: jax.Array, shape: Shape) -> tuple[Any, ...]:
        params = []
        for i, t in enumerate(self.transforms):
            params.append(t.sample(jax.random.fold_in(key, i), shape))
            shape = t.output_shape(shape)
        return tuple(params)

    def describe(self, params: tuple[Any, ...], shape: Shape) -> dict[str, jax.Array]:
        """Each step's draw under ``"{i}.{StepName}."``, in that step's own input pixels."""
        out = {}
        for i, (t, p) in enumerate(zip(self.transforms, params)):
            out.update((f"{i}.{type(t).__name__}.{k}", v) for k, v in t.describe(p, shape).items())
            shape = t.output_shape(shape)
        return out

    def map_targets(self, params: tuple[Any, ...], shape: Shape, targets: _targets.Targets) -> _targets.Targets:
        # Step by step, fused or not: each step clamps and takes the enclosing box, as
        # torchvision's Compose does, so boxes do not depend on which steps were fused.
        for t, p in zip(self.transforms, params):
            targets = t.map_targets(p, shape, targets)
            shape = t.output_shape(shape)
        return targets

    def matrix(self, params: tuple[Any, ...], shape: Shape) -> jax.Array:
        m = _geometry.identity_matrix()
        for t, p in zip(self.transforms, params):
            m = m @ t.matrix(p, shape)
            shape = t.output_shape(shape)
        return m

    def apply_pair(self, params: tuple[Any, ...], image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        if len(params) != len(self.transforms):
            raise ValueError(f"Compose: params must have one entry per transform ({len(self.transforms)}), got {len(params)}")
        group: list[tuple[Transform, Any, Shape]] = []

        def flush(image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
            if not group:
                return image, mask
            if len(group) == 1:
                t, p, _ = group[0]
                out = t.apply_pair(p, image, mask)
            else:
                m, frames = _group_maps(group)
                t_last, _, shape_last = group[-1]
                size = t_last.output_shape(shape_last)[:2]
                # Steps that leave the image as it is (a Resize to its own size) do not choose
                # the group's interpolation.
                moving = [t for t, _, s in group if not t.is_identity(s)]
                settings = _geometry_settings(moving or [t for t, _, _ in group])
                out = warp_pair(image, mask, m, size, **settings, where="Compose", fill_frames=frames)
            group.clear()
            return out

        shape = tuple(image.shape)
        # Fills are in the pipeline input's units until an explicit conversion (torchvision keeps
        # uint8 until ToDtype); jaxaug's steps return floats, so a step after the first resample
        # of a uint8 input gets its fills in float units.
        uint8_units = image.dtype == jnp.uint8

        def in_units(t: Transform, image: jax.Array) -> Transform:
            return _fills_in_float_units(t) if uint8_units and image.dtype != jnp.uint8 else t

        for t, p in zip(self.transforms, params):
            if t.fuses(shape):
                step = in_units(t, image)
                if len(_fill_settings([g for g, _, _ in group] + [step])) > 1:
                    # A different fill than the group's: one resample has one fill.
                    image, mask = flush(image, mask)
                    step = in_units(t, image)
                group.append((step, p, shape))
            else:
                image, mask = flush(image, mask)
                image, mask = in_units(t, image).apply_pair(p, image, mask)
            if t.converts_to_float_units:
                uint8_units = False
            shape = t.output_shape(shape)
        return flush(image, mask)


@dataclass(frozen=True, repr=False)
class RandomApply(_Combination):
    """Apply a list of transforms (as a Compose) with probability `p`, else pass through.

    A list of geometric steps stays fusable: not applying them is the identity matrix.
    Shapes: the inner transforms must keep the shape. torchvision: ``T.RandomApply(transforms, p=0.5)``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> blur = ja.RandomApply([ja.GaussianBlur(5)], p=0.3)
      >>> blur(jax.random.key(0), jnp.ones((16, 16, 3))).shape
      (16, 16, 3)
    """

    transforms: Sequence[Transform]
    p: float = 0.5

    def __post_init__(self) -> None:
        object.__setattr__(self, "transforms", _check_transforms("RandomApply", self.transforms))
        object.__setattr__(self, "p", _checks.check_probability("RandomApply", "p", self.p))

    @property
    def _inner(self) -> Compose:
        return Compose(self.transforms)

    def fuses(self, shape: Shape) -> bool:
        return self._inner.fuses(shape)  # Compose.fuses also asks that fills agree

    def output_shape(self, shape: Shape) -> Shape:
        out = self._inner.output_shape(shape)
        if tuple(out) != tuple(shape):
            raise ValueError(f"RandomApply: transforms must keep the shape {tuple(shape)}, they give {tuple(out)}")
        return out

    def sample(self, key: jax.Array, shape: Shape) -> tuple[jax.Array, Any]:
        k_apply, k_inner = jax.random.split(key)
        return (_checks.bernoulli(k_apply, self.p), self._inner.sample(k_inner, shape))

    def describe(self, params: tuple[jax.Array, Any], shape: Shape) -> dict[str, jax.Array]:
        """``"applied"``, then the inner steps as Compose describes them (drawn either way)."""
        apply, inner = params
        return {"applied": apply, **self._inner.describe(inner, shape)}

    def matrix(self, params: tuple[jax.Array, Any], shape: Shape) -> jax.Array:
        apply, inner = params
        return jnp.where(apply, self._inner.matrix(inner, shape), _geometry.identity_matrix())

    def map_targets(self, params: tuple[jax.Array, Any], shape: Shape, targets: _targets.Targets) -> _targets.Targets:
        apply, inner = params
        return _targets.select(apply, [targets, self._inner.map_targets(inner, shape, targets)])

    def fill_frames(self, params: tuple[jax.Array, Any], shape: Shape) -> list[tuple[jax.Array, tuple[int, int]]]:
        apply, inner = params
        return [(jnp.where(apply, m, _always_inside(size)), size) for m, size in self._inner.fill_frames(inner, shape)]

    def apply_pair(self, params: tuple[jax.Array, Any], image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        self.output_shape(image.shape)
        if self.is_geometric and self.fuses(image.shape):
            return super().apply_pair(params, image, mask)
        apply, inner = params
        out, out_mask = self._inner.apply_pair(inner, image, mask)
        image = jnp.where(apply, out, to_float(image).astype(out.dtype))
        if mask is not None:
            mask = jnp.where(apply, out_mask, mask)
        return image, mask


class Choice(NamedTuple):
    """RandomChoice's draw: which transform, and every transform's own draw."""

    index: jax.Array
    params: tuple[Any, ...]


@dataclass(frozen=True, repr=False)
class RandomChoice(_Combination):
    """Apply one transform picked at random (with probabilities `p`, default uniform).

    All choices must give the same output shape. If they are all geometric the choice is a
    choice of matrix and fuses with its neighbours; otherwise it is a ``lax.switch`` (under
    ``vmap`` every branch runs, as with any per-example branch in JAX).
    torchvision: ``T.RandomChoice(transforms, p=None)``; albumentations' ``OneOf``.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> turn = ja.RandomChoice([ja.RandomHorizontalFlip(1.0), ja.RandomVerticalFlip(1.0)])
      >>> turn(jax.random.key(0), jnp.ones((8, 8, 3))).shape
      (8, 8, 3)
    """

    transforms: Sequence[Transform]
    p: Sequence[float] | None = None

    def __post_init__(self) -> None:
        transforms = _check_transforms("RandomChoice", self.transforms)
        if not transforms:
            raise ValueError("RandomChoice: transforms must not be empty")
        object.__setattr__(self, "transforms", transforms)
        if self.p is not None:
            p = tuple(float(v) for v in self.p)
            if len(p) != len(transforms) or any(not 0 <= v < math.inf for v in p) or sum(p) <= 0:
                raise ValueError(
                    f"RandomChoice: p must have one weight >= 0 per transform ({len(transforms)}) and a positive sum, got {self.p!r}"
                )
            object.__setattr__(self, "p", tuple(v / sum(p) for v in p))

    def fuses(self, shape: Shape) -> bool:
        return self.fills_agree and all(t.fuses(shape) for t in self.transforms)

    def output_shape(self, shape: Shape) -> Shape:
        shapes = {tuple(t.output_shape(shape)) for t in self.transforms}
        if len(shapes) != 1:
            raise ValueError(f"RandomChoice: every transform must give the same output shape, got {sorted(shapes)}")
        return shapes.pop()

    def sample(self, key: jax.Array, shape: Shape) -> Choice:
        k_index, k_inner = jax.random.split(key)
        n = len(self.transforms)
        p = None if self.p is None else jnp.asarray(self.p)
        index = jax.random.choice(k_index, n, p=p)
        keys = jax.random.split(k_inner, n)
        return Choice(index, tuple(t.sample(keys[i], shape) for i, t in enumerate(self.transforms)))

    def describe(self, params: Choice, shape: Shape) -> dict[str, jax.Array]:
        """``"index"`` of the chosen transform, then every choice's draw under ``"{i}.{Name}."``."""
        out = {"index": params.index}
        for i, (t, p) in enumerate(zip(self.transforms, params.params)):
            out.update((f"{i}.{type(t).__name__}.{k}", v) for k, v in t.describe(p, shape).items())
        return out

    def matrix(self, params: Choice, shape: Shape) -> jax.Array:
        matrices = jnp.stack([t.matrix(p, shape) for t, p in zip(self.transforms, params.params)])
        return matrices[params.index]

    def map_targets(self, params: Choice, shape: Shape, targets: _targets.Targets) -> _targets.Targets:
        moved = [t.map_targets(p, shape, targets) for t, p in zip(self.transforms, params.params)]
        return _targets.select(params.index, moved)

    def fill_frames(self, params: Choice, shape: Shape) -> list[tuple[jax.Array, tuple[int, int]]]:
        # The chosen branch's map into this step's input, where that branch fills; exact for
        # one-step branches (a flip or a rotation), which is what a fused choice holds.
        if self.border != "fill":
            return []
        size = (shape[0], shape[1])
        frames = [
            t.matrix(p, shape) if t.border == "fill" else _always_inside(size)
            for t, p in zip(self.transforms, params.params)
        ]
        return [(jnp.stack(frames)[params.index], size)]

    def apply_pair(self, params: Choice, image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        self.output_shape(image.shape)
        if self.is_geometric and self.fuses(image.shape):
            return super().apply_pair(params, image, mask)
        branches = [
            functools.partial(_apply_branch, t, p) for t, p in zip(self.transforms, params.params)
        ]
        return jax.lax.switch(params.index, branches, image, mask)


def _apply_branch(t: Transform, params: Any, image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
    out, out_mask = t.apply_pair(params, image, mask)
    return to_float(out), out_mask


OneOf = RandomChoice


def batch(transform: Callable[..., Any], chunk_size: int | None = None) -> Callable[..., Any]:
    """Make a one-example transform work on a batch, with an independent draw per example.

    Example i of ``batch(t)(key, images)`` equals ``t(jax.random.split(key, N)[i], images[i])``.
    Works with any ``fn(key, x)`` or ``fn(key, x, mask)``, jaxaug transform or not.

    Args:
      transform: a callable ``(key, image[, mask]) -> out`` for one example.
      chunk_size: None (default) vmaps the whole batch at once. An int runs the batch in
        chunks of that many examples, one after another (``jax.lax.map`` with ``batch_size``),
        with the same draws. On a CPU, chunks of about 8 keep a pipeline's intermediate images
        in cache: the ImageNet preset ran 1.8x faster at batch 128 (benchmarks/README.md).
        Leave it None on GPU/TPU, and when the batch is sharded across devices: chunks run
        sequentially, and slicing a sharded batch moves data between devices. ``chunk_size=1``
        runs one example at a time without vmap, so a ``lax.switch`` inside the transform (the
        policies' drawn operation) runs only the drawn branch; under vmap every branch runs
        for every example. RandAugment used 7x less CPU time that way.

    Returns:
      A callable ``(key, images[, masks], *, boxes=None, keypoints=None) -> out`` for a leading
      batch axis N: images (N, ...), masks (N, ...), boxes (N, K, 4) or a ``BoundingBoxes``
      of (N, K, 4) and (N, K), keypoints (N, K, 2) or a ``KeyPoints``; outputs gain the
      leading N (a ``Sample`` of batched fields when boxes or keypoints are given).

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> flip = ja.batch(ja.RandomHorizontalFlip())
      >>> jax.jit(flip)(jax.random.key(0), jnp.zeros((4, 8, 8, 3))).shape
      (4, 8, 8, 3)
      >>> in_chunks = ja.batch(ja.RandomHorizontalFlip(), chunk_size=3)  # 3, then the last 1
      >>> images = jnp.arange(4 * 8 * 8 * 3.0).reshape(4, 8, 8, 3)
      >>> bool((jax.jit(in_chunks)(jax.random.key(0), images) == flip(jax.random.key(0), images)).all())
      True
    """
    if not callable(transform):
        raise TypeError(f"batch: transform must be callable as transform(key, x), got {type(transform).__name__}")
    if getattr(transform, "is_batched", False):
        raise ValueError("batch: transform is already batched (ja.batch of ja.batch); pass the one-example transform")
    if chunk_size is not None and (not _checks.is_int(chunk_size) or chunk_size < 1):
        raise ValueError(f"batch: chunk_size must be None or an int >= 1, got {chunk_size!r}")

    # lax.map with batch_size vmaps inside each chunk, even a chunk of 1; without batch_size it
    # maps one example at a time, so switches stay branches.
    chunking = {} if chunk_size == 1 else {"batch_size": chunk_size}

    def over_examples(*args: jax.Array) -> Any:
        if chunk_size is None:
            return jax.vmap(transform)(*args)
        return jax.lax.map(lambda example: transform(*example), args, **chunking)

    def with_targets(keys: jax.Array, images: jax.Array, mask: Any, targets: dict[str, Any]) -> Any:
        def one(key: jax.Array, image: jax.Array, mask: Any, targets: dict[str, Any]) -> Any:
            return transform(key, image, **targets) if mask is None else transform(key, image, mask, **targets)

        if chunk_size is None:
            return jax.vmap(one)(keys, images, mask, targets)
        return jax.lax.map(lambda example: one(*example), (keys, images, mask, targets), **chunking)

    def batched(
        key: jax.Array, images: ArrayLike, mask: ArrayLike | None = None, *, boxes: Any = None, keypoints: Any = None
    ) -> Any:
        _checks.check_key("batch", key)
        images = _checks.as_array(images)
        if images.ndim < 1 or images.shape[0] < 1:
            raise ValueError(f"batch: images must have a leading batch axis of size >= 1, got shape {images.shape}")
        if getattr(transform, "is_volume", False) and images.ndim == 4:
            raise ValueError(
                f"batch: volumes must be a batch (N, S0, S1, S2, C), got one volume of shape {images.shape}; "
                "call the transform directly for one volume, or add the batch axis: volumes[None]"
            )
        if isinstance(transform, Transform) and images.ndim == 3:
            raise ValueError(
                f"batch: images must be a batch (N, H, W, C), got one image of shape {images.shape}; "
                "call the transform directly for one image, or add the batch axis: images[None]"
            )
        if getattr(transform, "clamps_to_unit_range", False) and not getattr(transform, "accepts_physical_units", False):
            _checks.check_unit_range(type(transform).__name__, images)
        keys = jax.random.split(key, images.shape[0])
        if mask is not None:
            mask = _checks.as_array(mask)
            if mask.shape[:1] != images.shape[:1]:
                raise ValueError(f"batch: mask must have the batch size {images.shape[0]}, got shape {mask.shape}")
        if boxes is not None or keypoints is not None:
            targets = {k: v for k, v in (("boxes", boxes), ("keypoints", keypoints)) if v is not None}
            if _targets.batch_size_of(targets) != {images.shape[0]}:
                raise ValueError(
                    f"batch: boxes and keypoints must have the batch size {images.shape[0]} first, "
                    "e.g. boxes (N, K, 4) and their valid flags (N, K)"
                )
            return with_targets(keys, images, mask, targets)
        if mask is None:
            return over_examples(keys, images)
        return over_examples(keys, images, mask)

    batched.__doc__ = f"Batched {transform!r}: (key, images[, masks]) with one draw per example."
    batched.is_batched = True  # type: ignore[attr-defined]  # lets train steps accept it as is
    return batched


def fold_in_process(key: jax.Array) -> jax.Array:
    """A key for this host: ``jax.random.fold_in(key, jax.process_index())``.

    In multi-host training every host loads different examples; folding the process index into
    the step's key gives each host its own draws while the run stays reproducible from one seed.

    Args:
      key: the step's PRNG key, the same on every host.

    Returns:
      A PRNG key unique to this process (on one host, process 0).

    Example:
      >>> import jax, jaxaug as ja
      >>> host_key = ja.fold_in_process(jax.random.key(0))
      >>> bool((jax.random.key_data(host_key) == jax.random.key_data(jax.random.fold_in(jax.random.key(0), 0))).all())
      True
    """
    _checks.check_key("fold_in_process", key)
    return jax.random.fold_in(key, jax.process_index())
