"""Escaping and the inlined assets every self-contained page is built from.

Every string derived from records passes through ``esc`` (HTML text and
attributes: the template engine calls it on every ``{{ value }}``, see
``_template.escape_value``) or ``script_json`` (JSON embedded in a ``<script>``
element) before it reaches a page.  The vis-network script and style are read from the copy
that pyvis ships inside its package, so nothing is fetched at run time and the
pages open from ``file://`` on an air-gapped machine.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["esc", "script_json", "safe_name", "vis_assets", "asset", "VIS_VERSION"]

#: the vis-network build inside pyvis's package that the pages inline
VIS_VERSION = "9.1.2"

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")


def esc(value: Any) -> str:
    """``value`` as HTML text or attribute value: ``& < > " '`` escaped; None and NaN as ''."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        try:
            return _plain(value.item())
        except (ValueError, AttributeError):
            pass
    if hasattr(value, "isoformat"):
        try:
            return value.isoformat()
        except ValueError:  # NaT
            return None
    return str(value) if not isinstance(value, (int, float, bool, str, list, dict)) else value


def script_json(data: Any) -> str:
    """``data`` as JSON that is safe inside ``<script>``: ``< > &`` and U+2028/2029 escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_plain, allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)


_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def safe_name(identifier: Any) -> str:
    """A file name for a record id: the id itself when it is plain, else a stable hash of it."""
    text = str(identifier)
    if _SAFE_NAME.fullmatch(text):
        return text
    return "n" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=None)
def vis_assets() -> tuple[str, str]:
    """(script, style) of vis-network as shipped inside pyvis's package."""
    import pyvis

    folder = Path(pyvis.__file__).parent / "templates" / "lib" / f"vis-{VIS_VERSION}"
    script = (folder / "vis-network.min.js").read_text(encoding="utf-8")
    style = (folder / "vis-network.css").read_text(encoding="utf-8")
    # the stylesheet's images are data: URIs; refuse anything that would be fetched
    if re.search(r"url\(\s*(?!['\"]?data:)", style) or re.search(r"@import", style):
        raise RuntimeError("pyvis's vis-network.css refers to an external resource; the views must stay self-contained")
    return script, style


@lru_cache(maxsize=None)
def asset(name: str) -> str:
    """A file of ``linkage/data/render`` (the owned scripts and styles; the templates are in its ``templates/``)."""
    return resources.files("linkage").joinpath("data", "render", name).read_text(encoding="utf-8")
