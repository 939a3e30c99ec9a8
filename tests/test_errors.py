"""Bad input raises at trace time, naming the argument and what would work."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxaug as ja
from jaxaug import image as F

IMG = jnp.zeros((16, 16, 3))

BAD_CONSTRUCTION = [
    (lambda: ja.RandomHorizontalFlip(p=1.5), ValueError, "p must be a probability in \\[0, 1\\], got 1.5"),
    (lambda: ja.RandomVerticalFlip(p=-0.1), ValueError, "p must be a probability"),
    (lambda: ja.RandomApply([ja.ToFloat()], p=2), ValueError, "RandomApply: p must be"),
    (lambda: ja.RandomErasing(p=1.1), ValueError, "RandomErasing: p"),
    (lambda: ja.RandomGrayscale(p=-1), ValueError, "RandomGrayscale: p"),
    (lambda: ja.RandomResizedCrop(224, scale=(1.0, 0.5)), ValueError, "scale must satisfy min <= max"),
    (lambda: ja.RandomResizedCrop(224, ratio=(0.0, 1.0)), ValueError, "ratio must be > 0"),
    (lambda: ja.RandomResizedCrop(0), ValueError, "size must be positive"),
    (lambda: ja.RandomRotation(-5), ValueError, "degrees must be a finite number >= 0, got -5"),
    (lambda: ja.RandomRotation((10, -10)), ValueError, "degrees must satisfy min <= max"),
    (lambda: ja.RandomRotation(10, expand=True), ValueError, "expand must be False"),
    (lambda: ja.RandomRotation(10, interpolation="bicubic"), ValueError, "interpolation must be one of"),
    (lambda: ja.ColorJitter(brightness=-0.1), ValueError, "brightness must be a finite number >= 0"),
    (lambda: ja.ColorJitter(hue=0.7), ValueError, "hue must lie in \\[-0.5, 0.5\\]"),
    (lambda: ja.ColorJitter(contrast=(1.5, 0.5)), ValueError, "contrast must satisfy min <= max"),
    (lambda: ja.Normalize([0.5], [0.0]), ValueError, "std must be finite and > 0"),
    (lambda: ja.GaussianBlur(4), ValueError, "kernel_size must be odd"),
    (lambda: ja.GaussianBlur(5, sigma=(0.0, 1.0)), ValueError, "sigma must be > 0"),
    (lambda: ja.RandomErasing(scale=(0.5, 0.1)), ValueError, "scale must satisfy"),
    (lambda: ja.RandomErasing(value="noise"), ValueError, "value must be a number, a sequence or 'random'"),
    (lambda: ja.RandomCrop(8, padding_mode="wrap"), ValueError, "padding_mode must be 'constant', 'edge', 'reflect' or 'symmetric'"),
    (lambda: ja.RandomCrop(8, padding=-1), ValueError, "padding must be an int >= 0"),
    (lambda: ja.Grayscale(2), ValueError, "num_output_channels must be 1 or 3"),
    (lambda: ja.Compose([ja.ToFloat(), lambda k, x: x]), TypeError, "transforms\\[1\\] must be a jaxaug transform"),
    (lambda: ja.RandomChoice([]), ValueError, "transforms must not be empty"),
    (lambda: ja.batch(ja.ToFloat(), chunk_size=0), ValueError, "batch: chunk_size must be None or an int >= 1, got 0"),
    (lambda: ja.batch(ja.ToFloat(), chunk_size=2.5), ValueError, "chunk_size must be None or an int >= 1, got 2.5"),
    (lambda: ja.RandomChoice([ja.ToFloat()], p=[1.0, 2.0]), ValueError, "p must have one weight"),
    (lambda: ja.Resize(-3), ValueError, "size must be positive"),
]


@pytest.mark.parametrize("make, exc, match", BAD_CONSTRUCTION)
def test_bad_arguments_are_refused_with_the_argument_named(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


BAD_CALLS = [
    (lambda: ja.RandomHorizontalFlip()(jax.random.key(0), jnp.zeros((2, 16, 16, 3))), ValueError, "use ja.batch"),
    (lambda: ja.RandomHorizontalFlip()(jax.random.key(0), jnp.zeros((16, 16))), ValueError, "add a channel axis"),
    (lambda: ja.RandomHorizontalFlip()(jax.random.key(0), jnp.zeros((16, 16, 3), jnp.int16)), TypeError, "uint8"),
    (lambda: ja.RandomHorizontalFlip()(0, IMG), TypeError, "key must be a PRNG key"),
    (lambda: ja.RandomHorizontalFlip()(jax.random.split(jax.random.key(0), 2), IMG), TypeError, "single PRNG key"),
    (lambda: ja.RandomRotation(5)(jax.random.key(0), IMG, jnp.zeros((8, 8))), ValueError, "mask must have the image's height and width"),
    (lambda: ja.RandomCrop(32)(jax.random.key(0), IMG), ValueError, "larger than the \\(padded\\) image"),
    (lambda: ja.RandomRot90()(jax.random.key(0), jnp.zeros((8, 9, 3))), ValueError, "must be square"),
    (lambda: ja.Normalize([0.1, 0.2], [1.0, 1.0])(jax.random.key(0), IMG), ValueError, "mean must have 1 or 3 values"),
    (lambda: ja.batch(ja.ToFloat())(jax.random.key(0), jnp.zeros((2, 4, 4, 3)), jnp.zeros((3, 4, 4))), ValueError, "batch size 2"),
    (lambda: ja.RandomApply([ja.RandomCrop(8)])(jax.random.key(0), IMG), ValueError, "must keep the shape"),
    (lambda: ja.RandomChoice([ja.RandomCrop(8), ja.RandomCrop(9)])(jax.random.key(0), IMG), ValueError, "same output shape"),
    (lambda: F.adjust_brightness(IMG, -1.0), ValueError, "brightness_factor must be a finite scalar >= 0"),
    (lambda: F.adjust_hue(IMG, 0.6), ValueError, "hue_factor must be a scalar in \\[-0.5, 0.5\\]"),
    (lambda: F.adjust_saturation(jnp.zeros((4, 4, 4)), 1.0), ValueError, "1 \\(gray\\) or 3 \\(RGB\\) channels"),
    (lambda: F.crop(IMG, 0, 0, 0, 4), ValueError, "positive"),
    (lambda: F.rot90(IMG, 1.5), TypeError, "k must be a Python int"),
    (lambda: F.gaussian_blur(jnp.zeros((3, 3, 1)), 9), ValueError, "kernel_size"),
    (lambda: F.resize(IMG, 8, interpolation="cubic"), ValueError, "interpolation must be one of"),
    (lambda: F.erase(IMG, 0, 0, 2, 2, jnp.zeros(4)), ValueError, "value must have 1 or 3 entries"),
]


@pytest.mark.parametrize("call, exc, match", BAD_CALLS)
def test_bad_calls_are_refused_with_advice(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_errors_are_raised_at_trace_time_inside_jit():
    @jax.jit
    def step(key, x):
        return ja.RandomCrop(64)(key, x)

    with pytest.raises(ValueError, match="RandomCrop"):
        step(jax.random.key(0), IMG)


def test_uint8_never_wraps():
    img = jnp.full((4, 4, 3), 250, jnp.uint8)
    out = F.adjust_brightness(img, 2.0)
    assert out.dtype == jnp.float32 and float(out.min()) == 1.0
    np.testing.assert_allclose(np.asarray(F.normalize(img, [0.0], [1.0])), 250 / 255, atol=1e-6)
