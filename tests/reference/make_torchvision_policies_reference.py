"""Record torchvision's point ops, policy ops and policy draws for jaxaug's tests.

Writes ``torchvision_policies_reference.npz`` next to this file. Run by hand, never by pytest,
in the scratch virtualenv of ``make_torchvision_reference.py`` (torch==2.14.1,
torchvision==0.29.1)::

    /tmp/tvenv/bin/python tests/reference/make_torchvision_policies_reference.py

Contents
--------
* ``in_u8`` (14, 18, 3) uint8 and ``in_float`` (14, 18, 3) float32, ``in_gray_u8`` (14, 18, 1),
  ``in_big_u8`` / ``in_big_float`` (36, 40, 3) for equalize (large enough for a step of several
  levels): the inputs, HWC. Outputs are HWC float32 (uint8 results stored as their uint8 values).
* ``fn/<op>/<input>/<param>``: ``torchvision.transforms.v2.functional`` on an input.
* ``op/<policy op>/<input>/<magnitude>/<interpolation>/<fill>``: torchvision's policy op,
  ``_AutoAugmentBase._apply_image_or_video_transform`` with that signed magnitude.
* ``tables_json``: per policy, the op names in torchvision's order, which are signed, and each
  op's magnitude table at the draw shape (``DRAW_HW``); AutoAugment's sub-policies.
* ``draws_json``: per policy, counts of what torchvision's own ``forward`` drew over
  ``N_DRAWS`` calls, recorded by replacing the op application with a recorder: cells
  ``"op|magnitude|sign"`` (AutoAugment: ``"sub-policy|applied ops with signs"``); AugMix also
  the distribution of the number of ops per call, and ``augmix_weights`` its first 4000
  Dirichlet draws (weight of the original, weights of the chains).
"""

import json
import math
from pathlib import Path

import numpy as np
import torch
import torchvision
import torchvision.transforms.v2 as T
import torchvision.transforms.v2.functional as F
from torchvision.transforms.v2 import AutoAugmentPolicy
from torchvision.transforms.v2._utils import _setup_fill_arg

OUT_PATH = Path(__file__).with_name("torchvision_policies_reference.npz")
N_DRAWS = 20000
DRAW_HW = (8, 10)


def make_inputs():
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:14, 0:18].astype(np.float64)
    base = np.stack([40 + 8 * x + 3 * y, 210 - 6 * y - 2 * x, 90 + 40 * np.sin(x / 3 + y / 5)], -1)
    u8 = np.clip(base + rng.integers(-20, 21, base.shape), 0, 255).astype(np.uint8)
    flt = rng.uniform(0.15, 0.8, (14, 18, 3)).astype(np.float32)
    gray = u8[..., 1:2].copy()
    # Large enough (1440 pixels) for equalize's step to be several levels, and skewed dark.
    big_u8 = (255 * rng.beta(1.5, 4.0, (36, 40, 3))).astype(np.uint8)
    big_float = rng.beta(1.5, 4.0, (36, 40, 3)).astype(np.float32)
    return u8, flt, gray, big_u8, big_float


def chw(a):
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))


def hwc(t):
    return np.ascontiguousarray(t.numpy().transpose(1, 2, 0)).astype(np.float32)


def functional_outputs(inputs):
    out = {}

    def add(op, src, param, fn):
        out[f"fn/{op}/{src}/{param}"] = hwc(fn(chw(inputs[src])))

    for src in ("in_u8", "in_float", "in_gray_u8"):
        is_u8 = src != "in_float"
        for bits in (0, 1, 3, 6, 8):
            add("posterize", src, bits, lambda t, b=bits: F.posterize(t, b))
        for thr in ((0, 77, 128.5, 200, 255) if is_u8 else (0.0, 0.3, 0.5, 0.77, 1.0)):
            add("solarize", src, thr, lambda t, v=thr: F.solarize(t, v))
        add("invert", src, "-", F.invert)
        add("equalize", src, "-", F.equalize)
        add("autocontrast", src, "-", F.autocontrast)
        for f in (0.0, 0.3, 1.0, 1.7, 2.5):
            add("adjust_sharpness", src, f, lambda t, f=f: F.adjust_sharpness(t, f))
    for src in ("in_big_u8", "in_big_float"):
        add("equalize", src, "-", F.equalize)
        add("autocontrast", src, "-", F.autocontrast)
    return out


POLICY_OPS = {
    "ShearX": (0.23, -0.41),
    "ShearY": (0.3, -0.17),
    "TranslateX": (5.7, -3.2),
    "TranslateY": (4.9, -2.6),
    "Rotate": (23.0, -71.5),
    "Brightness": (0.4, -0.63),
    "Color": (0.5, -0.7),
    "Contrast": (0.35, -0.8),
    "Sharpness": (0.9, -0.55),
    "Posterize": (6.0, 3.0, 1.0),
    "Solarize": (0.8, 0.33),
    "AutoContrast": (0.0,),
    "Equalize": (0.0,),
    "Invert": (0.0,),
}
GEOMETRIC = ("ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate")


def policy_op_outputs(inputs):
    base = T.TrivialAugmentWide()
    out = {}
    for op, magnitudes in POLICY_OPS.items():
        for src in ("in_u8", "in_float") + (("in_big_u8", "in_big_float") if op == "Equalize" else ()):
            settings = [("nearest", None)]
            if op in GEOMETRIC:
                fill = [30, 60, 90] if src.endswith("u8") else [0.1, 0.5, 0.9]
                settings += [("bilinear", None), ("nearest", fill), ("bilinear", fill)]
            for m in magnitudes:
                for interpolation, fill in settings:
                    img = chw(inputs[src])
                    res = base._apply_image_or_video_transform(img, op, m, interpolation, _setup_fill_arg(fill))
                    fill_key = "none" if fill is None else ",".join(str(v) for v in fill)
                    out[f"op/{op}/{src}/{m}/{interpolation}/{fill_key}"] = hwc(res)
    return out


def policy_tables():
    h, w = DRAW_HW
    tables = {}
    for name, space, bins in (
        ("RandAugment", T.RandAugment._AUGMENTATION_SPACE, 31),
        ("TrivialAugmentWide", T.TrivialAugmentWide._AUGMENTATION_SPACE, 31),
        ("AutoAugment", T.AutoAugment._AUGMENTATION_SPACE, 10),
        ("AugMix", T.AugMix._AUGMENTATION_SPACE, 10),
        ("AugMix-partial", T.AugMix._PARTIAL_AUGMENTATION_SPACE, 10),
    ):
        entries = []
        for op, (fn, signed) in space.items():
            mags = fn(bins, h, w)
            entries.append([op, bool(signed), None if mags is None else [float(v) for v in mags]])
        tables[name] = entries
    for policy in AutoAugmentPolicy:
        tables[f"AutoAugment-{policy.value}"] = [
            [list(step) for step in sub] for sub in T.AutoAugment(policy)._policies
        ]
    return tables


def _cell(op, magnitude, signed):
    sign = "-" if signed and math.copysign(1.0, magnitude) < 0 else "+"
    return f"{op}|{abs(magnitude):.5g}|{sign}"


class _Recorder:
    """Stands in for the op application: records (op, magnitude) and returns the image."""

    def __init__(self, space):
        self.space = space
        self.calls = []

    def __call__(self, image, transform_id, magnitude, interpolation, fill):
        self.calls.append(_cell(transform_id, magnitude, self.space[transform_id][1]))
        return image


class _IndexRecordingList(list):
    def __getitem__(self, i):
        self.picked = i
        return list.__getitem__(self, i)


def policy_draws():
    torch.manual_seed(0)
    img = torch.zeros(3, *DRAW_HW, dtype=torch.uint8)
    draws = {}
    for name, t in (
        ("RandAugment", T.RandAugment()),
        ("RandAugment-m4-b11", T.RandAugment(num_ops=3, magnitude=4, num_magnitude_bins=11)),
        ("TrivialAugmentWide", T.TrivialAugmentWide()),
    ):
        rec = _Recorder(t._AUGMENTATION_SPACE)
        t._apply_image_or_video_transform = rec
        for _ in range(N_DRAWS):
            t(img)
        draws[name] = _counts(rec.calls)
    for policy in AutoAugmentPolicy:
        t = T.AutoAugment(policy)
        rec = _Recorder(t._AUGMENTATION_SPACE)
        t._apply_image_or_video_transform = rec
        t._policies = _IndexRecordingList(t._policies)
        cells = []
        for _ in range(N_DRAWS):
            rec.calls = []
            t(img)
            cells.append(f"{t._policies.picked}|" + ",".join(rec.calls))
        draws[f"AutoAugment-{policy.value}"] = _counts(cells)
    weights = []
    for name, t in (("AugMix", T.AugMix()), ("AugMix-s7-d2-partial", T.AugMix(severity=7, chain_depth=2, all_ops=False))):
        rec = _Recorder(t._AUGMENTATION_SPACE)
        t._apply_image_or_video_transform = rec
        original = t._sample_dirichlet
        sampled = []

        def sample(params, original=original, sampled=sampled):
            out = original(params)
            sampled.append(out[0].numpy().copy())
            return out

        t._sample_dirichlet = sample
        per_call = []
        for _ in range(N_DRAWS):
            before = len(rec.calls)
            t(img.float() / 255)
            per_call.append(str(len(rec.calls) - before))
        draws[name] = _counts(rec.calls)
        draws[name + "/ops_per_call"] = _counts(per_call)
        if name == "AugMix":
            # Pairs of (Beta as a 2-Dirichlet, chain Dirichlet): weight of the original, chains.
            for beta, chains in zip(sampled[0:8000:2], sampled[1:8000:2]):
                weights.append([beta[0], *(chains * beta[1])])
    return draws, np.asarray(weights, np.float32)


def _counts(cells):
    counts = {}
    for c in cells:
        counts[c] = counts.get(c, 0) + 1
    return counts


def main():
    u8, flt, gray, big_u8, big_float = make_inputs()
    inputs = {"in_u8": u8, "in_float": flt, "in_gray_u8": gray, "in_big_u8": big_u8, "in_big_float": big_float}
    arrays = dict(inputs)
    arrays.update(functional_outputs(inputs))
    arrays.update(policy_op_outputs(inputs))
    draws, weights = policy_draws()
    arrays["augmix_weights"] = weights
    arrays["tables_json"] = np.array(json.dumps(policy_tables()))
    arrays["draws_json"] = np.array(json.dumps(draws))
    arrays["meta_json"] = np.array(json.dumps({
        "versions": f"torch=={torch.__version__} torchvision=={torchvision.__version__}",
        "n_draws": N_DRAWS, "draw_hw": DRAW_HW,
    }))
    np.savez_compressed(OUT_PATH, **arrays)
    print(f"wrote {OUT_PATH} ({OUT_PATH.stat().st_size / 1e6:.2f} MB, {len(arrays)} keys)")


if __name__ == "__main__":
    main()
