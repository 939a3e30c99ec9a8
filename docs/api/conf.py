"""Sphinx configuration for jaxaug's API reference, built from the docstrings.

    sphinx-build -W -b html docs/api docs/_build
"""

import os
import sys

# The checkout's jaxaug, whether or not it is installed.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

project = "jaxaug"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon"]
napoleon_google_docstring = True
napoleon_numpy_docstring = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
html_theme = "alabaster"
exclude_patterns = ["_build"]
