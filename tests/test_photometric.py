"""adjust_gamma, gaussian_noise, permute_channels and their random transforms, against
torchvision 0.29.1 outputs recorded by reference/make_torchvision_photometric_reference.py."""

import json
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

import jaxaug as ja
from jaxaug import image as F
from jaxaug._photometric_transforms import Distortion

REF = np.load(Path(__file__).parent / "reference" / "torchvision_photometric_reference.npz")
X_FLOAT, X_U8 = REF["in_float"], REF["in_uint8"]
CALLS = json.loads(str(REF["calls_json"]))


# --- torchvision references -------------------------------------------------------------------

GAMMAS = [(0.5, 1.0), (2.2, 1.0), (0.7, 1.3), (0.0, 1.0)]


@pytest.mark.parametrize("gamma, gain", GAMMAS)
def test_adjust_gamma_matches_torchvision(gamma, gain):
    out = np.asarray(F.adjust_gamma(X_FLOAT, gamma, gain))
    # Measured: at most 1.2e-7.
    np.testing.assert_allclose(out, REF[f"gamma_{gamma}_{gain}_float"], atol=1e-6, rtol=0)
    # uint8: jaxaug returns the float; quantised as torchvision's to_dtype does, it is
    # torchvision's uint8 output (measured: every pixel equal).
    out_u8 = F.adjust_gamma(X_U8, gamma, gain)
    assert out_u8.dtype == jnp.float32
    quantised = np.floor(np.asarray(out_u8, np.float64) * 255.999).astype(np.uint8)
    np.testing.assert_array_equal(quantised, REF[f"gamma_{gamma}_{gain}_uint8"])


@pytest.mark.parametrize("perm", [[2, 0, 1], [1, 2, 0]])
def test_permute_channels_matches_torchvision_exactly_and_keeps_the_dtype(perm):
    name = "".join(map(str, perm))
    for x, src in ((X_FLOAT, "float"), (X_U8, "uint8")):
        out = F.permute_channels(x, perm)
        assert out.dtype == x.dtype
        np.testing.assert_array_equal(np.asarray(out), REF[f"permute_{name}_{src}"])
        # A traced permutation (as the random transforms draw it) gives the same.
        traced = jax.jit(F.permute_channels)(x, jnp.asarray(perm))
        np.testing.assert_array_equal(np.asarray(traced), REF[f"permute_{name}_{src}"])


def _distortion(params, channels=3):
    def factor(name, neutral):
        value = params[f"{name}_factor"]
        return jnp.float32(neutral if value is None else value)

    names = ("brightness", "contrast", "saturation", "hue")
    perm = params["channel_permutation"]
    applied = [params[f"{n}_factor"] is not None for n in names] + [perm is not None]
    return Distortion(
        applied=jnp.asarray(applied),
        brightness=factor("brightness", 1.0),
        contrast=factor("contrast", 1.0),
        saturation=factor("saturation", 1.0),
        hue=factor("hue", 0.0),
        contrast_before=jnp.bool_(params["contrast_before"]),
        permutation=jnp.asarray(perm if perm is not None else list(range(channels)), jnp.int32),
    )


@pytest.mark.parametrize("name", ["distort_all_after", "distort_all_before", "distort_some"])
def test_photometric_distort_at_fixed_parameters_matches_torchvision(name):
    params = json.loads(CALLS["distort_params_json"])[name]
    out = np.asarray(ja.RandomPhotometricDistort().apply(_distortion(params), X_FLOAT))
    # README: pointwise ops agree with torchvision to 4e-6 (measured here: at most 5.4e-7).
    np.testing.assert_allclose(out, REF[name], atol=4e-6, rtol=0)


# --- gaussian_noise ---------------------------------------------------------------------------


def test_gaussian_noise_has_the_requested_mean_and_std():
    x = jnp.full((128, 128, 2), 0.5, jnp.float32)
    out = np.asarray(F.gaussian_noise(jax.random.key(0), x, mean=0.1, sigma=0.05, clip=False), np.float64)
    noise = out - 0.5
    n = noise.size
    assert abs(noise.mean() - 0.1) < 4 * 0.05 / np.sqrt(n)
    assert abs(noise.std() - 0.05) < 4 * 0.05 / np.sqrt(2 * n)
    # Every pixel and channel gets its own draw.
    assert stats.kstest((noise.ravel() - 0.1) / 0.05, "norm").pvalue > 1e-3
    assert abs(np.corrcoef(noise[..., 0].ravel(), noise[..., 1].ravel())[0, 1]) < 0.03


def test_gaussian_noise_clips_to_the_unit_range_only_when_asked():
    x = jnp.full((64, 64, 1), 0.2, jnp.float32)
    key = jax.random.key(1)
    clipped = np.asarray(F.gaussian_noise(key, x, sigma=0.5))
    free = np.asarray(F.gaussian_noise(key, x, sigma=0.5, clip=False))
    np.testing.assert_array_equal(clipped, np.clip(free, 0.0, 1.0))
    # P(0.2 + N(0, 0.5) < 0) = Phi(-0.4): the clipped share at 0 is the normal's tail.
    assert abs((clipped == 0.0).mean() - stats.norm.cdf(-0.4)) < 0.03
    assert (free < 0).any() and (free > 1).any()


def test_gaussian_noise_on_uint8_is_the_float_noise_of_the_converted_image():
    key = jax.random.key(2)
    out = F.gaussian_noise(key, X_U8, mean=0.1, sigma=0.2, clip=False)
    assert out.dtype == jnp.float32
    expected = F.gaussian_noise(key, F.to_float(X_U8), mean=0.1, sigma=0.2, clip=False)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(expected))
    # Not quantised to grey levels, and no wrap-around: torchvision's uint8 path truncates the
    # noise toward zero (its recorded mean 0.097, std 0.194 for mean 0.1, sigma 0.2).
    assert not np.allclose(np.asarray(out) * 255, np.round(np.asarray(out) * 255))
    assert float(np.asarray(out).max()) > 1.0
    tv_mean, tv_std = REF["noise_uint8_stats"]
    assert tv_mean < 0.099 and tv_std < 0.198


def test_gaussian_noise_legacy_and_typed_keys_give_the_same_noise():
    x = jnp.full((6, 7, 3), 0.5, jnp.float32)
    a = F.gaussian_noise(jax.random.key(5), x)
    b = F.gaussian_noise(jax.random.PRNGKey(5), x)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    t = ja.GaussianNoise(0.05, 0.2)
    np.testing.assert_array_equal(np.asarray(t(jax.random.key(5), x)), np.asarray(t(jax.random.PRNGKey(5), x)))


def test_gaussian_noise_transform_is_the_functional_op_with_its_key():
    x = jnp.asarray(X_FLOAT)
    t = ja.GaussianNoise(mean=-0.05, sigma=0.3, clip=False)
    key = jax.random.key(9)
    # The transform's noise is the functional op's for the same key: a port keeps its draws.
    expected = F.gaussian_noise(key, x, mean=-0.05, sigma=0.3, clip=False)
    np.testing.assert_array_equal(np.asarray(t(key, x)), np.asarray(expected))


# --- RandomPhotometricDistort's draws ---------------------------------------------------------


def test_photometric_distort_draws_follow_torchvision_ranges_and_probabilities():
    t = ja.RandomPhotometricDistort(brightness=(0.6, 1.1), contrast=(0.3, 1.9), saturation=(1.2, 1.6), hue=(-0.1, 0.02), p=0.3)
    n = 4000
    keys = jax.random.split(jax.random.key(0), n)
    d = jax.jit(jax.vmap(lambda k: t.sample(k, (8, 8, 3))))(keys)
    applied = np.asarray(d.applied)
    se = np.sqrt(0.3 * 0.7 / n)
    np.testing.assert_array_less(np.abs(applied.mean(0) - 0.3), 4 * se)
    # Independent of each other: the rate of two together is p * p.
    both = (applied[:, :, None] & applied[:, None, :]).mean(0)[np.triu_indices(5, 1)]
    np.testing.assert_array_less(np.abs(both - 0.09), 4 * np.sqrt(0.09 * 0.91 / n))
    for name, (lo, hi) in [("brightness", (0.6, 1.1)), ("contrast", (0.3, 1.9)), ("saturation", (1.2, 1.6)), ("hue", (-0.1, 0.02))]:
        v = np.asarray(getattr(d, name), np.float64)
        assert lo <= v.min() and v.max() <= hi
        assert stats.kstest(v, stats.uniform(lo, hi - lo).cdf).pvalue > 1e-3, name
        # The apply-or-not draw is independent of the magnitude.
        slot = ("brightness", "contrast", "saturation", "hue").index(name)
        assert abs(np.corrcoef(applied[:, slot], v)[0, 1]) < 0.06, name
    assert abs(np.asarray(d.contrast_before).mean() - 0.5) < 4 * np.sqrt(0.25 / n)
    perms = np.asarray(d.permutation)
    np.testing.assert_array_equal(np.sort(perms, axis=1), np.tile(np.arange(3), (n, 1)))
    counts = np.unique(perms @ np.array([9, 3, 1]), return_counts=True)[1]
    assert len(counts) == 6 and stats.chisquare(counts).pvalue > 1e-3


def test_photometric_distort_applies_each_op_only_when_drawn():
    x = jnp.asarray(X_FLOAT)
    t = ja.RandomPhotometricDistort()
    base = dict(brightness_factor=None, contrast_factor=None, saturation_factor=None, hue_factor=None,
                contrast_before=True, channel_permutation=None)
    np.testing.assert_array_equal(np.asarray(t.apply(_distortion(base), x)), X_FLOAT)
    singles = [
        ("brightness_factor", 1.1, lambda y: F.adjust_brightness(y, 1.1)),
        ("contrast_factor", 0.6, lambda y: F.adjust_contrast(y, 0.6)),
        ("saturation_factor", 1.4, lambda y: F.adjust_saturation(y, 1.4)),
        ("hue_factor", -0.03, lambda y: F.adjust_hue(y, -0.03)),
        ("channel_permutation", [2, 0, 1], lambda y: F.permute_channels(y, [2, 0, 1])),
    ]
    for name, value, op in singles:
        out = t.apply(_distortion({**base, name: value}), x)
        np.testing.assert_allclose(np.asarray(out), np.asarray(op(x)), atol=1e-6, err_msg=name)


def test_photometric_distort_on_gray_runs_brightness_and_contrast_only():
    gray = jnp.asarray(X_FLOAT[..., :1])
    params = dict(brightness_factor=0.9, contrast_factor=1.3, saturation_factor=0.5, hue_factor=0.05,
                  contrast_before=False, channel_permutation=[0])
    out = ja.RandomPhotometricDistort().apply(_distortion(params, channels=1), gray)
    expected = F.adjust_contrast(F.adjust_brightness(gray, 0.9), 1.3)
    np.testing.assert_allclose(np.asarray(out), np.asarray(expected), atol=1e-6)


def test_a_nan_pixel_stays_local_when_contrast_is_not_drawn():
    x = np.array(X_FLOAT)
    x[3, 4, 1] = np.nan
    params = dict(brightness_factor=1.1, contrast_factor=None, saturation_factor=1.3, hue_factor=0.03,
                  contrast_before=False, channel_permutation=[2, 0, 1])
    out = np.asarray(ja.RandomPhotometricDistort().apply(_distortion(params), x))
    assert np.isnan(out[3, 4]).any()
    assert np.isfinite(np.delete(out.reshape(-1, 3), 3 * x.shape[1] + 4, axis=0)).all()
    for op in (lambda y: F.adjust_gamma(y, 0.7, 1.2), lambda y: F.gaussian_noise(jax.random.key(0), y),
               lambda y: F.permute_channels(y, [1, 2, 0])):
        out = np.asarray(op(x))
        assert np.isfinite(np.delete(out.reshape(-1, 3), 3 * x.shape[1] + 4, axis=0)).all()


# --- traced parameters and refusals -----------------------------------------------------------


def test_traced_gamma_and_noise_level_under_vmap_equal_the_loop():
    x = jnp.asarray(X_FLOAT)
    gammas = jnp.array([0.4, 1.0, 2.5])
    out = jax.jit(jax.vmap(F.adjust_gamma, in_axes=(None, 0, 0)))(x, gammas, jnp.array([1.0, 1.2, 0.8]))
    for i, (g, k) in enumerate([(0.4, 1.0), (1.0, 1.2), (2.5, 0.8)]):
        np.testing.assert_allclose(np.asarray(out[i]), np.asarray(F.adjust_gamma(x, g, k)), atol=1e-6)
    sigmas = jnp.array([0.0, 0.2])
    noisy = jax.jit(jax.vmap(lambda s: F.gaussian_noise(jax.random.key(1), x, sigma=s)))(sigmas)
    np.testing.assert_array_equal(np.asarray(noisy[0]), X_FLOAT)
    np.testing.assert_allclose(np.asarray(noisy[1]), np.asarray(F.gaussian_noise(jax.random.key(1), x, sigma=0.2)), atol=1e-6)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: F.adjust_gamma(X_FLOAT, -0.5), ValueError, "adjust_gamma: gamma"),
        (lambda: F.adjust_gamma(X_FLOAT, float("nan")), ValueError, "adjust_gamma: gamma"),
        (lambda: F.adjust_gamma(X_FLOAT, 1.0, float("inf")), ValueError, "adjust_gamma: gain"),
        (lambda: F.adjust_gamma(X_FLOAT * 300.0, 1.0), ValueError, "[0, 1]"),
        (lambda: F.adjust_gamma(X_U8.astype(np.int32), 1.0), TypeError, "dtype"),
        (lambda: F.adjust_gamma(np.zeros((3, 16, 20), np.float32), 1.0), ValueError, "channels-first"),
        (lambda: F.gaussian_noise(jax.random.key(0), X_FLOAT, sigma=-0.1), ValueError, "gaussian_noise: sigma"),
        (lambda: F.gaussian_noise(jax.random.key(0), X_FLOAT, mean=float("nan")), ValueError, "gaussian_noise: mean"),
        (lambda: F.gaussian_noise(jax.random.key(0), X_FLOAT, clip=1), TypeError, "clip"),
        (lambda: F.gaussian_noise(0, X_FLOAT), TypeError, "gaussian_noise: key"),
        (lambda: F.gaussian_noise(jax.random.key(0), X_FLOAT, sigma=float("inf")), ValueError, "gaussian_noise: sigma"),
        (lambda: F.gaussian_noise(jax.random.key(0), np.zeros((3, 16, 20), np.float32)), ValueError, "channels-first"),
        (lambda: F.gaussian_noise(jax.random.key(0), X_U8.astype(np.int16)), TypeError, "gaussian_noise: image dtype"),
        (lambda: F.permute_channels(np.zeros((3, 16, 20), np.float32), [0, 1, 2]), ValueError, "channels-first"),
        (lambda: F.permute_channels(X_U8.astype(np.int32), [0, 1, 2]), TypeError, "permute_channels: image dtype"),
        (lambda: F.gaussian_noise(jax.random.key(0), X_FLOAT * 2.0), ValueError, "[0, 1]"),
        (lambda: F.permute_channels(X_FLOAT, [0, 0, 1]), ValueError, "permute_channels: permutation"),
        (lambda: F.permute_channels(X_FLOAT, [1, 0]), ValueError, "permute_channels: permutation"),
        (lambda: F.permute_channels(X_FLOAT, jnp.array([0, 2, 2])), ValueError, "permute_channels: permutation"),
        (lambda: F.permute_channels(X_FLOAT, jnp.array([0.0, 2.0, 1.0])), ValueError, "integer"),
        (lambda: ja.GaussianNoise(sigma=-1.0), ValueError, "GaussianNoise: sigma"),
        (lambda: ja.GaussianNoise(clip="yes"), TypeError, "GaussianNoise: clip"),
        (lambda: ja.RandomPhotometricDistort(p=True), TypeError, "RandomPhotometricDistort: p"),
        (lambda: ja.RandomPhotometricDistort(p=1.5), ValueError, "RandomPhotometricDistort: p"),
        (lambda: ja.RandomPhotometricDistort(hue=(-0.6, 0.1)), ValueError, "RandomPhotometricDistort: hue"),
        (lambda: ja.RandomPhotometricDistort(contrast=(-0.5, 1.5)), ValueError, "RandomPhotometricDistort: contrast"),
        (lambda: ja.RandomPhotometricDistort(brightness=(1.2, 0.8)), ValueError, "RandomPhotometricDistort: brightness"),
        (lambda: ja.RandomPhotometricDistort(saturation=(0.5, float("inf"))), ValueError, "saturation"),
        (lambda: ja.RandomPhotometricDistort()(jax.random.key(0), np.ones((4, 4, 2), np.float32)), ValueError, "channels"),
        (lambda: ja.Compose([ja.GaussianNoise(clip=False), ja.ColorJitter(0.2)]), ValueError, "GaussianNoise(clip=False)"),
    ],
)
def test_bad_arguments_are_refused_naming_the_function_and_argument(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_a_traced_bad_permutation_is_caught_under_checked():
    bad = ja.checked(F.permute_channels)
    with pytest.raises(ValueError, match="permute_channels: permutation"):
        bad(X_FLOAT, jnp.array([0, 1, 1]))


def test_integer_probabilities_work():
    x = jnp.asarray(X_FLOAT)
    np.testing.assert_array_equal(np.asarray(ja.RandomPhotometricDistort(p=0)(jax.random.key(0), x)), X_FLOAT)
    always = ja.RandomPhotometricDistort(p=1).sample(jax.random.key(0), x.shape)
    assert bool(always.applied.all())


def test_defaults_are_torchvisions():
    noise = ja.GaussianNoise()
    assert (noise.mean, noise.sigma, noise.clip) == (0.0, 0.1, True)
    d = ja.RandomPhotometricDistort()
    assert (d.brightness, d.contrast, d.saturation, d.hue, d.p) == ((0.875, 1.125), (0.5, 1.5), (0.5, 1.5), (-0.05, 0.05), 0.5)
