"""Record torchvision outputs for jaxaug's photometric ops (adjust_gamma, permute_channels,
RandomPhotometricDistort at fixed parameters, gaussian_noise on uint8).

Run by hand, never by pytest, in the scratch virtualenv described in
make_torchvision_reference.py (torch==2.14.1, torchvision==0.29.1)::

    /tmp/tvenv/bin/python tests/reference/make_torchvision_photometric_reference.py

Writes ``torchvision_photometric_reference.npz`` next to this file. Images are stored HWC;
``calls_json`` maps each key to the call that made it. The float input is
``in_noise`` of torchvision_reference.npz, regenerated here with the same rng; the uint8
input is a separate small random image.
"""

import json
from pathlib import Path

import numpy as np
import torch
import torchvision
import torchvision.transforms.v2 as T
import torchvision.transforms.v2.functional as F

OUT_PATH = Path(__file__).with_name("torchvision_photometric_reference.npz")

# RandomPhotometricDistort.transform(img, params) at fixed params: (key, params).
DISTORT_PARAMS = [
    ("distort_all_after", dict(brightness_factor=1.1, contrast_factor=0.7, saturation_factor=1.3,
                               hue_factor=0.03, contrast_before=False, channel_permutation=[2, 0, 1])),
    ("distort_all_before", dict(brightness_factor=0.9, contrast_factor=1.4, saturation_factor=0.6,
                                hue_factor=-0.04, contrast_before=True, channel_permutation=[1, 2, 0])),
    ("distort_some", dict(brightness_factor=None, contrast_factor=0.55, saturation_factor=None,
                          hue_factor=0.045, contrast_before=False, channel_permutation=None)),
]


def to_chw(img_hwc):
    return torch.from_numpy(np.ascontiguousarray(img_hwc.transpose(2, 0, 1)))


def to_hwc(t):
    return np.ascontiguousarray(t.detach().cpu().numpy().transpose(1, 2, 0))


def main():
    noise = np.random.default_rng(0).uniform(0.0, 1.0, size=(20, 24, 3)).astype(np.float32)
    u8 = np.random.default_rng(1).integers(0, 256, size=(12, 14, 3), dtype=np.uint8)
    arrays = {"in_float": noise, "in_uint8": u8}
    calls = {"in_float": "np.random.default_rng(0).uniform(0, 1, (20, 24, 3)).astype(float32)",
             "in_uint8": "np.random.default_rng(1).integers(0, 256, (12, 14, 3), dtype=uint8)"}

    def add(key, src, fn, call):
        arrays[key] = to_hwc(fn(to_chw(arrays[src])))
        calls[key] = f"{call} on {src}"

    for gamma, gain in ((0.5, 1.0), (2.2, 1.0), (0.7, 1.3), (0.0, 1.0)):
        for src in ("in_float", "in_uint8"):
            add(f"gamma_{gamma}_{gain}_{src[3:]}", src, lambda t, g=gamma, k=gain: F.adjust_gamma(t, g, k),
                f"F.adjust_gamma(x, gamma={gamma}, gain={gain})")
    for perm in ([2, 0, 1], [1, 2, 0]):
        name = "".join(map(str, perm))
        for src in ("in_float", "in_uint8"):
            add(f"permute_{name}_{src[3:]}", src, lambda t, p=perm: F.permute_channels(t, p),
                f"F.permute_channels(x, {perm})")
    distort = T.RandomPhotometricDistort()
    for key, params in DISTORT_PARAMS:
        p = dict(params)
        if p["channel_permutation"] is not None:
            p["channel_permutation"] = torch.tensor(p["channel_permutation"])
        add(key, "in_float", lambda t, p=p: distort.transform(t, p),
            f"T.RandomPhotometricDistort().transform(x, {params})")
    calls["distort_params_json"] = json.dumps(dict(DISTORT_PARAMS))
    # uint8 noise: torchvision's noise is truncated to whole grey levels, then clamped.
    torch.manual_seed(0)
    big = torch.full((1, 256, 256), 128, dtype=torch.uint8)
    shift = (F.gaussian_noise(big, mean=0.1, sigma=0.2).double() - 128.0) / 255.0
    arrays["noise_uint8_stats"] = np.array([shift.mean().item(), shift.std().item()])
    calls["noise_uint8_stats"] = ("[mean, std] of (F.gaussian_noise(full((1, 256, 256), 128, uint8), mean=0.1, "
                                  "sigma=0.2) - 128) / 255, after torch.manual_seed(0)")
    calls["_versions"] = f"torch=={torch.__version__} torchvision=={torchvision.__version__}"
    arrays["calls_json"] = np.array(json.dumps(calls, indent=1))
    np.savez_compressed(OUT_PATH, **arrays)
    print(f"wrote {OUT_PATH} ({OUT_PATH.stat().st_size / 1e3:.1f} kB, {len(arrays)} keys)")


if __name__ == "__main__":
    main()
