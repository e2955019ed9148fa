"""Care placements of looked-after children: sequences of moves between settings over 2019-2025.

Each child's placements are contiguous; a child moves 1 to 15+ times, sometimes
far (another BCU, another force).  Victims of a group spend one placement at
the group's care setting around the time the group forms, so they meet there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._places import Pools
from ._util import HORIZON_END, HORIZON_START, NODATE, pick_from_pools, ranks_within
from ._world import World

__all__ = ["make_placements", "placement_at", "PLACEMENT_KINDS"]

YEAR = 365.25
PLACEMENT_KINDS = np.array(["children_home", "foster", "semi_independent", "secure", "other"])
_P_KIND = [0.38, 0.47, 0.07, 0.02, 0.06]
_SSDA903 = {"children_home": ["K2"], "secure": ["K1"], "semi_independent": ["H5"], "foster": ["U1", "U3", "U4", "U5", "U6"], "other": ["Z1"]}
_REASONS = np.array(
    [
        "Placement breakdown", "Planned move", "Allegation against carer", "Child's request", "Missing episodes and risk",
        "Step-down to foster care", "Moved nearer family", "Placement closed", "Carer's request", "Court order",
    ]
)
_P_REASONS = np.array([0.22, 0.2, 0.04, 0.08, 0.1, 0.08, 0.08, 0.06, 0.1, 0.04])
_ENDINGS = np.array(["Returned home", "Special guardianship order", "Child arrangements order", "Adopted"])
_P_ENDINGS = np.array([0.65, 0.17, 0.13, 0.05])


def make_placements(world: World) -> None:
    rng = world.rng("care")
    geo = world.geo
    p = world.persons
    groups = world.groups
    lac = np.flatnonzero(p["lac"].to_numpy())
    L = len(lac)
    N = len(p)

    m = world.members
    prim = m[(m["role"] == "victim") & m["primary"]]
    vgroup = np.full(N, -1, np.int64)
    vgroup[prim["person"].to_numpy()] = prim["group"].to_numpy()
    g = vgroup[lac]
    gi = np.maximum(g, 0)
    hub_loc = np.where(g >= 0, groups["hub"].to_numpy()[gi], -1)
    first_two = np.zeros(L, bool)
    vic = np.flatnonzero(g >= 0)
    first_two[vic] = ranks_within(g[vic]) < 2
    hub_child = (hub_loc >= 0) & (first_two | (rng.random(L) < 0.75))

    n_pl = rng.geometric(0.32, L)
    n_pl += np.where(g >= 0, rng.poisson(2.5, L), 0)
    n_pl += (rng.random(L) < 0.03) * rng.integers(6, 12, L)
    n_pl = np.clip(n_pl, 1, 18)
    t0 = groups["t0"].to_numpy()
    anchor = np.where(g >= 0, t0[gi] + rng.integers(-40, 41, L), rng.integers(HORIZON_START, HORIZON_END - 30, L))
    dob = p["dob"].to_numpy().copy()
    child_dob = np.where(g >= 0, dob[lac], anchor - (rng.uniform(5.0, 17.0, L) * YEAR).astype(np.int64))
    dob[lac] = child_dob
    p["dob"] = dob
    j = rng.integers(0, n_pl)

    # flat placements, child by child
    c = np.repeat(np.arange(L), n_pl)
    first = np.cumsum(n_pl) - n_pl
    k = np.arange(len(c)) - first[c]
    dur = np.clip(rng.lognormal(np.log(140), 0.9, len(c)), 7, 1200).astype(np.int64)
    at_hub = hub_child[c] & (k == j[c])
    dur = np.where(at_hub, np.clip(dur, 150, 400), dur)
    cum = np.cumsum(dur)
    excl = cum - dur - (cum[first] - dur[first])[c]
    anchor_off = excl[first + j] + dur[first + j] // 2
    start = anchor[c] - anchor_off[c] + excl
    end = start + dur
    eighteen = child_dob + (18 * YEAR)
    care_end = np.minimum(HORIZON_END, eighteen.astype(np.int64))
    keep = (end > HORIZON_START) & (start < care_end[c]) & (start >= child_dob[c] + 365)
    c, k, start, end, at_hub = c[keep], k[keep], start[keep], end[keep], at_hub[keep]
    last = np.r_[c[1:] != c[:-1], True]
    clipped = end > care_end[c]
    ongoing = clipped & (care_end[c] >= HORIZON_END)
    aged_out = clipped & ~ongoing
    end = np.where(clipped, care_end[c], end)
    person = lac[c]
    n = len(c)

    # kind of placement and the setting's authority: home authority, same BCU, elsewhere in force, out of force
    age_at_start = (start - child_dob[c]) / YEAR
    kind = rng.choice(len(PLACEMENT_KINDS), p=_P_KIND, size=n)
    kind = np.where((kind == 2) & (age_at_start < 16), 1, kind)
    home_la = p["la"].to_numpy()[person]
    in_force = geo.home[home_la]
    victim = g[c] >= 0
    u = rng.random(n)
    cls = np.where(victim, np.searchsorted([0.40, 0.62, 0.87], u, "right"), np.searchsorted([0.55, 0.75, 0.90], u, "right"))
    cls = np.where(in_force, cls, np.where(rng.random(n) < 0.25, 0, 2))
    hb = geo.home_idx
    same_bcu = pick_from_pools(geo.bcu[hb], hb, geo.bcu[home_la], rng.random(n))
    same_bcu = np.where(same_bcu >= 0, same_bcu, home_la)
    elsewhere = geo.draw_authorities(rng, n, 0.0)
    out = geo.draw_authorities(rng, n, 1.0)
    target = np.select([cls == 0, cls == 1, cls == 2], [home_la, same_bcu, elsewhere], out)
    homes, fosters = Pools(world, "children_home"), Pools(world, "foster_home")
    residential = np.isin(kind, (0, 2, 3))
    loc = np.where(residential, homes.pick(rng, target), fosters.pick(rng, target))
    # a move is to a different setting: draw again where the same setting came up twice in a row
    again = np.r_[False, (loc[1:] == loc[:-1]) & (c[1:] == c[:-1])]
    if again.any():
        redraw = np.where(residential, homes.pick(rng, target), fosters.pick(rng, target))
        loc = np.where(again, redraw, loc)
    hub = np.where(victim, hub_loc[c], -1)
    loc = np.where(at_hub, hub, loc)
    kind = np.where(at_hub, 0, kind)

    # placement_type: mostly the contract's words, sometimes an SSDA903 PLACE code
    ptype = PLACEMENT_KINDS[kind].astype(object)
    code = rng.random(n) < 0.12
    for name, codes in _SSDA903.items():
        sel = code & (ptype == name)
        ptype[sel] = np.array(codes)[rng.integers(0, len(codes), int(sel.sum()))]
    reason = _REASONS[rng.choice(len(_REASONS), p=_P_REASONS, size=n)].astype(object)
    reason[last] = _ENDINGS[rng.choice(len(_ENDINGS), p=_P_ENDINGS, size=int(last.sum()))]
    reason[aged_out] = "Left care (age 18)"
    reason[ongoing] = ""
    placing = geo.names[home_la].astype(object)
    placing[rng.random(n) < 0.03] = ""

    # victims placed at their group's setting at the same time met there
    hub_rows = pd.DataFrame({"group": g[c][at_hub], "person": person[at_hub]})
    pairs = hub_rows.merge(hub_rows, on="group")
    world.add_links(pairs["person_x"].to_numpy(), pairs["person_y"].to_numpy(), "co_placement")

    world.placements = pd.DataFrame(
        {
            "person": person,
            "loc": loc,
            "start": start,
            "end": np.where(ongoing, NODATE, end),
            "ptype": ptype,
            "reason": reason,
            "placing": placing,
            "hub": at_hub,
        }
    )
    world.persons = p


def placement_at(world: World, person: np.ndarray, when: np.ndarray) -> np.ndarray:
    """The index of each person's placement covering day ``when``, or -1."""
    pl = world.placements
    person = np.asarray(person, np.int64)
    when = np.asarray(when, np.int64)
    if not len(pl):
        return np.full(len(person), -1, np.int64)
    span = np.int64(1 << 24)
    pp, ps = pl["person"].to_numpy(), pl["start"].to_numpy()
    order = np.lexsort((ps, pp))
    comp = pp[order] * span + (ps[order] + (1 << 22))
    q = person * span + (when + (1 << 22))
    pos = np.searchsorted(comp, q, "right") - 1
    cand = order[np.maximum(pos, 0)]
    end = pl["end"].to_numpy()[cand]
    ok = (pos >= 0) & (pp[cand] == person) & (ps[cand] <= when) & ((end == NODATE) | (end > when))
    return np.where(ok, cand, -1)
