"""Augment a real 12-lead ECG and plot it lead by lead, original against augmented.

The recording ships inside pydicom (10 s, 12 leads, 1000 Hz), so this runs offline:

    pip install -e '.[examples]'
    python examples/ecg_augmentation.py --out ecg.png
"""

from __future__ import annotations

import argparse

import jax
import jax.numpy as jnp
import numpy as np

import jaxaug as ja
from jaxaug import signal

LEADS = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]


def load_ecg() -> tuple[np.ndarray, float]:
    """The 12-lead ECG from pydicom's test data, (T, 12) in microvolts, and its rate in Hz."""
    import pydicom
    from pydicom.data import get_testdata_file

    ds = pydicom.dcmread(get_testdata_file("waveform_ecg.dcm"))
    rate = float(ds.WaveformSequence[0].SamplingFrequency)
    return ds.waveform_array(0).astype(np.float32), rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="ecg_augmentation.png", help="PNG to write")
    parser.add_argument("--seconds", type=float, default=4.0, help="how much of the recording to plot")
    parser.add_argument("--quick", action="store_true", help="plot 2 s (for the test suite)")
    args = parser.parse_args()

    ecg, fs = load_ecg()
    print(f"ECG: {ecg.shape[0]} samples x {ecg.shape[1]} leads at {fs:.0f} Hz")
    augment = jax.jit(ja.batch(lambda k, x: signal.augment_ecg(k, x, p=1.0, fs=fs, noise_std=0.05, wander_amplitude=0.3)))
    # Three independent draws of the same recording: one key, a draw per example.
    views = np.asarray(augment(jax.random.key(0), jnp.stack([jnp.asarray(ecg)] * 3)))

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seconds = 2.0 if args.quick else args.seconds
    n = int(seconds * fs)
    t = np.arange(n) / fs
    fig, axes = plt.subplots(6, 2, figsize=(14, 12), sharex=True)
    for lead, ax in enumerate(axes.T.ravel()):
        ax.plot(t, ecg[:n, lead] / 1000, color="black", lw=1.0, label="original")
        ax.plot(t, views[0, :n, lead] / 1000, color="tab:red", lw=0.8, alpha=0.8, label="augmented")
        ax.set_ylabel(f"{LEADS[lead]} (mV)")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(loc="upper right")
    for ax in axes[-1]:
        ax.set_xlabel("time (s)")
    fig.suptitle("jaxaug.signal.augment_ecg on pydicom's 12-lead ECG: noise, baseline wander, time scaling")
    fig.tight_layout()
    fig.savefig(args.out, dpi=80)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
