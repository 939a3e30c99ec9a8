"""Hypothesis drives every public signal, tabular, mixing and TTA op with random shapes, dtypes
(float32, float16, bfloat16) and parameters, in and out of jit and vmap (checks in
robustness.py), and checks that invalid values raise an error naming the argument."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxaug as ja
from jaxaug import mix, signal, tabular, tta
from robustness import FLOATS, check_op, draws, make_input, rotated

unit = st.floats(0.0, 1.0)


def interval(low, high):
    return st.tuples(st.floats(low, high), st.floats(low, high)).map(sorted).map(tuple)


# ---- signals: (T, C), or (C, T) with time_axis=-1 ------------------------------------------

# (name, run(key, x, fs, time_axis, **params), params(draw))
SIGNAL = [
    ("gaussian_noise-std", lambda k, x, fs, ax, std: signal.gaussian_noise(k, x, std=std, time_axis=ax), lambda d: {"std": d(interval(0, 0.5))}),
    ("gaussian_noise-snr", lambda k, x, fs, ax, snr: signal.gaussian_noise(k, x, snr_db=snr, time_axis=ax), lambda d: {"snr": d(interval(-10, 40))}),
    (
        "baseline_wander",
        lambda k, x, fs, ax, amplitude, n: signal.baseline_wander(k, x, fs=fs, amplitude=amplitude, n_components=n, time_axis=ax),
        lambda d: {"amplitude": d(interval(0, 1)), "n": d(st.integers(1, 3))},
    ),
    (
        "powerline_interference",
        lambda k, x, fs, ax, freq, amplitude: signal.powerline_interference(k, x, fs=fs, freq=freq, amplitude=amplitude, time_axis=ax),
        lambda d: {"freq": d(st.sampled_from([50.0, 60.0])), "amplitude": d(interval(0, 0.5))},
    ),
    ("stretch", lambda k, x, fs, ax, f, pad: signal.stretch(x, f, pad=pad, time_axis=ax), lambda d: {"f": d(st.floats(0.25, 4.0)), "pad": d(st.sampled_from(["edge", "zero"]))}),
    ("time_scale", lambda k, x, fs, ax, f: signal.time_scale(k, x, factor=f, time_axis=ax), lambda d: {"f": d(interval(0.5, 2.0))}),
    (
        "time_shift",
        lambda k, x, fs, ax, shift, mode: signal.time_shift(k, x, fs=fs, max_shift=shift, mode=mode, time_axis=ax),
        lambda d: {"shift": d(st.floats(0, 2.0)), "mode": d(st.sampled_from(["wrap", "zero"]))},
    ),
    (
        "amplitude_scale",
        lambda k, x, fs, ax, scale, per: signal.amplitude_scale(k, x, scale=scale, per_channel=per, time_axis=ax),
        lambda d: {"scale": d(interval(0, 3)), "per": d(st.booleans())},
    ),
    (
        "segment_mask",
        lambda k, x, fs, ax, duration, n: signal.segment_mask(k, x, fs=fs, max_duration=duration, n_segments=n, time_axis=ax),
        lambda d: {"duration": d(st.floats(0, 2.0)), "n": d(st.integers(1, 3))},
    ),
    (
        "lead_dropout",
        lambda k, x, fs, ax, p, keep: signal.lead_dropout(k, x, p=p, keep_one=keep, time_axis=ax),
        lambda d: {"p": d(unit), "keep": d(st.booleans())},
    ),
    ("permute_channels", lambda k, x, fs, ax: signal.permute_channels(k, x, channels_exchangeable=True, time_axis=ax), lambda d: {}),
    ("augment_ecg", lambda k, x, fs, ax, p: signal.augment_ecg(k, x, p=p, fs=fs, time_axis=ax), lambda d: {"p": d(unit)}),
]


@pytest.mark.parametrize("name, run, make_params", SIGNAL, ids=[s[0] for s in SIGNAL])
@draws(2)
@given(data=st.data())
def test_signal_op_holds_on_random_input(name, run, make_params, data):
    length = data.draw(st.sampled_from(rotated((2, 3, 50, 250), name)))
    channels = data.draw(st.sampled_from(rotated((1, 3, 12), name)))
    dtype = data.draw(st.sampled_from(rotated(FLOATS, name)))
    flat = data.draw(st.booleans())
    time_axis = data.draw(st.sampled_from([0, -1]))
    shape = (length, channels) if time_axis == 0 else (channels, length)
    x = make_input(shape, dtype, data.draw(st.integers(0, 2**16)), low=-2.0, high=2.0)
    if flat:
        x = np.zeros_like(x)  # a flat line must not give NaN (relative noise, SNR)
    fs = data.draw(st.sampled_from([250.0, 500.0]))
    params = {"fs": fs, "ax": time_axis, **make_params(data.draw)}
    check_op(run, x, params, out_shape=shape, out_dtype=jnp.dtype(dtype))


@pytest.mark.parametrize("name, run, make_params", SIGNAL, ids=[s[0] for s in SIGNAL])
@draws(1)
@given(data=st.data())
def test_signal_op_refuses_a_single_sample(name, run, make_params, data):
    with pytest.raises(ValueError, match="at least 2 time samples"):
        run(jax.random.key(0), np.zeros((1, 3), np.float32), 500.0, 0, **make_params(data.draw))


# ---- tabular: one row (F,) ------------------------------------------------------------------


@st.composite
def row_and_settings(draw, name):
    n = draw(st.sampled_from([1, 4, 30]))
    dtype = draw(st.sampled_from(rotated(FLOATS, name)))
    x = make_input((n,), dtype, draw(st.integers(0, 2**16)), low=0.0, high=5.0)
    frozen = sorted(draw(st.sets(st.integers(0, n - 1), max_size=n)))
    scale = np.asarray(draw(st.lists(st.floats(0.0, 3.0), min_size=n, max_size=n)), np.float32)  # zero spread allowed
    lower = np.zeros(n, np.float32)
    upper = np.full(n, 5.0, np.float32)
    return x, {"frozen": frozen, "scale": scale, "lower": lower, "upper": upper}


TABULAR = [
    (
        "feature_noise",
        lambda k, x, frozen, scale, lower, upper, std, bounds: tabular.feature_noise(k, x, noise_std=std, scale=scale, frozen=frozen, lower=lower, upper=upper, bounds=bounds),
        lambda d: {"std": d(st.floats(0, 2)), "bounds": d(st.sampled_from(["clip", "redraw"]))},
    ),
    (
        "feature_dropout",
        lambda k, x, frozen, scale, lower, upper, p, fill: tabular.feature_dropout(k, x, dropout_prob=p, fill=fill, frozen=frozen, return_mask=True),
        lambda d: {"p": d(unit), "fill": d(st.sampled_from(["zero", 2.5]))},
    ),
    (
        "augment",
        lambda k, x, frozen, scale, lower, upper, std, p: tabular.augment(k, x, std, p, scale=scale, frozen=frozen, lower=lower, upper=upper, return_mask=True),
        lambda d: {"std": d(st.floats(0, 2)), "p": d(unit)},
    ),
]


@pytest.mark.parametrize("name, run, make_params", TABULAR, ids=[t[0] for t in TABULAR])
@draws(3)
@given(data=st.data())
def test_tabular_op_holds_on_random_input(name, run, make_params, data):
    x, settings_ = data.draw(row_and_settings(name))
    params = {**settings_, **make_params(data.draw)}
    out = check_op(run, x, params, out_shape=x.shape, out_dtype=x.dtype)
    values = np.asarray(out[0] if isinstance(out, tuple) else out, np.float32)
    frozen = settings_["frozen"]
    np.testing.assert_array_equal(values[frozen], np.asarray(x, np.float32)[frozen])
    if name != "feature_dropout":
        assert (values >= 0).all() and (values <= 5).all(), "bounds not kept"


@given(st.sampled_from([1, 2, 7]), st.sampled_from([1, 5]), st.sampled_from(FLOATS), st.booleans())
def test_fit_scale_is_finite_and_zero_only_without_spread(rows, features, dtype, constant):
    X = make_input((rows, features), dtype, rows * features)
    if constant:
        X = np.ones_like(X)
    before = X.copy()
    scale = tabular.fit_scale(X)
    assert scale.shape == (features,)
    values = np.asarray(scale, np.float32)
    assert np.isfinite(values).all() and (values >= 0).all()
    spread = np.asarray(X, np.float32).std(0) > 0
    assert (values[spread] > 0).all() and (values[~spread] == 0).all()
    np.testing.assert_array_equal(X, before)


# ---- mixing: a batch (N, ...) -----------------------------------------------------------------

MIX = [
    ("mixup", lambda k, x, y, mode, alpha: mix.mixup(k, x, y, alpha, num_classes=4, mode=mode), lambda d: {"alpha": d(st.floats(0, 3))}),
    ("cutmix", lambda k, x, y, mode, alpha: mix.cutmix(k, x, y, alpha, num_classes=4, mode=mode), lambda d: {"alpha": d(st.floats(0, 3))}),
    (
        "cutmix-minmax",
        lambda k, x, y, mode, box: mix.cutmix(k, x, y, num_classes=4, mode=mode, minmax=box),
        lambda d: {"box": d(interval(0.05, 1.0))},
    ),
    ("mixup_pairs", lambda k, x, y, mode, alpha: mix.mixup_pairs(k, x, alpha, mode=mode), lambda d: {"alpha": d(st.floats(0, 3))}),
    ("cutmix_pairs", lambda k, x, y, mode, alpha: mix.cutmix_pairs(k, x, alpha, mode=mode), lambda d: {"alpha": d(st.floats(0, 3))}),
    (
        "Mixup",
        lambda k, x, y, mode, prob, switch, smoothing: mix.Mixup(0.4, 1.0, prob=prob, switch_prob=switch, mode=mode, label_smoothing=smoothing, num_classes=4)(k, x, y),
        lambda d: {"prob": d(unit), "switch": d(unit), "smoothing": d(st.floats(0, 0.5))},
    ),
]


@pytest.mark.parametrize("name, run, make_params", MIX, ids=[m[0] for m in MIX])
@draws(1)
@given(data=st.data())
def test_mix_op_holds_on_random_input(name, run, make_params, data):
    n = data.draw(st.sampled_from([1, 2, 5]))
    shape = data.draw(st.sampled_from(rotated(((n, 4, 6, 3), (n, 1, 1, 1), (n, 30, 12)), name)))  # images or (N, T, C) signals
    dtype = data.draw(st.sampled_from(rotated(FLOATS, name)))
    x = make_input(shape, dtype, data.draw(st.integers(0, 2**16)))
    y = np.arange(n, dtype=np.int32) % 4
    params = {"y": y, "mode": data.draw(st.sampled_from(["batch", "elem"])), **make_params(data.draw)}
    out = check_op(run, x, params, out_shape=shape, out_dtype=jnp.dtype(dtype))
    if name in ("mixup", "cutmix", "cutmix-minmax", "Mixup"):
        labels = np.asarray(out[1], np.float32)
        assert labels.shape == (n, 4) and np.isfinite(labels).all()
        np.testing.assert_allclose(labels.sum(-1), 1.0, atol=1e-5)


@given(st.sampled_from([1, 3]), st.sampled_from(FLOATS), st.floats(0, 1))
def test_mix_loss_and_soft_labels_are_finite(n, dtype, lam):
    y = np.arange(n, dtype=np.int32) % 3
    soft = mix.soft_labels(y, 3, label_smoothing=0.1)
    assert soft.shape == (n, 3)
    np.testing.assert_allclose(np.asarray(soft).sum(-1), 1.0, atol=1e-6)
    pred = jnp.asarray(make_input((n, 3), dtype, n, low=-3, high=3))
    loss = mix.mix_loss(lambda p, t: -(t * jax.nn.log_softmax(p.astype(jnp.float32))).sum(-1), pred, soft, soft[::-1], jnp.float32(lam))
    assert np.isfinite(np.asarray(loss, np.float32)).all()


# ---- test-time augmentation: a batch (N, H, W, C) --------------------------------------------


def _dense_model(x):
    return x * 2.0


def _classifier(x):
    return jnp.stack([x.mean((1, 2, 3)), x[:, :, : x.shape[2] // 2 + 1].mean((1, 2, 3))], -1)


@draws(2)
@given(data=st.data())
def test_tta_predict_holds_on_random_input(data):
    merge = data.draw(st.sampled_from(tta.MERGES))
    n = data.draw(st.sampled_from([1, 3]))
    side = data.draw(st.sampled_from([1, 4, 5]))
    dtype = data.draw(st.sampled_from(FLOATS))
    x = make_input((n, side, side, 3), dtype, data.draw(st.integers(0, 2**16)))
    views = data.draw(st.lists(st.sampled_from([tta.hflip(), tta.vflip(), tta.rot90(1), tta.shift(1, -1), tta.zoom(1.2)]), max_size=3))
    dense = data.draw(st.booleans())
    random_views = data.draw(st.integers(0, 2))

    def run(k, v):
        return tta.predict(
            _dense_model if dense else _classifier,
            v,
            views,
            merge,
            key=k,
            pipeline=ja.RandomRotation(10, interpolation="bilinear") if random_views else None,
            n=random_views,
            invert=dense,
            activation="sigmoid" if merge in ("gmean", "sharpen") else None,
            return_std=True,
        )

    out_shape = x.shape if dense else (n, 2)
    mean, std = check_op(run, x, {}, out_shape=out_shape, out_dtype=jnp.dtype(jnp.float32))  # merged in float32
    assert std.shape == out_shape and np.isfinite(np.asarray(std, np.float32)).all()


# ---- invalid values raise an error that names the argument ------------------------------------

INVALID = [
    ("std", st.floats(-5, -1e-3), lambda v: signal.gaussian_noise(jax.random.key(0), np.zeros((8, 2), np.float32), std=v)),
    ("fs", st.floats(-500, 0), lambda v: signal.baseline_wander(jax.random.key(0), np.zeros((8, 2), np.float32), fs=v)),
    ("factor", st.floats(-2, 0), lambda v: signal.stretch(np.zeros((8, 2), np.float32), v)),
    ("p", st.one_of(st.floats(-2, -1e-3), st.floats(1.001, 3)), lambda v: signal.lead_dropout(jax.random.key(0), np.zeros((8, 2), np.float32), p=v)),
    ("noise_std", st.floats(-2, -1e-3), lambda v: tabular.feature_noise(jax.random.key(0), np.zeros(3, np.float32), noise_std=v)),
    ("dropout_prob", st.one_of(st.floats(-2, -1e-3), st.floats(1.001, 3)), lambda v: tabular.feature_dropout(jax.random.key(0), np.zeros(3, np.float32), dropout_prob=v)),
    ("alpha", st.floats(-3, -1e-3), lambda v: mix.mixup(jax.random.key(0), np.zeros((2, 4, 4, 1), np.float32), np.arange(2), v, num_classes=2)),
    ("alpha", st.floats(-3, -1e-3), lambda v: mix.cutmix(jax.random.key(0), np.zeros((2, 4, 4, 1), np.float32), np.arange(2), v, num_classes=2)),
    ("batch size 4", st.sampled_from([1, 3, 5, 8]), lambda v: mix.cutmix(jax.random.key(0), np.zeros((4, 4, 4, 1), np.float32), np.zeros(v, np.int32), num_classes=2)),
    ("p", st.one_of(st.floats(-2, -1e-3), st.floats(1.001, 3)), lambda v: ja.RandomHorizontalFlip(v)),
    ("p", st.one_of(st.floats(-2, -1e-3), st.floats(1.001, 3)), lambda v: ja.RandomErasing(v)),
    ("degrees", st.floats(-180, -1e-3), lambda v: ja.RandomRotation(v)),
    ("brightness", st.floats(-3, -1e-3), lambda v: ja.ColorJitter(brightness=v)),
    ("hue", st.floats(0.501, 3), lambda v: ja.ColorJitter(hue=v)),
    ("scale", st.floats(0.5, 1.0), lambda v: ja.RandomResizedCrop(8, scale=(v, v / 2))),
    ("size", st.integers(-5, 0), lambda v: ja.Resize(v)),
    ("std", st.floats(-2, 0), lambda v: ja.Normalize([0.5], [v])),
]


@pytest.mark.parametrize("argument, values, call", INVALID, ids=[f"{i}-{a[0]}" for i, a in enumerate(INVALID)])
@draws(5)
@given(data=st.data())
def test_invalid_values_raise_an_error_naming_the_argument(argument, values, call, data):
    value = data.draw(values)
    with pytest.raises(ValueError, match=argument):
        call(value)


RANKED = [
    ("rotate", {3}, lambda x: ja.image.rotate(x, 10.0)),
    ("xray", {3}, lambda x: ja.presets.xray_train(size=4, resize=6)(jax.random.key(0), x)),
    ("augment_ecg", {1, 2}, lambda x: signal.augment_ecg(jax.random.key(0), x, time_axis=0)),
    ("tabular", {1}, lambda x: tabular.augment(jax.random.key(0), x)),
    ("mixup", {3, 4}, lambda x: mix.mixup(jax.random.key(0), x, np.zeros(x.shape[:1], np.int32), num_classes=2)),
]


@pytest.mark.parametrize("name, valid_ranks, call", RANKED, ids=[r[0] for r in RANKED])
@given(rank=st.integers(0, 5))
def test_wrong_rank_raises_an_error_that_says_what_it_got(name, valid_ranks, call, rank):
    x = np.zeros((5, 6, 1, 1, 1)[:rank], np.float32)
    if rank in valid_ranks:
        call(x)
        return
    with pytest.raises((ValueError, TypeError), match="got"):
        call(x)
