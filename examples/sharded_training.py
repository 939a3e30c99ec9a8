"""The jitted training step on a batch sharded over a simulated 8-device mesh.

Data parallelism with ``jax.sharding``: the batch is split over the "data" axis of the mesh,
the model is replicated, augmentation and mixing run on each device's shard (mixing partners
are drawn within the shard: ``groups=8``), and the gradient is averaged by XLA. On a machine
with 8 accelerators, drop the XLA_FLAGS line. For several hosts, fold the process index into
the key with ``ja.fold_in_process``.

    python examples/sharded_training.py --quick
"""

from __future__ import annotations

import argparse
import os

os.environ["XLA_FLAGS"] = os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=8"

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402
from flax import nnx  # noqa: E402
from jax.sharding import Mesh, NamedSharding, PartitionSpec  # noqa: E402

import jaxaug as ja  # noqa: E402
from jaxaug import mix, train  # noqa: E402


class Net(nnx.Module):
    def __init__(self, rngs: nnx.Rngs) -> None:
        self.conv = nnx.Conv(1, 8, (3, 3), rngs=rngs)
        self.head = nnx.Linear(16 * 16 * 8, 10, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.head(jax.nn.relu(self.conv(x)).reshape(x.shape[0], -1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="10 steps")
    parser.add_argument("--out", default="sharded_training.png", help="PNG of the loss curve")
    args = parser.parse_args()
    steps = 10 if args.quick else args.steps

    from sklearn.datasets import load_digits

    data = load_digits()
    images = np.asarray(jax.image.resize(jnp.asarray(data.images[..., None] / 16.0, jnp.float32), (len(data.images), 16, 16, 1), "linear"))
    labels = data.target

    mesh = Mesh(np.array(jax.devices()), ("data",))
    batch_sharding = NamedSharding(mesh, PartitionSpec("data"))
    print(f"{jax.device_count()} devices, batch sharded over mesh axis 'data'")

    model = Net(nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adam(2e-3), wrt=nnx.Param)
    step = train.make_train_step(
        augment=ja.RandomRotation(10, interpolation="bilinear"),
        mix=mix.Mixup(mixup_alpha=0.2, cutmix_alpha=1.0, num_classes=10, label_smoothing=0.0, groups=jax.device_count()),
        num_classes=10,
    )
    key = ja.fold_in_process(jax.random.key(0))  # one key per host in multi-host runs
    rng = np.random.default_rng(0)
    losses = []
    for i in range(steps):
        idx = rng.choice(len(images), 64, replace=False)
        x = jax.device_put(images[idx], batch_sharding)
        y = jax.device_put(labels[idx], batch_sharding)
        metrics = step(model, optimizer, jax.random.fold_in(key, i), (x, y))
        losses.append(float(metrics["loss"]))
        print(f"\rstep {i + 1}/{steps} loss {losses[-1]:.3f}", end="", flush=True)
    print()
    print(f"input sharding: {x.sharding.spec}; loss {losses[0]:.3f} -> {losses[-1]:.3f}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot(losses)
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (mixed targets)")
    ax.set_title(f"digits on {jax.device_count()} simulated devices")
    fig.tight_layout()
    fig.savefig(args.out, dpi=80)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
