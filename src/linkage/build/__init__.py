"""Stage 3 of the pipeline: build the network from the validated, resolved data.

``build_network(dataset, entities, config)`` returns a ``Network``: typed node
tables (people, places, episodes, operations, identifiers), one edge table
(``edge_type`` placed_at, went_missing, missing_from, found_at, found_with,
party_to, event_at, holds, contact, associate, and the derived person-person
edges co_placed, co_missing, shared_identifier), and entity-level copies of
the source tables for the analyses. ``to_networkx`` gives a networkx graph;
``network_tables`` / ``network_from_tables`` the tables a job folder keeps
(``network/*.parquet``) and the network read back from them.
"""

from __future__ import annotations

from ._edges import EDGE_COLUMNS, co_missing_edges, co_placed_edges, owner_contacts, shared_identifier_edges
from ._graph import NODE_COLUMNS, NODE_KEYS, PERSON_TIES, graph_value, to_networkx
from ._intervals import overlapping_pairs
from ._network import BUSINESS_CATEGORIES, CARE_CATEGORIES, TIE_KINDS, Network, NetworkSettings, build_network
from ._store import NETWORK_FOLDER, NETWORK_FORMAT, NETWORK_TABLES, network_from_tables, network_tables

__all__ = [
    "BUSINESS_CATEGORIES",
    "CARE_CATEGORIES",
    "EDGE_COLUMNS",
    "NETWORK_FOLDER",
    "NETWORK_FORMAT",
    "NETWORK_TABLES",
    "NODE_COLUMNS",
    "NODE_KEYS",
    "Network",
    "NetworkSettings",
    "PERSON_TIES",
    "TIE_KINDS",
    "build_network",
    "co_missing_edges",
    "co_placed_edges",
    "network_from_tables",
    "network_tables",
    "overlapping_pairs",
    "owner_contacts",
    "shared_identifier_edges",
    "to_networkx",
    "graph_value",
]
