"""Each operation of the RandAugment table alone, and the whole policies, in CPU ms per batch.

Run ``python benchmarks/policy_ops.py`` (issue #13). Every row is one compiled program
``lax.map`` over 128 uint8 224x224x3 images, one example at a time as ``ja.batch(policy,
chunk_size=1)`` runs them: uint8 -> float, the policy's op switch with the op index passed in
(traced, so the switch stays), float32 out. "Identity" is the loop and the conversions alone.
Rows take turns, a few calls each, and the table gives the median CPU ms per batch over the
rounds (CPU time is steadier than wall time on a shared machine).
"""

from __future__ import annotations

import argparse
import statistics
import sys

import jax
import jax.numpy as jnp
import numpy as np

import jaxaug as ja
from jaxaug import _policies
from jaxaug.image import _color
from harness import SIZE, cpu_seconds, make_images


def op_program(policy: _policies._Policy, image: jax.Array):
    """jit(op, magnitude, images): the policy's op applier on each image, one at a time."""
    apply = policy._applier(image[0], policy.ops)
    one = jnp.ones((1,), bool)

    def each(op, magnitude, img):
        x, _ = _policies._run_ops(apply, policy._start(img), None, op[None], magnitude[None], one)
        return _color._done(x, img)

    return jax.jit(lambda op, magnitude, images: jax.lax.map(lambda img: each(op, magnitude, img), images))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--ops", default="", help="comma-separated op names (default: all)")
    args = parser.parse_args()
    images = jnp.asarray(np.ascontiguousarray(make_images(args.batch, 3)[:, :SIZE, :SIZE]))
    policy = ja.RandAugment()
    table = _policies.magnitude_table(policy.ops, "rand", policy.num_magnitude_bins, SIZE, SIZE)
    program = op_program(policy, images)
    runs = {}
    names = [n for n in policy.ops if not args.ops or n in args.ops.split(",")]
    for name in names:
        i = policy.ops.index(name)
        op, mag = jnp.int32(i), jnp.float32(table[i, policy.magnitude])
        runs[name] = lambda op=op, mag=mag: program(op, mag, images)
    key = jax.random.key(0)
    for label, t in (("RandAugment", ja.RandAugment()), ("TrivialAugmentWide", ja.TrivialAugmentWide())):
        if not args.ops:
            f = jax.jit(ja.batch(t, chunk_size=1))
            runs[label] = lambda f=f: f(key, images)
    for run in runs.values():
        jax.block_until_ready(run())
    times = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, run in runs.items():
            start = cpu_seconds()
            for _ in range(args.calls):
                jax.block_until_ready(run())
            times[name].append((cpu_seconds() - start) / args.calls * 1e3)
    print("| op | CPU ms per batch (median) | min | max |")
    print("|---|---:|---:|---:|")
    for name, ts in times.items():
        print(f"| {name} | {statistics.median(ts):.0f} | {min(ts):.0f} | {max(ts):.0f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
