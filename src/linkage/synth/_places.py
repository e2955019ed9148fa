"""Locations: care settings, night-time-economy businesses, retail, schools, public spaces, hubs, addresses."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._world import World

__all__ = ["make_locations", "location_rows", "NTE_CATEGORIES", "BUSINESS_CATEGORIES"]

#: Night-time-economy business categories (the contract's list; the job config decides the default flag).
NTE_CATEGORIES = ("takeaway", "hotel", "taxi_firm", "licensed_premises", "off_licence", "shisha_bar", "car_wash")
BUSINESS_CATEGORIES = NTE_CATEGORIES + ("retail",)

#: Businesses per 1,000 persons in the world, by category.
_BUSINESS_RATE = {
    "takeaway": 9.0,
    "hotel": 3.0,
    "taxi_firm": 2.5,
    "licensed_premises": 6.0,
    "off_licence": 3.0,
    "shisha_bar": 1.0,
    "car_wash": 1.5,
    "retail": 8.0,
}


def _words(world: World, key: str) -> np.ndarray:
    return np.array(world.vocab.words[key], dtype=str)


def _names(world: World, rng: np.random.Generator, category: np.ndarray, la: np.ndarray) -> np.ndarray:
    """Trading names for businesses, names for homes, schools, public spaces and hubs; '' otherwise."""
    n = len(category)
    out = np.full(n, "", dtype=object)
    place = _words(world, "place_words")
    prefixes = _words(world, "business_prefixes")
    suffixes = world.vocab.words["business_suffixes"]
    for cat in np.unique(category):
        sel = np.flatnonzero(category == cat)
        k = len(sel)
        if cat in suffixes:
            suf = np.array(suffixes[cat], dtype=str)
            names = np.char.add(np.char.add(prefixes[rng.integers(0, len(prefixes), k)], " "), suf[rng.integers(0, len(suf), k)])
        elif cat == "children_home":
            kinds = _words(world, "care_home_kinds")
            names = np.char.add(np.char.add(place[rng.integers(0, len(place), k)], " "), kinds[rng.integers(0, len(kinds), k)])
        elif cat in ("school", "public_space"):
            kinds = _words(world, f"{cat}_kinds")
            names = np.char.add(np.char.add(place[rng.integers(0, len(place), k)], " "), kinds[rng.integers(0, len(kinds), k)])
        elif cat == "transport_hub":
            kinds = _words(world, "transport_hub_kinds")
            names = np.char.add(np.char.add(world.geo.names[la[sel]], " "), kinds[rng.integers(0, len(kinds), k)])
        else:
            continue
        out[sel] = names
    return out


def location_rows(world: World, rng: np.random.Generator, category: np.ndarray, la: np.ndarray, postcode: np.ndarray | None = None) -> pd.DataFrame:
    """Location rows of the given categories and authorities, with names, postcodes and coordinates."""
    category = np.asarray(category, dtype=str)
    la = np.asarray(la, dtype=np.int64)
    n = len(category)
    geo = world.geo
    lat, lon = geo.jitter(rng, la)
    no_coords = rng.random(n) < 0.07
    lat = np.where(no_coords, np.nan, np.round(lat, 5))
    lon = np.where(no_coords, np.nan, np.round(lon, 5))
    pc = geo.postcodes(rng, la).astype(object) if postcode is None else np.asarray(postcode, dtype=object)
    # a few rows without a postcode, never when the coordinates are missing too
    pc = np.where((rng.random(n) < 0.03) & ~no_coords, "", pc)
    nte = np.full(n, None, dtype=object)
    is_nte = np.isin(category, NTE_CATEGORIES)
    filled = rng.random(n) < 0.85
    nte[is_nte & filled] = True
    nte[(category == "retail") & (rng.random(n) < 0.6)] = False
    nte[np.isin(category, ("school", "children_home", "foster_home")) & (rng.random(n) < 0.1)] = False
    return pd.DataFrame(
        {
            "category": category.astype(object),
            "name": _names(world, rng, category, la),
            "nte": nte,
            "postcode": pc,
            "la": la,
            "lat": lat,
            "lon": lon,
        }
    )


def _spread(rng: np.random.Generator, total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """``total`` items over authorities by weight, at least ``minimum`` each."""
    base = np.full(len(weights), minimum, np.int64)
    rest = max(total - base.sum(), 0)
    if rest and len(weights):
        base += rng.multinomial(rest, weights / weights.sum())
    return base


def make_locations(world: World) -> None:
    """Every location the world starts with; later stages add addresses."""
    rng = world.rng("locations")
    geo = world.geo
    p = world.persons
    n = len(p)
    residents = np.bincount(p["la"].to_numpy(), minlength=geo.n).astype(float)
    lac = np.bincount(p.loc[p["lac"], "la"].to_numpy(), minlength=geo.n).astype(float)
    home, out = geo.home_idx, geo.out_idx
    n_lac = int(p["lac"].sum())
    cats: list[np.ndarray] = []
    las: list[np.ndarray] = []

    def add(category: str, counts: np.ndarray, idx: np.ndarray) -> None:
        la = np.repeat(idx, counts)
        cats.append(np.full(len(la), category, dtype=object))
        las.append(la)

    # care settings: most in the force, some in neighbouring authorities (out-of-force placements)
    for category, per_child in (("children_home", 7.0), ("foster_home", 2.6)):
        total = max(len(home), round(n_lac / per_child))
        n_out = max(len(out) and 2, round(0.1 * total)) if len(out) else 0
        add(category, _spread(rng, total - n_out, lac[home] + 1.0 + geo.weight[home], 1), home)
        if n_out:
            add(category, _spread(rng, n_out, geo.weight[out]), out)

    # businesses: in proportion to residents, at least a few night-time-economy ones per home authority
    w_home = residents[home] + 1.0
    for category, rate in _BUSINESS_RATE.items():
        total = round(rate * n / 1000)
        minimum = 1 if category in ("takeaway", "hotel", "taxi_firm", "licensed_premises") else 0
        add(category, _spread(rng, total, w_home, minimum), home)
        if len(out):
            n_out = max(1 if category in ("hotel", "takeaway", "taxi_firm") else 0, round(0.05 * total))
            add(category, _spread(rng, n_out, geo.weight[out]), out)

    # public places, schools, hubs; other addresses (friends' homes where children are found)
    add("public_space", _spread(rng, round(n / 250), w_home, 2), home)
    add("school", _spread(rng, round(n / 600), w_home, 1), home)
    add("transport_hub", _spread(rng, round(n / 4000), w_home, 1), home)
    add("address", _spread(rng, round(0.03 * n), w_home, 1), home)
    if len(out):
        add("public_space", _spread(rng, max(len(out), round(n / 2500)), geo.weight[out]), out)
        add("transport_hub", np.ones(len(out), np.int64), out)
        add("address", _spread(rng, round(0.003 * n) + 1, geo.weight[out]), out)

    world.locations = location_rows(world, rng, np.concatenate(cats).astype(str), np.concatenate(las))


class Pools:
    """Locations of some categories, drawn near an authority: same authority, else same BCU
    (or same neighbouring force), else the same side of the force boundary, else anywhere."""

    def __init__(self, world: World, categories: tuple[str, ...] | str) -> None:
        if isinstance(categories, str):
            categories = (categories,)
        loc = world.locations
        geo = world.geo
        self.geo = geo
        self.items = np.flatnonzero(loc["category"].isin(categories).to_numpy())
        la = loc["la"].to_numpy()[self.items]
        self.keys = (la, self._area(la), geo.home[la].astype(np.int64), np.zeros(len(la), np.int64))

    def _area(self, la: np.ndarray) -> np.ndarray:
        geo = self.geo
        return np.where(geo.bcu[la] >= 0, geo.bcu[la], len(geo.bcu_names) + geo.force[la])

    def __len__(self) -> int:
        return len(self.items)

    def pick(self, rng: np.random.Generator, la: np.ndarray) -> np.ndarray:
        """One location index per query authority (-1 only when the pool is empty)."""
        from ._util import pick_from_pools

        la = np.asarray(la, np.int64)
        n = len(la)
        out = np.full(n, -1, np.int64)
        queries = (la, self._area(la), self.geo.home[la].astype(np.int64), np.zeros(n, np.int64))
        u = rng.random(n)
        for keys, query in zip(self.keys, queries):
            todo = out < 0
            if not todo.any():
                break
            got = pick_from_pools(keys, np.arange(len(self.items)), query[todo], u[todo])
            out[todo] = np.where(got >= 0, self.items[np.maximum(got, 0)], -1)
        return out
