"""Record torchvision's outputs for bounding boxes and keypoints, for jaxaug's tests.

Run by hand, never by pytest, in the scratch virtualenv of ``make_torchvision_reference.py``
(exactly ``torch==2.14.1`` and ``torchvision==0.29.1``)::

    /tmp/tvenv/bin/python tests/reference/make_torchvision_boxes_reference.py

It writes ``torchvision_boxes_reference.npz`` next to this file. Every case is one functional
call of ``torchvision.transforms.v2.functional`` with fixed parameters on
``tv_tensors.BoundingBoxes(format="XYXY")`` (clamping_mode "soft", the default) and
``tv_tensors.KeyPoints``; its validity flags are those of ``F.sanitize_bounding_boxes``
(min_size=1, min_area=1) and ``F.sanitize_keypoints`` on the output. Keys, per case NAME:
``NAME_boxes`` (K, 4), ``NAME_boxes_valid`` (K,), ``NAME_keypoints`` (K, 2),
``NAME_keypoints_valid`` (K,); the inputs are ``in_boxes``, ``in_keypoints`` (for the
(12, 16) canvas) and ``in_square_boxes``, ``in_square_keypoints`` (for the (12, 12) canvas of
the quarter turns); ``calls_json`` names each case's call.
"""

import json
from pathlib import Path

import numpy as np
import torch
import torchvision.transforms.v2.functional as F
from torchvision import tv_tensors

OUT_PATH = Path(__file__).with_name("torchvision_boxes_reference.npz")
CANVAS = (12, 16)
SQUARE = (12, 12)

# A spread of boxes: inside, touching each border, a thin one, one near a corner.
BOXES = np.array(
    [
        [1.0, 2.0, 5.0, 7.0],
        [9.5, 0.0, 16.0, 4.25],
        [0.0, 8.0, 3.0, 12.0],
        [6.0, 5.0, 6.8, 11.0],
        [12.0, 9.0, 15.0, 11.5],
        [4.0, 3.0, 12.0, 9.0],
    ],
    np.float32,
)
SQUARE_BOXES = np.array([[1.0, 2.0, 5.0, 7.0], [7.5, 0.0, 12.0, 4.25], [3.0, 8.0, 10.0, 12.0]], np.float32)
# Pixel centres, a pixel corner, points on the borders.
KEYPOINTS = np.array(
    [[0.5, 0.5], [2.5, 6.5], [15.5, 11.5], [8.0, 6.0], [0.0, 11.0], [15.9, 0.1], [10.25, 3.75]], np.float32
)
SQUARE_KEYPOINTS = np.array([[0.5, 0.5], [2.5, 6.5], [11.5, 3.5], [6.0, 6.0], [9.25, 10.75]], np.float32)


def cases():
    """(name, canvas, call, fn taking and returning a tv_tensor)."""
    yield "hflip", CANVAS, "F.horizontal_flip(t)", F.horizontal_flip
    yield "vflip", CANVAS, "F.vertical_flip(t)", F.vertical_flip
    yield "crop", CANVAS, "F.crop(t, top=3, left=5, height=6, width=8)", lambda t: F.crop(t, 3, 5, 6, 8)
    yield "pad", CANVAS, "F.pad(t, padding=[2, 1, 3, 4])", lambda t: F.pad(t, [2, 1, 3, 4])
    yield (
        "resized_crop",
        CANVAS,
        "F.resized_crop(t, top=2, left=3, height=7, width=9, size=[10, 12])",
        lambda t: F.resized_crop(t, 2, 3, 7, 9, [10, 12]),
    )
    yield "resize", CANVAS, "F.resize(t, [6, 20])", lambda t: F.resize(t, [6, 20])
    yield "rotate_30", CANVAS, "F.rotate(t, 30.0)", lambda t: F.rotate(t, 30.0)
    yield "rotate_-17.5", CANVAS, "F.rotate(t, -17.5)", lambda t: F.rotate(t, -17.5)
    yield "center_crop", CANVAS, "F.center_crop(t, [7, 9])", lambda t: F.center_crop(t, [7, 9])
    yield "center_crop_pad", CANVAS, "F.center_crop(t, [14, 20])", lambda t: F.center_crop(t, [14, 20])
    # For the affine and perspective transforms of another branch (tests wire them when they land).
    yield (
        "affine",
        CANVAS,
        "F.affine(t, angle=20.0, translate=[1.0, -2.0], scale=1.1, shear=[5.0, 3.0])",
        lambda t: F.affine(t, angle=20.0, translate=[1.0, -2.0], scale=1.1, shear=[5.0, 3.0]),
    )
    start, end = [[0, 0], [15, 0], [15, 11], [0, 11]], [[1, 2], [14, 0], [15, 10], [2, 11]]
    yield (
        "perspective",
        CANVAS,
        f"F.perspective(t, startpoints={start}, endpoints={end})",
        lambda t: F.perspective(t, start, end),
    )
    for k in (1, 2, 3):
        yield f"rot90_{k}", SQUARE, f"F.rotate(t, {90.0 * k})", lambda t, k=k: F.rotate(t, 90.0 * k)


def main():
    out = {
        "in_boxes": BOXES,
        "in_keypoints": KEYPOINTS,
        "in_square_boxes": SQUARE_BOXES,
        "in_square_keypoints": SQUARE_KEYPOINTS,
    }
    calls = {}
    for name, canvas, call, fn in cases():
        boxes_in, points_in = (BOXES, KEYPOINTS) if canvas == CANVAS else (SQUARE_BOXES, SQUARE_KEYPOINTS)
        boxes = tv_tensors.BoundingBoxes(torch.from_numpy(boxes_in), format="XYXY", canvas_size=canvas)
        points = tv_tensors.KeyPoints(torch.from_numpy(points_in), canvas_size=canvas)
        moved_boxes, moved_points = fn(boxes), fn(points)
        _, boxes_valid = F.sanitize_bounding_boxes(moved_boxes, min_size=1.0, min_area=1.0)
        _, points_valid = F.sanitize_keypoints(moved_points)
        out[f"{name}_boxes"] = moved_boxes.numpy().astype(np.float32)
        out[f"{name}_boxes_valid"] = boxes_valid.numpy()
        out[f"{name}_keypoints"] = moved_points.numpy().astype(np.float32)
        out[f"{name}_keypoints_valid"] = points_valid.numpy()
        calls[name] = f"{call} on canvas {canvas}"
    out["calls_json"] = np.array(json.dumps(calls))
    np.savez_compressed(OUT_PATH, **out)
    print(f"wrote {OUT_PATH} ({len(calls)} cases)")


if __name__ == "__main__":
    main()
