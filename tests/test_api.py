"""The public surface: every name importable, documented with a runnable example, keys first."""

import doctest
import importlib
import inspect

import jax
import pytest

PUBLIC_MODULES = ["jaxaug", "jaxaug.image", "jaxaug.presets", "jaxaug.signal", "jaxaug.tabular", "jaxaug.mix", "jaxaug.tta", "jaxaug.train", "jaxaug.volume", "jaxaug.volume.presets"]
# Names that are data, not functions or classes.
CONSTANTS = {"IMAGENET_MEAN", "IMAGENET_STD", "PRESETS", "MERGES", "LOSSES"}
# Aliases documented under their main name.
ALIASES = {"OneOf", "augment_tabular"}
# Functions about a transform, not random ops: the transform first, then the key it would be
# given, as in issue #14's ``ja.describe(pipeline, key, shape)``.
TRANSFORM_FIRST = {"describe"}


def _public(module_name):
    module = importlib.import_module(module_name)
    for name in module.__all__:
        yield module, name, getattr(module, name)


ALL_NAMES = [(m, n) for m in PUBLIC_MODULES for _, n, _ in _public(m)]


@pytest.mark.parametrize("module_name, name", ALL_NAMES)
def test_every_public_name_is_importable_and_documented(module_name, name):
    module = importlib.import_module(module_name)
    obj = getattr(module, name)
    if name in CONSTANTS or inspect.ismodule(obj):
        return
    doc = inspect.getdoc(obj) or ""
    assert len(doc.splitlines()[0]) > 10, f"{module_name}.{name} needs a one-line summary"
    if name not in ALIASES and name not in {"Transform", "GeometricTransform", "PixelTransform"}:
        assert ">>>" in doc, f"{module_name}.{name} needs a runnable example"


@pytest.mark.parametrize("module_name, name", ALL_NAMES)
def test_public_functions_have_type_hints_and_random_ones_take_key_first(module_name, name):
    obj = getattr(importlib.import_module(module_name), name)
    if not inspect.isfunction(obj):
        return
    sig = inspect.signature(obj)
    for pname, p in sig.parameters.items():
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            assert p.annotation is not inspect.Parameter.empty, f"{name}({pname}) needs a type hint"
    assert sig.return_annotation is not inspect.Signature.empty, f"{name} needs a return type"
    params = list(sig.parameters)
    if "key" in params and sig.parameters["key"].default is inspect.Parameter.empty and name not in TRANSFORM_FIRST:
        assert params[0] == "key", f"{name}: a required key must come first"


def _doctest_modules():
    names = set(PUBLIC_MODULES)
    for m in PUBLIC_MODULES:
        for _, _, obj in _public(m):
            if hasattr(obj, "__module__") and obj.__module__:
                names.add(obj.__module__)
    return sorted(names)


@pytest.mark.parametrize("module_name", _doctest_modules())
def test_docstring_examples_run(module_name):
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    # Examples run as users run them, with JAX's default (standard) promotion: optax's Adam,
    # used in the training examples, relies on it.
    with jax.numpy_dtype_promotion("standard"), jax.numpy_rank_promotion("allow"):
        for test in finder.find(module, module_name):
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0
