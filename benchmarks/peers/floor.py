"""The memory floor: read the uint8 batch, write a float32 batch; nothing else."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from harness import SIZE, Config, Row, bench_jax, channels_of, make_images

NAME = "floor"
ORDER = 20  # position in the run and the table's tie-break


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """What memory allows: read the uint8 batch, write a fresh float32 224x224 batch."""

    def floor(key: jax.Array, x: jax.Array) -> jax.Array:
        del key
        return x[:, :SIZE, :SIZE, :].astype(jnp.float32) * (1.0 / 255.0)

    rows = []
    for channels in sorted({channels_of(p) for p in pipelines}, reverse=True):
        x = jnp.asarray(make_images(cfg.batch, channels))
        row = bench_jax(f"floor {channels}ch", "jit slice + convert", floor, (x,), cfg)
        moved = cfg.batch * SIZE * SIZE * channels * (1 + 4)  # bytes read + written
        row.notes = f"no augmentation; {moved / (row.batch_ms / 1e3) / 1e9:.1f} GB/s read + written"
        rows.append(row)
    return rows
