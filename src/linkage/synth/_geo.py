"""The geography as arrays: authorities, BCUs, forces, centroids, weights and postcode districts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Geography
from ._resources import Vocabulary, districts_for
from ._util import letter_tokens

__all__ = ["GeoArrays", "geo_arrays"]


@dataclass(frozen=True)
class GeoArrays:
    """Authority ``i`` is ``names[i]``; ``bcu[i]`` indexes ``bcu_names`` (-1 out of force)."""

    names: np.ndarray
    bcu: np.ndarray
    force: np.ndarray  # 0 = the home force
    lat: np.ndarray
    lon: np.ndarray
    home: np.ndarray  # bool
    weight: np.ndarray  # residence weight within home / within neighbours
    bcu_names: np.ndarray
    force_names: np.ndarray
    district_la: np.ndarray  # flat: authority of each district
    district: np.ndarray  # flat: district strings

    @property
    def n(self) -> int:
        return len(self.names)

    @property
    def home_idx(self) -> np.ndarray:
        return np.flatnonzero(self.home)

    @property
    def out_idx(self) -> np.ndarray:
        return np.flatnonzero(~self.home)

    def draw_authorities(self, rng: np.random.Generator, n: int, p_out: float | np.ndarray) -> np.ndarray:
        """Residence authorities: a neighbouring-force one with probability ``p_out``."""
        home, out = self.home_idx, self.out_idx
        la = rng.choice(home, size=n, p=self.weight[home] / self.weight[home].sum())
        if len(out):
            other = rng.choice(out, size=n, p=self.weight[out] / self.weight[out].sum())
            la = np.where(rng.random(n) < p_out, other, la)
        return la

    def postcodes(self, rng: np.random.Generator, la: np.ndarray) -> np.ndarray:
        """Plausible full postcodes (``PR1 4AB``) in each authority's districts."""
        from ._util import pick_from_pools

        n = len(la)
        d = pick_from_pools(self.district_la, np.arange(len(self.district)), la, rng.random(n))
        digit = rng.integers(0, 10, size=n).astype(str)
        letters = letter_tokens(rng.integers(0, 400, size=n), 2, "ABDEFGHJLNPQRSTUWXYZ")
        return np.char.add(np.char.add(np.char.add(self.district[d], " "), digit), letters)

    def jitter(self, rng: np.random.Generator, la: np.ndarray, km: float = 2.5) -> tuple[np.ndarray, np.ndarray]:
        """Coordinates a few km around each authority's centroid."""
        lat0, lon0 = self.lat[la], self.lon[la]
        dlat = rng.normal(0.0, km / 111.0, size=len(la))
        dlon = rng.normal(0.0, km / 111.0, size=len(la)) / np.cos(np.radians(lat0))
        return lat0 + dlat, lon0 + dlon


def geo_arrays(geography: Geography, vocab: Vocabulary, rng: np.random.Generator) -> GeoArrays:
    """Arrays of ``geography``; residence weights are drawn from ``rng`` (no names hard-coded)."""
    auths = list(geography.authorities)
    if not any(a.in_force for a in auths):
        raise ValueError("the geography has no authority inside the home force")
    bcu_names = np.array(geography.bcus, dtype=str)
    force_names = np.array(geography.forces, dtype=str)
    bcu_index = {b: i for i, b in enumerate(bcu_names)}
    force_index = {f: i for i, f in enumerate(force_names)}
    lat = np.array([a.latitude if a.latitude is not None else np.nan for a in auths], dtype=float)
    lon = np.array([a.longitude if a.longitude is not None else np.nan for a in auths], dtype=float)
    lat = np.where(np.isnan(lat), np.nanmean(lat) if np.isfinite(lat).any() else 54.0, lat)
    lon = np.where(np.isnan(lon), np.nanmean(lon) if np.isfinite(lon).any() else -2.5, lon)
    home = np.array([a.in_force for a in auths], dtype=bool)
    weight = rng.gamma(4.0, 1.0, size=len(auths))
    d_la, d_name = [], []
    for i, a in enumerate(auths):
        for d in districts_for(a.name, vocab):
            d_la.append(i)
            d_name.append(d)
    return GeoArrays(
        names=np.array([a.name for a in auths], dtype=str),
        bcu=np.array([bcu_index[a.bcu] if a.bcu else -1 for a in auths], dtype=np.int64),
        force=np.array([force_index[a.force] for a in auths], dtype=np.int64),
        lat=lat,
        lon=lon,
        home=home,
        weight=weight,
        bcu_names=bcu_names,
        force_names=force_names,
        district_la=np.array(d_la, dtype=np.int64),
        district=np.array(d_name, dtype=str),
    )
