"""Placement check: what a move to each candidate care setting would connect a looked-after child to.

Project Empra found that every move to a new care setting widens a child's
network, and so the reach of the perpetrators around the children met there.
``placement_check`` answers, for each candidate setting and from the move
date: who the child would meet there (the children placed there then, and its
recent residents), each one's missing episodes, who they went missing with,
their CSE/CCE flags and the perpetrators within two steps of them; how far the
setting is from the current setting and from home, whether the move crosses a
BCU or the force boundary, and how many new peers it adds (``care_moves``'
``new_peers``, computed by that function on the move as if it had happened).

The settings are ranked by the exposure the move adds, lowest first. The
score is a plain sum of counts of people, every part written out
(``score_parts``), so an officer can see why a setting ranks where it does:

    exposure_score = new_peers + residents_who_go_missing
                     + victims_they_go_missing_with + flagged_residents
                     + new_perpetrators_within_two_steps

Each part counts distinct people; none is weighted, so no constant is tuned to
any data. Ties are broken by the distance from the current setting, then the
location id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..analyse.care_moves import care_moves
from ..build import CARE_CATEGORIES, Network, co_placed_edges
from ..geography import haversine_km, postcode_points
from ..errors import did_you_mean
from .job_data import CheckError, JobData

__all__ = ["place_label", "PlacementCheck", "SETTING_COLUMNS", "PERSON_COLUMNS", "SCORE_PARTS", "placement_check"]

#: the parts of ``exposure_score``, each a count of distinct people
SCORE_PARTS: tuple[str, ...] = (
    "new_peers", "residents_who_go_missing", "victims_they_go_missing_with", "flagged_residents",
    "new_perpetrators_within_two_steps",
)
#: ``placement-check-<child>.csv``: one row per candidate setting
SETTING_COLUMNS: tuple[str, ...] = (
    "rank", "location_id", "name", "distance_km", "new_peers", "exposure_score", *SCORE_PARTS[1:],
    "score_parts", "residents_now", "recent_residents", "missing_episodes", "distance_from_home_km",
    "distance_source", "category", "local_authority", "bcu", "force", "crosses_bcu", "crosses_force",
)
#: who the child would meet: one row per (setting, resident)
PERSON_COLUMNS: tuple[str, ...] = (
    "location_id", "entity_id", "label", "when", "placed_from", "placed_until", "placement_id", "met_before",
    "missing_episodes", "last_missing", "went_missing_with", "victims_went_missing_with", "flags",
    "perpetrators_within_two_steps", "perpetrators",
)
_LABELS = {
    "new_peers": "new peers", "residents_who_go_missing": "residents who go missing",
    "victims_they_go_missing_with": "victims they go missing with", "flagged_residents": "flagged residents",
    "new_perpetrators_within_two_steps": "new perpetrators within two steps",
}


@dataclass
class PlacementCheck:
    """The result of ``placement_check``: the ranked settings and who the child would meet at each."""

    child: str
    label: str
    move_date: pd.Timestamp
    current: dict
    home: dict
    settings: pd.DataFrame
    people: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _day(value) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _current_setting(network: Network, child: str, move_date: pd.Timestamp) -> dict:
    """The setting the child is placed at when the move date comes (or was last placed at before it), as a dict.

    A placement starting on the move date is the move itself, not the current setting.
    """
    placements = network.placements[network.placements["entity_id"] == child]
    placements = placements[placements["start_date"] < move_date].sort_values(["start_date", "placement_id"])
    if placements.empty:
        return {}
    last = placements.iloc[-1]
    ongoing = pd.isna(last["end_date"]) or last["end_date"] >= move_date
    return {"location_id": str(last["location_id"]), "placement_id": str(last["placement_id"]),
            "since": last["start_date"], "until": None if ongoing else last["end_date"], "ongoing": bool(ongoing)}


def _place_rows(network: Network, ids) -> pd.DataFrame:
    places = network.places.drop_duplicates("location_id").set_index("location_id")
    return places.reindex(pd.Index(ids, dtype=object))


def _candidates(job: JobData, *, settings, near, within_km, setting_type) -> tuple[list[str], list[str]]:
    """The candidate location ids, and notes on how they were chosen."""
    places = job.network.places
    known = places["location_id"].astype(str)
    if settings and near:
        raise CheckError("give either --settings or --near, not both")
    if settings:
        wanted = [str(s).strip() for s in settings if str(s).strip()]
        unknown = [s for s in wanted if not (known == s).any()]
        if unknown:
            hint = did_you_mean(unknown[0], known.tolist())
            raise CheckError(f"setting '{unknown[0]}' is not a location_id of job {job.folder}{hint}; pass location ids "
                             "from the job's locations (network/places.parquet), separated by commas")
        return list(dict.fromkeys(wanted)), []
    if not near:
        raise CheckError("say which settings to check: --settings L1,L2,... or --near POSTCODE (with --within KM)")
    categories = sorted(set(places["category"].dropna().astype(str)))
    if setting_type is not None and setting_type not in categories:
        hint = did_you_mean(setting_type, categories)
        raise CheckError(f"--type '{setting_type}' is not a category of this job's locations{hint}; the categories are "
                         f"{', '.join(categories)}")
    if (known == str(near)).any():
        point = _place_rows(job.network, [str(near)])[["latitude", "longitude"]].to_numpy(dtype=float)[0]
    else:
        point = postcode_points(pd.Series([str(near)]))[["latitude", "longitude"]].to_numpy(dtype=float)[0]
    if np.isnan(point).any():
        raise CheckError(f"--near '{near}' is neither a location_id of this job nor a full postcode in the ONS "
                         "directory; give a full postcode such as PR1 4AB, or a location_id")
    pool = places[places["category"] == setting_type] if setting_type else places[
        places["is_care_setting"].fillna(False).astype(bool) | places["category"].isin(CARE_CATEGORIES)]
    distance = haversine_km(np.full(len(pool), point[0]), np.full(len(pool), point[1]),
                            pool["latitude"].to_numpy(dtype=float), pool["longitude"].to_numpy(dtype=float))
    inside = pool[distance <= within_km]
    kind = setting_type or "care setting"
    if inside.empty:
        raise CheckError(f"no {kind} with known coordinates within {within_km:g} km of {near}; widen --within, or "
                         "name the settings with --settings")
    return inside["location_id"].astype(str).tolist(), [f"every {kind} within {within_km:g} km of {near}: {len(inside)}"]


def _residents(network: Network, child: str, candidates: list[str], move_date: pd.Timestamp,
               recent_days: int, until: pd.Timestamp | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Co-placement edges the move would make (one per setting and peer) and the recent residents who had left.

    The child is placed at every candidate at once from the move date (until
    ``until``, or open ended); ``co_placed_edges`` judges the overlaps as the job does. Open
    placements of others run to the job's ``open_until`` or, when the move
    date is later, to ``min_overlap_days`` after it (they are still there).
    """
    settings = network.settings
    horizon = max(settings.min_overlap_days, 1.0)
    open_until = max(network.open_until or move_date, move_date) + pd.Timedelta(days=horizon)
    placements = network.placements
    there = placements[placements["location_id"].isin(candidates) & (placements["entity_id"] != child)]
    moves = pd.DataFrame({"placement_id": [f"(the move to {c})" for c in candidates], "entity_id": child,
                          "location_id": candidates, "start_date": move_date,
                          "end_date": until if until is not None else pd.NaT})
    both = pd.concat([there[moves.columns], moves], ignore_index=True)
    both = both.astype({"start_date": "datetime64[s]", "end_date": "datetime64[s]"})
    edges = co_placed_edges(both, open_until=open_until, min_overlap_days=settings.min_overlap_days)
    edges = edges[(edges["source"] == child) | (edges["target"] == child)]
    met = pd.DataFrame({"location_id": edges["via"].astype(str).to_numpy(),
                        "entity_id": np.where(edges["source"] == child, edges["target"], edges["source"]).astype(str),
                        "start": edges["start"].to_numpy()})
    left = there[(there["end_date"] < move_date) & (there["end_date"] >= move_date - pd.Timedelta(days=recent_days))]
    recent = left.sort_values(["end_date", "placement_id"]).drop_duplicates(["location_id", "entity_id"], keep="last")
    return met, recent


def _new_peers(job: JobData, child: str, candidates: list[str], met: pd.DataFrame,
               move_date: pd.Timestamp) -> dict[str, int]:
    """``care_moves``' ``new_peers`` of the move to each candidate, as if it had happened.

    One copy of the child per candidate, each with the child's placements up
    to the move date, the co-placements they brought, and the move; one call of
    ``care_moves`` gives every copy's last stay.
    """
    network = job.network
    history = network.placements[network.placements["entity_id"] == child]
    history = history[history["start_date"] < move_date].copy()
    history["end_date"] = history["end_date"].where(history["end_date"] < move_date, move_date)
    ties = job.edges_of("co_placed")
    ties = ties[((ties["source"] == child) | (ties["target"] == child)) & (ties["start"] < move_date)]
    before = pd.DataFrame({"entity_id": np.where(ties["source"] == child, ties["target"], ties["source"]).astype(str),
                           "via": ties["via"].astype(str).to_numpy(), "start": ties["start"].to_numpy(),
                           "end": ties["end"].to_numpy(), "weight": ties["weight"].to_numpy()})
    copies, placements, edges = [], [], []
    for number, setting in enumerate(candidates):
        copy = f"{child}\x1f{number:06d}"
        copies.append(copy)
        stays = history[["placement_id", "location_id", "start_date", "end_date"]].assign(entity_id=copy)
        move = pd.DataFrame({"placement_id": ["(move)"], "entity_id": [copy], "location_id": [setting],
                             "start_date": [move_date], "end_date": [pd.NaT]})
        placements += [stays, move]
        here = met[met["location_id"] == setting]
        edges.append(pd.DataFrame({"source": copy, "target": before["entity_id"], "via": before["via"],
                                   "start": before["start"], "end": before["end"], "weight": before["weight"]}))
        edges.append(pd.DataFrame({"source": copy, "target": here["entity_id"].to_numpy(), "via": setting,
                                   "start": here["start"].to_numpy(), "end": pd.NaT, "weight": 1.0}))
    placements = pd.concat(placements, ignore_index=True).astype({"start_date": "datetime64[s]", "end_date": "datetime64[s]"})
    edge_table = pd.concat(edges, ignore_index=True).assign(
        source_type="person", target_type="person", edge_type="co_placed", role=None, kind="care_setting")
    edge_table["start"] = pd.to_datetime(edge_table["start"]).astype("datetime64[s]")
    edge_table["end"] = pd.to_datetime(edge_table["end"]).astype("datetime64[s]")
    ids = pd.unique(np.r_[np.asarray(copies, dtype=object), edge_table["target"].to_numpy(dtype=object)])
    people = pd.DataFrame({"entity_id": ids, "is_perpetrator": False, "is_victim": False})
    mini = Network(people=people, places=network.places, episodes=network.episodes.iloc[:0],
                   operations=network.operations.iloc[:0], identifiers=network.identifiers.iloc[:0],
                   edges=edge_table[network.edges.columns], placements=placements,
                   participation=network.participation.iloc[:0], contacts=network.contacts.iloc[:0],
                   entities=network.entities.iloc[:0], settings=network.settings, open_until=network.open_until)
    moves = care_moves(mini)
    last = moves.sort_values(["entity_id", "move_number"]).drop_duplicates("entity_id", keep="last")
    found = dict(zip(last["entity_id"], last["new_peers"]))
    return {setting: int(found.get(copy, 0)) for copy, setting in zip(copies, candidates)}


def _person_facts(job: JobData, ids: np.ndarray, child: str) -> pd.DataFrame:
    """Per person: missing episodes, who they went missing with (victims among them), flags, perpetrators near."""
    network = job.network
    people = job.people
    ids = pd.unique(np.asarray(ids, dtype=object))
    episodes = network.episodes[network.episodes["entity_id"].isin(ids)]
    count = episodes.groupby("entity_id").size()
    last = episodes.groupby("entity_id")["start"].max()
    co = job.edges_of("co_missing")
    co = co[co["source"].isin(ids) | co["target"].isin(ids)]
    pairs = pd.concat([
        pd.DataFrame({"entity_id": co["source"].to_numpy(), "other": co["target"].to_numpy()}),
        pd.DataFrame({"entity_id": co["target"].to_numpy(), "other": co["source"].to_numpy()}),
    ], ignore_index=True)
    pairs = pairs[pairs["entity_id"].isin(ids)].drop_duplicates().sort_values(["entity_id", "other"])
    pairs["victim"] = people["is_victim"].reindex(pairs["other"]).fillna(False).to_numpy(dtype=bool)
    with_ = pairs.groupby("entity_id")["other"].agg(";".join)
    victims = pairs[pairs["victim"]].groupby("entity_id")["other"].agg(";".join)
    perpetrator = network.people["is_perpetrator"].fillna(False).to_numpy(dtype=bool)
    names = network.people["entity_id"].astype(str).to_numpy(dtype=object)
    positions = job.person_positions(ids)
    near = []
    for position in positions:
        found = job.ties.within_two(np.array([position])) if position >= 0 else np.zeros(0, np.int64)
        near.append(";".join(sorted(names[found[perpetrator[found]]])))
    flags = people.reindex(ids)
    labels = [_flags(row) for row in flags[["exploitation", "flags", "is_victim", "is_perpetrator"]].itertuples(index=False)]
    return pd.DataFrame({
        "entity_id": ids, "label": flags["label"].fillna("").astype(str).to_numpy(),
        "missing_episodes": count.reindex(ids).fillna(0).astype(int).to_numpy(),
        "last_missing": last.reindex(ids).to_numpy(),
        "went_missing_with": with_.reindex(ids).fillna("").to_numpy(),
        "victims_went_missing_with": victims.reindex(ids).fillna("").to_numpy(),
        "flags": labels, "perpetrators": near,
    })


def _flags(row) -> str:
    exploitation, flags, victim, perpetrator = row
    out = [f for f in str(exploitation or "").split(";") if f and f != "nan"]
    out += [f for f in str(flags or "").split(";") if f in ("cse_risk", "cce_risk", "missing_risk")]
    if victim is True:
        out.append("victim")
    if perpetrator is True:
        out.append("perpetrator")
    return ";".join(dict.fromkeys(out))


def _split(text: str) -> set[str]:
    return {part for part in str(text).split(";") if part}


def placement_check(job: JobData, child: str, *, settings: list[str] | None = None, near: str | None = None,
                    within_km: float = 30.0, setting_type: str | None = None, move_date=None,
                    recent_days: int = 365, until=None) -> PlacementCheck:
    """Rank candidate care settings for ``child`` by the exposure a move there would add (module docstring).

    ``settings`` names the candidates (location ids); or ``near`` (a full
    postcode or a location id) with ``within_km`` and ``setting_type`` (a
    location category; default every care setting) picks every setting in
    the radius. ``move_date`` defaults to the job's last date (``open_until``);
    ``recent_days``: residents who left in the days before the move still count.
    ``until``: the planned end of the stay (default: open, as a placement with
    no end date is), so that only the children there before it count.
    """
    network = job.network
    entity = job.child(child)
    moment = _day(move_date) if move_date is not None else _day(network.open_until or pd.Timestamp.now())
    candidates, notes = _candidates(job, settings=settings, near=near, within_km=within_km, setting_type=setting_type)
    current = _current_setting(network, entity, moment)
    if current:
        current["place"] = place_label(_place_rows(network, [current["location_id"]]).iloc[0])
    if current.get("location_id") in candidates and current.get("ongoing"):
        candidates = [c for c in candidates if c != current["location_id"]]
        notes.append(f"{current['location_id']} is the child's current setting: staying is not a move, so it is not ranked")
    if not candidates:
        raise CheckError("the only setting asked about is the child's current one; name other settings")
    home = job.home(entity)
    until = _day(until) if until is not None else None
    if until is not None and until <= moment:
        raise CheckError(f"the stay's end {until.date()} is not after the move date {moment.date()}")
    met, recent = _residents(network, entity, candidates, moment, recent_days, until)
    peers = _new_peers(job, entity, candidates, met, moment)
    already = set(met["entity_id"][met["start"] < moment])
    child_ties = job.ties.within_two(job.person_positions([entity]))
    perpetrator = network.people["is_perpetrator"].fillna(False).to_numpy(dtype=bool)
    names = network.people["entity_id"].astype(str).to_numpy(dtype=object)
    known_perpetrators = set(names[child_ties[perpetrator[child_ties]]])

    meet = pd.concat([
        met.assign(when="placed there at the move").drop(columns="start"),
        pd.DataFrame({"location_id": recent["location_id"].astype(str).to_numpy(),
                      "entity_id": recent["entity_id"].astype(str).to_numpy(), "when": "left in the last "
                      f"{recent_days} days"}),
    ], ignore_index=True).drop_duplicates(["location_id", "entity_id"])
    facts = _person_facts(job, meet["entity_id"].to_numpy(), entity)
    people = meet.merge(facts, on="entity_id", how="left")
    stays = network.placements[network.placements["location_id"].isin(candidates)]
    stays = stays.sort_values(["start_date", "placement_id"]).drop_duplicates(["location_id", "entity_id"], keep="last")
    people = people.merge(stays[["location_id", "entity_id", "placement_id", "start_date", "end_date"]].rename(
        columns={"start_date": "placed_from", "end_date": "placed_until"}), on=["location_id", "entity_id"], how="left")
    people["met_before"] = people["entity_id"].isin(already | _met_before(job, entity, moment))
    people["perpetrators_within_two_steps"] = people["perpetrators"].map(lambda t: len(_split(t)))
    people = people.sort_values(["location_id", "when", "missing_episodes", "entity_id"],
                                ascending=[True, False, False, True], kind="stable")

    rows = []
    places = _place_rows(network, candidates)
    origin = _place_rows(network, [current.get("location_id")]).iloc[0] if current else None
    for setting in candidates:
        place = places.loc[setting]
        here = people[people["location_id"] == setting]
        missing = here[here["missing_episodes"] > 0]
        victims = set().union(*map(_split, here["victims_went_missing_with"])) - {entity}
        flagged = here[here["flags"].str.contains("CSE|CCE|cse_risk|cce_risk", regex=True)]
        perpetrators = set().union(*map(_split, here["perpetrators"])) - known_perpetrators - {entity}
        parts = {"new_peers": peers[setting], "residents_who_go_missing": len(missing),
                 "victims_they_go_missing_with": len(victims), "flagged_residents": len(flagged),
                 "new_perpetrators_within_two_steps": len(perpetrators)}
        rows.append({
            "location_id": setting, "name": place.get("name"), **parts,
            "exposure_score": sum(parts.values()),
            "score_parts": " + ".join(f"{parts[p]} {_LABELS[p]}" for p in SCORE_PARTS),
            "residents_now": int((here["when"] == "placed there at the move").sum()),
            "recent_residents": int((here["when"] != "placed there at the move").sum()),
            "missing_episodes": int(here["missing_episodes"].sum()),
            "distance_km": _distance(origin, place), "distance_from_home_km": _distance(home, place),
            "distance_source": place.get("coordinate_source"),
            "category": place.get("category"), "local_authority": place.get("local_authority"),
            "bcu": place.get("bcu"), "force": place.get("force"),
            "crosses_bcu": _crosses(_area(origin if origin is not None else home), _area(place)),
            "crosses_force": _crosses(_force(origin if origin is not None else home), _force(place)),
        })
    table = pd.DataFrame(rows)
    table = table.sort_values(["exposure_score", "distance_km", "location_id"], na_position="last", kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    for column in ("distance_km", "distance_from_home_km"):
        table[column] = table[column].round(2)
    people = people.reindex(columns=PERSON_COLUMNS)
    return PlacementCheck(child=entity, label=_label(network, entity), move_date=moment, current=current, home=home,
                          settings=table[list(SETTING_COLUMNS)].reset_index(drop=True),
                          people=people.reset_index(drop=True), notes=notes)


def _met_before(job: JobData, child: str, moment: pd.Timestamp) -> set[str]:
    ties = job.edges_of("co_placed")
    ties = ties[((ties["source"] == child) | (ties["target"] == child)) & (ties["start"] < moment)]
    return set(np.where(ties["source"] == child, ties["target"], ties["source"]).astype(str))


def _label(network: Network, entity: str) -> str:
    row = network.people[network.people["entity_id"] == entity]
    return str(row["label"].iloc[0]) if len(row) and isinstance(row["label"].iloc[0], str) else entity


def _value(row, key):
    if row is None:
        return None
    value = row.get(key) if hasattr(row, "get") else None
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else value


def _distance(origin, place) -> float:
    points = [_value(origin, "latitude"), _value(origin, "longitude"), _value(place, "latitude"), _value(place, "longitude")]
    if any(p is None for p in points):
        return float("nan")
    return float(haversine_km(*[np.array([float(p)]) for p in points])[0])


def _area(row):
    """The area a BCU boundary is judged on: the BCU in force, the force outside it (as care_moves judges it)."""
    return _value(row, "bcu") or _value(row, "force")


def _force(row):
    return _value(row, "force")


def _crosses(a, b):
    return None if a is None or b is None else bool(a != b)


def place_label(row) -> str:
    """A candidate setting as a person reads it: its name, or its category, and its local authority."""
    name = _value(row, "name") or str(_value(row, "category") or "setting").replace("_", " ")
    authority = _value(row, "local_authority")
    return f"{name}, {authority}" if authority else str(name)
