"""The Jinja2 environment every page is rendered with (templates in ``linkage/data/render/templates``).

- **Autoescape is on.** Every ``{{ value }}`` passes through ``escape_value``
  (``_html.esc``: ``& < > " '`` escaped, None and NaN as ''), so record text
  is escaped by the engine, never by the caller. Only ``Markup`` passes
  unchanged: the inlined scripts, styles and view data (``page_assets``) and the
  fragments this environment rendered itself (``render_part``).
- **One base template** (``base.html``) holds the head, the Content-Security-Policy
  (``default-src 'none'``: the page may make no request at all) and the inlined
  assets; ``report.html`` and ``view.html`` extend it, and so do the checks' pages
  (``linkage.checks.pages``, through ``checks/printable.html``). pyvis's own template is not
  used: it loads Bootstrap and vis-network from CDNs and sets tooltips with
  ``innerHTML``; pyvis stays the source of vis-network (``_html.vis_assets``).
- **Templates under ``parts/`` are compact**: a line break in their text, with
  the indentation after it, is for reading only and is not output (``CompactParts``).
  Only the literal text of the template is affected, never a value. Keep running
  text on one line; break lines between tags.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup

from ._html import asset, esc, script_json, vis_assets

__all__ = ["CompactParts", "escape_value", "environment", "page_assets", "render_page", "render_part", "view_data"]

_LINE_BREAK = re.compile(r"\n[ \t]*")


def escape_value(value: Any) -> Markup:
    """What ``{{ value }}`` outputs: ``Markup`` as it is, anything else through ``esc``.

    ``esc`` (``html.escape``) rather than markupsafe's own escape keeps the
    entities the pages have always had (``&quot;``, ``&#x27;``).
    """
    if isinstance(value, Markup):
        return value
    return Markup(esc(value))


class CompactParts(Extension):
    """In templates under ``parts/``, drop each line break of the template text and the indentation after it."""

    def filter_stream(self, stream: TokenStream):
        if not (stream.name or "").startswith("parts/"):
            return stream
        return (Token(token.lineno, token.type, _LINE_BREAK.sub("", token.value)) if token.type == "data" else token
                for token in stream)


@lru_cache(maxsize=None)
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("linkage", "data/render/templates"),
        autoescape=True,
        finalize=escape_value,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,  # package data: no need to stat the files on every page
        extensions=[CompactParts],
    )


def render_page(name: str, **context: Any) -> str:
    """The page template ``name`` rendered with ``context``."""
    return environment().get_template(name).render(**context)


def render_part(name: str, **context: Any) -> Markup:
    """A fragment (a template under ``parts/``) as ``Markup``: the engine escaped every value in it."""
    return Markup(environment().get_template(name).render(**context))


def _inline(code: str, element: str) -> Markup:
    """Our own or pyvis's script or style, safe inside ``<element>``: a closing tag in it is neutralised."""
    # trusted text (files shipped in the package), not record text: Markup keeps it as it is
    return Markup(re.sub(rf"</({element})", r"<\\/\1", code, flags=re.I))


@lru_cache(maxsize=None)
def _assets(scripts: tuple[str, ...], styles: tuple[str, ...], vis: bool) -> tuple[tuple[Markup, ...], tuple[Markup, ...]]:
    vis_js, vis_css = vis_assets() if vis else ("", "")
    return (((_inline(vis_css, "style"),) if vis else ()) + tuple(_inline(asset(name), "style") for name in styles),
            ((_inline(vis_js, "script"),) if vis else ()) + tuple(_inline(asset(name), "script") for name in scripts))


def page_assets(*, scripts: tuple[str, ...], styles: tuple[str, ...], vis: bool = False) -> dict[str, Any]:
    """The ``styles`` and ``scripts`` context of ``base.html``: files of ``linkage/data/render``, vis-network first."""
    styles_, scripts_ = _assets(scripts, styles, vis)
    return {"styles": styles_, "scripts": scripts_}


def view_data(data: dict) -> Markup:
    """``data`` as JSON for ``<script type="application/json">``: ``script_json`` escapes ``< > &``, so it cannot
    close the element, and HTML-escaping it would break the JSON."""
    return Markup(script_json(data))
