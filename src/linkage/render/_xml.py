"""Text that XML 1.0 can hold, for the graph exports (GraphML, GEXF, ANX).

XML 1.0 has no way to write most control characters (``\\x00``-``\\x1f`` except
tab and line breaks), lone surrogates or ``U+FFFE``/``U+FFFF``, even as
character references, so a record carrying one would make the whole file
unreadable in Gephi or i2. Each such character is written as a visible escape
(``\\x01``, ``\\ud800``, ``\\uffff``) instead, in ids, labels and attribute
values alike; node ids stay unique, so every link still finds its ends.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..build import NODE_COLUMNS, NODE_KEYS, Network

__all__ = ["xml_text", "xml_safe_network", "XML_INVALID"]

#: one character XML 1.0 cannot hold
XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: the same for Arrow strings (valid UTF-8, so no surrogates), in RE2 syntax
_ARROW_INVALID = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"
_TABLES = {"person": "people", "place": "places", "episode": "episodes", "operation": "operations",
           "identifier": "identifiers"}
#: node attributes that name other nodes
_ID_ATTRIBUTES = ("entity_id", "from_location_id", "found_location_id")
_EDGE_TEXT = ("source", "target", "edge_type", "role", "kind", "via")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_text(value: str) -> str:
    """``value`` with every character XML 1.0 cannot hold written as ``\\xNN`` or ``\\uNNNN``."""
    return XML_INVALID.sub(_escape, value)


def _needs_escape(column: pd.Series) -> np.ndarray:
    """Which cells hold a character XML cannot (in a string, or in a tuple of strings)."""
    if isinstance(column.array, pd.arrays.ArrowStringArray):
        array = pa.array(column.array)
        found = pc.match_substring_regex(array, _ARROW_INVALID)
        return np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)
    if column.dtype != object:
        return np.zeros(len(column), dtype=bool)

    def bad(value) -> bool:
        if isinstance(value, str):
            return XML_INVALID.search(value) is not None
        if isinstance(value, (tuple, list)):
            return any(isinstance(v, str) and XML_INVALID.search(v) is not None for v in value)
        return False

    return np.fromiter((bad(v) for v in column.to_numpy(dtype=object)), dtype=bool, count=len(column))


def _unique_ids(network: Network) -> dict[str, str]:
    """Escaped text for every node id that needs it; an escape that would clash with another id gets ``~2``, ``~3``..."""
    ids = []
    for node_type, table in _TABLES.items():
        frame = getattr(network, table)
        if len(frame):
            # as Python strings: a lone surrogate cannot become an Arrow string
            ids.append(np.array([str(v) for v in frame[NODE_KEYS[node_type]].to_numpy(dtype=object)], dtype=object))
    if not ids:
        return {}
    every = pd.Series(np.concatenate(ids), dtype=object)
    changed = sorted(set(every[_needs_escape(every)]))
    taken = set(every) - set(changed)
    mapping: dict[str, str] = {}
    for old in changed:
        new = base = xml_text(old)
        suffix = 2
        while new in taken:
            new = f"{base}~{suffix}"
            suffix += 1
        taken.add(new)
        mapping[old] = new
    return mapping


def _safe_column(column: pd.Series, ids: dict[str, str]) -> tuple[pd.Series, int]:
    """The column made XML-safe, and how many cells changed (the column itself when none)."""
    mask = _needs_escape(column)
    if not mask.any():
        return column, 0

    def fix(value):
        if isinstance(value, str):
            return ids.get(value) or xml_text(value)
        if isinstance(value, (tuple, list)):
            return type(value)(fix(v) for v in value)
        return value

    values = column.to_numpy(dtype=object).copy()
    values[mask] = [fix(v) for v in values[mask]]
    return pd.Series(values, index=column.index, dtype=object, name=column.name), int(mask.sum())


def xml_safe_network(network: Network) -> tuple[Network, int]:
    """``network`` with the text the exports write made XML-safe, and how many cells were changed.

    Ids are changed only where they must be, consistently in the node tables
    and at both ends of every edge.
    """
    ids = _unique_ids(network)
    changed = 0
    tables = {}
    text_columns = {name: [NODE_KEYS[node_type], *NODE_COLUMNS[node_type], *_ID_ATTRIBUTES]
                    for node_type, name in _TABLES.items()}
    text_columns["edges"] = list(_EDGE_TEXT)
    for name, columns in text_columns.items():
        frame = getattr(network, name)
        fixed = {}
        for column in dict.fromkeys(c for c in columns if c in frame.columns):
            safe, count = _safe_column(frame[column], ids)
            if count:
                fixed[column] = safe
                changed += count
        tables[name] = frame.assign(**fixed) if fixed else frame
    return replace(network, **tables), changed
