"""The one check of a JSON value against a TypedDict: event payloads (incidents.events) and the
boards' socket envelopes (boards.envelopes) both go through `typed_dict_errors`.

Understands what those schemas use: Any, None, Literal, unions, nested TypedDicts, list[…],
dict[str, …], bool, int (never a bool), float (an int will do) and plain classes. Keys the
schema does not name are errors; keys it marks NotRequired may be absent.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union


def typed_dict_errors(schema: type, value: Any, path: str) -> list[str]:
    """What is wrong with `value` as an instance of the TypedDict `schema` (empty: nothing),
    each error prefixed by its place under `path`."""
    if not isinstance(value, dict):
        return [f"{path}: expected an object"]
    hints = typing.get_type_hints(schema)
    required: frozenset[str] = schema.__required_keys__  # type: ignore[attr-defined]
    errors = [f"{path}.{key}: missing" for key in sorted(required - value.keys())]
    errors += [f"{path}.{key}: not in the schema" for key in sorted(value.keys() - hints.keys())]
    for key, item in value.items():
        if key in hints:
            errors += _value_errors(item, hints[key], f"{path}.{key}")
    return errors


def _value_errors(value: Any, expected: Any, path: str) -> list[str]:
    origin = typing.get_origin(expected)
    if expected is Any:
        return []
    if expected is None or expected is type(None):
        return [] if value is None else [f"{path}: expected null"]
    if origin is Literal:
        allowed = typing.get_args(expected)
        return [] if value in allowed else [f"{path}: {value!r} is not one of {allowed}"]
    if origin in (Union, types.UnionType):
        options = typing.get_args(expected)
        if any(not _value_errors(value, option, path) for option in options):
            return []
        return [f"{path}: {value!r} matches none of {options}"]
    if typing.is_typeddict(expected):
        return typed_dict_errors(expected, value, path)
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        (item,) = typing.get_args(expected) or (Any,)
        return [e for i, v in enumerate(value) for e in _value_errors(v, item, f"{path}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        _, item = typing.get_args(expected) or (str, Any)
        return [e for k, v in value.items() for e in _value_errors(v, item, f"{path}.{k}")]
    if expected is bool:
        return [] if isinstance(value, bool) else [f"{path}: expected true or false"]
    if expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer"]
    if expected is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected a number"]
    return [] if isinstance(value, expected) else [f"{path}: expected {expected.__name__}"]
