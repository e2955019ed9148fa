"""Giving ids and writing the contract tables as CSV (deterministic order, atomic writes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..contract import TABLES
from ..files import atomic_open
from ._util import fmt_days, fmt_seconds, hex_tokens, join_lists, unique_ints
from ._world import SOURCES, World

__all__ = ["Ids", "assign_ids", "write_tables", "write_csv", "to_arrow"]


@dataclass
class Ids:
    """String ids of every indexed thing; ``record_of_*`` map people to the record a table uses."""

    person: np.ndarray
    record: np.ndarray
    location: np.ndarray
    group: np.ndarray
    placement: np.ndarray
    episode: np.ndarray
    event: np.ndarray
    placement_record: np.ndarray  # record index per person used by placements (-1 when none)


def _token_ids(rng: np.random.Generator, n: int, prefix: str, width: int) -> np.ndarray:
    return np.char.add(prefix, hex_tokens(unique_ints(rng, n, 16**width), width)).astype(object) if n else np.zeros(0, dtype=object)


def assign_ids(world: World) -> Ids:
    """Opaque random ids (nothing in them says who or what they are)."""
    rng = world.rng("ids")
    N = len(world.persons)
    width = max(6, len(str(N)))
    person = np.char.add("P", np.char.zfill((rng.permutation(N) + 1).astype(str), width)).astype(object)
    record = _token_ids(rng, len(world.records), "", 12)
    location = _token_ids(rng, len(world.locations), "L", 9)
    G = len(world.groups)
    group = np.char.add("G", np.char.zfill((np.arange(G) + 1).astype(str), max(3, len(str(G))))).astype(object)
    # a looked-after child's placements all sit on one record, social care's when there is one
    prng = world.rng("placement-records")
    placement_record = np.full(N, -1, np.int64)
    lac = np.unique(world.placements["person"].to_numpy())
    placement_record[lac] = world.pick_records(prng, lac, (1, 0, 2))
    return Ids(
        person=person,
        record=record,
        location=location,
        group=group,
        placement=_token_ids(rng, len(world.placements), "PL", 10),
        episode=_token_ids(rng, len(world.episodes), "MP", 10),
        event=_token_ids(rng, len(world.events), "EV", 10),
        placement_record=placement_record,
    )


def to_arrow(values: object) -> pa.Array:
    """A column as an Arrow array: integers stay numbers; text has nulls for '' / None / NaN."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        arr = values
    elif isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        return pa.array(values, type=pa.int64())
    elif isinstance(values, pd.Series):
        arr = pa.array(values, from_pandas=True)
    else:
        arr = pa.array(np.asarray(values), from_pandas=True)
    if pa.types.is_integer(arr.type):
        return arr.cast(pa.int64())
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def write_csv(path: Path, columns: list[str], data: dict[str, object], sort_by: tuple[str, ...] = ()) -> int:
    """Write one table (header as given, unknown as an empty cell, rows sorted by ``sort_by``) atomically."""
    table = pa.Table.from_arrays([to_arrow(data[name]) for name in columns], names=columns)
    if sort_by:
        table = table.sort_by([(k, "ascending") for k in sort_by])
    with atomic_open(path, binary=True) as fh:
        fh.write((",".join(columns) + "\n").encode("utf-8"))
        pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    return table.num_rows


def _records_for(world: World, stage: str, person: np.ndarray, p_police: float, fallback: tuple[int, ...]) -> np.ndarray:
    """Records of people as another table names them: police's record with probability ``p_police``."""
    rng = world.rng(stage)
    police_first = rng.random(len(person)) < p_police
    prefer = np.where(police_first[:, None], np.array([0, 1, 2]), np.array(fallback))
    return world.pick_records(rng, person, prefer)


def write_tables(world: World, ids: Ids, out: Path) -> dict[str, int]:
    """Write the nine contract tables into ``out``; return their row counts."""
    rows: dict[str, int] = {}
    cols = {name: TABLES[name].column_names for name in TABLES}
    rec, loc_id = ids.record, ids.location

    def loc_text(idx: np.ndarray) -> np.ndarray:
        idx = np.asarray(idx, np.int64)
        return np.where(idx >= 0, loc_id[np.maximum(idx, 0)], "").astype(object)

    # people
    r = world.records
    dob = fmt_days(r["dob"].to_numpy()).astype(object)
    prec = r["dob_precision"].to_numpy()
    dob[prec == 1] = dob[prec == 1].astype("U7")
    dob[prec == 2] = dob[prec == 2].astype("U4")
    data = {
        "record_id": rec,
        "source": np.array(SOURCES, dtype=object)[r["source"].to_numpy()],
        "first_name": r["first_name"],
        "last_name": r["last_name"],
        "dob": dob,
        "sex": r["sex"],
        "postcode": r["postcode"],
        "local_authority": r["la"],
        "flags": r["flags"],
    }
    rows["people"] = write_csv(out / "people.csv", cols["people"], data, ("record_id",))

    # locations
    L = world.locations
    nte = L["nte"].to_numpy()
    nte_text = np.where(pd.isna(nte), "", np.where(nte == True, "true", "false")).astype(object)  # noqa: E712
    lat, lon = L["lat"].to_numpy(), L["lon"].to_numpy()
    data = {
        "location_id": loc_id,
        "category": L["category"].to_numpy(),
        "name": L["name"].to_numpy(),
        "night_time_economy": nte_text,
        "postcode": L["postcode"].to_numpy(),
        "local_authority": world.geo.names[L["la"].to_numpy()],
        "latitude": np.where(np.isnan(lat), "", np.char.mod("%.5f", np.nan_to_num(lat))),
        "longitude": np.where(np.isnan(lon), "", np.char.mod("%.5f", np.nan_to_num(lon))),
    }
    rows["locations"] = write_csv(out / "locations.csv", cols["locations"], data, ("location_id",))

    # placements
    pl = world.placements
    data = {
        "placement_id": ids.placement,
        "record_id": rec[ids.placement_record[pl["person"].to_numpy()]],
        "location_id": loc_text(pl["loc"].to_numpy()),
        "start_date": fmt_days(pl["start"].to_numpy()),
        "end_date": fmt_days(pl["end"].to_numpy()),
        "placement_type": pl["ptype"].to_numpy(),
        "placing_authority": pl["placing"].to_numpy(),
        "reason_for_change": pl["reason"].to_numpy(),
    }
    rows["placements"] = write_csv(out / "placements.csv", cols["placements"], data, ("record_id", "start_date", "placement_id"))

    # missing episodes
    ep = world.episodes
    episode_id = ids.episode
    ep_rec = _records_for(world, "episode-records", ep["person"].to_numpy(), 0.6, (1, 2, 0))
    fw = world.found_with
    fw_rec = _records_for(world, "found-with-records", fw["person"].to_numpy(), 0.8, (1, 2, 0))
    data = {
        "episode_id": episode_id,
        "record_id": rec[ep_rec],
        "start": fmt_seconds(ep["start"].to_numpy()),
        "end": fmt_seconds(ep["end"].to_numpy()),
        "kind": ep["kind"].to_numpy(),
        "from_location_id": loc_text(ep["from_loc"].to_numpy()),
        "found_location_id": loc_text(ep["found_loc"].to_numpy()),
        "found_with": join_lists(fw["episode"].to_numpy(), rec[fw_rec].astype(str), len(ep)),
    }
    rows["missing_episodes"] = write_csv(out / "missing_episodes.csv", cols["missing_episodes"], data, ("start", "episode_id"))

    # events and who took part
    ev = world.events
    event_id = ids.event
    op = ev["op"].to_numpy()
    op_name = world.ops.set_index("op")["name"]
    data = {
        "event_id": event_id,
        "event_type": ev["event_type"].to_numpy(),
        "category": ev["category"].to_numpy(),
        "operation": np.where(op >= 0, op_name.reindex(np.maximum(op, 0)).to_numpy(), ""),
        "date": fmt_days(ev["date"].to_numpy()),
        "location_id": loc_text(ev["loc"].to_numpy()),
        "local_authority": world.geo.names[ev["la"].to_numpy()],
        "status": ev["status"].to_numpy(),
    }
    rows["events"] = write_csv(out / "events.csv", cols["events"], data, ("date", "event_id"))
    e = world.event_people
    e_rec = _records_for(world, "event-records", e["person"].to_numpy(), 0.92, (1, 2, 0))
    data = {"event_id": event_id[e["event"].to_numpy()], "record_id": rec[e_rec], "role": e["role"].to_numpy()}
    rows["event_people"] = write_csv(out / "event_people.csv", cols["event_people"], data, ("event_id", "role", "record_id"))

    # identifiers and contacts
    value = world.identifiers["value"].to_numpy()
    h = world.holders
    owner = h["owner"].to_numpy()
    is_person = h["person"].to_numpy().astype(bool)
    data = {
        "identifier": value[h["ident"].to_numpy()],
        "kind": world.identifiers["kind"].to_numpy()[h["ident"].to_numpy()],
        "owner_id": np.where(is_person, rec[np.where(is_person, owner, 0)], loc_id[np.where(is_person, 0, owner)]),
        "owner_type": np.where(is_person, "person", "location").astype(object),
        "first_seen": fmt_days(h["first_seen"].to_numpy()),
        "last_seen": fmt_days(h["last_seen"].to_numpy()),
    }
    rows["identifiers"] = write_csv(out / "identifiers.csv", cols["identifiers"], data, ("identifier", "owner_id"))
    c = world.contacts
    rank = np.empty(len(value), np.int64)
    rank[np.argsort(value.astype(str), kind="stable")] = np.arange(len(value))
    kind_code = pd.Categorical(c["kind"].to_numpy(), categories=["call", "sms", "app", "sighting"]).codes
    order = np.lexsort((kind_code, rank[c["dst"].to_numpy()], rank[c["src"].to_numpy()]))
    c = c.iloc[order]
    # the biggest table: built with Arrow takes rather than Python strings
    values_pa = pa.array(value.astype(str), type=pa.string())

    def days_pa(days: np.ndarray) -> pa.Array:
        text = pa.array(fmt_days(np.unique(days)), type=pa.string())
        idx = np.searchsorted(np.unique(days), days)
        return pc.if_else(pc.equal(pc.take(text, pa.array(idx)), ""), pa.scalar(None, pa.string()), pc.take(text, pa.array(idx)))

    data = {
        "from_identifier": pc.take(values_pa, pa.array(c["src"].to_numpy())),
        "to_identifier": pc.take(values_pa, pa.array(c["dst"].to_numpy())),
        "count": c["count"].to_numpy().astype(np.int64),
        "first_date": days_pa(c["first"].to_numpy()),
        "last_date": days_pa(c["last"].to_numpy()),
        "kind": pc.take(pa.array(["call", "sms", "app", "sighting"]), pa.array(kind_code[order].astype(np.int64))),
    }
    rows["contacts"] = write_csv(out / "contacts.csv", cols["contacts"], data)

    # associations
    a = world.associations
    ra = _records_for(world, "association-records-a", a["a"].to_numpy(), 0.6, (1, 2, 0))
    rb = _records_for(world, "association-records-b", a["b"].to_numpy(), 0.6, (1, 2, 0))
    # each association is one recorded link: its weight (contract v1.1) is left empty, which reads as 1
    data = {"record_id_a": rec[ra], "record_id_b": rec[rb], "kind": a["kind"].to_numpy(), "date": fmt_days(a["date"].to_numpy()),
            "weight": np.full(len(a), "", dtype=object)}
    rows["associations"] = write_csv(out / "associations.csv", cols["associations"], data, ("record_id_a", "record_id_b", "kind"))
    return rows
