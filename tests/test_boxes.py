"""Bounding boxes and keypoints follow the image: torchvision's numbers for each geometric step,
the drawn box still encloses the object after any random pipeline, validity flags under jit
and ja.batch, clear refusals."""

import json
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxaug as ja
from jaxaug import _targets
from jaxaug._affine_transforms import AffineDraw, PerspectiveDraw
from jaxaug._image_transforms import Angle, CropBox, Flip, QuarterTurns

REF = np.load(Path(__file__).parent / "reference" / "torchvision_boxes_reference.npz")
CALLS = json.loads(str(REF["calls_json"]))


def _f(*values):
    return tuple(jnp.float32(v) for v in values)


# name -> (jaxaug transform, its parameters for the same call), on the canvas the script used.
STEPS = {
    "hflip": (ja.RandomHorizontalFlip(1.0), Flip(jnp.bool_(True))),
    "vflip": (ja.RandomVerticalFlip(1.0), Flip(jnp.bool_(True))),
    "crop": (ja.RandomCrop((6, 8)), CropBox(*_f(3, 5, 6, 8))),
    # F.pad(t, [2, 1, 3, 4]) (left, top, right, bottom) is a crop of the padded image at (-1, -2).
    "pad": (ja.RandomCrop((17, 21), padding=(2, 1, 3, 4)), CropBox(*_f(-1, -2, 17, 21))),
    "resized_crop": (ja.RandomResizedCrop((10, 12)), CropBox(*_f(2, 3, 7, 9))),
    "resize": (ja.Resize((6, 20)), ()),
    "rotate_30": (ja.RandomRotation(30), Angle(jnp.float32(30.0))),
    "rotate_-17.5": (ja.RandomRotation(30), Angle(jnp.float32(-17.5))),
    "center_crop": (ja.CenterCrop((7, 9)), ()),
    "center_crop_pad": (ja.CenterCrop((14, 20)), ()),
    "rot90_1": (ja.RandomRot90(), QuarterTurns(jnp.int32(1))),
    "rot90_2": (ja.RandomRot90(), QuarterTurns(jnp.int32(2))),
    "rot90_3": (ja.RandomRot90(), QuarterTurns(jnp.int32(3))),
    # F.affine(angle=20, translate=[1, -2], scale=1.1, shear=[5, 3]) drawn by RandomAffine.
    "affine": (
        ja.RandomAffine(30, translate=(0.2, 0.2), scale=(0.9, 1.2), shear=(-10, 10, -10, 10)),
        AffineDraw(jnp.float32(20.0), jnp.array([1.0, -2.0], jnp.float32), jnp.float32(1.1), jnp.array([5.0, 3.0], jnp.float32)),
    ),
    # F.perspective(startpoints=the corners, endpoints=...) drawn by RandomPerspective.
    "perspective": (
        ja.RandomPerspective(),
        PerspectiveDraw(jnp.bool_(True), jnp.array([[1, 2], [14, 0], [15, 10], [2, 11]], jnp.float32)),
    ),
}


def test_every_recorded_case_is_tested():
    assert set(CALLS) == set(STEPS)


class _Homography(ja.GeometricTransform):
    """A fixed projective map, given as torchvision gives it: continuous output -> input."""

    def __init__(self, h):
        self.h = h

    def matrix(self, params, shape):
        half = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.0, 0.0, 1.0]])
        return jnp.asarray(np.linalg.inv(half) @ self.h @ half, jnp.float32)


def test_projective_maps_divide_through_as_torchvision_perspective():
    start, end = [[0, 0], [15, 0], [15, 11], [0, 11]], [[1, 2], [14, 0], [15, 10], [2, 11]]
    rows = []
    for (x, y), (u, v) in zip(end, start):  # output corner (x, y) reads input corner (u, v)
        rows += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
    coefficients = np.linalg.solve(np.array(rows, np.float64), np.array(start, np.float64).ravel())
    out = _carry(_Homography(np.append(coefficients, 1.0).reshape(3, 3)), (), (12, 16, 1), REF["in_boxes"], REF["in_keypoints"])
    np.testing.assert_allclose(np.asarray(out.boxes.xyxy), REF["perspective_boxes"], atol=1e-4, err_msg=CALLS["perspective"])
    np.testing.assert_array_equal(np.asarray(out.boxes.valid), REF["perspective_boxes_valid"])
    np.testing.assert_allclose(np.asarray(out.keypoints.xy), REF["perspective_keypoints"], atol=1e-4)
    np.testing.assert_array_equal(np.asarray(out.keypoints.valid), REF["perspective_keypoints_valid"])


def _carry(t, params, shape, boxes, points):
    """What ``t.apply(params, image, boxes=boxes, keypoints=points)`` returns as targets, without
    resampling an image (which the other tests do)."""
    targets = t.map_targets(params, shape, _targets.check_targets("test", boxes, points))
    return _targets.sanitize(targets, t.output_shape(shape)[:2])


@pytest.mark.parametrize("name", sorted(STEPS))
def test_boxes_and_keypoints_match_torchvision(name):
    t, params = STEPS[name]
    prefix = "in_square_" if name.startswith("rot90") else "in_"
    boxes, points = REF[prefix + "boxes"], REF[prefix + "keypoints"]
    shape = (12, 12, 1) if name.startswith("rot90") else (12, 16, 1)
    out = _carry(t, params, shape, boxes, points)
    np.testing.assert_allclose(np.asarray(out.boxes.xyxy), REF[f"{name}_boxes"], atol=2e-5, err_msg=CALLS[name])
    np.testing.assert_array_equal(np.asarray(out.boxes.valid), REF[f"{name}_boxes_valid"], err_msg=CALLS[name])
    xy, valid = np.asarray(out.keypoints.xy), np.asarray(out.keypoints.valid)
    expected = REF[f"{name}_keypoints"].copy()
    h, w = t.output_shape(shape)[:2]
    if name in ("hflip", "vflip"):
        # torchvision flips keypoints as pixel indices (x -> W - 1 - x) but rotates, resizes and
        # crops them as continuous coordinates; jaxaug keeps one convention, that of boxes (the
        # README's "Boxes and keypoints"), so its flipped points sit one pixel further.
        expected[:, 0 if name == "hflip" else 1] += 1.0
        expected_valid = (expected[:, 0] >= 0) & (expected[:, 0] < w) & (expected[:, 1] >= 0) & (expected[:, 1] < h)
    else:
        expected_valid = REF[f"{name}_keypoints_valid"]
    np.testing.assert_allclose(xy, expected, atol=2e-5, err_msg=CALLS[name])
    np.testing.assert_array_equal(valid, expected_valid, err_msg=CALLS[name])


def test_hflip_is_exact_and_moves_pixels_and_boxes_alike():
    """x1' = W - x2 exactly; the flipped image's bright columns are the box's."""
    image = jnp.zeros((4, 10, 1)).at[:, 1:4].set(1.0)
    out = ja.RandomHorizontalFlip(1.0)(jax.random.key(0), image, boxes=jnp.array([[1.0, 0.0, 4.0, 4.0]]))
    np.testing.assert_array_equal(np.asarray(out.boxes.xyxy), [[6.0, 0.0, 9.0, 4.0]])
    np.testing.assert_array_equal(np.flatnonzero(np.asarray(out.image[0, :, 0])), [6, 7, 8])


# --- the property: the box drawn around a bright square still encloses it ------------------

S = 16  # a square canvas, so quarter turns can join any pipeline
# Steps that fuse into one resample: "more than half bright" then means "the pixel centre came
# from inside the square" exactly. A second resample of an already interpolated edge (after an
# antialiased shrink, or around a RandomChoice with a colour branch) moves where the edge
# crosses one half, though not where the object is. Targets are moved step by step whether
# pixels fuse or not, and tests/test_contract.py checks the unfused steps one at a time.
GEOMETRIC_STEPS = [
    ja.RandomHorizontalFlip(),
    ja.RandomVerticalFlip(),
    ja.RandomRot90(),
    ja.RandomRotation(40),
    ja.RandomRotation((-25, 60), interpolation="bilinear"),
    ja.RandomResizedCrop((S, S), scale=(0.3, 1.0)),
    ja.RandomCrop((S, S), padding=(3, 1, 2, 4)),
    ja.Resize((20, 20)),
    ja.Resize((11, 11), antialias=False),
    ja.CenterCrop(13),
    ja.RandomApply([ja.RandomRotation(30)], p=0.5),
    ja.RandomChoice([ja.RandomHorizontalFlip(1.0), ja.RandomRot90()]),
]
ROTATING = (ja.RandomRotation, ja.RandomApply)


def _enclosure_problems(image, box, valid, point, point_valid, tight):
    """What is wrong with a box and a centre point carried beside an image of a bright square."""
    bright = np.argwhere(np.asarray(image[..., 0]) > 0.5)
    if not valid:
        return []
    x1, y1, x2, y2 = np.asarray(box)
    cy, cx = bright[:, 0] + 0.5, bright[:, 1] + 0.5  # pixel centres
    problems = []
    # A pixel is more than half bright only if its centre came from inside the square (nearest,
    # bilinear and the symmetric antialias filter alike), and the square lies inside the box.
    if len(bright) and not (x1 - 1e-3 <= cx.min() and cx.max() <= x2 + 1e-3 and y1 - 1e-3 <= cy.min() and cy.max() <= y2 + 1e-3):
        problems.append(f"bright pixels {cx.min(), cy.min(), cx.max(), cy.max()} outside box {x1, y1, x2, y2}")
    # Without rotations the box is the square itself: its sides lie within a pixel of the
    # outermost bright pixel centres.
    if tight and min(x2 - x1, y2 - y1) >= 2:
        if not len(bright):
            problems.append(f"box {x1, y1, x2, y2} but no bright pixel")
        elif max(cx.min() - x1, x2 - cx.max(), cy.min() - y1, y2 - cy.max()) > 1.0 + 1e-3:
            problems.append(f"box {x1, y1, x2, y2} looser than bright pixels {cx.min(), cy.min(), cx.max(), cy.max()}")
    if point_valid:
        px, py = np.asarray(point)
        if not (x1 <= px <= x2 and y1 <= py <= y2):
            problems.append(f"centre {px, py} outside box")
        if not image[int(py), int(px), 0] > 0:
            problems.append(f"centre {px, py} on a dark pixel")
    return problems


@given(
    steps=st.lists(st.sampled_from(range(len(GEOMETRIC_STEPS))), min_size=1, max_size=3),
    corner=st.tuples(st.integers(0, S - 4), st.integers(0, S - 4)),
    size=st.tuples(st.integers(4, 9), st.integers(4, 9)),
    seed=st.integers(0, 2**31 - 1),
)
def test_box_still_encloses_the_bright_square_after_any_geometric_pipeline(steps, corner, size, seed):
    pipeline = ja.Compose([GEOMETRIC_STEPS[i] for i in steps])
    top, left = corner
    bottom, right = min(top + size[0], S), min(left + size[1], S)
    image = jnp.zeros((S, S, 1)).at[top:bottom, left:right].set(1.0)
    boxes = jnp.array([[left, top, right, bottom], [0.0, 0.0, 1.0, 1.0]], jnp.float32)
    points = jnp.array([[(left + right) / 2, (top + bottom) / 2]], jnp.float32)
    out = jax.jit(pipeline)(jax.random.key(seed), image, boxes=boxes, keypoints=points)
    tight = not any(isinstance(GEOMETRIC_STEPS[i], ROTATING) for i in steps)
    problems = _enclosure_problems(
        out.image, out.boxes.xyxy[0], bool(out.boxes.valid[0]), out.keypoints.xy[0], bool(out.keypoints.valid[0]), tight
    )
    assert not problems, (pipeline, problems)


# --- validity under jit and ja.batch ---------------------------------------------------------


def test_validity_flags_under_jit_and_batch():
    """Static K: boxes that leave, shrink below a pixel, come in invalid, or hold NaN are
    flagged, never dropped; batch example i equals the single call with key i."""
    t = ja.Compose([ja.CenterCrop((6, 8)), ja.RandomHorizontalFlip(), ja.Resize((12, 16))])
    xyxy = jnp.array(
        [
            [5.0, 4.0, 9.0, 8.0],  # inside the centre crop
            [0.0, 0.0, 2.0, 2.0],  # cropped away
            [6.0, 5.0, 6.2, 7.0],  # 0.4 px wide after the resize: below min_size
            [5.0, 4.0, 9.0, 8.0],  # given invalid (padding)
            [jnp.nan, 4.0, 9.0, 8.0],
        ]
    )
    boxes = ja.BoundingBoxes(xyxy, jnp.array([True, True, True, False, True]))
    points = ja.KeyPoints(jnp.array([[6.5, 5.5], [0.5, 0.5]]), jnp.array([True, True]))
    images = jnp.zeros((3, 10, 12, 1))
    batch_boxes = ja.BoundingBoxes(jnp.stack([xyxy] * 3), jnp.stack([boxes.valid] * 3))
    key = jax.random.key(4)
    out = jax.jit(ja.batch(t))(key, images, boxes=batch_boxes, keypoints=jnp.stack([points.xy] * 3))
    assert out.boxes.xyxy.shape == (3, 5, 4) and out.boxes.valid.shape == (3, 5)
    assert out.mask is None and out.keypoints.valid.shape == (3, 2)
    np.testing.assert_array_equal(np.asarray(out.boxes.valid), [[True, False, False, False, False]] * 3)
    np.testing.assert_array_equal(np.asarray(out.keypoints.valid), [[True, False]] * 3)
    chunked = jax.jit(ja.batch(t, chunk_size=2))(key, images, boxes=batch_boxes, keypoints=jnp.stack([points.xy] * 3))
    single_call = jax.jit(t)
    for i, k in enumerate(jax.random.split(key, 3)):
        single = single_call(k, images[i], boxes=boxes, keypoints=points)
        for got in (out, chunked):
            np.testing.assert_allclose(np.asarray(got.boxes.xyxy[i]), np.asarray(single.boxes.xyxy), atol=1e-5)
            np.testing.assert_array_equal(np.asarray(got.boxes.valid[i]), np.asarray(single.boxes.valid))
            np.testing.assert_allclose(np.asarray(got.keypoints.xy[i]), np.asarray(single.keypoints.xy), atol=1e-5)
    # The draws differ across the batch (some flipped, some not), the flags do not.
    assert len({np.asarray(b).tobytes() for b in out.boxes.xyxy[:, 0]}) > 1


def test_combinations_move_targets_as_their_steps_do_one_after_another():
    """Compose (fused or not), RandomApply and RandomChoice give each step's boxes in turn."""
    rotation, flips = ja.RandomRotation(30), [ja.RandomHorizontalFlip(1.0), ja.RandomVerticalFlip(1.0)]
    steps = [ja.Resize((18, 24)), ja.RandomApply([rotation], p=0.5), ja.RandomChoice(flips), ja.Resize((9, 12))]
    t = ja.Compose(steps)
    image = jnp.zeros((12, 16, 1))
    boxes, points = REF["in_boxes"], REF["in_keypoints"]
    apply = jax.jit(t.apply)
    chosen = set()
    for seed in range(4):
        params = t.sample(jax.random.key(seed), image.shape)
        chosen.add((bool(params[1][0]), int(params[2].index)))
        out = apply(params, image, boxes=boxes, keypoints=points)
        applied, (rotation_params,) = params[1]
        choice = params[2]
        leaves = [(steps[0], params[0])] + [(rotation, rotation_params)] * bool(applied)
        leaves += [(flips[int(choice.index)], choice.params[int(choice.index)]), (steps[3], params[3])]
        shape, targets = image.shape, _targets.check_targets("test", boxes, points)
        for step, p in leaves:
            targets = step.map_targets(p, shape, targets)
            shape = step.output_shape(shape)
        b, k = _targets.sanitize(targets, shape[:2])
        np.testing.assert_allclose(np.asarray(out.boxes.xyxy), np.asarray(b.xyxy), atol=1e-4)
        np.testing.assert_array_equal(np.asarray(out.boxes.valid), np.asarray(b.valid))
        np.testing.assert_allclose(np.asarray(out.keypoints.xy), np.asarray(k.xy), atol=1e-4)
        np.testing.assert_array_equal(np.asarray(out.keypoints.valid), np.asarray(k.valid))
    assert len(chosen) > 2  # both sides of RandomApply and of RandomChoice were seen


# --- refusals --------------------------------------------------------------------------------


class _NoMatrix(ja.GeometricTransform):
    """A geometric step without a matrix, as an elastic deformation is."""

    def apply_pair(self, params, image, mask):
        return image, mask


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda x: ja.RandomHorizontalFlip()(jax.random.key(0), x, boxes=jnp.zeros((3, 5))), ValueError, "(K, 4)"),
        (lambda x: ja.RandomHorizontalFlip()(jax.random.key(0), x, boxes=jnp.zeros((4,))), ValueError, "(K, 4)"),
        (lambda x: ja.RandomHorizontalFlip()(jax.random.key(0), x, keypoints=jnp.zeros((2, 3))), ValueError, "(K, 2)"),
        (lambda x: ja.RandomHorizontalFlip()(jax.random.key(0), x, boxes=jnp.zeros((2, 4), bool)), TypeError, "real"),
        (
            lambda x: ja.RandomHorizontalFlip()(jax.random.key(0), x, boxes=ja.BoundingBoxes(jnp.zeros((2, 4)), jnp.ones(2))),
            ValueError,
            "bool",
        ),
        (
            lambda x: ja.RandomHorizontalFlip()(jax.random.key(0), x, boxes=ja.KeyPoints(jnp.zeros((2, 4)), jnp.ones(2, bool))),
            TypeError,
            "BoundingBoxes",
        ),
        (
            lambda x: ja.RandomCrop(6, padding=2, padding_mode="reflect")(jax.random.key(0), x, boxes=jnp.zeros((1, 4))),
            ValueError,
            "padding_mode",
        ),
        (lambda x: _NoMatrix()(jax.random.key(0), x, boxes=jnp.zeros((1, 4))), ValueError, "_NoMatrix"),
        (
            lambda x: ja.batch(ja.RandomHorizontalFlip())(jax.random.key(0), x[None], boxes=jnp.zeros((2, 1, 4))),
            ValueError,
            "batch size",
        ),
    ],
)
def test_wrong_targets_are_refused_clearly(call, error, words):
    with pytest.raises(error, match=None) as info:
        call(jnp.zeros((8, 10, 3)))
    assert words in str(info.value)
