"""Exploitation groups: local perpetrators, victims drawn from across the force and beyond,
the businesses and addresses they use, the care setting where victims met, and operations.

Loops here run over groups or pools, never over records.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._places import NTE_CATEGORIES, Pools, location_rows
from ._population import person_frame
from ._util import HORIZON_END, day, pick_from_pools, zipf_p
from ._world import KIND_CHILD, World

__all__ = ["make_groups", "CSE", "CCE", "BOTH"]

CSE, CCE, BOTH = 0, 1, 2
YEAR = 365.25


def _assign_from_pools(rng: np.random.Generator, slot_key: np.ndarray, slot_lac: np.ndarray, cand: np.ndarray, cand_key: np.ndarray, cand_lac: np.ndarray) -> np.ndarray:
    """A distinct candidate per slot: same key first, then same looked-after status, then anyone."""
    assigned = np.full(len(slot_key), -1, np.int64)
    used = np.zeros(len(cand), bool)
    for key in np.unique(slot_key):
        slots = np.flatnonzero(slot_key == key)
        pool = rng.permutation(np.flatnonzero(cand_key == key))
        take = min(len(slots), len(pool))
        assigned[slots[:take]] = pool[:take]
        used[pool[:take]] = True
    for same_lac in (True, False):
        for lac in (True, False):
            todo = np.flatnonzero((assigned < 0) & ((slot_lac == lac) | (not same_lac)))
            if not len(todo):
                continue
            pool = rng.permutation(np.flatnonzero(~used & ((cand_lac == lac) | (not same_lac))))
            take = min(len(todo), len(pool))
            assigned[todo[:take]] = pool[:take]
            used[pool[:take]] = True
    return np.where(assigned >= 0, cand[np.maximum(assigned, 0)], -1)


def _other_group(rng: np.random.Generator, groups: np.ndarray, bcu: np.ndarray) -> np.ndarray:
    """For each of ``groups``, another group, from the same BCU when there is one."""
    G = len(bcu)
    got = pick_from_pools(bcu, np.arange(G), bcu[groups], rng.random(len(groups)))
    clash = got == groups
    alt = (groups + rng.integers(1, max(G, 2), len(groups))) % G
    return np.where(clash | (got < 0), alt, got)


#: groups, besides its own, that use the hub business at least (Empra found businesses several networks used)
HUB_SHARERS = (2, 3)


def _hub_business(world: World, biz: pd.DataFrame, G: int) -> pd.DataFrame:
    """The hub: one group's first business, used by two or three other groups as well, and by more groups than
    any other business (rows ``group, loc`` to add to ``biz``).

    Its own stream of draws, so that planting it changes nothing else the groups stage draws.
    """
    none = pd.DataFrame({"group": np.zeros(0, np.int64), "loc": np.zeros(0, np.int64)})
    if G < 2 or not len(biz):
        return none
    rng = world.rng("hub-business")
    firsts = biz.drop_duplicates("group")
    pick = firsts.iloc[int(rng.integers(0, len(firsts)))]
    loc = int(pick["loc"])
    users = biz.groupby("loc")["group"].nunique()
    others = np.setdiff1d(np.arange(G), biz.loc[biz["loc"].to_numpy() == loc, "group"].to_numpy())
    # enough sharers that no other business has as many groups
    need = int(users.drop(loc).max()) + 1 - int(users[loc]) if len(users) > 1 else 0
    k = min(len(others), max(need, int(rng.integers(HUB_SHARERS[0], HUB_SHARERS[1] + 1))))
    if not k:
        return none
    return pd.DataFrame({"group": np.sort(rng.choice(others, size=k, replace=False)), "loc": loc})


def make_groups(world: World) -> None:
    rng = world.rng("groups")
    geo = world.geo
    p = world.persons
    nb = len(geo.bcu_names)
    is_child = (p["kind"] == KIND_CHILD).to_numpy()
    G = max(world.scale.min_groups, round(is_child.sum() / world.scale.children_per_group))
    home = geo.home_idx
    base_la = rng.choice(home, size=G, p=geo.weight[home] / geo.weight[home].sum())
    base_bcu = geo.bcu[base_la]
    cats = rng.choice(3, p=[0.45, 0.30, 0.25], size=G)
    cats[: min(G, 3)] = rng.permutation([CSE, CCE, BOTH])[: min(G, 3)]
    t0 = rng.integers(day("2019-09-01"), day("2023-09-01"), G)
    w_start = t0 + rng.integers(10, 40, G)
    w_end = np.minimum(w_start + rng.integers(240, 720, G), HORIZON_END - 7)

    # --- victims: mostly looked-after children, from the group's BCU, other BCUs and other forces
    n_v = np.clip(4 + rng.poisson(4, G), 4, 14)
    slot_g = np.repeat(np.arange(G), n_v)
    S = len(slot_g)
    slot_lac = rng.random(S) < 0.85
    # some groups exploit children from their own BCU only; most reach further (other BCUs, forces)
    spread = rng.random(G) < 0.55
    spread[rng.permutation(G)[: -(-G // 2)]] = True
    u = rng.random(S)
    cls = np.where(spread[slot_g], np.searchsorted([0.45, 0.90], u, "right"), np.searchsorted([0.9, 0.98], u, "right"))
    other_bcu = (base_bcu[slot_g] + rng.integers(1, max(nb, 2), S)) % max(nb, 1)
    area = np.where(cls == 0, base_bcu[slot_g], np.where(cls == 1, other_bcu, nb))
    twin_family = p["twin"].to_numpy() | np.roll(p["twin"].to_numpy(), -1)
    cand = np.flatnonzero(is_child & ~twin_family)
    c_la = p["la"].to_numpy()[cand]
    c_area = np.where(geo.bcu[c_la] >= 0, geo.bcu[c_la], nb)
    c_lac = p["lac"].to_numpy()[cand]
    victim = _assign_from_pools(rng, slot_lac * (nb + 1) + area, slot_lac, cand, c_lac * (nb + 1) + c_area, c_lac)
    ok = victim >= 0
    members = pd.DataFrame({"group": slot_g[ok], "person": victim[ok], "role": "victim", "primary": True})

    # some victims are exploited by two groups (operations then cross over)
    if G >= 2:
        gs = rng.choice(G, size=max(1, round(0.15 * G)), replace=False)
        g2 = _other_group(rng, gs, base_bcu)
        v = members[members["primary"]]
        shared = pick_from_pools(v["group"].to_numpy(), v["person"].to_numpy(), g2, rng.random(len(g2)))
        add = pd.DataFrame({"group": gs, "person": shared, "role": "victim", "primary": False})
        members = pd.concat([members, add[add["person"] >= 0]], ignore_index=True)
        members = members.drop_duplicates(["group", "person"], keep="first")

    # victims' sex follows the kind of exploitation; their age is 12-16 when the group forms
    prim = members[members["primary"]]
    vp = prim["person"].to_numpy()
    vg = prim["group"].to_numpy()
    p_female = np.array([0.8, 0.2, 0.5])[cats[vg]]
    sex = p["sex"].to_numpy().copy()
    sex[vp] = (rng.random(len(vp)) < p_female).astype(np.int8)
    dob = p["dob"].to_numpy().copy()
    dob[vp] = t0[vg] - (rng.uniform(12.5, 16.5, len(vp)) * YEAR).astype(np.int64)
    victim_flag = p["victim"].to_numpy().copy()
    victim_flag[members["person"].to_numpy()] = True
    p["sex"], p["dob"], p["victim"] = sex, dob, victim_flag

    # --- perpetrators: local adults, often related
    n_p = np.clip(2 + rng.poisson(3, G), 3, 10)
    pg = np.repeat(np.arange(G), n_p)
    P = len(pg)
    cls = rng.choice(4, p=[0.65, 0.22, 0.09, 0.04], size=P)
    same_bcu = pick_from_pools(geo.bcu[home], home, base_bcu[pg], rng.random(P))
    anywhere = geo.draw_authorities(rng, P, 0.0)
    out = geo.draw_authorities(rng, P, 1.0) if len(geo.out_idx) else anywhere
    la = np.select([cls == 0, cls == 1, cls == 2], [base_la[pg], same_bcu, anywhere], out)
    n_sur = len(world.vocab.surnames)
    surname = rng.choice(n_sur, p=zipf_p(n_sur, 1.0, 10.0), size=P)
    first_of_group = np.repeat(np.cumsum(n_p) - n_p, n_p)
    surname = np.where(rng.random(P) < 0.3, surname[first_of_group], surname)
    perps = person_frame(
        P,
        la=la,
        sex=(rng.random(P) < 0.1).astype(np.int8),
        dob=rng.integers(day("1972-01-01"), day("2004-06-01"), P),
        postcode=geo.postcodes(rng, la).astype(object),
        surname=surname,
        perp=np.ones(P, bool),
    )
    perps["twin"] = False
    pidx = world.add_persons(perps)
    members = pd.concat([members, pd.DataFrame({"group": pg, "person": pidx, "role": "perpetrator", "primary": True})], ignore_index=True)
    if G >= 3:
        gs = rng.choice(G, size=max(1, round(0.08 * G)), replace=False)
        g2 = _other_group(rng, gs, base_bcu)
        shared = pick_from_pools(pg, pidx, g2, rng.random(len(g2)))
        members = pd.concat([members, pd.DataFrame({"group": gs, "person": shared, "role": "perpetrator", "primary": False})], ignore_index=True)

    # criminal exploitation: an older victim recruits others and is recorded as a suspect too
    recruit_groups = np.flatnonzero((cats != CSE) & (rng.random(G) < 0.5))
    prim = members[(members["role"] == "victim") & members["primary"]]
    recruits = pick_from_pools(prim["group"].to_numpy(), prim["person"].to_numpy(), recruit_groups, rng.random(len(recruit_groups)))
    keep = recruits >= 0
    recruit_groups, recruits = recruit_groups[keep], recruits[keep]
    p = world.persons
    dob = p["dob"].to_numpy().copy()
    dob[recruits] = t0[recruit_groups] - (rng.uniform(16.0, 16.8, len(recruits)) * YEAR).astype(np.int64)
    p["dob"] = dob
    members = pd.concat([members, pd.DataFrame({"group": recruit_groups, "person": recruits, "role": "perpetrator", "primary": True})], ignore_index=True)
    members = members.drop_duplicates(["group", "person", "role"]).sort_values(["group", "role", "person"], kind="stable").reset_index(drop=True)

    # --- businesses (night-time economy) near the group's base; some out of force; some shared
    nte = Pools(world, NTE_CATEGORIES)
    k = rng.choice([1, 2, 3], p=[0.4, 0.4, 0.2], size=G)
    cand_g = np.repeat(np.arange(G), 8)
    cand_b = nte.pick(rng, base_la[cand_g])
    biz = pd.DataFrame({"group": cand_g, "loc": cand_b}).drop_duplicates()
    # each group its own businesses where the area has enough (sharing is planted below)
    taken = biz.groupby("loc")["group"].transform("min").to_numpy() != biz["group"].to_numpy()
    biz = biz.assign(_taken=taken).sort_values(["group", "_taken"], kind="stable")
    biz = biz[biz.groupby("group").cumcount().to_numpy() < k[biz["group"].to_numpy()]].drop(columns="_taken")
    extra = []
    if len(geo.out_idx):
        gs = rng.choice(G, size=max(1, round(0.12 * G)), replace=False)
        out_la = geo.out_idx
        dist = np.hypot(geo.lat[base_la[gs]][:, None] - geo.lat[out_la][None, :], (geo.lon[base_la[gs]][:, None] - geo.lon[out_la][None, :]) * 0.6)
        nearest = np.argsort(dist, axis=1)[:, :3]
        choice = out_la[nearest[np.arange(len(gs)), rng.integers(0, nearest.shape[1], len(gs))]]
        extra.append(pd.DataFrame({"group": gs, "loc": nte.pick(rng, choice)}))
    if G >= 3:
        gs = rng.choice(G, size=max(1, round(0.08 * G)), replace=False)
        g2 = _other_group(rng, gs, base_bcu)
        b1 = biz.drop_duplicates("group")
        extra.append(pd.DataFrame({"group": gs, "loc": pick_from_pools(b1["group"].to_numpy(), b1["loc"].to_numpy(), g2, rng.random(len(g2)))}))
    biz = pd.concat([biz] + extra, ignore_index=True)
    biz = biz[biz["loc"] >= 0].drop_duplicates()
    biz = pd.concat([biz, _hub_business(world, biz, G)], ignore_index=True).drop_duplicates()
    biz["kind"] = "business"

    # --- addresses the group uses (flats, houses) and the care setting where victims met
    n_addr = rng.choice([0, 1, 2], p=[0.3, 0.45, 0.25], size=G)
    ag = np.repeat(np.arange(G), n_addr)
    aidx = world.add_locations(location_rows(world, rng, np.full(len(ag), "address"), base_la[ag]))
    addr = pd.DataFrame({"group": ag, "loc": aidx, "kind": "address"})
    hub = Pools(world, "children_home").pick(rng, base_la)
    hubs = pd.DataFrame({"group": np.arange(G), "loc": hub, "kind": "care_setting"})
    group_locs = pd.concat([biz, addr, hubs[hubs["loc"] >= 0]], ignore_index=True)

    # --- operations: one or two per group; a mixed group's two operations split CSE and CCE
    n_ops = 1 + (rng.random(G) < 0.45).astype(np.int64)
    og = np.repeat(np.arange(G), n_ops)
    orank = np.arange(len(og)) - np.repeat(np.cumsum(n_ops) - n_ops, n_ops)
    ocats = np.where((cats[og] == BOTH) & (n_ops[og] == 2), orank, cats[og])
    ops = pd.DataFrame({"op": np.arange(len(og)), "group": og, "rank": orank, "cats": ocats})
    m = members.merge(ops[["op", "group", "rank"]], on="group")
    u = rng.random(len(m))
    two = n_ops[m["group"].to_numpy()] == 2
    is_v = (m["role"] == "victim").to_numpy()
    p_in = np.where(m["rank"].to_numpy() == 0, np.where(is_v, 0.75, 0.85), np.where(is_v, 0.6, 0.6))
    inside = ~two | (u < p_in)
    # nobody left out of every operation of their group, and every operation has victims and perpetrators
    m["inside"] = inside
    m["first_of_role"] = m.groupby(["group", "role", "rank"]).cumcount().to_numpy() == 0
    anywhere = m.groupby(["group", "person", "role"])["inside"].transform("any").to_numpy()
    m.loc[~anywhere & (m["rank"].to_numpy() == 0), "inside"] = True
    m.loc[m["first_of_role"], "inside"] = True
    op_members = m.loc[m["inside"], ["op", "person", "role"]].reset_index(drop=True)

    world.groups = pd.DataFrame({"group": np.arange(G), "base_la": base_la, "cats": cats, "t0": t0, "w_start": w_start, "w_end": w_end, "hub": hub})
    world.members = members
    world.group_locs = group_locs.reset_index(drop=True)
    world.ops = ops[["op", "group", "cats"]]
    world.op_members = op_members
