"""What the random transforms draw: ranges, orders and independence of the draws."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxaug as ja

N = 4000
KEYS = jax.random.split(jax.random.key(0), N)


def draws(t, shape=(32, 32, 3)):
    return jax.jit(jax.vmap(lambda k: t.sample(k, shape)))(KEYS)


def test_color_jitter_factor_ranges_match_torchvision():
    p = draws(ja.ColorJitter(0.4, 0.4, 0.4, 0.1))
    for name in ("brightness", "contrast", "saturation"):
        v = np.asarray(getattr(p, name))
        assert 0.6 <= v.min() < 0.62 and 1.38 < v.max() <= 1.4
    hue = np.asarray(p.hue)
    assert -0.1 <= hue.min() < -0.09 and 0.09 < hue.max() <= 0.1
    # brightness=1.5 clips the lower end at 0, as torchvision's max(0, 1 - v).
    low = np.asarray(draws(ja.ColorJitter(brightness=1.5)).brightness)
    assert low.min() >= 0.0 and low.max() > 2.4


def test_color_jitter_draws_every_order_uniformly():
    order = np.asarray(draws(ja.ColorJitter(0.4, 0.4, 0.4, 0.1)).order)
    counts = {perm: 0 for perm in itertools.permutations(range(4))}
    for row in order:
        counts[tuple(row.tolist())] += 1
    assert len(counts) == 24 and min(counts.values()) > 0.5 * N / 24


def _jitter_reference(img, params, t):
    """ColorJitter by hand, in the drawn order, with the functional ops."""
    F = ja.image
    ops = {
        0: lambda x: F.adjust_brightness(x, params.brightness) if t.brightness else x,
        1: lambda x: F.adjust_contrast(x, params.contrast) if t.contrast else x,
        2: lambda x: F.adjust_saturation(x, params.saturation) if t.saturation else x,
        3: lambda x: F.adjust_hue(x, params.hue) if t.hue else x,
    }
    for op in np.asarray(params.order).tolist():
        img = ops[op](img)
    return img


@pytest.mark.parametrize(
    "t",
    [ja.ColorJitter(0.4, 0.4, 0.4, 0.1), ja.ColorJitter(0.5, 0.0, 0.8, 0.0), ja.ColorJitter(hue=0.3, contrast=0.9)],
    ids=["all", "no-contrast-no-hue", "hue-contrast"],
)
def test_color_jitter_applies_the_drawn_order(t):
    img = jnp.asarray(np.random.default_rng(0).uniform(0, 1, (12, 10, 3)), jnp.float32)
    for k in range(12):
        key = jax.random.key(k)
        params = t.sample(key, img.shape)
        np.testing.assert_allclose(np.asarray(t(key, img)), np.asarray(_jitter_reference(img, params, t)), atol=2e-5)


def test_apply_or_not_is_independent_of_the_magnitude():
    # augmax's Rotate fed one key to both draws, so applied angles all fell on one side.
    p = draws(ja.RandomApply([ja.RandomRotation(30)], p=0.5))
    applied, angle = np.asarray(p[0]), np.asarray(p[1][0].angle)
    assert 0.45 < applied.mean() < 0.55
    assert abs(np.corrcoef(applied, angle)[0, 1]) < 0.05
    on = angle[applied]
    assert (on < -15).mean() > 0.2 and (on > 15).mean() > 0.2


def test_random_erasing_apply_draw_is_independent_of_the_box():
    p = draws(ja.RandomErasing(p=0.5), (64, 64, 3))
    erase, area = np.asarray(p.erase), np.asarray(p.height * p.width)
    assert 0.45 < erase.mean() < 0.55
    assert abs(np.corrcoef(erase, area)[0, 1]) < 0.05


def test_flip_probability_is_respected():
    flips = np.asarray(draws(ja.RandomHorizontalFlip(p=0.3)).flip)
    assert abs(flips.mean() - 0.3) < 0.03


def test_rotation_angles_are_uniform_in_range():
    a = np.asarray(draws(ja.RandomRotation((-10, 30))).angle)
    assert a.min() >= -10 and a.max() <= 30
    np.testing.assert_allclose(np.quantile(a, [0.25, 0.5, 0.75]), [0, 10, 20], atol=1.0)


def test_quarter_turns_are_uniform():
    k = np.asarray(draws(ja.RandomRot90()).k)
    np.testing.assert_allclose(np.bincount(k, minlength=4) / N, 0.25, atol=0.03)


def test_random_crop_covers_every_offset():
    p = draws(ja.RandomCrop(28), (32, 32, 3))
    top = np.asarray(p.top).astype(int)
    assert set(top.tolist()) == set(range(5))


def test_random_choice_respects_weights():
    t = ja.RandomChoice([ja.RandomHorizontalFlip(1.0), ja.RandomVerticalFlip(1.0)], p=[0.2, 0.8])
    idx = np.asarray(draws(t).index)
    assert abs(idx.mean() - 0.8) < 0.03


def test_gaussian_blur_sigma_range():
    s = np.asarray(draws(ja.GaussianBlur(5, sigma=(0.5, 1.5))).sigma)
    assert s.min() >= 0.5 and s.max() <= 1.5 and abs(s.mean() - 1.0) < 0.03
