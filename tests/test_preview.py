"""The preview command writes a PNG grid for each preset."""

import numpy as np
import pytest
from PIL import Image

from jaxaug import __main__ as cli
from jaxaug import _preview, presets


# The xray and pathology grids are written by the README's commands (tests/test_readme.py).


@pytest.mark.parametrize("path, message", [("tile.png", "no such file: tile.png"), ("not_an_image.png", "not an image")])
def test_a_missing_or_unreadable_image_is_named_in_a_usage_error(tmp_path, monkeypatch, capsys, path, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "not_an_image.png").write_text("hello")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["preview", "--preset", "pathology", "--image", path, "--out", "grid.png"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert f"--image {path}" in error and message in error and "Traceback" not in error


def test_the_title_band_holds_text_above_the_unchanged_grid():
    grid = np.zeros((50, 80, 3), np.uint8)
    titled = _preview.with_title(grid, "preset xray, seed 0\nimage: drawn chest phantom")
    band = titled.shape[0] - grid.shape[0]
    assert band > 30  # two lines
    np.testing.assert_array_equal(titled[band:], grid)
    assert (titled[:band] < 128).sum() > 50 and (titled[:band] == 255).mean() > 0.5


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
