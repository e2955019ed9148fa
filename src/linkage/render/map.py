"""``map.html``: care settings, businesses and the places children were found, at their coordinates, with the
care moves of the children at risk drawn as arrows, over the outlines of the local authorities. Offline.

No tiles and no request: the map is one inline SVG drawn here, in Python. Places
are projected equirectangularly around the data's mean latitude (east-west
distances scaled by its cosine), which is true to a few per cent over a county.
Each authority is outlined by the convex hull of its postcodes in the packaged
ONS directory (the directory's authority code is the one most of the
authority's places' postcodes carry), or, without postcodes, of its places;
hulls are shaded by BCU and labelled. A place known only by its authority's
centroid is drawn hollow and says so. Hovering a marker or an arrow shows its
facts (the SVG ``<title>``); clicking opens the child's or business's page.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from markupsafe import Markup

from ..build import Network
from ..files import write_text
from ..geography import authority_outlines
from ._html import esc
from ._template import page_assets, render_page

__all__ = ["write_map", "map_drawing", "MAP_WIDTH"]

#: the drawing's width in SVG units; its height follows the area's shape
MAP_WIDTH = 1000.0
_MARGIN = 30.0
#: BCU shades (a BCU's outline and label), in the order of the BCUs' names
_SHADES = ("#1f77b4", "#9467bd", "#17becf", "#bcbd22", "#8c564b", "#7f7f7f", "#e377c2", "#2ca02c")
#: one colour per child's moves, in the order of the children's pages
_MOVE_COLOURS = ("#d62728", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf")


class _Projection:
    """Latitude and longitude to SVG x and y (north up), fitted to the points given."""

    def __init__(self, lat: np.ndarray, lon: np.ndarray) -> None:
        self.k = float(np.cos(np.radians(np.mean(lat)))) if len(lat) else 1.0
        self.lon0, self.lat1 = (float(lon.min()), float(lat.max())) if len(lat) else (0.0, 0.0)
        span_x = max(float(lon.max() - lon.min()) * self.k, 1e-6) if len(lat) else 1.0
        span_y = max(float(lat.max() - lat.min()), 1e-6) if len(lat) else 1.0
        self.scale = (MAP_WIDTH - 2 * _MARGIN) / span_x
        self.height = span_y * self.scale + 2 * _MARGIN
        if self.height > MAP_WIDTH * 1.2:   # a tall area: fit the height instead
            self.scale *= MAP_WIDTH * 1.2 / self.height
            self.height = MAP_WIDTH * 1.2

    def __call__(self, lat, lon) -> tuple[np.ndarray, np.ndarray]:
        lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
        return (np.round((lon - self.lon0) * self.k * self.scale + _MARGIN, 1),
                np.round((self.lat1 - lat) * self.scale + _MARGIN, 1))


def _places(network: Network) -> pd.DataFrame:
    """Places to draw: care settings, businesses and found-locations with coordinates, with their kind and counts."""
    places = network.places
    if places is None or places.empty or "latitude" not in places:
        return pd.DataFrame(columns=["location_id", "name", "kind", "found", "latitude", "longitude", "approximate"])
    found = pd.Series(dtype="int64")
    if network.episodes is not None and len(network.episodes):
        found = network.episodes["found_location_id"].dropna().astype(str).value_counts()
    table = places.assign(location_id=places["location_id"].astype(str))
    table["found"] = table["location_id"].map(found).fillna(0).astype("int64")
    care = table["is_care_setting"].fillna(False).astype(bool) if "is_care_setting" in table else False
    business = table["is_business"].fillna(False).astype(bool) if "is_business" in table else False
    table["kind"] = np.where(care, "care setting", np.where(business, "business",
                                                             np.where(table["found"] > 0, "found-location", "")))
    table = table[(table["kind"] != "") & table["latitude"].notna() & table["longitude"].notna()]
    source = table["coordinate_source"] if "coordinate_source" in table else pd.Series("given", index=table.index)
    table = table.assign(approximate=(source == "authority_centroid").to_numpy())
    return table.sort_values("location_id", kind="stable")


def map_drawing(network: Network, *, care_moves: pd.DataFrame | None, children: dict[str, str],
                businesses: dict[str, str], labels: pd.Series | None = None) -> dict:
    """What ``map.html`` draws: areas, markers and arrows in SVG coordinates, and a summary line.

    ``children`` and ``businesses`` map an id to its page (the children whose moves are drawn, the
    businesses whose markers link to a page).
    """
    places = _places(network)
    moves = _moves(care_moves, children)
    everything = network.places if network.places is not None else pd.DataFrame()
    outlines = authority_outlines(everything) if len(everything) else {}
    bcu_of = _bcu_of(everything)
    # the view fits the places and the force's own authorities; other authorities' outlines run off its edge
    home = [o for name, o in outlines.items() if name in bcu_of]
    lat = np.concatenate([places["latitude"].to_numpy(np.float64)] + [o[:, 0] for o in home])
    lon = np.concatenate([places["longitude"].to_numpy(np.float64)] + [o[:, 1] for o in home])
    project = _Projection(lat, lon)
    areas, bcus = _areas(outlines, bcu_of, project)
    x, y = project(places["latitude"], places["longitude"])
    markers = []
    for row, px, py in zip(places.itertuples(index=False), x, y):
        name = row.name if isinstance(row.name, str) and row.name else row.location_id
        facts = [f"{name} ({row.location_id})", str(row.kind), str(getattr(row, "category", "") or "")]
        if row.found:
            facts.append(f"children found here {row.found} time{'s' if row.found != 1 else ''}")
        if row.approximate:
            facts.append("placed at its authority's centre: no coordinates or known postcode")
        markers.append({"x": px, "y": py, "kind": row.kind.replace(" ", "-").replace("-location", ""),
                        "r": round(4 + 2 * float(np.sqrt(row.found)), 1), "hollow": bool(row.approximate),
                        "title": "; ".join(f for f in facts if f), "href": businesses.get(row.location_id)})
    arrows = _arrows(moves, places, project, children, labels)
    shown = places["kind"].value_counts()
    missing = _without_coordinates(network)
    summary = (f"{shown.get('care setting', 0)} care settings, {shown.get('business', 0)} businesses and "
               f"{shown.get('found-location', 0)} other places children were found; "
               f"{len(arrows)} care moves of {len({a['child'] for a in arrows})} children at risk"
               + (f"; {missing} such places have no coordinates, postcode or known authority and are not shown"
                  if missing else ""))
    children_drawn = list(dict.fromkeys(a["child"] for a in arrows))
    names = {a["child"]: a["label"] for a in arrows}
    return {"width": MAP_WIDTH, "height": round(project.height, 1), "areas": areas, "bcus": bcus,
            "markers": markers, "arrows": arrows, "summary": summary,
            "children": [(child, names[child]) for child in children_drawn]}


#: a marker's shape by kind: its element, class, fill and stroke (``map.html`` once drew them in a template loop)
_MARKER_SHAPES = {"care-setting": ("polygon", "care-setting", "#e377c2", "#8a2b6b"),
                  "business": ("polygon", "business", "#2ca02c", "#1b5e20"), "found": ("circle", "found", "#ff7f0e", "#a0522d")}


def _number(value) -> str:
    """A coordinate as ``esc`` writes it: a number's text has nothing to escape (NaN as ''); anything else
    goes through ``esc``."""
    if isinstance(value, (float, np.floating)):
        return "" if value != value else str(value)
    return esc(value)


def _marker_points(m: dict) -> str:
    x, y, r = m["x"], m["y"], m["r"]
    if m["kind"] == "care-setting":
        return f'points="{_number(x)},{_number(y - r)} {_number(x - r)},{_number(y + r)} {_number(x + r)},{_number(y + r)}"'
    if m["kind"] == "business":
        return f'points="{_number(x)},{_number(y - r)} {_number(x + r)},{_number(y)} {_number(x)},{_number(y + r)} {_number(x - r)},{_number(y)}"'
    return f'cx="{_number(x)}" cy="{_number(y)}" r="{_number(r)}"'


def marker_svg(markers: list[dict]) -> Markup:
    """The markers as SVG elements, every value escaped (``esc``): tens of thousands on a county's map, which a
    template loop took seconds to write."""
    parts = []
    for m in markers:
        element, kind, fill, stroke = _MARKER_SHAPES.get(m["kind"], _MARKER_SHAPES["found"])
        shape = (f'<{element} class="marker {kind}" {_marker_points(m)} fill="{"none" if m["hollow"] else fill}" '
                 f'stroke="{stroke}"><title>{esc(m["title"])}</title></{element}>')
        parts.append(f'<a class="marker-link" href="{esc(m["href"])}">{shape}</a>' if m["href"] else shape)
    return Markup("".join(parts))


def _without_coordinates(network: Network) -> int:
    places = network.places
    if places is None or places.empty:
        return 0
    relevant = np.zeros(len(places), dtype=bool)
    for column in ("is_care_setting", "is_business"):
        if column in places:
            relevant |= places[column].fillna(False).astype(bool).to_numpy()
    return int((relevant & (places["latitude"].isna() | places["longitude"].isna()).to_numpy()).sum())


def _moves(care_moves: pd.DataFrame | None, children: dict[str, str]) -> pd.DataFrame:
    if care_moves is None or care_moves.empty or not children:
        return pd.DataFrame(columns=["entity_id", "move_number", "from_location_id", "to_location_id", "move_date",
                                     "distance_km"])
    moves = care_moves[care_moves["entity_id"].astype(str).isin(list(children))]
    return moves.sort_values(["entity_id", "move_number"], kind="stable")


def _arrows(moves: pd.DataFrame, places: pd.DataFrame, project: _Projection, children: dict[str, str],
            labels: pd.Series | None) -> list[dict]:
    where = places.set_index("location_id")[["latitude", "longitude"]]
    order = {child: i for i, child in enumerate(children)}
    arrows = []
    for move in moves.itertuples(index=False):
        start, end = str(move.from_location_id), str(move.to_location_id)
        if start not in where.index or end not in where.index or start == end:
            continue
        (x1, x2), (y1, y2) = project(where.loc[[start, end], "latitude"], where.loc[[start, end], "longitude"])
        child = str(move.entity_id)
        label = str(labels.get(child, child)) if labels is not None else child
        distance = "" if pd.isna(move.distance_km) else f"{float(move.distance_km):.0f} km"
        date = pd.Timestamp(move.move_date).date().isoformat() if pd.notna(move.move_date) else "date unknown"
        arrows.append({"x1": x1, "y1": y1, "x2": x2, "y2": y2, "child": child, "href": children[child], "label": label,
                       "number": int(move.move_number),
                       "colour": _MOVE_COLOURS[order[child] % len(_MOVE_COLOURS)], "distance": distance,
                       "mx": round((x1 + x2) / 2, 1), "my": round((y1 + y2) / 2, 1),
                       "title": f"{label} ({child}): move {int(move.move_number)} on {date}, {start} to {end}"
                                + (f", {distance}" if distance else "")})
    return arrows


def _bcu_of(places: pd.DataFrame) -> dict[str, str]:
    """Each in-force authority's BCU, from the places (an authority with no BCU is outside the force)."""
    if not len(places) or "bcu" not in places or "local_authority" not in places:
        return {}
    known = places.dropna(subset=["local_authority", "bcu"])
    return dict(zip(known["local_authority"].astype(str), known["bcu"].astype(str)))


def _areas(outlines: dict[str, np.ndarray], bcu_of: dict[str, str], project: _Projection) -> tuple[list, list]:
    """The authorities' outlines (shaded by BCU) and one label per BCU, at the middle of its authorities."""
    shade = {bcu: _SHADES[i % len(_SHADES)] for i, bcu in enumerate(sorted(set(bcu_of.values())))}
    areas, centres = [], {}
    for authority, hull in sorted(outlines.items()):
        x, y = project(hull[:, 0], hull[:, 1])
        bcu = bcu_of.get(authority, "")
        areas.append({"name": authority, "bcu": bcu, "colour": shade.get(bcu, "#999999"),
                      "points": " ".join(f"{a:g},{b:g}" for a, b in zip(x, y)),
                      "lx": round(float(x.mean()), 1), "ly": round(float(y.mean()), 1)})
        if bcu:
            centres.setdefault(bcu, []).append((float(x.mean()), float(y.mean())))
    bcus = [{"name": bcu, "colour": shade[bcu], "x": round(float(np.mean([c[0] for c in points])), 1),
             "y": round(float(np.mean([c[1] for c in points])), 1)} for bcu, points in sorted(centres.items())]
    return areas, bcus


def write_map(network: Network, folder: str | Path, *, care_moves: pd.DataFrame | None, children: dict[str, str],
              businesses: dict[str, str], labels: pd.Series | None = None, title: str = "linkage") -> Path:
    """Write ``map.html`` into ``folder`` and return its path."""
    drawing = map_drawing(network, care_moves=care_moves, children=children, businesses=businesses, labels=labels)
    text = render_page("map.html", title=f"{title}: map", subtitle=drawing["summary"], map=drawing,
                       marker_svg=marker_svg(drawing["markers"]),
                       **page_assets(scripts=("map.js",), styles=("page.css", "map.css")))
    return write_text(text, Path(folder) / "map.html")
