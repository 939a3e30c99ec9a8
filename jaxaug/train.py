"""One jitted training step that augments, mixes, computes the loss with soft labels and updates.

For a Flax NNX model and ``nnx.Optimizer``::

    step = make_train_step(augment=ja.presets.xray_train(), mix=mix.Mixup(...), num_classes=2)
    metrics = step(model, optimizer, key, (images, labels))   # a fresh key every step

Augmentation runs per example (``ja.batch``) on the device inside the step, so nothing leaves
the accelerator and the step compiles once. :func:`make_linen_train_step` is the same for a
Linen ``TrainState``; :func:`make_eval_step` evaluates, optionally with test-time augmentation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from jaxaug import _checks, tta
from jaxaug._compose import batch as batch_transform
from jaxaug.mix import _check_class_ids, soft_labels

__all__ = ["LOSSES", "make_eval_step", "make_linen_train_step", "make_train_step"]

#: The loss names the train and eval steps take (or pass a function).
LOSSES = ("softmax_cross_entropy", "sigmoid_binary_cross_entropy")

Batch = tuple[jax.Array, jax.Array]
LossFn = Callable[[jax.Array, jax.Array], jax.Array]


def _loss_fn(loss: str | LossFn) -> LossFn:
    """Per-example loss of (logits, soft targets)."""
    if callable(loss):
        return loss
    if loss == "softmax_cross_entropy":
        return optax.softmax_cross_entropy
    if loss == "sigmoid_binary_cross_entropy":
        return lambda logits, y: jnp.mean(optax.sigmoid_binary_cross_entropy(logits, y), axis=-1)
    raise ValueError(f"make_train_step: loss must be one of {LOSSES} or a function (logits, targets) -> losses, got {loss!r}")


def _accuracy(logits: jax.Array, targets: jax.Array, loss: str | LossFn) -> jax.Array:
    """Agreement of the predictions with `targets`: argmax for classes, 0.5 for multi-label."""
    if loss == "sigmoid_binary_cross_entropy":
        return jnp.mean((logits > 0) == (targets > 0.5))
    return jnp.mean(jnp.argmax(logits, axis=-1) == jnp.argmax(targets, axis=-1))


def _accuracy_name(mix: Any) -> str:
    """A mixed batch's targets are blends of two labels; their argmax is the larger part's label,
    not the image's class, so agreement with it is not accuracy and is not called so."""
    return "accuracy" if mix is None else "mixed_target_accuracy"


def _is_batched(fn: Any) -> bool:
    while fn is not None:
        if getattr(fn, "is_batched", False):
            return True
        fn = getattr(fn, "__wrapped__", None)
    return False


def _check_labels(where: str, batch: Any, num_classes: int | None) -> None:
    """Integer labels outside [0, num_classes) refused on the host, before the step's jit
    (inside it the values cannot be seen, and an NNX step cannot be checkified)."""
    if not isinstance(batch, (tuple, list)) or len(batch) != 2 or num_classes is None:
        return
    y = jnp.asarray(batch[1])
    if jnp.issubdtype(y.dtype, jnp.integer) and y.ndim == 1:
        _check_class_ids(where, y, int(num_classes))


def _one_batch(where: str, rest: tuple[Any, ...]) -> None:
    if rest:
        raise TypeError(
            f"{where}: pass the batch as one (inputs, labels) pair, as in step(..., key, (x, y)); "
            f"got {1 + len(rest)} arguments after the key"
        )


def _prepare(
    key: jax.Array,
    batch: Batch,
    augment: Callable[..., jax.Array] | None,
    mix: Callable[..., tuple[jax.Array, jax.Array]] | None,
    num_classes: int | None,
    label_smoothing: float,
) -> Batch:
    """Augment per example, make soft targets, then mix; each with its own part of the key."""
    _checks.check_key("train step", key)
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise ValueError(f"train step: batch must be an (inputs, labels) pair, got {type(batch).__name__}")
    x, y = jnp.asarray(batch[0]), jnp.asarray(batch[1])
    if y.shape[:1] != x.shape[:1]:
        raise ValueError(f"train step: labels must have the batch size {x.shape[0]}, got shape {y.shape}")
    k_augment, k_mix = jax.random.split(key)
    if augment is not None:
        # `ja.batch(pipeline)` is accepted as well as the pipeline: batching it again would hand
        # each example's image to a function that expects the whole batch.
        x = (augment if _is_batched(augment) else batch_transform(augment))(k_augment, x)
    elif x.dtype == jnp.uint8:
        x = x.astype(jnp.float32) / 255.0
    targets = soft_labels(y, num_classes, label_smoothing)
    if mix is not None:
        x, targets = mix(k_mix, x, targets)
    return x, targets


def make_train_step(
    loss: str | LossFn = "softmax_cross_entropy",
    *,
    augment: Callable[..., jax.Array] | None = None,
    mix: Callable[..., tuple[jax.Array, jax.Array]] | None = None,
    num_classes: int | None = None,
    label_smoothing: float = 0.0,
) -> Callable[[nnx.Module, nnx.Optimizer, jax.Array, Batch], dict[str, jax.Array]]:
    """A jitted NNX step: augment, mix, loss with soft labels, gradient, optimizer update.

    Args:
      loss: "softmax_cross_entropy" (classes), "sigmoid_binary_cross_entropy" (multi-label),
        or a function ``(logits, soft_targets) -> (N,) losses`` (static).
      augment: a one-example transform ``(key, x) -> x`` (any jaxaug pipeline), run per example;
        ``ja.batch(pipeline)`` is accepted too and runs as it is.
      mix: ``(key, x, targets) -> (x, targets)``, e.g. ``jaxaug.mix.Mixup(...)`` or
        ``functools.partial(jaxaug.mix.cutmix, alpha=1.0)``; None for no mixing.
      num_classes: K when labels are integer ids (static).
      label_smoothing: epsilon for class targets, applied before mixing; default 0.0. A
        ``mix.Mixup`` brings its own (0.1 by default, as timm's); keep this 0 then, or the
        targets are smoothed twice.

    Returns:
      ``step(model, optimizer, key, (x, y)) -> metrics``: updates `model` and `optimizer` in
      place (NNX), compiled once for a given batch shape. ``metrics["loss"]`` is the mean loss
      against the (smoothed, mixed) targets. Without `mix`, ``metrics["accuracy"]`` is the
      accuracy on the augmented batch. With `mix`, there is no accuracy: the targets are blends
      of two labels, and ``metrics["mixed_target_accuracy"]`` says how often the prediction's
      argmax is the argmax of the blended target (the label with the larger share, the
      partner's when it covers more than half of a CutMix image). It tracks training
      progress, not how well the model classifies; measure that with :func:`make_eval_step`.
      (Earlier versions returned this value as "accuracy".)

    Example:
      >>> import jax, jax.numpy as jnp, optax
      >>> from flax import nnx
      >>> import jaxaug as ja
      >>> from jaxaug import train
      >>> model = nnx.Sequential(lambda x: x.reshape(x.shape[0], -1), nnx.Linear(48, 3, rngs=nnx.Rngs(0)))
      >>> optimizer = nnx.Optimizer(model, optax.adamw(1e-3), wrt=nnx.Param)
      >>> step = train.make_train_step(augment=ja.RandomHorizontalFlip(), mix=ja.mix.Mixup(num_classes=3), num_classes=3)
      >>> metrics = step(model, optimizer, jax.random.key(0), (jnp.ones((8, 4, 4, 3)), jnp.zeros(8, jnp.int32)))
      >>> sorted(metrics)
      ['loss', 'mixed_target_accuracy']
    """
    per_example = _loss_fn(loss)
    accuracy_name = _accuracy_name(mix)

    @nnx.jit
    def step(model: nnx.Module, optimizer: nnx.Optimizer, key: jax.Array, batch: Batch) -> dict[str, jax.Array]:
        x, targets = _prepare(key, batch, augment, mix, num_classes, label_smoothing)

        def objective(model: nnx.Module) -> tuple[jax.Array, jax.Array]:
            logits = model(x)
            return jnp.mean(per_example(logits, targets)), logits

        (value, logits), grads = nnx.value_and_grad(objective, has_aux=True)(model)
        optimizer.update(model, grads)
        return {"loss": value, accuracy_name: _accuracy(logits, targets, loss)}

    def train_step(model: nnx.Module, optimizer: nnx.Optimizer, key: jax.Array, batch: Batch, *rest: Any) -> dict[str, jax.Array]:
        _one_batch("train step", rest)
        _check_labels("train step", batch, num_classes)
        return step(model, optimizer, key, batch)

    return train_step


def make_eval_step(
    loss: str | LossFn = "softmax_cross_entropy",
    *,
    transform: Callable[..., jax.Array] | None = None,
    views: Sequence[tta.View | str] | None = None,
    num_classes: int | None = None,
) -> Callable[[nnx.Module, Batch], dict[str, jax.Array]]:
    """A jitted NNX evaluation step, optionally with test-time augmentation.

    Args:
      loss: as in :func:`make_train_step` (static).
      transform: a deterministic one-example transform (e.g. ``ja.presets.eval_transform()``).
      views: if given, merge the model's probabilities over these TTA views (and the identity).
      num_classes: K when labels are integer ids (static).

    Returns:
      ``step(model, (x, y)) -> {"loss", "accuracy"}``.

    Example:
      >>> import jax.numpy as jnp
      >>> from flax import nnx
      >>> from jaxaug import train
      >>> model = nnx.Sequential(lambda x: x.reshape(x.shape[0], -1), nnx.Linear(48, 3, rngs=nnx.Rngs(0)))
      >>> evaluate = train.make_eval_step(views=["hflip"], num_classes=3)
      >>> sorted(evaluate(model, (jnp.ones((8, 4, 4, 3)), jnp.zeros(8, jnp.int32))))
      ['accuracy', 'loss']
    """
    per_example = _loss_fn(loss)
    multilabel = loss == "sigmoid_binary_cross_entropy"

    @nnx.jit
    def step(model: nnx.Module, batch: Batch) -> dict[str, jax.Array]:
        x, targets = _prepare(jax.random.key(0), batch, transform, None, num_classes, 0.0)
        if views is None:
            logits = model(x)
            return {"loss": jnp.mean(per_example(logits, targets)), "accuracy": _accuracy(logits, targets, loss)}
        activation = "sigmoid" if multilabel else "softmax"
        probs = tta.predict(model, x, views, "mean", activation=activation)
        # Logits of the merged probabilities, so the same loss and accuracy apply.
        merged = jnp.log(jnp.maximum(probs, 1e-12)) if not multilabel else jnp.log(probs / jnp.maximum(1 - probs, 1e-12))
        return {"loss": jnp.mean(per_example(merged, targets)), "accuracy": _accuracy(merged, targets, loss)}

    def eval_step(model: nnx.Module, batch: Batch, *rest: Any) -> dict[str, jax.Array]:
        if rest:
            raise TypeError(
                f"eval step: pass the batch as one (inputs, labels) pair, as in step(model, (x, y)); "
                f"got {1 + len(rest)} arguments after the model"
            )
        _check_labels("eval step", batch, num_classes)
        return step(model, batch)

    return eval_step


def make_linen_train_step(
    loss: str | LossFn = "softmax_cross_entropy",
    *,
    augment: Callable[..., jax.Array] | None = None,
    mix: Callable[..., tuple[jax.Array, jax.Array]] | None = None,
    num_classes: int | None = None,
    label_smoothing: float = 0.0,
) -> Callable[[Any, jax.Array, Batch], tuple[Any, dict[str, jax.Array]]]:
    """The same step for a Linen ``flax.training.train_state.TrainState``, functional style.

    The model is called as ``state.apply_fn({"params": state.params}, x, rngs={"dropout": k})``.

    Args:
      loss, augment, mix, num_classes, label_smoothing: as in :func:`make_train_step`.

    Returns:
      ``step(state, key, (x, y)) -> (new_state, metrics)``, jitted; the metrics are named as in
      :func:`make_train_step` ("mixed_target_accuracy" instead of "accuracy" when mixing).

    Example:
      >>> import jax, jax.numpy as jnp, optax
      >>> import flax.linen as nn
      >>> from flax.training.train_state import TrainState
      >>> from jaxaug import train
      >>> net = nn.Dense(3)
      >>> x = jnp.ones((8, 4, 4, 3))
      >>> params = net.init(jax.random.key(0), x.reshape(8, -1))["params"]
      >>> apply = lambda v, x, rngs=None: net.apply(v, x.reshape(x.shape[0], -1))
      >>> state = TrainState.create(apply_fn=apply, params=params, tx=optax.sgd(0.1))
      >>> step = train.make_linen_train_step(num_classes=3)
      >>> state, metrics = step(state, jax.random.key(1), (x, jnp.zeros(8, jnp.int32)))
      >>> int(state.step)
      1
    """
    per_example = _loss_fn(loss)
    accuracy_name = _accuracy_name(mix)

    @jax.jit
    def step(state: Any, key: jax.Array, batch: Batch) -> tuple[Any, dict[str, jax.Array]]:
        k_data, k_dropout = jax.random.split(key)
        x, targets = _prepare(k_data, batch, augment, mix, num_classes, label_smoothing)

        def objective(params: Any) -> tuple[jax.Array, jax.Array]:
            logits = state.apply_fn({"params": params}, x, rngs={"dropout": k_dropout})
            return jnp.mean(per_example(logits, targets)), logits

        (value, logits), grads = jax.value_and_grad(objective, has_aux=True)(state.params)
        return state.apply_gradients(grads=grads), {"loss": value, accuracy_name: _accuracy(logits, targets, loss)}

    def linen_step(state: Any, key: jax.Array, batch: Batch, *rest: Any) -> tuple[Any, dict[str, jax.Array]]:
        _one_batch("train step", rest)
        _check_labels("train step", batch, num_classes)
        return step(state, key, batch)

    return linen_step
