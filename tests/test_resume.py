"""Resuming from a checkpoint replays the uninterrupted run bit for bit (issue #14).

examples/grain_loading.py runs three times, each in its own process: uninterrupted for 6
steps; stopped after step 3 with a checkpoint (Orbax model and optimizer state, Grain's
iterator state and seed, the run's key and step, the pipeline's configuration); resumed from that
checkpoint in a fresh process. Each run records, per step, digests of Grain's uint8 batch and
of the augmented batch the step's key draws, and the loss as float.hex(): the records must be
equal line for line. The three processes share a JAX compilation cache (the same programs,
compiled once) to keep the test near 20 single-core seconds.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "grain_loading.py"
STEPS, STOP = 6, 3


def _run(tmp_path, record, *flags):
    env = dict(
        os.environ,
        JAX_COMPILATION_CACHE_DIR=str(tmp_path / "jax_cache"),
        JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0",
        JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="0",
        # One thread: less CPU spent spinning on a busy CI machine (all three runs alike).
        XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
    )
    command = [sys.executable, str(EXAMPLE), "--steps", str(STEPS), "--batch-size", "8", "--train-only", "--record", str(record), *flags]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_resumed_run_gives_the_uninterrupted_batches_and_losses_bit_for_bit(tmp_path):
    uninterrupted, interrupted = tmp_path / "uninterrupted.jsonl", tmp_path / "interrupted.jsonl"
    checkpoints = ["--checkpoint-dir", str(tmp_path / "ckpt")]
    _run(tmp_path, uninterrupted)
    stopped = _run(tmp_path, interrupted, *checkpoints, "--checkpoint-every", str(STOP), "--stop-after", str(STOP))
    assert f"stopped after step {STOP}" in stopped
    assert len(_rows(interrupted)) == STOP
    # The seed given on the command line is ignored: the checkpoint's seed, key and step win.
    resumed = _run(tmp_path, interrupted, *checkpoints, "--resume", "--seed", "5")
    assert f"resumed from step {STOP}" in resumed

    expected, got = _rows(uninterrupted), _rows(interrupted)
    assert [r["step"] for r in got] == list(range(STEPS))
    for want, have in zip(expected, got):
        assert have == want, f"step {want['step']} differs after resuming: {have} != {want}"
    # The steps differ from one another (a stuck iterator or key would repeat them).
    assert len({r["batch"] for r in got}) == STEPS and len({r["augmented"] for r in got}) == STEPS
