"""Hypothesis drives every public image op and transform with random shapes, dtypes (uint8,
float32, float16, bfloat16) and parameters, in and out of jit and vmap (checks in robustness.py).

Sides come from a few values (1, 2, 5, 8) rather than any integer: every new shape is a new
compilation, and these cover one-pixel-wide, even, odd and non-square images."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxaug as ja
from jaxaug import image as F
from jaxaug import presets
from robustness import ALL_DTYPES, check_op, draws, expected_dtype, make_input, rotated

SIDES = (1, 2, 5, 8)
unit = st.floats(0.0, 1.0)
factor = st.floats(0.0, 3.0)
interpolation = st.sampled_from(["nearest", "bilinear"])


def size_within(limit):
    return st.integers(1, max(limit, 1))


# (name, run(key, x, **params), params(draw, h, w, c), out_shape(h, w, c, params), exact)
FUNCTIONAL = [
    ("hflip", lambda k, x: F.hflip(x), lambda d, h, w, c: {}, lambda h, w, c, p: (h, w, c), True),
    ("vflip", lambda k, x: F.vflip(x), lambda d, h, w, c: {}, lambda h, w, c, p: (h, w, c), True),
    (
        "rot90",
        lambda k, x, n: F.rot90(x, n),
        lambda d, h, w, c: {"n": d(st.integers(-3, 4))},
        lambda h, w, c, p: (h, w, c) if p["n"] % 2 == 0 else (w, h, c),
        True,
    ),
    ("to_float", lambda k, x: F.to_float(x), lambda d, h, w, c: {}, lambda h, w, c, p: (h, w, c), False),
    (
        "crop",
        lambda k, x, top, left, height, width: F.crop(x, top, left, height, width),
        lambda d, h, w, c: {"top": d(st.integers(-2, h)), "left": d(st.integers(-2, w)), "height": d(size_within(h + 2)), "width": d(size_within(w + 2))},
        lambda h, w, c, p: (p["height"], p["width"], c),
        True,
    ),
    (
        "center_crop",
        lambda k, x, size: F.center_crop(x, size),
        lambda d, h, w, c: {"size": (d(size_within(h + 3)), d(size_within(w + 3)))},
        lambda h, w, c, p: (*p["size"], c),
        True,
    ),
    (
        "resize",
        lambda k, x, size, interpolation, antialias: F.resize(x, size, interpolation, antialias),
        lambda d, h, w, c: {"size": (d(st.integers(1, 10)), d(st.integers(1, 10))), "interpolation": d(interpolation), "antialias": d(st.booleans())},
        lambda h, w, c, p: (*p["size"], c),
        False,
    ),
    (
        "resized_crop",
        lambda k, x, top, left, height, width, size, interpolation: F.resized_crop(x, top, left, height, width, size, interpolation),
        # A box inside the image: resized_crop refuses one beyond it (torchvision pads zeros there).
        lambda d, h, w, c: {
            "top": (top := d(st.integers(0, h - 1))),
            "left": (left := d(st.integers(0, w - 1))),
            "height": d(size_within(h - top)),
            "width": d(size_within(w - left)),
            "size": (d(st.integers(1, 9)), d(st.integers(1, 9))),
            "interpolation": d(interpolation),
        },
        lambda h, w, c, p: (*p["size"], c),
        False,
    ),
    (
        "rotate",
        # fill is a value of the input: a whole number for uint8, a fraction for floats.
        lambda k, x, angle, interpolation, fill: F.rotate(
            x, angle, interpolation, round(fill * 255) if x.dtype == jnp.uint8 else fill
        ),
        lambda d, h, w, c: {"angle": d(st.floats(-360, 360)), "interpolation": d(interpolation), "fill": d(unit)},
        lambda h, w, c, p: (h, w, c),
        False,
    ),
    (
        "warp_affine",
        lambda k, x, matrix, size, border: F.warp_affine(x, matrix, size, border=border),
        lambda d, h, w, c: {
            "matrix": np.array(
                [[d(st.floats(-2, 2)), d(st.floats(-2, 2)), d(st.floats(-9, 9))], [d(st.floats(-2, 2)), d(st.floats(-2, 2)), d(st.floats(-9, 9))], [0, 0, 1]],
                np.float32,
            ),
            "size": (d(st.integers(1, 9)), d(st.integers(1, 9))),
            "border": d(st.sampled_from(["fill", "edge"])),
        },
        lambda h, w, c, p: (*p["size"], c),
        False,
    ),
    ("adjust_brightness", lambda k, x, f: F.adjust_brightness(x, f), lambda d, h, w, c: {"f": d(factor)}, lambda h, w, c, p: (h, w, c), False),
    ("adjust_contrast", lambda k, x, f: F.adjust_contrast(x, f), lambda d, h, w, c: {"f": d(factor)}, lambda h, w, c, p: (h, w, c), False),
    ("adjust_saturation", lambda k, x, f: F.adjust_saturation(x, f), lambda d, h, w, c: {"f": d(factor)}, lambda h, w, c, p: (h, w, c), False),
    ("adjust_hue", lambda k, x, f: F.adjust_hue(x, f), lambda d, h, w, c: {"f": d(st.floats(-0.5, 0.5))}, lambda h, w, c, p: (h, w, c), False),
    (
        "rgb_to_grayscale",
        lambda k, x, n: F.rgb_to_grayscale(x, n),
        lambda d, h, w, c: {"n": d(st.sampled_from([1, 3]))},
        lambda h, w, c, p: (h, w, p["n"]),
        False,
    ),
    (
        "gaussian_blur",
        lambda k, x, size, sigma: F.gaussian_blur(x, size, sigma),
        # reflect padding needs the image larger than half the kernel, as in torchvision
        lambda d, h, w, c: {"size": d(st.sampled_from([k for k in (1, 3, 5, 7) if k // 2 < min(h, w)])), "sigma": d(st.floats(0.1, 3.0))},
        lambda h, w, c, p: (h, w, c),
        False,
    ),
    (
        "erase",
        lambda k, x, top, left, height, width, value: F.erase(x, top, left, height, width, value),
        lambda d, h, w, c: {"top": d(st.integers(0, h)), "left": d(st.integers(0, w)), "height": d(st.integers(0, h)), "width": d(st.integers(0, w)), "value": d(unit)},
        lambda h, w, c, p: (h, w, c),
        False,
    ),
    (
        "normalize",
        lambda k, x, mean, std: F.normalize(x, mean, std),
        lambda d, h, w, c: {"mean": [d(unit) for _ in range(c)], "std": [d(st.floats(0.05, 2.0)) for _ in range(c)]},
        lambda h, w, c, p: (h, w, c),
        False,
    ),
]


@st.composite
def image_and_params(draw, name, make_params):
    h, w = draw(st.sampled_from(rotated(SIDES, name))), draw(st.sampled_from(SIDES))
    c = draw(st.sampled_from(rotated((1, 3), name)))
    dtype = draw(st.sampled_from(rotated(ALL_DTYPES, name)))
    x = make_input((h, w, c), dtype, draw(st.integers(0, 2**16)))
    return x, make_params(draw, h, w, c)


@pytest.mark.parametrize("name, run, make_params, out_shape, exact", FUNCTIONAL, ids=[f[0] for f in FUNCTIONAL])
@draws(2)
@given(data=st.data())
def test_functional_op_holds_on_random_input(name, run, make_params, out_shape, exact, data):
    x, params = data.draw(image_and_params(name, make_params))
    h, w, c = x.shape
    check_op(run, x, params, out_shape=out_shape(h, w, c, params), out_dtype=expected_dtype(x.dtype.name, exact))


# (name, make(draw, h, w, c) -> transform); transforms turn uint8 into float32.
TRANSFORMS = [
    ("Resize", lambda d, h, w, c: ja.Resize(d(st.integers(1, 9)), d(interpolation), d(st.booleans()))),
    ("CenterCrop", lambda d, h, w, c: ja.CenterCrop((d(size_within(h + 2)), d(size_within(w + 2))))),
    ("RandomCrop", lambda d, h, w, c: ja.RandomCrop((d(size_within(h)), d(size_within(w))), padding=d(st.integers(0, 2)), padding_mode=d(st.sampled_from(["constant", "edge", "reflect", "symmetric"])))),
    ("RandomCrop-pad_if_needed", lambda d, h, w, c: ja.RandomCrop((d(size_within(h + 3)), d(size_within(w + 3))), pad_if_needed=True)),
    (
        "RandomResizedCrop",
        lambda d, h, w, c: ja.RandomResizedCrop(d(st.integers(1, 9)), scale=sorted([d(st.floats(0.01, 1.0)), d(st.floats(0.01, 1.0))]), ratio=sorted([d(st.floats(0.2, 5.0)), d(st.floats(0.2, 5.0))]), interpolation=d(interpolation)),
    ),
    ("RandomHorizontalFlip", lambda d, h, w, c: ja.RandomHorizontalFlip(d(unit))),
    ("RandomVerticalFlip", lambda d, h, w, c: ja.RandomVerticalFlip(d(unit))),
    # 0 and 1 are fills every dtype holds (the fill is a value of the input image).
    ("RandomRotation", lambda d, h, w, c: ja.RandomRotation(d(st.floats(0, 180)), d(interpolation), fill=d(st.sampled_from([0, 1])))),
    ("RandomRot90", lambda d, h, w, c: ja.RandomRot90()),
    ("ToFloat", lambda d, h, w, c: ja.ToFloat()),
    ("Normalize", lambda d, h, w, c: ja.Normalize([d(unit)] * c, [d(st.floats(0.05, 2.0))] * c)),
    ("ColorJitter", lambda d, h, w, c: ja.ColorJitter(d(st.floats(0, 1)), d(st.floats(0, 1)), d(st.floats(0, 1)), d(st.floats(0, 0.5)))),
    ("Grayscale", lambda d, h, w, c: ja.Grayscale(d(st.sampled_from([1, 3])))),
    ("RandomGrayscale", lambda d, h, w, c: ja.RandomGrayscale(d(unit))),
    ("GaussianBlur", lambda d, h, w, c: ja.GaussianBlur(d(st.sampled_from([k for k in (1, 3, 5) if k // 2 < min(h, w)])), sorted([d(st.floats(0.1, 3)), d(st.floats(0.1, 3))]))),
    ("RandomErasing", lambda d, h, w, c: ja.RandomErasing(d(unit), value=d(st.sampled_from([0.0, 0.5, "random"])))),
    ("RandomApply", lambda d, h, w, c: ja.RandomApply([ja.RandomRotation(30), ja.ColorJitter(0.5, 0.5)], p=d(unit))),
    ("RandomChoice", lambda d, h, w, c: ja.RandomChoice([ja.RandomHorizontalFlip(1.0), ja.ColorJitter(0.5), ja.RandomResizedCrop((h, w))])),
    ("Compose", lambda d, h, w, c: ja.Compose([ja.RandomResizedCrop(6), ja.RandomHorizontalFlip(), ja.ColorJitter(0.4, 0.4), ja.RandomRotation(d(st.floats(0, 45)))])),
    ("preset-imagenet", lambda d, h, w, c: presets.imagenet_train(size=d(st.integers(1, 8)))),
    ("preset-pathology", lambda d, h, w, c: presets.pathology_train(size=d(st.integers(1, 4)), resize=d(st.integers(5, 8)))),
    ("preset-xray", lambda d, h, w, c: presets.xray_train(size=d(st.integers(1, 4)), resize=d(st.integers(5, 8)))),
    ("preset-eval", lambda d, h, w, c: presets.eval_transform(size=d(st.integers(1, 4)), resize=d(st.integers(5, 8)))),
]


def _check_transform(name, make, data):
    h, w = data.draw(st.sampled_from(rotated(SIDES, name))), data.draw(st.sampled_from(SIDES))
    if name == "RandomRot90":
        w = h
    # ImageNet statistics need three channels; the X-ray preset takes one.
    c = 3 if name in ("preset-imagenet", "preset-pathology", "preset-eval") else 1 if name == "preset-xray" else data.draw(st.sampled_from(rotated((1, 3), name)))
    dtype = data.draw(st.sampled_from(rotated(ALL_DTYPES, name)))
    x = make_input((h, w, c), dtype, data.draw(st.integers(0, 2**16)))
    transform = make(data.draw, h, w, c)
    check_op(
        lambda k, v: transform(k, v),
        x,
        {},
        out_shape=transform.output_shape(x.shape),
        out_dtype=expected_dtype(dtype, exact=False),
        seed=data.draw(st.integers(0, 2**16)),
    )


# Pipelines of many steps take seconds to compile each; the contract tests cover them at
# fixed shapes, so here they get fewer random draws than the single steps.
PIPELINES = ("ColorJitter", "Compose", "RandomChoice", "preset-imagenet", "preset-pathology", "preset-xray")
STEPS = [t for t in TRANSFORMS if t[0] not in PIPELINES]
COMPOSITES = [t for t in TRANSFORMS if t[0] in PIPELINES]


@pytest.mark.parametrize("name, make", STEPS, ids=[t[0] for t in STEPS])
@draws(2)
@given(data=st.data())
def test_transform_holds_on_random_input(name, make, data):
    _check_transform(name, make, data)


@pytest.mark.parametrize("name, make", COMPOSITES, ids=[t[0] for t in COMPOSITES])
@draws(1)
@given(data=st.data())
def test_pipeline_holds_on_random_input(name, make, data):
    _check_transform(name, make, data)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("shape", [(1, 1, 3), (1, 8, 3)])
def test_extreme_half_precision_images_give_finite_output(dtype, shape):
    """All-zero, all-one and constant half-precision images, one pixel high, through the
    ImageNet preset (uint8 extremes are in test_image_ops)."""
    x = np.stack([np.full(shape, value, np.float32) for value in (0.0, 1.0, 0.5)]).astype(jnp.dtype(dtype))
    out = jax.jit(ja.batch(presets.imagenet_train(size=4)))(jax.random.key(0), x)
    assert out.dtype == jnp.dtype(dtype)
    assert np.isfinite(np.asarray(out.astype(jnp.float32))).all()
