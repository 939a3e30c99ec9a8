"""Test-time augmentation: run a model on several views of a batch in one call, then merge.

Views are deterministic same-size geometric transforms (:func:`hflip`, :func:`vflip`,
:func:`rot90`, :func:`zoom`, :func:`shift`, or their names as strings), or ``n`` random draws of
a jaxaug pipeline from a key. The identity view is always included. All views of a batch go
through the model as one batch of ``V * N`` examples (not a Python loop of calls).

For dense outputs (segmentation, ``(N, H, W, K)``), ``invert=True`` maps each view's output back
to the original frame (flip back, turn back, un-zoom) before merging; pixels a view did not see
are left out of that pixel's merge. The spread across views (``return_std=True``) is a cheap
uncertainty signal: in clinical use, a prediction that changes under a flip deserves a second look.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx
from jax.typing import ArrayLike

from jaxaug import _checks
from jaxaug._base import Transform
from jaxaug.image import _geometry

__all__ = ["MERGES", "TTA", "View", "hflip", "identity", "predict", "rot90", "shift", "vflip", "zoom"]

#: The ways :func:`predict` merges the views.
MERGES = ("mean", "gmean", "max", "sharpen")


@dataclass(frozen=True)
class View:
    """A deterministic, same-size, invertible geometric view: a name and an amount.

    Build one with :func:`identity`, :func:`hflip`, :func:`vflip`, :func:`rot90`, :func:`zoom`
    or :func:`shift`; ``matrix(height, width)`` maps view pixels to input points.

    Example:
      >>> from jaxaug import tta
      >>> tta.rot90(2).matrix(4, 4).shape
      (3, 3)
    """

    kind: str
    amount: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        # A View built directly must meet the checks of the builders: a NaN shift or zoom read
        # every pixel from outside, and that all-fill view was merged into the prediction.
        counts = {"identity": 0, "hflip": 0, "vflip": 0, "rot90": 1, "zoom": 1, "shift": 2}
        if self.kind not in counts:
            raise ValueError(f"View: kind must be one of {tuple(counts)}, got {self.kind!r}")
        if not isinstance(self.amount, tuple) or len(self.amount) != counts[self.kind]:
            raise ValueError(f"View: a {self.kind!r} view takes an amount of {counts[self.kind]} numbers, got {self.amount!r}")
        for value in self.amount:
            _checks.check_finite(f"View({self.kind!r})", "amount", value)
        if self.kind == "zoom" and not self.amount[0] > 0:
            raise ValueError(f"View('zoom'): the factor must be > 0, got {self.amount[0]!r}")
        if self.kind == "rot90" and not float(self.amount[0]).is_integer():
            raise ValueError(f"View('rot90'): the number of quarter turns must be an integer, got {self.amount[0]!r}")

    def matrix(self, height: int, width: int) -> jax.Array:
        """(3, 3) map from a view pixel (x, y, 1) to the input point it shows."""
        if self.kind == "identity":
            return _geometry.identity_matrix()
        if self.kind == "hflip":
            return _geometry.hflip_matrix(width)
        if self.kind == "vflip":
            return _geometry.vflip_matrix(height)
        if self.kind == "rot90":
            if height != width:
                raise ValueError(f"tta.rot90: needs square images, got height {height} and width {width}")
            return _geometry.rot90_matrix(int(self.amount[0]), height)
        if self.kind == "zoom":
            f = self.amount[0]
            cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
            return (
                _geometry.translation_matrix(cx, cy)
                @ jnp.diag(jnp.array([1.0 / f, 1.0 / f, 1.0], jnp.float32))
                @ _geometry.translation_matrix(-cx, -cy)
            )
        if self.kind == "shift":
            dy, dx = self.amount
            return _geometry.translation_matrix(-dx, -dy)
        raise ValueError(f"View: unknown kind {self.kind!r}")


def identity() -> View:
    """The input as it is (always included).

    Example:
      >>> from jaxaug import tta
      >>> tta.identity().kind
      'identity'
    """
    return View("identity")


def hflip() -> View:
    """Mirror left to right.

    Example:
      >>> from jaxaug import tta
      >>> tta.hflip().kind
      'hflip'
    """
    return View("hflip")


def vflip() -> View:
    """Mirror top to bottom (not for chest X-rays).

    Example:
      >>> from jaxaug import tta
      >>> tta.vflip().kind
      'vflip'
    """
    return View("vflip")


def rot90(k: int = 1) -> View:
    """Turn by k quarter turns counter-clockwise (square images; pathology tiles).

    Example:
      >>> from jaxaug import tta
      >>> tta.rot90(3).amount
      (3.0,)
    """
    if not _checks.is_int(k):
        raise TypeError(f"tta.rot90: k must be an int, got {k!r}")
    return View("rot90", (float(k % 4),))


def zoom(factor: float) -> View:
    """Zoom about the centre by `factor` (> 1 zooms in), keeping the size.

    Example:
      >>> from jaxaug import tta
      >>> tta.zoom(1.1).amount
      (1.1,)
    """
    if not 0 < _checks.check_finite("tta.zoom", "factor", factor):
        raise ValueError(f"tta.zoom: factor must be > 0, got {factor!r}")
    return View("zoom", (float(factor),))


def shift(dy: float, dx: float) -> View:
    """Move the content by (dy, dx) pixels, keeping the size.

    Example:
      >>> from jaxaug import tta
      >>> tta.shift(2, -3).amount
      (2.0, -3.0)
    """
    return View("shift", (_checks.check_finite("tta.shift", "dy", dy), _checks.check_finite("tta.shift", "dx", dx)))


_NAMED = {"identity": identity(), "hflip": hflip(), "vflip": vflip(), "rot90": rot90(1), "rot180": rot90(2), "rot270": rot90(3)}


def _views(views: Sequence[View | str]) -> tuple[View, ...]:
    out = [identity()]
    for v in views:
        if isinstance(v, str):
            if v not in _NAMED:
                raise ValueError(
                    f"predict: views must be View objects or one of {sorted(_NAMED)}, got {v!r}; views with "
                    "an amount are functions: tta.shift(dy, dx), tta.zoom(factor), tta.rot90(k)"
                )
            v = _NAMED[v]
        if not isinstance(v, View):
            raise TypeError(f"predict: views must be View objects or names, got {type(v).__name__}")
        if v not in out:
            out.append(v)
    return tuple(out)


def _activate(y: jax.Array, activation: str | None) -> jax.Array:
    if activation is None:
        return y
    if activation == "softmax":
        return jax.nn.softmax(y, axis=-1)
    if activation == "sigmoid":
        return jax.nn.sigmoid(y)
    raise ValueError(f"predict: activation must be None, 'softmax' or 'sigmoid', got {activation!r}")


def _merge(outputs: jax.Array, weights: jax.Array, merge: str, temperature: float) -> tuple[jax.Array, jax.Array]:
    """Merge (V, N, ...) outputs with (V, N, ...) weights in [0, 1]; returns (merged, std)."""
    weights = jnp.broadcast_to(weights, outputs.shape)

    def average(values: jax.Array) -> jax.Array:
        return jnp.sum(weights * values, axis=0) / jnp.sum(weights, axis=0)

    mean = average(outputs)
    std = jnp.sqrt(average(jnp.square(outputs - mean[None])))
    if merge == "mean":
        return mean, std
    if merge == "gmean":
        return jnp.exp(average(jnp.log(jnp.maximum(outputs, 1e-12)))), std
    if merge == "max":
        return jnp.max(jnp.where(weights > 0.5, outputs, -jnp.inf), axis=0), std
    # p ** (1 / T) renormalised is softmax(log p / T); in log space it cannot underflow to a
    # sum of zeros for a small temperature or many classes.
    sharp = jax.nn.softmax(jnp.log(jnp.maximum(outputs, 0.0)) / temperature, axis=-1)
    return average(sharp), std


def _warp_batch(x: jax.Array, matrices: jax.Array, border: str) -> jax.Array:
    """Warp (N, H, W, C) with (N, 3, 3) matrices, same size, bilinear."""
    size = x.shape[1:3]

    def one(image: jax.Array, m: jax.Array) -> jax.Array:
        return _geometry.resample(image, m, size, interpolation="bilinear", fill=0.0, border=border)

    return jax.vmap(one)(x, matrices)


def predict(
    apply_fn: Callable[[jax.Array], Any],
    x: ArrayLike,
    views: Sequence[View | str] = ("hflip",),
    merge: str = "mean",
    *,
    key: jax.Array | None = None,
    pipeline: Transform | None = None,
    n: int = 0,
    invert: bool = False,
    activation: str | None = None,
    temperature: float = 0.5,
    return_std: bool = False,
) -> jax.Array | tuple[jax.Array, jax.Array]:
    """Predict on the identity and each view of a batch in one call of `apply_fn`, and merge.

    Args:
      apply_fn: the model on a batch, ``apply_fn(x) -> (N, ...)``: an NNX module, or for Linen
        ``functools.partial(model.apply, variables)``.
      x: (N, H, W, C) float batch.
      views: deterministic views (View objects, or "hflip", "vflip", "rot90", "rot180",
        "rot270") (static).
      merge: "mean", "gmean" (geometric mean of probabilities), "max", or "sharpen" (mean of
        probabilities sharpened by ``p ** (1 / temperature)`` and renormalised) (static).
      key: PRNG key for random views.
      pipeline: a same-size jaxaug pipeline; ``n`` random draws of it per example are added.
      n: number of random views (static).
      invert: map dense outputs (N, H, W, K) back to the input frame before merging; random
        views then need a geometric pipeline (static).
      activation: None, "softmax" or "sigmoid", applied to outputs before merging (static).
      temperature: for "sharpen", in (0, 1] sharpens.
      return_std: also return the standard deviation across views (static).

    Returns:
      Merged outputs shaped like one call of `apply_fn` on `x`, or ``(merged, std)``; float32
      whatever the model's dtype, since means and spreads of float16 outputs lose precision.
      A model with several heads (a tuple or dict of arrays) gets each head merged on its
      own, in the same structure: `activation` applies to every head, `invert` to the dense
      heads (N, H, W, K), so a segmentation head and a classification head merge together.

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxaug import tta
      >>> left_half = lambda x: x[:, :, : x.shape[2] // 2].mean(axis=(1, 2, 3))
      >>> x = jnp.arange(8.0).reshape(1, 1, 8, 1)
      >>> tta.predict(left_half, x, views=["hflip"])  # the mean of the image and its mirror
      Array([3.5], dtype=float32)
    """
    x = _checks.as_array(x)
    if x.ndim != 4:
        raise ValueError(f"predict: x must be a batch (N, H, W, C), got shape {x.shape}")
    _checks.check_batch_layout_and_dtype("predict", x)
    if pipeline is not None and getattr(pipeline, "clamps_to_unit_range", False):
        _checks.check_unit_range("predict", x)
    if merge not in MERGES:
        raise ValueError(f"predict: merge must be one of {MERGES}, got {merge!r}")
    if not 0 < _checks.check_finite("predict", "temperature", temperature):
        raise ValueError(f"predict: temperature must be > 0, got {temperature}")
    if not _checks.is_int(n) or n < 0:
        raise ValueError(f"predict: n must be an int >= 0, got {n!r}")
    x = x.astype(jnp.float32) / 255.0 if x.dtype == jnp.uint8 else x
    batch, height, width = x.shape[:3]
    fixed = _views(views)
    matrices = jnp.stack([v.matrix(height, width) for v in fixed])  # (V, 3, 3)
    per_example = jnp.broadcast_to(matrices[:, None], (len(fixed), batch, 3, 3))
    # Views are laid out example-major, (N, V, ...), so that flattening to one batch of N * V
    # keeps each example's views next to it: a batch sharded over devices stays where it is.
    inputs = jax.vmap(lambda m: _warp_batch(x, m, "fill"), out_axes=1)(per_example)

    if n:
        if pipeline is None or key is None:
            raise ValueError("predict: random views (n > 0) need both pipeline= and key=")
        _checks.check_key("predict", key)
        if tuple(pipeline.output_shape(x.shape[1:])) != tuple(x.shape[1:]):
            raise ValueError(
                f"predict: pipeline must keep the shape {x.shape[1:]} so that views batch together, "
                f"it gives {pipeline.output_shape(x.shape[1:])}"
            )
        keys = jax.random.split(key, n * batch)
        keys = keys.reshape((n, batch) + keys.shape[1:])  # legacy uint32[2] keys keep their last axis
        params = jax.vmap(jax.vmap(lambda k: pipeline.sample(k, x.shape[1:])))(keys)
        drawn = jax.vmap(lambda p: jax.vmap(pipeline.apply)(p, x), out_axes=1)(params)
        inputs = jnp.concatenate([inputs, drawn.astype(inputs.dtype)], axis=1)
        if invert:
            if not (pipeline.is_geometric and pipeline.fuses(x.shape[1:])) or getattr(pipeline, "projective", False):
                raise ValueError(
                    "predict: invert=True with random views needs an affine geometric pipeline "
                    "(flips, crops, rotations; not perspective)"
                )
            random_m = jax.vmap(jax.vmap(lambda p: pipeline.matrix(p, x.shape[1:])))(params)
            per_example = jnp.concatenate([per_example, random_m], axis=0)

    n_views = inputs.shape[1]
    outputs = apply_fn(inputs.reshape((batch * n_views, *inputs.shape[2:])))
    # A model with several heads (a tuple or dict of outputs) is merged head by head.
    leaves, treedef = jax.tree_util.tree_flatten(outputs)
    if not leaves:
        raise ValueError("predict: apply_fn returned no arrays")
    if invert and not any(_is_dense(jnp.shape(leaf), height, width) for leaf in leaves):
        shapes = [jnp.shape(leaf)[1:] for leaf in leaves]
        raise ValueError(f"predict: invert=True needs dense outputs (N, {height}, {width}, K), got {shapes}")
    merged = [
        _merge_head(leaf, batch, n_views, height, width, per_example, invert, activation, merge, temperature)
        for leaf in leaves
    ]
    mean = jax.tree_util.tree_unflatten(treedef, [m for m, _ in merged])
    if not return_std:
        return mean
    return mean, jax.tree_util.tree_unflatten(treedef, [s for _, s in merged])


def _is_dense(shape: tuple[int, ...], height: int, width: int) -> bool:
    """(N, height, width, K) or (N, height, width): a map in the input's frame, which inversion
    maps back."""
    return len(shape) in (3, 4) and tuple(shape[1:3]) == (height, width)


def _merge_head(
    outputs: Any,
    batch: int,
    n_views: int,
    height: int,
    width: int,
    per_example: jax.Array,
    invert: bool,
    activation: str | None,
    merge: str,
    temperature: float,
) -> tuple[jax.Array, jax.Array]:
    """One head's (N * V, ...) outputs, laid out example-major, merged across views."""
    outputs = jnp.asarray(outputs)
    if outputs.ndim < 1 or outputs.shape[0] != batch * n_views:
        raise ValueError(
            f"predict: every output of apply_fn must have the batch of views ({batch * n_views},) as its "
            f"first axis, got shape {outputs.shape}"
        )
    if invert and outputs.ndim == 3 and tuple(outputs.shape[1:]) == (height, width):
        # (N * V, H, W): a map without a channel axis is inverted as one channel.
        merged, std = _merge_head(
            outputs[..., None], batch, n_views, height, width, per_example, invert, activation, merge, temperature
        )
        return merged[..., 0], std[..., 0]
    outputs = _activate(outputs, activation)
    outputs = jnp.moveaxis(outputs.reshape((batch, n_views, *outputs.shape[1:])), 1, 0)

    if invert and _is_dense(outputs.shape[1:], height, width):
        back = jnp.linalg.inv(per_example)  # (V, N, 3, 3): input frame -> each view's frame
        outputs = jax.vmap(lambda o, m: _warp_batch(o, m, "edge"))(outputs, back)
        # An input pixel counts for a view only where the view's pixels there read the input
        # itself, not fill: which view pixels saw the input (forward), mapped back.
        ones = jnp.ones((batch, height, width, 1), jnp.float32)
        view_saw_input = jax.vmap(lambda m: _warp_batch(ones, m, "fill"))(per_example)
        seen = jax.vmap(lambda v, m: _warp_batch(v, m, "fill"))(view_saw_input, back)
        weights = jnp.where(seen > 0.999, 1.0, 0.0)
    else:
        weights = jnp.ones((n_views, batch) + (1,) * (outputs.ndim - 2), jnp.float32)
    return _merge(outputs.astype(jnp.float32), weights, merge, temperature)


class TTA(nnx.Module):
    """A Flax NNX module that wraps a model with test-time augmentation.

    ``TTA(model, views, merge)(x)`` equals ``predict(model, x, views, merge)``; it is itself an
    ``nnx.Module``, so it can be jitted, split and saved like the model it holds.

    Args:
      model: an NNX module (or any callable on a batch).
      views, merge, pipeline, n, invert, activation, temperature: as in :func:`predict`.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from flax import nnx
      >>> from jaxaug import tta
      >>> model = nnx.Linear(3, 2, rngs=nnx.Rngs(0))
      >>> head = lambda x: model(x.mean(axis=(1, 2)))
      >>> wrapped = tta.TTA(head, views=["hflip", "vflip"], activation="softmax")
      >>> wrapped(jnp.ones((4, 8, 8, 3))).shape
      (4, 2)
    """

    def __init__(
        self,
        model: Callable[[jax.Array], Any],
        views: Sequence[View | str] = ("hflip",),
        merge: str = "mean",
        *,
        pipeline: Transform | None = None,
        n: int = 0,
        invert: bool = False,
        activation: str | None = None,
        temperature: float = 0.5,
    ) -> None:
        if merge not in MERGES:
            raise ValueError(f"TTA: merge must be one of {MERGES}, got {merge!r}")
        if not 0 < _checks.check_finite("TTA", "temperature", temperature):
            raise ValueError(f"TTA: temperature must be > 0, got {temperature}")
        if not _checks.is_int(n) or n < 0:
            raise ValueError(f"TTA: n must be an int >= 0, got {n!r}")
        if activation not in (None, "softmax", "sigmoid"):
            raise ValueError(f"TTA: activation must be None, 'softmax' or 'sigmoid', got {activation!r}")
        self.model = model
        self.views = _views(views)
        self.merge = merge
        self.pipeline = pipeline
        self.n = n
        self.invert = invert
        self.activation = activation
        self.temperature = temperature

    def __call__(self, x: ArrayLike, *, key: jax.Array | None = None, return_std: bool = False) -> Any:
        """Merged prediction for batch `x` (and the spread across views with `return_std`)."""
        return predict(
            self.model,
            x,
            self.views,
            self.merge,
            key=key,
            pipeline=self.pipeline,
            n=self.n,
            invert=self.invert,
            activation=self.activation,
            temperature=self.temperature,
            return_std=return_std,
        )
