"""Probabilities are honoured: over 4000 keys, a transform with probability p fires on a share
of them within 4 standard errors of p, judged from the outputs (not only the drawn flags), with
an asymmetric p so that p and 1 - p cannot be confused. And (CONVENTIONS rule 2) whether it
fires is independent of the magnitude it draws.

Each transform runs once, as one jitted vmap over all the keys, on a small asymmetric image.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxaug as ja
from jaxaug import image as F

N = 4000
KEYS = jax.random.split(jax.random.key(31), N)
# 6x8, values in [0.2, 1]: no symmetry a flip could keep, no zero an erasing could hide in.
IMAGE = jnp.asarray(np.random.default_rng(5).uniform(0.2, 1.0, (6, 8, 3)), jnp.float32)


def assert_share(fired, p, what):
    """`fired`: booleans; their mean is within 4 standard errors of p."""
    fired = np.asarray(fired, bool)
    se = np.sqrt(p * (1 - p) / fired.size)
    message = f"{what}: fired on {fired.mean():.4f} of {fired.size} draws, expected {p} +- {4 * se:.4f}"
    assert abs(fired.mean() - p) < 4 * se, message


def assert_independent(fired, magnitude, p, what):
    """Firing does not depend on the magnitude: below and above its median, p either way."""
    fired, magnitude = np.asarray(fired, bool), np.asarray(magnitude, np.float64)
    low = magnitude <= np.median(magnitude)
    assert_share(fired[low], p, f"{what}, low half")
    assert_share(fired[~low], p, f"{what}, high half")
    assert abs(np.corrcoef(fired, magnitude)[0, 1]) < 4 / np.sqrt(fired.size)


def run(t, image=IMAGE):
    """Every key's parameters and output, in one compiled call."""
    return jax.jit(jax.vmap(lambda key, x: (t.sample(key, x.shape), t(key, x)), in_axes=(0, None)))(KEYS, image)


def equal_per_key(outs, expected):
    """Which outputs are `expected` (to float rounding: jit may fuse the arithmetic differently)."""
    outs = np.asarray(outs)
    return np.all(np.abs(outs - np.asarray(expected)[None]) <= 1e-6, axis=tuple(range(1, outs.ndim)))


@pytest.mark.parametrize(
    "make, op",
    [
        (lambda p: ja.RandomHorizontalFlip(p=p), F.hflip),
        (lambda p: ja.RandomVerticalFlip(p=p), F.vflip),
        (lambda p: ja.RandomGrayscale(p=p), lambda x: F.rgb_to_grayscale(x, 3)),
    ],
    ids=["RandomHorizontalFlip", "RandomVerticalFlip", "RandomGrayscale"],
)
def test_apply_or_not_transforms_fire_with_probability_p(make, op):
    p = 0.3
    params, outs = run(make(p))
    fired, kept = equal_per_key(outs, op(IMAGE)), equal_per_key(outs, IMAGE)
    assert np.all(fired ^ kept)  # each output is one or the other
    flag = np.asarray(params[0])
    np.testing.assert_array_equal(fired, flag)  # and the drawn flag says which
    assert_share(fired, p, type(make(p)).__name__)


def test_random_erasing_fires_with_probability_p_whatever_the_box():
    # Boxes of 5% to 20% of a 6x8 image with ratio in [0.5, 2] always fit, so erasing happens
    # exactly when the apply-or-not draw says so.
    p = 0.3
    t = ja.RandomErasing(p=p, scale=(0.05, 0.2), ratio=(0.5, 2.0), value=0.0)
    params, outs = run(t)
    fired = np.any(np.asarray(outs) == 0.0, axis=(1, 2, 3))
    np.testing.assert_array_equal(fired, np.asarray(params.erase))
    assert np.all(equal_per_key(outs, IMAGE) == ~fired)
    assert_share(fired, p, "RandomErasing")
    area = np.asarray(params.height * params.width)
    assert area.min() > 0
    assert_independent(fired, area, p, "RandomErasing vs box area")
    assert_independent(fired, np.asarray(params.height / params.width), p, "RandomErasing vs box ratio")
    assert_independent(fired, np.asarray(params.top), p, "RandomErasing vs box top")


@pytest.mark.parametrize(
    "inner, magnitude",
    [
        ([ja.RandomRotation((20.0, 40.0))], lambda inner: inner[0].angle),
        ([ja.ColorJitter(brightness=(0.3, 0.8))], lambda inner: inner[0].brightness),
    ],
    ids=["geometric", "pixel"],
)
def test_random_apply_fires_with_probability_p_independently_of_the_magnitude(inner, magnitude):
    p = 0.3
    t = ja.RandomApply(inner, p=p)
    params, outs = run(t)
    fired = ~equal_per_key(outs, IMAGE)  # every inner draw changes the image
    np.testing.assert_array_equal(fired, np.asarray(params[0]))
    assert_share(fired, p, "RandomApply")
    assert_independent(fired, magnitude(params[1]), p, "RandomApply vs the inner draw")


@pytest.mark.parametrize(
    "choices, ops",
    [
        (
            [ja.RandomHorizontalFlip(1.0), ja.RandomVerticalFlip(1.0), ja.RandomRotation((180.0, 180.0))],
            [F.hflip, F.vflip, lambda x: x[::-1, ::-1]],
        ),
        (
            [ja.Grayscale(3), ja.Normalize([0.5], [0.25]), ja.ToFloat()],
            [lambda x: F.rgb_to_grayscale(x, 3), lambda x: F.normalize(x, [0.5], [0.25]), lambda x: x],
        ),
    ],
    ids=["geometric", "pixel"],
)
def test_random_choice_picks_each_transform_with_its_weight(choices, ops):
    weights = [2.0, 5.0, 3.0]  # normalised to 0.2, 0.5, 0.3
    params, outs = run(ja.RandomChoice(choices, p=weights))
    picked = np.stack([equal_per_key(outs, op(IMAGE)) for op in ops], axis=1)
    assert np.all(picked.sum(axis=1) == 1)  # every output is exactly one of the choices
    np.testing.assert_array_equal(picked.argmax(axis=1), np.asarray(params.index))
    for i, w in enumerate(weights):
        assert_share(picked[:, i], w / sum(weights), f"RandomChoice option {i}")
