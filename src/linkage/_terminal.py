"""Text from the data made safe for a terminal: control characters shown, not obeyed; long values cut.

A local-authority name holding ``ESC ] 0 ; ... BEL`` would retitle the
analyst's terminal, and other escape sequences can move the cursor, hide
text or rewrite what is on screen; a bidirectional override can make a line
read differently from what it holds.  ``terminal_safe`` writes every such
character as a visible escape (``\\x1b``, ``\\u202e``), keeps line breaks,
cuts any unbroken run of text longer than ``max_token`` characters and any
line longer than ``max_line``, each with a marker saying how much was cut, so
no value (an alias-expanded YAML string, a 3 MB field) floods the terminal.
Every line the CLI prints goes through it.
"""

from __future__ import annotations

import re

__all__ = ["terminal_safe", "MAX_TOKEN", "MAX_LINE"]

#: an unbroken run of characters (a value, a path) longer than this is cut
MAX_TOKEN = 200
#: a line longer than this is cut
MAX_LINE = 1000
_MAX_LINES = 10_000

# C0 controls but the line feed, DEL, C1 controls, bidirectional embeddings, overrides and isolates,
# zero-width and invisible formatting marks, line and paragraph separators, lone surrogates (undecodable bytes)
_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _cut(text: str, limit: int) -> str:
    return f"{text[:limit]}…[{len(text) - limit} more characters]"


def terminal_safe(text: object, *, max_token: int = MAX_TOKEN, max_line: int = MAX_LINE) -> str:
    """``text`` fit to print: unsafe characters escaped, long runs and lines cut, line breaks kept."""
    text = str(text)
    if len(text) > max_line * _MAX_LINES:  # never even scan hundreds of megabytes
        text = _cut(text, max_line * _MAX_LINES)
    text = _UNSAFE.sub(_escape, text)
    text = re.sub(r"\S{%d,}" % (max_token + 1), lambda m: _cut(m.group(), max_token), text)
    lines = text.split("\n")
    if len(lines) > _MAX_LINES:
        lines = lines[:_MAX_LINES] + [f"…[{len(lines) - _MAX_LINES} more lines]"]
    return "\n".join(_cut(line, max_line) if len(line) > max_line else line for line in lines)
