"""One log filter, on every handler (Django's LOGGING and the Celery worker's): a record's
message is one line.

A title, a name or an SMS body typed by someone else can hold line breaks, control characters
or bidi overrides; written raw they forge extra log lines ("... INFO asim: ACK from +1...") or
reorder a line on screen. The filter escapes the message with its arguments
(asim.plain_text.escaped_line); a traceback keeps its lines for reading, each indented and
escaped, so no line of it can pass for a record of its own. Escaping twice changes nothing,
so a record passing several handlers is safe.
"""

from __future__ import annotations

import logging
import traceback

from asim.plain_text import escaped_line

TRACEBACK_INDENT = "    "


class OneLineFilter(logging.Filter):
    """Rewrites each record's message (and traceback) into escaped text; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # wrong args: leave it to the handler, which reports the error
            return True
        record.msg, record.args = escaped_line(message), None
        if record.exc_info and not record.exc_text:
            lines = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = "\n".join(
                TRACEBACK_INDENT + escaped_line(line) for line in lines.split("\n")
            )
        return True


def add_one_line_filter(logger: logging.Logger) -> None:
    """Put the filter on every handler of `logger` (for handlers set up outside LOGGING)."""
    for handler in logger.handlers:
        if not any(isinstance(f, OneLineFilter) for f in handler.filters):
            handler.addFilter(OneLineFilter())
