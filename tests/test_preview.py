"""The preview command writes a PNG grid for each preset."""

import numpy as np
import pytest
from PIL import Image

from jaxaug import __main__ as cli
from jaxaug import _preview, presets


@pytest.mark.parametrize("preset", ["xray", "pathology"])
def test_preview_writes_a_png_grid_of_the_original_and_the_views(tmp_path, preset):
    out = tmp_path / "grid.png"
    assert cli.main(["preview", "--preset", preset, "--out", str(out), "-n", "2"]) == 0
    grid = np.asarray(Image.open(out))
    assert grid.ndim == 3 and grid.shape[0] > 224 and grid.shape[1] > 3 * 224


def test_preview_reads_an_image_file(tmp_path):
    src = tmp_path / "in.png"
    Image.fromarray(_preview.phantom_chest(240)[..., 0]).save(src)
    out = tmp_path / "grid.png"
    assert cli.main(["preview", "--preset", "eval", "--image", str(src), "--out", str(out), "-n", "1"]) == 0
    assert out.stat().st_size > 1000


def test_the_grid_undoes_normalisation_so_views_look_like_the_image():
    image = _preview.phantom_chest(256)
    grid = _preview.preview_grid(presets.eval_transform(mean=[0.5], std=[0.5]), image, n=1, columns=2)
    original, view = grid[4:228, 4:228, 0].astype(float), grid[4:228, 232:456, 0].astype(float)
    assert abs(original.mean() - view.mean()) < 20
