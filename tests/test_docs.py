"""The API reference builds from the docstrings with warnings as errors, and lists every public name.

The command is the README's; sphinx comes with ``pip install -e '.[dev]'`` (and '.[docs]'), so
CI builds the reference on every run.
"""

import importlib
import inspect
import re
import shlex
import warnings
from pathlib import Path

import pytest

from test_api import CONSTANTS, PUBLIC_MODULES

ROOT = Path(__file__).resolve().parents[1]
COMMAND = "sphinx-build -W -b html docs/api docs/_build"


def test_the_api_reference_builds_without_warnings_and_documents_every_public_name(tmp_path):
    pytest.importorskip("sphinx", reason="sphinx is not installed: pip install -e '.[docs]' (it is in '.[dev]')")
    from sphinx.cmd.build import build_main

    assert COMMAND in (ROOT / "README.md").read_text(), "the README's build command changed: update COMMAND"
    _, warnings_as_errors, builder, html, source, _ = shlex.split(COMMAND)
    out = tmp_path / "html"
    # The README's command, built into a temporary folder. Sphinx's -W turns its own warnings
    # (bad docstrings, unknown references) into errors; Python warnings that Sphinx and its
    # extensions raise about each other's deprecations are not about our docstrings.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        status = build_main([warnings_as_errors, builder, html, "-q", "-d", str(tmp_path / "doctrees"), str(ROOT / source), str(out)])
    assert status == 0, "sphinx-build -W failed: run the README's command to see the warnings"

    pages = " ".join(page.read_text() for page in out.glob("*.html"))
    documented = set(re.findall(r'<dt class="sig sig-object py" id="([\w.]+)">', pages))
    missing = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            if name in CONSTANTS or inspect.ismodule(getattr(module, name)):
                continue
            if f"{module_name}.{name}" not in documented:
                missing.append(f"{module_name}.{name}")
    assert not missing, f"public names missing from the API reference: {missing}"
