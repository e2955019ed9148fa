"""What a view's search box can find: every spelling of every node, embedded in the page.

The display label of a person comes from one record, typos included, so a
search over labels alone misses the spelling an analyst has in front of them.
``SpellingBook`` collects, once per job, each node's other spellings: a
person's names and record ids on every source record of the entity, a place's
name and postcode. ``page_search`` picks those of the nodes a page holds (or,
on the aggregated overview, of every node, pointing at the cluster or group
that holds it) as rows ``[node position, kind, text, who]`` for ``view.js``.

The matching itself happens in the browser (``linkage/data/render/fuzzy.js``),
because the pages are static and offline and the query is not known when they
are written. It is a port of rapidfuzz's ``WRatio`` with ``default_process``:
the scorer the resolution's comparisons come from, so a score on the page means
what it means in ``match_pairs.csv``. ``tests/test_browser_views.py`` checks
the port against rapidfuzz itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz.utils import default_process

from .._arrow import positions_in, strings
from ..build import Network

__all__ = ["SpellingBook", "page_search"]

_COLUMNS = ["id", "kind", "text"]


def _spellings(ids: pd.Series, kind: str, text: pd.Series) -> pd.DataFrame:
    text = text.astype("object").where(text.notna(), None)
    frame = pd.DataFrame({"id": ids.astype(str).to_numpy(), "kind": kind, "text": text.to_numpy()})
    frame = frame.dropna(subset=["text"])
    frame["text"] = frame["text"].astype(str).str.strip()
    return frame[frame["text"] != ""]


def _text_ranks(values: pa.ChunkedArray) -> np.ndarray:
    """Each value's rank among the distinct values in text order (UTF-8 byte order, as Arrow sorts), missing last."""
    encoded = pc.dictionary_encode(values.combine_chunks())
    rank = np.empty(len(encoded.dictionary) + 1, dtype=np.int64)
    rank[np.asarray(pc.sort_indices(encoded.dictionary))] = np.arange(len(encoded.dictionary), dtype=np.int64)
    rank[-1] = len(encoded.dictionary)
    return rank[np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)]


class SpellingBook:
    """Each node's spellings besides its label and id: ``id, kind, text`` rows, one per distinct spelling.

    ``records`` are the source person records (``record_id``, ``first_name``,
    ``last_name``); without them a person is found by its record ids only.
    """

    def __init__(self, network: Network, *, records: pd.DataFrame | None = None) -> None:
        parts = []
        entities = network.entities
        if entities is not None and len(entities):
            first = entities.drop_duplicates("record_id")
            parts.append(_spellings(entities["entity_id"], "record id", entities["record_id"]))
            if records is not None and len(records) and {"record_id", "first_name", "last_name"} <= set(records.columns):
                # each record's entity, by an Arrow hash lookup of its record id (a county has a million records)
                at = positions_in(records["record_id"].astype(str), strings(first["record_id"].astype(str)))
                known = at >= 0
                owner = pd.Series(strings(first["entity_id"].astype(str)).take(pa.array(at[known])).to_numpy(zero_copy_only=False),
                                  index=records.index[known], dtype=object)
                names = (records["first_name"].fillna("").astype(str) + " " + records["last_name"].fillna("").astype(str)).str.strip()
                parts.append(_spellings(owner, "name", names[known]))
        places = network.places
        if len(places):
            for column, kind in (("name", "place name"), ("postcode", "postcode")):
                if column in places:
                    parts.append(_spellings(places["location_id"], kind, places[column]))
        table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_COLUMNS)
        # one row per spelling of a node as the search compares it ("SMITH" and "Smith" are one), in a stable
        # order (same input -> same page): sorted by id, kind and text in Arrow (a stable sort, UTF-8 byte order
        # being code point order, as Python compares text)
        arrow = pa.table({column: strings(table[column]) for column in _COLUMNS})
        # (sorting the distinct values of each column and the rows on their int ranks, stably, is the same order
        # as Arrow's stable sort on the three string columns, in a fraction of the time)
        order = np.lexsort([_text_ranks(arrow[column]) for column in reversed(_COLUMNS)])
        arrow = arrow.take(pa.array(order))
        # each distinct text processed once (a name recurs on many records)
        encoded = pc.dictionary_encode(arrow["text"].combine_chunks())
        processed = np.array([default_process(text) for text in encoded.dictionary.to_pylist()], dtype=object)
        key_of_text, _ = pd.factorize(processed)
        key = np.asarray(key_of_text, dtype=np.int64)[encoded.indices.to_numpy(zero_copy_only=False)]
        # rows of one id follow each other: number the ids by run, then keep each (id, key)'s first row
        ids = arrow["id"].combine_chunks()
        new_id = np.r_[True, pc.not_equal(ids.slice(1), ids.slice(0, max(len(ids) - 1, 0))).to_numpy(zero_copy_only=False)] \
            if len(ids) else np.zeros(0, dtype=bool)
        pair = (np.cumsum(new_id) - 1) * np.int64(max(len(processed), 1)) + key
        kept = np.zeros(len(pair), dtype=bool)
        kept[np.unique(pair, return_index=True)[1]] = True
        kept &= ~(processed == "")[encoded.indices.to_numpy(zero_copy_only=False)]
        self.table = arrow.filter(pa.array(kept)).to_pandas(types_mapper={pa.large_string(): pd.StringDtype(na_value=np.nan)}.get)
        # the rows of each node: ``table`` is sorted by id, so each id's rows follow each other
        ids = self.table["id"].to_numpy(dtype=object)
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.zeros(0, dtype=np.int64)
        self._ids = pd.Index(ids[starts], dtype=object)
        self._bounds = np.r_[starts, len(ids)].astype(np.int64)

    def rows_of(self, node_ids) -> np.ndarray:
        """The positions in ``table`` of the spellings of ``node_ids``, in table order."""
        found = self._ids.get_indexer(pd.Index(pd.unique(pd.Series(list(node_ids), dtype=object)), dtype=object))
        found = np.sort(found[found >= 0])
        starts, ends = self._bounds[found], self._bounds[found + 1]
        counts = ends - starts
        return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()), dtype=np.int64)


def page_search(book: SpellingBook, node_ids: list[str], *, members: pd.DataFrame | None = None) -> list[list]:
    """The search rows of a page whose nodes are ``node_ids`` (in ``data.nodes`` order).

    A row is ``[position in data.nodes, kind, text, who]``: ``who`` is None for a
    node's own spelling, or, for a node drawn inside another (the aggregated
    overview), the member's label. ``members`` (``id, label, node``: member id,
    its label, and the id of the page node that holds it) adds those; a node's
    label and id are searched by the page itself and are not repeated here.
    """
    position = pd.Index(pd.Series(node_ids, dtype=object))
    table = book.table
    own = table.iloc[book.rows_of(node_ids)]
    rows = [[int(p), kind, text, None] for p, kind, text in
            zip(position.get_indexer(own["id"]), own["kind"], own["text"])]
    if members is not None and len(members):
        inside = members[~members["id"].isin(position) & members["node"].isin(position)]
        label_of = inside.set_index("id")["label"].astype(str)
        holder_of = inside.set_index("id")["node"]
        named = pd.concat([
            pd.DataFrame({"id": inside["id"].to_numpy(), "kind": "label", "text": inside["label"].astype(str).to_numpy()}),
            pd.DataFrame({"id": inside["id"].to_numpy(), "kind": "id", "text": inside["id"].astype(str).to_numpy()}),
            table.iloc[book.rows_of(inside["id"])],
        ], ignore_index=True).drop_duplicates(["id", "text"]).sort_values(["id", "kind", "text"], kind="stable")
        holders = position.get_indexer(named["id"].map(holder_of))
        rows += [[int(p), kind, text, who] for p, kind, text, who in
                 zip(holders, named["kind"], named["text"], named["id"].map(label_of))]
    return rows
