"""police.uk street-level crime CSVs as contract ``events`` and ``locations``: a context layer.

police.uk publishes every force's recorded crime and anti-social behaviour
by month, at anonymised map points (``On or near Fishergate``).  Each row
becomes an event; each map point a ``locations`` row (``public_space``,
``transport_hub`` or ``school``; never a business, and never in the
night-time economy).  No person is named in police.uk data, so the layer
adds places and events around the network, not people.

- A blank ``Crime ID`` is normal (anti-social behaviour has none): the event
  gets a deterministic id from the row's content (``pu-`` and 16 hex digits,
  ``-2``, ``-3`` for identical rows).
- A row with neither longitude nor latitude (police.uk could not place it) is
  kept as an event without a place; half a coordinate, or one that is not a
  number in range, is rejected.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..._arrow import isin
from .._parse import map_unique, parse_float
from .._validate import REJECT_COLUMNS
from ._common import ImportResult, Rejects, prepare_import_out, read_source, write_import

__all__ = ["import_police_uk", "EVENT_CATEGORIES", "LIVE_OUTCOMES"]

_REQUIRED = ("MONTH", "LONGITUDE", "LATITUDE", "CRIME_TYPE")
#: police.uk crime type (lower case) -> ``events.category``; every other type is ``other``
EVENT_CATEGORIES = {
    "drugs": "drugs",
    "violence and sexual offences": "violence",
    "robbery": "violence",
    "possession of weapons": "violence",
}
#: outcomes that leave a crime ``live``; any other outcome is ``closed``
LIVE_OUTCOMES = ("under investigation", "awaiting court outcome")
_ASB = "anti-social behaviour"
#: keyword in police.uk's "On or near ..." text -> ``locations.category``; the rest are public_space
_PLACE_KINDS = (
    (r"petrol station", "public_space"),
    (r"station|airport|bus/coach|coach station", "transport_hub"),
    (r"school|educational", "school"),
)


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(pd.NA, index=frame.index, dtype="str")


def _read_file(path: Path) -> tuple[pd.DataFrame, Rejects, int]:
    raw = read_source(path, what="police.uk street-level crime file", option="FILE", required=_REQUIRED)
    frame = raw.frame
    rejects = Rejects(path.name, raw.lines)
    rejects.add_bad_rows(raw)
    month = frame["MONTH"]
    when = pd.to_datetime(month.where(month.str.match(r"^\d{4}-\d{2}$", na=False)), format="%Y-%m", errors="coerce")
    rejects.add(month.isna().to_numpy(), "Month", "", "Month is empty; fill in the month as YYYY-MM, e.g. 2024-03")
    rejects.add(
        (month.notna() & when.isna()).to_numpy(), "Month", month,
        "Month '" + month.fillna("") + "' is not a month in police.uk's layout YYYY-MM, e.g. 2024-03; correct it",
    )
    crime_type = frame["CRIME_TYPE"]
    rejects.add(crime_type.isna().to_numpy(), "Crime type", "", "Crime type is empty; fill it in (e.g. Anti-social behaviour) or remove the row")
    coordinates = {}
    for column, label, low, high in (("LATITUDE", "Latitude", -90, 90), ("LONGITUDE", "Longitude", -180, 180)):
        parsed = parse_float(frame[column], minimum=low, maximum=high)
        rejects.add(parsed.bad, label, frame[column], label + " '" + frame[column].fillna("") + "' " + parsed.reason)
        coordinates[column] = parsed.values
    for column, label, other in (("LATITUDE", "Latitude", "LONGITUDE"), ("LONGITUDE", "Longitude", "LATITUDE")):
        rejects.add(
            (frame[column].isna() & frame[other].notna()).to_numpy(), label, "",
            f"{label} is empty but {other.title()} is not; give both, or neither when the place is unknown",
        )
    out = pd.DataFrame(
        {
            "crime_id": frame["CRIME_ID"] if "CRIME_ID" in frame else pd.Series(pd.NA, index=frame.index, dtype="str"),
            "month": month,
            "reported_by": _text(frame, "REPORTED_BY"),
            "falls_within": _text(frame, "FALLS_WITHIN"),
            "latitude": coordinates["LATITUDE"],
            "longitude": coordinates["LONGITUDE"],
            "place": _text(frame, "LOCATION"),
            "lsoa_code": _text(frame, "LSOA_CODE"),
            "lsoa_name": _text(frame, "LSOA_NAME"),
            "crime_type": crime_type,
            "outcome": _text(frame, "LAST_OUTCOME_CATEGORY"),
            "context": _text(frame, "CONTEXT"),
            "_file": path.name,
            "_line": raw.lines,
        },
        index=frame.index,
    )
    return out, rejects, len(frame) + len(raw.bad_rows)


def _event_ids(rows: pd.DataFrame) -> pd.Series:
    """The Crime ID, or for a row without one an id hashed from its content (identical rows numbered)."""
    content = rows[["month", "reported_by", "latitude", "longitude", "place", "lsoa_code", "crime_type", "outcome"]]
    digest = pd.util.hash_pandas_object(content.astype(str), index=False).to_numpy(dtype=np.uint64)
    # 16 hex digits per row without a Python loop: the digests' bytes as one hex string, cut every 16 characters
    hexed = np.frombuffer(digest.astype(">u8").tobytes().hex().encode("ascii"), dtype="S16").astype(str)
    generated = "pu-" + pd.Series(hexed, index=rows.index, dtype=object)
    number = generated.groupby(generated.to_numpy()).cumcount()
    generated = generated.where(number == 0, generated + "-" + (number + 1).astype(str))
    return rows["crime_id"].where(rows["crime_id"].notna(), generated)


def _place_category(names: pd.Series) -> pd.Series:
    lowered = names.fillna("").str.lower()
    category = pd.Series("public_space", index=names.index, dtype=object)
    decided = pd.Series(False, index=names.index)
    for pattern, kind in _PLACE_KINDS:
        hit = lowered.str.contains(pattern, regex=True) & ~decided
        category[hit] = kind
        decided |= hit
    return category


def import_police_uk(out: str | Path, files: list[str | Path]) -> ImportResult:
    """Import police.uk street-level crime CSVs (one or many months, one or many forces) into ``out``.

    Writes ``events.csv`` (``event_type`` crime, or incident for anti-social
    behaviour; ``date`` the month as YYYY-MM; ``status`` live while under
    investigation or awaiting court, else closed; ``local_authority`` from the
    LSOA name) and ``locations.csv`` (one row per map point), beside what other
    imports wrote there, plus ``rejects.csv``.  Raises ``DataError`` when a
    file is missing or is not in police.uk's layout.

    Examples
    --------
    >>> result = import_police_uk("data/context", ["2024-03-lancashire-street.csv"])  # doctest: +SKIP
    >>> result.tables["events"]["event_type"].value_counts()                            # doctest: +SKIP
    """
    if not files:
        from ...errors import DataError

        raise DataError("no police.uk files given; name one or more street-level crime CSVs, e.g. 2024-03-lancashire-street.csv")
    cleaned = prepare_import_out(out, {f"FILES ({Path(f).name})": f for f in files})
    parts, reject_parts, infos = [], [], []
    seen = pd.Series(dtype=object)  # Crime ID -> "file row N" where it was first kept
    for path in map(Path, files):
        rows, rejects, n_read = _read_file(path)
        crime_id = rows["crime_id"]
        candidates = crime_id.notna().to_numpy() & ~rejects.rejected
        earlier = candidates & isin(crime_id, pd.Series(seen.index, dtype="str"))
        repeat = candidates & ~earlier & crime_id.duplicated(keep="first").to_numpy()
        first_line = rows[candidates & ~earlier].drop_duplicates("crime_id").set_index("crime_id")["_line"]
        where = crime_id.map(seen).fillna(path.name + " row " + crime_id.map(first_line).astype("Int64").astype(str))
        rejects.add(
            earlier | repeat, "Crime ID", crime_id,
            "Crime ID '" + crime_id.fillna("") + "' is already on " + where.astype(str)
            + "; the same crime is listed twice (overlapping downloads?), remove one",
        )
        kept = rows[~rejects.rejected]
        new_ids = kept.loc[kept["crime_id"].notna(), ["crime_id", "_line"]]
        seen = pd.concat([seen, pd.Series((path.name + " row " + new_ids["_line"].astype(str)).to_numpy(), index=new_ids["crime_id"].to_numpy())])
        parts.append(kept)
        reject_parts.append(rejects)
        infos.append({"file": str(path), "table": "events", "read": n_read, "rejected": rejects.count()})
    rows = pd.concat(parts, ignore_index=True)
    rows["event_id"] = _event_ids(rows)
    located = rows["latitude"].notna() & rows["longitude"].notna()
    def fixed(value) -> str | None:
        return None if value is None or pd.isna(value) else f"{value:.6f}"

    point = "pu:" + map_unique(rows["latitude"], fixed) + "," + map_unique(rows["longitude"], fixed)
    rows["location_id"] = point.where(located)
    # "Preston 014A" is in Preston: the LSOA name less its code, worked out once per LSOA
    codes, names = pd.factorize(rows["lsoa_name"])
    towns = pd.Series(names, dtype=object).str.replace(r"\s+\d{3}[A-Z]$", "", regex=True).to_numpy(dtype=object)
    authority = pd.Series(np.where(codes >= 0, towns[np.maximum(codes, 0)] if len(towns) else None, None), index=rows.index)
    crime_type = rows["crime_type"].str.lower()
    outcome = rows["outcome"].str.lower()
    events = pd.DataFrame(
        {
            "event_id": rows["event_id"],
            "event_type": np.where(crime_type == _ASB, "incident", "crime"),
            "category": crime_type.map(EVENT_CATEGORIES).fillna("other"),
            "operation": None,
            "date": rows["month"],
            "location_id": rows["location_id"],
            "local_authority": authority,
            "status": np.where(outcome.isna(), None, np.where(outcome.isin(LIVE_OUTCOMES), "live", "closed")),
            "crime_type": rows["crime_type"],
            "outcome": rows["outcome"],
            "context": rows["context"],
            "reported_by": rows["reported_by"],
            "falls_within": rows["falls_within"],
            "lsoa_code": rows["lsoa_code"],
            "source_file": rows["_file"],
            "source_row": rows["_line"],
        }
    )
    points = rows[located].drop_duplicates("location_id")
    locations = pd.DataFrame(
        {
            "location_id": points["location_id"],
            "category": _place_category(points["place"]),
            "name": points["place"],
            "night_time_economy": False,
            "postcode": None,
            "local_authority": authority[points.index],
            "latitude": points["latitude"].astype(float),
            "longitude": points["longitude"].astype(float),
        }
    ).reset_index(drop=True)
    for info in infos:
        info["written"] = int((events["source_file"] == Path(info["file"]).name).sum())
    rejects = pd.concat([r.frame() for r in reject_parts], ignore_index=True)[REJECT_COLUMNS]
    rejects = rejects.sort_values(["row"], kind="stable")
    order = {Path(info["file"]).name: i for i, info in enumerate(infos)}
    rejects = rejects.assign(_f=rejects["table"].map(order)).sort_values(["_f", "row"], kind="stable").drop(columns="_f")
    rejects = rejects.reset_index(drop=True)
    notes = [
        f"{len(events)} events at {len(locations)} map points; "
        f"{int((~located).sum())} event(s) without coordinates kept without a place"
    ]
    tables = {"locations": locations, "events": events}
    write_import(out, tables, rejects, imported_from="police.uk", source_files=list(order))
    return ImportResult(Path(out), tables, rejects, infos, cleaned + notes)
