"""jaxaug.signal: the contract on every op, and the properties that make each one right."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxaug as ja
from jaxaug import signal

FS = 500.0
T, C = 5000, 12  # 10 s of a 12-lead ECG at 500 Hz


def ecg_like(seed=0, t=T, c=C, fs=FS):
    """Beats at 72/min with a lead-dependent gain, plus a little noise."""
    rng = np.random.default_rng(seed)
    time = np.arange(t) / fs
    beat = np.exp(-(((time % (60 / 72)) - 0.3) ** 2) / (2 * 0.01**2))
    gains = rng.uniform(0.2, 3.0, c)
    x = beat[:, None] * gains[None, :] + 0.01 * rng.standard_normal((t, c))
    return jnp.asarray(x, jnp.float32)


OPS = {
    "gaussian_noise": functools.partial(signal.gaussian_noise, std=(0.01, 0.1)),
    "gaussian_noise_snr": functools.partial(signal.gaussian_noise, snr_db=(10.0, 30.0)),
    "baseline_wander": functools.partial(signal.baseline_wander, fs=FS, n_components=3),
    "powerline_interference": functools.partial(signal.powerline_interference, fs=FS, freq=60.0),
    "time_scale": signal.time_scale,
    "time_shift": functools.partial(signal.time_shift, fs=FS),
    "amplitude_scale": functools.partial(signal.amplitude_scale, per_channel=True),
    "segment_mask": functools.partial(signal.segment_mask, fs=FS, n_segments=2),
    "lead_dropout": functools.partial(signal.lead_dropout, p=0.3),
    "permute_channels": functools.partial(signal.permute_channels, channels_exchangeable=True),
    "augment_ecg": functools.partial(signal.augment_ecg, p=0.9, fs=FS),
}


@pytest.fixture(scope="module")
def ecg():
    return ecg_like()


@pytest.mark.parametrize("name", sorted(OPS))
def test_contract(name, ecg):
    op = OPS[name]
    key = jax.random.key(3)
    out = op(key, ecg)
    assert out.shape == ecg.shape and out.dtype == jnp.float32
    assert bool(jnp.all(jnp.isfinite(out)))
    np.testing.assert_array_equal(np.asarray(op(key, ecg)), np.asarray(out))
    np.testing.assert_allclose(np.asarray(jax.jit(op)(key, ecg)), np.asarray(out), atol=1e-4, rtol=1e-5)
    outs = {np.asarray(op(jax.random.key(k), ecg)).tobytes() for k in range(4)}
    assert len(outs) > 1
    batch = jnp.stack([ecg, ecg[::-1], ecg * 2])
    batched = jax.jit(ja.batch(op))(key, batch)
    keys = jax.random.split(key, 3)
    assert batched.shape == batch.shape
    for i in range(3):
        np.testing.assert_allclose(np.asarray(batched[i]), np.asarray(op(keys[i], batch[i])), atol=1e-4, rtol=1e-5)


@pytest.mark.parametrize("name", sorted(OPS))
def test_channels_first_layout_gives_the_transpose(name, ecg):
    op = OPS[name]
    key = jax.random.key(1)
    np.testing.assert_allclose(
        np.asarray(op(key, ecg.T, time_axis=-1)), np.asarray(op(key, ecg)).T, atol=1e-5, rtol=1e-5
    )


@pytest.mark.parametrize("name", sorted(OPS))
def test_flat_and_zero_signals_never_give_nan(name):
    for x in (jnp.zeros((300, 3)), jnp.full((300, 3), 7.0)):
        out = OPS[name](jax.random.key(0), x)
        assert bool(jnp.all(jnp.isfinite(out)))


@pytest.mark.parametrize("name", sorted(OPS))
def test_compiles_once_across_keys(name, ecg):
    traces = []

    @jax.jit
    def run(key, x):
        traces.append(1)
        return OPS[name](key, x)

    for k in range(3):
        run(jax.random.key(k), ecg[:1000]).block_until_ready()
    assert len(traces) == 1


def _dominant_frequency(x, fs):
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.fft.rfftfreq(len(x), 1 / fs)[np.argmax(spectrum)]


@given(st.floats(0.9, 1.1), st.sampled_from([5.0, 8.0, 12.5]))
def test_stretch_scales_a_sine_frequency_by_the_factor(factor, freq):
    t = np.arange(T) / FS
    sine = jnp.asarray(np.sin(2 * np.pi * freq * t), jnp.float32)[:, None]
    out = np.asarray(signal.stretch(sine, factor))[:, 0]
    # Measure over the part that holds signal (a slowed sine is padded at the end).
    valid = int(min(T, (T - 1) / factor))
    measured = _dominant_frequency(out[:valid], FS)
    assert abs(measured - freq * factor) <= FS / valid + 1e-9
    assert out.shape == (T,)


def test_time_scale_uses_the_drawn_factor():
    t = np.arange(T) / FS
    sine = jnp.asarray(np.sin(2 * np.pi * 10.0 * t), jnp.float32)[:, None]
    key = jax.random.key(5)
    factor = float(jax.random.uniform(key, (), minval=0.9, maxval=1.1))
    out = signal.time_scale(key, sine)
    np.testing.assert_allclose(np.asarray(out), np.asarray(signal.stretch(sine, factor)), atol=1e-6)
    measured = _dominant_frequency(np.asarray(out)[: int(T / max(factor, 1.0)) - 1, 0], FS)
    assert abs(measured - 10.0 * factor) < 0.15


@pytest.mark.parametrize("length", [37, 1200, 5000])
def test_time_scale_keeps_any_length(length):
    x = jnp.ones((length, 3))
    assert signal.time_scale(jax.random.key(0), x, factor=(0.5, 2.0)).shape == (length, 3)


def test_baseline_wander_adds_energy_only_below_its_maximum_frequency(ecg):
    max_freq = 0.5
    for k in range(5):
        added = np.asarray(signal.baseline_wander(jax.random.key(k), ecg, fs=FS, max_freq=max_freq, n_components=3) - ecg)
        spectrum = np.abs(np.fft.rfft(added * np.hanning(T)[:, None], axis=0)) ** 2
        freqs = np.fft.rfftfreq(T, 1 / FS)
        # The Hann window spreads a tone over +-2 bins (0.2 Hz here); nothing lies beyond.
        above = spectrum[freqs > max_freq + 2 * FS / T].sum()
        assert above < 1e-3 * spectrum.sum()
        assert spectrum.sum() > 0


def test_noise_is_relative_to_each_lead(ecg):
    added = np.asarray(signal.gaussian_noise(jax.random.key(0), ecg, std=0.1) - ecg)
    ratio = added.std(axis=0) / np.asarray(ecg).std(axis=0)
    np.testing.assert_allclose(ratio, 0.1, rtol=0.1)


def test_noise_by_snr_in_db(ecg):
    added = np.asarray(signal.gaussian_noise(jax.random.key(0), ecg, snr_db=20.0) - ecg)
    snr = 20 * np.log10(np.asarray(ecg).std(axis=0) / added.std(axis=0))
    np.testing.assert_allclose(snr, 20.0, atol=0.5)


def test_powerline_adds_a_tone_at_the_mains_frequency(ecg):
    added = np.asarray(signal.powerline_interference(jax.random.key(0), ecg, fs=FS, freq=50.0, amplitude=0.1) - ecg)
    assert abs(_dominant_frequency(added[:, 0], FS) - 50.0) < 0.2


def _shift_of(k):
    """The shift time_shift draws from key k, read from a wrapped ramp."""
    out = np.asarray(signal.time_shift(jax.random.key(k), jnp.arange(100.0)[:, None], fs=10.0, max_shift=3.0))[0, 0]
    s = -int(out)
    return s + 100 if s < -50 else s


def test_time_shift_wraps_and_zero_fills():
    ramp = jnp.arange(100.0)[:, None]
    # out[t] = x[t - shift]: on a ramp, out[0] is -shift modulo 100. 400 draws in one call.
    outs = np.asarray(jax.vmap(lambda k: signal.time_shift(k, ramp, fs=10.0, max_shift=3.0))(jax.random.split(jax.random.key(0), 400)))
    shifts = -outs[:, 0, 0].astype(int)
    shifts = np.where(shifts < -50, shifts + 100, shifts)
    for out, s in zip(outs[:20], shifts):
        np.testing.assert_array_equal(out[:, 0], np.roll(np.arange(100.0), s))
    # Uniform over -30..30 samples (3 s at 10 Hz): never beyond, the extremes reached, centred.
    assert np.abs(shifts).max() <= 30 and shifts.min() <= -27 and shifts.max() >= 27
    assert abs(shifts.mean()) < 4 * 17.6 / np.sqrt(400)
    for k in (2, 4):  # one shift back and one forward
        s = _shift_of(k)
        assert s != 0
        # The same draw with zeros: the samples that wrapped around are zero, the rest as wrapped.
        zeroed = np.asarray(signal.time_shift(jax.random.key(k), ramp + 1, fs=10.0, max_shift=3.0, mode="zero"))[:, 0]
        expected = np.roll(np.arange(100.0) + 1, s)
        if s > 0:
            expected[:s] = 0
        else:
            expected[100 + s :] = 0
        np.testing.assert_array_equal(zeroed, expected)
        assert (zeroed == 0).sum() == abs(s)


def test_segment_mask_length_is_bounded():
    # 1000 draws in one call: one window of 0 to 50 samples (0.5 s at 100 Hz), uniformly, placed
    # anywhere it fits in 60 samples.
    keys = jax.random.split(jax.random.key(0), 1000)
    outs = np.asarray(jax.vmap(lambda k: signal.segment_mask(k, jnp.ones((60, 2)), fs=100.0, max_duration=0.5))(keys))
    masked = outs[..., 0] == 0
    assert np.all(masked == (outs[..., 1] == 0))  # all leads at once
    assert np.all((outs == 0) | (outs == 1))
    lengths = masked.sum(axis=1)
    starts = masked.argmax(axis=1)
    # One contiguous window: its samples are exactly the run starting at its first sample.
    runs = (np.arange(60)[None] >= starts[:, None]) & (np.arange(60)[None] < (starts + lengths)[:, None])
    np.testing.assert_array_equal(masked, runs)
    assert lengths.max() == 50 and lengths.min() == 0
    # Uniform on 0..50: mean 25, standard deviation 14.7.
    assert abs(lengths.mean() - 25.0) < 4 * 14.7 / np.sqrt(1000)
    # Windows start anywhere they fit, the first and the last sample included.
    assert (starts + lengths == 60).any() and (starts[lengths > 0] == 0).any()


def test_lead_dropout_keeps_at_least_one_lead():
    for k in range(20):
        out = np.asarray(signal.lead_dropout(jax.random.key(k), jnp.ones((10, 3)), p=1.0))
        assert (out.max(axis=0) == 1).sum() == 1


def _within(observed, p, n, where):
    """An observed frequency within 4 standard errors of p over n independent draws."""
    se = np.sqrt(p * (1 - p) / n)
    assert abs(observed - p) < 4 * se, f"{where}: frequency {observed:.4f}, expected {p:.4f} +- {4 * se:.4f} (n={n})"


def test_lead_dropout_drops_each_lead_with_probability_p():
    keys = jax.random.split(jax.random.key(0), 2000)
    outs = np.asarray(jax.vmap(lambda k: signal.lead_dropout(k, jnp.ones((16, 12)), p=0.3))(keys))
    dropped = outs[:, 0, :] == 0  # (draws, leads)
    assert np.all((outs == 0) == dropped[:, None, :])  # a dropped lead is dropped for its whole length
    _within(dropped.mean(), 0.3, dropped.size, "dropped leads")
    for lead in range(12):
        _within(dropped[:, lead].mean(), 0.3, len(dropped), f"lead {lead}")
    # Leads drop independently: the count per draw is Binomial(12, 0.3), variance 2.52.
    assert abs(dropped.sum(1).var() - 12 * 0.3 * 0.7) < 0.4


def test_augment_ecg_applies_each_step_with_probability_p():
    # Turn one step's magnitude on at a time; the same keys give the same apply-or-not draws, so
    # a changed output says that step was applied, and the three masks can be compared.
    x = ecg_like(t=32, c=2, fs=50.0)
    keys = jax.random.split(jax.random.key(0), 4000)
    steps = {
        "noise": dict(noise_std=0.1, wander_amplitude=0.0, scale=(1.0, 1.0)),
        "wander": dict(noise_std=0.0, wander_amplitude=0.5, scale=(1.0, 1.0)),
        "time scale": dict(noise_std=0.0, wander_amplitude=0.0, scale=(1.2, 1.3)),
    }

    @jax.jit
    def run(keys):
        return {
            name: jax.vmap(lambda k: signal.augment_ecg(k, x, p=0.3, fs=50.0, **kw))(keys) for name, kw in steps.items()
        }

    applied = {name: np.any(np.asarray(out) != np.asarray(x), axis=(1, 2)) for name, out in run(keys).items()}
    for name, mask in applied.items():
        _within(mask.mean(), 0.3, mask.size, name)
    noise, wander, scale = applied.values()
    _within((noise & wander).mean(), 0.09, noise.size, "noise and wander")
    _within((wander & scale).mean(), 0.09, noise.size, "wander and time scale")
    _within((noise & scale).mean(), 0.09, noise.size, "noise and time scale")
    _within((noise & wander & scale).mean(), 0.027, noise.size, "all three")


def test_permuting_ecg_leads_is_refused():
    with pytest.raises(ValueError, match="12 leads of an ECG: no"):
        signal.permute_channels(jax.random.key(0), jnp.ones((10, 12)))


def test_permutation_keeps_the_channels():
    # Channel c holds 100 c + t: every output channel is one whole input channel, each used once.
    x = jnp.arange(10.0)[:, None] + 100.0 * jnp.arange(4.0)[None, :]
    keys = jax.random.split(jax.random.key(0), 400)
    outs = np.asarray(jax.vmap(lambda k: signal.permute_channels(k, x, channels_exchangeable=True))(keys))
    source = outs[:, 0, :] // 100  # (draws, channels): which input channel each output shows
    np.testing.assert_array_equal(outs, np.asarray(x)[:, source.astype(int)].transpose(1, 0, 2))
    np.testing.assert_array_equal(np.sort(source, axis=1), np.broadcast_to(np.arange(4.0), source.shape))
    # Not the identity, and every channel lands everywhere: all 24 orders come up.
    assert len({tuple(row) for row in source}) == 24


def test_augment_ecg_with_p_zero_is_the_identity(ecg):
    np.testing.assert_array_equal(np.asarray(signal.augment_ecg(jax.random.key(0), ecg, p=0.0)), np.asarray(ecg))


def test_augment_ecg_works_for_any_length_and_lead_count():
    for shape in [(1200, 12), (1000, 1), (7, 3), (2500, 2)]:
        x = jnp.asarray(np.random.default_rng(0).standard_normal(shape), jnp.float32)
        assert signal.augment_ecg(jax.random.key(0), x, p=1.0, fs=100.0).shape == shape


def test_one_dimensional_signals_are_one_channel():
    x = jnp.sin(jnp.linspace(0, 10, 400))
    assert signal.augment_ecg(jax.random.key(0), x, p=1.0, fs=100.0).shape == (400,)


BAD = [
    (lambda: signal.gaussian_noise(jax.random.key(0), jnp.ones((2, 10, 3))), ValueError, "ja.batch"),
    (lambda: signal.gaussian_noise(jax.random.key(0), jnp.ones((10, 3)), std=-1.0), ValueError, "std must lie in"),
    (lambda: signal.baseline_wander(jax.random.key(0), jnp.ones((10, 3)), fs=0.0), ValueError, "fs"),
    (lambda: signal.baseline_wander(jax.random.key(0), jnp.ones((10, 3)), fs=1.0, max_freq=0.6), ValueError, "max_freq"),
    (lambda: signal.powerline_interference(jax.random.key(0), jnp.ones((10, 3)), fs=100.0, freq=60.0), ValueError, "freq"),
    (lambda: signal.time_scale(jax.random.key(0), jnp.ones((10, 3)), factor=(1.2, 0.8)), ValueError, "factor"),
    (lambda: signal.time_scale(jax.random.key(0), jnp.ones((10, 3)), factor=(0.0, 1.0)), ValueError, "factor must be > 0"),
    (lambda: signal.time_shift(jax.random.key(0), jnp.ones((10, 3)), fs=10.0, mode="reflect"), ValueError, "mode"),
    (lambda: signal.lead_dropout(jax.random.key(0), jnp.ones((10, 3)), p=1.5), ValueError, "p must be a probability"),
    (lambda: signal.augment_ecg(jax.random.key(0), jnp.ones((10, 3)), p=-0.5), ValueError, "p must be a probability"),
    (lambda: signal.augment_ecg(0, jnp.ones((10, 3))), TypeError, "key must be a PRNG key"),
    (lambda: signal.stretch(jnp.ones((1, 3)), 1.0, time_axis=0), ValueError, "at least 2 time samples"),
    (lambda: signal.stretch(jnp.ones((10, 3)), 1.0, time_axis=2), ValueError, "time_axis"),
]


@pytest.mark.parametrize("call, exc, match", BAD)
def test_bad_arguments_are_refused(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_real_12_lead_ecg_from_pydicom():
    pydicom = pytest.importorskip("pydicom")
    from pydicom.data import get_testdata_file

    ds = pydicom.dcmread(get_testdata_file("waveform_ecg.dcm"))
    ecg = jnp.asarray(ds.waveform_array(0), jnp.float32)  # (10000, 12) at 1000 Hz
    out = jax.jit(ja.batch(functools.partial(signal.augment_ecg, p=1.0, fs=1000.0)))(jax.random.key(0), ecg[None])
    assert out.shape == (1, 10000, 12) and bool(jnp.all(jnp.isfinite(out)))
