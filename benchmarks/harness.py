"""The benchmark harness: what a row is, how a call is timed, the shared inputs.

Every peer module in `benchmarks/peers/` builds its rows with these helpers, so each library
is timed the same way (see run.py for how the rows are collected and reported)."""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import jax
import numpy as np

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
SIDE = 256  # input images are SIDE x SIDE uint8
SIZE = 224  # output images are SIZE x SIZE float32
PIPELINES = ("imagenet", "xray", "pathology")
CHUNK = 8  # ja.batch(..., chunk_size=CHUNK): the CPU setting benchmarks/README.md recommends
CHUNKED = f"jaxaug, chunk_size={CHUNK}"
MIX_FLOOR = "floor f32 copy"


@dataclass
class Config:
    """How long to measure.

    Attributes:
      batch: images per call.
      repeats: most timed calls per row.
      budget_s: stop timing a row after this many seconds (at least `min_repeats` calls).
      warmup: untimed calls after the first.
      min_repeats: fewest timed calls per row.
    """

    batch: int = 128
    repeats: int = 15
    budget_s: float = 8.0
    warmup: int = 2
    min_repeats: int = 3


@dataclass
class Row:
    """One line of the results table.

    Attributes:
      pipeline: which pipeline (imagenet, xray, pathology, mixup, ...).
      impl: the implementation, e.g. "jaxaug" or "torchvision v2, per image".
      items_s: items (images, ECGs) per second, median of the timed calls.
      batch_ms: median milliseconds per batch.
      cpu_ms: process CPU time (all threads) per timed call, mean; cpu_ms / batch_ms is the
        number of cores kept busy.
      compile_s: first call minus a steady call (JAX rows), else None.
      memory: peak memory text, e.g. "154 MB (xla)".
      faults_k: thousands of minor page faults per timed call (fresh memory touched).
      notes: semantic differences and caveats.
      bytes_per_item: bytes XLA's cost analysis says the compiled call reads and writes, per
        item (JAX rows): the sum over its operations, so traffic a fused loop keeps in cache
        still counts; on an accelerator augmentation is memory-bound and this ranks pipelines.
      floor_bytes_per_item: input plus output bytes per item, what any implementation moves.
    """

    pipeline: str
    impl: str
    items_s: float | None = None
    batch_ms: float | None = None
    cpu_ms: float | None = None
    compile_s: float | None = None
    memory: str = ""
    faults_k: float | None = None
    notes: str = ""
    bytes_per_item: float | None = None
    floor_bytes_per_item: float | None = None

    @property
    def items_per_cpu_s(self) -> float | None:
        """Items per second of CPU time (all threads): what a data-loading budget pays for."""
        if not self.cpu_ms or not self.items_s or not self.batch_ms:
            return None
        items = self.items_s * self.batch_ms / 1e3
        return items / (self.cpu_ms / 1e3)


# --- measuring ------------------------------------------------------------------------------


class RssPeak:
    """Peak resident memory above the starting level, sampled every millisecond in a thread."""

    def __init__(self) -> None:
        try:
            import psutil

            self._process = psutil.Process()
        except ImportError:
            self._process = None
        self.peak_mb: float | None = None

    def _rss(self) -> int:
        return self._process.memory_info().rss

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._max = max(self._max, self._rss())
            time.sleep(0.001)

    def __enter__(self) -> RssPeak:
        if self._process is not None:
            self._start = self._max = self._rss()
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._process is not None:
            self._stop.set()
            self._thread.join()
            self._max = max(self._max, self._rss())
            self.peak_mb = (self._max - self._start) / 1e6


def cpu_seconds() -> float:
    """User + system CPU time of this process, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def time_step(step: Callable[[int], Any], cfg: Config) -> tuple[float, list[float], float | None, float, float]:
    """Time `step(i)`: the first call, then warm-up, then timed calls.

    Args:
      step: runs one batch for call number i and waits for the result.
      cfg: repeats and time budget.

    Returns:
      (seconds of the first call, seconds of each timed call, peak RSS rise in MB during the
      first call or None without psutil, thousands of minor page faults per timed call, CPU
      milliseconds per timed call).
    """
    with RssPeak() as rss:
        t0 = time.perf_counter()
        step(0)
        first = time.perf_counter() - t0
    for i in range(cfg.warmup):
        step(1 + i)
    times: list[float] = []
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    cpu = cpu_seconds()
    start = time.perf_counter()
    while len(times) < cfg.repeats:
        t0 = time.perf_counter()
        step(1 + cfg.warmup + len(times))
        times.append(time.perf_counter() - t0)
        if len(times) >= cfg.min_repeats and time.perf_counter() - start > cfg.budget_s:
            break
    cpu_ms = 1e3 * (cpu_seconds() - cpu) / len(times)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    return first, times, rss.peak_mb, faults / len(times) / 1e3, cpu_ms


def bench_jax(
    pipeline: str,
    impl: str,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    cfg: Config,
    notes: str = "",
    items: int | None = None,
    loop_trips: int = 1,
) -> Row:
    """Time ``jax.jit(fn)(key, *args)`` with a new key per call.

    The first call lowers, compiles and runs; compile time is that minus the median steady
    call. Memory is XLA's own account of the compiled program: temporaries plus outputs.

    Args:
      pipeline, impl, notes: labels for the row.
      fn: ``fn(key, *args)``, a batched function.
      args: its arguments after the key (arrays already on the device).
      cfg: how long to measure.
      items: items per call (default: the leading axis of args[0]).
      loop_trips: how many times the call's outer loop runs (``ja.batch`` with a chunk size
        loops over the chunks); XLA's cost analysis counts a loop body once, so its bytes are
        multiplied by this.

    Returns:
      The filled Row.
    """
    keys = jax.random.split(jax.random.key(0), cfg.warmup + cfg.repeats + 1)
    compiled = {}

    def step(i: int) -> None:
        if "fn" not in compiled:
            compiled["fn"] = jax.jit(fn).lower(keys[i], *args).compile()
        jax.block_until_ready(compiled["fn"](keys[i], *args))

    first, times, _, faults_k, cpu_ms = time_step(step, cfg)
    median = statistics.median(times)
    items = items if items is not None else args[0].shape[0]
    memory = ""
    analysis = compiled["fn"].memory_analysis()
    if analysis is not None:
        memory = f"{(analysis.temp_size_in_bytes + analysis.output_size_in_bytes) / 1e6:.0f} MB (xla)"
    accessed, floor = bytes_moved(compiled["fn"], args)
    row = Row(pipeline, impl, items / median, 1e3 * median, cpu_ms, first - median, memory, faults_k, notes)
    row.bytes_per_item = None if accessed is None else accessed * loop_trips / items
    row.floor_bytes_per_item = floor / items
    return row


def bytes_moved(compiled: Any, args: tuple[Any, ...]) -> tuple[float | None, float]:
    """(bytes XLA's cost analysis counts for one call, input + output bytes of that call).

    The key is left out of the floor: it is a few bytes per call.
    """
    floor = sum(x.nbytes for x in jax.tree.leaves(args))
    floor += sum(math.prod(o.shape) * np.dtype(o.dtype).itemsize for o in jax.tree.leaves(compiled.out_info))
    analysis = compiled.cost_analysis()
    if isinstance(analysis, (list, tuple)):
        analysis = analysis[0] if analysis else None
    accessed = None if not analysis else analysis.get("bytes accessed")
    return accessed, floor


def bench_eager(pipeline: str, impl: str, run_once: Callable[[], Any], items: int, cfg: Config, notes: str = "") -> Row:
    """Time an eager (torch, numpy) batch function; memory is the RSS rise during the first call."""
    first, times, rss_mb, faults_k, cpu_ms = time_step(lambda i: run_once(), cfg)
    median = statistics.median(times)
    memory = "" if rss_mb is None else f"{rss_mb:.0f} MB (rss)"
    return Row(pipeline, impl, items / median, 1e3 * median, cpu_ms, None, memory, faults_k, notes)


def skipped(pipeline: str, impl: str, why: str) -> Row:
    """A row for something that could not run; `why` goes in the notes."""
    return Row(pipeline, impl, notes=f"skipped: {why}")


def process_failure(done: subprocess.CompletedProcess) -> str:
    """Why a child process gave no result: its exit code and the last line it printed to stderr."""
    why = (done.stderr.strip().splitlines() or ["no output"])[-1][:120]
    return f"process failed ({done.returncode}): {why}"


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment with benchmarks/ on PYTHONPATH, so that a script under
    peers/ run as a child imports harness and peers; plus `extra` variables."""
    here = os.path.dirname(os.path.abspath(__file__))
    return {**os.environ, "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")]), **extra}


def pin_to_one_core() -> None:
    """Pin this process to one core; call it before JAX (or torch) starts its thread pool."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def rows_from_child(
    command: Callable[[str], list[str]], on_failure: Callable[[str], list[Row]], env: dict[str, str] | None = None
) -> list[Row]:
    """Run ``command(rows_path)`` in a fresh process and return the rows it wrote to rows_path
    as JSON (a list of Row fields); ``on_failure(why)`` if it wrote none."""
    with tempfile.TemporaryDirectory() as tmp:
        rows_path = os.path.join(tmp, "rows.json")
        done = subprocess.run(command(rows_path), capture_output=True, text=True, env=env)
        if done.returncode != 0 or not os.path.exists(rows_path):
            return on_failure(process_failure(done))
        with open(rows_path) as f:
            return [Row(**row) for row in json.load(f)]


def guarded(pipeline: str, impl: str, run: Callable[[], Row]) -> Row:
    """Run one benchmark; an error becomes a skipped row instead of ending the script."""
    try:
        return run()
    except Exception as err:  # noqa: BLE001 - a peer's failure must not stop the others
        return skipped(pipeline, impl, f"{type(err).__name__}: {str(err).splitlines()[0][:120]}")


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run torch and OpenCV on one thread, as in a DataLoader worker, then restore.

    Per-image loops with several intra-op threads spend their time in thread hand-offs, and
    collapse when another process holds a core (we saw 0.9 s become 70 s per batch).
    """
    saved = {}
    try:
        import torch

        saved["torch"] = torch.get_num_threads()
        torch.set_num_threads(1)
    except ImportError:
        pass
    try:
        import cv2

        saved["cv2"] = cv2.getNumThreads()
        cv2.setNumThreads(1)
    except ImportError:
        pass
    try:
        yield
    finally:
        if "torch" in saved:
            torch.set_num_threads(saved["torch"])
        if "cv2" in saved:
            cv2.setNumThreads(saved["cv2"])


# --- data -----------------------------------------------------------------------------------


def make_images(batch: int, channels: int) -> np.ndarray:
    """Random uint8 (batch, 256, 256, channels) images; the content does not change the work."""
    return np.random.default_rng(channels).integers(0, 256, (batch, SIDE, SIDE, channels), dtype=np.uint8)


def channels_of(pipeline: str) -> int:
    return 1 if pipeline == "xray" else 3
