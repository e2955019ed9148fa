"""Stage 3 of the pipeline: build the network from the validated, resolved data.

``build_network(dataset, entities, config)`` returns a ``Network``: typed node
tables (people, places, episodes, operations, identifiers), one edge table
(``edge_type`` placed_at, went_missing, missing_from, found_at, found_with,
party_to, event_at, holds, contact, associate, and the derived person-person
edges co_placed, co_missing, shared_identifier), and entity-level copies of
the source tables for the analyses. ``to_networkx`` gives a networkx graph.
"""

from __future__ import annotations

from ._geo import authority_table, bng_to_wgs84, haversine_km, place_coordinates, postcode_points
from ._graph import person_graph, to_networkx
from ._intervals import overlapping_pairs
from ._network import BUSINESS_CATEGORIES, CARE_CATEGORIES, EDGE_COLUMNS, Network, NetworkSettings, build_network

__all__ = [
    "BUSINESS_CATEGORIES",
    "CARE_CATEGORIES",
    "EDGE_COLUMNS",
    "Network",
    "NetworkSettings",
    "authority_table",
    "bng_to_wgs84",
    "build_network",
    "haversine_km",
    "overlapping_pairs",
    "person_graph",
    "place_coordinates",
    "postcode_points",
    "to_networkx",
]
