"""Person records: each true person seen by one to three (or more) source systems, each record
with its own realistic errors: typos, nicknames, swapped day and month, dates off by one, missing
fields, upper-case names, partial or old postcodes, swapped first and last names.

The errors applied to each record are kept (``truth/records.csv``, column ``errors``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._util import NODATE, pick_from_pools
from ._world import KIND_CHILD, World

__all__ = ["make_records", "record_flags", "typo", "ERROR_KINDS"]

POLICE, SOCIAL_CARE, HEALTH = 0, 1, 2

#: Every error kind a record can carry, in the order they are listed in ``errors``.
ERROR_KINDS = (
    "nickname", "typo_first", "typo_last", "swap_names", "upper_case", "no_first_name", "no_last_name",
    "dob_day_month_swap", "dob_off_by_one", "dob_year", "dob_partial", "no_dob", "no_sex", "sex_unknown",
    "old_postcode", "partial_postcode", "no_postcode", "placement_address", "no_local_authority",
)

# per source (police, social care, health)
_RATES = {
    "nickname": (0.14, 0.06, 0.05),
    "typo_first": (0.04, 0.03, 0.02),
    "typo_last": (0.04, 0.03, 0.02),
    "swap_names": (0.02, 0.01, 0.01),
    "upper_case": (0.30, 0.04, 0.06),
    "no_first_name": (0.02, 0.01, 0.01),
    "no_last_name": (0.008, 0.004, 0.004),
    "dob_day_month_swap": (0.025, 0.015, 0.015),
    "dob_off_by_one": (0.02, 0.015, 0.01),
    "dob_year": (0.008, 0.005, 0.004),
    "dob_partial": (0.005, 0.005, 0.02),
    "no_dob": (0.04, 0.01, 0.015),
    "no_sex": (0.03, 0.01, 0.02),
    "sex_unknown": (0.01, 0.005, 0.01),
    "old_postcode": (0.08, 0.06, 0.06),
    "partial_postcode": (0.05, 0.04, 0.06),
    "no_postcode": (0.07, 0.03, 0.05),
    "placement_address": (0.35, 0.0, 0.35),
    "no_local_authority": (0.04, 0.01, 0.03),
}


def typo(names: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One keyboard slip per name: a substituted letter, two letters transposed, or a letter dropped.

    Works on the whole array at once through its UCS-4 code points; the first
    letter is left alone, as in most real misspellings.
    """
    names = np.asarray(names, dtype=str)
    n = len(names)
    if n == 0:
        return names
    w = max(names.dtype.itemsize // 4, 2)
    arr = names.astype(f"U{w}")
    codes = np.ascontiguousarray(arr).view(np.uint32).reshape(n, w).copy()
    length = np.char.str_len(arr)
    rows = np.arange(n)
    kind = np.where(length < 4, 0, rng.integers(0, 3, n))
    pos = np.clip(1 + np.floor(rng.random(n) * np.maximum(length - 1, 1)).astype(np.int64), 0, np.maximum(length - 1, 0))
    # substitution
    s = (kind == 0) & (length >= 2)
    old = codes[rows, pos]
    upper = (old >= 65) & (old <= 90)
    letter = rng.integers(0, 26, n)
    new = np.where(upper, 65, 97) + letter
    new = np.where(new == old, np.where(upper, 65, 97) + (letter + 1) % 26, new)
    codes[rows[s], pos[s]] = new[s]
    # transposition of two neighbours (a different letter is substituted if they are equal)
    t = kind == 1
    tp = np.clip(pos, 1, np.maximum(length - 2, 1))
    a = codes[rows[t], tp[t]].copy()
    b = codes[rows[t], tp[t] + 1].copy()
    same = a == b
    b2 = np.where(same, np.where((a >= 65) & (a <= 90), 65, 97) + (a - np.where((a >= 65) & (a <= 90), 65, 97) + 1) % 26, b)
    codes[rows[t], tp[t]] = np.where(same, b2, b)
    codes[rows[t], tp[t] + 1] = np.where(same, b, a)
    # deletion
    d = kind == 2
    if d.any():
        col = np.arange(w)
        src = np.minimum(col[None, :] + (col[None, :] >= pos[d][:, None]), w - 1)
        shifted = np.take_along_axis(codes[d], src, axis=1)
        shifted[:, w - 1] = 0
        codes[d] = shifted
    return codes.view(f"U{w}").reshape(n)


def _dmy(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dt = days.astype("datetime64[D]")
    y = dt.astype("datetime64[Y]")
    m = dt.astype("datetime64[M]")
    month = (m - y.astype("datetime64[M]")).astype(np.int64) + 1
    dom = (dt - m.astype("datetime64[D]")).astype(np.int64) + 1
    return y.astype(np.int64), month, dom


def _ymd_days(year_since_1970: np.ndarray, month: np.ndarray, dom: np.ndarray) -> np.ndarray:
    months = (year_since_1970 * 12 + month - 1).astype("datetime64[M]")
    return (months.astype("datetime64[D]") + (dom - 1)).astype(np.int64)


def _sources(world: World, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Which systems hold each person, and how many records each holds (a few duplicates within a source)."""
    p = world.persons
    N = len(p)
    child = (p["kind"] == KIND_CHILD).to_numpy()
    lac = p["lac"].to_numpy()
    perp = p["perp"].to_numpy()
    carer = p["carer"].to_numpy()
    victim = p["victim"].to_numpy()
    prob = np.tile(np.array([0.7, 0.15, 0.4]), (N, 1))
    prob[carer] = [0.35, 0.6, 0.35]
    prob[perp] = [0.97, 0.1, 0.35]
    prob[child] = [0.3, 0.45, 0.75]
    prob[child & lac] = [0.6, 0.98, 0.65]
    prob[victim, POLICE] = 0.9
    has = rng.random((N, 3)) < prob
    fallback = np.where(child & lac, SOCIAL_CARE, np.where(child, HEALTH, np.where(carer, SOCIAL_CARE, POLICE)))
    none = ~has.any(axis=1)
    has[np.flatnonzero(none), fallback[none]] = True
    count = has.astype(np.int64) + (has & (rng.random((N, 3)) < np.array([0.06, 0.04, 0.03])))
    flat = count.ravel()
    first = (np.cumsum(flat) - flat).reshape(N, 3)
    return first, count


def make_records(world: World) -> None:
    """The person records of every true person, errors and all (flags come later)."""
    rng = world.rng("records")
    geo = world.geo
    vocab = world.vocab
    p = world.persons
    first_idx, count = _sources(world, rng)
    world.rec_first, world.rec_count = first_idx, count
    flat = count.ravel()
    person = np.repeat(np.arange(len(p) * 3) // 3, flat)
    source = np.repeat(np.arange(len(p) * 3) % 3, flat)
    n = len(person)
    rate = {k: np.array(v)[source] for k, v in _RATES.items()}
    err: dict[str, np.ndarray] = {}

    def draw(kind: str, eligible: np.ndarray | bool = True) -> np.ndarray:
        mask = (rng.random(n) < rate[kind]) & eligible
        err[kind] = mask
        return mask

    first = p["first"].to_numpy().astype(str)[person]
    last = vocab.surnames[p["surname"].to_numpy()[person]]
    dob = p["dob"].to_numpy()[person].copy()
    sex = np.array(["M", "F"], dtype=object)[p["sex"].to_numpy()[person]]
    postcode = p["postcode"].to_numpy()[person].astype(object)
    la = p["la"].to_numpy()[person].copy()

    # nicknames
    nick_names = np.array([k for k, v in vocab.nicknames.items() for _ in v], dtype=str)
    nick_values = np.array([x for v in vocab.nicknames.values() for x in v], dtype=str)
    has_nick = np.isin(first, nick_names)
    sel = draw("nickname", has_nick)
    choice = pick_from_pools(nick_names, np.arange(len(nick_values)), first[sel], rng.random(int(sel.sum())))
    first = first.astype(object)
    first[sel] = nick_values[choice]

    # spelling
    sel = draw("typo_first", np.char.str_len(first.astype(str)) >= 3)
    first[sel] = typo(first[sel].astype(str), rng)
    last = last.astype(object)
    sel = draw("typo_last", np.char.str_len(last.astype(str)) >= 3)
    last[sel] = typo(last[sel].astype(str), rng)
    sel = draw("swap_names")
    first[sel], last[sel] = last[sel], first[sel].copy()
    sel = draw("upper_case")
    first[sel] = np.char.upper(first[sel].astype(str))
    last[sel] = np.char.upper(last[sel].astype(str))
    first[draw("no_first_name")] = ""
    last[draw("no_last_name")] = ""

    # dates of birth
    y, m, d = _dmy(dob)
    sel = draw("dob_day_month_swap", (d <= 12) & (d != m))
    dob[sel] = _ymd_days(y[sel], d[sel], m[sel])
    sel = draw("dob_off_by_one", ~sel)
    dob[sel] += np.where(rng.random(int(sel.sum())) < 0.5, -1, 1)
    sel = draw("dob_year", ~err["dob_day_month_swap"] & ~err["dob_off_by_one"])
    y2, m2, d2 = _dmy(dob[sel])
    dob[sel] = _ymd_days(y2 + np.where(rng.random(int(sel.sum())) < 0.5, -1, 1), m2, np.minimum(d2, 28))
    precision = np.zeros(n, np.int8)
    sel = draw("dob_partial")
    precision[sel] = np.where(rng.random(int(sel.sum())) < 0.7, 1, 2)
    sel = draw("no_dob", ~sel)
    dob[sel] = NODATE

    # sex
    sel = draw("no_sex")
    sex[sel] = ""
    sex[draw("sex_unknown", ~sel)] = "U"

    # where they live: looked-after children are often recorded at their placement
    lac = p["lac"].to_numpy()[person]
    pl = world.placements
    sel = draw("placement_address", lac)
    if sel.any() and len(pl):
        got = pick_from_pools(pl["person"].to_numpy(), pl["loc"].to_numpy(), person[sel], rng.random(int(sel.sum())))
        loc = world.locations
        ok = got >= 0
        pc = np.where(ok, loc["postcode"].to_numpy()[np.maximum(got, 0)], "")
        ok &= pc != ""
        idx = np.flatnonzero(sel)
        postcode[idx[ok]] = pc[ok]
        la[idx[ok]] = loc["la"].to_numpy()[got[ok]]
        err["placement_address"] = np.zeros(n, bool)
        err["placement_address"][idx[ok]] = True
    sel = draw("old_postcode", ~err["placement_address"])
    postcode[sel] = geo.postcodes(rng, la[sel])
    sel = draw("partial_postcode")
    postcode[sel] = pd.Series(postcode[sel], dtype=object).str[:-2].to_numpy()
    sel = draw("no_postcode", ~sel)
    postcode[sel] = ""
    la_name = geo.names[la].astype(object)
    la_name[draw("no_local_authority")] = ""

    errors = np.full(n, "", dtype=object)
    for kind in ERROR_KINDS:
        mask = err.get(kind)
        if mask is None or not mask.any():
            continue
        cur = errors[mask].astype(str)
        errors[mask] = np.where(cur == "", kind, np.char.add(np.char.add(cur, ";"), kind))

    world.records = pd.DataFrame(
        {
            "person": person,
            "source": source,
            "first_name": first,
            "last_name": last,
            "dob": dob,
            "dob_precision": precision,
            "sex": sex,
            "postcode": postcode,
            "la": la_name,
            "errors": errors,
        }
    )


def record_flags(world: World) -> None:
    """Risk markers on records: looked after, CSE / CCE risk (victims and some others), missing risk."""
    from ._groups import BOTH, CCE, CSE

    rng = world.rng("flags")
    r = world.records
    p = world.persons
    person = r["person"].to_numpy()
    source = r["source"].to_numpy()
    n = len(r)
    N = len(p)
    child = (p["kind"] == KIND_CHILD).to_numpy()
    m = world.members
    v = m[m["role"] == "victim"].merge(world.groups[["group", "cats"]], on="group")
    cse = np.zeros(N, bool)
    cce = np.zeros(N, bool)
    cse[v.loc[v["cats"].isin([CSE, BOTH]), "person"].to_numpy()] = True
    cce[v.loc[v["cats"].isin([CCE, BOTH]), "person"].to_numpy()] = True
    # practitioners also flag children who are not (known) victims of any group
    cse |= child & (rng.random(N) < 0.02)
    cce |= child & (rng.random(N) < 0.015)
    ep = world.episodes
    n_missing = np.bincount(ep["person"].to_numpy(), minlength=N) if len(ep) else np.zeros(N, np.int64)

    def u() -> np.ndarray:
        return rng.random(n)

    flags = {
        "looked_after": p["lac"].to_numpy()[person] & (u() < np.array([0.55, 0.95, 0.4])[source]),
        "cse_risk": cse[person] & (u() < np.array([0.6, 0.7, 0.2])[source]),
        "cce_risk": cce[person] & (u() < np.array([0.6, 0.65, 0.15])[source]),
        "missing_risk": (n_missing[person] >= 3) & (u() < np.array([0.6, 0.5, 0.1])[source]),
    }
    out = np.full(n, "", dtype=object)
    for name, mask in flags.items():
        cur = out[mask].astype(str)
        out[mask] = np.where(cur == "", name, np.char.add(np.char.add(cur, ";"), name))
    r["flags"] = out
    world.records = r
