"""jaxaug's Mixup and CutMix, per batch and per example, and their memory floor."""

from __future__ import annotations

import functools
import importlib

import jax
import jax.numpy as jnp

from harness import MIX_FLOOR, SIZE, Config, Row, bench_jax, guarded, skipped

NAME = "mix"
ORDER = 80  # position in the run and the table's tie-break


def mix_batch(cfg: Config) -> jax.Array:
    """The float32 (batch, 224, 224, 3) batch that the jaxaug mixing rows and their floor take."""
    return jax.random.uniform(jax.random.key(1), (cfg.batch, SIZE, SIZE, 3))


def bench_mix_floor(cfg: Config) -> list[Row]:
    """What memory allows for mixing: read the float32 224x224x3 batch, write a fresh copy.

    Any out-of-place Mixup or CutMix reads the batch (and partners) and writes a new one, so
    no such implementation can be faster than this row.
    """
    x = mix_batch(cfg)
    row = bench_jax(MIX_FLOOR, "jit copy", lambda key, x: jnp.copy(x), (x,), cfg)
    moved = 2 * x.size * x.dtype.itemsize  # bytes read + written
    row.notes = f"no mixing; {moved / (row.batch_ms / 1e3) / 1e9:.1f} GB/s read + written"
    return [row]


def bench_jaxaug_mix(cfg: Config) -> list[Row]:
    """jaxaug.mix.mixup / cutmix on a float batch, if the module exists."""
    try:
        mix = importlib.import_module("jaxaug.mix")
    except ImportError:
        return [skipped("mixup/cutmix", "jaxaug", "jaxaug.mix not available yet")]
    x = mix_batch(cfg)
    y = jnp.arange(cfg.batch) % 1000
    rows = []
    for op, alpha in (("mixup", 0.4), ("cutmix", 1.0)):
        # The per-example mode was planned as "example"; the module may call it "elem" (timm's name).
        for label, modes in (("batch", ("batch",)), ("per example", ("example", "elem"))):
            name = f"{op} ({label})"
            fn = getattr(mix, op, None)
            if fn is None:
                rows.append(skipped(name, "jaxaug", f"jaxaug.mix.{op} missing"))
                continue
            for mode in modes:
                call = functools.partial(fn, alpha=alpha, num_classes=1000, mode=mode)
                row = guarded(name, "jaxaug", lambda: bench_jax(name, "jaxaug", call, (x, y), cfg, f"mode={mode!r}"))
                if row.items_s is not None:
                    break
            rows.append(row)
    return rows


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """The mixing rows and their floor (the image pipelines are not used)."""
    return bench_jaxaug_mix(cfg) + bench_mix_floor(cfg)
