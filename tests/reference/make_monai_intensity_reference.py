"""Record MONAI 1.6.1 outputs of its intensity transforms for jaxaug.volume's tests.

The tests never import torch or MONAI: they read ``monai_intensity_reference.npz`` (written
next to this file). Run by hand, never by pytest, in a scratch virtualenv with
``monai==1.6.1`` (and torch)::

    /tmp/tvenv/bin/python tests/reference/make_monai_intensity_reference.py

Conventions
-----------
* Volumes are stored channel-last, (S0, S1, S2, C), as jaxaug takes them; MONAI is called on
  ``np.moveaxis(v, -1, 0)``, its (C, S0, S1, S2), as a torch float32 tensor.
* Inputs: ``in/mr`` (10, 12, 9, 2) float32, smooth and positive with a zero background band;
  ``in/ct`` (10, 12, 9, 1) int16 in Hounsfield units.
* Deterministic ops: ``<case>/out``.
* Random transforms are called with their random state replaced by ``Scripted``, which draws
  from a seeded numpy generator and records each value in the form jaxaug's ``apply`` takes it:
  every ``uniform(low, high)`` as its unit draw u (MONAI's value is ``low + (high - low) * u``),
  every ``randint`` as the integer, every ``normal(loc, scale)`` as its standard normal z.
  ``<case>/u``, ``<case>/int``, ``<case>/z<i>`` hold them; the test builds jaxaug's parameters
  from them and compares ``apply`` with ``<case>/out``.
* ``calls_json``: each case's MONAI call, as text.
"""

import json
from pathlib import Path

import monai
import numpy as np
import torch
from monai import transforms as T

assert monai.__version__ == "1.6.1", monai.__version__
OUT_PATH = Path(__file__).with_name("monai_intensity_reference.npz")
SHAPE = (10, 12, 9)


def make_inputs():
    i, j, k = np.meshgrid(*(np.arange(n, dtype=np.float64) for n in SHAPE), indexing="ij")
    smooth0 = 200 + 120 * np.sin(0.5 * i + 0.3 * j) + 60 * np.cos(0.7 * k - 0.2 * i)
    smooth1 = 80 + 50 * np.cos(0.4 * j - 0.6 * k) + 10 * i
    noise = np.random.default_rng(0).normal(0, 8, (*SHAPE, 2))
    mr = np.stack([smooth0, smooth1], -1) + noise
    mr[:2] = 0.0  # background: zeros for NormalizeIntensity(nonzero=True)
    mr = np.maximum(mr, 0.0).astype(np.float32)
    ct = (-1000 + 2500 * np.random.default_rng(1).uniform(size=(*SHAPE, 1)) ** 2).astype(np.int16)
    return mr, ct


def chan_first(v):
    return torch.as_tensor(np.ascontiguousarray(np.moveaxis(v, -1, 0)))


def chan_last(t):
    return np.moveaxis(np.asarray(t, dtype=np.float64), 0, -1).astype(np.float32)


class Scripted:
    """A stand-in for MONAI's ``self.R`` that records each draw (see the module docstring)."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.u, self.ints, self.z = [], [], []

    def rand(self, *size):
        return 0.0  # the apply-or-not draw: always applied

    def uniform(self, low=0.0, high=1.0, size=None):
        u = self.rng.uniform(size=size)
        self.u.extend(np.ravel(u).tolist())
        return low + (high - low) * u

    def randint(self, low, high=None, size=None):
        v = self.rng.integers(low, high, size=size)
        self.ints.extend(np.ravel(v).tolist())
        return v

    def normal(self, loc=0.0, scale=1.0, size=None):
        z = self.rng.standard_normal(size)
        self.z.append(z)
        return loc + scale * z


def main():
    mr, ct = make_inputs()
    out = {"in/mr": mr, "in/ct": ct}
    calls = {}

    def deterministic(name, transform, volume, call):
        out[f"{name}/out"] = chan_last(transform(chan_first(volume)))
        calls[name] = call

    def scripted(name, transform, volume, call, seed=0):
        transform.R = Scripted(seed)
        result = transform(chan_first(volume))
        out[f"{name}/out"] = chan_last(result)
        out[f"{name}/u"] = np.asarray(transform.R.u, np.float64)
        out[f"{name}/int"] = np.asarray(transform.R.ints, np.int64)
        for i, z in enumerate(transform.R.z):
            out[f"{name}/z{i}"] = np.asarray(z, np.float32)
        calls[name] = call
        return transform

    # Windows (the 2-D op reused on volumes).
    deterministic("window_lung", T.ScaleIntensityRange(-1350, 150, 0.0, 1.0, clip=True), ct, "ScaleIntensityRange(-1350, 150, 0, 1, clip=True)")
    deterministic("window_soft", T.ScaleIntensityRange(-160, 240, 0.0, 1.0, clip=True), ct, "ScaleIntensityRange(-160, 240, 0, 1, clip=True)")
    deterministic("window_unclipped", T.ScaleIntensityRange(-500, 700, -1.0, 1.0), ct, "ScaleIntensityRange(-500, 700, -1, 1)")
    # NormalizeIntensity.
    deterministic("normalize_default", T.NormalizeIntensity(), mr, "NormalizeIntensity()")
    deterministic("normalize_nonzero_channel", T.NormalizeIntensity(nonzero=True, channel_wise=True), mr, "NormalizeIntensity(nonzero=True, channel_wise=True)")
    deterministic("normalize_given", T.NormalizeIntensity(subtrahend=[100.0, 50.0], divisor=[40.0, 20.0], channel_wise=True), mr, "NormalizeIntensity([100, 50], [40, 20], channel_wise=True)")
    deterministic("normalize_ct", T.NormalizeIntensity(), ct, "NormalizeIntensity() on int16 CT")
    # Shift and scale.
    deterministic("shift", T.ShiftIntensity(7.5), mr, "ShiftIntensity(7.5)")
    deterministic("scale_minmax", T.ScaleIntensity(), mr, "ScaleIntensity()")
    deterministic("scale_minmax_channel", T.ScaleIntensity(-1.0, 2.0, channel_wise=True), mr, "ScaleIntensity(-1, 2, channel_wise=True)")
    deterministic("scale_factor", T.ScaleIntensity(None, None, factor=0.3), mr, "ScaleIntensity(None, None, factor=0.3)")
    # AdjustContrast.
    deterministic("contrast_0.7", T.AdjustContrast(0.7), mr, "AdjustContrast(0.7)")
    deterministic("contrast_2.5", T.AdjustContrast(2.5), mr, "AdjustContrast(2.5)")
    deterministic("contrast_1.8_invert_retain", T.AdjustContrast(1.8, invert_image=True, retain_stats=True), mr, "AdjustContrast(1.8, invert_image=True, retain_stats=True)")
    deterministic("contrast_ct_0.6", T.AdjustContrast(0.6), ct.astype(np.float32), "AdjustContrast(0.6) on CT as float32")
    # Gaussian filters.
    deterministic("smooth_1.0", T.GaussianSmooth(1.0), mr, "GaussianSmooth(1.0)")
    deterministic("smooth_0.6_1.3_0.35", T.GaussianSmooth((0.6, 1.3, 0.35)), mr, "GaussianSmooth((0.6, 1.3, 0.35))")
    deterministic("sharpen", T.GaussianSharpen((1.0, 0.7, 0.9), (0.5, 0.6, 0.4), 12.0), mr, "GaussianSharpen((1.0, 0.7, 0.9), (0.5, 0.6, 0.4), 12.0)")
    # k-space.
    for alpha in (0.0, 0.35, 0.8):
        deterministic(f"gibbs_{alpha}", T.GibbsNoise(alpha), mr, f"GibbsNoise({alpha})")
    cube = np.random.default_rng(2).uniform(size=(12, 12, 12, 1)).astype(np.float32)
    out["in/cube"] = cube
    deterministic("gibbs_cube_0.0", T.GibbsNoise(0.0), cube, "GibbsNoise(0.0) on a 12^3 cube")
    deterministic("spike_per_channel", T.KSpaceSpikeNoise(((0, 3, 4, 2), (1, 7, 1, 6)), (11.0, 9.5)), mr, "KSpaceSpikeNoise(((0, 3, 4, 2), (1, 7, 1, 6)), (11.0, 9.5))")
    # MONAI 1.6.1 fails to write its default per-channel intensities at one (X, Y, Z) location
    # ("can't assign a tuple to a torch.FloatTensor"); the same spike given per channel works.
    deterministic("spike_default", T.KSpaceSpikeNoise(((0, 2, 9, 5), (1, 2, 9, 5))), mr, "KSpaceSpikeNoise(((0, 2, 9, 5), (1, 2, 9, 5)))")

    # Random transforms with scripted draws.
    scripted("rand_gaussian_noise", T.RandGaussianNoise(prob=1.0, mean=0.2, std=5.0), mr, "RandGaussianNoise(1.0, mean=0.2, std=5.0)")
    scripted("rand_rician", T.RandRicianNoise(prob=1.0, mean=0.5, std=3.0), mr, "RandRicianNoise(1.0, mean=0.5, std=3.0)")
    scripted(
        "rand_rician_relative_channel",
        T.RandRicianNoise(prob=1.0, mean=(0.1, -0.2), std=(0.3, 0.05), channel_wise=True, relative=True),
        mr,
        "RandRicianNoise(1.0, mean=(0.1, -0.2), std=(0.3, 0.05), channel_wise=True, relative=True)",
    )
    scripted("rand_rician_relative", T.RandRicianNoise(prob=1.0, std=0.2, relative=True), mr, "RandRicianNoise(1.0, std=0.2, relative=True)")
    scripted("rand_shift_channel", T.RandShiftIntensity((-5.0, 12.0), prob=1.0, channel_wise=True), mr, "RandShiftIntensity((-5, 12), prob=1, channel_wise=True)")
    scripted("rand_scale", T.RandScaleIntensity(0.4, prob=1.0), mr, "RandScaleIntensity(0.4, prob=1)")
    scripted("rand_bias_3", T.RandBiasField(degree=3, coeff_range=(-0.2, 0.3), prob=1.0), mr, "RandBiasField(3, (-0.2, 0.3), prob=1)")
    scripted("rand_bias_2", T.RandBiasField(degree=2, coeff_range=(0.0, 0.5), prob=1.0), mr, "RandBiasField(2, (0, 0.5), prob=1)")
    scripted("rand_contrast", T.RandAdjustContrast(prob=1.0, gamma=(0.6, 3.0)), mr, "RandAdjustContrast(1.0, (0.6, 3.0))")
    scripted("rand_smooth", T.RandGaussianSmooth((0.3, 0.9), (0.5, 1.4), (0.2, 0.6), prob=1.0), mr, "RandGaussianSmooth((0.3, 0.9), (0.5, 1.4), (0.2, 0.6), prob=1)")
    scripted("rand_sharpen", T.RandGaussianSharpen(prob=1.0), mr, "RandGaussianSharpen(prob=1)")
    t = scripted("rand_histogram", T.RandHistogramShift((5, 9), prob=1.0), mr, "RandHistogramShift((5, 9), prob=1)", seed=1)
    out["rand_histogram/reference"] = np.asarray(t.reference_control_points, np.float64)
    out["rand_histogram/floating"] = np.asarray(t.floating_control_points, np.float64)
    scripted("rand_gibbs", T.RandGibbsNoise(prob=1.0, alpha=(0.2, 0.7)), mr, "RandGibbsNoise(1.0, (0.2, 0.7))")
    t = scripted("rand_spike_channel", T.RandKSpaceSpikeNoise(prob=1.0), mr, "RandKSpaceSpikeNoise(prob=1)")
    out["rand_spike_channel/loc"] = np.asarray(t.sampled_locs, np.int64)[:, 1:]
    t = scripted(
        "rand_spike_shared",
        T.RandKSpaceSpikeNoise(prob=1.0, intensity_range=(8.0, 12.0), channel_wise=False),
        mr,
        "RandKSpaceSpikeNoise(prob=1, intensity_range=(8, 12), channel_wise=False)",
    )
    out["rand_spike_shared/loc"] = np.asarray(t.sampled_locs, np.int64)[:, 1:]
    for name, kwargs in (
        ("rand_dropout", dict(holes=2, spatial_size=(2, 3, 2), max_holes=3, max_spatial_size=(4, 5, -1), fill_value=-7.0)),
        ("rand_dropout_keep", dict(holes=2, spatial_size=(3, 4, 3), dropout_holes=False, fill_value=1.5)),
    ):
        t = scripted(name, T.RandCoarseDropout(prob=1.0, **kwargs), mr, f"RandCoarseDropout(prob=1, **{kwargs})", seed=4)
        out[f"{name}/holes"] = np.asarray([[(s.start, s.stop) for s in h[1:]] for h in t.hole_coords], np.int64)

    out["calls_json"] = np.asarray(json.dumps(calls, indent=1))
    np.savez_compressed(OUT_PATH, **out)
    print(f"wrote {OUT_PATH} ({OUT_PATH.stat().st_size} bytes, {len(out)} arrays)")


if __name__ == "__main__":
    main()
