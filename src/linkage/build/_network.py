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

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .._arrow import id_set, isin, positions_in, take_strings
from ..config import JobConfig
from ..contract import PERPETRATOR_ROLES
from ..read import Dataset
from ._geo import authority_table, place_coordinates
from ._entities import EntityLookup
from ._intervals import interval_days, overlapping_pairs
from ._order import UNORDERED_TABLES, canonical_rows
from ._sets import group_has, joined_values

__all__ = ["Network", "NetworkSettings", "build_network", "EDGE_COLUMNS", "BUSINESS_CATEGORIES", "CARE_CATEGORIES"]

BUSINESS_CATEGORIES = (
    "takeaway", "hotel", "taxi_firm", "licensed_premises", "off_licence", "shisha_bar", "car_wash", "retail",
)
CARE_CATEGORIES = ("children_home", "foster_home")
EDGE_COLUMNS = [
    "source", "source_type", "target", "target_type", "edge_type",
    "start", "end", "weight", "role", "kind", "via",
]


@dataclass(frozen=True)
class NetworkSettings:
    """``network:`` section of the job config."""

    #: two placements at one setting must overlap at least this many days to make a co_placed edge
    min_overlap_days: float = 1.0
    #: a missing episode with no end is taken to last this many hours
    open_episode_hours: float = 24.0
    #: an identifier held by more people than this is treated as shared infrastructure, not a tie
    max_identifier_holders: int = 25
    #: placements with no end date are open until this date (default: the latest date in the data)
    open_until: str | None = None

    @classmethod
    def from_dict(cls, raw: dict | None) -> "NetworkSettings":
        from ..errors import ConfigError, did_you_mean

        raw = dict(raw or {})
        problems = []
        known = {"min_overlap_days", "open_episode_hours", "max_identifier_holders", "open_until"}
        for key in raw:
            if key not in known:
                problems.append(f"network: unknown setting '{key}'{did_you_mean(key, sorted(known))}; the settings are {', '.join(sorted(known))}")
        values = {}
        for key, kind in (("min_overlap_days", float), ("open_episode_hours", float), ("max_identifier_holders", int)):
            if key in raw:
                value = raw[key]
                if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                    problems.append(f"network.{key} {value!r} must be a number >= 0")
                    continue
                values[key] = kind(value)
        if "open_until" in raw:
            try:
                pd.Timestamp(str(raw["open_until"]))
                values["open_until"] = str(raw["open_until"])
            except ValueError:
                problems.append(f"network.open_until {raw['open_until']!r} is not a date; write it as 2025-12-31")
        if problems:
            raise ConfigError.from_problems("network", problems)
        return cls(**values)


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
        return self.edges[self.edges["edge_type"].isin(edge_types)]

    @property
    def node_count(self) -> int:
        return len(self.people) + len(self.places) + len(self.episodes) + len(self.operations) + len(self.identifiers)


def _empty_edges() -> pd.DataFrame:
    return _edges(pd.DataFrame())


#: edge columns whose string arguments are labels, never column names
_LABELS = ("source_type", "target_type", "edge_type")


def _edges(frame: pd.DataFrame, **columns) -> pd.DataFrame:
    """Edge rows from ``frame``: a string names one of its columns, except for the type labels in ``_LABELS``
    (pass a Series to take a type from a column).

    Every part gets the same dtypes (dates as ``datetime64[s]``, weight as
    float), so that joining the parts never falls back to Python objects.
    """
    out = {}
    n = len(frame)
    for name in EDGE_COLUMNS:
        value = columns.get(name)
        if isinstance(value, str) and value in frame.columns and name not in _LABELS:
            value = frame[value]
        if isinstance(value, pd.Series):
            value = value.reset_index(drop=True)  # strings stay Arrow strings, not Python objects
        if name in _DATES:
            out[name] = _seconds(value, n)
        elif name == "weight":
            out[name] = np.ones(n) if value is None else pd.to_numeric(pd.Series(value), errors="coerce").fillna(1.0).to_numpy(dtype=float)
        elif isinstance(value, str):
            out[name] = pd.Series(value, index=pd.RangeIndex(n), dtype="str")
        elif value is None:
            out[name] = pd.Series(np.nan, index=pd.RangeIndex(n), dtype="str")
        else:
            value = pd.Series(value) if not isinstance(value, pd.Series) else value
            # text columns as Arrow strings: millions of Python string objects cost gigabytes
            out[name] = value.astype("str") if value.dtype == object else value
    return pd.DataFrame(out)


_DATES = ("start", "end")


def _seconds(value, n: int) -> np.ndarray:
    if value is None:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    return pd.to_datetime(pd.Series(value)).to_numpy(dtype="datetime64[s]")


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


def _pair_frame(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order each pair so that source < target (undirected person-person edges)."""
    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object)
    swap = a > b
    return np.where(swap, b, a), np.where(swap, a, b)


def co_placed_edges(placements: pd.DataFrame, *, open_until: pd.Timestamp, min_overlap_days: float) -> pd.DataFrame:
    """Children placed at one setting with overlapping dates: the setting and the overlap window.

    A sort-and-sweep interval join per setting (``overlapping_pairs``); pairs
    are aggregated on integer codes and named once at the end.
    """
    if placements.empty:
        return _empty_edges()
    start, end = interval_days(placements["start_date"], placements["end_date"], open_until)
    setting, settings = pd.factorize(placements["location_id"])
    child, children = pd.factorize(placements["entity_id"])
    i, j = overlapping_pairs(setting.astype(np.int64), start, end)
    a, b = child[i], child[j]
    overlap_start = np.maximum(start[i], start[j])
    overlap_end = np.minimum(end[i], end[j])
    days = overlap_end - overlap_start
    keep = (a != b) & (days >= min_overlap_days)
    names = np.asarray(children, dtype=object)
    # order each pair by entity id (not by code) so that source < target as text
    a, b = a[keep], b[keep]
    swap = names[a] > names[b]
    low, high = np.where(swap, b, a), np.where(swap, a, b)
    frame = pd.DataFrame({"low": low, "high": high, "setting": setting[i][keep],
                          "start": overlap_start[keep], "end": overlap_end[keep], "weight": days[keep]})
    frame = frame.groupby(["low", "high", "setting"], as_index=False, sort=False).agg(
        start=("start", "min"), end=("end", "max"), weight=("weight", "sum"))
    frame["source"] = names[frame["low"].to_numpy()]
    frame["target"] = names[frame["high"].to_numpy()]
    frame["via"] = np.asarray(settings, dtype=object)[frame["setting"].to_numpy()]
    frame["start"] = pd.to_datetime(frame["start"] * 86400, unit="s")
    frame["end"] = pd.to_datetime(frame["end"] * 86400, unit="s")
    frame = frame.sort_values(["source", "target", "via"], kind="stable").reset_index(drop=True)
    return _edges(frame, source="source", source_type="person", target="target", target_type="person",
                  edge_type="co_placed", start="start", end="end", weight="weight", via="via", kind="care_setting")


def co_missing_edges(episodes: pd.DataFrame, *, open_hours: float) -> pd.DataFrame:
    """Children missing in overlapping windows who were found at one place, or found together."""
    if episodes.empty:
        return _empty_edges()
    parts = []
    # found together: the episode names the other child
    together = episodes[["episode_id", "entity_id", "start", "end", "found_with_entities"]].explode("found_with_entities")
    together = together.dropna(subset=["found_with_entities"])
    together = together[together["entity_id"] != together["found_with_entities"]]
    if len(together):
        source, target = _pair_frame(together["entity_id"].to_numpy(), together["found_with_entities"].to_numpy())
        parts.append(pd.DataFrame({"source": source, "target": target, "start": together["start"].to_numpy(),
                                   "end": together["end"].to_numpy(), "kind": "found_together",
                                   "via": together["episode_id"].to_numpy()}))
    # overlapping windows, found at the same place
    found = episodes.dropna(subset=["found_location_id"])
    if len(found) > 1:
        start = found["start"].to_numpy(dtype="datetime64[s]").astype("int64") / 3600.0
        end_filled = found["end"].fillna(found["start"] + pd.Timedelta(hours=open_hours))
        end = end_filled.to_numpy(dtype="datetime64[s]").astype("int64") / 3600.0
        group, _ = pd.factorize(found["found_location_id"])
        i, j = overlapping_pairs(group.astype(np.int64), start, np.maximum(end, start + 1e-6))
        a = found["entity_id"].to_numpy(dtype=object)
        keep = a[i] != a[j]
        i, j = i[keep], j[keep]
        if len(i):
            ids = found["episode_id"].to_numpy(dtype=object)
            source, target = _pair_frame(a[i], a[j])
            parts.append(pd.DataFrame({
                "source": source, "target": target,
                "start": np.minimum(found["start"].to_numpy()[i], found["start"].to_numpy()[j]),
                "end": np.maximum(end_filled.to_numpy()[i], end_filled.to_numpy()[j]),
                "kind": "found_at_same_place",
                "via": np.where(ids[i] < ids[j], ids[i] + ";" + ids[j], ids[j] + ";" + ids[i]),
                "location_id": found["found_location_id"].to_numpy(dtype=object)[i],
            }))
    if not parts:
        return _empty_edges()
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values(["source", "target", "via"], kind="stable")
    pair_key = frame["source"] + "|" + frame["target"]
    kinds = joined_values(pair_key, frame["kind"])
    frame = frame.groupby(["source", "target"], as_index=False, sort=True).agg(
        start=("start", "min"), end=("end", "max"), weight=("via", "size"), via=("via", "first"),
    )
    frame["kind"] = kinds.reindex(frame["source"] + "|" + frame["target"]).to_numpy()
    return _edges(frame, source="source", source_type="person", target="target", target_type="person",
                  edge_type="co_missing", start="start", end="end", weight="weight", kind="kind", via="via")


def shared_identifier_edges(holdings: pd.DataFrame, *, max_holders: int) -> pd.DataFrame:
    """People who hold the same phone, vehicle or handle."""
    people = holdings[holdings["owner_type"] == "person"][["identifier", "kind", "owner"]].drop_duplicates()
    sizes = people.groupby("identifier")["owner"].transform("size")
    people = people[(sizes > 1) & (sizes <= max_holders)]
    if people.empty:
        return _empty_edges()
    pairs = people.merge(people, on=["identifier", "kind"])
    pairs = pairs[pairs["owner_x"] < pairs["owner_y"]]
    pairs = pairs.sort_values(["owner_x", "owner_y", "identifier"], kind="stable")
    pair_key = pairs["owner_x"] + "|" + pairs["owner_y"]
    kinds = joined_values(pair_key, pairs["kind"])
    frame = pairs.groupby(["owner_x", "owner_y"], as_index=False, sort=True).agg(
        weight=("identifier", "size"), via=("identifier", "first"),
    )
    frame["kind"] = kinds.reindex(frame["owner_x"] + "|" + frame["owner_y"]).to_numpy()
    return _edges(frame, source="owner_x", source_type="person", target="owner_y", target_type="person",
                  edge_type="shared_identifier", weight="weight", via="via", kind="kind")


def owner_contacts(contacts: pd.DataFrame, holdings: pd.DataFrame) -> pd.DataFrame:
    """Contacts between identifiers, lifted to their holders: one row per (holder, holder) with totals.

    ``n_contact_records`` counts the identifier-to-identifier contact rows
    behind a tie. Worked on integer codes: holders are coded in
    (type, id) order, so a pair is put in order by comparing codes.
    """
    columns = ["source", "source_type", "target", "target_type", "count", "first_date", "last_date", "n_contact_records"]
    if contacts.empty or holdings.empty:
        return pd.DataFrame(columns=columns)
    owners = holdings[["identifier", "owner", "owner_type"]].drop_duplicates(["identifier", "owner"])
    owner_key = owners["owner_type"].astype(str) + "\x1f" + owners["owner"].astype(str)
    owner_code, owner_names = pd.factorize(owner_key, sort=True)
    held = id_set(owners["identifier"])
    holder = pd.DataFrame({"identifier": positions_in(owners["identifier"], held), "owner": owner_code})
    lifted = pd.DataFrame({
        "from": positions_in(contacts["from_identifier"], held), "to": positions_in(contacts["to_identifier"], held),
        "count": pd.to_numeric(contacts["count"]).fillna(1).to_numpy(dtype=np.int64),
        "first_date": contacts["first_date"].to_numpy(dtype="datetime64[s]"),
        "last_date": contacts["last_date"].to_numpy(dtype="datetime64[s]"),
    })
    lifted = lifted[(lifted["from"] >= 0) & (lifted["to"] >= 0)]
    lifted = lifted.merge(holder.rename(columns={"identifier": "from", "owner": "a"}), on="from")
    lifted = lifted.merge(holder.rename(columns={"identifier": "to", "owner": "b"}), on="to")
    a, b = lifted["a"].to_numpy(np.int64), lifted["b"].to_numpy(np.int64)
    keep = a != b
    pair = np.minimum(a, b)[keep] * np.int64(len(owner_names)) + np.maximum(a, b)[keep]
    order = np.argsort(pair, kind="stable")
    pair = pair[order]
    starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if len(pair) else np.zeros(0, dtype=np.int64)
    first_seen = lifted["first_date"].to_numpy()[keep][order].astype(np.int64)
    last_seen = lifted["last_date"].to_numpy()[keep][order].astype(np.int64)
    nat = np.iinfo(np.int64).min  # NaT as an integer: left out of the minimum and maximum
    first_seen = np.minimum.reduceat(np.where(first_seen == nat, np.iinfo(np.int64).max, first_seen), starts) if len(starts) else first_seen
    last_seen = np.maximum.reduceat(last_seen, starts) if len(starts) else last_seen
    first_seen[first_seen == np.iinfo(np.int64).max] = nat
    # each owner code's type and id, from its first holding row
    first_row = np.empty(len(owner_names), dtype=np.int64)
    first_row[owner_code[::-1]] = np.arange(len(owner_code))[::-1]
    low, high = pair[starts] // len(owner_names), pair[starts] % len(owner_names)
    owner, owner_type = owners["owner"].reset_index(drop=True), owners["owner_type"].reset_index(drop=True)
    out = pd.DataFrame({
        "source": take_strings(owner, first_row[low]), "source_type": take_strings(owner_type, first_row[low]),
        "target": take_strings(owner, first_row[high]), "target_type": take_strings(owner_type, first_row[high]),
        "count": np.add.reduceat(lifted["count"].to_numpy()[keep][order], starts) if len(starts) else np.zeros(0, np.int64),
        "first_date": first_seen.astype("datetime64[s]"), "last_date": last_seen.astype("datetime64[s]"),
        "n_contact_records": np.diff(np.r_[starts, len(pair)]),
    })
    return out[columns]


def _found_with_entities(found_with: pd.Series, entity_of: EntityLookup) -> pd.Series:
    """Each episode's found-with record ids as the sorted distinct entity ids (a tuple; () for none)."""
    out = np.empty(len(found_with), dtype=object)
    out[:] = [()] * len(found_with)
    named = pd.Series(found_with.to_numpy(dtype=object)).explode().dropna()  # index: the episode's position
    if len(named):
        entity = entity_of(named.astype(str)).to_numpy(dtype=object)
        pairs = pd.DataFrame({"episode": named.index.to_numpy(), "entity": entity}).drop_duplicates()
        grouped = pairs.sort_values(["episode", "entity"]).groupby("episode", sort=False)["entity"].agg(tuple)
        out[grouped.index.to_numpy()] = grouped.to_numpy()
    return pd.Series(out, index=found_with.index, dtype=object)


def build_network(dataset: Dataset, entities: pd.DataFrame | None, config: JobConfig | None = None,
                  settings: NetworkSettings | None = None) -> Network:
    """Build the network from validated tables and resolved ``entities`` (record_id, entity_id).

    Without ``entities`` every record is its own person.
    """
    config = config or JobConfig()
    settings = settings or NetworkSettings.from_dict(config.stage("network"))
    # every table in an order set by its values: the same records in any row order give the same network
    dataset = replace(dataset, tables={
        name: frame if name in UNORDERED_TABLES else canonical_rows(frame, name) for name, frame in dataset.tables.items()
    })
    if entities is None:
        entities = pd.DataFrame({"record_id": dataset["people"]["record_id"], "entity_id": dataset["people"]["record_id"]})
    entity_of = EntityLookup(entities)
    notes: list[str] = []
    people = _people_table(dataset, entities, config)
    places = _places_table(dataset, config)
    open_until = _open_until(dataset, settings)
    edge_parts: list[pd.DataFrame] = []

    placements = pd.DataFrame(columns=["placement_id", "entity_id", "location_id", "start_date", "end_date"])
    if dataset.has("placements"):
        placements = dataset["placements"].drop(columns=["_row"]).copy()
        placements["entity_id"] = entity_of(placements["record_id"])
        placements = placements.sort_values(["entity_id", "start_date", "placement_id"], kind="stable").reset_index(drop=True)
        edge_parts.append(_edges(placements, source="entity_id", source_type="person", target="location_id",
                                 target_type="place", edge_type="placed_at", start="start_date", end="end_date",
                                 kind="placement_type", via="placement_id"))
        edge_parts.append(co_placed_edges(placements, open_until=open_until, min_overlap_days=settings.min_overlap_days))

    episodes = pd.DataFrame(columns=["episode_id", "entity_id", "start", "end", "from_location_id", "found_location_id", "found_with_entities"])
    if dataset.has("missing_episodes"):
        episodes = dataset["missing_episodes"].drop(columns=["_row"]).copy()
        episodes["entity_id"] = entity_of(episodes["record_id"])
        episodes["found_with_entities"] = _found_with_entities(episodes["found_with"], entity_of)
        episodes = episodes.sort_values(["entity_id", "start", "episode_id"], kind="stable").reset_index(drop=True)
        edge_parts.append(_edges(episodes, source="entity_id", source_type="person", target="episode_id",
                                 target_type="episode", edge_type="went_missing", start="start", end="end", kind="kind"))
        frm = episodes.dropna(subset=["from_location_id"])
        edge_parts.append(_edges(frm, source="episode_id", source_type="episode", target="from_location_id",
                                 target_type="place", edge_type="missing_from", start="start"))
        found = episodes.dropna(subset=["found_location_id"])
        edge_parts.append(_edges(found, source="episode_id", source_type="episode", target="found_location_id",
                                 target_type="place", edge_type="found_at", start="end"))
        with_ = episodes[["episode_id", "start", "entity_id", "found_with_entities"]].explode("found_with_entities").dropna(subset=["found_with_entities"])
        with_ = with_[with_["found_with_entities"] != with_["entity_id"]]
        edge_parts.append(_edges(with_, source="episode_id", source_type="episode", target="found_with_entities",
                                 target_type="person", edge_type="found_with", start="start"))
        edge_parts.append(co_missing_edges(episodes, open_hours=settings.open_episode_hours))

    participation = pd.DataFrame(columns=["event_id", "entity_id", "role", "operation", "category", "date", "location_id", "event_type", "status"])
    operations = pd.DataFrame(columns=["operation", "n_events", "categories", "first_date", "last_date", "status", "is_event_only"])
    if dataset.has("events"):
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
        edge_parts.append(_edges(located, source="operation_key", source_type="operation", target="location_id",
                                 target_type="place", edge_type="event_at", start="date", kind="category", via="event_id"))
        if dataset.has("event_people"):
            participation = dataset["event_people"].drop(columns=["_row"]).merge(
                events[["event_id", "operation_key", "category", "date", "location_id", "event_type", "status"]], on="event_id")
            participation["entity_id"] = entity_of(participation["record_id"])
            participation = participation.rename(columns={"operation_key": "operation"})
            edge_parts.append(_edges(participation, source="entity_id", source_type="person", target="operation",
                                     target_type="operation", edge_type="party_to", start="date", role="role",
                                     kind="category", via="event_id"))

    identifiers = pd.DataFrame(columns=["identifier", "kind", "n_holders"])
    holdings = pd.DataFrame(columns=["identifier", "kind", "owner", "owner_type", "first_seen", "last_seen"])
    contacts = pd.DataFrame(columns=["source", "source_type", "target", "target_type", "count", "first_date", "last_date", "n_identifiers"])
    if dataset.has("identifiers"):
        holdings = dataset["identifiers"].drop(columns=["_row"]).copy()
        person = holdings["owner_type"] == "person"
        holdings["owner"] = np.where(person, entity_of(holdings["owner_id"]), holdings["owner_id"])
        holdings["owner_type"] = np.where(person, "person", "place")
        identifiers = holdings.groupby(["identifier"], as_index=False).agg(kind=("kind", "first"), n_holders=("owner", "nunique"))
        edge_parts.append(_edges(holdings, source="owner", source_type=holdings["owner_type"], target="identifier",
                                 target_type="identifier", edge_type="holds", start="first_seen", end="last_seen", kind="kind"))
        edge_parts.append(shared_identifier_edges(holdings, max_holders=settings.max_identifier_holders))
        heavy = identifiers[identifiers["n_holders"] > settings.max_identifier_holders]
        if len(heavy):
            notes.append(f"{len(heavy)} identifier(s) held by more than {settings.max_identifier_holders} people were not used to tie people together")
        if dataset.has("contacts"):
            raw_contacts = dataset["contacts"].drop(columns=["_row"])
            contacts = owner_contacts(raw_contacts, holdings)
            edge_parts.append(_edges(contacts, source="source", source_type=contacts["source_type"], target="target",
                                     target_type=contacts["target_type"], edge_type="contact", start="first_date",
                                     end="last_date", weight="count"))

    if dataset.has("associations"):
        associations = dataset["associations"].drop(columns=["_row"]).copy()
        a = entity_of(associations["record_id_a"]).to_numpy(dtype=object)
        b = entity_of(associations["record_id_b"]).to_numpy(dtype=object)
        source, target = _pair_frame(a, b)
        associations["source"], associations["target"] = source, target
        associations = associations[associations["source"] != associations["target"]]
        edge_parts.append(_edges(associations, source="source", source_type="person", target="target",
                                 target_type="person", edge_type="associate", start="date", kind="kind"))

    edges = pd.concat([p for p in edge_parts if len(p)], ignore_index=True) if any(len(p) for p in edge_parts) else _empty_edges()
    edges["weight"] = pd.to_numeric(edges["weight"], errors="coerce").fillna(1.0)
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
