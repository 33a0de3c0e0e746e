"""Scenarios: the YAML authoring language. `load(name_or_path)` returns a validated, frozen
`Scenario`; `names()` lists the built-ins shipped beside this file."""
from __future__ import annotations

import difflib
import json
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from scenarios.errors import InputError
from scenarios.schema import Scenario
from scenarios.strict_yaml import load_yaml

BUILTIN_DIR = Path(__file__).parent
DEFAULT = "hide_and_seek_quadrant"

__all__ = ["Scenario", "InputError", "load", "names", "describe", "json_schema", "DEFAULT"]


def names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def _resolve(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise InputError(f"{path}: no such scenario file")
        return path
    builtin = BUILTIN_DIR / f"{name_or_path}.yaml"
    if not builtin.is_file():
        raise InputError(f"unknown scenario '{name_or_path}': built-ins are {', '.join(names())}, "
                         "or give a path to a .yaml file")
    return builtin


def _set_nested(data: dict, key: str, value: Any) -> None:
    parts = key.split("__")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise InputError(f"override {key}: '{part}' is not a section")
    node[parts[-1]] = value


def _models(annotation) -> list[type[BaseModel]]:
    """The pydantic models an annotation can hold (through Annotated, Optional and unions)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def _known_keys(loc: tuple) -> list[str]:
    """The keys a scenario allows beside the unknown one at `loc` (a discriminated task's tag is in loc)."""
    model, parts = Scenario, list(loc[:-1])
    while parts:
        part = parts.pop(0)
        field = model.model_fields.get(str(part))
        candidates = _models(field.annotation) if field else []
        if len(candidates) > 1 and parts:
            tag = parts.pop(0)
            candidates = [m for m in candidates if m.model_fields.get("kind") and m.model_fields["kind"].default == tag]
        if not candidates:
            return []
        model = candidates[0]
    return list(model.model_fields)


def _error_text(source: str, error: ValidationError) -> str:
    lines = []
    for e in error.errors():
        loc = ".".join(str(p) for p in e["loc"] if not str(p).startswith("function-"))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(e["loc"][-1]), _known_keys(e["loc"]), n=1)
            msg = f"unknown key; did you mean {close[0]!r}?" if close else "unknown key (misspelt?)"
        lines.append(f"{source}: {loc}: {msg}" if loc else f"{source}: {msg}")
    return "\n".join(lines)


def parse(text: str, source: str = "<string>", **overrides: Any) -> Scenario:
    """Validate YAML text. Overrides use `section__key=value` for nested keys."""
    data = load_yaml(text, source)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{source}: a scenario must be a mapping of keys, not {type(data).__name__}")
    data.setdefault("name", Path(source).stem)
    for key, value in overrides.items():
        _set_nested(data, key, value)
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        raise InputError(_error_text(source, e)) from None


def load(name_or_path: str | Path | Scenario = DEFAULT, **overrides: Any) -> Scenario:
    if isinstance(name_or_path, Scenario):
        if not overrides:
            return name_or_path
        return parse(yaml.safe_dump(name_or_path.model_dump(mode="json")), name_or_path.name, **overrides)
    path = _resolve(name_or_path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read: {e}") from None
    return parse(text, str(path), **overrides)


def describe(name: str) -> str:
    """The first sentence of a built-in's description."""
    text = " ".join(load(name).description.split())
    return text.split(". ")[0].rstrip(".")


def json_schema() -> str:
    return json.dumps(Scenario.model_json_schema(), indent=2)
