"""Volumes (CT, MRI): 3-D augmentation with MONAI's names and meanings, one example per call.

Layout: a volume is ``(S0, S1, S2, C)``, the three spatial axes in the order the file gives
them and the channel last: MONAI's ``(C, S0, S1, S2)`` with the channel moved to the end. A
batch is ``(N, S0, S1, S2, C)`` through ``ja.batch``. A label volume is ``(S0, S1, S2)`` or
``(S0, S1, S2, 1)``, integer; it is the ``mask`` argument of every transform and follows each
spatial step by nearest sampling. Spatial axis ``i`` here is MONAI's spatial axis ``i`` (its
array axis ``i + 1``), so ``spatial_axis=0`` means the same in both.

Voxel spacing is an argument wherever geometry depends on it (rotations and elastic
displacements on an anisotropic grid); it is never assumed isotropic.

Two layers, as in 2-D: functional ops with explicit parameters (``flip``, ``rot90``,
``affine``, ...) and random transforms named and defaulted like MONAI's array transforms
(``RandFlip``, ``RandAffine``, ``RandCropByPosNegLabel``, ...), with MONAI's ``prob``.
``jaxaug.volume.Compose`` chains them and resamples neighbouring spatial steps once (4x4
matrices); ``ja.Compose`` stays 2-D.
"""

# Spatial ops and transforms (_spatial.py, _transforms.py, _crops.py, _compose.py).
from jaxaug.volume._spatial import affine, center_spatial_crop, elastic, flip, resize, rot90, spatial_pad, zoom
from jaxaug.volume._compose import Compose
from jaxaug.volume._crops import CenterSpatialCrop, RandCropByPosNegLabel, RandSpatialCrop, Resize, SpatialPad
from jaxaug.volume._transforms import (
    Rand3DElastic,
    RandAffine,
    RandAxisFlip,
    RandFlip,
    RandRotate,
    RandRotate90,
    RandZoom,
    SpatialTransform,
    VolumeTransform,
)

# Intensity ops and transforms (_intensity.py, _intensity_transforms.py, _artefact_transforms.py).
from jaxaug.volume._intensity import (
    adjust_contrast,
    gaussian_sharpen,
    gaussian_smooth,
    gibbs_noise,
    k_space_spike_noise,
    normalize_intensity,
    scale_intensity,
    scale_intensity_range,
    shift_intensity,
    window,
)
from jaxaug.volume._intensity_transforms import (
    NormalizeIntensity,
    RandAdjustContrast,
    RandBiasField,
    RandGaussianNoise,
    RandRicianNoise,
    RandScaleIntensity,
    RandShiftIntensity,
    ScaleIntensityRange,
)
from jaxaug.volume._artefact_transforms import (
    RandCoarseDropout,
    RandGaussianSharpen,
    RandGaussianSmooth,
    RandGibbsNoise,
    RandHistogramShift,
    RandKSpaceSpikeNoise,
)
from jaxaug.volume import presets  # noqa: E402  (after the transforms it builds on)


__all__ = [
    # spatial
    "CenterSpatialCrop",
    "Compose",
    "Rand3DElastic",
    "RandAffine",
    "RandAxisFlip",
    "RandCropByPosNegLabel",
    "RandFlip",
    "RandRotate",
    "RandRotate90",
    "RandSpatialCrop",
    "RandZoom",
    "Resize",
    "SpatialPad",
    "SpatialTransform",
    "VolumeTransform",
    "affine",
    "center_spatial_crop",
    "elastic",
    "flip",
    "resize",
    "rot90",
    "spatial_pad",
    "zoom",

    # intensity
    "NormalizeIntensity",
    "RandAdjustContrast",
    "RandBiasField",
    "RandCoarseDropout",
    "RandGaussianNoise",
    "RandGaussianSharpen",
    "RandGaussianSmooth",
    "RandGibbsNoise",
    "RandHistogramShift",
    "RandKSpaceSpikeNoise",
    "RandRicianNoise",
    "RandScaleIntensity",
    "RandShiftIntensity",
    "ScaleIntensityRange",
    "adjust_contrast",
    "gaussian_sharpen",
    "gaussian_smooth",
    "gibbs_noise",
    "k_space_spike_noise",
    "normalize_intensity",
    "scale_intensity",
    "scale_intensity_range",
    "shift_intensity",
    "window",
    "presets",

]
