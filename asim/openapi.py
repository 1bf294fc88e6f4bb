"""The OpenAPI schema as a contract the API keeps (checked by tests/api_schema).

- `ApiAutoSchema` (DEFAULT_SCHEMA_CLASS) documents, for every operation, the error answers
  every endpoint can give: 400 (bad input, unknown query parameter), 401 (no or a bad
  credential), 403 (seen but not allowed) and 404 (not found or not visible; an invalid page
  of a list). Each endpoint documents its own 2xx answers.
- `operation_contract()`: what each operation accepts, taken from the schema itself
  (generated once): its query names, and a validator of its JSON body. asim/api.py answers
  400 to anything else, so the API accepts what the schema says and nothing more (DRF alone
  would take `"body": 0` for a text, or `false` for a number).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from jsonschema import Draft7Validator
from rest_framework import serializers
from rest_framework.views import APIView

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# {"field": ["message", ...], "detail": "..."}; nested serializers nest the same shape.
_FIELD_ERRORS = {"type": "object", "additionalProperties": True}


def _error(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR_RESPONSES: dict[str, dict[str, Any]] = {
    "400": _error("Invalid input: messages per field, or a `detail`.", _FIELD_ERRORS),
    "401": _error("No credentials, or invalid ones.", _DETAIL),
    "403": _error("The user may not do this.", _DETAIL),
    "404": _error("Not found, or not visible to the user; or an invalid page.", _DETAIL),
}

# (view class, HTTP method, viewset action) -> (query names, JSON request body schema), as
# ApiAutoSchema saw them while the schema was generated.
_operations: dict[tuple[Any, ...], tuple[frozenset[str], dict[str, Any] | None]] = {}
_contracts: dict[tuple[Any, ...], Contract] = {}
_lock = threading.Lock()


def _view_key(view: APIView, method: str) -> tuple[Any, ...]:
    # A ViewSet serves one operation per (method, action).
    return type(view), method.upper(), getattr(view, "action", None)


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error answers; records each operation's contract."""

    def _map_serializer_field(self, field: Any, direction: str, *args: Any, **kwargs: Any) -> Any:
        schema = super()._map_serializer_field(field, direction, *args, **kwargs)
        if (
            direction != "request"
            or field.read_only
            or schema.get("type") not in ("string", "array")
        ):
            return schema
        # DRF trims whitespace before its blank check: required text has a non-space character.
        if (
            isinstance(field, serializers.CharField)
            and not field.allow_blank
            and field.trim_whitespace
            and not {"pattern", "format", "enum"} & set(schema)
        ):
            schema["pattern"] = r"\S"
        if not getattr(field, "allow_empty", True) and schema["type"] == "array":
            schema.setdefault("minItems", 1)
        return schema

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        # An error is rendered like the answer it replaces: JSON, or text (the CSV export).
        media_types = self.map_renderers("media_type") or ["application/json"]
        for code, response in ERROR_RESPONSES.items():
            json_form = response["content"]["application/json"]
            content = {
                media_type: json_form if "json" in media_type else {"schema": {"type": "string"}}
                for media_type in media_types
            }
            responses.setdefault(code, {**response, "content": content})
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        _operations[_view_key(self.view, self.method)] = (
            frozenset(p["name"] for p in operation.get("parameters", ()) if p["in"] == "query"),
            body.get("schema"),
        )
        return operation


@dataclass(frozen=True)
class Contract:
    """What one operation accepts: its query names and a validator of its JSON body."""

    query: frozenset[str]
    body: Draft7Validator | None

    def body_type_errors(self, data: Any) -> dict[str, Any]:
        """Where `data` has a JSON type the body schema does not allow (a number for a text,
        `false` for a number), as DRF nests field errors: {"capacity": {"immediate": [...]}}.

        Only types: DRF's own validation, which runs next, words every other problem (a
        missing field, a value out of range) better, and knows rules no schema holds."""
        errors: dict[str, Any] = {}
        if self.body is None:
            return errors
        for error in self.body.iter_errors(data):
            expected = _expected_types(error)
            if not expected:
                continue
            node = errors
            path = [str(part) for part in error.absolute_path] or ["non_field_errors"]
            for part in path[:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    break
            else:
                node.setdefault(path[-1], []).append(f"Expected {' or '.join(expected)}.")
        return errors


def _expected_types(error: Any) -> list[str]:
    """The JSON types the schema wanted where `error` is a type mismatch, else []."""
    if error.validator == "type":
        wanted = error.validator_value
        return [str(t) for t in wanted] if isinstance(wanted, list) else [str(wanted)]
    if error.validator in ("anyOf", "oneOf") and error.context:
        # A type mismatch only when no alternative takes the value's type (`nullable`
        # fields are "the type, or null").
        branches: dict[Any, list[Any]] = {}
        for sub in error.context:
            branches.setdefault(sub.schema_path[0], []).append(sub)
        if len(branches) == len(error.validator_value) and all(
            any(sub.validator == "type" for sub in subs) for subs in branches.values()
        ):
            return [t for subs in branches.values() for sub in subs for t in _expected_types(sub)]
    return []


def _request_form(node: Any) -> Any:
    """An OpenAPI 3.0 schema as plain JSON Schema for requests: `nullable` becomes a null
    alternative, and read-only properties are neither required nor checked."""
    if isinstance(node, list):
        return [_request_form(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _request_form(value) for key, value in node.items()}
    properties = node.get("properties")
    if isinstance(properties, dict):
        read_only = {name for name, prop in properties.items() if prop.get("readOnly")}
        node["properties"] = {k: v for k, v in properties.items() if k not in read_only}
        if "required" in node:
            node["required"] = [name for name in node["required"] if name not in read_only]
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


def operation_contract(view: APIView, method: str) -> Contract | None:
    """The contract of the operation `view` serves for `method`, or None for a view outside
    the schema. The schema is generated once, on first use."""
    key = _view_key(view, method)
    if key not in _contracts:
        with _lock:
            if not _contracts:
                schema = SchemaGenerator().get_schema(request=None, public=True)
                components = _request_form(schema.get("components", {}))
                for op_key, (query, body) in _operations.items():
                    validator = None
                    if body is not None:
                        document = {"allOf": [_request_form(body)], "components": components}
                        validator = Draft7Validator(document)
                    _contracts[op_key] = Contract(query=query, body=validator)
    return _contracts.get(key)
