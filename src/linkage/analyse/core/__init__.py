"""The analyses' shared core, imported by its public names only.

- ``view``: ``NetworkView``, the network as integer codes, built once
  (``network_view``) and passed to every analysis; it holds the memo of what
  the analyses work out on it (no cache anywhere else). ``as_view`` and
  ``as_network`` let each analysis take a ``Network`` or a view first.
- ``ties``: the kinds of tie between people and their weights
  (``TIE_TYPES``, ``TIE_WEIGHTS``), the weighted pair table clusters and key
  people use (``weighted_ties``, ``person_ties``) and the dated edge table
  care moves and reach use (``dated_ties``).
- ``people``: facts about the view's people (``person_flags``,
  ``person_detail``), the places and clusters they are linked to.
- ``empty``: why an analysis found nothing (``no_rows``, ``empty_reason``),
  carried on the empty table itself, and the reasons analyses share.
- ``tables``: typed output tables (``empty_table``, ``typed_table``),
  columns read safely, per-group text (``joined``, ``join_groups``), dates
  as seconds.

The integer kernels (distinct, counted, sums by key, pairs) are
``linkage.graph.kernels``; the Arrow string conversion and lookups are
``linkage._arrow``.
"""

from __future__ import annotations

from .empty import (
    NO_PEOPLE,
    ROLE_FIX,
    EmptyReason,
    contact_threshold_note,
    empty_reason,
    light_contacts,
    no_rows,
    plural,
    table_notes,
    with_note,
)
from .people import attached, person_clusters, person_detail, person_flags, person_places
from .tables import (
    UNDATED,
    column_isin,
    column_strings,
    empty_table,
    flag,
    join_groups,
    joined,
    seconds,
    text,
    text_at,
    typed_table,
)
from .ties import (
    STRONG_TIE,
    TIE_BITS,
    TIE_TYPES,
    TIE_WEIGHTS,
    DatedTies,
    Ties,
    contact_scale,
    cut_notes,
    dated_ties,
    person_ties,
    tie_weights,
    ties_for,
    tied_people,
    weighted_ties,
)
from .view import (
    EXPLOITATION_CATEGORIES,
    PERSON_EDGE_TYPES,
    NetworkLike,
    NetworkView,
    as_network,
    as_view,
    network_view,
)

__all__ = [
    "EXPLOITATION_CATEGORIES",
    "NO_PEOPLE",
    "ROLE_FIX",
    "EmptyReason",
    "contact_threshold_note",
    "empty_reason",
    "light_contacts",
    "no_rows",
    "plural",
    "PERSON_EDGE_TYPES",
    "STRONG_TIE",
    "TIE_BITS",
    "TIE_TYPES",
    "TIE_WEIGHTS",
    "UNDATED",
    "DatedTies",
    "NetworkLike",
    "NetworkView",
    "Ties",
    "as_network",
    "as_view",
    "attached",
    "column_isin",
    "column_strings",
    "contact_scale",
    "cut_notes",
    "dated_ties",
    "empty_table",
    "flag",
    "join_groups",
    "joined",
    "network_view",
    "person_clusters",
    "person_detail",
    "person_flags",
    "person_places",
    "person_ties",
    "seconds",
    "text",
    "table_notes",
    "text_at",
    "tie_weights",
    "typed_table",
    "ties_for",
    "tied_people",
    "weighted_ties",
    "with_note",
]
