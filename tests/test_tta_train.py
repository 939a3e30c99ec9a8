"""Test-time augmentation equals the hand-computed merge; the training step learns and compiles once."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

import jaxaug as ja
from jaxaug import mix, train, tta


def left_half_mean(x):
    """A model that only sees the left half of the image."""
    return x[:, :, : x.shape[2] // 2].mean(axis=(1, 2, 3))


def test_tta_really_uses_its_views():
    x = jax.random.uniform(jax.random.key(0), (3, 6, 8, 2))
    out = tta.predict(left_half_mean, x, views=["hflip"])
    # Mean of the image's left half and its mirror's left half = the mean of the whole image.
    np.testing.assert_allclose(np.asarray(out), np.asarray(x.mean(axis=(1, 2, 3))), atol=1e-6)
    np.testing.assert_allclose(np.asarray(tta.predict(left_half_mean, x, views=[])), np.asarray(left_half_mean(x)), atol=1e-6)


def _probs_model(x):
    logits = jnp.stack([x[:, :, :3].mean(axis=(1, 2, 3)), x[:, :3].mean(axis=(1, 2, 3)), x[:, 2:5, 1:6].mean(axis=(1, 2, 3))], axis=-1)
    return jax.nn.softmax(logits * 5.0, axis=-1)


@pytest.mark.parametrize("merge", ["mean", "gmean", "max", "sharpen"])
def test_merge_modes_equal_the_hand_computed_merge(merge):
    x = jax.random.uniform(jax.random.key(1), (4, 8, 8, 1))
    views = [x, x[:, :, ::-1], x[:, ::-1], jnp.rot90(x, 1, axes=(1, 2))]
    p = jnp.stack([_probs_model(v) for v in views])
    expected = {
        "mean": p.mean(0),
        "gmean": jnp.exp(jnp.log(p).mean(0)),
        "max": p.max(0),
        "sharpen": (p**2 / (p**2).sum(-1, keepdims=True)).mean(0),
    }[merge]
    out, std = tta.predict(_probs_model, x, ["hflip", "vflip", "rot90"], merge, temperature=0.5, return_std=True)
    np.testing.assert_allclose(np.asarray(out), np.asarray(expected), atol=1e-5)
    np.testing.assert_allclose(np.asarray(std), np.asarray(p.std(0)), atol=1e-5)


def test_one_batched_model_call_for_all_views():
    calls = []

    def model(x):
        calls.append(x.shape)
        return x.mean(axis=(1, 2, 3))

    tta.predict(model, jnp.ones((5, 8, 8, 3)), ["hflip", "vflip", "rot180"])
    assert calls == [(20, 8, 8, 3)]


def flip_equivariant_segmenter(x):
    """Per-pixel logits from a symmetric 3x3 blur: commutes with flips and quarter turns."""
    padded = jnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    blur = sum(padded[:, i : i + x.shape[1], j : j + x.shape[2]] for i in range(3) for j in range(3)) / 9.0
    return jnp.concatenate([blur, 1.0 - blur], axis=-1)


def test_inversion_makes_a_flip_equivariant_segmentation_model_exact():
    x = jax.random.uniform(jax.random.key(2), (2, 8, 8, 1))
    direct = flip_equivariant_segmenter(x)
    merged, std = tta.predict(flip_equivariant_segmenter, x, ["hflip", "vflip", "rot90", "rot270"], invert=True, return_std=True)
    np.testing.assert_allclose(np.asarray(merged), np.asarray(direct), atol=1e-5)
    assert float(std.max()) < 1e-5
    # Without inversion the views do not line up.
    assert float(jnp.abs(tta.predict(flip_equivariant_segmenter, x, ["hflip"]) - direct).max()) > 1e-2


def test_random_views_from_a_pipeline_and_their_inversion():
    x = jax.random.uniform(jax.random.key(3), (2, 8, 8, 1))
    pipeline = ja.Compose([ja.RandomHorizontalFlip(), ja.RandomRot90()])
    merged = tta.predict(flip_equivariant_segmenter, x, [], key=jax.random.key(0), pipeline=pipeline, n=4, invert=True)
    np.testing.assert_allclose(np.asarray(merged), np.asarray(flip_equivariant_segmenter(x)), atol=1e-5)
    a = tta.predict(left_half_mean, x, [], key=jax.random.key(0), pipeline=pipeline, n=4)
    b = tta.predict(left_half_mean, x, [], key=jax.random.key(1), pipeline=pipeline, n=4)
    assert not np.allclose(np.asarray(a), np.asarray(b))


def test_zoom_inversion_leaves_unseen_pixels_out():
    x = jax.random.uniform(jax.random.key(4), (1, 12, 12, 1))
    merged = tta.predict(flip_equivariant_segmenter, x, [tta.zoom(1.5)], invert=True)
    assert merged.shape == (1, 12, 12, 2) and bool(jnp.all(jnp.isfinite(merged)))


def test_nnx_wrapper_is_a_module_and_matches_predict():
    class Net(nnx.Module):
        def __init__(self, rngs):
            self.linear = nnx.Linear(3, 4, rngs=rngs)

        def __call__(self, x):
            return self.linear(x[:, :, : x.shape[2] // 2].mean(axis=(1, 2)))

    net = Net(nnx.Rngs(0))
    wrapped = tta.TTA(net, views=["hflip", "vflip"], activation="softmax")
    assert isinstance(wrapped, nnx.Module)
    x = jax.random.uniform(jax.random.key(5), (4, 8, 8, 3))
    expected = tta.predict(net, x, ["hflip", "vflip"], activation="softmax")
    np.testing.assert_allclose(np.asarray(nnx.jit(lambda m, x: m(x))(wrapped, x)), np.asarray(expected), atol=1e-6)


def test_linen_apply_style_function():
    import flax.linen as nn

    net = nn.Dense(2)
    x = jax.random.uniform(jax.random.key(6), (3, 4, 4, 1))
    variables = net.init(jax.random.key(0), x.reshape(3, -1))
    apply_fn = lambda batch: net.apply(variables, batch.reshape(batch.shape[0], -1))  # noqa: E731
    out = tta.predict(apply_fn, x, ["hflip"], activation="softmax")
    assert out.shape == (3, 2)


TTA_BAD = [
    (lambda: tta.predict(left_half_mean, jnp.ones((8, 8, 3))), "must be a batch"),
    (lambda: tta.predict(left_half_mean, jnp.ones((1, 8, 8, 3)), merge="median"), "merge must be one of"),
    (lambda: tta.predict(left_half_mean, jnp.ones((1, 8, 8, 3)), ["spin"]), "views must be View objects"),
    (lambda: tta.predict(left_half_mean, jnp.ones((1, 8, 8, 3)), n=2), "need both pipeline= and key="),
    (lambda: tta.predict(left_half_mean, jnp.ones((1, 8, 8, 3)), invert=True), "dense outputs"),
    (lambda: tta.predict(left_half_mean, jnp.ones((1, 8, 6, 3)), ["rot90"]), "square"),
]


@pytest.mark.parametrize("call, match", TTA_BAD)
def test_tta_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.fixture(autouse=True)
def standard_promotion(request):
    """optax's Adam mixes its int32 step count with floats, which strict promotion refuses;
    jaxaug's own code is checked under strict promotion everywhere else."""
    if "train" in request.node.name or "linen" in request.node.name or "eval" in request.node.name:
        with jax.numpy_dtype_promotion("standard"):
            yield
    else:
        yield


class SmallCNN(nnx.Module):
    def __init__(self, num_classes, rngs):
        self.conv = nnx.Conv(1, 4, (3, 3), rngs=rngs)
        self.head = nnx.Linear(8 * 8 * 4, num_classes, rngs=rngs)

    def __call__(self, x):
        return self.head(jax.nn.relu(self.conv(x)).reshape(x.shape[0], -1))


def _toy_data(n=64):
    """Bright-left versus bright-right squares: learnable, and flips swap the class."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    x = rng.uniform(0, 0.2, (n, 8, 8, 1)).astype(np.float32)
    x[y == 0, 2:6, 0:3] += 0.8
    x[y == 1, 2:6, 5:8] += 0.8
    return jnp.asarray(x), jnp.asarray(y)


@pytest.mark.parametrize("mixer", [None, mix.Mixup(mixup_alpha=0.4, cutmix_alpha=1.0, num_classes=2)], ids=["plain", "mixup-cutmix"])
def test_training_step_lowers_the_loss(mixer):
    x, y = _toy_data()
    model = SmallCNN(2, nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)
    step = train.make_train_step(augment=ja.RandomRotation(5), mix=mixer, num_classes=2)
    evaluate = train.make_eval_step(num_classes=2)
    before = float(evaluate(model, (x, y))["loss"])
    for i in range(40):
        step(model, optimizer, jax.random.key(i), (x, y))
    after = evaluate(model, (x, y))
    assert float(after["loss"]) < 0.5 * before
    assert float(after["accuracy"]) > 0.9


def test_training_step_compiles_once_across_keys():
    x, y = _toy_data(16)
    model = SmallCNN(2, nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    traces = []

    def augment(key, image):
        traces.append(1)
        return ja.RandomRotation(10)(key, image)

    step = train.make_train_step(augment=augment, mix=functools.partial(mix.mixup, alpha=0.4, mode="elem"), num_classes=2)
    for i in range(4):
        step(model, optimizer, jax.random.key(i), (x, y))
    assert len(traces) == 1


def test_multilabel_training_with_bce():
    x, y = _toy_data()
    targets = jnp.stack([y == 0, y == 1], axis=-1).astype(jnp.float32)
    model = SmallCNN(2, nnx.Rngs(1))
    optimizer = nnx.Optimizer(model, optax.adamw(1e-2), wrt=nnx.Param)
    step = train.make_train_step("sigmoid_binary_cross_entropy", mix=functools.partial(mix.mixup, alpha=0.4))
    first = float(step(model, optimizer, jax.random.key(0), (x, targets))["loss"])
    for i in range(1, 40):
        last = float(step(model, optimizer, jax.random.key(i), (x, targets))["loss"])
    assert last < 0.7 * first


def test_eval_step_with_tta_views():
    x, y = _toy_data(16)
    model = SmallCNN(2, nnx.Rngs(0))
    plain = train.make_eval_step(num_classes=2)(model, (x, y))
    with_tta = train.make_eval_step(views=["vflip"], num_classes=2)(model, (x, y))
    assert np.isfinite(float(with_tta["loss"])) and float(with_tta["loss"]) != float(plain["loss"])


def test_linen_train_step_updates_the_state():
    import flax.linen as nn
    from flax.training.train_state import TrainState

    class Net(nn.Module):
        @nn.compact
        def __call__(self, x):
            x = nn.Dropout(0.1, deterministic=False)(x.reshape(x.shape[0], -1))
            return nn.Dense(2)(x)

    x, y = _toy_data()
    net = Net()
    params = net.init({"params": jax.random.key(0), "dropout": jax.random.key(1)}, x)["params"]
    state = TrainState.create(apply_fn=net.apply, params=params, tx=optax.adam(1e-2))
    step = train.make_linen_train_step(augment=ja.RandomRotation(5), mix=mix.Mixup(num_classes=2), num_classes=2)
    losses = []
    for i in range(30):
        state, metrics = step(state, jax.random.key(i), (x, y))
        losses.append(float(metrics["loss"]))
    assert int(state.step) == 30 and np.mean(losses[-5:]) < np.mean(losses[:5])


def test_train_step_bad_input():
    model = SmallCNN(2, nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    step = train.make_train_step(num_classes=2)
    with pytest.raises(ValueError, match="batch size 4"):
        step(model, optimizer, jax.random.key(0), (jnp.ones((4, 8, 8, 1)), jnp.zeros(3, jnp.int32)))
    with pytest.raises(ValueError, match="loss must be one of"):
        train.make_train_step("hinge")
