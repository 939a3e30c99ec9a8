"""Every README code block runs as written: the Python blocks in one namespace, the shell
commands one by one (issue #14)."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

# Commands not run here, each with the reason. A command is matched by its first words.
NOT_RUN = {
    "pip install": "needs the network (a package index)",
    "pytest": "the test suite itself, which is running this test",
    "sphinx-build": "tests/test_docs.py runs this build and checks its pages",
}
# Long commands run with smaller settings: these flags are appended (argparse keeps the last).
SMALLER = {"python -m jaxaug preview": ["-n", "2"]}


def _shell_commands():
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", README.read_text(), flags=re.S):
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if command and not command.startswith("#"):
                commands.append(command)
    return commands


COMMANDS = _shell_commands()


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README has no Python examples"
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)


def test_the_readme_has_shell_commands_and_runs_some():
    assert COMMANDS, "the README has no shell commands"
    assert any(not any(c.startswith(p) for p in NOT_RUN) for c in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_shell_command_runs(command, tmp_path, monkeypatch):
    for prefix, reason in NOT_RUN.items():
        if command.startswith(prefix):
            pytest.skip(reason)
    words = shlex.split(command)
    for prefix, flags in SMALLER.items():
        if command.startswith(prefix):
            words += flags
    # Run where the README's relative paths resolve: the repository's files, but outputs
    # (grid.png) written to a temporary folder.
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    monkeypatch.chdir(tmp_path)
    if words[:3] == ["python", "-m", "jaxaug"]:
        # In this process (the jaxaug under test, no second interpreter to start): the same
        # entry point `python -m jaxaug` calls.
        from jaxaug import __main__ as cli

        assert cli.main(words[3:]) == 0
    else:
        result = subprocess.run(
            [sys.executable if words[0] == "python" else words[0], *words[1:]],
            capture_output=True, text=True, timeout=300, cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    if "--out" in words:
        _looks_like_a_preview(tmp_path / words[words.index("--out") + 1])


def _looks_like_a_preview(path):
    from PIL import Image

    picture = np.asarray(Image.open(path))
    # A title band, then the original and two views at 224 pixels, three columns.
    assert picture.ndim == 3 and picture.shape[0] > 224 + 20 and picture.shape[1] > 3 * 224
    band = picture[:20]
    assert (band < 128).any() and (band == 255).mean() > 0.5, "the title band is missing"
