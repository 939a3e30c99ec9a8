"""jaxaug.volume's intensity ops against MONAI 1.6.1, on outputs recorded by
tests/reference/make_monai_intensity_reference.py (MONAI and torch are never imported here).

Random transforms: MONAI ran with its random state scripted, and the recorded draws are turned
into jaxaug's drawn parameters, so ``apply`` is compared with MONAI on the same draw; the noise
fields come in through ``fast_normal_noise`` replaced by MONAI's recorded standard normals (those tests
call ``apply_image`` itself, outside the compiled ``apply``, whose cache would keep the real draw).
"""

import json
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

from jaxaug import volume
from jaxaug.volume import _intensity_transforms as transforms
from jaxaug.volume._artefact_transforms import ControlPoints, Holes, Sharpen, Sigma3, Spikes
from jaxaug.volume._intensity_transforms import Coefficients, Factor, Noise

REF = np.load(Path(__file__).parent / "reference" / "monai_intensity_reference.npz")
MR, CT, CUBE = REF["in/mr"], REF["in/ct"], REF["in/cube"]
KEY = np.zeros(2, np.uint32)  # unused where fast_normal_noise is replaced
YES = jnp.asarray(True)

# Relative tolerance on pointwise and filter ops (float32 arithmetic on both sides), and the
# absolute one for the FFT ops, relative to the volume's largest value.
RTOL = 3e-6
FFT_TOL = 1e-5

DETERMINISTIC = [
    ("window_lung", lambda: volume.scale_intensity_range(CT, -1350, 150, 0.0, 1.0, clip=True)),
    ("window_soft", lambda: volume.scale_intensity_range(CT, -160, 240, 0.0, 1.0, clip=True)),
    ("window_unclipped", lambda: volume.scale_intensity_range(CT, -500, 700, -1.0, 1.0)),
    ("normalize_default", lambda: volume.normalize_intensity(MR)),
    ("normalize_nonzero_channel", lambda: volume.normalize_intensity(MR, nonzero=True, channel_wise=True)),
    ("normalize_given", lambda: volume.normalize_intensity(MR, [100.0, 50.0], [40.0, 20.0], channel_wise=True)),
    ("normalize_ct", lambda: volume.normalize_intensity(CT)),
    ("shift", lambda: volume.shift_intensity(MR, 7.5)),
    ("scale_minmax", lambda: volume.scale_intensity(MR)),
    ("scale_minmax_channel", lambda: volume.scale_intensity(MR, -1.0, 2.0, channel_wise=True)),
    ("scale_factor", lambda: volume.scale_intensity(MR, None, None, factor=0.3)),
    ("contrast_0.7", lambda: volume.adjust_contrast(MR, 0.7)),
    ("contrast_2.5", lambda: volume.adjust_contrast(MR, 2.5)),
    ("contrast_1.8_invert_retain", lambda: volume.adjust_contrast(MR, 1.8, invert_image=True, retain_stats=True)),
    ("contrast_ct_0.6", lambda: volume.adjust_contrast(CT.astype(np.float32), 0.6)),
    ("smooth_1.0", lambda: volume.gaussian_smooth(MR, 1.0)),
    ("smooth_0.6_1.3_0.35", lambda: volume.gaussian_smooth(MR, (0.6, 1.3, 0.35))),
    ("sharpen", lambda: volume.gaussian_sharpen(MR, (1.0, 0.7, 0.9), (0.5, 0.6, 0.4), 12.0)),
]

FOURIER = [
    ("gibbs_0.0", lambda: volume.gibbs_noise(MR, 0.0)),
    ("gibbs_0.35", lambda: volume.gibbs_noise(MR, 0.35)),
    ("gibbs_0.8", lambda: volume.gibbs_noise(MR, 0.8)),
    ("gibbs_cube_0.0", lambda: volume.gibbs_noise(CUBE, 0.0)),
    ("spike_per_channel", lambda: volume.k_space_spike_noise(MR, jnp.array([[3, 4, 2], [7, 1, 6]]), jnp.array([11.0, 9.5]))),
    ("spike_default", lambda: volume.k_space_spike_noise(MR, jnp.array([2, 9, 5]))),
]


ERRORS = {}


def _close(name, ours, tol):
    """Largest difference relative to the largest magnitude of MONAI's output."""
    expected = REF[f"{name}/out"]
    ours = np.asarray(ours, np.float64)
    assert ours.shape == expected.shape
    err = float(np.max(np.abs(ours - expected)) / max(float(np.abs(expected).max()), 1e-30))
    ERRORS[name] = err
    print(f"{name}: {err:.2e}")
    assert err <= tol, f"{name}: error {err:.2e} > {tol:.0e}"
    return err


@pytest.mark.parametrize("name, op", DETERMINISTIC, ids=[n for n, _ in DETERMINISTIC])
def test_intensity_ops_match_monai_to_float_precision(name, op):
    _close(name, op(), RTOL)


@pytest.mark.parametrize("name, op", FOURIER, ids=[n for n, _ in FOURIER])
def test_fourier_ops_match_monai_to_fft_precision(name, op):
    _close(name, op(), FFT_TOL)


def test_gibbs_alpha_0_on_a_cube_cuts_corners_as_monai_does():
    # MONAI's radius max(shape) / sqrt(2) is the 2-D one: on a 12^3 cube it cuts the corners of
    # k-space even at alpha 0; jaxaug keeps that meaning (and says so in the docstring).
    assert float(np.abs(REF["gibbs_cube_0.0/out"] - CUBE).max()) > 1e-3


def _u(name):
    return REF[f"{name}/u"]


def _chan_last(z):
    return np.moveaxis(z, 0, -1)


def _scripted_normals(monkeypatch, fields):
    queue = [jnp.asarray(f) for f in fields]

    def fake(key, shape, dtype):
        field = queue.pop(0)
        assert field.shape == tuple(shape)
        return field.astype(dtype)

    monkeypatch.setattr(transforms, "fast_normal_noise", fake)


def test_rand_gaussian_noise_matches_monai(monkeypatch):
    name = "rand_gaussian_noise"
    _scripted_normals(monkeypatch, [_chan_last(REF[f"{name}/z0"])])
    t = volume.RandGaussianNoise(prob=1.0, mean=0.2, std=5.0)
    _close(name, t.apply_image(Noise(YES, jnp.float32(5.0 * _u(name)[0]), KEY), jnp.asarray(MR)), RTOL)


def test_rand_rician_noise_matches_monai(monkeypatch):
    z = [_chan_last(REF[f"rand_rician/z{i}"]) for i in (0, 1)]
    _scripted_normals(monkeypatch, z)
    t = volume.RandRicianNoise(prob=1.0, mean=0.5, std=3.0)
    _close("rand_rician", t.apply_image(Noise(YES, jnp.float32([3.0 * _u("rand_rician")[0]]), KEY), jnp.asarray(MR)), RTOL)


def test_rand_rician_noise_relative_matches_monai(monkeypatch):
    name = "rand_rician_relative"
    _scripted_normals(monkeypatch, [_chan_last(REF[f"{name}/z{i}"]) for i in (0, 1)])
    t = volume.RandRicianNoise(prob=1.0, std=0.2, relative=True)
    _close(name, t.apply_image(Noise(YES, jnp.float32([0.2 * _u(name)[0]]), KEY), jnp.asarray(MR)), RTOL)


def test_rand_rician_noise_relative_channel_wise_matches_monai(monkeypatch):
    name = "rand_rician_relative_channel"
    # MONAI draws channel 0's two fields, then channel 1's.
    z = [REF[f"{name}/z{i}"] for i in range(4)]
    _scripted_normals(monkeypatch, [np.stack([z[0], z[2]], -1), np.stack([z[1], z[3]], -1)])
    t = volume.RandRicianNoise(prob=1.0, mean=(0.1, -0.2), std=(0.3, 0.05), channel_wise=True, relative=True)
    std = jnp.asarray(_u(name) * np.array([0.3, 0.05]), jnp.float32)
    _close(name, t.apply_image(Noise(YES, std, KEY), jnp.asarray(MR)), RTOL)


RANDOM = [
    ("rand_shift_channel", lambda u: (volume.RandShiftIntensity((-5.0, 12.0), prob=1.0, channel_wise=True), Factor(YES, jnp.asarray(-5 + 17 * u, jnp.float32)))),
    ("rand_scale", lambda u: (volume.RandScaleIntensity(0.4, prob=1.0), Factor(YES, jnp.asarray(-0.4 + 0.8 * u, jnp.float32)))),
    ("rand_bias_3", lambda u: (volume.RandBiasField(3, (-0.2, 0.3), prob=1.0), Coefficients(YES, jnp.asarray(-0.2 + 0.5 * u, jnp.float32)))),
    ("rand_bias_2", lambda u: (volume.RandBiasField(2, (0.0, 0.5), prob=1.0), Coefficients(YES, jnp.asarray(0.5 * u, jnp.float32)))),
    ("rand_contrast", lambda u: (volume.RandAdjustContrast(1.0, (0.6, 3.0)), Factor(YES, jnp.float32(0.6 + 2.4 * u[0])))),
    (
        "rand_smooth",
        lambda u: (
            volume.RandGaussianSmooth((0.3, 0.9), (0.5, 1.4), (0.2, 0.6), prob=1.0),
            Sigma3(YES, jnp.asarray([0.3 + 0.6 * u[0], 0.5 + 0.9 * u[1], 0.2 + 0.4 * u[2]], jnp.float32)),
        ),
    ),
    ("rand_gibbs", lambda u: (volume.RandGibbsNoise(1.0, (0.2, 0.7)), Factor(YES, jnp.float32(0.2 + 0.5 * u[0])))),
]


@pytest.mark.parametrize("name, make", RANDOM, ids=[n for n, _ in RANDOM])
def test_random_transforms_match_monai_on_its_draw(name, make):
    t, params = make(_u(name))
    _close(name, t.apply(params, MR), FFT_TOL if "gibbs" in name else RTOL)


def test_rand_gaussian_sharpen_matches_monai_on_its_draw():
    u = _u("rand_sharpen")
    sigma1 = 0.5 + 0.5 * u[:3]
    sigma2 = 0.5 + (sigma1 - 0.5) * u[3:6]
    params = Sharpen(YES, jnp.asarray(sigma1, jnp.float32), jnp.asarray(sigma2, jnp.float32), jnp.float32(10 + 20 * u[6]))
    _close("rand_sharpen", volume.RandGaussianSharpen(prob=1.0).apply(params, MR), RTOL)


def test_rand_histogram_shift_matches_monai_on_its_draw():
    reference, floating = REF["rand_histogram/reference"], REF["rand_histogram/floating"]
    assert len(reference) < 9  # the draw pads to the most control points
    pad = np.ones(9 - len(reference))
    params = ControlPoints(YES, jnp.asarray(np.r_[reference, pad], jnp.float32), jnp.asarray(np.r_[floating, pad], jnp.float32))
    _close("rand_histogram", volume.RandHistogramShift((5, 9), prob=1.0).apply(params, MR), RTOL)


def test_rand_k_space_spike_noise_matches_monai_on_its_draw():
    name = "rand_spike_channel"
    params = Spikes(YES, jnp.asarray(REF[f"{name}/loc"], jnp.int32), jnp.asarray(_u(name), jnp.float32))
    out = volume.RandKSpaceSpikeNoise(prob=1.0).apply(params, MR)
    _close(name, out, FFT_TOL)
    name = "rand_spike_shared"
    params = Spikes(YES, jnp.asarray(REF[f"{name}/loc"], jnp.int32), jnp.asarray(_u(name), jnp.float32))
    out = volume.RandKSpaceSpikeNoise(prob=1.0, intensity_range=(8.0, 12.0), channel_wise=False).apply(params, MR)
    _close(name, out, FFT_TOL)


@pytest.mark.parametrize(
    "name, make",
    [
        ("rand_dropout", lambda: volume.RandCoarseDropout(2, (2, 3, 2), fill_value=-7.0, max_holes=3, max_spatial_size=(4, 5, -1), prob=1.0)),
        ("rand_dropout_keep", lambda: volume.RandCoarseDropout(2, (3, 4, 3), dropout_holes=False, fill_value=1.5, prob=1.0)),
    ],
)
def test_rand_coarse_dropout_matches_monai_on_its_draw(name, make):
    t = make()
    holes = REF[f"{name}/holes"]  # (n, 3, 2): start, stop per spatial axis
    most = t.max_holes or t.holes
    corner = np.zeros((most, 3), np.int32)
    size = np.zeros((most, 3), np.int32)
    corner[: len(holes)] = holes[:, :, 0]
    size[: len(holes)] = holes[:, :, 1] - holes[:, :, 0]
    params = Holes(YES, jnp.int32(len(holes)), jnp.asarray(size), jnp.asarray(corner), KEY)
    _close(name, t.apply(params, MR), 0.0)


def test_every_recorded_case_is_tested():
    calls = json.loads(str(REF["calls_json"]))
    tested = {n for n, _ in DETERMINISTIC + FOURIER + RANDOM} | {
        "rand_gaussian_noise",
        "rand_rician",
        "rand_rician_relative",
        "rand_rician_relative_channel",
        "rand_sharpen",
        "rand_histogram",
        "rand_spike_channel",
        "rand_spike_shared",
        "rand_dropout",
        "rand_dropout_keep",
    }
    assert set(calls) == tested
