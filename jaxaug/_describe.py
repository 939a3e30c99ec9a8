"""Audit what a pipeline drew: per example, the parameters in human units, as a table to log."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxaug import _checks
from jaxaug._base import Transform
from jaxaug.mix import Mixup


def describe(
    transform: Any, key: jax.Array, shape: tuple[int, ...], *, batch_size: int | None = None
) -> dict[str, jax.Array]:
    """What `transform` draws from `key` for an input of `shape`, in human units.

    The same draw as ``transform(key, x)`` for x of `shape` (with ``batch_size=N``, as
    ``ja.batch(transform)(key, xs)`` for N examples: the same per-example keys). Entries are
    named ``"{step}.{StepName}.{field}"`` in a Compose, e.g. ``"1.RandomResizedCrop.top"``:
    crop and erase boxes in the pixels of that step's input (top, left, height, width), angles
    in degrees counter-clockwise, flips and ``"applied"`` as bools, jitter factors as
    multipliers, RandomChoice's ``"index"``. Deterministic steps have no entries.

    For a ``mix.Mixup``, `shape` is the batch shape (N, ...) and the entries are each
    example's ``"partner"`` index, its own ``"weight"`` (lambda) and whether ``"cutmix"`` was
    used. (``mix.mixup_pairs`` / ``cutmix_pairs`` return their partners and weights.)

    Args:
      transform: a jaxaug transform (e.g. a ``ja.Compose``) or a ``mix.Mixup``.
      key: PRNG key, as passed to the transform (or to ``ja.batch(transform)``).
      shape: one example's shape (H, W, C) (for Mixup the batch's), static.
      batch_size: None for one example (0-d entries), or N for a batch ((N,) entries).

    Returns:
      A dict of name -> array; ``pandas.DataFrame(jax.device_get(d))`` is a table, and
      :func:`write_description` writes it as CSV or JSON.

    Example:
      >>> import jax, jaxaug as ja
      >>> pipeline = ja.Compose([ja.Resize(32), ja.RandomResizedCrop(24), ja.RandomRotation(10)])
      >>> d = ja.describe(pipeline, jax.random.key(0), (48, 64, 3), batch_size=4)
      >>> list(d)[:2], d["2.RandomRotation.angle"].shape
      (['1.RandomResizedCrop.top', '1.RandomResizedCrop.left'], (4,))
    """
    _checks.check_key("describe", key)
    if not (isinstance(shape, (tuple, list)) and all(_checks.is_int(s) and s >= 1 for s in shape)):
        raise ValueError(f"describe: shape must be a tuple of ints >= 1, got {shape!r}")
    shape = tuple(int(s) for s in shape)
    if batch_size is not None and (not _checks.is_int(batch_size) or batch_size < 1):
        raise ValueError(f"describe: batch_size must be None or an int >= 1, got {batch_size!r}")
    if isinstance(transform, Mixup):
        if batch_size is not None:
            raise ValueError("describe: Mixup draws for a whole batch; give its shape (N, ...) and no batch_size")
        # Under jit the mixing of the placeholder batch is dropped; only the draws are computed.
        perm, lam, cut = jax.jit(lambda k: transform._mix(k, jnp.zeros(shape, jnp.float32))[1:])(key)
        return {"partner": perm, "weight": lam, "cutmix": cut}
    if not isinstance(transform, Transform):
        raise TypeError(f"describe: transform must be a jaxaug transform or a mix.Mixup, got {type(transform).__name__}")
    transform.output_shape(shape)  # a shape the transform refuses is refused here, not inside jit

    def one(k: jax.Array) -> dict[str, jax.Array]:
        return transform.describe(transform.sample(k, shape), shape)

    if batch_size is None:
        return one(key)
    # A dict passed through jit comes back sorted ("10." before "2."); the values go through
    # as a tuple and the names keep the pipeline's order.
    names: list[str] = []

    def values(k: jax.Array) -> tuple[jax.Array, ...]:
        drawn = one(k)
        names[:] = list(drawn)
        return tuple(drawn.values())

    # The keys ja.batch gives its examples.
    drawn = jax.jit(jax.vmap(values))(jax.random.split(key, batch_size))
    return dict(zip(names, drawn))


def _columns(description: Mapping[str, ArrayLike]) -> dict[str, np.ndarray]:
    if not isinstance(description, Mapping):
        raise TypeError(f"write_description: description must be the dict ja.describe returns, got {type(description).__name__}")
    cols = {str(k): np.atleast_1d(np.asarray(jax.device_get(v))) for k, v in description.items()}
    lengths = {c.shape for c in cols.values()}
    if len(lengths) > 1 or any(len(s) != 1 for s in lengths):
        raise ValueError(f"write_description: every entry must be one value per example, got shapes {sorted(lengths)}")
    return cols


def write_description(description: Mapping[str, ArrayLike], path: str | os.PathLike[str]) -> None:
    """Write :func:`describe`'s output as a table: CSV (one row per example) or JSON (columns).

    The format follows the file name: ``.csv`` or ``.json``. Numbers are written exactly
    (floats as Python's shortest round-trip text), bools as true/false.

    Args:
      description: the dict from :func:`describe` (0-d entries are one row).
      path: a ``.csv`` or ``.json`` file to write (overwritten).

    Example:
      >>> import csv, pathlib, tempfile, jax, jaxaug as ja
      >>> d = ja.describe(ja.RandomRotation(10), jax.random.key(0), (8, 8, 1), batch_size=3)
      >>> path = pathlib.Path(tempfile.mkdtemp()) / "draws.csv"
      >>> ja.write_description(d, path)
      >>> len(list(csv.DictReader(path.read_text().splitlines())))
      3
    """
    cols = _columns(description)
    name = os.fspath(path)
    if name.endswith(".json"):
        with open(name, "w", encoding="utf-8") as f:
            json.dump({k: v.tolist() for k, v in cols.items()}, f, indent=1, allow_nan=True)
            f.write("\n")
        return
    if not name.endswith(".csv"):
        raise ValueError(f"write_description: path must end in .csv or .json, got {name!r}")
    rows = zip(*(c.tolist() for c in cols.values())) if cols else iter(())
    with open(name, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(list(cols))
        for row in rows:
            writer.writerow([("true" if v else "false") if isinstance(v, bool) else repr(v) for v in row])
