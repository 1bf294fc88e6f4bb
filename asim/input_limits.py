"""Bounds on what clients send, checked before it is parsed.

Python's json parser recurses once per nested array or object: a few thousand `[` raise
RecursionError (a 500 on the API, a dead board socket). `loads_bounded` refuses text over a
size or nesting limit with JSONLimitError (a ValueError) first, so callers answer with a
clear 400 or an error frame. Everything that takes JSON from a client goes through it: the
API's parser (`BoundedJSONParser`, every DRF endpoint including CAD intake) and the board
socket's `receive`.

DRF's JSON and form parsers read the whole body, whatever DATA_UPLOAD_MAX_MEMORY_SIZE says
(Django applies it only to `request.body` and its own form parsing); the bounded parsers here
read at most that much and answer 413 beyond it.
"""

from __future__ import annotations

import codecs
import json
import re
from itertools import accumulate
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import QueryDict
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import FormParser, JSONParser, get_encoding
from rest_framework.utils.json import strict_constant

MAX_DEPTH = 32  # arrays and objects inside each other; real documents use fewer than 8

# A JSON string (escapes included), unrolled so it runs in linear time.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JSONLimitError(ValueError):
    """JSON text over the size or nesting limit; `str()` is a message for the client."""


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text`, ignoring brackets inside strings.
    Linear time and constant stack, whatever the input (malformed JSON included)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def check_json_text(text: str, *, max_chars: int, max_depth: int = MAX_DEPTH) -> None:
    """Raise JSONLimitError if `text` is longer than `max_chars` or nests deeper than
    `max_depth`."""
    if len(text) > max_chars:
        raise JSONLimitError(f"JSON too large: at most {max_chars} characters.")
    if nesting_depth(text) > max_depth:
        raise JSONLimitError(
            f"JSON nested too deeply: at most {max_depth} levels of arrays and objects."
        )


def loads_bounded(
    text: str, *, max_chars: int, max_depth: int = MAX_DEPTH, **loads_options: Any
) -> Any:
    """`json.loads` after `check_json_text`. Raises JSONLimitError or ValueError."""
    check_json_text(text, max_chars=max_chars, max_depth=max_depth)
    return json.loads(text, **loads_options)


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


def too_large_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return f"Request body too large: at most {limit // 1024} KB."


def read_bounded(stream: IO[bytes] | None) -> bytes:
    """The request body, at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (None: Django's limit is
    off); raises RequestTooLarge (413) beyond it, without reading the rest."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    raw = b"" if stream is None else stream.read(-1 if limit is None else limit + 1)
    if limit is not None and len(raw) > limit:
        raise RequestTooLarge(too_large_message())
    return raw


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with the request-size (DATA_UPLOAD_MAX_MEMORY_SIZE) and nesting
    limits applied before parsing: 413 or 400 with a `detail`, never a RecursionError."""

    def parse(
        self,
        stream: IO[bytes] | None,
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        encoding = get_encoding(parser_context or {})
        raw = read_bounded(stream)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            text = codecs.decode(raw, encoding)
            return loads_bounded(
                text,
                max_chars=len(text) if limit is None else limit,
                parse_constant=strict_constant if self.strict else None,
            )
        except JSONLimitError as exc:
            raise ParseError(str(exc)) from None
        except ValueError as exc:  # UnicodeDecodeError is one
            raise ParseError(f"JSON parse error - {exc}") from None


class BoundedFormParser(FormParser):
    """DRF's form parser, reading at most DATA_UPLOAD_MAX_MEMORY_SIZE (else 413); Django's
    DATA_UPLOAD_MAX_NUMBER_FIELDS bounds the number of fields."""

    def parse(
        self,
        stream: IO[bytes] | None,
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> QueryDict:
        encoding = get_encoding(parser_context or {})
        try:
            return QueryDict(read_bounded(stream), encoding=encoding)
        except TooManyFieldsSent as exc:
            raise ParseError(str(exc)) from None
