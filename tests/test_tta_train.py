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


# --- Inversion is exact, and pixels a view never saw get no weight ---------------------------
#
# The model is pointwise in the pixel values (2 v + 1) plus a fixed bias per position, so it is
# equivariant to no view: a view's output, mapped back, differs from the identity's exactly by
# the bias the view put at each pixel, and an inverted pixel from the wrong place, or a weight
# given to a pixel the view never saw, changes the merged value. The expected merge is computed
# by hand, with numpy's flips, quarter turns and shifts, never with jaxaug's matrices.

S = 13  # odd: zoom(2) about the centre (6, 6) sends every input pixel to a whole view pixel
BIAS = np.random.default_rng(11).uniform(-1.0, 1.0, (S, S, 2)).astype(np.float32)


def biased_model(v):
    return v * 2.0 + 1.0 + BIAS[None]


def _dihedral(a, k, flip):
    """Mirror left to right (if flip), then turn by k counter-clockwise quarter turns; a (H, W, ...)."""
    return np.rot90(a[:, ::-1] if flip else a, k)


def _undo_dihedral(a, k, flip):
    b = np.rot90(a, -k)
    return b[:, ::-1] if flip else b


def _translate(a, dy, dx):
    """out[u] = a[u - (dy, dx)]: the content moved by (dy, dx), zeros where nothing moved in."""
    out = np.zeros_like(a)
    h, w = a.shape[:2]
    out[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = a[max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)]
    return out


def _view(a, k, flip, dy, dx):
    return _dihedral(_translate(a, dy, dx), k, flip)


def _back(a, k, flip, dy, dx):
    """A view's output mapped back to the input frame (zero where the view did not see)."""
    return _translate(_undo_dihedral(a, k, flip), -dy, -dx)


def _expected_merge(x, maps):
    """Merged output and spread of biased_model over views given as (back-mapped bias, seen)."""
    num = sum(seen * bias for bias, seen in maps)
    den = sum(seen for _, seen in maps)
    mean_bias = num / den
    spread = np.sqrt(sum(seen * (bias - mean_bias) ** 2 for bias, seen in maps) / den)
    return 2.0 * np.asarray(x) + 1.0 + mean_bias, spread


def _recording(model):
    """A model that also hands back the batch of views it was called on (inside one trace)."""
    seen = []

    def wrapped(v):
        seen.append(v)
        return model(v)

    return wrapped, seen


# (view, (quarter turns, mirrored, dy, dx)) in numpy's terms.
FIXED_VIEWS = [
    (tta.hflip(), (0, True, 0, 0)),
    (tta.vflip(), (2, True, 0, 0)),
    (tta.rot90(1), (1, False, 0, 0)),
    (tta.rot90(2), (2, False, 0, 0)),
    (tta.rot90(3), (3, False, 0, 0)),
    (tta.shift(2, -3), (0, False, 2, -3)),
    (tta.shift(-4, 1), (0, False, -4, 1)),
]
IDENTITY = (0, False, 0, 0)


def test_inversion_is_exact_for_every_fixed_view():
    x = np.asarray(jax.random.uniform(jax.random.key(4), (2, S, S, 2)))

    @jax.jit
    def run(x):
        model, views = _recording(biased_model)
        merged, std = tta.predict(model, x, [v for v, _ in FIXED_VIEWS], invert=True, return_std=True)
        return merged, std, views[0]

    merged, std, inputs = jax.device_get(run(x))
    # Each view showed what its name says (the identity first, then the views in the order
    # given, for each example; either example-major or view-major) ...
    maps = [IDENTITY] + [g for _, g in FIXED_VIEWS]
    shown = np.stack([np.stack([_view(x[b], *g) for g in maps]) for b in range(2)])  # (N, V, ...)
    layouts = [shown.reshape(inputs.shape), shown.swapaxes(0, 1).reshape(inputs.shape)]
    assert any(np.abs(inputs - want).max() < 1e-6 for want in layouts), "the views are not the named flips, turns and shifts"
    ones = np.ones((S, S, 2), np.float32)
    for b in range(2):
        # ... and its output came back to the pixels it saw, and only there.
        maps = [(_back(BIAS, *g), _back(ones, *g)) for g in [IDENTITY] + [g for _, g in FIXED_VIEWS]]
        want, want_std = _expected_merge(x[b], maps)
        np.testing.assert_allclose(merged[b], want, atol=1e-5)
        np.testing.assert_allclose(std[b], want_std, atol=1e-4)


def _zoom2_maps():
    """zoom(2) on S x S: input pixel p is view pixel 2 p - 6, seen for p in 3..9."""
    idx = 2 * np.arange(S) - (S - 1) // 2
    seen1 = (idx >= 0) & (idx < S)
    clip = np.clip(idx, 0, S - 1)
    seen = (seen1[:, None] & seen1[None, :])[..., None].astype(np.float32)
    return [(BIAS, np.ones_like(seen)), (np.where(seen > 0, BIAS[clip][:, clip], 0.0), seen)]


def test_zoom_inversion_leaves_unseen_pixels_out():
    x = np.asarray(jax.random.uniform(jax.random.key(5), (2, S, S, 2)))
    rows, cols = np.mgrid[0:S, 0:S].astype(np.float32)
    affine = np.stack([0.3 * rows + 0.7 * cols, 5.0 - 0.5 * rows + 0.2 * cols], -1)[None]  # bilinear is exact on it

    @jax.jit
    def run(x, affine):
        return (
            tta.predict(biased_model, x, [tta.zoom(2.0)], invert=True),
            tta.predict(lambda v: v * 2.0 + 1.0, affine, [tta.zoom(1.5)], invert=True),
        )

    merged, merged_affine = jax.device_get(run(x, affine))
    want, _ = _expected_merge(x, _zoom2_maps())
    np.testing.assert_allclose(merged, want, atol=1e-5)
    # The border the zoomed view never saw is the identity view's output alone.
    border = np.ones((S, S), bool)
    border[3:10, 3:10] = False
    np.testing.assert_allclose(merged[:, border], np.asarray(biased_model(x))[:, border], atol=1e-5)
    # A factor that lands between pixels: still exact (bilinear on an affine image), and the
    # unseen border (edge-repeated if it were let in) is the identity's alone.
    np.testing.assert_allclose(merged_affine, affine * 2.0 + 1.0, atol=1e-4)


def test_inversion_of_zoom_out_and_fractional_shift_ignores_the_fill():
    rows, cols = np.mgrid[0:S, 0:S].astype(np.float32)
    affine = np.stack([0.3 * rows + 0.7 * cols + 1.0, 5.0 - 0.5 * rows + 0.2 * cols], -1)[None]
    merged = jax.jit(lambda a: tta.predict(lambda v: v * 2.0 + 1.0, a, [tta.zoom(0.8), tta.shift(0.5, -1.5)], invert=True))(affine)
    np.testing.assert_allclose(np.asarray(merged), affine * 2.0 + 1.0, atol=1e-4)


def _identify(inputs, x, max_shift):
    """For each model input, the (example, (k, flip, dy, dx)) whose numpy view of x it equals."""
    shifts = range(-max_shift, max_shift + 1)
    maps = [(k, f, dy, dx) for k in range(4) for f in (False, True) for dy in shifts for dx in shifts]
    found = []
    for b in range(x.shape[0]):
        candidates = np.stack([_view(x[b], *g) for g in maps])
        match = np.abs(inputs[:, None] - candidates[None]).max(axis=(2, 3, 4)) < 1e-6  # (inputs, maps)
        found += [(i, b, maps[j]) for i, j in zip(*np.nonzero(match))]
    assert sorted(i for i, _, _ in found) == list(range(len(inputs))), "a view that is no flip, turn or shift of an example"
    return [(b, g) for _, b, g in found]


def test_random_pipeline_views_invert_exactly():
    x = np.asarray(jax.random.uniform(jax.random.key(6), (2, S, S, 2)))
    pipeline = ja.Compose([ja.RandomCrop(S, padding=3), ja.RandomHorizontalFlip(), ja.RandomRot90()])

    @jax.jit
    def run(x, key):
        model, views = _recording(biased_model)
        merged, std = tta.predict(model, x, [], key=key, pipeline=pipeline, n=6, invert=True, return_std=True)
        return merged, std, views[0]

    merged, std, inputs = jax.device_get(run(x, jax.random.key(1)))
    views = _identify(inputs, x, 3)
    assert len({g for _, g in views}) > 4, "random views hardly differ"
    ones = np.ones((S, S, 2), np.float32)
    for b in range(2):
        maps = [(_back(BIAS, *g), _back(ones, *g)) for e, g in views if e == b]
        assert len(maps) == 7  # the identity and n = 6 draws
        want, want_std = _expected_merge(x[b], maps)
        np.testing.assert_allclose(merged[b], want, atol=1e-5)
        np.testing.assert_allclose(std[b], want_std, atol=1e-4)


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
    expected = (jax.nn.softmax(apply_fn(x), -1) + jax.nn.softmax(apply_fn(x[:, :, ::-1]), -1)) / 2
    np.testing.assert_allclose(np.asarray(out), np.asarray(expected), atol=1e-6)


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
        metrics = step(model, optimizer, jax.random.key(i), (x, y))
    # Agreement with a blend of two labels is not accuracy, and is not named so.
    assert set(metrics) == ({"loss", "accuracy"} if mixer is None else {"loss", "mixed_target_accuracy"})
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
    # The loss and accuracy of the mean probability over the image and its vertical mirror.
    probs = (jax.nn.softmax(model(x), -1) + jax.nn.softmax(model(x[:, ::-1]), -1)) / 2
    onehot = jax.nn.one_hot(y, 2)
    np.testing.assert_allclose(float(with_tta["loss"]), float(-(onehot * jnp.log(probs)).sum(-1).mean()), rtol=1e-5)
    np.testing.assert_allclose(float(with_tta["accuracy"]), float((probs.argmax(-1) == y).mean()))
    np.testing.assert_allclose(float(plain["loss"]), float(optax.softmax_cross_entropy(model(x), onehot).mean()), rtol=1e-5)
    assert float(with_tta["loss"]) != float(plain["loss"])


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
