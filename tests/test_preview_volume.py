"""`python -m jaxaug preview` for volumes: mid-slices of the original and its draws, label outlined."""

import numpy as np
import pytest
from PIL import Image

from jaxaug import __main__ as cli
from jaxaug import _preview_volume
from jaxaug import volume as V


def test_phantoms_are_asymmetric_with_labels_inside():
    ct, ct_label = _preview_volume.phantom_volume((20, 24, 16))
    assert ct.shape == (20, 24, 16, 1) and ct.dtype == np.int16 and ct_label.shape == (20, 24, 16)
    assert set(np.unique(ct_label)) == {0, 1, 2}
    assert not np.array_equal(ct_label, ct_label[::-1])  # a flip along axis 0 shows
    head, brain = _preview_volume.phantom_brain((20, 24, 16))
    assert head.dtype == np.float32 and set(np.unique(brain)) == {0, 1, 2}
    assert not np.array_equal(brain, brain[::-1])


def test_the_grid_shows_three_mid_slices_per_row_with_the_label_outlined():
    volume, label = _preview_volume.phantom_volume((20, 24, 16))
    grid = _preview_volume.volume_preview_grid(V.RandFlip(prob=1.0, spatial_axis=0), volume, label, n=1, zoom=2)
    assert grid.dtype == np.uint8 and grid.shape == (2 * (48 + 4) + 4, 3 * (48 + 4) + 4, 3)
    red = (grid[..., 0] > 200) & (grid[..., 1] < 80)
    top, bottom = red[: 52, 4:], red[52:]
    assert top.sum() > 20 and bottom.sum() > 20
    # The flipped row's axis-1 slice is the original's mirrored along axis 0.
    original, flipped = grid[4:44, 56:88], grid[56:96, 56:88]
    np.testing.assert_array_equal(flipped, original[::-1])


def test_preview_reads_a_nifti_volume_and_label(tmp_path):
    nibabel = pytest.importorskip("nibabel")
    volume, label = _preview_volume.phantom_volume((20, 24, 16))
    affine = np.diag([2.0, 2.0, 2.5, 1.0])
    nibabel.save(nibabel.Nifti1Image(volume[..., 0].astype(">i2"), affine), tmp_path / "ct.nii.gz")
    nibabel.save(nibabel.Nifti1Image(label.astype(np.int16), affine), tmp_path / "seg.nii.gz")
    out = tmp_path / "grid.png"
    argv = ["preview", "--preset", "ct_segmentation", "--volume", str(tmp_path / "ct.nii.gz"), "--label", str(tmp_path / "seg.nii.gz")]
    assert cli.main([*argv, "--out", str(out), "-n", "1"]) == 0
    grid = np.asarray(Image.open(out))
    assert grid.shape[0] > 2 * 20 and grid.shape[1] > 3 * 24


def test_preview_refuses_mixing_image_and_volume_options(tmp_path):
    with pytest.raises(SystemExit):
        cli.main(["preview", "--preset", "xray", "--label", "seg.nii.gz"])
    with pytest.raises(SystemExit):
        cli.main(["preview", "--preset", "xray", "--volume", "t1.nii.gz"])
