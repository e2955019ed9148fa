"""True persons: households of children and carers, other adults; names, sex and dates of birth."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._util import NODATE, day, zipf_p
from ._world import KIND_ADULT, KIND_CHILD, World

__all__ = ["make_population", "finalise_persons", "person_frame"]


def person_frame(n: int, **cols: object) -> pd.DataFrame:
    """A block of person rows with every column present (defaults for the rest)."""
    base: dict[str, object] = {
        "kind": np.full(n, KIND_ADULT, np.int8),
        "household": np.full(n, -1, np.int64),
        "la": np.zeros(n, np.int64),
        "lac": np.zeros(n, bool),
        "sex": np.zeros(n, np.int8),
        "dob": np.full(n, NODATE, np.int64),
        "postcode": np.full(n, "", dtype=object),
        "surname": np.zeros(n, np.int64),
        "carer": np.zeros(n, bool),
        "perp": np.zeros(n, bool),
        "victim": np.zeros(n, bool),
    }
    base.update(cols)
    return pd.DataFrame(base)


def _uniform_days(rng: np.random.Generator, lo: str, hi: str, n: int) -> np.ndarray:
    return rng.integers(day(lo), day(hi), size=n)


def make_population(world: World) -> None:
    """Households (children, carers) and other adults; perpetrators are added by the groups stage."""
    rng = world.rng("population")
    geo = world.geo
    n = world.scale.persons
    n_sur = len(world.vocab.surnames)
    p_sur = zipf_p(n_sur, 1.0, 10.0)

    n_children = round(0.58 * n)
    sizes_all = rng.choice([1, 2, 3, 4], p=[0.5, 0.3, 0.15, 0.05], size=n_children)
    H = int(np.searchsorted(np.cumsum(sizes_all), n_children)) + 1
    sizes = sizes_all[:H]
    hh_out = rng.random(H) < 0.04
    hh_la = geo.draw_authorities(rng, H, np.where(hh_out, 1.0, 0.0))
    hh_out = ~geo.home[hh_la]
    hh = pd.DataFrame(
        {
            "la": hh_la,
            "postcode": geo.postcodes(rng, hh_la).astype(object),
            "surname": rng.choice(n_sur, p=p_sur, size=H),
            "address": np.full(H, -1, np.int64),
        }
    )
    hh_lac = rng.random(H) < np.where(hh_out, 0.85, 0.22)
    n_carers = rng.choice([0, 1, 2], p=[0.35, 0.35, 0.30], size=H)

    # children
    c_hh = np.repeat(np.arange(H), sizes)
    nc = len(c_hh)
    c_rank = np.arange(nc) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    c_dob = _uniform_days(rng, "2004-07-01", "2016-01-01", nc)
    c_lac = hh_lac[c_hh] & (rng.random(nc) < 0.92)
    # twins: the second child of some sibling groups (neither looked after) shares the first's date of birth
    twin = (c_rank == 1) & ~c_lac & ~np.roll(c_lac, 1) & (rng.random(nc) < 0.05)
    c_dob = np.where(twin, np.roll(c_dob, 1), c_dob)
    children = pd.DataFrame(
        {
            "kind": np.full(nc, KIND_CHILD, np.int8),
            "household": c_hh,
            "la": hh_la[c_hh],
            "lac": c_lac,
            "sex": (rng.random(nc) < 0.5).astype(np.int8),
            "dob": c_dob,  # looked-after children get theirs from the care stage
            "postcode": hh["postcode"].to_numpy()[c_hh],
            "surname": np.where(rng.random(nc) < 0.88, hh["surname"].to_numpy()[c_hh], rng.choice(n_sur, p=p_sur, size=nc)),
            "carer": np.zeros(nc, bool),
            "perp": np.zeros(nc, bool),
            "victim": np.zeros(nc, bool),
        }
    )
    children["twin"] = twin

    # carers (parents, step-parents, kinship carers)
    a_hh = np.repeat(np.arange(H), n_carers)
    na = len(a_hh)
    a_rank = np.arange(na) - np.repeat(np.cumsum(n_carers) - n_carers, n_carers)
    carers = person_frame(
        na,
        household=a_hh,
        la=hh_la[a_hh],
        sex=np.where(a_rank == 0, rng.random(na) < 0.78, rng.random(na) < 0.2).astype(np.int8),
        dob=_uniform_days(rng, "1962-01-01", "1998-01-01", na),
        postcode=hh["postcode"].to_numpy()[a_hh],
        surname=np.where(rng.random(na) < np.where(a_rank == 0, 0.9, 0.55), hh["surname"].to_numpy()[a_hh], rng.choice(n_sur, p=p_sur, size=na)),
        carer=np.ones(na, bool),
    )

    # other adults: associates, partners, witnesses, people in background crime
    no = round(0.10 * n)
    o_la = world.geo.draw_authorities(rng, no, 0.03)
    others = person_frame(
        no,
        la=o_la,
        sex=(rng.random(no) < 0.45).astype(np.int8),
        dob=_uniform_days(rng, "1950-01-01", "2004-01-01", no),
        postcode=geo.postcodes(rng, o_la).astype(object),
        surname=rng.choice(n_sur, p=p_sur, size=no),
    )
    persons = pd.concat([children, carers, others], ignore_index=True)
    persons["twin"] = persons["twin"].fillna(False).astype(bool)
    world.persons = persons
    world.households = hh


def finalise_persons(world: World) -> None:
    """Draw first names (after victims' sex is known) and fill any date of birth still unset."""
    rng = world.rng("names")
    p = world.persons
    n = len(p)
    vocab = world.vocab
    male = rng.choice(len(vocab.male), p=zipf_p(len(vocab.male), 1.0, 8.0), size=n)
    female = rng.choice(len(vocab.female), p=zipf_p(len(vocab.female), 1.0, 8.0), size=n)
    first = np.where(p["sex"].to_numpy() == 1, vocab.female[female], vocab.male[male])
    # twins get a different first name from their sibling only by the draw; make sure
    twin = p["twin"].to_numpy()
    prev = np.roll(first, 1)
    clash = twin & (first == prev)
    first = np.where(clash, np.where(p["sex"].to_numpy() == 1, vocab.female[(female + 1) % len(vocab.female)], vocab.male[(male + 1) % len(vocab.male)]), first)
    p["first"] = first.astype(object)
    missing = p["dob"].to_numpy() == NODATE
    if missing.any():
        p.loc[missing, "dob"] = _uniform_days(rng, "2005-01-01", "2014-01-01", int(missing.sum()))
    world.persons = p
