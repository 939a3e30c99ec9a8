"""jaxaug.mix: mixed pixels match mixed labels, CutMix's lambda is the kept area, modes draw
as documented."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jaxaug import mix

N, H, W, K = 8, 12, 10, 4


def constant_images(values, h=H, w=W):
    """Image i is constant at values[i]: a mixed pixel reveals its weights."""
    values = jnp.asarray(values, jnp.float32)
    return jnp.broadcast_to(values.reshape(-1, 1, 1, 1), (values.shape[0], h, w, 1))


VALUES = jnp.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]) / 7.0
# Label k of image i is its value's class i mod K, as one-hot; checking pixels against labels
# needs labels that encode the value, so targets are (N, N) one-hot of the example index.
IDS = jnp.arange(N)


@given(st.integers(0, 2**16), st.sampled_from(["batch", "elem"]), st.floats(0.1, 2.0))
def test_mixup_pixels_equal_the_mixed_label_weights(seed, mode, alpha):
    x, y = mix.mixup(jax.random.key(seed), constant_images(VALUES), IDS, alpha, num_classes=N, mode=mode)
    np.testing.assert_allclose(np.asarray(x[:, 0, 0, 0]), np.asarray(y @ VALUES), atol=1e-5)
    np.testing.assert_allclose(np.asarray(y.sum(axis=1)), 1.0, atol=1e-6)


@given(st.integers(0, 2**16), st.sampled_from(["batch", "elem"]), st.sampled_from([None, (0.2, 0.8)]))
def test_cutmix_label_weight_equals_the_kept_area(seed, mode, minmax):
    x, y = mix.cutmix(jax.random.key(seed), constant_images(VALUES), IDS, 1.0, num_classes=N, mode=mode, minmax=minmax)
    # Every pixel comes from one of two images; the label weight of each is its area share.
    for i in range(N):
        pixels = np.asarray(x[i, ..., 0]).ravel()
        shares = np.asarray(y[i])
        for j in np.flatnonzero(shares):
            area = np.mean(np.isclose(pixels, float(VALUES[j])))
            assert abs(area - shares[j]) < 1e-6
        np.testing.assert_allclose(shares.sum(), 1.0, atol=1e-6)


def test_cutmix_box_is_clipped_and_lambda_corrected():
    # With alpha small, boxes are often large and hit the border; lambda must still be exact.
    lams = []
    for seed in range(30):
        x, perm, lam = mix.cutmix_pairs(jax.random.key(seed), constant_images(VALUES), 0.3, mode="elem")
        own = np.isclose(np.asarray(x[..., 0]), np.asarray(VALUES).reshape(-1, 1, 1)).mean(axis=(1, 2))
        same_partner = np.asarray(perm) == np.arange(N)
        np.testing.assert_allclose(np.where(same_partner, 1.0, own), np.where(same_partner, 1.0, np.asarray(lam)), atol=1e-6)
        lams.append(np.asarray(lam))
    assert np.ptp(np.concatenate(lams)) > 0.5


def test_batch_mode_uses_one_lambda_and_elem_mode_one_per_example():
    _, _, lam_batch = mix.mixup_pairs(jax.random.key(0), constant_images(VALUES), 1.0, mode="batch")
    _, _, lam_elem = mix.mixup_pairs(jax.random.key(0), constant_images(VALUES), 1.0, mode="elem")
    assert np.ptp(np.asarray(lam_batch)) == 0
    assert len(np.unique(np.asarray(lam_elem))) == N
    _, _, box_batch = mix.cutmix_pairs(jax.random.key(1), constant_images(VALUES), 1.0, mode="batch")
    assert np.ptp(np.asarray(box_batch)) == 0


def test_alpha_zero_means_no_mixing():
    x = constant_images(VALUES)
    xm, ym = mix.mixup(jax.random.key(0), x, IDS, 0.0, num_classes=N)
    np.testing.assert_array_equal(np.asarray(xm), np.asarray(x))
    np.testing.assert_array_equal(np.asarray(ym), np.eye(N))
    xc, yc = mix.cutmix(jax.random.key(0), x, IDS, 0.0, num_classes=N)
    np.testing.assert_array_equal(np.asarray(xc), np.asarray(x))


def test_lambda_follows_beta():
    _, _, lam = mix.mixup_pairs(jax.random.key(0), jnp.zeros((4000, 1, 1, 1)), 0.4, mode="elem")
    lam = np.asarray(lam)
    # Beta(0.4, 0.4): mean 0.5, variance 1 / (4 * (2 * 0.4 + 1)) = 0.1389.
    assert abs(lam.mean() - 0.5) < 0.02 and abs(lam.var() - 0.1389) < 0.01


def test_multilabel_targets_mix_exactly():
    y = jnp.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 0.0]])
    x = constant_images(jnp.arange(4.0))
    xm, ym = mix.mixup(jax.random.key(3), x, y, 1.0, mode="elem")
    xm_, perm, lam = mix.mixup_pairs(jax.random.key(3), x, 1.0, mode="elem")
    w = np.asarray(lam)[:, None]
    np.testing.assert_allclose(np.asarray(ym), w * np.asarray(y) + (1 - w) * np.asarray(y)[np.asarray(perm)], atol=1e-6)


def test_label_smoothing_matches_optax():
    y = mix.soft_labels(jnp.array([0, 3, 1]), num_classes=K, label_smoothing=0.1)
    np.testing.assert_allclose(np.asarray(y), np.asarray(optax.smooth_labels(jax.nn.one_hot(jnp.array([0, 3, 1]), K), 0.1)), atol=1e-7)


def test_cutmix_on_signals_pastes_a_time_window():
    x = jnp.broadcast_to(VALUES.reshape(-1, 1, 1), (N, 100, 3))
    xm, ym = mix.cutmix(jax.random.key(0), x, IDS, 1.0, num_classes=N, mode="elem")
    for i in range(N):
        from_partner = ~np.isclose(np.asarray(xm[i, :, 0]), float(VALUES[i]))
        if from_partner.any():
            idx = np.flatnonzero(from_partner)
            assert np.all(np.diff(idx) == 1)  # one contiguous window
        np.testing.assert_allclose(1 - from_partner.mean(), float(ym[i, i]), atol=1e-6)
        assert np.all(np.isclose(np.asarray(xm[i]), np.asarray(xm[i, :, :1])))  # all channels alike


def test_mix_loss_equals_mixed_targets_for_cross_entropy():
    key = jax.random.key(0)
    x = constant_images(VALUES)
    logits = jax.random.normal(jax.random.key(1), (N, N))
    _, perm, lam = mix.mixup_pairs(key, x, 1.0, mode="elem")
    pair_loss = mix.mix_loss(optax.softmax_cross_entropy_with_integer_labels, logits, IDS, IDS[perm], lam)
    _, y_mixed = mix.mixup(key, x, IDS, 1.0, num_classes=N, mode="elem")
    soft_loss = optax.softmax_cross_entropy(logits, y_mixed).mean()
    np.testing.assert_allclose(float(pair_loss), float(soft_loss), rtol=1e-5)


def test_timm_style_mixup_switches_between_methods():
    mixer = mix.Mixup(mixup_alpha=1.0, cutmix_alpha=1.0, switch_prob=0.5, label_smoothing=0.0, num_classes=N, mode="elem")
    x, y = mixer(jax.random.key(0), constant_images(VALUES, 6, 6), IDS)
    # Mixup pixels are blends (not equal to any source value); CutMix pixels are copies; either
    # way, of the example and the partner its label names, in the label's proportions.
    blended, pasted = _check_sources(x[None], y[None], VALUES)
    assert blended.any() and pasted.any()


OPS = {
    "mixup": functools.partial(mix.mixup, num_classes=N, mode="elem"),
    "cutmix": functools.partial(mix.cutmix, num_classes=N, mode="elem"),
    "Mixup": mix.Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, num_classes=N),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_contract(name):
    op = OPS[name]
    x = jnp.asarray(np.random.default_rng(0).integers(0, 256, (N, H, W, 3), dtype=np.uint8))
    key = jax.random.key(4)
    xm, ym = op(key, x, IDS)
    assert xm.shape == x.shape and xm.dtype == jnp.float32 and ym.shape == (N, N)
    np.testing.assert_array_equal(np.asarray(op(key, x, IDS)[0]), np.asarray(xm))
    np.testing.assert_allclose(np.asarray(jax.jit(op)(key, x, IDS)[0]), np.asarray(xm), atol=1e-6)
    assert not np.array_equal(np.asarray(op(jax.random.key(5), x, IDS)[0]), np.asarray(xm))
    traces = []

    @jax.jit
    def run(k, a, b):
        traces.append(1)
        return op(k, a, b)

    for k in range(3):
        run(jax.random.key(k), x, IDS)
    assert len(traces) == 1


BAD = [
    (lambda: mix.mixup(jax.random.key(0), jnp.ones((4, 8, 8, 3)), jnp.arange(4), -1.0, num_classes=4), "alpha must be a finite number >= 0"),
    (lambda: mix.mixup(jax.random.key(0), jnp.ones((4, 8, 8, 3)), jnp.arange(3), num_classes=4), "batch size 4"),
    (lambda: mix.mixup(jax.random.key(0), jnp.ones((4, 8, 8, 3)), jnp.arange(4)), "need num_classes"),
    (lambda: mix.mixup(jax.random.key(0), jnp.ones((8, 8)), jnp.arange(8), num_classes=8), "images \\(N, H, W, C\\) or signals"),
    (lambda: mix.cutmix(jax.random.key(0), jnp.ones((4, 8, 8, 3)), jnp.arange(4), num_classes=4, mode="pair"), "mode must be one of"),
    (lambda: mix.cutmix(jax.random.key(0), jnp.ones((4, 8, 8, 3)), jnp.arange(4), num_classes=4, p=2.0), "p must be a probability"),
    (lambda: mix.cutmix(jax.random.key(0), jnp.ones((4, 8, 8, 3)), jnp.arange(4), num_classes=4, minmax=(0.8, 0.2)), "minmax"),
    (lambda: mix.Mixup(label_smoothing=1.0), "label_smoothing"),
    (lambda: mix.soft_labels(jnp.ones((2, 3, 4))), "must be \\(N,\\) integer ids"),
]


@pytest.mark.parametrize("call, match", BAD)
def test_bad_arguments_are_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("alpha", [1e-40, 5e-84])
def test_alpha_too_small_for_float32_draws_its_limit_not_nan(alpha):
    """Beta(a, a) tends to a fair coin between 0 and 1 as a -> 0; it must never give NaN."""
    x = jnp.stack([jnp.zeros((2, 2, 1)), jnp.ones((2, 2, 1))])
    for mode in ("batch", "elem"):
        out, y = mix.mixup(jax.random.key(0), x, jnp.array([0, 1]), alpha, num_classes=2, mode=mode)
        assert np.isfinite(np.asarray(out)).all() and np.isfinite(np.asarray(y)).all()
        np.testing.assert_allclose(np.asarray(y).sum(-1), 1.0, atol=1e-6)


# --- Pixels agree with labels, for every mixing entry point ---------------------------------
#
# Example i is constant at a distinct value V_MIX[i] and its label is class i (one-hot). A mixed
# label row is then the weight of every source example, so the mixed example's mean must be
# y_mixed[i] @ V_MIX, and every value in it must be either that blend (Mixup) or a copy of a
# source the label names (CutMix): the pixels may only come from the example and its partner.
# Every configuration runs once, over R_MIX keys in one vmapped call; the same draws give the
# frequencies that the probability tests check. The calls run eagerly: they share the compiled
# Beta sampler and the other ops, where a jitted program per configuration would compile its
# own (a few seconds each on a CPU).

N_MIX, R_MIX = 8, 1024
V_MIX = jnp.asarray(np.random.default_rng(17).permutation(np.linspace(0.05, 0.95, N_MIX)), jnp.float32)
IMAGES = jnp.broadcast_to(V_MIX.reshape(-1, 1, 1, 1), (N_MIX, 6, 5, 2))  # H != W catches swapped axes
T_MIX = 24
SIGNALS = jnp.broadcast_to(V_MIX.reshape(-1, 1, 1), (N_MIX, T_MIX, 2))  # (N, T, C), T > C
IDS_MIX = jnp.arange(N_MIX)
EPS = 0.1  # label smoothing where a configuration uses it
PROB, SWITCH = 0.3, 0.8  # asymmetric, and apart, so that swapping them or using 1 - p shows


def _labelled(op, x, **kw):
    return lambda k: op(k, x, IDS_MIX, num_classes=N_MIX, **kw)


def _mixer(x, **kw):
    mixer = mix.Mixup(num_classes=N_MIX, **kw)
    return lambda k: mixer(k, x, IDS_MIX)


def _pairs(op, x, *args, **kw):
    return lambda k: op(k, x, *args, **kw)


BOTH = dict(mixup_alpha=1.0, cutmix_alpha=1.0, prob=PROB, switch_prob=SWITCH, label_smoothing=EPS)
# name: (function of a key, method ("mixup", "cutmix" or "both"), label smoothing, groups);
# the *_pairs functions return (x, perm, lam) and the others (x, y_mixed).
AGREEMENT = {
    "mixup-batch-p0.6": (_labelled(mix.mixup, IMAGES, alpha=1.0, mode="batch", p=0.6), "mixup", 0.0, 1),
    "mixup-elem-smoothed": (_labelled(mix.mixup, IMAGES, alpha=1.0, mode="elem", label_smoothing=EPS), "mixup", EPS, 1),
    "cutmix-batch": (_labelled(mix.cutmix, IMAGES, alpha=1.0, mode="batch"), "cutmix", 0.0, 1),
    "cutmix-elem-p0.6-smoothed": (_labelled(mix.cutmix, IMAGES, alpha=1.0, mode="elem", p=0.6, label_smoothing=EPS), "cutmix", EPS, 1),
    "cutmix-elem-minmax": (_labelled(mix.cutmix, IMAGES, alpha=1.0, mode="elem", minmax=(0.3, 0.8)), "cutmix", 0.0, 1),
    "mixup_pairs-elem-p0.3": (_pairs(mix.mixup_pairs, IMAGES, 1.0, mode="elem", p=PROB), "mixup", 0.0, 1),
    "mixup_pairs-batch": (_pairs(mix.mixup_pairs, IMAGES, 1.0, mode="batch"), "mixup", 0.0, 1),
    "cutmix_pairs-elem-p0.3": (_pairs(mix.cutmix_pairs, SIGNALS, 1.0, mode="elem", p=PROB), "cutmix", 0.0, 1),
    "Mixup-mixup-only-elem-prob0.6": (
        _mixer(IMAGES, mixup_alpha=1.0, cutmix_alpha=0.0, mode="elem", prob=0.6, label_smoothing=EPS), "mixup", EPS, 1),
    "Mixup-cutmix-only-batch": (
        _mixer(IMAGES, mixup_alpha=0.0, cutmix_alpha=1.0, mode="batch", label_smoothing=EPS), "cutmix", EPS, 1),
    "Mixup-cutmix-minmax-only-elem": (
        _mixer(IMAGES, mixup_alpha=0.0, cutmix_alpha=0.0, cutmix_minmax=(0.3, 0.8), mode="elem", label_smoothing=0.0),
        "cutmix", 0.0, 1),
    "Mixup-both-batch": (_mixer(IMAGES, mode="batch", **BOTH), "both", EPS, 1),
    "Mixup-both-elem": (_mixer(IMAGES, mode="elem", **BOTH), "both", EPS, 1),
    "mixup-elem-groups4": (_labelled(mix.mixup, IMAGES, alpha=1.0, mode="elem", groups=4), "mixup", 0.0, 4),
    "cutmix-elem-groups2": (_labelled(mix.cutmix, IMAGES, alpha=1.0, mode="elem", groups=2), "cutmix", 0.0, 2),
    "mixup_pairs-elem-groups4": (_pairs(mix.mixup_pairs, IMAGES, 1.0, mode="elem", groups=4), "mixup", 0.0, 4),
    "cutmix_pairs-elem-groups2": (_pairs(mix.cutmix_pairs, IMAGES, 1.0, mode="elem", minmax=(0.3, 0.7), groups=2), "cutmix", 0.0, 2),
    "Mixup-both-elem-groups4": (_mixer(IMAGES, mode="elem", groups=4, **BOTH), "both", EPS, 4),
    "signals-mixup-elem": (_labelled(mix.mixup, SIGNALS, alpha=1.0, mode="elem"), "mixup", 0.0, 1),
    "signals-cutmix-elem": (_labelled(mix.cutmix, SIGNALS, alpha=1.0, mode="elem"), "cutmix", 0.0, 1),
    "signals-cutmix_pairs-batch": (_pairs(mix.cutmix_pairs, SIGNALS, 1.0, mode="batch"), "cutmix", 0.0, 1),
    "signals-Mixup-both-batch": (_mixer(SIGNALS, mode="batch", **BOTH), "both", EPS, 1),
    "signals-Mixup-both-elem": (_mixer(SIGNALS, mode="elem", **BOTH), "both", EPS, 1),
}
# The same key in labelled and in pairs form: the pairs' perm and lam are the ones the labels used.
SAME_DRAW = {
    "mixup-elem-p0.6": (
        _labelled(mix.mixup, IMAGES, alpha=1.0, mode="elem", p=0.6), _pairs(mix.mixup_pairs, IMAGES, 1.0, mode="elem", p=0.6)),
    "cutmix-elem-p0.6": (
        _labelled(mix.cutmix, IMAGES, alpha=1.0, mode="elem", p=0.6), _pairs(mix.cutmix_pairs, IMAGES, 1.0, mode="elem", p=0.6)),
    "mixup-batch-groups4": (
        _labelled(mix.mixup, IMAGES, alpha=1.0, mode="batch", groups=4), _pairs(mix.mixup_pairs, IMAGES, 1.0, mode="batch", groups=4)),
}


@pytest.fixture(scope="module")
def mixed():
    """Every configuration above over the same R_MIX keys."""
    keys = jax.random.split(jax.random.key(2024), R_MIX)
    agree = {name: jax.device_get(jax.vmap(entry[0])(keys)) for name, entry in AGREEMENT.items()}
    same = {name: jax.device_get(jax.vmap(lambda k: (a(k), b(k)))(keys)) for name, (a, b) in SAME_DRAW.items()}
    return agree, same


def _weights_from_pairs(perm, lam):
    """(R, N, N) source weights of each mixed example: lam on itself, 1 - lam on its partner."""
    lam = np.asarray(lam, np.float64)[..., None]
    eye = np.eye(np.shape(perm)[-1])
    return lam * eye + (1.0 - lam) * eye[np.asarray(perm)]


def _weights(name, out):
    """Source weights (R, N, N) of a configuration's output, from its labels or its (perm, lam)."""
    if len(out) == 3:
        return _weights_from_pairs(*out[1:])
    eps = AGREEMENT[name][2]
    return (np.asarray(out[1], np.float64) - eps / N_MIX) / (1.0 - eps)  # undo the smoothing


def _check_sources(x_mixed, weights, values, tol=1e-5):
    """Pixels against source weights (R, N, N); returns (R, N) masks of blended and of pasted examples."""
    w = np.asarray(weights, np.float64)
    r, n = w.shape[:2]
    pixels = np.asarray(x_mixed, np.float64).reshape(r, n, -1)
    values = np.asarray(values, np.float64)
    np.testing.assert_allclose(w.sum(-1), 1.0, atol=tol)
    assert w.min() > -tol, "a negative label weight"
    others = np.where(np.eye(n, dtype=bool), 0.0, w)
    assert ((others > tol).sum(-1) <= 1).all(), "a label names more than one partner"
    expected = w @ values
    np.testing.assert_allclose(pixels.mean(-1), expected, atol=tol, err_msg="mean pixel != label weights @ values")
    blend = (np.abs(pixels - expected[..., None]) < tol).all(-1)
    copy = ((np.abs(pixels[..., None] - values) < tol) & (w[:, :, None, :] > tol)).any(-1).all(-1)
    bad = np.argwhere(~(blend | copy))
    assert bad.size == 0, f"(draw, example) {bad[:3].tolist()}: values neither the label's blend nor copies of its sources"
    mixed_at_all = np.diagonal(w, axis1=1, axis2=2) < 1 - tol
    return blend & ~copy & mixed_at_all, copy & ~blend & mixed_at_all


@pytest.mark.parametrize("name", sorted(AGREEMENT))
def test_mixed_pixels_agree_with_mixed_labels(mixed, name):
    _, method, _, groups = AGREEMENT[name]
    out = mixed[0][name]
    weights = _weights(name, out)
    blended, pasted = _check_sources(out[0], weights, V_MIX)
    assert (blended | pasted).mean() > 0.1, "hardly any example was mixed"
    if method == "both":
        assert blended.any() and pasted.any(), "Mixup with both methods on never used one of them"
        if "batch" in name:
            assert not (blended.any(axis=1) & pasted.any(axis=1)).any(), "batch mode mixed one batch both ways"
    else:
        assert not (pasted if method == "mixup" else blended).any(), f"{method} did the other method's mixing"
    # Every partner a label names lies in its example's block of N / groups (all of it for 1).
    block = np.arange(N_MIX) // (N_MIX // groups)
    same_block = block[:, None] == block[None, :]
    assert (same_block | (weights < 1e-5)).all(), "a partner outside its example's block"


@pytest.mark.parametrize("name", sorted(SAME_DRAW))
def test_pairs_return_the_perm_and_lam_the_labels_use(mixed, name):
    (x_l, y), (x_p, perm, lam) = mixed[1][name]
    np.testing.assert_array_equal(x_l, x_p)
    np.testing.assert_allclose(np.asarray(y, np.float64), _weights_from_pairs(perm, lam), atol=1e-6)
    _check_sources(x_p, _weights_from_pairs(perm, lam), V_MIX)


@pytest.mark.parametrize("name", ["mixup_pairs-elem-groups4", "cutmix_pairs-elem-groups2", "mixup_pairs-batch"])
def test_partners_are_a_permutation_within_each_block(mixed, name):
    groups = AGREEMENT[name][3]
    perm = np.asarray(mixed[0][name][1])  # (R, N)
    size = N_MIX // groups
    own = np.arange(N_MIX).reshape(groups, size)
    # Each block's partners are a permutation of that block's own indices ...
    blocks = np.sort(perm.reshape(R_MIX, groups, size), axis=-1)
    np.testing.assert_array_equal(blocks, np.broadcast_to(own, blocks.shape))
    # ... and not a fixed one: every example meets every member of its block, about equally often.
    for i in range(N_MIX):
        counts = np.bincount(perm[:, i], minlength=N_MIX)
        np.testing.assert_array_equal(counts > 0, np.isin(np.arange(N_MIX), own[i // size]))
        assert counts.max() < 2 * R_MIX / size


# --- Probabilities, from the same draws ------------------------------------------------------


def _within(observed, p, n, where):
    """An observed frequency within 4 standard errors of p over n independent draws."""
    se = np.sqrt(p * (1 - p) / n)
    assert abs(observed - p) < 4 * se, f"{where}: frequency {observed:.4f}, expected {p:.4f} +- {4 * se:.4f} (n={n})"


# A CutMix window along T is empty when its length floor(T sqrt(1 - lam)) is below 2, which
# Beta(1, 1) draws with probability 4 / T**2; an example whose partner is itself shows no mixing
# (probability 1 / N per example of a random permutation, 1 / N! for a whole batch).
NOT_EMPTY = 1 - 4 / T_MIX**2


@pytest.mark.parametrize("name", ["Mixup-both-elem", "signals-Mixup-both-elem"])
def test_mixup_prob_and_switch_prob_are_honoured_per_example(mixed, name):
    out = mixed[0][name]
    blended, pasted = _check_sources(out[0], _weights(name, out), V_MIX)
    shown = blended | pasted
    # Images 6 x 5: a box is empty when a side floor(6 sqrt(1 - lam)) or floor(5 ...) is below 2.
    not_empty = NOT_EMPTY if name.startswith("signals") else 1 - 4 / 25
    expected = PROB * (1 - 1 / N_MIX) * ((1 - SWITCH) + SWITCH * not_empty)
    _within(shown.mean(), expected, shown.size, "mixed examples")
    cut = SWITCH * not_empty / ((1 - SWITCH) + SWITCH * not_empty)
    _within(pasted.sum() / shown.sum(), cut, shown.sum(), "CutMix among mixed examples")
    # Per-example draws: batches where some examples are mixed and others not.
    assert (shown.any(1) & ~shown.all(1)).mean() > 0.5


@pytest.mark.parametrize("name", ["Mixup-both-batch", "signals-Mixup-both-batch"])
def test_mixup_prob_and_switch_prob_are_honoured_per_batch(mixed, name):
    out = mixed[0][name]
    blended, pasted = _check_sources(out[0], _weights(name, out), V_MIX)
    shown = (blended | pasted).any(1)
    not_empty = NOT_EMPTY if name.startswith("signals") else 1 - 4 / 25
    expected = PROB * ((1 - SWITCH) + SWITCH * not_empty)
    _within(shown.mean(), expected, shown.size, "mixed batches")
    cut = SWITCH * not_empty / ((1 - SWITCH) + SWITCH * not_empty)
    _within(pasted.any(1).sum() / shown.sum(), cut, shown.sum(), "CutMix among mixed batches")


@pytest.mark.parametrize("name, expected", [("mixup_pairs-elem-p0.3", PROB), ("cutmix_pairs-elem-p0.3", PROB * NOT_EMPTY)])
def test_p_gates_mixing_per_example(mixed, name, expected):
    lam = np.asarray(mixed[0][name][2])
    _within((lam < 1.0).mean(), expected, lam.size, f"{name}: lam < 1")
