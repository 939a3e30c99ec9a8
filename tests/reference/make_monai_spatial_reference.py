"""Record MONAI 1.6.1 outputs of the spatial array transforms for fixed parameters.

Run in a scratch virtualenv with monai 1.6.1 and torch (never a jaxaug dependency):

    /tmp/tvenv/bin/python tests/reference/make_monai_spatial_reference.py

writes tests/reference/monai_spatial_reference.npz. Volumes are stored in jaxaug's layout
(S0, S1, S2, C); MONAI is called on (C, S0, S1, S2).
"""

import os

import numpy as np
import torch
import monai
from monai import transforms as T

assert monai.__version__ == "1.6.1", monai.__version__
torch.use_deterministic_algorithms(True)

rng = np.random.default_rng(0)
VOLUME = rng.uniform(-1.0, 1.0, (10, 12, 9, 1)).astype(np.float32)
LABEL = rng.integers(0, 4, (10, 12, 9, 1)).astype(np.int64)

ROTATE = (0.3, -0.2, 0.25)
SHEAR = (0.1, -0.05, 0.08, 0.02, -0.1, 0.06)
TRANSLATE = (1.5, -2.0, 0.7)
SCALE = (1.1, 0.9, 1.05)


def monai_call(transform, volume):
    x = torch.as_tensor(np.moveaxis(volume, -1, 0))
    out = transform(x)
    out = out[0] if isinstance(out, (tuple, list)) else out
    return np.moveaxis(np.asarray(out.detach().cpu().numpy() if hasattr(out, "detach") else out), 0, -1)


out = {"volume": VOLUME, "label": LABEL}
for name, axis in [("flip_0", 0), ("flip_12", (1, 2)), ("flip_all", None)]:
    out[name] = monai_call(T.Flip(spatial_axis=axis), VOLUME)
for k, axes in [(1, (0, 1)), (3, (1, 2)), (2, (0, 2))]:
    out[f"rot90_{k}_{axes[0]}{axes[1]}"] = monai_call(T.Rotate90(k=k, spatial_axes=axes), VOLUME)
for mode in ("bilinear", "nearest"):
    for padding in ("zeros", "border", "reflection"):
        t = T.Affine(
            rotate_params=ROTATE, shear_params=SHEAR, translate_params=TRANSLATE, scale_params=SCALE,
            mode=mode, padding_mode=padding, image_only=True,
        )
        out[f"affine_{mode}_{padding}"] = monai_call(t, VOLUME)
t = T.Affine(rotate_params=ROTATE, scale_params=SCALE, spatial_size=(8, 14, 9), mode="bilinear", padding_mode="zeros", image_only=True)
out["affine_size_8_14_9"] = monai_call(t, VOLUME)
t = T.Affine(rotate_params=ROTATE, shear_params=SHEAR, translate_params=TRANSLATE, scale_params=SCALE, mode="nearest", padding_mode="zeros", image_only=True)
out["affine_label"] = monai_call(t, LABEL.astype(np.float32))
out["rotate_border"] = monai_call(T.Rotate(angle=(0.2, -0.3, 0.4), mode="bilinear", padding_mode="border"), VOLUME)
out["zoom_1.3"] = monai_call(T.Zoom(zoom=1.3, mode="trilinear", padding_mode="edge"), VOLUME)
out["zoom_0.7_1.2_0.9"] = monai_call(T.Zoom(zoom=(0.7, 1.2, 0.9), mode="trilinear", padding_mode="edge"), VOLUME)
out["resize_7_15_9_trilinear"] = monai_call(T.Resize((7, 15, 9), mode="trilinear"), VOLUME)
out["resize_7_15_9_nearest"] = monai_call(T.Resize((7, 15, 9), mode="nearest"), VOLUME)
out["pad_14_13_11"] = monai_call(T.SpatialPad((14, 13, 11)), VOLUME)
out["pad_end_14_13_11"] = monai_call(T.SpatialPad((14, 13, 11), method="end"), VOLUME)
out["center_crop_5_7_20"] = monai_call(T.CenterSpatialCrop((5, 7, 20)), VOLUME)
out["center_crop_4_5_3"] = monai_call(T.CenterSpatialCrop((4, 5, 3)), VOLUME)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "monai_spatial_reference.npz")
np.savez_compressed(path, **{k: np.asarray(v) for k, v in out.items()})
print(f"wrote {path}: {len(out)} arrays, {os.path.getsize(path)} bytes")
