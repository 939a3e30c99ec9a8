"""Throughput of jaxaug's presets next to the libraries people would otherwise use.

Run ``python benchmarks/run.py`` (``--quick`` for a smoke run under a minute). It prints a
markdown table and writes it, with machine info, versions and the date, to
``benchmarks/RESULTS.md``. Peers are measured only if importable (see benchmarks/README.md);
speed is measured here and never asserted in tests.

Every row times one call on a whole batch: jaxaug and other JAX rows are ``jax.jit`` of a
per-example pipeline under ``vmap`` (``ja.batch``), called with a fresh key each time and
waited on with ``block_until_ready``; torch rows run eagerly on CPU. images/s is the batch size
over the median of the timed calls, after warm-up.
"""


from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import pkgutil
import platform
import subprocess
import sys
import time
from dataclasses import asdict
from typing import Any

import jax

import jaxaug as ja
import peers
from harness import CHUNK, CHUNKED, MIX_FLOOR, PIPELINES, SIDE, SIZE, Config, Row, channels_of, rows_from_child, skipped

def add_ratios(rows: list[Row]) -> dict[int, str]:
    """jaxaug items/s over each other row's items/s, for rows of the same pipeline."""
    jaxaug_speed = {r.pipeline: r.items_s for r in rows if r.impl == "jaxaug" and r.items_s}
    chunked_speed = {r.pipeline: r.items_s for r in rows if r.impl == CHUNKED and r.items_s}
    ratios = {}
    for i, r in enumerate(rows):
        if not r.items_s:
            continue
        if r.pipeline == MIX_FLOOR:
            same = [s for p, s in jaxaug_speed.items() if p.startswith(("mixup", "cutmix"))]
            ratios[i] = " / ".join(f"{s / r.items_s:.3f}" for s in same)
        elif r.pipeline.startswith("floor"):
            channels = int(r.pipeline.split()[1][0])
            same = [s for p, s in jaxaug_speed.items() if channels_of(p) == channels and p in PIPELINES]
            ratios[i] = " / ".join(f"{s / r.items_s:.3f}" for s in same)
        elif r.pipeline in jaxaug_speed:
            ratios[i] = f"{jaxaug_speed[r.pipeline] / r.items_s:.2f}"
            if r.pipeline in chunked_speed:
                ratios[i] += f" / {chunked_speed[r.pipeline] / r.items_s:.2f}"
    return ratios


# The rows jaxaug's items per CPU-second is compared with, by the short name the table shows.
PER_ITEM_PEERS = {"albu": "albumentations, per image", "torc": "torchvision v2, per image", "MONAI": "MONAI, per volume"}


def cpu_ratios(rows: list[Row]) -> dict[int, str]:
    """On jaxaug rows: its items per CPU-second over albumentations', torchvision's and MONAI's."""
    peer_speed = {
        (r.pipeline, peer): r.items_per_cpu_s for r in rows for peer, impl in PER_ITEM_PEERS.items() if r.impl == impl and r.items_per_cpu_s
    }
    ratios = {}
    for i, r in enumerate(rows):
        if not r.impl.startswith("jaxaug") or not r.items_per_cpu_s:
            continue
        parts = [f"{r.items_per_cpu_s / peer_speed[r.pipeline, p]:.2f}x {p}" for p in PER_ITEM_PEERS if (r.pipeline, p) in peer_speed]
        ratios[i] = ", ".join(parts)
    return ratios


def bytes_text(r: Row) -> str:
    """XLA's bytes per item, the floor, and their ratio (JAX rows)."""
    if r.bytes_per_item is None or not r.floor_bytes_per_item:
        return ""
    return f"{r.bytes_per_item / 1e6:.2f} MB / {r.floor_bytes_per_item / 1e6:.2f} MB ({r.bytes_per_item / r.floor_bytes_per_item:.1f}x)"


def fmt(value: float | None, spec: str) -> str:
    return "" if value is None else format(value, spec)


def table(rows: list[Row]) -> str:
    """The rows as a markdown table."""
    ratios, per_cpu = add_ratios(rows), cpu_ratios(rows)
    lines = [
        "| pipeline | implementation | items/s | ms/batch | CPU ms/batch | items per CPU-s | jaxaug per CPU-s | compile s "
        "| bytes/item (xla / floor) | peak memory | page faults/call | jaxaug x | notes |",
        "|---|---|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---|",
    ]
    for i, r in enumerate(rows):
        lines.append(
            f"| {r.pipeline} | {r.impl} | {fmt(r.items_s, '.0f')} | {fmt(r.batch_ms, '.1f')} | {fmt(r.cpu_ms, '.0f')} | "
            f"{fmt(r.items_per_cpu_s, '.0f')} | {per_cpu.get(i, '')} | {fmt(r.compile_s, '.2f')} | {bytes_text(r)} | {r.memory} | "
            f"{fmt(r.faults_k, '.1f')}{'k' if r.faults_k is not None else ''} | {ratios.get(i, '')} | {r.notes} |"
        )
    return "\n".join(lines)


def cpu_model() -> str:
    """The CPU's model name, with its widest vector extensions (Linux), else what platform knows."""
    model, flags = platform.processor() or platform.machine(), []
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                if line.startswith("flags"):
                    flags = [x for x in ("avx2", "fma", "avx512f") if x in line.split()]
                    break
    except OSError:
        pass
    return f"{model} ({', '.join(flags)})" if flags else model


def jaxaug_commit() -> str:
    """The git commit of the jaxaug checkout measured, "+dirty" with uncommitted changes."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(ja.__file__)))
    try:
        commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "jaxaug"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def versions() -> str:
    """Versions of Python and every library measured (those importable)."""
    out = [f"python {platform.python_version()}", f"jaxaug git {jaxaug_commit()}"]
    for module in ("jaxaug", "jax", "jaxlib", "numpy", "dm_pix", "augmax", "torch", "torchvision", "kornia", "albumentations", "cv2", "timm"):
        try:
            out.append(f"{module} {importlib.import_module(module).__version__}")
        except Exception:  # noqa: BLE001 - not installed, or no __version__
            pass
    return ", ".join(out)


def machine() -> str:
    """CPU model, cores, memory, load and thread settings."""
    info = [f"CPU: {cpu_model()}", f"logical cores: {os.cpu_count()}"]
    try:
        import psutil

        info.append(f"physical cores: {psutil.cpu_count(logical=False)}")
        info.append(f"memory: {psutil.virtual_memory().total / 2**30:.0f} GiB")
    except ImportError:
        pass
    if hasattr(os, "getloadavg"):
        info.append("load average at start: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    info.append(f"JAX devices: {jax.devices()}")
    try:
        import torch

        info.append(f"torch threads: {torch.get_num_threads()}")
    except ImportError:
        pass
    info.append(f"OS: {platform.platform()}")
    # Fresh output and temporary buffers arrive as new pages on every call; how many faults
    # that costs depends on the allocator's settings (benchmarks/README.md, Columns).
    info.append(f"GLIBC_TUNABLES: {os.environ.get('GLIBC_TUNABLES') or '(unset: glibc defaults)'}")
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            info.append(f"transparent huge pages: {f.read().strip()}")
    except OSError:
        pass
    return "\n".join(f"- {line}" for line in info)


def report(rows: list[Row], cfg: Config, argv: list[str], machine_text: str, elapsed_s: float) -> str:
    """RESULTS.md: how it was run, on what, and the table."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""# jaxaug benchmark results

Generated by `{' '.join(['python benchmarks/run.py', *argv])}` on {now} in {elapsed_s:.0f} s.
Batch {cfg.batch} of uint8 {SIDE}x{SIDE}x3 (x1 for X-ray) -> float32 {SIZE}x{SIZE}; mixup/cutmix on
float32 {SIZE}x{SIZE}x3; ECG on {2 * cfg.batch} x (5000, 12) float32. Up to {cfg.repeats} timed calls
(at most ~{cfg.budget_s:.0f} s per row) after {cfg.warmup} warm-up calls; the median is reported.

## Machine

{machine_text}

## Versions

{versions()}

## Results

{table(rows)}

How to read it:
- items/s = batch / median seconds per call. JAX rows wait with `block_until_ready`.
- compile s = first call (lower + compile + run) minus the median call; JAX rows only.
- peak memory: "(xla)" is XLA's memory analysis of the compiled program (temporaries +
  outputs, inputs excluded); "(rss)" is the rise of the process's resident memory during the
  first call, sampled every millisecond with psutil. They are not the same measure.
- jaxaug x = jaxaug items/s over this row's items/s for the same pipeline (> 1: jaxaug is
  faster); "a / b" gives it for `ja.batch(preset)` (vmap of the whole batch) / `ja.batch(preset,
  chunk_size={CHUNK})`. On a floor row it is jaxaug's (vmap) fraction of the floor (imagenet /
  pathology for 3ch; on the f32 copy row, each mixup / cutmix row in table order).
- Per-image rows run in one process on one thread (torch and OpenCV), as a DataLoader worker
  does; W workers multiply them by up to W (this machine has {os.cpu_count()} logical cores).
  Batch rows (JAX, torch on a batch) use every core they are given.
- CPU ms/batch is the process's CPU time per call; over ms/batch it is the cores kept busy.
  items per CPU-s = items per call / CPU seconds per call: what a data-loading budget pays
  for. "jaxaug per CPU-s" gives, on jaxaug rows, that figure over albumentations' (albu) and
  torchvision's (torc) per-image rows for the same pipeline, and over MONAI's per-volume row for
  the 3-D pipeline (> 1: jaxaug does more per CPU-second).
- The 3-D row (`--only volumes`) runs benchmarks/volume.py's pipeline, each library in its own
  process; MONAI and TorchIO run in this interpreter or in `BENCH_TORCH_PYTHON`.
- bytes/item: what XLA's cost analysis of the compiled call counts as read and written (the
  sum over its operations), per item, next to the floor (input + output bytes per item) and
  their ratio. Device-independent: on an accelerator augmentation is memory-bound, so this
  ranks pipelines before a GPU is measured.
- Each `--only` entry (a library, or jaxaug's group of rows) runs in a fresh process, so no row
  inherits another library's allocator state (`--in-process`: all in this one).
- page faults/call: minor faults per call; XLA allocates outputs and temporaries afresh on every
  call and large buffers arrive as new pages (see benchmarks/README.md).
- See benchmarks/README.md for what each row runs and how semantics differ.
"""


ROW_ORDER = (*PIPELINES, "mixup (batch)", "mixup (per example)", "cutmix (batch)", "cutmix (per example)", "ecg (5000x12)", "volume 128^3 -> 96^3")


def order(row: Row) -> tuple[int, str, int]:
    """Presets first, then mix and ECG rows, anything else, floors last; jaxaug first in each."""
    rank = ROW_ORDER.index(row.pipeline) if row.pipeline in ROW_ORDER else 90 if row.pipeline.startswith("floor") else 80
    return (rank, row.pipeline, 0 if row.impl == "jaxaug" else 1 if row.impl.startswith("jaxaug") else 2)


def discover_peers() -> dict[str, Any]:
    """Every module in benchmarks/peers/ that defines NAME and run(cfg, pipelines), by ORDER.

    A new peer or pipeline is one file there; nothing here names it.
    """
    found = []
    for info in pkgutil.iter_modules(peers.__path__):
        module = importlib.import_module(f"peers.{info.name}")
        found.append((getattr(module, "ORDER", 50), module.NAME, module.run))
    return {name: run for _, name, run in sorted(found)}


PEERS = discover_peers()
QUICK = ("jaxaug", "floor", "naive", "augmax", "torchvision", "kornia", "albumentations")

def run_isolated(name: str, args: argparse.Namespace) -> list[Row]:
    """Run one entry of PEERS in a fresh Python process and return its rows.

    Every library starts from the same state: glibc hands large buffers back to the kernel or
    keeps them on its heap depending on what ran before in the process, and a row that followed
    other libraries' rows measured 0 page faults per call where, alone, it paid ~19k per
    buffer (benchmarks/README.md). A training process runs one augmentation library, so each
    is measured alone.
    """
    def command(rows_path: str) -> list[str]:
        command = [sys.executable, os.path.abspath(__file__), "--in-process", "--rows-json", rows_path, "--only", name, "--batch", str(args.batch)]
        if args.quick:
            command.append("--quick")
        if args.pipelines:
            command += ["--pipelines", args.pipelines]
        return command

    return rows_from_child(command, lambda why: [skipped(name, name, why)])


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, run the selected benchmarks, print and write the table."""
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two timed calls, ImageNet rows and the floor only (unless --pipelines/--only); under a minute")
    parser.add_argument("--batch", type=int, default=128, help="images per call (default 128)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md"), help="markdown report (default benchmarks/RESULTS.md)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(PEERS)}")
    parser.add_argument("--pipelines", default="", help="comma-separated subset of " + ",".join(PIPELINES) + " (default: all; --quick: imagenet)")
    parser.add_argument("--in-process", action="store_true", help="run every entry in this process (default: a fresh process per --only entry)")
    parser.add_argument("--rows-json", default="", help=argparse.SUPPRESS)  # how run_isolated collects a child's rows
    args = parser.parse_args(argv)

    cfg = Config(batch=args.batch)
    if args.quick:
        cfg = Config(batch=args.batch, repeats=2, budget_s=1.0, warmup=0, min_repeats=2)
    pipelines = tuple(p for p in args.pipelines.split(",") if p) or (("imagenet",) if args.quick else PIPELINES)
    unknown = [p for p in pipelines if p not in PIPELINES]
    if unknown:
        parser.error(f"unknown pipelines {unknown}; choose from {PIPELINES}")
    only = [o for o in args.only.split(",") if o] or list(QUICK if args.quick else PEERS)
    unknown = [o for o in only if o not in PEERS]
    if unknown:
        parser.error(f"unknown --only entries {unknown}; choose from {list(PEERS)}")

    if args.rows_json:
        rows = [row for name in only for row in PEERS[name](cfg, pipelines)]
        with open(args.rows_json, "w") as f:
            json.dump([asdict(row) for row in rows], f)
        return

    machine_text = machine()  # before the run, so the load average is the background load
    start = time.perf_counter()
    rows = []
    for name in only:
        print(f"[{time.perf_counter() - start:5.1f}s] {name} ...", file=sys.stderr, flush=True)
        rows.extend(PEERS[name](cfg, pipelines) if args.in_process else run_isolated(name, args))
    rows.sort(key=order)
    elapsed = time.perf_counter() - start

    print(table(rows))
    with open(args.out, "w") as f:
        f.write(report(rows, cfg, argv, machine_text, elapsed))
    print(f"\nwrote {args.out} ({elapsed:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
