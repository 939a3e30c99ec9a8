"""The 3-D row: jaxaug.volume against MONAI and TorchIO on the pipeline of benchmarks/volume.py.

Each library runs in its own process through ``volume.py --only NAME``, so the row is the same
measurement as ``RESULTS_volume.md``. MONAI and TorchIO are not jaxaug dependencies: they run
in this interpreter if it has them, else in the one named by ``BENCH_TORCH_PYTHON`` (a scratch
virtualenv), else their rows say how to get them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

from harness import Config, Row, process_failure, skipped

NAME = "volumes"
ORDER = 90  # after the image peers: it starts its own processes
PIPELINE = "volume 128^3 -> 96^3"
VOLUMES = 16  # volumes per call (jaxaug) or per loop (the others), as volume.py's default
SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "volume.py")
IMPL = {"jaxaug": "jaxaug", "monai": "MONAI, per volume", "torchio": "TorchIO, per volume"}
NOTES = {
    "jaxaug": "one draw per volume, jit + vmap; trilinear image, nearest label",
    "monai": "dictionary transforms; 2 torch threads",
    "torchio": "its crop and quarter turn done with torch (it has none)",
}


def _python_for(module: str) -> str | None:
    """An interpreter that can import `module`: this one, or BENCH_TORCH_PYTHON."""
    if importlib.util.find_spec(module) is not None:
        return sys.executable
    return os.environ.get("BENCH_TORCH_PYTHON") or None


def _row(name: str, python: str, iters: int) -> Row:
    command = [python, SCRIPT, "--only", name, "--batch", str(VOLUMES), "--iters", str(iters)]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        return skipped(PIPELINE, IMPL[name], process_failure(done))
    result = json.loads(lines[-1][len("RESULT ") :])
    batch_ms = 1e3 * VOLUMES / result["volumes_per_s"]
    return Row(
        PIPELINE,
        IMPL[name],
        items_s=result["volumes_per_s"],
        batch_ms=batch_ms,
        cpu_ms=result["cpu_ms_per_volume"] * VOLUMES,
        compile_s=result.get("compile_s"),
        notes=f"items are volumes, {VOLUMES} per call; {NOTES[name]}",
    )


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """jaxaug, MONAI and TorchIO on the 3-D pipeline, each in a fresh process."""
    del pipelines  # the 3-D pipeline is its own; --only volumes selects it
    iters = 1 if cfg.repeats <= 2 else 5
    rows = []
    for name, module in (("jaxaug", "jaxaug"), ("monai", "monai"), ("torchio", "torchio")):
        python = _python_for(module)
        if python is None:
            rows.append(skipped(PIPELINE, IMPL[name], f"{module} not importable; pip install {module} or set BENCH_TORCH_PYTHON"))
            continue
        rows.append(_row(name, python, iters))
    return rows
