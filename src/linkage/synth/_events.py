"""Events (crimes, intelligence, incidents, stops) and who took part in them.

Each group's operations hold CSE / CCE crime and intelligence reports at the
group's businesses and addresses, naming victims and perpetrators; the rest is
everyday police business, some of it in drugs or violence operations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._places import BUSINESS_CATEGORIES, Pools, location_rows
from ._util import HORIZON_END, HORIZON_START, pick_from_pools, unique_ints
from ._world import KIND_ADULT, KIND_CHILD, World

__all__ = ["make_events"]

YEAR = 365.25


def _choose_within(rng: np.random.Generator, cand: pd.DataFrame, key: str, limit: np.ndarray) -> pd.DataFrame:
    """Keep ``limit[row[key]]`` random rows per ``key`` value."""
    cand = cand.assign(_u=rng.random(len(cand))).sort_values([key, "_u"], kind="stable")
    keep = cand.groupby(key).cumcount().to_numpy() < limit[cand[key].to_numpy()]
    return cand[keep].drop(columns="_u").reset_index(drop=True)


def _operation_names(world: World, rng: np.random.Generator, n: int) -> np.ndarray:
    words = np.array(world.vocab.words["operation_words"], dtype=str)
    if n <= len(words):
        chosen = words[rng.permutation(len(words))[:n]]
    else:
        idx = unique_ints(rng, n, len(words) ** 2)
        chosen = np.char.add(np.char.add(words[idx // len(words)], " "), words[idx % len(words)])
    return np.char.add("Operation ", chosen)


def make_events(world: World) -> None:
    rng = world.rng("events")
    p = world.persons
    N = len(p)
    groups, ops, opm, gl = world.groups, world.ops, world.op_members, world.group_locs
    loc_la = world.locations["la"].to_numpy()

    # --- group operations
    n_e = 3 + rng.poisson(4, len(ops))
    eo = np.repeat(ops["op"].to_numpy(), n_e)
    E = len(eo)
    g = ops["group"].to_numpy()[eo]
    ws, we = groups["w_start"].to_numpy()[g], groups["w_end"].to_numpy()[g]
    date = ws + np.floor(rng.random(E) * (we - ws)).astype(np.int64)
    etype = np.where(rng.random(E) < 0.6, "intelligence", "crime").astype(object)
    ocat = ops["cats"].to_numpy()[eo]
    category = np.array(["CSE", "CCE"], dtype=object)[np.where(ocat == 2, rng.integers(0, 2, E), ocat)]
    biz, addr = gl[gl["kind"] == "business"], gl[gl["kind"] == "address"]
    base = groups["base_la"].to_numpy()[g]
    u = rng.random(E)
    loc = np.select(
        [u < 0.55, u < 0.85, u < 0.9],
        [
            pick_from_pools(biz["group"].to_numpy(), biz["loc"].to_numpy(), g, rng.random(E)),
            pick_from_pools(addr["group"].to_numpy(), addr["loc"].to_numpy(), g, rng.random(E)),
            Pools(world, "public_space").pick(rng, base),
        ],
        -1,
    )
    la = np.where(loc >= 0, loc_la[np.maximum(loc, 0)], base)
    last = pd.Series(date).groupby(eo).transform("max").to_numpy()
    status = np.where(last >= HORIZON_END - 365, "live", "closed").astype(object)
    ev = pd.DataFrame({"event_type": etype, "category": category, "op": eo, "date": date, "loc": loc, "la": la, "status": status})

    ev_ops = pd.DataFrame({"event": np.arange(E), "op": eo})
    kv = 1 + rng.binomial(2, 0.35, E)
    kp = 1 + rng.binomial(2, 0.3, E)
    parts = []
    for role, limit in (("victim", kv), ("perpetrator", kp)):
        cand = ev_ops.merge(opm[opm["role"] == role][["op", "person"]], on="op")
        chosen = _choose_within(rng, cand, "event", limit)
        # everyone in an operation is named in at least one of its events
        missed = opm[opm["role"] == role].merge(chosen[["op", "person"]].drop_duplicates(), on=["op", "person"], how="left", indicator=True)
        missed = missed[missed["_merge"] == "left_only"]
        extra_event = pick_from_pools(eo, np.arange(E), missed["op"].to_numpy(), rng.random(len(missed)))
        chosen = pd.concat([chosen, pd.DataFrame({"event": extra_event, "op": missed["op"].to_numpy(), "person": missed["person"].to_numpy()})], ignore_index=True)
        chosen["role"] = role
        parts.append(chosen)
    ep = pd.concat(parts, ignore_index=True)
    is_p = (ep["role"] == "perpetrator").to_numpy()
    crime = etype[ep["event"].to_numpy()] == "crime"
    ep["role"] = np.where(is_p, np.where(crime & (rng.random(len(ep)) < 0.35), "offender", "suspect"), "victim")
    ep = ep.drop_duplicates(["event", "person"], keep="first")
    pairs = ep.merge(ep, on="event", suffixes=("", "_o"))
    world.add_links(pairs["person"].to_numpy(), pairs["person_o"].to_numpy(), "event")
    adults = np.flatnonzero(((p["kind"] == KIND_ADULT) & ~p["perp"]).to_numpy())
    wit = np.flatnonzero(rng.random(E) < 0.2)
    witnesses = pd.DataFrame({"event": wit, "person": adults[rng.integers(0, len(adults), len(wit))], "role": "witness"})
    group_people = pd.concat([ep[["event", "person", "role"]], witnesses], ignore_index=True)

    # --- background operations and events
    n_bg_ops = max(2, round(N / 500))
    n_bg = round(0.5 * N)
    etype = np.array(["incident", "crime", "stop", "intelligence"], dtype=object)[rng.choice(4, p=[0.4, 0.35, 0.15, 0.1], size=n_bg)]
    cats = np.array(["violence", "drugs", "other", "trafficking", "CSE", "CCE"], dtype=object)
    cat_p = {
        "crime": [0.45, 0.3, 0.2, 0.02, 0.015, 0.015],
        "incident": [0.35, 0.05, 0.56, 0.0, 0.02, 0.02],
        "stop": [0.05, 0.7, 0.25, 0.0, 0.0, 0.0],
        "intelligence": [0.1, 0.55, 0.2, 0.05, 0.05, 0.05],
    }
    category = np.empty(n_bg, dtype=object)
    for t, probs in cat_p.items():
        sel = etype == t
        category[sel] = cats[rng.choice(len(cats), p=probs, size=int(sel.sum()))]
    category[rng.random(n_bg) < 0.05] = None
    in_op = np.isin(etype, ("crime", "intelligence")) & np.isin(category, ("drugs", "violence", "trafficking")) & (rng.random(n_bg) < 0.3)
    bg_op = np.where(in_op, len(ops) + rng.integers(0, n_bg_ops, n_bg), -1)
    date = rng.integers(HORIZON_START, HORIZON_END + 1, n_bg)
    la = world.geo.draw_authorities(rng, n_bg, 0.03)
    # where: nowhere recorded, a public place, an address, a school, a hub, a business
    kind = rng.choice(6, p=[0.3, 0.2, 0.2, 0.05, 0.05, 0.2], size=n_bg)
    loc = np.full(n_bg, -1, np.int64)
    for k, cats_k in ((1, "public_space"), (2, "address"), (3, "school"), (4, "transport_hub"), (5, BUSINESS_CATEGORIES)):
        sel = kind == k
        if sel.any():
            loc[sel] = Pools(world, cats_k).pick(rng, la[sel])
    # a background operation works on its own premises in its own area
    op_la = world.geo.draw_authorities(rng, n_bg_ops, 0.03)
    n_prem = rng.integers(1, 4, n_bg_ops)
    prem_op = np.repeat(np.arange(n_bg_ops), n_prem)
    prem = world.add_locations(location_rows(world, rng, np.full(len(prem_op), "address"), op_la[prem_op]))
    loc_la = world.locations["la"].to_numpy()
    at_prem = in_op & (rng.random(n_bg) < 0.75)
    loc = np.where(at_prem, pick_from_pools(prem_op, prem, bg_op - len(ops), rng.random(n_bg)), loc)
    la = np.where(in_op & ~at_prem & (loc < 0), op_la[np.maximum(bg_op - len(ops), 0)], la)
    la = np.where(loc >= 0, loc_la[np.maximum(loc, 0)], la)
    status = np.where((date >= HORIZON_END - 180) & (rng.random(n_bg) < 0.6), "live", "closed").astype(object)
    status[rng.random(n_bg) < 0.05] = None
    bg = pd.DataFrame({"event_type": etype, "category": category, "op": bg_op, "date": date, "loc": loc, "la": la, "status": status})

    # participants: offenders mostly adults known to police (group perpetrators among them), victims anyone
    adult = (p["kind"] == KIND_ADULT).to_numpy()
    age_2022 = (np.int64(19000) - p["dob"].to_numpy()) / YEAR
    w_off = np.where(p["perp"].to_numpy(), 1.5, np.where(p["carer"].to_numpy(), 0.4, np.where(adult, 2.0, np.where(age_2022 >= 13, 0.5, 0.0))))
    w_off = w_off / w_off.sum()
    n_off = np.select([etype == "crime", etype == "stop", etype == "intelligence"], [1 + rng.binomial(1, 0.4, n_bg), np.ones(n_bg, np.int64), 1 + rng.binomial(1, 0.3, n_bg)], 0)
    n_vic = np.select([etype == "crime", etype == "incident"], [rng.binomial(1, 0.7, n_bg), 1 + rng.binomial(1, 0.3, n_bg)], 0)
    n_wit = np.select([etype == "crime", etype == "incident"], [rng.binomial(1, 0.3, n_bg), rng.binomial(2, 0.35, n_bg)], 0)
    e_off = np.repeat(np.arange(n_bg), n_off)
    off_role = np.where(np.repeat(etype == "crime", n_off) & (rng.random(len(e_off)) < 0.4), "offender", "suspect")
    off_role = np.where(np.repeat(etype == "intelligence", n_off) & (rng.random(len(e_off)) < 0.2), "associate", off_role)
    e_vic = np.repeat(np.arange(n_bg), n_vic)
    e_wit = np.repeat(np.arange(n_bg), n_wit)
    child_victim = np.repeat(np.isin(category, ("CSE", "CCE")), n_vic)
    children = np.flatnonzero((p["kind"] == KIND_CHILD).to_numpy())
    vic = np.where(child_victim, children[rng.integers(0, len(children), len(e_vic))], rng.integers(0, N, len(e_vic)))
    wit_role = np.where(rng.random(len(e_wit)) < 0.7, "witness", "associate")
    bgp = pd.DataFrame(
        {
            "event": np.concatenate([e_off, e_vic, e_wit]) + E,
            "person": np.concatenate([rng.choice(N, size=len(e_off), p=w_off), vic, rng.integers(0, N, len(e_wit))]),
            "role": np.concatenate([off_role, np.full(len(e_vic), "victim"), wit_role]).astype(object),
        }
    ).drop_duplicates(["event", "person"], keep="first")

    names = _operation_names(world, rng, len(ops) + n_bg_ops)
    world.ops = pd.concat([ops, pd.DataFrame({"op": np.arange(len(ops), len(ops) + n_bg_ops), "group": -1, "cats": -1})], ignore_index=True)
    world.ops["name"] = names
    world.events = pd.concat([ev, bg], ignore_index=True)
    world.event_people = pd.concat([group_people, bgp], ignore_index=True).drop_duplicates(["event", "person"], keep="first").reset_index(drop=True)
