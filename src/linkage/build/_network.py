"""Stage 3 of the pipeline: the network of people, places, episodes, identifiers and operations.

The network is held as typed tables (``Network``): one row per node, one row
per edge, plus entity-level copies of the source tables that the analyses
read. Derived person-person edges are computed vectorised (sort-and-sweep
interval joins, group-bys), never by looking at all pairs.
``to_networkx`` turns it, or a part of it, into a networkx graph.

Node ids follow the data contract: a person is its ``entity_id``, a place its
``location_id``, an episode its ``episode_id``, an identifier its value, an
operation its name (an event outside any operation its ``event_id``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .._arrow import isin
from ..config import TIE_KINDS, JobConfig, NetworkSettings
from ..contract import PERPETRATOR_ROLES
from ..geography import authority_table, place_coordinates
from ..read import Dataset
from ._edges import (
    co_missing_edges,
    co_placed_edges,
    edge_rows,
    empty_edges,
    owner_contacts,
    pair_frame,
    shared_identifier_edges,
)
from ._entities import EntityLookup
from ._order import UNORDERED_TABLES, canonical_rows
from ._sets import group_has, joined_values

__all__ = ["Network", "NetworkSettings", "build_network", "BUSINESS_CATEGORIES", "CARE_CATEGORIES", "TIE_KINDS"]

BUSINESS_CATEGORIES = (
    "takeaway", "hotel", "taxi_firm", "licensed_premises", "off_licence", "shisha_bar", "car_wash", "retail",
)
CARE_CATEGORIES = ("children_home", "foster_home")



@dataclass
class Network:
    """The whole network as tables; see the module docstring."""

    people: pd.DataFrame
    places: pd.DataFrame
    episodes: pd.DataFrame
    operations: pd.DataFrame
    identifiers: pd.DataFrame
    edges: pd.DataFrame
    placements: pd.DataFrame
    participation: pd.DataFrame
    contacts: pd.DataFrame
    entities: pd.DataFrame
    settings: NetworkSettings = field(default_factory=NetworkSettings)
    open_until: pd.Timestamp | None = None
    notes: list[str] = field(default_factory=list)

    def edges_of(self, *edge_types: str) -> pd.DataFrame:
        """The edges of these types, in table order, with their row labels.

        The build writes each type's edges as one block, so the rows are read
        as slices (no copy) rather than gathered one by one; rows in more than
        a few runs are gathered.
        """
        edges = self.edges
        rows = np.flatnonzero(isin(edges["edge_type"], pd.Series(edge_types, dtype=object)))
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        if len(breaks) > 4 * len(edge_types):
            return edges.iloc[rows]
        starts, stops = np.r_[0, breaks], np.r_[breaks, len(rows)]
        if not len(rows):
            return edges.iloc[:0]
        blocks = [edges.iloc[rows[s]: rows[e - 1] + 1] for s, e in zip(starts, stops)]
        return blocks[0] if len(blocks) == 1 else pd.concat(blocks)

    @property
    def node_count(self) -> int:
        return len(self.people) + len(self.places) + len(self.episodes) + len(self.operations) + len(self.identifiers)


def _people_table(dataset: Dataset, entities: pd.DataFrame, config: JobConfig) -> pd.DataFrame:
    """One row per entity, worked on integer entity codes (codes follow entity id order)."""
    people = dataset["people"]
    entity = EntityLookup(entities)(people["record_id"]).reset_index(drop=True)
    code, names = pd.factorize(entity, sort=True)
    index = pd.RangeIndex(len(names))
    table = pd.DataFrame({"entity_id": np.asarray(names, dtype=object), "n_records": np.bincount(code, minlength=len(names))})
    table["sources"] = joined_values(code, people["source"], index=index).to_numpy()
    authority = people["local_authority"]
    if authority.notna().any():
        authority_code, authorities = pd.factorize(authority, sort=True)
        counts = pd.DataFrame({"entity": code, "authority": authority_code})
        counts = counts[counts["authority"] >= 0].value_counts().rename("n").reset_index()
        counts = counts.sort_values(["entity", "n", "authority"], ascending=[True, False, True]).drop_duplicates("entity")
        mode = np.full(len(names), None, dtype=object)
        mode[counts["entity"].to_numpy()] = np.asarray(authorities, dtype=object)[counts["authority"].to_numpy()]
        table["local_authority"] = mode
    else:
        table["local_authority"] = None
    flags = pd.DataFrame({"entity": code, "flags": people["flags"].to_numpy(dtype=object)}).explode("flags")
    table["flags"] = joined_values(flags["entity"].to_numpy(dtype=np.int64), flags["flags"], index=index).to_numpy()
    record_rank, _ = pd.factorize(people["record_id"].astype(str), sort=True)
    order = np.lexsort((record_rank, code))
    first = order[np.r_[True, code[order][1:] != code[order][:-1]][: len(order)]]  # each entity's smallest record id
    first_name = people["first_name"].to_numpy(dtype=object)[first]
    last_name = people["last_name"].to_numpy(dtype=object)[first]
    label = (pd.Series(first_name).fillna("") + " " + pd.Series(last_name).fillna("")).str.strip()
    table["label"] = np.where(label.to_numpy(dtype=object) == "", table["entity_id"].to_numpy(), label.to_numpy(dtype=object))
    table["sex"] = people["sex"].to_numpy(dtype=object)[first]
    table["dob"] = people["dob"].to_numpy()[first]
    geography = authority_table(table["local_authority"], config.geography)
    table["local_authority"] = geography["local_authority"].to_numpy()
    table["bcu"] = geography["bcu"].to_numpy()
    table["force"] = geography["force"].to_numpy()
    table["out_of_force"] = geography["out_of_force"].to_numpy()
    return table


def _places_table(dataset: Dataset, config: JobConfig) -> pd.DataFrame:
    if not dataset.has("locations"):
        return pd.DataFrame(
            columns=["location_id", "category", "name", "night_time_economy", "local_authority", "bcu", "force",
                     "out_of_force", "latitude", "longitude", "coordinate_source", "is_business", "is_care_setting"]
        )
    places = dataset["locations"].drop(columns=["_row"]).copy()
    geography = authority_table(places["local_authority"], config.geography)
    places["local_authority"] = geography["local_authority"]
    places["bcu"] = geography["bcu"]
    places["force"] = geography["force"]
    places["out_of_force"] = geography["out_of_force"]
    coordinates = place_coordinates(places, config.geography)
    places[["latitude", "longitude", "coordinate_source"]] = coordinates[["latitude", "longitude", "coordinate_source"]]
    places["is_business"] = places["category"].isin(BUSINESS_CATEGORIES)
    places["is_care_setting"] = places["category"].isin(CARE_CATEGORIES)
    if dataset.has("placements"):
        places["is_care_setting"] |= isin(places["location_id"], dataset["placements"]["location_id"])
    return places


def _open_until(dataset: Dataset, settings: NetworkSettings) -> pd.Timestamp:
    if settings.open_until:
        return pd.Timestamp(settings.open_until)
    latest = []
    for table, columns in (
        ("placements", ("start_date", "end_date")),
        ("missing_episodes", ("start", "end")),
        ("events", ("date",)),
        ("contacts", ("first_date", "last_date")),
    ):
        if dataset.has(table):
            for column in columns:
                value = dataset[table][column].max()
                if pd.notna(value):
                    latest.append(pd.Timestamp(value))
    return max(latest) if latest else pd.Timestamp("2100-01-01")


def _found_with_entities(found_with: pd.Series, entity_of: EntityLookup) -> pd.Series:
    """Each episode's found-with record ids as the sorted distinct entity ids (a tuple; () for none).

    The (episode, entity) pairs are sorted and made distinct as integer keys;
    only the tuples themselves are made one by one (one per episode with someone found with the child).
    """
    out = np.empty(len(found_with), dtype=object)
    out[:] = [()] * len(found_with)
    named = pd.Series(found_with.to_numpy(dtype=object)).explode().dropna()  # index: the episode's position
    if len(named):
        code, names = pd.factorize(entity_of(named.astype(str)), sort=True)
        names = np.asarray(names, dtype=object)
        key = np.unique(named.index.to_numpy(dtype=np.int64) * len(names) + code)
        episode, code = key // len(names), key % len(names)
        starts = np.flatnonzero(np.r_[True, episode[1:] != episode[:-1]])
        for at, group in zip(episode[starts].tolist(), np.split(names[code], starts[1:])):
            out[at] = tuple(group.tolist())
    return pd.Series(out, index=found_with.index, dtype=object)


def _placements(dataset: Dataset, entity_of: EntityLookup, *, open_until: pd.Timestamp,
                settings: NetworkSettings) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Placements at entity level, their placed_at edges and the co_placed edges between children."""
    placements = pd.DataFrame(columns=["placement_id", "entity_id", "location_id", "start_date", "end_date"])
    if not dataset.has("placements"):
        return placements, []
    placements = dataset["placements"].drop(columns=["_row"]).copy()
    placements["entity_id"] = entity_of(placements["record_id"])
    placements = placements.sort_values(["entity_id", "start_date", "placement_id"], kind="stable").reset_index(drop=True)
    return placements, [
        edge_rows(placements, source="entity_id", source_type="person", target="location_id", target_type="place",
                  edge_type="placed_at", start="start_date", end="end_date", kind="placement_type", via="placement_id"),
        co_placed_edges(placements, open_until=open_until, min_overlap_days=settings.min_overlap_days),
    ]


def _episodes(dataset: Dataset, entity_of: EntityLookup, *,
              settings: NetworkSettings) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Missing episodes at entity level; went_missing, missing_from, found_at, found_with and co_missing edges."""
    episodes = pd.DataFrame(columns=["episode_id", "entity_id", "start", "end", "from_location_id", "found_location_id",
                                     "found_with_entities"])
    if not dataset.has("missing_episodes"):
        return episodes, []
    episodes = dataset["missing_episodes"].drop(columns=["_row"]).copy()
    episodes["entity_id"] = entity_of(episodes["record_id"])
    episodes["found_with_entities"] = _found_with_entities(episodes["found_with"], entity_of)
    episodes = episodes.sort_values(["entity_id", "start", "episode_id"], kind="stable").reset_index(drop=True)
    frm = episodes.dropna(subset=["from_location_id"])
    found = episodes.dropna(subset=["found_location_id"])
    with_ = episodes[["episode_id", "start", "entity_id", "found_with_entities"]].explode("found_with_entities")
    with_ = with_.dropna(subset=["found_with_entities"])
    with_ = with_[with_["found_with_entities"] != with_["entity_id"]]
    return episodes, [
        edge_rows(episodes, source="entity_id", source_type="person", target="episode_id", target_type="episode",
                  edge_type="went_missing", start="start", end="end", kind="kind"),
        edge_rows(frm, source="episode_id", source_type="episode", target="from_location_id", target_type="place",
                  edge_type="missing_from", start="start"),
        edge_rows(found, source="episode_id", source_type="episode", target="found_location_id", target_type="place",
                  edge_type="found_at", start="end"),
        edge_rows(with_, source="episode_id", source_type="episode", target="found_with_entities",
                  target_type="person", edge_type="found_with", start="start"),
        co_missing_edges(episodes, open_hours=settings.open_episode_hours),
    ]


def _events(dataset: Dataset, entity_of: EntityLookup) -> tuple[pd.DataFrame, pd.DataFrame, list[pd.DataFrame]]:
    """Who took part in which operation (participation), the operations, and the event_at and party_to edges.

    An event outside any operation is an operation of its own, named by its ``event_id``.
    """
    participation = pd.DataFrame(columns=["event_id", "entity_id", "role", "operation", "category", "date",
                                          "location_id", "event_type", "status"])
    operations = pd.DataFrame(columns=["operation", "n_events", "categories", "first_date", "last_date", "status",
                                       "is_event_only"])
    if not dataset.has("events"):
        return participation, operations, []
    events = dataset["events"].drop(columns=["_row"]).copy()
    events["operation_key"] = events["operation"].fillna(events["event_id"])
    ops = events.groupby("operation_key")
    operations = pd.DataFrame({"n_events": ops.size(), "first_date": ops["date"].min(), "last_date": ops["date"].max()})
    operations["categories"] = joined_values(events["operation_key"], events["category"], index=operations.index)
    live = group_has(events["operation_key"], events["status"].eq("live").fillna(False), index=operations.index)
    closed = group_has(events["operation_key"], events["status"].notna(), index=operations.index)
    operations["status"] = np.where(live, "live", np.where(closed, "closed", None))
    operations["is_event_only"] = ~group_has(events["operation_key"], events["operation"].notna(), index=operations.index)
    operations.index.name = "operation"
    operations = operations.reset_index()
    located = events.dropna(subset=["location_id"])
    parts = [edge_rows(located, source="operation_key", source_type="operation", target="location_id",
                       target_type="place", edge_type="event_at", start="date", kind="category", via="event_id")]
    if dataset.has("event_people"):
        participation = dataset["event_people"].drop(columns=["_row"]).merge(
            events[["event_id", "operation_key", "category", "date", "location_id", "event_type", "status"]], on="event_id")
        participation["entity_id"] = entity_of(participation["record_id"])
        participation = participation.rename(columns={"operation_key": "operation"})
        parts.append(edge_rows(participation, source="entity_id", source_type="person", target="operation",
                               target_type="operation", edge_type="party_to", start="date", role="role",
                               kind="category", via="event_id"))
    return participation, operations, parts


def _identifiers(dataset: Dataset, entity_of: EntityLookup, *, settings: NetworkSettings, notes: list[str]
                 ) -> tuple[pd.DataFrame, pd.DataFrame, list[pd.DataFrame]]:
    """Identifiers and who holds them, contacts lifted to the holders; holds, shared_identifier and contact edges.

    An identifier held by more than ``max_identifier_holders`` people ties nobody; ``notes`` says how many.
    """
    identifiers = pd.DataFrame(columns=["identifier", "kind", "n_holders"])
    contacts = owner_contacts(pd.DataFrame(), pd.DataFrame())  # no contacts: the lifted table's columns, no rows
    if not dataset.has("identifiers"):
        return identifiers, contacts, []
    holdings = dataset["identifiers"].drop(columns=["_row"]).copy()
    person = holdings["owner_type"] == "person"
    holdings["owner"] = np.where(person, entity_of(holdings["owner_id"]), holdings["owner_id"])
    holdings["owner_type"] = np.where(person, "person", "place")
    identifiers = holdings.groupby(["identifier"], as_index=False).agg(kind=("kind", "first"),
                                                                       n_holders=("owner", "nunique"))
    parts = [
        edge_rows(holdings, source="owner", source_type=holdings["owner_type"], target="identifier",
                  target_type="identifier", edge_type="holds", start="first_seen", end="last_seen", kind="kind"),
        shared_identifier_edges(holdings, max_holders=settings.max_identifier_holders),
    ]
    heavy = identifiers[identifiers["n_holders"] > settings.max_identifier_holders]
    if len(heavy):
        notes.append(f"{len(heavy)} identifier(s) held by more than {settings.max_identifier_holders} people "
                     "were not used to tie people together")
    if dataset.has("contacts"):
        contacts = owner_contacts(dataset["contacts"].drop(columns=["_row"]), holdings)
        parts.append(edge_rows(contacts, source="source", source_type=contacts["source_type"], target="target",
                               target_type=contacts["target_type"], edge_type="contact", start="first_date",
                               end="last_date", weight="count"))
    return identifiers, contacts, parts


def _associations(dataset: Dataset, entity_of: EntityLookup, settings: NetworkSettings) -> list[pd.DataFrame]:
    """Recorded associations between two people as associate edges (source < target; none with oneself)."""
    if not dataset.has("associations"):
        return []
    associations = dataset["associations"].drop(columns=["_row"]).copy()
    a = entity_of(associations["record_id_a"]).to_numpy(dtype=object)
    b = entity_of(associations["record_id_b"]).to_numpy(dtype=object)
    associations["source"], associations["target"] = pair_frame(a, b)
    associations = associations[associations["source"] != associations["target"]]
    # an association weighs its own weight (1 when not given) times its kind's weight from the config
    own = (pd.to_numeric(associations["weight"], errors="coerce").fillna(1.0) if "weight" in associations
           else pd.Series(1.0, index=associations.index))
    by_kind = associations["kind"].astype(str).map(settings.association_weights).astype(float).fillna(1.0)
    associations["weight"] = (own * by_kind).to_numpy(dtype=float)
    return [edge_rows(associations, source="source", source_type="person", target="target", target_type="person",
                      edge_type="associate", start="date", kind="kind", weight="weight")]


def _in_value_order(dataset: Dataset) -> Dataset:
    """Every table in an order set by its values: the same records in any row order give the same network."""
    return replace(dataset, tables={
        name: frame if name in UNORDERED_TABLES else canonical_rows(frame, name) for name, frame in dataset.tables.items()
    })


def _edge_table(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The edge parts as one table, in the order given."""
    edges = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else empty_edges()
    edges["weight"] = pd.to_numeric(edges["weight"], errors="coerce").fillna(1.0)
    return edges


def build_network(dataset: Dataset, entities: pd.DataFrame | None, config: JobConfig | None = None,
                  settings: NetworkSettings | None = None) -> Network:
    """Build the network from validated tables and resolved ``entities`` (record_id, entity_id).

    Without ``entities`` every record is its own person. Each step reads one
    part of the data contract and gives its entity-level table and its edges;
    a table that is absent gives an empty table and no edges.
    """
    config = config or JobConfig()
    settings = settings or config.network
    dataset = _in_value_order(dataset)
    if entities is None:
        entities = pd.DataFrame({"record_id": dataset["people"]["record_id"], "entity_id": dataset["people"]["record_id"]})
    entity_of = EntityLookup(entities)
    notes: list[str] = []
    # the identifiers and contacts (the biggest step) in a thread beside the rest: their Arrow and numpy work
    # lets go of the GIL, so on two cores the steps overlap; each step reads the dataset and writes only its
    # own tables, so the network is the same whatever the timing
    with ThreadPoolExecutor(1, thread_name_prefix="linkage-build") as pool:
        identified = pool.submit(_identifiers, dataset, entity_of, settings=settings, notes=notes)
        people = _people_table(dataset, entities, config)
        places = _places_table(dataset, config)
        open_until = _open_until(dataset, settings)
        placements, placement_edges = _placements(dataset, entity_of, open_until=open_until, settings=settings)
        episodes, episode_edges = _episodes(dataset, entity_of, settings=settings)
        participation, operations, event_edges = _events(dataset, entity_of)
        identifiers, contacts, identifier_edges = identified.result()
    edges = _edge_table([*placement_edges, *episode_edges, *event_edges, *identifier_edges,
                         *_associations(dataset, entity_of, settings)])
    people = _annotate_roles(people, participation, placements)
    return Network(
        people=people, places=places, episodes=episodes, operations=operations, identifiers=identifiers,
        edges=edges, placements=placements, participation=participation, contacts=contacts,
        entities=entities, settings=settings, open_until=open_until, notes=notes,
    )


def _annotate_roles(people: pd.DataFrame, participation: pd.DataFrame, placements: pd.DataFrame) -> pd.DataFrame:
    people = people.copy()
    index = pd.Index(people["entity_id"])
    keys = participation["entity_id"] if len(participation) else pd.Series(dtype=object)
    roles = participation["role"] if len(participation) else pd.Series(dtype=object)
    categories = participation["category"] if len(participation) else pd.Series(dtype=object)
    people["is_victim"] = group_has(keys, roles.eq("victim"), index=index).to_numpy()
    people["is_perpetrator"] = group_has(keys, roles.isin(PERPETRATOR_ROLES), index=index).to_numpy()
    people["role"] = np.select(
        [people["is_victim"] & people["is_perpetrator"], people["is_victim"], people["is_perpetrator"]],
        ["both", "victim", "perpetrator"], default="",
    )
    in_care = isin(people["entity_id"], placements["entity_id"]) if len(placements) else False
    flags = people["flags"].fillna("")
    people["looked_after"] = flags.str.contains("looked_after", regex=False).to_numpy() | in_care
    cse = group_has(keys, categories.eq("CSE"), index=index).to_numpy() | flags.str.contains("cse_risk", regex=False).to_numpy()
    cce = group_has(keys, categories.eq("CCE"), index=index).to_numpy() | flags.str.contains("cce_risk", regex=False).to_numpy()
    people["exploitation"] = np.select([cse & cce, cse, cce], ["CCE;CSE", "CSE", "CCE"], default="")
    return people
