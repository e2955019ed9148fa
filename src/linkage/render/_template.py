"""The owned page templates: pyvis's own template loads Bootstrap and vis-network
from CDNs even in its "local" and "in_line" modes, and sets tooltips with
``innerHTML``; these templates inline every script and style instead, and a
Content-Security-Policy forbids the page any request at all (``default-src 'none'``).
"""

from __future__ import annotations

import re

from ._html import asset, esc, inline_script, inline_style, script_json, vis_assets

__all__ = ["render_template", "view_page", "report_page"]

_SLOT = re.compile(r"\{\{(\w+)\}\}")


def render_template(name: str, slots: dict[str, str]) -> str:
    """Fill ``{{slot}}`` markers of template ``name`` in one pass (values are inserted as given)."""
    template = asset(name)
    return _SLOT.sub(lambda m: slots.get(m.group(1), ""), template)


def view_page(data: dict, *, title: str, subtitle: str = "", nav: str = "", aside: str = "", below: str = "") -> str:
    """A self-contained network view: ``data`` (nodes, edges, styles) drawn by the inlined vis-network.

    ``title`` and ``subtitle`` are escaped here; ``nav``, ``aside`` and ``below``
    are HTML that the caller built with ``esc``.
    """
    vis_js, vis_css = vis_assets()
    return render_template("view.html", {
        "title": esc(title),
        "heading": esc(title),
        "subtitle": esc(subtitle),
        "nav": nav,
        "aside": aside,
        "below": below,
        "n_nodes": str(len(data["nodes"])),
        "n_edges": str(len(data["edges"])),
        "style": inline_style(vis_css) + "\n" + inline_style(asset("page.css")),
        "data": script_json(data),
        "vis": inline_script(vis_js),
        "script": inline_script(asset("view.js")),
    })


def report_page(body: str, *, title: str, subtitle: str = "", nav: str = "") -> str:
    """The self-contained report page; ``body`` and ``nav`` are HTML built with ``esc``."""
    return render_template("report.html", {
        "title": esc(title),
        "heading": esc(title),
        "subtitle": esc(subtitle),
        "nav": nav,
        "body": body,
        "style": inline_style(asset("page.css")),
        "script": inline_script(asset("sortable.js")),
    })
