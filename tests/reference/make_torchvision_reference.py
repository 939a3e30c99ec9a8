"""Generate torchvision reference outputs for jaxaug's tests.

The tests never import torch: they read ``torchvision_reference.npz`` (written
next to this file) and compare jaxaug against it. This script is run by hand,
never by pytest, in a scratch virtualenv outside the repository that has
exactly ``torch==2.14.1`` and ``torchvision==0.29.1``::

    python3 -m venv /tmp/tvenv
    /tmp/tvenv/bin/pip install torch==2.14.1 torchvision==0.29.1 numpy
    /tmp/tvenv/bin/python tests/reference/make_torchvision_reference.py

Conventions
-----------
* Every image (inputs and outputs) is stored channels-last, HWC, float32.
  Torch is called on CHW float32 tensors through
  ``torchvision.transforms.v2.functional`` (``F``).
* Inputs are stored too (``in_noise``, ``in_smooth``, ``in_gray``) so tests use
  the exact same pixels.
* ``calls_json`` (a 0-d unicode array; ``json.loads(str(npz["calls_json"]))``)
  maps every output key to the exact call that produced it.
* Parameter draws (``rrc_*``, ``erasing_224``) are int16 arrays, one row per
  draw, from ``make_params`` (the v2 successor of ``get_params``) after
  ``torch.manual_seed(0)``. They are for distribution checks, not bitwise RNG
  matching.
"""

import json
from pathlib import Path

import numpy as np
import torch
import torchvision
import torchvision.transforms.v2 as T
import torchvision.transforms.v2.functional as F
from torchvision.transforms.v2 import InterpolationMode as IM

OUT_PATH = Path(__file__).with_name("torchvision_reference.npz")
N_DRAWS = 20000
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def make_inputs():
    """The three HWC float32 input images."""
    noise = np.random.default_rng(0).uniform(0.0, 1.0, size=(20, 24, 3)).astype(np.float32)
    y, x = np.mgrid[0:48, 0:64].astype(np.float64)
    u, v = x / 64.0, y / 48.0
    channels = [
        0.5 + 0.25 * np.sin(2 * np.pi * (1.0 * u + 0.5 * v)) + 0.25 * np.cos(2 * np.pi * 0.7 * v),
        0.5 + 0.25 * np.cos(2 * np.pi * (0.8 * u - 1.2 * v)) + 0.15 * np.sin(2 * np.pi * 1.5 * u),
        0.5 + 0.30 * np.sin(2 * np.pi * (0.4 * u + 1.0 * v) + 1.0),
    ]
    smooth = np.clip(np.stack(channels, axis=-1), 0.0, 1.0).astype(np.float32)
    gray = smooth[..., :1].copy()
    return noise, smooth, gray


def to_chw(img_hwc):
    return torch.from_numpy(np.ascontiguousarray(img_hwc.transpose(2, 0, 1)))


def to_hwc(t):
    return np.ascontiguousarray(t.detach().cpu().numpy().transpose(1, 2, 0)).astype(np.float32)


def image_outputs(noise, smooth, gray):
    """Deterministic functional outputs: yields (key, call description, HWC array)."""
    inputs = {"in_noise": noise, "in_smooth": smooth, "in_gray": gray}
    out = []

    def add(key, src, fn, call):
        out.append((key, f"{call} on {src}", to_hwc(fn(to_chw(inputs[src])))))

    # --- in_noise: flips and colour ------------------------------------------------
    add("hflip", "in_noise", F.horizontal_flip, "F.horizontal_flip(x)")
    add("vflip", "in_noise", F.vertical_flip, "F.vertical_flip(x)")
    for f in (0.0, 0.6, 1.4):
        add(f"brightness_{f}", "in_noise", lambda t, f=f: F.adjust_brightness(t, f), f"F.adjust_brightness(x, {f})")
    for f in (0.0, 0.5, 1.7):
        add(f"contrast_{f}", "in_noise", lambda t, f=f: F.adjust_contrast(t, f), f"F.adjust_contrast(x, {f})")
    add("gray_contrast_0.5", "in_gray", lambda t: F.adjust_contrast(t, 0.5), "F.adjust_contrast(x, 0.5)")
    for f in (0.0, 0.4, 1.8):
        add(f"saturation_{f}", "in_noise", lambda t, f=f: F.adjust_saturation(t, f), f"F.adjust_saturation(x, {f})")
    for f in (-0.5, -0.27, 0.1, 0.45):
        add(f"hue_{f}", "in_noise", lambda t, f=f: F.adjust_hue(t, f), f"F.adjust_hue(x, {f})")
    for n in (1, 3):
        add(f"grayscale_{n}", "in_noise", lambda t, n=n: F.rgb_to_grayscale(t, num_output_channels=n),
            f"F.rgb_to_grayscale(x, num_output_channels={n})")
    add("normalize_imagenet", "in_noise", lambda t: F.normalize(t, IMAGENET_MEAN, IMAGENET_STD),
        f"F.normalize(x, mean={IMAGENET_MEAN}, std={IMAGENET_STD})")
    add("erase", "in_noise", lambda t: F.erase(t, i=3, j=5, h=7, w=6, v=torch.tensor(0.25)),
        "F.erase(x, i=3, j=5, h=7, w=6, v=torch.tensor(0.25))")

    # --- in_smooth: geometry ---------------------------------------------------------
    add("crop_5_7_20_30", "in_smooth", lambda t: F.crop(t, 5, 7, 20, 30),
        "F.crop(x, top=5, left=7, height=20, width=30)")
    add("crop_pad_-3_50_20_30", "in_smooth", lambda t: F.crop(t, -3, 50, 20, 30),
        "F.crop(x, top=-3, left=50, height=20, width=30)  # zero-pads outside")
    for key, size in (("center_crop_32", [32]), ("center_crop_60x70", [60, 70]),
                      ("center_crop_31x45", [31, 45])):
        add(key, "in_smooth", lambda t, s=size: F.center_crop(t, s), f"F.center_crop(x, {size})")
    for key, size in (("resize_32", 32), ("resize_96x128", [96, 128]), ("resize_20x30", [20, 30])):
        add(key, "in_smooth", lambda t, s=size: F.resize(t, s), f"F.resize(x, {size})  # bilinear, antialias=True")
    add("gray_resize_24", "in_gray", lambda t: F.resize(t, 24), "F.resize(x, 24)  # bilinear, antialias=True")
    for s in (24, 64):
        add(f"resized_crop_{s}", "in_smooth", lambda t, s=s: F.resized_crop(t, 4, 6, 30, 40, [s, s]),
            f"F.resized_crop(x, top=4, left=6, height=30, width=40, size=[{s}, {s}])")
    for mode, im in (("bilinear", IM.BILINEAR), ("nearest", IM.NEAREST)):
        for a in (30, -45, 90, 180, 7.5):
            add(f"rotate_{mode}_{a}", "in_smooth", lambda t, a=a, im=im: F.rotate(t, a, interpolation=im, fill=0),
                f"F.rotate(x, {a}, interpolation=InterpolationMode.{im.name}, fill=0)")
    add("rotate_bilinear_30_fill0.5", "in_smooth", lambda t: F.rotate(t, 30, interpolation=IM.BILINEAR, fill=0.5),
        "F.rotate(x, 30, interpolation=InterpolationMode.BILINEAR, fill=0.5)")
    add("rotate_bilinear_30_fillNone", "in_smooth", lambda t: F.rotate(t, 30, interpolation=IM.BILINEAR),
        "F.rotate(x, 30, interpolation=InterpolationMode.BILINEAR)  # fill=None: no mask blending")
    for mode, im in (("bilinear", IM.BILINEAR), ("nearest", IM.NEAREST)):
        for a, c in ((30, [10.0, 31.0]), (-75, [50.5, 4.0])):
            add(f"rotate_{mode}_{a}_center_{c[0]:g}_{c[1]:g}", "in_smooth",
                lambda t, a=a, c=c, im=im: F.rotate(t, a, interpolation=im, center=c, fill=0),
                f"F.rotate(x, {a}, interpolation=InterpolationMode.{im.name}, center={c}, fill=0)")
    add("noise_rotate_bilinear_30", "in_noise", lambda t: F.rotate(t, 30, interpolation=IM.BILINEAR, fill=0),
        "F.rotate(x, 30, interpolation=InterpolationMode.BILINEAR, fill=0)")
    add("gaussian_blur_k5_s1.2", "in_smooth", lambda t: F.gaussian_blur(t, [5, 5], [1.2, 1.2]),
        "F.gaussian_blur(x, kernel_size=[5, 5], sigma=[1.2, 1.2])")
    add("gaussian_blur_k3x7_s0.8x2.0", "in_smooth", lambda t: F.gaussian_blur(t, [3, 7], [0.8, 2.0]),
        "F.gaussian_blur(x, kernel_size=[3, 7], sigma=[0.8, 2.0])  # [x/width, y/height]")
    add("noise_gaussian_blur_k5_s1.2", "in_noise", lambda t: F.gaussian_blur(t, [5, 5], [1.2, 1.2]),
        "F.gaussian_blur(x, kernel_size=[5, 5], sigma=[1.2, 1.2])")
    return out


def param_draws():
    """Random parameter draws: yields (key, call description, int16 array)."""
    out = []
    torch.manual_seed(0)
    for key, hw, kwargs in (("rrc_256x256", (256, 256), {}), ("rrc_200x400", (200, 400), {}),
                            ("rrc_256x256_scale08", (256, 256), {"scale": (0.8, 1.0)})):
        t = T.RandomResizedCrop(224, **kwargs)
        img = torch.zeros(3, *hw)
        rows = [[p["top"], p["left"], p["height"], p["width"]] for p in (t.make_params([img]) for _ in range(N_DRAWS))]
        out.append((key, f"T.RandomResizedCrop(224, **{kwargs}).make_params([zeros(3, {hw[0]}, {hw[1]})]) "
                         f"-> (top, left, height, width); {N_DRAWS} draws", np.asarray(rows, np.int16)))
    t = T.RandomErasing(p=1.0)
    img = torch.zeros(3, 224, 224)
    rows = [[p["i"], p["j"], p["h"], p["w"], p["v"] is not None] for p in (t.make_params([img]) for _ in range(N_DRAWS))]
    out.append(("erasing_224", "T.RandomErasing(p=1.0).make_params([zeros(3, 224, 224)]) -> "
                f"(i, j, h, w, erased); erased=0 means all 10 tries failed and nothing is erased; {N_DRAWS} draws",
                np.asarray(rows, np.int16)))
    return out


def main():
    noise, smooth, gray = make_inputs()
    arrays = {"in_noise": noise, "in_smooth": smooth, "in_gray": gray}
    calls = {
        "in_noise": "np.random.default_rng(0).uniform(0, 1, (20, 24, 3)).astype(float32)",
        "in_smooth": "smooth sin/cos image (48, 64, 3), see make_inputs()",
        "in_gray": "in_smooth[..., :1]",
    }
    torch.manual_seed(0)  # deterministic ops only, but be safe
    for key, call, arr in image_outputs(noise, smooth, gray) + param_draws():
        assert key not in arrays, key
        arrays[key], calls[key] = arr, call
    calls["_versions"] = f"torch=={torch.__version__} torchvision=={torchvision.__version__}"
    arrays["calls_json"] = np.array(json.dumps(calls, indent=1))
    np.savez_compressed(OUT_PATH, **arrays)
    print(f"wrote {OUT_PATH} ({OUT_PATH.stat().st_size / 1e6:.2f} MB, {len(arrays)} keys)")


if __name__ == "__main__":
    main()
