"""Ready volume pipelines per modality, each with what it allows and why.

Each function returns a :class:`jaxaug.volume.Compose` for one (S0, S1, S2, C) volume in
physical units and its integer label (S0, S1, S2); ``ja.batch(preset)(key, volumes, labels)``
runs it on a batch with a draw per example. Axes are the file's: say which spatial axis is
left-right for your data (for RAS or LAS NIfTI it is axis 0).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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
from jaxaug.volume._compose import Compose
from jaxaug.volume._crops import RandCropByPosNegLabel
from jaxaug.volume._transforms import RandAffine, RandFlip, VolumeTransform

__all__ = ["PRESETS", "brain_mri", "ct_segmentation"]


def ct_segmentation(
    patch_size: int | Sequence[int] = (96, 96, 96),
    a_min: float = -175.0,
    a_max: float = 250.0,
    num_samples: int = 1,
    pos: float = 1.0,
    neg: float = 1.0,
    flip_axes: Sequence[int] = (),
    rotate: float = 0.1,
    noise_std: float = 0.01,
) -> Compose:
    """CT organ or lesion segmentation: window, crop by label, small affine, mild intensity noise.

    ScaleIntensityRange(a_min, a_max, 0, 1, clip=True); RandCropByPosNegLabel(patch_size, pos,
    neg, num_samples); RandFlip(0.5) along each axis in `flip_axes`; RandAffine(prob=0.3,
    rotate_range=rotate per axis, scale_range=0.1, padding_mode="border");
    RandScaleIntensity(0.1, prob=0.3); RandShiftIntensity(0.05, prob=0.3);
    RandGaussianNoise(prob=0.15, std=noise_std). The window (-175, 250) HU is the abdominal
    soft-tissue window of MONAI's CT segmentation tutorials; lung ``(-1350, 150)``, bone
    ``(-500, 1300)``.

    Safety for CT:
      - Allowed: the window first (everything after sees [0, 1]); crops centred on foreground
        or background at ``pos:neg`` (so small organs are seen); rotations within ``rotate``
        radians (0.1, about 6 degrees: patient positioning) and scaling within 10% (body size);
        intensity scale, shift and noise of a few percent of the window (scanner and dose
        differences).
      - Flips: none by default. A left-right flip puts the liver on the left and swaps left and
        right organs: only along an axis where the anatomy you label is symmetric and the label
        has no side (``flip_axes=(0,)`` for RAS/LAS volumes then), never for left/right kidney,
        lung or adrenal classes unless the label ids are swapped too. Head-foot and
        front-back flips produce anatomy no scanner shows.
      - Not included: large rotations, elastic deformation of bone, Gibbs and k-space
        artefacts (MR physics, not CT), erasing (can remove the finding).

    Args:
      patch_size: crop size per spatial axis (static); the volume must be at least this big.
      a_min, a_max: the window in Hounsfield units (static).
      num_samples: patches per volume (static); the output gains a leading axis.
      pos, neg: foreground : background ratio of patch centres.
      flip_axes: spatial axes that may be flipped, each with probability 0.5 (static).
      rotate: largest rotation about each axis, radians. noise_std: in window units.

    Returns:
      A Compose mapping (volume (S0, S1, S2, C), label (S0, S1, S2)) to
      ``((num_samples, *patch_size, C), (num_samples, *patch_size))``: float32 in about [0, 1] and the label.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> ct = jnp.full((24, 24, 20, 1), 40, jnp.int16)
      >>> label = jnp.zeros((24, 24, 20), jnp.int32).at[10:14, 10:14, 8:12].set(1)
      >>> patches, labels = volume.presets.ct_segmentation(patch_size=16)(jax.random.key(0), ct, label)
      >>> patches.shape, labels.shape
      ((1, 16, 16, 16, 1), (1, 16, 16, 16))
    """
    steps: list[VolumeTransform] = [
        ScaleIntensityRange(a_min, a_max, 0.0, 1.0, clip=True),
        RandCropByPosNegLabel(patch_size, pos=pos, neg=neg, num_samples=num_samples),
    ]
    steps += [RandFlip(prob=0.5, spatial_axis=axis) for axis in flip_axes]
    steps += [
        RandAffine(prob=0.3, rotate_range=(rotate, rotate, rotate), scale_range=(0.1, 0.1, 0.1), padding_mode="border"),
        RandScaleIntensity(0.1, prob=0.3),
        RandShiftIntensity(0.05, prob=0.3),
        RandGaussianNoise(prob=0.15, std=noise_std),
    ]
    return Compose(steps)


def brain_mri(
    lateralised: bool = True,
    left_right_axis: int = 0,
    rotate: float = 0.1,
    spacing: Sequence[float] | None = None,
    bias_coeff: float = 0.1,
    gamma: Sequence[float] = (0.7, 1.5),
    noise_std: float = 0.03,
) -> Compose:
    """Brain MRI: small affine, bias field, gamma, Rician noise, then standardised per channel.

    [RandFlip(0.5, left_right_axis) only when not `lateralised`]; RandAffine(prob=0.3,
    rotate_range=rotate per axis, scale_range=0.05, padding_mode="zeros", spacing);
    RandBiasField(degree=3, coeff_range=(0, bias_coeff), prob=0.3); RandAdjustContrast(prob=0.3,
    gamma); RandRicianNoise(prob=0.2, std=noise_std, relative=True) (a fraction of the
    volume's standard deviation); NormalizeIntensity(nonzero=True, channel_wise=True).

    Safety for brain MRI:
      - Allowed: head pose within ``rotate`` radians and 5% scale (positioning, head size);
        bias fields (receive-coil inhomogeneity), gamma 0.7 to 1.5 (sequence and scanner
        contrast), Rician noise (magnitude images), applied to raw intensities before the
        standardisation, which ignores the zero background (skull-stripped volumes).
      - Flips across the midline: off while `lateralised` (the default). Many findings and
        labels have a side (left hemisphere stroke, language lateralisation, a left or right
        hippocampus label); a mirrored brain is a different patient. Pass
        ``lateralised=False`` only when the task is side-free (whole-tumour segmentation,
        brain extraction); `left_right_axis` then names the file's left-right axis.
      - Not included: large rotations, elastic deformation (can mimic atrophy or mass effect),
        Gibbs and k-space spike artefacts (opt in with ``RandGibbsNoise`` /
        ``RandKSpaceSpikeNoise`` when scanner artefacts are the point), erasing.

    Args:
      lateralised: the task depends on side (static); True disables the left-right flip.
      left_right_axis: the spatial axis (0, 1 or 2) running left-right in the file.
      rotate: largest rotation about each axis, radians. spacing: voxel size in mm, so that
        rotations are rigid on anisotropic grids.
      bias_coeff: upper end of the bias field's coefficient range. gamma: (min, max) gamma.
      noise_std: Rician noise as a fraction of the volume's standard deviation.

    Returns:
      A Compose mapping (S0, S1, S2, C) in MR intensities to float32 of the same shape,
      zero-mean unit-variance over nonzero voxels per channel; the label follows the affine.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxaug import volume
      >>> mri = jnp.full((16, 20, 12, 1), 300.0)
      >>> volume.presets.brain_mri()(jax.random.key(0), mri).shape
      (16, 20, 12, 1)
    """
    if left_right_axis not in (0, 1, 2):
        raise ValueError(f"brain_mri: left_right_axis must be 0, 1 or 2, got {left_right_axis!r}")
    if not isinstance(lateralised, bool):
        raise TypeError(f"brain_mri: lateralised must be True or False, got {lateralised!r}")
    steps: list[VolumeTransform] = [] if lateralised else [RandFlip(prob=0.5, spatial_axis=left_right_axis)]
    steps += [
        RandAffine(
            prob=0.3, rotate_range=(rotate, rotate, rotate), scale_range=(0.05, 0.05, 0.05), padding_mode="zeros", spacing=spacing
        ),
        RandBiasField(degree=3, coeff_range=(0.0, bias_coeff), prob=0.3),
        RandAdjustContrast(prob=0.3, gamma=gamma),
        RandRicianNoise(prob=0.2, std=noise_std, relative=True),
        NormalizeIntensity(nonzero=True, channel_wise=True),
    ]
    return Compose(steps)


PRESETS: dict[str, Callable[..., Compose]] = {
    "ct_segmentation": ct_segmentation,
    "brain_mri": brain_mri,
}
