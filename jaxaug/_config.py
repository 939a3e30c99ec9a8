"""A pipeline as data: its config (plain JSON types), a file, a readable repr and a fingerprint.

A config names each transform by its class name in jaxaug's public namespaces and gives every
constructor argument; loading looks names up in that registry only, so a config is data and
never code (no pickle, no import by name). Lists come back as tuples, the form the transforms
keep their sequences in, so a reloaded pipeline equals (and hashes like) the one saved.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import inspect
import json
import math
import numbers
import os
from typing import Any

import jax
import numpy as np

from jaxaug._base import Transform

SCHEMA_VERSION = 1

# Namespaces after the top level whose exported frozen dataclasses a config may name, prefixed
# ("signal.ECGAugment") unless the top level exports the same class. "volume" may not exist.
_NAMESPACES = ("volume", "signal", "tabular", "mix")
# Non-finite numbers are not JSON: they are stored as {"float": "inf"}.
_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def _jaxaug_version() -> str:
    import jaxaug

    return jaxaug.__version__


def registry() -> dict[str, type]:
    """Config name -> class for every augmentation exported by jaxaug's public namespaces: the
    frozen dataclasses that are Transforms or are called with a key first (``mix.Mixup``).

    Transforms added to ``jaxaug.__all__`` (or ``jaxaug.volume.__all__``) are picked up with no
    edit here, as long as their fields are plain data or nested transforms.
    """
    import jaxaug

    modules = [("", jaxaug)]
    for name in _NAMESPACES:
        try:
            modules.append((name + ".", importlib.import_module(f"jaxaug.{name}")))
        except ModuleNotFoundError as e:
            if e.name != f"jaxaug.{name}":
                raise
    names: dict[str, type] = {}
    seen: set[type] = set()
    for prefix, module in modules:
        for exported in module.__all__:
            cls = getattr(module, exported)
            if not (isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen):
                continue
            if not (issubclass(cls, Transform) or _called_with_key_first(cls)):
                continue  # data (a box, a sample), not an augmentation
            if cls in seen:
                continue
            seen.add(cls)
            # An alias (OneOf for RandomChoice) is stored under the class's own name.
            own = cls.__name__ if getattr(module, cls.__name__, None) is cls else exported
            names[prefix + own] = cls
    return names


def _called_with_key_first(cls: type) -> bool:
    """Whether instances are augmentations called as ``obj(key, x, ...)`` (Mixup, ECGAugment)."""
    call = next((k.__dict__["__call__"] for k in cls.__mro__ if "__call__" in k.__dict__), None)
    return call is not None and list(inspect.signature(call).parameters)[1:2] == ["key"]


def _name_of(obj: Any, names: dict[type, str]) -> str | None:
    return names.get(type(obj))


def _encode(value: Any, path: str, names: dict[type, str]) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        return v if math.isfinite(v) else {"float": repr(v)}
    if isinstance(value, (tuple, list)):
        return [_encode(v, f"{path}[{i}]", names) for i, v in enumerate(value)]
    if _name_of(value, names) is not None:
        return _entry(value, path, names)
    raise TypeError(
        f"to_config: {path or 'pipeline'} is a {type(value).__name__}; a config holds numbers, strings, bools, "
        "None, tuples of those and jaxaug transforms (not arrays, functions or other objects)"
    )


def _entry(obj: Any, path: str, names: dict[type, str]) -> dict[str, Any]:
    name = _name_of(obj, names)
    if name is None:
        raise TypeError(
            f"to_config: {path or 'pipeline'} is a {type(obj).__name__}, not a transform exported by jaxaug "
            "(a frozen dataclass in jaxaug's __all__)"
        )
    args = {}
    for f in dataclasses.fields(obj):
        if f.init:
            args[f.name] = _encode(getattr(obj, f.name), f"{path}.{f.name}" if path else f.name, names)
    return {"type": name, "args": args}


def to_config(pipeline: Any) -> dict[str, Any]:
    """A pipeline as plain JSON types: ``{"schema", "jaxaug", "pipeline": {"type", "args"}}``.

    Every constructor argument is stored, defaults included, so a later change of a default
    does not change a saved pipeline. Works for every transform, combinator and preset, for
    ``signal.ECGAugment``, ``tabular.Augment`` and ``mix.Mixup``.

    Args:
      pipeline: a jaxaug transform (e.g. a ``ja.Compose``) or another exported config class.

    Returns:
      A dict of dicts, lists, strings, numbers, bools and None; ``json.dumps`` writes it.

    Example:
      >>> import jaxaug as ja
      >>> config = ja.to_config(ja.Compose([ja.RandomHorizontalFlip(p=0.3)]))
      >>> config["pipeline"]["args"]["transforms"][0]
      {'type': 'RandomHorizontalFlip', 'args': {'p': 0.3}}
      >>> ja.from_config(config) == ja.Compose([ja.RandomHorizontalFlip(p=0.3)])
      True
    """
    names = {cls: name for name, cls in registry().items()}
    return {"schema": SCHEMA_VERSION, "jaxaug": _jaxaug_version(), "pipeline": _entry(pipeline, "", names)}


class _Refused(Exception):
    """A config entry that cannot be built; carries the path and type for the message."""


def _label(path: str, type_name: str | None) -> str:
    where = path or "pipeline"
    return f"{where} ({type_name})" if type_name else where


def _decode(value: Any, path: str, classes: dict[str, type]) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, list):
        return tuple(_decode(v, f"{path}[{i}]", classes) for i, v in enumerate(value))
    if isinstance(value, dict) and set(value) == {"float"}:
        if value["float"] not in _NON_FINITE:
            raise ValueError(f"from_config: {path}: {{'float': ...}} must hold 'inf', '-inf' or 'nan', got {value['float']!r}")
        return _NON_FINITE[value["float"]]
    if isinstance(value, dict) and ("type" in value or "args" in value):
        return _build(value, path, classes)
    raise ValueError(f"from_config: {path}: expected a number, string, bool, null, list or transform entry, got {value!r}")


def _build(entry: Any, path: str, classes: dict[str, type]) -> Any:
    if not isinstance(entry, dict) or set(entry) != {"type", "args"} or not isinstance(entry["args"], dict):
        raise ValueError(f"from_config: {_label(path, None)}: a transform entry is {{'type': name, 'args': {{...}}}}, got {entry!r}")
    type_name = entry["type"]
    where = _label(path, type_name)
    if not isinstance(type_name, str) or type_name not in classes:
        raise ValueError(
            f"from_config: {where}: unknown transform {type_name!r}; a config may name only jaxaug's exported "
            "transforms (a newer jaxaug, or another library, may have written it)"
        )
    cls = classes[type_name]
    fields = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(entry["args"]) - fields)
    if unknown:
        raise ValueError(f"from_config: {where}: unknown argument(s) {unknown}; {type_name} takes {sorted(fields)}")
    args = {k: _decode(v, f"{path}.{k}" if path else k, classes) for k, v in entry["args"].items()}
    try:
        return cls(**args)
    except (TypeError, ValueError) as e:
        raise type(e)(f"from_config: {where}: {e}") from e


def from_config(config: dict[str, Any]) -> Any:
    """Rebuild a pipeline from :func:`to_config`'s dict (or its JSON, parsed).

    Refused with a ValueError/TypeError naming the entry (e.g. ``transforms[2]
    (RandomRotation): ...``): a newer schema, an unknown transform name, an unknown or bad
    argument. Only jaxaug's exported transforms can be named; nothing is imported or executed.

    Args:
      config: ``{"schema": 1, "jaxaug": version, "pipeline": {"type": ..., "args": {...}}}``.

    Returns:
      The transform, equal (``==``, same hash) to the one saved, giving the same output for
      the same key.

    Example:
      >>> import json, jax, jaxaug as ja
      >>> config = json.loads(json.dumps(ja.to_config(ja.RandomRotation(degrees=(0, 30)))))
      >>> ja.from_config(config)
      RandomRotation(degrees=(0.0, 30.0), interpolation='nearest', expand=False, center=None, fill=0.0, mask_fill=0)
    """
    if not isinstance(config, dict) or "pipeline" not in config or "schema" not in config:
        raise ValueError("from_config: config must be a dict with 'schema', 'jaxaug' and 'pipeline', as ja.to_config gives")
    schema = config["schema"]
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise ValueError(f"from_config: schema must be an int >= 1, got {schema!r}")
    if schema > SCHEMA_VERSION:
        raise ValueError(
            f"from_config: the config's schema {schema} is newer than this jaxaug's ({SCHEMA_VERSION}); it was "
            f"written by jaxaug {config.get('jaxaug')!r}, this is {_jaxaug_version()}: upgrade jaxaug to load it"
        )
    return _build(config["pipeline"], "", registry())


def save(pipeline: Any, path: str | os.PathLike[str]) -> None:
    """Write a pipeline's config to a JSON file (see :func:`to_config`); :func:`load` reads it.

    Args:
      pipeline: a jaxaug transform (e.g. a ``ja.Compose`` or a preset).
      path: the file to write (overwritten).

    Example:
      >>> import os, tempfile, jaxaug as ja
      >>> path = os.path.join(tempfile.mkdtemp(), "augment.json")
      >>> ja.save(ja.presets.xray_train(), path)
      >>> ja.load(path) == ja.presets.xray_train()
      True
    """
    text = json.dumps(to_config(pipeline), indent=2, allow_nan=False)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")


def load(path: str | os.PathLike[str]) -> Any:
    """Read a pipeline written by :func:`save`; refused like :func:`from_config`.

    Args:
      path: a JSON file written by ``ja.save``.

    Returns:
      The pipeline.

    Example:
      >>> import os, tempfile, jaxaug as ja
      >>> path = os.path.join(tempfile.mkdtemp(), "augment.json")
      >>> ja.save(ja.RandomHorizontalFlip(), path)
      >>> ja.load(path)
      RandomHorizontalFlip(p=0.5)
    """
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    return from_config(config)


def fingerprint(pipeline: Any) -> str:
    """A short stable hash of a pipeline: its config, the jaxaug version and the PRNG.

    16 hex digits of the SHA-256 of the canonical JSON of :func:`to_config` (which holds the
    jaxaug version) and ``jax.config.jax_default_prng_impl``; the same in every process and on
    every machine. Store it with checkpoints and in experiment logs: a changed fingerprint means
    the augmentation may differ. (The JAX version is not part of it.)

    Args:
      pipeline: a jaxaug transform, or a config dict from :func:`to_config`.

    Returns:
      A 16-character hex string.

    Example:
      >>> import jaxaug as ja
      >>> len(ja.fingerprint(ja.presets.xray_train()))
      16
      >>> ja.fingerprint(ja.presets.xray_train()) == ja.fingerprint(ja.presets.xray_train(hflip_p=0.0))
      False
    """
    config = to_config(from_config(pipeline) if isinstance(pipeline, dict) else pipeline)
    data = {"config": config, "prng_impl": str(jax.config.jax_default_prng_impl)}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# --- repr -----------------------------------------------------------------------------------


def _default_of(f: dataclasses.Field) -> tuple[bool, Any]:
    if f.default is not dataclasses.MISSING:
        return True, f.default
    if f.default_factory is not dataclasses.MISSING:
        return True, f.default_factory()
    return False, None


def _is_default(obj: Any, f: dataclasses.Field) -> bool:
    """Whether a field holds its default, as given or as the constructor stores it (ColorJitter
    stores an off brightness=0 as None, RandomRotation degrees=10 as (-10.0, 10.0))."""
    has_default, default = _default_of(f)
    if not has_default:
        return False
    value = getattr(obj, f.name)
    if _same(value, default):
        return True
    try:
        stored = getattr(dataclasses.replace(obj, **{f.name: default}), f.name)
    except (TypeError, ValueError):
        return False
    return _same(value, stored)


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays and odd objects compare as different
        return False


def _format_value(value: Any, indent: int) -> str:
    if isinstance(value, tuple) and value and all(_is_transform_like(v) for v in value):
        inner = "".join(" " * (indent + 4) + format_transform(v, indent + 4) + ",\n" for v in value)
        return "[\n" + inner + " " * indent + "]"
    if _is_transform_like(value):
        return format_transform(value, indent)
    return repr(value)


def _is_transform_like(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def format_transform(obj: Any, indent: int = 0) -> str:
    """Code-like text for a transform: its non-default arguments, nested steps one per line."""
    parts = []
    for i, f in enumerate(dataclasses.fields(obj)):
        if not f.init or (f.name != "transforms" and _is_default(obj, f)):
            continue
        text = _format_value(getattr(obj, f.name), indent)
        # The steps of a combinator come first and unnamed, as they are written.
        parts.append(text if f.name == "transforms" and i == 0 else f"{f.name}={text}")
    return f"{type(obj).__name__}({', '.join(parts)})"
