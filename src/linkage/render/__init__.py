"""Stage 5 of the pipeline: views, the job report and exports.

- ``write_views``: ``network.html`` and a page per cluster, looked-after child
  and top business target (self-contained, escaped, laid out in Python);
- ``write_report``: ``report.html``, a section per audience;
- ``write_review``: ``review.html``, the resolution's review queue to decide, saved as an overrides file;
- ``write_graph_exports``: ``graph.graphml``, ``graph.gexf`` and ``graph.anx``
  (i2 Analyst's Notebook).
"""

from __future__ import annotations

from ._html import safe_name
from .anx import anx_chart, write_anx
from .exports import write_graph_exports
from .report import write_report
from .review import review_html, write_review
from .views import ViewOptions, ViewPages, children_at_risk, graph_view, view_from_networkx, write_views

__all__ = [
    "ViewOptions",
    "ViewPages",
    "anx_chart",
    "children_at_risk",
    "graph_view",
    "safe_name",
    "view_from_networkx",
    "write_anx",
    "write_graph_exports",
    "write_report",
    "write_review",
    "review_html",
    "write_views",
]
