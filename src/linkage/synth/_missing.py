"""Missing-from-care and missing-from-home episodes.

Group victims go missing together (found at the group's businesses or
addresses, with each other and sometimes with a perpetrator); children placed
together sometimes run off together; most episodes are ordinary ones, found at
home, at an address, in a public place or not recorded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._care import placement_at
from ._places import NTE_CATEGORIES, Pools, location_rows
from ._util import HORIZON_END, HORIZON_START, NODATE, overlap_pairs, pick_from_pools, ranks_within
from ._world import KIND_CHILD, World

__all__ = ["make_missing", "home_addresses"]

HOUR = 3600
DAY = 86400


def _evening(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Seconds at a time of day when children go missing (afternoon to small hours)."""
    hour = (15 + rng.gamma(2.0, 2.2, len(days))).astype(np.int64) % 24
    minute = rng.integers(0, 12, len(days)) * 5
    return days.astype(np.int64) * DAY + hour * HOUR + minute * 60


def home_addresses(world: World, person: np.ndarray) -> np.ndarray:
    """The household address (a location) of each person, created when first needed; -1 without a household."""
    hh = world.persons["household"].to_numpy()[person]
    has = hh >= 0
    households = world.households
    need = np.unique(hh[has][households["address"].to_numpy()[hh[has]] < 0])
    if len(need):
        rng = world.rng(f"home-addresses-{len(world.locations)}")
        rows = location_rows(world, rng, np.full(len(need), "address"), households["la"].to_numpy()[need], households["postcode"].to_numpy()[need])
        idx = world.add_locations(rows)
        addr = households["address"].to_numpy().copy()
        addr[need] = idx
        households["address"] = addr
    return np.where(has, households["address"].to_numpy()[np.maximum(hh, 0)], -1)


def _from_location(world: World, person: np.ndarray, start: np.ndarray) -> np.ndarray:
    pl = placement_at(world, person, start // DAY)
    loc = np.where(pl >= 0, world.placements["loc"].to_numpy()[np.maximum(pl, 0)], -1)
    todo = loc < 0
    if todo.any():
        loc[todo] = home_addresses(world, person[todo])
    return loc


def _found_somewhere(world: World, rng: np.random.Generator, near_la: np.ndarray, from_loc: np.ndarray) -> np.ndarray:
    """Where ordinary episodes end: not recorded, public places, addresses, hubs, businesses, back home."""
    n = len(near_la)
    kind = rng.choice(6, p=[0.4, 0.25, 0.15, 0.1, 0.05, 0.05], size=n)
    found = np.full(n, -1, np.int64)
    for k, cats in ((1, "public_space"), (2, "address"), (3, "transport_hub"), (4, NTE_CATEGORIES)):
        sel = kind == k
        if sel.any():
            found[sel] = Pools(world, cats).pick(rng, near_la[sel])
    found[kind == 5] = from_loc[kind == 5]
    return found


def _durations(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    absent = rng.random(n) < 0.2
    dur = np.where(absent, rng.integers(1 * HOUR, 8 * HOUR, n), np.clip(rng.lognormal(np.log(10 * HOUR), 1.0, n), HOUR, 10 * DAY)).astype(np.int64)
    return dur, np.where(absent, "absent", "missing").astype(object)


def _frame(person, start, end, kind, from_loc, found, group=-1, session=-1) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    n = len(person)
    return pd.DataFrame(
        {
            "person": np.asarray(person, np.int64),
            "start": np.asarray(start, np.int64),
            "end": np.asarray(end, np.int64),
            "kind": np.asarray(kind, dtype=object) if not isinstance(kind, str) else np.full(n, kind, dtype=object),
            "from_loc": np.asarray(from_loc, np.int64),
            "found_loc": np.asarray(found, np.int64),
            "group": np.broadcast_to(np.asarray(group, np.int64), (n,)).copy(),
            "session": np.broadcast_to(np.asarray(session, np.int64), (n,)).copy(),
        }
    )


def make_missing(world: World) -> None:
    rng = world.rng("missing")
    p = world.persons
    groups = world.groups
    m = world.members
    gl = world.group_locs
    parts: list[pd.DataFrame] = []
    withs: list[pd.DataFrame] = []  # local episode row within its part, person found with
    offset = 0

    def add(frame: pd.DataFrame, found_with: pd.DataFrame | None = None) -> None:
        nonlocal offset
        parts.append(frame)
        if found_with is not None and len(found_with):
            withs.append(pd.DataFrame({"episode": found_with["episode"].to_numpy() + offset, "person": found_with["person"].to_numpy()}))
        offset += len(frame)

    # --- group sessions: victims missing together, found at the group's places
    victims = m[m["role"] == "victim"][["group", "person"]]
    perps = m[(m["role"] == "perpetrator")][["group", "person"]]
    biz = gl[gl["kind"] == "business"]
    addr = gl[gl["kind"] == "address"]
    G = len(groups)
    n_v = np.bincount(victims["group"].to_numpy(), minlength=G)
    n_biz = np.bincount(biz["group"].to_numpy(), minlength=G)
    n_s = np.maximum(2 + rng.poisson(0.7 * n_v), n_biz)
    sg = np.repeat(np.arange(G), n_s)
    S = len(sg)
    ws, we = groups["w_start"].to_numpy(), groups["w_end"].to_numpy()
    sday = ws[sg] + np.floor(rng.random(S) * (we[sg] - ws[sg])).astype(np.int64)
    ssec = _evening(rng, sday)
    size = 2 + rng.binomial(2, 0.4, S)
    f_biz = pick_from_pools(biz["group"].to_numpy(), biz["loc"].to_numpy(), sg, rng.random(S))
    f_addr = pick_from_pools(addr["group"].to_numpy(), addr["loc"].to_numpy(), sg, rng.random(S))
    found = np.where((rng.random(S) < 0.7) | (f_addr < 0), f_biz, f_addr)
    # every business of a group is where its victims were found at least once
    b_sorted = biz.sort_values(["group", "loc"], kind="stable")
    b_key = b_sorted["group"].to_numpy() * 1000 + ranks_within(b_sorted["group"].to_numpy())
    first_visit = pick_from_pools(b_key, b_sorted["loc"].to_numpy(), sg * 1000 + ranks_within(sg), np.zeros(S))
    found = np.where(first_visit >= 0, first_visit, found)
    s_perp = pick_from_pools(perps["group"].to_numpy(), perps["person"].to_numpy(), sg, rng.random(S))
    sv = pd.DataFrame({"session": np.arange(S), "group": sg}).merge(victims, on="group")
    sv["u"] = rng.random(len(sv))
    sv = sv.sort_values(["session", "u"], kind="stable")
    sv = sv[sv.groupby("session").cumcount().to_numpy() < size[sv["session"].to_numpy()]].reset_index(drop=True)
    sv = sv.drop(columns="u")
    k = len(sv)
    sess = sv["session"].to_numpy()
    start = ssec[sess] + rng.integers(-2 * HOUR, 2 * HOUR, k)
    end = ssec[sess] + rng.integers(6 * HOUR, 60 * HOUR, k)
    person = sv["person"].to_numpy()
    add_frame = _frame(person, start, end, "missing", _from_location(world, person, start), found[sess], sv["group"].to_numpy(), sess)
    pairs = sv.reset_index().merge(sv.reset_index(), on="session", suffixes=("", "_o"))
    pairs = pairs[pairs["person"] != pairs["person_o"]]
    world.add_links(pairs["person"].to_numpy(), pairs["person_o"].to_numpy(), "missing_together")
    pairs = pairs[rng.random(len(pairs)) < 0.85]
    fw = [pd.DataFrame({"episode": pairs["index"].to_numpy(), "person": pairs["person_o"].to_numpy()})]
    with_perp = (rng.random(k) < 0.2) & (s_perp[sess] >= 0) & (s_perp[sess] != person)
    fw.append(pd.DataFrame({"episode": np.flatnonzero(with_perp), "person": s_perp[sess][with_perp]}))
    add(add_frame, pd.concat(fw, ignore_index=True))

    # --- victims' own episodes during the group's activity
    prim = m[(m["role"] == "victim") & m["primary"]]
    vp, vg = prim["person"].to_numpy(), prim["group"].to_numpy()
    n_own = rng.poisson(2.0, len(vp))
    person = np.repeat(vp, n_own)
    g = np.repeat(vg, n_own)
    n = len(person)
    start = _evening(rng, ws[g] + np.floor(rng.random(n) * (we[g] - ws[g])).astype(np.int64))
    dur, kind = _durations(rng, n)
    from_loc = _from_location(world, person, start)
    f_biz = pick_from_pools(biz["group"].to_numpy(), biz["loc"].to_numpy(), g, rng.random(n))
    f_pub = Pools(world, "public_space").pick(rng, groups["base_la"].to_numpy()[g])
    u = rng.random(n)
    found = np.where(u < 0.35, f_biz, np.where(u < 0.6, f_pub, -1))
    add(_frame(person, start, start + dur, kind, from_loc, found, g))

    # --- ordinary episodes of looked-after children, during their time in care
    pl = world.placements
    span = pd.DataFrame({"person": pl["person"], "lo": pl["start"], "hi": np.where(pl["end"] == NODATE, HORIZON_END, pl["end"])}).groupby("person").agg(lo=("lo", "min"), hi=("hi", "max"))
    span["lo"] = np.maximum(span["lo"], HORIZON_START)
    span = span[span["hi"] > span["lo"]]
    lac = span.index.to_numpy()
    count = rng.poisson(np.where(p["victim"].to_numpy()[lac], 0.5, 1.6))
    person = np.repeat(lac, count)
    n = len(person)
    lo, hi = np.repeat(span["lo"].to_numpy(), count), np.repeat(span["hi"].to_numpy(), count)
    start = _evening(rng, lo + np.floor(rng.random(n) * (hi - lo)).astype(np.int64))
    dur, kind = _durations(rng, n)
    from_loc = _from_location(world, person, start)
    near = np.where(from_loc >= 0, world.locations["la"].to_numpy()[np.maximum(from_loc, 0)], p["la"].to_numpy()[person])
    add(_frame(person, start, start + dur, kind, from_loc, _found_somewhere(world, rng, near, from_loc)))

    # --- children missing from home
    child = np.flatnonzero(((p["kind"] == KIND_CHILD) & ~p["lac"]).to_numpy())
    runners = child[rng.random(len(child)) < 0.10]
    count = 1 + rng.poisson(0.6, len(runners))
    person = np.repeat(runners, count)
    n = len(person)
    start = _evening(rng, rng.integers(HORIZON_START, HORIZON_END, n))
    dur, kind = _durations(rng, n)
    from_loc = home_addresses(world, person)
    add(_frame(person, start, start + dur, kind, from_loc, _found_somewhere(world, rng, p["la"].to_numpy()[person], from_loc)))

    # --- children placed together who run off together from that setting
    pend = np.where(pl["end"].to_numpy() == NODATE, HORIZON_END + 1, pl["end"].to_numpy())
    i, j = overlap_pairs(pl["loc"].to_numpy(), pl["start"].to_numpy(), pend)
    a, b = pl["person"].to_numpy()[i], pl["person"].to_numpy()[j]
    lo = np.maximum(np.maximum(pl["start"].to_numpy()[i], pl["start"].to_numpy()[j]), HORIZON_START)
    hi = np.minimum(np.minimum(pend[i], pend[j]), HORIZON_END)
    ok = (a != b) & (hi - lo >= 3)
    i, a, b, lo, hi = i[ok], a[ok], b[ok], lo[ok], hi[ok]
    pick = rng.random(len(i)) < 0.05
    if pick.sum() < 3 and len(i):
        pick[rng.choice(len(i), size=min(3, len(i)), replace=False)] = True
    i, a, b, lo, hi = i[pick], a[pick], b[pick], lo[pick], hi[pick]
    n = len(i)
    sstart = _evening(rng, lo + np.floor(rng.random(n) * (hi - lo)).astype(np.int64))
    shared_loc = pl["loc"].to_numpy()[i]
    pub = Pools(world, "public_space").pick(rng, world.locations["la"].to_numpy()[shared_loc])
    found = np.where(rng.random(n) < 0.7, pub, -1)
    named = (rng.random(n) < 0.8) | (found < 0)
    dur = np.clip(rng.lognormal(np.log(12 * HOUR), 0.8, n), 3 * HOUR, 4 * DAY).astype(np.int64)
    person = np.concatenate([a, b])
    start = np.concatenate([sstart, sstart + rng.integers(0, HOUR, n)])
    end = np.concatenate([sstart + dur, sstart + dur + rng.integers(0, 2 * HOUR, n)])
    frame = _frame(person, start, end, "missing", np.concatenate([shared_loc, shared_loc]), np.concatenate([found, found]))
    both = np.flatnonzero(named)
    fw = pd.DataFrame({"episode": np.concatenate([both, both + n]), "person": np.concatenate([b[both], a[both]])})
    add(frame, fw)

    episodes = pd.concat(parts, ignore_index=True)
    episodes["end"] = np.maximum(episodes["end"].to_numpy() // 60 * 60, episodes["start"].to_numpy() + 60)
    # a few recent episodes not yet closed
    recent = (episodes["start"].to_numpy() // DAY >= HORIZON_END - 7) & (episodes["group"].to_numpy() < 0) & (rng.random(len(episodes)) < 0.5)
    episodes.loc[recent, "end"] = NODATE
    world.episodes = episodes
    world.found_with = pd.concat(withs, ignore_index=True).drop_duplicates().reset_index(drop=True) if withs else pd.DataFrame({"episode": [], "person": []})
