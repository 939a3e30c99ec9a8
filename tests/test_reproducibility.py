"""The same key gives the same bits: eagerly, under jit, and in any process (threefry is stable).

The checksums below were recorded once; a change that alters them changes every user's
augmentation for a given seed, and must be a deliberate, announced one.
"""

import hashlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxaug as ja
from jaxaug import presets

IMAGE = jnp.asarray(np.arange(32 * 32 * 3, dtype=np.uint32).reshape(32, 32, 3) % 251, jnp.uint8)

CASES = {
    # Drawn parameters of whole presets: every random draw, bit for bit.
    "imagenet_params": (lambda: presets.imagenet_train(size=16).sample(jax.random.key(42), (32, 32, 3)), "e362c5f2351fb13f"),
    "xray_params": (lambda: presets.xray_train(size=16, resize=24).sample(jax.random.key(42), (32, 32, 1)), "e74e230a454ea6c0"),
    # Geometry that lands on the pixel grid is exact, so its output is bit-stable too.
    "exact_geometry": (
        lambda: ja.Compose([ja.RandomCrop(24), ja.RandomHorizontalFlip(), ja.RandomRot90(), ja.RandomVerticalFlip()])(
            jax.random.key(42), IMAGE
        ),
        "a117eb01e3a8ce4a",
    ),
}


def digest(tree):
    h = hashlib.sha256()
    for leaf in jax.tree.leaves(tree):
        if jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key):
            leaf = jax.random.key_data(leaf)
        h.update(np.asarray(leaf).tobytes())
    return h.hexdigest()[:16]


@pytest.mark.parametrize("name", sorted(CASES))
def test_recorded_checksums_eager_and_jit(name):
    make, expected = CASES[name]
    assert jax.config.jax_default_prng_impl == "threefry2x32"
    assert digest(make()) == expected
    assert digest(jax.jit(make)()) == expected


def test_typed_and_legacy_keys_draw_the_same():
    t = presets.imagenet_train(size=16)
    typed = t.sample(jax.random.key(7), (32, 32, 3))
    legacy = t.sample(jax.random.PRNGKey(7), (32, 32, 3))
    assert digest(typed) == digest(legacy)


@pytest.mark.parametrize("size", [1, 2, 3, 10, 12, 16, 17])
def test_padded_draws_equal_jax_draws_of_the_asked_size(size):
    # Draws are taken at a power-of-two length for compile time; the values must not change.
    from jaxaug._base import normal_noise, split_key, uniform_vector

    key = jax.random.key(size)
    expected = jax.random.uniform(key, (size,), minval=-0.5, maxval=2.0)
    np.testing.assert_array_equal(np.asarray(uniform_vector(key, size, -0.5, 2.0)), np.asarray(expected))
    np.testing.assert_array_equal(np.asarray(uniform_vector(key, size) < 0.3), np.asarray(jax.random.bernoulli(key, 0.3, (size,))))
    np.testing.assert_array_equal(np.asarray(normal_noise(key, (size, 3), jnp.float32)), np.asarray(jax.random.normal(key, (size, 3))))
    split = np.stack([np.asarray(jax.random.key_data(k)) for k in split_key(key, size)])
    np.testing.assert_array_equal(split, np.asarray(jax.random.key_data(jax.random.split(key, size))))
