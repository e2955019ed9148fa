"""Identifiers (phones, vehicles, e-mail, social handles) and contacts between them.

Perpetrators' phones are in contact with victims' phones and with the phones of
the group's businesses; perpetrators share burner phones and cars without ever
being recorded as associates; everyone else calls family, friends and
takeaways, which makes up most of the contacts table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._places import BUSINESS_CATEGORIES
from ._util import HORIZON_END, HORIZON_START, NODATE, digit_tokens, hex_tokens, letter_tokens, pick_from_pools, unique_ints
from ._world import KIND_ADULT, World

__all__ = ["make_comms", "IDENTIFIER_KINDS", "CONTACT_KINDS"]

YEAR = 365.25
IDENTIFIER_KINDS = ("phone", "vehicle", "email", "social")
CONTACT_KINDS = np.array(["call", "sms", "app", "sighting"], dtype=object)
_PHONE, _VEHICLE, _EMAIL, _SOCIAL = range(4)


def _values(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    """Opaque identifier values: UK-style mobile numbers and number plates, pseudonymous handles."""
    out = np.empty(len(kind), dtype=object)
    for k in range(4):
        sel = np.flatnonzero(kind == k)
        n = len(sel)
        if not n:
            continue
        if k == _PHONE:
            out[sel] = np.char.add("07", digit_tokens(unique_ints(rng, n, 10**9), 9))
        elif k == _VEHICLE:
            v = unique_ints(rng, n, 24 * 24 * 46 * 24**3)
            area = letter_tokens(v // (46 * 24**3), 2)
            age = np.array([f"{a:02d}" for a in list(range(2, 25)) + list(range(51, 74))])[(v // 24**3) % 46]
            tail = letter_tokens(v % 24**3, 3)
            out[sel] = np.char.add(np.char.add(np.char.add(area, age), " "), tail)
        elif k == _EMAIL:
            out[sel] = np.char.add(np.char.add("u", hex_tokens(unique_ints(rng, n, 16**9), 9)), "@mail.example")
        else:
            out[sel] = np.char.add("@sc_", hex_tokens(unique_ints(rng, n, 16**9), 9))
    return out


class _Idents:
    """Identifiers being created, and who holds them (persons or locations)."""

    def __init__(self) -> None:
        self.kinds: list[np.ndarray] = []
        self.holders: list[pd.DataFrame] = []
        self.n = 0

    def new(self, kind: int, n: int) -> np.ndarray:
        idx = np.arange(self.n, self.n + n)
        self.kinds.append(np.full(n, kind, np.int8))
        self.n += n
        return idx

    def hold(self, ident: np.ndarray, owner: np.ndarray, is_person: bool) -> None:
        self.holders.append(pd.DataFrame({"ident": np.asarray(ident, np.int64), "owner": np.asarray(owner, np.int64), "person": is_person}))


def _pick_two(rng: np.random.Generator, df: pd.DataFrame, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two distinct people of each listed group (groups with fewer are skipped)."""
    sub = df[df["group"].isin(groups)].drop_duplicates(["group", "person"])
    sub = sub.assign(_u=rng.random(len(sub))).sort_values(["group", "_u"], kind="stable")
    sub["_r"] = sub.groupby("group").cumcount().to_numpy()
    a = sub[sub["_r"] == 0].set_index("group")["person"]
    b = sub[sub["_r"] == 1].set_index("group")["person"]
    both = a.index.intersection(b.index)
    return both.to_numpy(), a.loc[both].to_numpy(), b.loc[both].to_numpy()


def _contacts(rng: np.random.Generator, src: np.ndarray, dst: np.ndarray, count: np.ndarray, first: np.ndarray, last: np.ndarray, kind: np.ndarray) -> pd.DataFrame:
    swap = rng.random(len(src)) < 0.5
    s = np.where(swap, dst, src)
    d = np.where(swap, src, dst)
    return pd.DataFrame({"src": s, "dst": d, "count": count.astype(np.int64), "first": first, "last": np.maximum(first, last), "kind": kind})


def _window(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    first = lo + np.floor(rng.random(len(lo)) * np.maximum(hi - lo, 1) * 0.5).astype(np.int64)
    last = first + np.floor(rng.random(len(lo)) * np.maximum(hi - first, 0)).astype(np.int64)
    return first, last


def _message_kind(rng: np.random.Generator, n: int) -> np.ndarray:
    return CONTACT_KINDS[rng.choice(3, p=[0.45, 0.35, 0.2], size=n)]


def make_comms(world: World) -> None:
    rng = world.rng("comms")
    p = world.persons
    N = len(p)
    ids = _Idents()
    adult = (p["kind"] == KIND_ADULT).to_numpy()
    child = ~adult
    perp = p["perp"].to_numpy()
    victim = p["victim"].to_numpy()
    carer = p["carer"].to_numpy()
    age = (np.int64(19000) - p["dob"].to_numpy()) / YEAR  # age in mid-2022
    older_child = child & (age >= 11)

    # --- personal identifiers
    has_phone = rng.random(N) < np.where(perp | victim, 1.0, np.where(adult, 0.85, np.where(older_child, 0.75, 0.15)))
    n_phone = has_phone + np.where(perp, rng.poisson(0.8, N), 0) + np.where(victim, rng.binomial(1, 0.3, N), 0)
    ph_person = np.repeat(np.arange(N), n_phone)
    ids.hold(ids.new(_PHONE, len(ph_person)), ph_person, True)
    phones = pd.DataFrame({"person": ph_person, "ident": ids.holders[-1]["ident"].to_numpy()})
    n_veh = rng.random(N) < np.where(perp, 0.5, np.where(carer, 0.35, np.where(adult, 0.22, 0.0)))
    vh_person = np.flatnonzero(n_veh)
    ids.hold(ids.new(_VEHICLE, len(vh_person)), vh_person, True)
    vehicles = pd.DataFrame({"person": vh_person, "ident": ids.holders[-1]["ident"].to_numpy()})
    social = np.flatnonzero(rng.random(N) < np.where(older_child, 0.4, np.where(adult, 0.2, 0.0)))
    ids.hold(ids.new(_SOCIAL, len(social)), social, True)
    email = np.flatnonzero(rng.random(N) < np.where(adult, 0.15, np.where(older_child, 0.05, 0.0)))
    ids.hold(ids.new(_EMAIL, len(email)), email, True)

    # --- planted: shared burners and cars in groups, a phone passed between victims, siblings sharing
    m = world.members
    groups = world.groups
    G = len(groups)
    prim_perps = m[(m["role"] == "perpetrator") & m["primary"] & perp[m["person"].to_numpy()]]
    victims = m[m["role"] == "victim"]
    shared: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []
    for df, prob, kind in ((prim_perps, 0.7, _PHONE), (victims, 0.35, _PHONE), (prim_perps, 0.35, _VEHICLE)):
        chosen = np.flatnonzero(rng.random(G) < prob)
        g, a, b = _pick_two(rng, df, chosen)
        shared.append((g, a, b, kind))
    hh = p["household"].to_numpy()
    kids = np.flatnonzero(child & (hh >= 0) & older_child)
    sib = pd.DataFrame({"group": hh[kids], "person": kids})
    sib_households = np.unique(hh[kids])
    sib_households = sib_households[rng.random(len(sib_households)) < 0.03]
    g, a, b = _pick_two(rng, sib, sib_households)
    shared.append((np.full(len(a), -1), a, b, _PHONE))
    for g, a, b, kind in shared:
        idx = ids.new(kind, len(a))
        ids.hold(np.concatenate([idx, idx]), np.concatenate([a, b]), True)
        if kind == _PHONE:
            phones = pd.concat([phones, pd.DataFrame({"person": np.concatenate([a, b]), "ident": np.concatenate([idx, idx])})], ignore_index=True)
        else:
            vehicles = pd.concat([vehicles, pd.DataFrame({"person": np.concatenate([a, b]), "ident": np.concatenate([idx, idx])})], ignore_index=True)
        if len(g) and g[0] >= 0:
            world.no_association.append(pd.DataFrame({"a": np.minimum(a, b), "b": np.maximum(a, b)}))
            world.add_links(a, b, "shared_identifier")

    # --- places: every business, care home and school has a phone; taxi firms have cars
    loc = world.locations
    cat = loc["category"].to_numpy()
    with_phone = np.flatnonzero(np.isin(cat, BUSINESS_CATEGORIES + ("children_home", "school")))
    ids.hold(ids.new(_PHONE, len(with_phone)), with_phone, False)
    loc_phone = np.full(len(loc), -1, np.int64)
    loc_phone[with_phone] = ids.holders[-1]["ident"].to_numpy()
    taxis = np.flatnonzero(cat == "taxi_firm")
    cars = np.repeat(taxis, rng.integers(2, 6, len(taxis)))
    ids.hold(ids.new(_VEHICLE, len(cars)), cars, False)

    # --- group contacts
    parts: list[pd.DataFrame] = []
    ws, we = groups["w_start"].to_numpy(), groups["w_end"].to_numpy()
    gm = m[["group", "person", "role"]].merge(phones, on="person")
    gv, gp = gm[gm["role"] == "victim"], gm[gm["role"] == "perpetrator"]

    def group_pairs(x: pd.DataFrame, y: pd.DataFrame, keep: float, cover: bool, median: float, distinct: bool = False, link: bool = True) -> None:
        """Contacts between the phones of two kinds of group member; with ``cover``, each phone of ``y`` gets one."""
        pr = x.merge(y, on="group", suffixes=("_a", "_b"))
        pr = pr[pr["person_a"] != pr["person_b"]]
        if distinct:
            pr = pr[pr["person_a"] < pr["person_b"]]
        pr = pr.reset_index(drop=True)
        sel = rng.random(len(pr)) < keep
        if cover and len(pr):
            key = pd.DataFrame({"g": pr["group"].to_numpy(), "t": pr["ident_b"].to_numpy(), "u": rng.random(len(pr))})
            key = key.sort_values(["g", "t", "u"], kind="stable")
            first = key.groupby(["g", "t"]).cumcount().to_numpy() == 0
            sel[key.index.to_numpy()[first]] = True
        pr = pr[sel]
        g = pr["group"].to_numpy()
        day_from, day_to = _window(rng, ws[g], we[g])
        n = len(pr)
        parts.append(_contacts(rng, pr["ident_a"].to_numpy(), pr["ident_b"].to_numpy(), np.maximum(1, rng.lognormal(np.log(median), 1.0, n)), day_from, day_to, _message_kind(rng, n)))
        if link:
            world.add_links(pr["person_a"].to_numpy(), pr["person_b"].to_numpy(), "contact")

    group_pairs(gp, gv, 0.55, True, 30.0)
    group_pairs(gp, gp, 0.75, False, 20.0, distinct=True)
    group_pairs(gv, gv, 0.35, False, 15.0, distinct=True)
    biz = world.group_locs[world.group_locs["kind"] == "business"]
    bphone = pd.DataFrame({"group": biz["group"].to_numpy(), "person": -1 - biz["loc"].to_numpy(), "ident": loc_phone[biz["loc"].to_numpy()]})
    bphone = bphone[bphone["ident"] >= 0]
    group_pairs(gp, bphone, 0.7, True, 25.0, link=False)
    group_pairs(gv, bphone, 0.35, True, 6.0, link=False)
    gveh = m[m["role"] == "perpetrator"][["group", "person"]].merge(vehicles, on="person")
    pr = gveh.merge(gveh, on="group", suffixes=("_a", "_b"))
    pr = pr[(pr["ident_a"] < pr["ident_b"]) & (rng.random(len(pr)) < 0.6)]
    g = pr["group"].to_numpy()
    day_from, day_to = _window(rng, ws[g], we[g])
    parts.append(_contacts(rng, pr["ident_a"].to_numpy(), pr["ident_b"].to_numpy(), rng.integers(1, 15, len(pr)), day_from, day_to, np.full(len(pr), "sighting", dtype=object)))

    # --- family contacts within households
    fam = pd.DataFrame({"hh": hh[phones["person"].to_numpy()], "ident": phones["ident"].to_numpy()})
    fam = fam[fam["hh"] >= 0]
    pr = fam.merge(fam, on="hh", suffixes=("_a", "_b"))
    pr = pr[(pr["ident_a"] < pr["ident_b"]) & (rng.random(len(pr)) < 0.8)]
    n = len(pr)
    day_from, day_to = _window(rng, np.full(n, HORIZON_START), np.full(n, HORIZON_END))
    parts.append(_contacts(rng, pr["ident_a"].to_numpy(), pr["ident_b"].to_numpy(), np.maximum(1, rng.lognormal(np.log(40), 1.0, n)), day_from, day_to, _message_kind(rng, n)))

    # --- background: friends and acquaintances (mostly local) and businesses
    own = phones.drop_duplicates("ident")
    src_ident = own["ident"].to_numpy()
    src_la = p["la"].to_numpy()[own["person"].to_numpy()]
    k = rng.poisson(world.scale.contacts_per_phone, len(src_ident))
    s = np.repeat(src_ident, k)
    sla = np.repeat(src_la, k)
    n = len(s)
    u = rng.random(n)
    local = pick_from_pools(src_la, src_ident, sla, rng.random(n))
    anyone = src_ident[rng.integers(0, len(src_ident), n)]
    b_la = loc["la"].to_numpy()[with_phone]
    business = np.isin(cat[with_phone], BUSINESS_CATEGORIES)
    shop = pick_from_pools(b_la[business], loc_phone[with_phone][business], sla, rng.random(n))
    d = np.where(u < 0.55, local, np.where((u < 0.85) | (shop < 0), anyone, shop))
    first = rng.integers(HORIZON_START, HORIZON_END + 1, n)
    last = np.minimum(first + rng.exponential(60.0, n).astype(np.int64), HORIZON_END)
    parts.append(_contacts(rng, s, d, rng.geometric(0.3, n), first, last, _message_kind(rng, n)))
    veh = vehicles["ident"].to_numpy()
    nv = round(0.01 * N)
    if len(veh) > 1 and nv:
        first = rng.integers(HORIZON_START, HORIZON_END + 1, nv)
        parts.append(_contacts(rng, veh[rng.integers(0, len(veh), nv)], veh[rng.integers(0, len(veh), nv)], rng.integers(1, 4, nv), first, first, np.full(nv, "sighting", dtype=object)))

    contacts = pd.concat(parts, ignore_index=True)
    contacts = contacts[contacts["src"] != contacts["dst"]]
    contacts = contacts.drop_duplicates(["src", "dst", "kind"], keep="first").reset_index(drop=True)
    no_dates = rng.random(len(contacts)) < 0.03
    contacts.loc[no_dates, "first"] = NODATE
    contacts.loc[no_dates, "last"] = NODATE

    # --- identifier table and holders (people are held on one or more of their records)
    kind = np.concatenate(ids.kinds)
    world.identifiers = pd.DataFrame({"ident": np.arange(ids.n), "kind": np.array(IDENTIFIER_KINDS, dtype=object)[kind], "value": _values(rng, kind)})
    holders = pd.concat(ids.holders, ignore_index=True)
    world.holders = _holder_rows(world, rng, holders, contacts)
    world.contacts = contacts


def _holder_rows(world: World, rng: np.random.Generator, holders: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """identifiers rows: persons' identifiers on their main record and sometimes their other records."""
    pers = holders[holders["person"]]
    person = pers["owner"].to_numpy()
    main = world.pick_records(rng, person, (0, 1, 2))
    total = world.rec_count[person].sum(axis=1)
    block = world.rec_first[person, 0]
    rep = np.repeat(np.arange(len(person)), total)
    rec = np.repeat(block, total) + (np.arange(len(rep)) - np.repeat(np.cumsum(total) - total, total))
    extra = (rec != main[rep]) & (rng.random(len(rep)) < 0.3)
    rows = pd.DataFrame(
        {
            "ident": np.concatenate([pers["ident"].to_numpy(), pers["ident"].to_numpy()[rep[extra]]]),
            "owner": np.concatenate([main, rec[extra]]),
            "person": True,
        }
    )
    locs = holders[~holders["person"]]
    rows = pd.concat([rows, locs], ignore_index=True).drop_duplicates(["ident", "owner", "person"])
    # seen dates: around the contacts made with the identifier, else random; some unknown
    seen = pd.concat([contacts[["src", "first", "last"]].rename(columns={"src": "ident"}), contacts[["dst", "first", "last"]].rename(columns={"dst": "ident"})])
    seen = seen[seen["first"] != NODATE].groupby("ident").agg(first=("first", "min"), last=("last", "max"))
    seen_from = seen["first"].reindex(rows["ident"]).to_numpy()
    seen_to = seen["last"].reindex(rows["ident"]).to_numpy()
    n = len(rows)
    rnd_f = rng.integers(HORIZON_START, HORIZON_END + 1, n)
    rnd_l = np.minimum(rnd_f + rng.integers(0, 900, n), HORIZON_END)
    first = np.where(np.isnan(seen_from), rnd_f, np.nan_to_num(seen_from)).astype(np.int64) - rng.integers(0, 30, n)
    last = np.minimum(np.where(np.isnan(seen_to), rnd_l, np.nan_to_num(seen_to)).astype(np.int64) + rng.integers(0, 30, n), HORIZON_END)
    unknown = rng.random(n) < 0.25
    rows["first_seen"] = np.where(unknown, NODATE, first)
    rows["last_seen"] = np.where(unknown | (rng.random(n) < 0.1), NODATE, last)
    return rows.reset_index(drop=True)
