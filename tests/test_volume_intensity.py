"""Properties of jaxaug.volume's intensity ops and transforms: identities, the label kept, NaN
locality, draws inside their documented ranges, bad input refused. MONAI agreement is in
test_volume_intensity_reference.py; the shared contract in test_volume_contract.py."""

import dataclasses
import functools
import math
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxaug import volume as V

SHAPE = (10, 12, 9, 2)
RNG = np.random.default_rng(0)
MR = jnp.asarray(RNG.uniform(50.0, 400.0, SHAPE), jnp.float32)  # MR-like intensities
SIGNED = jnp.asarray(RNG.normal(0.0, 100.0, SHAPE), jnp.float32)  # Hounsfield-like, both signs
LABEL = jnp.asarray(RNG.integers(0, 3, SHAPE[:3]), jnp.int32)

# Every random intensity transform, with prob=1 and asymmetric ranges.
FIRING = [
    V.RandGaussianNoise(prob=1, mean=0.5, std=3.0),
    V.RandRicianNoise(prob=1, std=4.0, relative=False),
    V.RandShiftIntensity((-5.0, 15.0), prob=1, channel_wise=True),
    V.RandScaleIntensity((-0.2, 0.4), prob=1),
    V.RandBiasField(degree=2, coeff_range=(-0.1, 0.3), prob=1),
    V.RandAdjustContrast(prob=1, gamma=(0.6, 2.2)),
    V.RandGaussianSmooth((0.3, 0.8), (0.5, 1.2), (0.2, 0.4), prob=1),
    V.RandGaussianSharpen(prob=1),
    V.RandHistogramShift((4, 7), prob=1),
    V.RandGibbsNoise(prob=1, alpha=(0.2, 0.6)),
    V.RandKSpaceSpikeNoise(prob=1),
    V.RandCoarseDropout(2, (2, 3, 2), max_holes=3, fill_value=-1.0, prob=1),
    V.NormalizeIntensity(nonzero=True, channel_wise=True),
    V.ScaleIntensityRange(-100.0, 300.0, clip=True),
]


def test_scale_by_a_then_by_one_over_a_is_the_identity():
    a = 2.75
    there = V.scale_intensity(SIGNED, None, None, factor=a - 1.0)
    back = V.scale_intensity(there, None, None, factor=1.0 / a - 1.0)
    np.testing.assert_allclose(np.asarray(there), 2.75 * np.asarray(SIGNED), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(back), np.asarray(SIGNED), rtol=1e-6, atol=1e-4)


def test_shift_then_unshift_is_the_identity_per_channel():
    there = V.shift_intensity(SIGNED, [30.0, -7.0])
    np.testing.assert_allclose(np.asarray(there[..., 1]), np.asarray(SIGNED[..., 1]) - 7.0, atol=1e-4)
    np.testing.assert_allclose(np.asarray(V.shift_intensity(there, [-30.0, 7.0])), np.asarray(SIGNED), atol=1e-4)


def test_gibbs_alpha_0_is_the_identity_and_alpha_1_keeps_at_most_the_mean():
    # 10 x 12 x 9: every frequency lies within MONAI's radius at alpha 0.
    np.testing.assert_allclose(np.asarray(V.gibbs_noise(SIGNED, 0.0)), np.asarray(SIGNED), atol=1e-5 * 400)
    # MONAI centres the ball at (n - 1) / 2, half a voxel off the DC term along even axes: at
    # alpha 1 nothing is left of this 10 x 12 x 9 volume, and the mean of an odd-sided one.
    np.testing.assert_array_equal(np.asarray(V.gibbs_noise(SIGNED, 1.0)), 0.0)
    odd = SIGNED[:9, :11]
    dc_only = np.asarray(V.gibbs_noise(odd, 1.0))
    np.testing.assert_allclose(dc_only, np.broadcast_to(np.asarray(odd).mean(axis=(0, 1, 2)), odd.shape), atol=1e-4)
    blurred = np.asarray(V.gibbs_noise(SIGNED, 0.5))
    assert np.abs(blurred - np.asarray(SIGNED)).max() > 10.0


def test_bias_field_with_zero_coefficients_is_the_identity():
    # MONAI refuses degree 0 (a constant factor is not a bias field); degree 1 with coefficients 0 is exp(0).
    for degree in (1, 3):
        t = V.RandBiasField(degree=degree, coeff_range=(0.0, 0.0), prob=1)
        np.testing.assert_array_equal(np.asarray(t(jax.random.key(0), SIGNED)), np.asarray(SIGNED))


def test_bias_field_of_one_linear_term_is_exp_of_the_axis_coordinate():
    terms = [tuple(t) for t in V._intensity_transforms.bias_field_terms(1)]
    assert terms == [(0, 0, 0), (0, 0, 1), (0, 1, 0), (1, 0, 0)]  # MONAI's order
    coeff = jnp.asarray([0.0, 0.0, 0.0, 0.5])  # P1 along axis 0 only
    field = np.asarray(V._intensity_transforms.bias_field(SHAPE, 1, coeff))
    expected = 0.5 * np.linspace(-1, 1, SHAPE[0])[:, None, None]
    np.testing.assert_allclose(field, np.broadcast_to(expected, SHAPE[:3]), atol=1e-6)


def test_rician_noise_of_sigma_0_is_the_magnitude():
    t = V.RandRicianNoise(prob=1, std=0.0)
    np.testing.assert_allclose(np.asarray(t(jax.random.key(0), SIGNED)), np.abs(np.asarray(SIGNED)), rtol=1e-6)


def test_adjust_contrast_gamma_1_is_the_identity_and_keeps_the_range():
    np.testing.assert_allclose(np.asarray(V.adjust_contrast(SIGNED, 1.0)), np.asarray(SIGNED), atol=1e-3)
    out = np.asarray(V.adjust_contrast(SIGNED, 3.0))
    assert math.isclose(out.min(), float(SIGNED.min()), abs_tol=1e-3) and math.isclose(out.max(), float(SIGNED.max()), rel_tol=1e-5)
    assert np.median(out) < np.median(np.asarray(SIGNED))  # gamma > 1 darkens


def test_normalize_intensity_nonzero_channel_wise_leaves_zeros_and_standardises_the_rest():
    x = np.asarray(MR).copy()
    x[:3] = 0.0
    out = np.asarray(V.normalize_intensity(x, nonzero=True, channel_wise=True))
    assert (out[:3] == 0).all()
    for c in range(2):
        inside = out[3:, ..., c]
        assert abs(inside.mean()) < 1e-5 and abs(inside.std() - 1.0) < 1e-5


def test_smoothing_a_point_gives_monai_s_separable_erf_kernel():
    point = jnp.zeros((13, 13, 13, 1)).at[6, 6, 6, 0].set(1.0)
    out = np.asarray(V.gaussian_smooth(point, (0.5, 1.0, 1.5)))
    from scipy.special import erf

    def kernel(s):
        x = np.arange(-6, 7)
        k = 0.5 * (erf((x + 0.5) / (s * np.sqrt(2))) - erf((x - 0.5) / (s * np.sqrt(2))))
        return np.where(np.abs(x) <= int(max(4 * s, 0.5) + 0.5), k, 0.0)

    expected = np.einsum("i,j,k->ijk", kernel(0.5), kernel(1.0), kernel(1.5))
    np.testing.assert_allclose(out[..., 0], expected, atol=1e-7)


# --- NaN --------------------------------------------------------------------------------------

LOCAL = [t for t in FIRING if not isinstance(t, (V.RandGibbsNoise, V.RandKSpaceSpikeNoise, V.RandGaussianSmooth, V.RandGaussianSharpen))]
if os.environ.get("HYPOTHESIS_PROFILE") != "thorough":
    # The steps that take statistics over the whole volume, where a NaN could leak; the purely
    # pointwise ones run under the thorough profile (each is a compile: CI time).
    LOCAL = [t for t in LOCAL if isinstance(t, (V.RandRicianNoise, V.RandAdjustContrast, V.RandHistogramShift, V.RandCoarseDropout, V.NormalizeIntensity))]


@pytest.mark.parametrize("t", LOCAL, ids=[type(t).__name__ for t in LOCAL])
def test_a_nan_voxel_stays_where_it_is_in_pointwise_steps(t):
    x = MR.at[4, 5, 3, 0].set(jnp.nan)
    out = np.asarray(t(jax.random.key(2), x))
    nan = np.isnan(out)
    assert nan.sum() <= 1 and not nan[np.arange(10) != 4].any()


def test_smoothing_spreads_a_nan_only_within_the_kernel():
    x = MR.at[5, 6, 4, 0].set(jnp.nan)
    out = np.asarray(V.gaussian_smooth(x, (0.5, 0.3, 0.2)))  # tails 2, 1, 1 voxels
    nan = np.argwhere(np.isnan(out))
    assert (nan[:, 3] == 0).all()
    assert (np.abs(nan[:, :3] - [5, 6, 4]) <= [2, 1, 1]).all() and len(nan) == 5 * 3 * 3
    # A traced sigma drawn small inside a wide kernel reads only its own tail.
    t = V.RandGaussianSmooth((0.3, 2.0), (0.3, 2.0), (0.3, 2.0), prob=1)
    params = V._artefact_transforms.Sigma3(jnp.asarray(True), jnp.asarray([0.3, 0.3, 0.3]))
    assert np.isnan(np.asarray(t.apply(params, x))).sum() == 3 * 3 * 3


def test_fourier_steps_make_a_channel_with_a_nan_all_nan_and_leave_the_others():
    x = MR.at[1, 1, 1, 1].set(jnp.nan)
    for out in (V.gibbs_noise(x, 0.3), V.RandKSpaceSpikeNoise(prob=1)(jax.random.key(0), x)):
        out = np.asarray(out)
        assert np.isnan(out[..., 1]).all() and np.isfinite(out[..., 0]).all()


# --- draws -------------------------------------------------------------------------------------

N = 4000


MAGNITUDES = [
    (V.RandShiftIntensity((-5.0, 15.0), prob=0.4), -5.0, 15.0),
    (V.RandShiftIntensity(7.0, prob=0.4), -7.0, 7.0),
    (V.RandScaleIntensity((-0.2, 0.4), prob=0.4), -0.2, 0.4),
    (V.RandAdjustContrast(prob=0.4, gamma=3.0), 0.5, 3.0),
    (V.RandGibbsNoise(prob=0.4, alpha=0.7), 0.0, 0.7),
    (V.RandBiasField(prob=0.4, coeff_range=(-0.3, 0.1)), -0.3, 0.1),
]
DRAWN = [t for t, _, _ in MAGNITUDES] + [
    V.RandGaussianNoise(prob=0.3, std=4.0),
    V.RandRicianNoise(prob=1, std=(2.0, 0.5), mean=(0.0, 0.0), channel_wise=True, sample_std=False),
    V.RandBiasField(degree=3, prob=1),
    V.RandBiasField(degree=2, prob=1),
    V.RandGaussianSmooth((0.3, 0.8), (0.5, 1.2), (0.2, 0.4), prob=0.5),
    V.RandGaussianSharpen(sigma2_y=(0.2, 0.3), prob=0.5),
    V.RandHistogramShift((4, 7), prob=1),
    V.RandKSpaceSpikeNoise(prob=1),
    V.RandKSpaceSpikeNoise(prob=1, channel_wise=False),
    V.RandCoarseDropout(2, (2, 3, 2), max_holes=4, max_spatial_size=(4, 20, -1), prob=1),
]


@functools.lru_cache(maxsize=None)
def _all_draws():
    """N draws of every transform in DRAWN, from one compiled function (one compile, not 16)."""
    draw = jax.jit(jax.vmap(lambda k: [t.sample(k, SHAPE) for t in DRAWN]))
    return dict(zip(DRAWN, draw(jax.random.split(jax.random.key(0), N))))


def _draws(t):
    return _all_draws()[t]


def _rate(applied, prob):
    # 5 standard errors.
    assert abs(float(np.mean(applied)) - prob) < 5 * math.sqrt(prob * (1 - prob) / N)


def test_noise_std_is_uniform_on_0_std_and_prob_is_honoured():
    d = _draws(V.RandGaussianNoise(prob=0.3, std=4.0))
    _rate(d.apply, 0.3)
    std = np.asarray(d.std)
    assert std.min() >= 0 and std.max() <= 4.0 and abs(std.mean() - 2.0) < 0.1
    # The apply-or-not draw is independent of the magnitude.
    assert abs(np.corrcoef(np.asarray(d.apply, float), std)[0, 1]) < 0.06
    fixed = _draws(V.RandRicianNoise(prob=1, std=(2.0, 0.5), mean=(0.0, 0.0), channel_wise=True, sample_std=False))
    np.testing.assert_array_equal(np.asarray(fixed.std), np.broadcast_to([2.0, 0.5], (N, 2)))


# The volume noise stream (jaxaug._base.fast_normal_noise): n words from n / 2 threefry blocks.
NOISE_KEYS = (3, 17, 2024)


@pytest.mark.parametrize("shape", [(3, 1, 1, 1), (4, 5, 3, 2)], ids=["odd", "even"])
def test_noise_stream_is_jax_normal_with_unpartitioned_threefry(shape):
    from jaxaug._base import fast_normal_noise

    key = jax.random.key(11)
    with jax.threefry_partitionable(False):
        expected = np.asarray(jax.random.normal(key, (math.prod(shape),), jnp.float32)).reshape(shape)
    np.testing.assert_array_equal(np.asarray(fast_normal_noise(key, shape, jnp.float32)), expected)
    legacy = jax.random.key_data(key)
    np.testing.assert_array_equal(np.asarray(fast_normal_noise(legacy, shape, jnp.float32)), expected)
    # Compiled whole, erfinv may round differently by an ulp.
    np.testing.assert_allclose(np.asarray(jax.jit(lambda k: fast_normal_noise(k, shape, jnp.float32))(legacy)), expected, atol=1e-6)


@pytest.mark.parametrize("seed", NOISE_KEYS)
def test_noise_is_iid_standard_normal(seed):
    from jaxaug._base import fast_normal_noise

    z = np.asarray(fast_normal_noise(jax.random.key(seed), (40, 40, 40, 1), jnp.float32), np.float64).ravel()
    n = z.size
    assert abs(z.mean()) < 4 / math.sqrt(n)
    assert abs(z.std() - 1.0) < 4 / math.sqrt(2 * n)
    # Kolmogorov-Smirnov against the normal CDF (1.95 / sqrt(n): the 0.1% critical value).
    cdf = 0.5 * (1.0 + np.vectorize(math.erf)(np.sort(z) / math.sqrt(2.0)))
    steps = np.arange(1, n + 1) / n
    assert max(np.abs(steps - cdf).max(), np.abs(steps - 1.0 / n - cdf).max()) < 1.95 / math.sqrt(n)
    # From a full-width uniform: a 16-bit one would repeat values by the thousand here.
    assert np.unique(z).size > 0.99 * n
    # The two words of a block (the halves) and neighbouring voxels are uncorrelated.
    half = n // 2
    for a, b in ((z[:half], z[half : 2 * half]), (z[:-1], z[1:]), (z[:-1600], z[1600:])):
        assert abs(np.corrcoef(a, b)[0, 1]) < 4 / math.sqrt(a.size)


def test_noise_falls_back_to_jax_normal_for_rbg_keys():
    from jaxaug._base import fast_normal_noise, normal_noise

    key = jax.random.key(5, impl="rbg")
    np.testing.assert_array_equal(np.asarray(fast_normal_noise(key, (2, 3, 4, 1), jnp.float32)), np.asarray(normal_noise(key, (2, 3, 4, 1), jnp.float32)))
    out = V.RandGaussianNoise(prob=1.0)(key, jnp.zeros((4, 4, 4, 1)))
    assert out.shape == (4, 4, 4, 1) and bool(jnp.all(jnp.isfinite(out)))


@pytest.mark.parametrize("t, low, high", MAGNITUDES, ids=["shift", "shift-number", "scale", "gamma", "gibbs", "bias"])
def test_magnitudes_are_uniform_over_their_documented_range(t, low, high):
    d = _draws(t)
    _rate(d.apply, 0.4)
    values = np.asarray(d[1]).ravel()
    assert values.min() >= low and values.max() <= high
    assert abs(values.mean() - (low + high) / 2) < 0.03 * (high - low)
    assert values.min() < low + 0.01 * (high - low) and values.max() > high - 0.01 * (high - low)


def test_bias_field_draws_one_coefficient_per_monai_term():
    assert _draws(V.RandBiasField(degree=3, prob=1)).coeff.shape == (N, 20)
    assert _draws(V.RandBiasField(degree=2, prob=1)).coeff.shape == (N, 10)


def test_smooth_and_sharpen_sigmas_lie_in_their_ranges():
    s = np.asarray(_draws(V.RandGaussianSmooth((0.3, 0.8), (0.5, 1.2), (0.2, 0.4), prob=0.5)).sigma)
    for axis, (lo, hi) in enumerate([(0.3, 0.8), (0.5, 1.2), (0.2, 0.4)]):
        assert s[:, axis].min() >= lo and s[:, axis].max() <= hi and abs(s[:, axis].mean() - (lo + hi) / 2) < 0.02
    d = _draws(V.RandGaussianSharpen(sigma2_y=(0.2, 0.3), prob=0.5))
    s1, s2, alpha = np.asarray(d.sigma1), np.asarray(d.sigma2), np.asarray(d.alpha)
    assert s1.min() >= 0.5 and s1.max() <= 1.0
    assert (s2[:, [0, 2]] >= 0.5).all() and (s2[:, [0, 2]] <= s1[:, [0, 2]]).all()  # U(0.5, sigma1)
    assert s2[:, 1].min() >= 0.2 and s2[:, 1].max() <= 0.3
    assert alpha.min() >= 10 and alpha.max() <= 30


def test_histogram_control_points_are_monotone_with_a_count_in_range():
    d = _draws(V.RandHistogramShift((4, 7), prob=1))
    reference, floating = np.asarray(d.reference), np.asarray(d.floating)
    counts = 1 + np.argmax(reference >= 1.0, axis=1)
    assert set(counts.tolist()) == {4, 5, 6, 7}
    assert (np.diff(floating, axis=1) >= 0).all() and (floating[:, 0] == 0).all() and (floating[:, -1] == 1).all()
    # Each inner point lies between the previous moved point and the next reference point.
    assert (floating[:, 1:-1] <= reference[:, 2:] + 1e-6).all()


def test_k_space_spike_locations_cover_the_volume_and_channels_draw_apart():
    d = _draws(V.RandKSpaceSpikeNoise(prob=1))
    loc = np.asarray(d.loc)
    assert loc.shape == (N, 2, 3) and (loc >= 0).all() and (loc < np.asarray(SHAPE[:3])).all()
    assert all(len(np.unique(loc[:, 0, a])) == SHAPE[a] for a in range(3))
    assert (loc[:, 0] != loc[:, 1]).any()
    shared = np.asarray(_draws(V.RandKSpaceSpikeNoise(prob=1, channel_wise=False)).loc)
    np.testing.assert_array_equal(shared[:, 0], shared[:, 1])


def test_coarse_dropout_counts_sizes_and_boxes_stay_in_range():
    d = _draws(V.RandCoarseDropout(2, (2, 3, 2), max_holes=4, max_spatial_size=(4, 20, -1), prob=1))
    count, size, corner = np.asarray(d.count), np.asarray(d.size), np.asarray(d.corner)
    assert set(count.tolist()) == {2, 3, 4}
    assert (size[..., 0] >= 2).all() and (size[..., 0] <= 4).all()
    assert (size[..., 1] >= 3).all() and (size[..., 1] <= 12).all() and (size[..., 1] == 12).any()  # cut to the volume
    assert (size[..., 2] >= 2).all() and (size[..., 2] <= 9).all()
    assert (corner >= 0).all() and (corner + size <= np.asarray(SHAPE[:3])).all()


def test_coarse_dropout_fills_holes_or_the_outside_with_values_in_range():
    t = V.RandCoarseDropout(1, (3, 4, 2), prob=1)  # fill None: U(min, max) of the volume
    params = t.sample(jax.random.key(3), SHAPE)
    out = np.asarray(t.apply(params, MR))
    changed = out != np.asarray(MR)
    assert changed.sum() == 3 * 4 * 2 * 2
    assert out[changed].min() >= float(MR.min()) and out[changed].max() <= float(MR.max())
    keep = dataclasses.replace(t, dropout_holes=False, fill_value=-1.0)
    kept = np.asarray(keep.apply(params, MR))
    np.testing.assert_array_equal(kept[changed], np.asarray(MR)[changed])
    assert (kept[~changed] == -1.0).all()


# --- refusals ----------------------------------------------------------------------------------


def test_a_2d_image_or_a_channels_first_volume_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"RandGaussianNoise: volume must have shape \(S0, S1, S2, C\).*2-D image"):
        V.RandGaussianNoise(prob=1)(jax.random.key(0), jnp.zeros((16, 16, 1)))
    with pytest.raises(ValueError, match=r"gibbs_noise: volume must have shape"):
        V.gibbs_noise(jnp.zeros((16, 16, 1)), 0.2)
    with pytest.raises(ValueError, match="channels-first"):
        V.RandBiasField(prob=1)(jax.random.key(0), jnp.zeros((1, 16, 16, 12)))
    with pytest.raises(TypeError, match="label must be integer"):
        V.RandScaleIntensity(0.1)(jax.random.key(0), MR, LABEL.astype(jnp.float32))
    with pytest.raises(ValueError, match="ja.batch"):
        V.RandScaleIntensity(0.1)(jax.random.key(0), MR[None])


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: V.ScaleIntensityRange(300.0, -100.0), "a_min must be < a_max"),
        (lambda: V.ScaleIntensityRange(40.0, 40.0), "a_min must be < a_max"),
        (lambda: V.scale_intensity_range(MR, 40.0, 40.0), "a_min must be < a_max"),
        (lambda: V.ScaleIntensityRange(float("nan"), 100.0), "a_min must be a finite number"),
        (lambda: V.RandGaussianNoise(std=float("nan")), "std must be a finite number"),
        (lambda: V.RandGaussianNoise(std=-1.0), "std must be a finite number >= 0"),
        (lambda: V.RandRicianNoise(mean=(0.0, 1.0)), "mean must be one number unless channel_wise"),
        (lambda: V.RandShiftIntensity(float("inf")), "offsets must be a finite number"),
        (lambda: V.RandScaleIntensity((0.1, float("nan"))), "factors must be a finite number"),
        (lambda: V.RandBiasField(degree=0), "degree must be an int >= 1"),
        (lambda: V.RandBiasField(coeff_range=(0.2, 0.1)), "min <= max"),
        (lambda: V.RandAdjustContrast(gamma=0.4), "must be > 0.5"),
        (lambda: V.RandAdjustContrast(gamma=(0.0, 2.0)), "gamma must be > 0"),
        (lambda: V.RandGaussianSmooth(sigma_x=(0.0, 1.0)), "sigma_x must be > 0"),
        (lambda: V.RandGaussianSmooth(approx="sampled"), "approx must be 'erf'"),
        (lambda: V.RandGaussianSharpen(sigma2_x=0.8), "sigma2_x=0.8"),
        (lambda: V.RandHistogramShift(2), "num_control_points must be >= 3"),
        (lambda: V.RandGibbsNoise(alpha=(0.2, 1.5)), "alpha must be <= 1.0"),
        (lambda: V.RandGibbsNoise(alpha=float("nan")), "alpha must be a finite number"),
        (lambda: V.gibbs_noise(MR, 1.2), "alpha must lie in"),
        (lambda: V.RandCoarseDropout(0, 2), "holes must be an int >= 1"),
        (lambda: V.RandCoarseDropout(2, 2, max_holes=1), "max_holes must be None or an int >= holes"),
        (lambda: V.RandCoarseDropout(2, (2, 2)), "spatial_size must be an int or 3 ints"),
        (lambda: V.k_space_spike_noise(MR, jnp.array([10, 0, 0])), "loc must lie inside"),
        (lambda: V.normalize_intensity(MR, subtrahend=[1.0, 2.0]), "one number unless channel_wise"),
        (lambda: V.adjust_contrast(MR, -1.0), "gamma must be > 0"),
        (lambda: V.RandGaussianNoise(prob=1.5), "prob must be a probability"),
        (lambda: V.RandGaussianNoise(prob=True), "prob must be a probability"),
        (lambda: V.RandGibbsNoise(prob="0.5"), "prob must be a probability"),
        (lambda: V.RandRicianNoise(relative=1), "relative must be True or False"),
    ],
)
def test_bad_arguments_are_refused_naming_the_argument(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_integer_probabilities_and_both_key_kinds_work():
    fires, never = jax.jit(V.RandGaussianNoise(prob=1)), jax.jit(V.RandGaussianNoise(prob=0))
    out = fires(jax.random.key(4), MR)
    assert not np.array_equal(np.asarray(out), np.asarray(MR))
    np.testing.assert_array_equal(np.asarray(out), np.asarray(fires(jax.random.PRNGKey(4), MR)))
    np.testing.assert_array_equal(np.asarray(never(jax.random.key(4), MR)), np.asarray(MR))


def test_integer_ct_comes_out_float32_in_hounsfield_units():
    ct = jnp.asarray(RNG.integers(-1000, 2000, (6, 7, 5, 1)), jnp.int16)
    out = V.RandShiftIntensity((100.0, 100.0), prob=1)(jax.random.key(0), ct)
    assert out.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(out), np.asarray(ct, np.float32) + 100.0)


def test_presets_flip_only_where_allowed():
    flips = lambda pipeline: [t.spatial_axis for t in pipeline.transforms if isinstance(t, V.RandFlip)]  # noqa: E731
    assert flips(V.presets.brain_mri()) == []  # lateralised by default: no flip across the midline
    assert flips(V.presets.brain_mri(lateralised=False, left_right_axis=2)) == [(2,)]
    assert flips(V.presets.ct_segmentation()) == []
    assert flips(V.presets.ct_segmentation(flip_axes=(0,))) == [(0,)]
    ct = V.presets.ct_segmentation(a_min=-1350, a_max=150)
    assert isinstance(ct.transforms[0], V.ScaleIntensityRange) and ct.transforms[0].clip  # the window comes first
    assert isinstance(V.presets.brain_mri().transforms[-1], V.NormalizeIntensity)
    with pytest.raises(ValueError, match="left_right_axis"):
        V.presets.brain_mri(lateralised=False, left_right_axis=3)
