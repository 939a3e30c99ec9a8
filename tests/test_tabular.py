"""jaxaug.tabular: bounds, frozen features and the missingness mask, driven by hypothesis."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxaug as ja
from jaxaug import tabular

F = 6  # one table width, so that hypothesis examples share compilations


@st.composite
def rows(draw):
    values = draw(st.lists(st.floats(-5, 100, allow_nan=False, width=32), min_size=F, max_size=F))
    return jnp.asarray(values, jnp.float32)


@given(rows(), st.floats(0.0, 2.0), st.sampled_from(["clip", "redraw"]), st.integers(0, 2**16))
def test_bounds_are_kept(x, noise_std, bounds, seed):
    lower = jnp.array([0.0, 0.5, -jnp.inf, 0.0, -5.0, 10.0])
    upper = jnp.array([jnp.inf, 3.0, jnp.inf, 1.0, 100.0, 20.0])
    out = tabular.feature_noise(jax.random.key(seed), x, noise_std=noise_std, lower=lower, upper=upper, bounds=bounds)
    inside = (x >= lower) & (x <= upper)
    assert bool(jnp.all(jnp.where(inside, (out >= lower) & (out <= upper), out == x)))
    assert bool(jnp.all(jnp.isfinite(out)))


@given(rows(), st.lists(st.integers(0, F - 1), max_size=F, unique=True), st.integers(0, 2**16))
def test_frozen_features_never_change(x, frozen, seed):
    out, missing = tabular.augment(
        jax.random.key(seed), x, noise_std=1.0, dropout_prob=0.5, frozen=frozen, return_mask=True
    )
    for f in frozen:
        assert float(out[f]) == float(x[f]) and not bool(missing[f])


@given(rows(), st.floats(0.0, 1.0), st.sampled_from(["zero", "nan", "mean"]), st.integers(0, 2**16))
def test_missingness_mask_marks_exactly_the_filled_values(x, p, fill, seed):
    means = jnp.arange(F, dtype=jnp.float32) + 1000.0
    fill_arg = means if fill == "mean" else fill
    out, missing = tabular.feature_dropout(jax.random.key(seed), x, dropout_prob=p, fill=fill_arg, return_mask=True)
    expected_fill = {"zero": jnp.zeros(F), "nan": jnp.full(F, jnp.nan), "mean": means}[fill]
    np.testing.assert_array_equal(np.asarray(out)[np.asarray(missing)], np.asarray(expected_fill)[np.asarray(missing)])
    np.testing.assert_array_equal(np.asarray(out)[~np.asarray(missing)], np.asarray(x)[~np.asarray(missing)])


def _within(observed, p, n, where):
    """An observed frequency within 4 standard errors of p over n independent draws."""
    se = np.sqrt(p * (1 - p) / n)
    assert abs(observed - p) < 4 * se, f"{where}: frequency {observed:.4f}, expected {p:.4f} +- {4 * se:.4f} (n={n})"


def test_dropout_rate_matches_the_probability():
    X = jnp.ones((2000, F))
    drop = functools.partial(tabular.feature_dropout, dropout_prob=0.3, frozen=[F - 1], return_mask=True)
    out, missing = ja.batch(drop)(jax.random.key(0), X)
    out, missing = np.asarray(out), np.asarray(missing)
    np.testing.assert_array_equal(out == 0, missing)
    assert not missing[:, F - 1].any()  # frozen: never dropped
    free = missing[:, : F - 1]
    _within(free.mean(), 0.3, free.size, "missing values")
    for f in range(F - 1):
        _within(free[:, f].mean(), 0.3, len(free), f"feature {f}")
    # Features go missing independently: the count per row is Binomial(F - 1, 0.3).
    assert abs(free.sum(1).var() - (F - 1) * 0.3 * 0.7) < 0.25


def test_noise_is_scaled_per_feature():
    X = jnp.asarray(np.random.default_rng(0).normal(0, [1.0, 10.0, 100.0, 0.1, 5.0, 0.0], (4000, F)), jnp.float32)
    scale = tabular.fit_scale(X)
    noisy = ja.batch(functools.partial(tabular.feature_noise, noise_std=0.1, scale=scale))(jax.random.key(0), X)
    added = np.asarray(noisy - X).std(axis=0)
    np.testing.assert_allclose(added[:5], 0.1 * np.asarray(scale)[:5], rtol=0.08)
    assert added[5] == 0.0  # a feature with no spread gets no noise


def test_redraw_does_not_pile_values_on_the_bound():
    x = jnp.zeros((4000, 1))
    clip = ja.batch(functools.partial(tabular.feature_noise, noise_std=1.0, lower=0.0))(jax.random.key(0), x)
    redraw = ja.batch(functools.partial(tabular.feature_noise, noise_std=1.0, lower=0.0, bounds="redraw"))(jax.random.key(0), x)
    assert float((clip == 0).mean()) > 0.4
    assert float((redraw == 0).mean()) < 0.01 and float(redraw.min()) >= 0.0


def test_fit_scale_ignores_missing_and_constant_features():
    X = jnp.array([[1.0, 2.0, jnp.nan], [3.0, 2.0, jnp.nan], [jnp.nan, 2.0, jnp.nan]])
    np.testing.assert_allclose(np.asarray(tabular.fit_scale(X)), [1.0, 0.0, 0.0])


OPS = {
    "feature_noise": functools.partial(tabular.feature_noise, noise_std=0.3),
    "feature_dropout": functools.partial(tabular.feature_dropout, dropout_prob=0.3),
    "augment": functools.partial(tabular.augment, noise_std=0.3, dropout_prob=0.3, lower=0.0, bounds="redraw"),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_contract(name):
    op = OPS[name]
    x = jnp.arange(1.0, F + 1.0)
    key = jax.random.key(2)
    out = op(key, x)
    assert out.shape == (F,) and out.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(op(key, x)), np.asarray(out))
    np.testing.assert_allclose(np.asarray(jax.jit(op)(key, x)), np.asarray(out), atol=1e-6)
    assert len({np.asarray(op(jax.random.key(k), x)).tobytes() for k in range(4)}) > 1
    X = jnp.stack([x, x * 2, x * 3])
    batched = jax.jit(ja.batch(op))(key, X)
    keys = jax.random.split(key, 3)
    for i in range(3):
        np.testing.assert_allclose(np.asarray(batched[i]), np.asarray(op(keys[i], X[i])), atol=1e-6)


def test_real_clinical_table_breast_cancer():
    datasets = pytest.importorskip("sklearn.datasets")
    X = jnp.asarray(datasets.load_breast_cancer().data, jnp.float32)  # (569, 30), all >= 0
    scale = tabular.fit_scale(X)
    aug = functools.partial(tabular.augment, noise_std=0.05, dropout_prob=0.1, scale=scale, lower=0.0, fill="nan", return_mask=True)
    out, missing = jax.jit(ja.batch(aug))(jax.random.key(0), X)
    assert out.shape == X.shape
    assert bool(jnp.all(jnp.where(missing, jnp.isnan(out), out >= 0)))
    assert 0.08 < float(missing.mean()) < 0.12


BAD = [
    (lambda: tabular.augment(jax.random.key(0), jnp.ones((3, F))), ValueError, "ja.batch"),
    (lambda: tabular.feature_noise(jax.random.key(0), jnp.ones(F), noise_std=-1.0), ValueError, "noise_std"),
    (lambda: tabular.feature_noise(jax.random.key(0), jnp.ones(F), scale=jnp.ones(3)), ValueError, "one value per feature"),
    (lambda: tabular.feature_noise(jax.random.key(0), jnp.ones(F), lower=2.0, upper=1.0), ValueError, "lower must be <= upper"),
    (lambda: tabular.feature_noise(jax.random.key(0), jnp.ones(F), bounds="wrap"), ValueError, "bounds"),
    (lambda: tabular.feature_dropout(jax.random.key(0), jnp.ones(F), dropout_prob=1.2), ValueError, "dropout_prob"),
    (lambda: tabular.feature_dropout(jax.random.key(0), jnp.ones(F), fill="median"), ValueError, "fill"),
    (lambda: tabular.augment(jax.random.key(0), jnp.ones(F), frozen=[F]), ValueError, "frozen"),
    (lambda: tabular.fit_scale(jnp.ones(F)), ValueError, "fit_scale: X must be"),
]


@pytest.mark.parametrize("call, exc, match", BAD)
def test_bad_arguments_are_refused(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
