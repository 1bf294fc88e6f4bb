"""Text that leaves the platform as plain words: SMS, voice, email subjects, log lines.

People type titles, locations and update bodies; a pasted line break or a right-to-left
override would otherwise go out unchanged ("...\nALERT CANCELLED. This is NOT an exercise"
on a second line of an SMS, or text that reads backwards on a phone).
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
# Control (Cc) and format (Cf: bidi overrides and isolates, zero-width characters) categories.
_INVISIBLE = frozenset({"Cc", "Cf"})


def one_line(text: str) -> str:
    """`text` as one line: every run of whitespace (line breaks, tabs, U+2028) becomes one
    space, and control and format characters (bidi overrides, zero-width) are dropped."""
    spaced = _WHITESPACE.sub(" ", text)
    return "".join(c for c in spaced if unicodedata.category(c) not in _INVISIBLE).strip()


def escaped_line(text: str) -> str:
    """`text` for one log line: line breaks, other control characters and bidi controls
    written as escapes (``\\n``, ``\\u202e``), so a value cannot forge or reorder log lines."""
    out = []
    for c in text:
        if c in "\r\n\t":
            out.append({"\r": "\\r", "\n": "\\n", "\t": "\\t"}[c])
        elif unicodedata.category(c) in _INVISIBLE or c in "\u2028\u2029\x85":
            out.append(f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return "".join(out)


def title_with_place(title: str, place: str) -> str:
    """ "Shooting at Central Mall" at "Central Mall, 100 Main St" said once:
    "Shooting at Central Mall, 100 Main St" (not "... Central Mall at Central Mall, ...")."""
    title, place = title.strip(), place.strip()
    if not place or place.casefold() in title.casefold():
        return title
    first, _, rest = place.partition(",")
    if first.strip() and first.strip().casefold() in title.casefold():
        return f"{title}, {rest.strip()}" if rest.strip() else title
    return f"{title} at {place}" if title else place
