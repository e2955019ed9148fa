"""Recorded associations between people: family, partners, associates, co-offenders.

Pairs planted as sharing a phone or a car are never recorded as associates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._util import HORIZON_END, HORIZON_START, NODATE
from ._world import KIND_ADULT, World

__all__ = ["make_associations"]


def _pairs_within(df: pd.DataFrame, key: str) -> pd.DataFrame:
    pr = df.merge(df, on=key, suffixes=("_a", "_b"))
    return pr[pr["person_a"] < pr["person_b"]].reset_index(drop=True)


def make_associations(world: World) -> None:
    rng = world.rng("associations")
    p = world.persons
    N = len(p)
    parts: list[pd.DataFrame] = []

    def add(a: np.ndarray, b: np.ndarray, kind: np.ndarray | str) -> None:
        parts.append(pd.DataFrame({"a": np.minimum(a, b), "b": np.maximum(a, b), "kind": kind}))

    # family: carers and children of a household, siblings; two carers are partners
    hh = p["household"].to_numpy()
    fam = pd.DataFrame({"hh": hh, "person": np.arange(N), "carer": p["carer"].to_numpy()})
    fam = fam[fam["hh"] >= 0]
    pr = _pairs_within(fam, "hh")
    partners = pr["carer_a"].to_numpy() & pr["carer_b"].to_numpy()
    keep = rng.random(len(pr)) < np.where(partners, 0.7, 0.5)
    add(pr["person_a"].to_numpy()[keep], pr["person_b"].to_numpy()[keep], np.where(partners[keep], "partner", "family"))

    # groups: some perpetrators recorded as co-offenders or associates, some victims as associates
    m = world.members
    pr = _pairs_within(m[["group", "person", "role"]], "group")
    pp = (pr["role_a"] == "perpetrator").to_numpy() & (pr["role_b"] == "perpetrator").to_numpy()
    vv = (pr["role_a"] == "victim").to_numpy() & (pr["role_b"] == "victim").to_numpy()
    u = rng.random(len(pr))
    kind = np.where(pp & (u < 0.3), "co_offender", np.where((pp & (u < 0.4)) | (vv & (u < 0.12)) | (~pp & ~vv & (u < 0.05)), "associate", ""))
    sel = kind != ""
    add(pr["person_a"].to_numpy()[sel], pr["person_b"].to_numpy()[sel], kind[sel])

    # background: acquaintances, partners, other links
    n = round(0.05 * N)
    add(rng.integers(0, N, n), rng.integers(0, N, n), np.where(rng.random(n) < 0.85, "associate", "other"))
    adults = np.flatnonzero((p["kind"] == KIND_ADULT).to_numpy() & ~p["carer"].to_numpy())
    n = round(0.015 * N)
    if len(adults) > 1:
        add(adults[rng.integers(0, len(adults), n)], adults[rng.integers(0, len(adults), n)], "partner")

    assoc = pd.concat(parts, ignore_index=True)
    assoc = assoc[assoc["a"] != assoc["b"]].drop_duplicates(["a", "b", "kind"])
    if world.no_association:
        banned = pd.concat(world.no_association).drop_duplicates()
        hit = assoc.merge(banned, on=["a", "b"], how="left", indicator=True)["_merge"].to_numpy() == "both"
        assoc = assoc[~hit]
    n = len(assoc)
    date = rng.integers(HORIZON_START, HORIZON_END + 1, n)
    assoc["date"] = np.where(rng.random(n) < 0.3, NODATE, date)
    world.associations = assoc.reset_index(drop=True)
