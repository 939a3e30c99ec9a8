"""Augment a real clinical table: per-feature noise, natural bounds, frozen features, missingness.

scikit-learn's breast cancer data (569 patients, 30 measurements, all >= 0) ships with the
package, so this runs offline:

    pip install -e '.[examples]'
    python examples/tabular_augmentation.py --out tabular.png
"""

from __future__ import annotations

import argparse
import functools

import jax
import jax.numpy as jnp
import numpy as np

import jaxaug as ja
from jaxaug import tabular


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="tabular_augmentation.png", help="PNG to write")
    parser.add_argument("--quick", action="store_true", help="fewer rows (for the test suite)")
    args = parser.parse_args()

    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    X = np.asarray(data.data, np.float32)
    if args.quick:
        X = X[:100]
    # A binary flag we add ourselves, to show a frozen feature: it must never change.
    flag = (np.asarray(data.target[: len(X)]) == 1).astype(np.float32)[:, None]
    X = np.concatenate([X, flag], axis=1)
    names = [*data.feature_names, "benign flag"]
    frozen = [X.shape[1] - 1]

    scale = tabular.fit_scale(X)
    augment = functools.partial(
        tabular.augment,
        noise_std=0.2,
        dropout_prob=0.1,
        scale=scale,
        frozen=frozen,
        lower=0.0,  # every measurement here is a size, a count or a ratio: never negative
        bounds="redraw",
        fill="nan",
        return_mask=True,
    )
    out, missing = jax.jit(ja.batch(augment))(jax.random.key(0), jnp.asarray(X))
    out, missing = np.asarray(out), np.asarray(missing)

    observed = ~missing
    print(f"table: {X.shape[0]} patients x {X.shape[1]} features")
    print(f"missing after dropout: {missing.mean():.1%} (asked for 10%, frozen feature excluded)")
    print(f"values below the natural bound 0: {(out[observed] < 0).sum()}")
    print(f"frozen feature changed: {(out[:, frozen] != X[:, frozen]).sum()} times")
    change = np.nanmean(np.abs(out - X), axis=0) / np.maximum(np.asarray(scale), 1e-12)
    print(f"mean |change| / feature std: {np.nanmean(change[:-1]):.3f} (noise_std 0.2 -> about 0.16)")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for ax, f in zip(axes[:2], (0, 19)):
        ax.hist(X[:, f], bins=40, alpha=0.6, label="original", color="black")
        ax.hist(out[observed[:, f], f], bins=40, alpha=0.6, label="augmented", color="tab:red")
        ax.set_title(names[f])
        ax.legend()
    axes[2].imshow(missing[:60].T, aspect="auto", cmap="Greys", interpolation="nearest")
    axes[2].set_title("missingness mask (60 patients x features)")
    axes[2].set_xlabel("patient")
    axes[2].set_ylabel("feature")
    fig.tight_layout()
    fig.savefig(args.out, dpi=80)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
