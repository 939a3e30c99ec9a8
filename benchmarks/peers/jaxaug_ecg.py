"""jaxaug's ECG augmentation."""

from __future__ import annotations

import functools
import importlib

import jax

import jaxaug as ja
from harness import Config, Row, bench_jax, guarded, skipped

NAME = "ecg"
ORDER = 100  # position in the run and the table's tie-break


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """jaxaug.signal.augment_ecg per example on 2*batch ECGs of (5000, 12), if it exists."""
    try:
        signal = importlib.import_module("jaxaug.signal")
        augment_ecg = signal.augment_ecg
    except (ImportError, AttributeError):
        return [skipped("ecg (5000x12)", "jaxaug", "jaxaug.signal.augment_ecg not available yet")]
    x = jax.random.normal(jax.random.key(2), (2 * cfg.batch, 5000, 12))
    fn = ja.batch(functools.partial(augment_ecg, p=0.5, fs=500.0))
    return [guarded("ecg (5000x12)", "jaxaug", lambda: bench_jax("ecg (5000x12)", "jaxaug", fn, (x,), cfg, "items are ECGs"))]


# --- naive dm-pix port ------------------------------------------------------------------------
