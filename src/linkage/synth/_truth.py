"""The planted truth, written to ``out/truth/`` as CSV files a test or an evaluation can read.

Files and columns (``;`` separates multi-valued cells; dates ISO):

``records.csv``
    record_id, person_id, errors — the true person behind every person record, and the
    error kinds applied to that record (see ``linkage.synth.ERROR_KINDS``).
``persons.csv``
    person_id, kind (child/adult), roles (victim, perpetrator, ``victim;perpetrator`` or
    empty: roles in exploitation groups), looked_after (true/false), home_local_authority,
    bcu (empty out of force), force, group_ids.
``groups.csv``
    group_id, categories (CSE, CCE or ``CSE;CCE``), operations, bcus (the victims' BCUs),
    cross_bcu (members — victims, perpetrators, businesses, addresses — span more than one
    BCU), out_of_force (a member lives or is located outside the home force), n_victims,
    n_perpetrators, then perpetrator_bcus, base_local_authority, care_setting_id.
``group_members.csv``
    group_id, member_id, member_type: ``victim`` / ``perpetrator`` (person_id), ``business`` /
    ``address`` / ``care_setting`` (location_id), ``operation`` (operation name).
``co_placed_missing.csv``
    person_id_a, person_id_b, location_id, overlap_start, overlap_end, episode_id_a,
    episode_id_b — children whose placements at one location overlapped and who later
    (episodes starting on or after overlap_start) went missing together: episodes that
    overlap in time and share the found location or name each other in found_with.
    One row per pair and overlap, with the first such pair of episodes.
``operation_crossover.csv``
    operation_a, operation_b, shared_kind (victim / perpetrator / location), shared_id
    (person_id or location_id) — every pair of operations whose events share one.
``shared_identifiers.csv``
    person_id_a, person_id_b, identifier, kind — people holding the same phone or vehicle
    (on any of their records) with no association row between any of their records.
``cross_bcu_links.csv`` and ``out_of_force_links.csv``
    person_id_a, person_id_b, bcu_a, bcu_b, force_a, force_b, via — planted links
    (via: contact, event, missing_together, co_placement, shared_identifier) between people
    whose home BCUs differ (the second file: whose forces differ).
``business_targets.csv``
    location_id, group_id, children_linked, perpetrators_linked, name, category,
    local_authority — each group business, with how many of the group's victims and
    perpetrators are linked to it (found there when missing, named in an event there, or
    in phone contact with it). The hub is the business with the most groups (rows): one
    group's business that two or three other groups use too, more than any other.
``busy_venues.csv``
    location_id, name, category, local_authority, n_events, n_people — a takeaway with
    dozens of violent incidents among regulars who are adults on every date (18 or over
    when the world starts) and no child, exploitation event, missing child or phone:
    police activity that is not evidence of child exploitation.
``care_moves.csv``
    person_id, n_placements, n_moves, peers_met, n_settings, n_local_authorities, n_bcus,
    out_of_force_placements — per looked-after child; peers_met counts distinct children
    with an overlapping placement at the same setting.
``world.json``
    scale, seed, persons, and the row counts of every table and truth file.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ._util import HORIZON_END, NODATE, fmt_days, overlap_pairs
from ._world import KIND_CHILD, World
from ._write import Ids, write_csv

__all__ = ["write_truth", "TRUTH_FILES"]

TRUTH_FILES = {
    "records": ["record_id", "person_id", "errors"],
    "persons": ["person_id", "kind", "roles", "looked_after", "home_local_authority", "bcu", "force", "group_ids"],
    "groups": ["group_id", "categories", "operations", "bcus", "cross_bcu", "out_of_force", "n_victims", "n_perpetrators", "perpetrator_bcus", "base_local_authority", "care_setting_id"],
    "group_members": ["group_id", "member_id", "member_type"],
    "co_placed_missing": ["person_id_a", "person_id_b", "location_id", "overlap_start", "overlap_end", "episode_id_a", "episode_id_b"],
    "operation_crossover": ["operation_a", "operation_b", "shared_kind", "shared_id"],
    "shared_identifiers": ["person_id_a", "person_id_b", "identifier", "kind"],
    "cross_bcu_links": ["person_id_a", "person_id_b", "bcu_a", "bcu_b", "force_a", "force_b", "via"],
    "out_of_force_links": ["person_id_a", "person_id_b", "bcu_a", "bcu_b", "force_a", "force_b", "via"],
    "business_targets": ["location_id", "group_id", "children_linked", "perpetrators_linked", "name", "category", "local_authority"],
    "busy_venues": ["location_id", "name", "category", "local_authority", "n_events", "n_people"],
    "care_moves": ["person_id", "n_placements", "n_moves", "peers_met", "n_settings", "n_local_authorities", "n_bcus", "out_of_force_placements"],
}


def _bool(x: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(x, bool), "true", "false").astype(object)


def _join(df: pd.DataFrame, key: str, value: str, n: int) -> np.ndarray:
    """``;``-joined sorted distinct ``value`` per ``key`` index 0..n-1."""
    from ._util import join_lists

    return join_lists(df[key].to_numpy(), df[value].to_numpy().astype(str), n)


def _sort(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return df.sort_values(cols, kind="stable").reset_index(drop=True)


def _write(out: Path, name: str, df: pd.DataFrame) -> int:
    cols = TRUTH_FILES[name]
    data = {c: (df[c].to_numpy() if c in df else np.full(len(df), "", dtype=object)) for c in cols}
    return write_csv(out / f"{name}.csv", cols, data)


def _person_places(world: World) -> tuple[np.ndarray, np.ndarray]:
    """BCU name ('' out of force) and force name of each person's home authority."""
    geo = world.geo
    la = world.persons["la"].to_numpy()
    bcu = np.where(geo.bcu[la] >= 0, geo.bcu_names[np.maximum(geo.bcu[la], 0)], "").astype(object)
    return bcu, geo.force_names[geo.force[la]].astype(object)


def _co_placed_missing(world: World, ids: Ids) -> pd.DataFrame:
    ep = world.episodes
    start = ep["start"].to_numpy()
    # an episode not yet closed is open to the end of the world
    end = np.where(ep["end"].to_numpy() == NODATE, (HORIZON_END + 30) * 86400, ep["end"].to_numpy())
    person = ep["person"].to_numpy()
    # episode pairs of two children missing together
    found = ep["found_loc"].to_numpy()
    has = np.flatnonzero(found >= 0)
    i, j = overlap_pairs(found[has], start[has], end[has])
    same_place = pd.DataFrame({"e1": has[i], "e2": has[j]})
    fw = world.found_with
    cand = fw.merge(pd.DataFrame({"e2": np.arange(len(ep)), "person": person}), on="person").rename(columns={"episode": "e1"})
    e1, e2 = cand["e1"].to_numpy(), cand["e2"].to_numpy()
    ok = (start[e1] < end[e2]) & (start[e2] < end[e1])
    named = pd.DataFrame({"e1": e1[ok], "e2": e2[ok]})
    pairs = pd.concat([same_place, named], ignore_index=True)
    e1, e2 = pairs["e1"].to_numpy(), pairs["e2"].to_numpy()
    flip = person[e1] > person[e2]
    pairs = pd.DataFrame({"e1": np.where(flip, e2, e1), "e2": np.where(flip, e1, e2)})
    pairs = pairs[person[pairs["e1"].to_numpy()] != person[pairs["e2"].to_numpy()]].drop_duplicates()
    child = (world.persons["kind"] == KIND_CHILD).to_numpy()
    pairs["a"] = person[pairs["e1"].to_numpy()]
    pairs["b"] = person[pairs["e2"].to_numpy()]
    pairs = pairs[child[pairs["a"].to_numpy()] & child[pairs["b"].to_numpy()]]
    # ... who had overlapping placements at one setting before going missing together
    pl = world.placements
    pend = np.where(pl["end"].to_numpy() == NODATE, HORIZON_END + 1, pl["end"].to_numpy())
    plf = pd.DataFrame({"person": pl["person"].to_numpy(), "loc": pl["loc"].to_numpy(), "s": pl["start"].to_numpy(), "e": pend, "open": pl["end"].to_numpy() == NODATE})
    who = pairs[["a", "b"]].drop_duplicates()
    x = who.merge(plf.rename(columns={"person": "a"}), on="a").merge(plf.rename(columns={"person": "b"}), on=["b", "loc"], suffixes=("_a", "_b"))
    x["ov_s"] = np.maximum(x["s_a"], x["s_b"])
    x["ov_e"] = np.minimum(x["e_a"], x["e_b"])
    x["ov_open"] = x["open_a"] & x["open_b"]
    x = x[x["ov_s"] < x["ov_e"]]
    y = x.merge(pairs, on=["a", "b"])
    later = (np.minimum(start[y["e1"].to_numpy()], start[y["e2"].to_numpy()]) // 86400) >= y["ov_s"].to_numpy()
    y = y[later]
    y = y.assign(first=np.minimum(start[y["e1"].to_numpy()], start[y["e2"].to_numpy()]))
    y = y.sort_values(["a", "b", "loc", "ov_s", "first", "e1", "e2"], kind="stable").drop_duplicates(["a", "b", "loc", "ov_s"])
    return pd.DataFrame(
        {
            "person_id_a": ids.person[y["a"].to_numpy()],
            "person_id_b": ids.person[y["b"].to_numpy()],
            "location_id": ids.location[y["loc"].to_numpy()],
            "overlap_start": fmt_days(y["ov_s"].to_numpy()),
            "overlap_end": fmt_days(np.where(y["ov_open"].to_numpy(), NODATE, y["ov_e"].to_numpy())),
            "episode_id_a": ids.episode[y["e1"].to_numpy()],
            "episode_id_b": ids.episode[y["e2"].to_numpy()],
        }
    )


def _operation_crossover(world: World, ids: Ids) -> pd.DataFrame:
    ev = world.events
    ep = world.event_people
    op = ev["op"].to_numpy()
    names = world.ops.set_index("op")["name"]
    e = ep["event"].to_numpy()
    role = ep["role"].to_numpy()
    keep = op[e] >= 0
    kind = np.where(role == "victim", "victim", np.where(np.isin(role, ("suspect", "offender")), "perpetrator", ""))
    people = pd.DataFrame({"op": op[e], "kind": kind, "id": ids.person[ep["person"].to_numpy()]})[keep & (kind != "")]
    loc = ev["loc"].to_numpy()
    has = (op >= 0) & (loc >= 0)
    places = pd.DataFrame({"op": op[has], "kind": "location", "id": ids.location[loc[has]]})
    items = pd.concat([people, places], ignore_index=True).drop_duplicates()
    items["name"] = names.reindex(items["op"].to_numpy()).to_numpy()
    pr = items.merge(items, on=["kind", "id"], suffixes=("_a", "_b"))
    pr = pr[pr["name_a"] < pr["name_b"]]
    out = pd.DataFrame({"operation_a": pr["name_a"], "operation_b": pr["name_b"], "shared_kind": pr["kind"], "shared_id": pr["id"]})
    return _sort(out, ["operation_a", "operation_b", "shared_kind", "shared_id"])


def _shared_identifiers(world: World, ids: Ids) -> pd.DataFrame:
    h = world.holders
    h = h[h["person"].to_numpy().astype(bool)]
    person = world.records["person"].to_numpy()[h["owner"].to_numpy()]
    held = pd.DataFrame({"ident": h["ident"].to_numpy(), "p": person}).drop_duplicates()
    kinds = world.identifiers["kind"].to_numpy()
    held = held[np.isin(kinds[held["ident"].to_numpy()], ("phone", "vehicle"))]
    pr = held.merge(held, on="ident", suffixes=("_a", "_b"))
    pr = pr[pr["p_a"] < pr["p_b"]]
    a = world.associations[["a", "b"]].drop_duplicates().rename(columns={"a": "p_a", "b": "p_b"})
    hit = pr.merge(a, on=["p_a", "p_b"], how="left", indicator=True)["_merge"].to_numpy() == "both"
    pr = pr[~hit]
    out = pd.DataFrame(
        {
            "person_id_a": ids.person[pr["p_a"].to_numpy()],
            "person_id_b": ids.person[pr["p_b"].to_numpy()],
            "identifier": world.identifiers["value"].to_numpy()[pr["ident"].to_numpy()],
            "kind": kinds[pr["ident"].to_numpy()],
        }
    )
    flip = out["person_id_a"].to_numpy() > out["person_id_b"].to_numpy()
    a_, b_ = out["person_id_a"].to_numpy().copy(), out["person_id_b"].to_numpy().copy()
    out["person_id_a"], out["person_id_b"] = np.where(flip, b_, a_), np.where(flip, a_, b_)
    return _sort(out, ["person_id_a", "person_id_b", "identifier"])


def _links(world: World, ids: Ids, bcu: np.ndarray, force: np.ndarray) -> pd.DataFrame:
    if not world.links:
        return pd.DataFrame(columns=TRUTH_FILES["cross_bcu_links"])
    links = pd.concat(world.links, ignore_index=True).drop_duplicates()
    a, b = links["a"].to_numpy(), links["b"].to_numpy()
    out = pd.DataFrame(
        {
            "person_id_a": ids.person[a], "person_id_b": ids.person[b],
            "bcu_a": bcu[a], "bcu_b": bcu[b], "force_a": force[a], "force_b": force[b],
            "via": links["via"].to_numpy(),
        }
    )
    out = out[(out["bcu_a"] != out["bcu_b"]) | (out["force_a"] != out["force_b"])]
    flip = out["person_id_a"].to_numpy() > out["person_id_b"].to_numpy()
    for x, y in (("person_id_a", "person_id_b"), ("bcu_a", "bcu_b"), ("force_a", "force_b")):
        u, v = out[x].to_numpy().copy(), out[y].to_numpy().copy()
        out[x], out[y] = np.where(flip, v, u), np.where(flip, u, v)
    return _sort(out.drop_duplicates(), ["person_id_a", "person_id_b", "via"])


def _business_targets(world: World, ids: Ids) -> pd.DataFrame:
    gl = world.group_locs
    biz = gl[gl["kind"] == "business"][["group", "loc"]]
    m = world.members[["group", "person", "role"]]
    # (person, location) links: found there, named in an event there, phone contact with its phone
    ep = world.episodes
    found = pd.DataFrame({"person": ep["person"], "loc": ep["found_loc"], "as": "victim"})
    ev, evp = world.events, world.event_people
    loc = ev["loc"].to_numpy()[evp["event"].to_numpy()]
    role = evp["role"].to_numpy()
    at_event = pd.DataFrame({"person": evp["person"].to_numpy(), "loc": loc, "as": np.where(role == "victim", "victim", np.where(np.isin(role, ("suspect", "offender")), "perpetrator", ""))})
    h = world.holders
    loc_phone = h[~h["person"].to_numpy().astype(bool)][["ident", "owner"]].rename(columns={"owner": "loc"})
    ph = h[h["person"].to_numpy().astype(bool)]
    pers_phone = pd.DataFrame({"ident": ph["ident"].to_numpy(), "person": world.records["person"].to_numpy()[ph["owner"].to_numpy()]}).drop_duplicates()
    c = world.contacts[["src", "dst"]]
    both = pd.concat([c.rename(columns={"src": "ident", "dst": "other"}), c.rename(columns={"dst": "ident", "src": "other"})])
    called = both.merge(loc_phone, on="ident").merge(pers_phone.rename(columns={"ident": "other"}), on="other")
    contact = pd.DataFrame({"person": called["person"].to_numpy(), "loc": called["loc"].to_numpy(), "as": "any"})
    links = pd.concat([found, at_event, contact], ignore_index=True)
    x = biz.merge(links, on="loc").merge(m, on=["group", "person"])
    ok = (x["as"] == "any") | (x["as"] == x["role"])
    x = x[ok].drop_duplicates(["group", "loc", "person", "role"])
    counts = x.groupby(["group", "loc", "role"]).size().unstack(fill_value=0)
    biz = biz.merge(counts, left_on=["group", "loc"], right_index=True, how="left").fillna(0)
    L = world.locations
    return _sort(
        pd.DataFrame(
            {
                "location_id": ids.location[biz["loc"].to_numpy()],
                "group_id": ids.group[biz["group"].to_numpy()],
                "children_linked": (biz["victim"] if "victim" in biz else pd.Series(0, index=biz.index)).to_numpy().astype(np.int64),
                "perpetrators_linked": (biz["perpetrator"] if "perpetrator" in biz else pd.Series(0, index=biz.index)).to_numpy().astype(np.int64),
                "name": L["name"].to_numpy()[biz["loc"].to_numpy()],
                "category": L["category"].to_numpy()[biz["loc"].to_numpy()],
                "local_authority": world.geo.names[L["la"].to_numpy()[biz["loc"].to_numpy()]],
            }
        ),
        ["group_id", "location_id"],
    )


def _care_moves(world: World, ids: Ids) -> pd.DataFrame:
    pl = world.placements
    geo = world.geo
    person = pl["person"].to_numpy()
    loc_la = world.locations["la"].to_numpy()[pl["loc"].to_numpy()]
    pend = np.where(pl["end"].to_numpy() == NODATE, HORIZON_END + 1, pl["end"].to_numpy())
    i, j = overlap_pairs(pl["loc"].to_numpy(), pl["start"].to_numpy(), pend)
    peers = pd.DataFrame({"p": np.concatenate([person[i], person[j]]), "q": np.concatenate([person[j], person[i]])})
    peers = peers[peers["p"] != peers["q"]].drop_duplicates()
    df = pd.DataFrame({"p": person, "loc": pl["loc"].to_numpy(), "la": loc_la, "bcu": geo.bcu[loc_la], "out": ~geo.home[loc_la]})
    g = df.groupby("p")
    res = pd.DataFrame(
        {
            "n_placements": g.size(),
            "n_settings": g["loc"].nunique(),
            "n_local_authorities": g["la"].nunique(),
            "n_bcus": df[df["bcu"] >= 0].groupby("p")["bcu"].nunique(),
            "out_of_force_placements": g["out"].sum(),
        }
    ).fillna(0)
    res["peers_met"] = peers.groupby("p").size().reindex(res.index).fillna(0)
    res = res.astype(np.int64)
    res["n_moves"] = res["n_placements"] - 1
    res["person_id"] = ids.person[res.index.to_numpy()]
    return _sort(res.reset_index(drop=True), ["person_id"])


def write_truth(world: World, ids: Ids, out: Path, summary: dict) -> dict[str, int]:
    """Write every truth file into ``out`` (created); return their row counts."""
    out.mkdir(parents=True, exist_ok=True)
    p = world.persons
    N = len(p)
    geo = world.geo
    bcu, force = _person_places(world)
    m = world.members
    rows: dict[str, int] = {}

    r = world.records
    rows["records"] = _write(out, "records", _sort(pd.DataFrame({"record_id": ids.record, "person_id": ids.person[r["person"].to_numpy()], "errors": r["errors"].to_numpy()}), ["record_id"]))

    is_v = np.zeros(N, bool)
    is_p = np.zeros(N, bool)
    is_v[m.loc[m["role"] == "victim", "person"].to_numpy()] = True
    is_p[m.loc[m["role"] == "perpetrator", "person"].to_numpy()] = True
    roles = np.select([is_v & is_p, is_v, is_p], ["victim;perpetrator", "victim", "perpetrator"], "").astype(object)
    group_ids = pd.DataFrame({"person": m["person"].to_numpy(), "g": ids.group[m["group"].to_numpy()]})
    persons = pd.DataFrame(
        {
            "person_id": ids.person,
            "kind": np.where(p["kind"].to_numpy() == KIND_CHILD, "child", "adult").astype(object),
            "roles": roles,
            "looked_after": _bool(p["lac"].to_numpy()),
            "home_local_authority": geo.names[p["la"].to_numpy()],
            "bcu": bcu,
            "force": force,
            "group_ids": _join(group_ids, "person", "g", N),
        }
    )
    rows["persons"] = _write(out, "persons", _sort(persons, ["person_id"]))

    # groups and their members
    groups = world.groups
    G = len(groups)
    gl = world.group_locs
    ops = world.ops[world.ops["group"] >= 0]
    used_ops = set(world.events.loc[world.events["op"] >= 0, "op"].tolist())
    ops = ops[ops["op"].isin(used_ops)]
    la = p["la"].to_numpy()
    vict = m[m["role"] == "victim"]
    perp = m[m["role"] == "perpetrator"]
    v_bcu = pd.DataFrame({"group": vict["group"], "b": bcu[vict["person"].to_numpy()]})
    p_bcu = pd.DataFrame({"group": perp["group"], "b": bcu[perp["person"].to_numpy()]})
    loc_la = world.locations["la"].to_numpy()[gl["loc"].to_numpy()]
    l_bcu = pd.DataFrame({"group": gl["group"], "b": np.where(geo.bcu[loc_la] >= 0, geo.bcu_names[np.maximum(geo.bcu[loc_la], 0)], "")})
    all_bcu = pd.concat([v_bcu, p_bcu, l_bcu[gl["kind"].to_numpy() != "care_setting"]])
    all_bcu = all_bcu[all_bcu["b"] != ""]
    n_bcu = all_bcu.drop_duplicates().groupby("group").size().reindex(range(G), fill_value=0).to_numpy()
    member_out = np.zeros(G, bool)
    member_out[m["group"].to_numpy()[~geo.home[la[m["person"].to_numpy()]]]] = True
    place = gl["kind"].to_numpy() != "care_setting"
    member_out[gl["group"].to_numpy()[place & ~geo.home[loc_la]]] = True
    cat_names = np.array(["CSE", "CCE", "CSE;CCE"], dtype=object)
    hub = groups["hub"].to_numpy()
    gtable = pd.DataFrame(
        {
            "group_id": ids.group,
            "categories": cat_names[groups["cats"].to_numpy()],
            "operations": _join(ops, "group", "name", G),
            "bcus": _join(v_bcu[v_bcu["b"] != ""], "group", "b", G),
            "cross_bcu": _bool(n_bcu > 1),
            "out_of_force": _bool(member_out),
            "n_victims": np.bincount(vict["group"].to_numpy(), minlength=G),
            "n_perpetrators": np.bincount(perp["group"].to_numpy(), minlength=G),
            "perpetrator_bcus": _join(p_bcu[p_bcu["b"] != ""], "group", "b", G),
            "base_local_authority": geo.names[groups["base_la"].to_numpy()],
            "care_setting_id": np.where(hub >= 0, ids.location[np.maximum(hub, 0)], ""),
        }
    )
    rows["groups"] = _write(out, "groups", gtable)
    gm = pd.concat(
        [
            pd.DataFrame({"group_id": ids.group[m["group"].to_numpy()], "member_id": ids.person[m["person"].to_numpy()], "member_type": m["role"].to_numpy()}),
            pd.DataFrame({"group_id": ids.group[gl["group"].to_numpy()], "member_id": ids.location[gl["loc"].to_numpy()], "member_type": gl["kind"].to_numpy()}),
            pd.DataFrame({"group_id": ids.group[ops["group"].to_numpy()], "member_id": ops["name"].to_numpy(), "member_type": "operation"}),
        ],
        ignore_index=True,
    ).drop_duplicates()
    rows["group_members"] = _write(out, "group_members", _sort(gm, ["group_id", "member_type", "member_id"]))

    rows["co_placed_missing"] = _write(out, "co_placed_missing", _sort(_co_placed_missing(world, ids), ["person_id_a", "person_id_b", "location_id", "overlap_start"]))
    rows["operation_crossover"] = _write(out, "operation_crossover", _operation_crossover(world, ids))
    rows["shared_identifiers"] = _write(out, "shared_identifiers", _shared_identifiers(world, ids))
    links = _links(world, ids, bcu, force)
    rows["cross_bcu_links"] = _write(out, "cross_bcu_links", links[links["bcu_a"] != links["bcu_b"]])
    rows["out_of_force_links"] = _write(out, "out_of_force_links", links[links["force_a"] != links["force_b"]])
    rows["business_targets"] = _write(out, "business_targets", _business_targets(world, ids))
    busy = world.busy_venues
    loc = busy["loc"].to_numpy(dtype=np.int64) if len(busy) else np.zeros(0, np.int64)
    L = world.locations
    rows["busy_venues"] = _write(out, "busy_venues", pd.DataFrame({
        "location_id": ids.location[loc], "name": L["name"].to_numpy()[loc], "category": L["category"].to_numpy()[loc],
        "local_authority": world.geo.names[L["la"].to_numpy()[loc]],
        "n_events": busy["events"].to_numpy() if len(busy) else np.zeros(0, np.int64),
        "n_people": busy["people"].to_numpy() if len(busy) else np.zeros(0, np.int64)}))
    rows["care_moves"] = _write(out, "care_moves", _care_moves(world, ids))

    summary = dict(summary, truth=rows)
    tmp = out / "world.json.tmp"
    tmp.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(out / "world.json")
    return rows
