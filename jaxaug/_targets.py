"""Bounding boxes and keypoints that move with the image through every geometric step.

Coordinates are continuous pixel coordinates, as torchvision's boxes: the image spans
[0, W] x [0, H], pixel (row i, column j) covers [j, j + 1] x [i, i + 1] and its centre is
(j + 0.5, i + 0.5). A step's ``matrix`` maps output pixel *indices* to input pixel indices
(centres at integers), so targets go through its inverse, shifted by half a pixel.

The number of targets is static: a (K, 4) box array and a (K,) validity flag. A box that
leaves the image, or shrinks below torchvision's ``SanitizeBoundingBoxes`` limits, is flagged
invalid, never removed.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

# torchvision's SanitizeBoundingBoxes defaults.
MIN_SIZE = 1.0
MIN_AREA = 1.0


class BoundingBoxes(NamedTuple):
    """Boxes in XYXY pixel coordinates with a validity flag per box (a pytree).

    Shapes: `xyxy` (K, 4) float32 ``(x1, y1, x2, y2)`` with the image spanning [0, W] x [0, H]
    (torchvision's ``tv_tensors.BoundingBoxes(format="XYXY")``); `valid` (K,) bool. K is static:
    pad with invalid boxes to batch images with different numbers of objects. A plain (K, 4)
    array may be passed instead, meaning every box is valid. ``ja.batch`` maps over a leading
    batch axis: (N, K, 4) and (N, K).

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> boxes = ja.BoundingBoxes(jnp.array([[1.0, 2.0, 4.0, 6.0]]), jnp.array([True]))
      >>> out = ja.RandomHorizontalFlip(p=1.0)(jax.random.key(0), jnp.zeros((8, 10, 3)), boxes=boxes)
      >>> out.boxes.xyxy
      Array([[6., 2., 9., 6.]], dtype=float32)
    """

    xyxy: Any
    valid: Any


class KeyPoints(NamedTuple):
    """Points (x, y) in pixel coordinates with a validity flag per point (a pytree).

    Shapes: `xy` (K, 2) float32, in the same coordinates as ``BoundingBoxes`` (a pixel's centre
    is at ``(column + 0.5, row + 0.5)``); `valid` (K,) bool. A plain (K, 2) array means every
    point is valid. A point is valid while it stays inside the image, ``0 <= x < W`` and
    ``0 <= y < H``, as torchvision's ``SanitizeKeyPoints`` decides; torchvision:
    ``tv_tensors.KeyPoints`` (see the README, "Boxes and keypoints", for the one difference).

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> points = ja.KeyPoints(jnp.array([[0.5, 0.5], [9.5, 7.5]]), jnp.array([True, True]))
      >>> out = ja.CenterCrop(4)(jax.random.key(0), jnp.zeros((8, 10, 3)), keypoints=points)
      >>> out.keypoints.valid
      Array([False, False], dtype=bool)
    """

    xy: Any
    valid: Any


class Sample(NamedTuple):
    """What a transform returns when called with boxes or keypoints: all four, moved together.

    Fields: `image` (h, w, C); `mask` (h, w) or None; `boxes` a ``BoundingBoxes`` or None;
    `keypoints` a ``KeyPoints`` or None (None where not given). torchvision returns the same
    structure it was given (a dict or tuple of tv_tensors).

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> out = ja.Resize((4, 5))(jax.random.key(0), jnp.zeros((8, 10, 3)), boxes=jnp.array([[2.0, 2.0, 6.0, 4.0]]))
      >>> out.boxes.xyxy, out.mask is None
      (Array([[1., 1., 3., 2.]], dtype=float32), True)
    """

    image: Any
    mask: Any
    boxes: Any
    keypoints: Any


class Targets(NamedTuple):
    """Internal: the boxes and keypoints carried through a pipeline (either may be None)."""

    boxes: BoundingBoxes | None
    keypoints: KeyPoints | None


def _coordinates(where: str, name: str, value: Any, width: int, field: str) -> tuple[jax.Array, jax.Array]:
    """(coordinates, valid) from a NamedTuple or a plain array, shape- and dtype-checked."""
    kind = "BoundingBoxes" if width == 4 else "KeyPoints"
    if isinstance(value, (BoundingBoxes, KeyPoints)):
        if not isinstance(value, BoundingBoxes if width == 4 else KeyPoints):
            raise TypeError(f"{where}: {name} must be a ja.{kind} or a (K, {width}) array, got a {type(value).__name__}")
        coords, valid = jnp.asarray(value[0]), jnp.asarray(value[1])
    else:
        coords, valid = jnp.asarray(value), None
    if coords.ndim != 2 or coords.shape[1] != width:
        raise ValueError(
            f"{where}: {name}.{field} must have shape (K, {width}) for one image (ja.batch adds the batch axis), "
            f"got {coords.shape}"
        )
    if coords.dtype == jnp.bool_ or not (
        jnp.issubdtype(coords.dtype, jnp.integer) or jnp.issubdtype(coords.dtype, jnp.floating)
    ):
        raise TypeError(f"{where}: {name}.{field} must hold real numbers (pixels), got dtype {coords.dtype}")
    if valid is None:
        valid = jnp.ones(coords.shape[:1], jnp.bool_)
    elif valid.shape != coords.shape[:1] or valid.dtype != jnp.bool_:
        raise ValueError(
            f"{where}: {name}.valid must be a bool array of shape {coords.shape[:1]}, got {valid.dtype} {valid.shape}"
        )
    return coords.astype(jnp.float32), valid


def check_targets(where: str, boxes: Any, keypoints: Any) -> Targets:
    """The given boxes and keypoints as float32 ``BoundingBoxes``/``KeyPoints`` (None stays None)."""
    if boxes is not None:
        boxes = BoundingBoxes(*_coordinates(where, "boxes", boxes, 4, "xyxy"))
    if keypoints is not None:
        keypoints = KeyPoints(*_coordinates(where, "keypoints", keypoints, 2, "xy"))
    return Targets(boxes, keypoints)


def _forward(matrix: jax.Array) -> jax.Array:
    """Input point -> output point, in continuous coordinates, up to a homogeneous scale.

    `matrix` maps output pixel indices to input pixel indices; shifted by half a pixel it maps
    continuous coordinates. Its adjugate is its inverse times the determinant, which the
    homogeneous divide cancels: no division here, exact for flips and quarter turns.
    """
    half = jnp.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.0, 0.0, 1.0]], jnp.float32)
    minus_half = jnp.array([[1.0, 0.0, -0.5], [0.0, 1.0, -0.5], [0.0, 0.0, 1.0]], jnp.float32)
    m = half @ jnp.asarray(matrix, jnp.float32) @ minus_half
    r0, r1, r2 = m[0], m[1], m[2]
    return jnp.stack([jnp.cross(r1, r2), jnp.cross(r2, r0), jnp.cross(r0, r1)], axis=1)


def _move_points(forward: jax.Array, xy: jax.Array) -> jax.Array:
    ones = jnp.ones(xy.shape[:-1] + (1,), xy.dtype)
    moved = jnp.concatenate([xy, ones], axis=-1) @ forward.T
    return moved[..., :2] / moved[..., 2:]


def _inside(xy: jax.Array, size: tuple[int, int]) -> jax.Array:
    """torchvision's keypoint rule: 0 <= x < W and 0 <= y < H."""
    x, y = xy[..., 0], xy[..., 1]
    return (x >= 0) & (x < size[1]) & (y >= 0) & (y < size[0])


def move(targets: Targets, matrix: jax.Array, size: tuple[int, int]) -> Targets:
    """Move targets through one step: `matrix` (output pixel -> input point) and output (h, w).

    A box becomes the enclosing axis-aligned box of its four moved corners, clamped to the
    output image (torchvision's affine and perspective box kernels, then its clamp); it is
    flagged invalid when nothing of it is left inside. A keypoint is moved without clamping and
    flagged invalid when it leaves the output image. Flags stay off once off: what left the
    image was replaced by fill.
    """
    forward = _forward(matrix)
    boxes, keypoints = targets
    if boxes is not None:
        x1, y1, x2, y2 = (boxes.xyxy[:, i] for i in range(4))
        corners = jnp.stack([jnp.stack(c, axis=-1) for c in ((x1, y1), (x2, y1), (x2, y2), (x1, y2))], axis=1)
        moved = _move_points(forward, corners)
        low = jnp.min(moved, axis=1)
        high = jnp.max(moved, axis=1)
        limit = jnp.array([[size[1], size[0]]], jnp.float32)
        low, high = jnp.clip(low, 0.0, limit), jnp.clip(high, 0.0, limit)
        left = jnp.all(high > low, axis=-1)
        boxes = BoundingBoxes(jnp.concatenate([low, high], axis=-1), boxes.valid & left)
    if keypoints is not None:
        xy = _move_points(forward, keypoints.xy)
        keypoints = KeyPoints(xy, keypoints.valid & _inside(xy, size))
    return Targets(boxes, keypoints)


def sanitize(targets: Targets, size: tuple[int, int]) -> Targets:
    """Flag what torchvision's ``SanitizeBoundingBoxes`` and ``SanitizeKeyPoints`` would drop.

    Boxes: narrower or lower than ``MIN_SIZE`` = 1 pixel, smaller than ``MIN_AREA`` = 1 square
    pixel, or with a corner outside [0, W] x [0, H]. NaN coordinates are invalid.
    """
    boxes, keypoints = targets
    if boxes is not None:
        x1, y1, x2, y2 = (boxes.xyxy[:, i] for i in range(4))
        w, h = x2 - x1, y2 - y1
        ok = (w >= MIN_SIZE) & (h >= MIN_SIZE) & (w * h >= MIN_AREA) & jnp.all(boxes.xyxy >= 0, axis=-1)
        ok = ok & (x1 <= size[1]) & (x2 <= size[1]) & (y1 <= size[0]) & (y2 <= size[0])
        boxes = BoundingBoxes(boxes.xyxy, boxes.valid & ok)
    if keypoints is not None:
        keypoints = KeyPoints(keypoints.xy, keypoints.valid & _inside(keypoints.xy, size))
    return Targets(boxes, keypoints)


def select(which: jax.Array, options: list[Targets]) -> Targets:
    """Options[which] for a traced index (RandomChoice) or a traced bool over two (RandomApply)."""
    return jax.tree.map(lambda *xs: jnp.stack(xs)[jnp.asarray(which, jnp.int32)], *options)


def batch_size_of(targets: dict[str, Any]) -> set[int]:
    """Leading sizes of every given target array (ja.batch checks them against the images)."""
    return {int(np.shape(leaf)[0]) if np.ndim(leaf) else -1 for leaf in jax.tree.leaves(targets)}
