"""The network as a set of tables a job folder keeps (``network/*.parquet``), and the network read back from them.

A finished job folder must be enough for the tools that work on one job
(``linkage placement-check``, ``linkage brief``): they never rerun the job and
never read the input data. ``network_tables`` gives the tables to store: the
node tables with the columns the graph exports already hold (``NODE_COLUMNS``;
nothing the job folder did not already reveal in ``graph.graphml``, except
that the tables are never cut to the exports' ``max_edges``), and the whole
edge table. ``network_from_tables`` rebuilds a ``Network`` from them, so that
the analyses run on it as on the job's own: placements are the ``placed_at``
edges, participation the ``party_to`` edges, each episode's companions its
``found_with`` edges.

Tables are Arrow tables with fixed column types and no pandas metadata, so the
same network gives the same bytes whatever pandas wrote them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from .._arrow import strings
from ._edges import EDGE_COLUMNS, edge_rows
from ._graph import NODE_COLUMNS, NODE_KEYS
from ._network import Network, NetworkSettings

__all__ = ["NETWORK_FOLDER", "NETWORK_FORMAT", "NETWORK_TABLES", "network_tables", "network_from_tables"]

#: the sub-folder of a job folder holding the network tables
NETWORK_FOLDER = "network"
#: bumped when a table or column changes meaning; a reader refuses another format with the fix
NETWORK_FORMAT = 1

_TEXT = pa.large_string()
_DATE = pa.timestamp("s")
#: column -> Arrow type for every column that is not text
_TYPES: dict[str, pa.DataType] = {
    "n_records": pa.int64(), "n_events": pa.int64(), "n_holders": pa.int64(), "weight": pa.float64(),
    "latitude": pa.float64(), "longitude": pa.float64(),
    "is_victim": pa.bool_(), "is_perpetrator": pa.bool_(), "looked_after": pa.bool_(), "out_of_force": pa.bool_(),
    "night_time_economy": pa.bool_(), "is_business": pa.bool_(), "is_care_setting": pa.bool_(),
    "is_event_only": pa.bool_(),
    "start": _DATE, "end": _DATE, "first_date": _DATE, "last_date": _DATE,
}

#: file name -> (node type or "edge", key column, columns)
NETWORK_TABLES: dict[str, tuple[str, str, list[str]]] = {
    "people.parquet": ("person", NODE_KEYS["person"], NODE_COLUMNS["person"]),
    "places.parquet": ("place", NODE_KEYS["place"], NODE_COLUMNS["place"]),
    "episodes.parquet": ("episode", NODE_KEYS["episode"], NODE_COLUMNS["episode"]),
    "operations.parquet": ("operation", NODE_KEYS["operation"], NODE_COLUMNS["operation"]),
    "identifiers.parquet": ("identifier", NODE_KEYS["identifier"], NODE_COLUMNS["identifier"]),
    "edges.parquet": ("edge", "source", EDGE_COLUMNS),
}


def _column(values: pd.Series | None, name: str, n: int) -> pa.Array:
    kind = _TYPES.get(name, _TEXT)
    if values is None:
        return pa.nulls(n, type=kind)
    if kind == _DATE:
        return pa.array(pd.to_datetime(values).to_numpy(dtype="datetime64[s]"), type=kind,
                        mask=pd.isna(values).to_numpy())
    if kind == _TEXT:
        if isinstance(values.array, pd.arrays.ArrowStringArray):
            # pandas' Arrow strings as they are: no Python string per cell (9M edges: half a minute, 1.7 GiB)
            return strings(values)
        text = values.map(_text, na_action="ignore") if values.dtype == object else values.astype("str")
        return pa.array(text.to_numpy(dtype=object), type=kind, from_pandas=True)
    if kind == pa.bool_():
        return pa.array(values.astype("boolean"), type=kind)
    return pa.array(pd.to_numeric(values), type=kind, from_pandas=True)


def _text(value) -> str:
    """A cell as text: a list of values (an operation's categories) joined with ``;``."""
    if isinstance(value, (tuple, list, set)):
        return ";".join(map(str, value))
    return str(value)


def _arrow_table(frame: pd.DataFrame, columns: list[str]) -> pa.Table:
    frame = frame.reset_index(drop=True)
    arrays = [_column(frame[name] if name in frame.columns else None, name, len(frame)) for name in columns]
    return pa.Table.from_arrays(arrays, names=columns)


def network_tables(network: Network) -> dict[str, pa.Table]:
    """The network as the tables of ``NETWORK_TABLES``, each an Arrow table in the network's row order."""
    frames = {"person": network.people, "place": network.places, "episode": network.episodes,
              "operation": network.operations, "identifier": network.identifiers, "edge": network.edges}
    return {name: _arrow_table(frames[kind], [key, *columns] if kind != "edge" else columns)
            for name, (kind, key, columns) in NETWORK_TABLES.items()}


def _frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as pandas, text as pandas strings (NaN for none), dates as datetime64[s]."""
    frame = table.to_pandas(types_mapper={_TEXT: pd.StringDtype(na_value=np.nan)}.get)
    for name, kind in _TYPES.items():
        if name in frame.columns and kind == _DATE:
            frame[name] = frame[name].astype("datetime64[s]")
    return frame


def network_from_tables(tables: dict[str, pa.Table], *, entities: pd.DataFrame | None = None,
                        settings: NetworkSettings | None = None, open_until: str | None = None) -> Network:
    """The ``Network`` held by ``network_tables`` (and the job's ``entities.csv``).

    The entity-level source tables the analyses read are rebuilt from the
    edges: placements (``placed_at``: placement_id, entity_id, location_id,
    start_date, end_date, placement_type), participation (``party_to``:
    event_id, entity_id, role, operation, category, date, with the event's
    location from ``event_at``), the contacts between holders (``contact``),
    and each episode's ``found_with_entities`` (``found_with``).
    """
    people, places, episodes, operations, identifiers, edges = (
        _frame(tables[name]) for name in NETWORK_TABLES)
    kind = edges["edge_type"]
    placed = edges[kind == "placed_at"]
    placements = pd.DataFrame({
        "placement_id": placed["via"].to_numpy(), "entity_id": placed["source"].to_numpy(),
        "location_id": placed["target"].to_numpy(), "start_date": placed["start"].to_numpy(),
        "end_date": placed["end"].to_numpy(), "placement_type": placed["kind"].to_numpy(),
    }).astype({"placement_id": "str", "entity_id": "str", "location_id": "str", "placement_type": "str"})
    party = edges[kind == "party_to"]
    located = edges[kind == "event_at"].drop_duplicates("via").set_index("via")["target"]
    participation = pd.DataFrame({
        "event_id": party["via"].to_numpy(), "entity_id": party["source"].to_numpy(), "role": party["role"].to_numpy(),
        "operation": party["target"].to_numpy(), "category": party["kind"].to_numpy(), "date": party["start"].to_numpy(),
        "location_id": located.reindex(party["via"]).to_numpy(),
    })
    contact = edges[kind == "contact"]
    contacts = pd.DataFrame({
        "source": contact["source"].to_numpy(), "source_type": contact["source_type"].to_numpy(),
        "target": contact["target"].to_numpy(), "target_type": contact["target_type"].to_numpy(),
        "count": contact["weight"].to_numpy(dtype=np.int64), "first_date": contact["start"].to_numpy(),
        "last_date": contact["end"].to_numpy(),
    })
    found_with = edges[kind == "found_with"].sort_values(["source", "target"], kind="stable")
    companions = found_with.groupby("source", sort=False)["target"].agg(tuple)
    together = companions.reindex(episodes["episode_id"]).to_numpy(dtype=object)
    episodes["found_with_entities"] = [value if isinstance(value, tuple) else () for value in together]
    if entities is None:
        entities = pd.DataFrame({"record_id": people["entity_id"], "entity_id": people["entity_id"]})
    return Network(
        people=people, places=places, episodes=episodes, operations=operations, identifiers=identifiers,
        edges=edges if len(edges) else edge_rows(pd.DataFrame()), placements=placements,
        participation=participation, contacts=contacts, entities=entities,
        settings=settings or NetworkSettings(), open_until=pd.Timestamp(open_until) if open_until else None,
    )
