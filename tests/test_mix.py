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


def test_probability_gates_mixing_per_example():
    _, _, lam = mix.mixup_pairs(jax.random.key(0), jnp.zeros((2000, 1, 1, 1)), 1.0, mode="elem", p=0.3)
    assert abs(float(jnp.mean(lam < 1.0)) - 0.3) < 0.03


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
    # Mixup pixels are blends (not equal to any source value); CutMix pixels are copies.
    kinds = set()
    for i in range(N):
        pixels = np.asarray(x[i, ..., 0]).ravel()
        copies = np.isclose(pixels[:, None], np.asarray(VALUES)[None, :]).any(axis=1).all()
        kinds.add("cutmix" if copies else "mixup")
        np.testing.assert_allclose(np.asarray(y[i]).sum(), 1.0, atol=1e-6)
    assert kinds == {"cutmix", "mixup"}


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
    (lambda: mix.mixup(jax.random.key(0), jnp.ones((4, 8, 8, 3)), jnp.arange(4), -1.0, num_classes=4), "alpha must be >= 0"),
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
