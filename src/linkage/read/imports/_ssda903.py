"""SSDA903, the looked-after-children return every English council sends the DfE, as contract tables.

- Header (``CHILD, SEX, DOB, ETHNIC, UPN, ...``) -> ``people``, one row per child;
- Episodes (``CHILD, DECOM, ..., PLACE, DEC, REC, REASON_PLACE_CHANGE,
  HOME_POST, PL_POST, URN``) -> ``placements`` and their care settings as
  ``locations``. Consecutive episodes of a child at one ``URN`` (a change of
  legal status, not a move) are one placement; a new ``URN`` is a move;
- Missing (``CHILD, DOB, MISSING, MIS_START, MIS_END``) -> ``missing_episodes``.

Rows that cannot be used are rejected with the file, line, column, value and
fix; the rest imports. See ``docs/importing.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..._arrow import isin
from ...geography import haversine_km, postcode_points
from ...contract import SSDA903_PLACE_CODES, TABLES
from .._validate import REJECT_COLUMNS
from ._common import ImportResult, Rejects, parse_uk_date, prepare_import_out, read_source, write_import

__all__ = ["import_ssda903", "PLACE_CATEGORIES", "NO_URN"]

#: the care-setting category (``locations.category``) of each SSDA903 PLACE code
PLACE_CATEGORIES: dict[str, str] = {
    **{code: "foster_home" for code in ("A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6")},
    **{code: "children_home" for code in ("K1", "K2", "H5", "R1")},
    "S1": "school",
    "P1": "address",
    "P2": "address",
}
#: what the return writes in URN for a setting with no Ofsted number
NO_URN = r"^[Xx]+$"

_SEX = {"1": "M", "2": "F"}
_MISSING = {"M": "missing", "A": "absent"}
_HEADER_REQUIRED = ("CHILD", "SEX", "DOB")
_EPISODES_REQUIRED = ("CHILD", "DECOM", "URN")
_MISSING_REQUIRED = ("CHILD", "MIS_START")


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(pd.NA, index=frame.index, dtype="str")


def _iso(values: pd.Series) -> pd.Series:
    return values.dt.strftime("%Y-%m-%d").astype(object).where(values.notna(), None)


def _extras(frame: pd.DataFrame, used: tuple[str, ...], table: str) -> pd.DataFrame:
    """The columns the importer does not map, kept under lower-case names (never a contract name)."""
    contract = set(TABLES[table].column_names)
    out = {}
    for column in frame.columns:
        if column in used:
            continue
        name = column.lower()
        out["ssda903_" + name if name in contract else name] = frame[column]
    return pd.DataFrame(out, index=frame.index)


def _first_line(keys: pd.Series, lines: np.ndarray, candidates: np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """Rows (among ``candidates``) whose key repeats an earlier row's, and the line of that earlier row."""
    repeat = np.zeros(len(keys), dtype=bool)
    sub = keys[candidates]
    dup = sub.duplicated(keep="first").to_numpy()
    first = pd.Series(pd.NA, index=keys.index, dtype=object)
    if dup.any():
        repeat[np.flatnonzero(candidates)[dup]] = True
        first_line = pd.Series(lines[candidates], index=sub.index).groupby(sub.to_numpy()).transform("first")
        first[first_line.index] = first_line.astype(str)
    return repeat, first


def _read_header(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    raw = read_source(path, what="SSDA903 header file", option="--header", required=_HEADER_REQUIRED)
    frame, name = raw.frame, path.name
    rejects = Rejects(name, raw.lines)
    rejects.add_bad_rows(raw)
    child = frame["CHILD"]
    rejects.add(child.isna().to_numpy(), "CHILD", "", "CHILD is empty; fill in the child's reference or remove the row")
    sex = frame["SEX"].map(_SEX)
    rejects.add(
        (frame["SEX"].notna() & sex.isna()).to_numpy(), "SEX", frame["SEX"],
        "SEX '" + frame["SEX"].fillna("") + "' is not an SSDA903 sex code; write 1 (male) or 2 (female)",
    )
    dob, bad, why = parse_uk_date(frame["DOB"], "DOB")
    rejects.add(bad, "DOB", frame["DOB"], why)
    repeat, first = _first_line(child, raw.lines, child.notna().to_numpy() & ~rejects.rejected)
    rejects.add(
        repeat, "CHILD", child,
        "CHILD '" + child.fillna("") + "' is already on row " + first.fillna("") + "; a child has one header row, remove the repeat",
    )
    keep = ~rejects.rejected
    people = pd.DataFrame(
        {"record_id": child, "dob": _iso(dob), "sex": sex, "_dob": dob}, index=frame.index
    ).join(_extras(frame, ("CHILD", "SEX", "DOB"), "people"))[keep]
    info = {"file": str(path), "table": "people", "read": len(frame) + len(raw.bad_rows), "rejected": rejects.count()}
    return people.reset_index(drop=True), rejects.frame(), info


def _read_episodes(path: Path, dobs: pd.Series, header_name: str) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    raw = read_source(path, what="SSDA903 episodes file", option="--episodes", required=_EPISODES_REQUIRED)
    frame, name, lines = raw.frame, path.name, raw.lines
    rejects = Rejects(name, lines)
    rejects.add_bad_rows(raw)
    child = frame["CHILD"]
    rejects.add(child.isna().to_numpy(), "CHILD", "", "CHILD is empty; fill in the child's reference or remove the row")
    unknown = child.notna().to_numpy() & ~isin(child, pd.Series(dobs.index, dtype="str"))
    rejects.add(
        unknown, "CHILD", child,
        "CHILD '" + child.fillna("") + f"' is not among the kept children of {header_name}; "
        f"correct the reference, or add the child to {header_name} (or fix their rejected row there)",
    )
    start, bad, why = parse_uk_date(frame["DECOM"], "DECOM")
    rejects.add(frame["DECOM"].isna().to_numpy(), "DECOM", "", "DECOM (episode start) is empty; fill in the date, dd/mm/yyyy")
    rejects.add(bad, "DECOM", frame["DECOM"], why)
    end, bad, why = parse_uk_date(_column(frame, "DEC"), "DEC")
    rejects.add(bad, "DEC", _column(frame, "DEC"), why)
    backwards = (start.notna() & end.notna() & (end < start)).to_numpy()
    rejects.add(
        backwards, "DEC", _column(frame, "DEC"),
        "DEC " + _column(frame, "DEC").fillna("") + " is before DECOM " + frame["DECOM"].fillna("")
        + "; correct whichever date is wrong",
    )
    urn = frame["URN"]
    rejects.add(
        urn.isna().to_numpy(), "URN", "",
        "URN is empty; write the Ofsted URN of the care setting, or XXXXXXX when the setting has none",
    )
    place = _column(frame, "PLACE").str.upper()
    rejects.add(
        (place.notna() & ~place.isin(SSDA903_PLACE_CODES)).to_numpy(), "PLACE", _column(frame, "PLACE"),
        "PLACE '" + _column(frame, "PLACE").fillna("") + "' is not an SSDA903 placement code ("
        + ", ".join(SSDA903_PLACE_CODES) + "); correct it at source",
    )
    key = child.fillna("") + "|" + start.dt.strftime("%Y-%m-%d").fillna("")
    repeat, first = _first_line(key, lines, ~rejects.rejected)
    rejects.add(
        repeat, "DECOM", frame["DECOM"],
        "CHILD '" + child.fillna("") + "' already has an episode starting " + frame["DECOM"].fillna("")
        + " on row " + first.fillna("") + "; remove the repeat",
    )
    # each episode's child's DOB (none when the header file has no kept children)
    born = pd.to_datetime(child.map(dobs), errors="coerce") if len(dobs) else pd.Series(pd.NaT, index=child.index, dtype="datetime64[s]")
    rejects.add(
        (start.notna() & born.notna() & (start < born)).to_numpy(), "DECOM", frame["DECOM"],
        "DECOM " + frame["DECOM"].fillna("") + f" is before the child's DOB in {header_name}; "
        "is CHILD right? correct whichever date is wrong",
    )
    # only a child's latest episode may be open: an earlier open one would never end
    order = pd.DataFrame({"child": child, "start": start, "line": lines})[~rejects.rejected]
    order = order.sort_values(["child", "start", "line"], kind="stable")
    followed = order["child"].eq(order["child"].shift(-1))
    next_line = order["line"].shift(-1)
    next_start = frame["DECOM"].reindex(order.index).shift(-1)
    stuck = followed & end.reindex(order.index).isna()
    reason = pd.Series("", index=frame.index, dtype=object)
    reason[stuck[stuck].index] = (
        "DEC is empty but the child has a later episode (DECOM " + next_start[stuck].astype(str) + " on row "
        + next_line[stuck].astype("int64").astype(str) + "); fill in DEC, usually the later episode's DECOM"
    )
    rejects.add(frame.index.isin(stuck[stuck].index), "DEC", "", reason)
    keep = ~rejects.rejected
    no_urn = urn.str.match(NO_URN, na=False)
    pl_post = _column(frame, "PL_POST").str.upper()
    # a setting with no Ofsted number is the child's own (a foster or family home): never a shared setting
    own = "no-urn:" + child.fillna("") + ":" + pl_post.str.replace(" ", "", regex=False).fillna("unknown")
    episodes = pd.DataFrame(
        {
            "record_id": child,
            "location_id": urn.where(~no_urn, own),
            "start": start,
            "end": end,
            "place": place,
            "reason": _column(frame, "REASON_PLACE_CHANGE").where(
                _column(frame, "REASON_PLACE_CHANGE").notna(), _column(frame, "REC").where(_column(frame, "REC") != "X1")
            ),
            "legal_status": _column(frame, "LS"),
            "home_post": _column(frame, "HOME_POST").str.upper(),
            "pl_post": pl_post,
            "line": lines,
        },
        index=frame.index,
    )[keep]
    info = {"file": str(path), "table": "placements", "read": len(frame) + len(raw.bad_rows), "rejected": rejects.count()}
    return episodes.reset_index(drop=True), rejects.frame(), info


def _merge_episodes(episodes: pd.DataFrame, authority: str | None) -> pd.DataFrame:
    """One placement per run of consecutive episodes of a child at one setting (no gap between them)."""
    e = episodes.sort_values(["record_id", "start", "line"], kind="stable").reset_index(drop=True)
    same_child = e["record_id"].eq(e["record_id"].shift())
    previous_end = e["end"].shift()
    joined = previous_end.isna() | (previous_end >= e["start"])
    continues = same_child & e["location_id"].eq(e["location_id"].shift()) & joined
    run = (~continues).cumsum()
    last = (run != run.shift(-1)).to_numpy()
    grouped = e.groupby(run, sort=False)
    placements = grouped.agg(
        record_id=("record_id", "first"),
        location_id=("location_id", "first"),
        start_date=("start", "first"),
        placement_type=("place", "last"),
        episodes=("line", "size"),
        source_row=("line", "first"),
        home_postcode=("home_post", "first"),
        placement_postcode=("pl_post", "last"),
    ).reset_index(drop=True)
    # the end, the reason it ended and the legal status are the last episode's (an open last episode is open)
    ending = e.loc[last, ["end", "reason", "legal_status"]].reset_index(drop=True)
    placements["end_date"] = ending["end"]
    placements["reason_for_change"] = ending["reason"]
    placements["legal_status"] = ending["legal_status"]
    placements.insert(0, "placement_id", placements["record_id"] + "-" + placements["start_date"].dt.strftime("%Y%m%d"))
    placements["placing_authority"] = authority
    home = postcode_points(placements["home_postcode"])
    setting = postcode_points(placements["placement_postcode"])
    placements["distance_from_home_km"] = np.round(
        haversine_km(home["latitude"], home["longitude"], setting["latitude"], setting["longitude"]), 2
    )
    extras = ["legal_status", "episodes", "source_row", "home_postcode", "placement_postcode", "distance_from_home_km"]
    return placements.reindex(columns=[*TABLES["placements"].column_names, *extras])


def _locations(placements: pd.DataFrame) -> pd.DataFrame:
    """Each care setting once: its category from the latest placement's PLACE code, its postcode from PL_POST."""
    latest = placements.sort_values(["start_date", "source_row"], kind="stable")
    postcode = latest.dropna(subset=["placement_postcode"]).groupby("location_id")["placement_postcode"].last()
    place = latest.groupby("location_id")["placement_type"].last()
    frame = pd.DataFrame({"location_id": place.index})
    frame["category"] = place.map(PLACE_CATEGORIES).fillna("other").to_numpy()
    frame["postcode"] = frame["location_id"].map(postcode)
    frame["ssda903_place"] = place.to_numpy()
    return frame.reindex(columns=[*TABLES["locations"].column_names, "ssda903_place"])


def _read_missing(
    path: Path, people: pd.DataFrame, placements: pd.DataFrame | None, header_name: str
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    raw = read_source(path, what="SSDA903 missing file", option="--missing", required=_MISSING_REQUIRED)
    frame, name, lines = raw.frame, path.name, raw.lines
    rejects = Rejects(name, lines)
    rejects.add_bad_rows(raw)
    child = frame["CHILD"]
    rejects.add(child.isna().to_numpy(), "CHILD", "", "CHILD is empty; fill in the child's reference or remove the row")
    rejects.add(
        child.notna().to_numpy() & ~isin(child, people["record_id"]), "CHILD", child,
        "CHILD '" + child.fillna("") + f"' is not among the kept children of {header_name}; "
        f"correct the reference, or add the child to {header_name} (or fix their rejected row there)",
    )
    code = _column(frame, "MISSING").str.upper()
    kind = code.map(_MISSING)
    rejects.add(
        (code.notna() & kind.isna()).to_numpy(), "MISSING", _column(frame, "MISSING"),
        "MISSING '" + _column(frame, "MISSING").fillna("") + "' is not an SSDA903 code; write M (missing) or A (away without authorisation)",
    )
    start, bad, why = parse_uk_date(frame["MIS_START"], "MIS_START")
    rejects.add(frame["MIS_START"].isna().to_numpy(), "MIS_START", "", "MIS_START is empty; fill in the date the child went missing, dd/mm/yyyy")
    rejects.add(bad, "MIS_START", frame["MIS_START"], why)
    end, bad, why = parse_uk_date(_column(frame, "MIS_END"), "MIS_END")
    rejects.add(bad, "MIS_END", _column(frame, "MIS_END"), why)
    rejects.add(
        (start.notna() & end.notna() & (end < start)).to_numpy(), "MIS_END", _column(frame, "MIS_END"),
        "MIS_END " + _column(frame, "MIS_END").fillna("") + " is before MIS_START " + frame["MIS_START"].fillna("")
        + "; correct whichever date is wrong",
    )
    dob, bad, why = parse_uk_date(_column(frame, "DOB"), "DOB")
    rejects.add(bad, "DOB", _column(frame, "DOB"), why)
    header_dob = child.map(people.set_index("record_id")["_dob"]) if len(people) else pd.Series(pd.NaT, index=child.index)
    header_dob = pd.to_datetime(header_dob).astype("datetime64[s]")
    differs = (dob.notna() & header_dob.notna() & (dob != header_dob)).to_numpy()
    rejects.add(
        differs, "DOB", _column(frame, "DOB"),
        "DOB " + _column(frame, "DOB").fillna("") + f" differs from the child's DOB in {header_name} ("
        + header_dob.dt.strftime("%d/%m/%Y").fillna("") + "); is CHILD right? correct whichever is wrong",
    )
    key = child.fillna("") + "|" + start.dt.strftime("%Y-%m-%d").fillna("") + "|" + kind.fillna("")
    repeat, first = _first_line(key, lines, ~rejects.rejected)
    rejects.add(
        repeat, "MIS_START", frame["MIS_START"],
        "repeats the episode on row " + first.fillna("") + " (same CHILD, MIS_START and MISSING); remove the repeat",
    )
    keep = ~rejects.rejected
    episodes = pd.DataFrame({"record_id": child, "start": start, "end": end, "kind": kind, "line": lines}, index=frame.index)[keep]
    episodes = episodes.reset_index(drop=True)
    base = episodes["record_id"] + "-" + episodes["start"].dt.strftime("%Y%m%d")
    number = episodes.groupby(base).cumcount()
    episodes["episode_id"] = base.where(number == 0, base + "-" + (number + 1).astype(str))
    episodes["from_location_id"] = _setting_at(episodes, placements)
    out = pd.DataFrame(
        {
            "episode_id": episodes["episode_id"],
            "record_id": episodes["record_id"],
            "start": _iso(episodes["start"]),
            "end": _iso(episodes["end"]),
            "kind": episodes["kind"],
            "from_location_id": episodes["from_location_id"],
            "found_location_id": None,
            "found_with": None,
            "source_row": episodes["line"],
        }
    )
    info = {"file": str(path), "table": "missing_episodes", "read": len(frame) + len(raw.bad_rows), "rejected": rejects.count()}
    return out, rejects.frame(), info


def _setting_at(episodes: pd.DataFrame, placements: pd.DataFrame | None) -> pd.Series:
    """The care setting each child was placed in when the episode started (empty when none)."""
    none = pd.Series(None, index=episodes.index, dtype=object)
    if placements is None or placements.empty or episodes.empty:
        return none
    left = episodes[["record_id", "start"]].reset_index().sort_values("start", kind="stable")
    right = placements[["record_id", "start_date", "end_date", "location_id"]].sort_values("start_date", kind="stable")
    joined = pd.merge_asof(left, right, left_on="start", right_on="start_date", by="record_id", direction="backward")
    inside = joined["end_date"].isna() | (joined["end_date"] >= joined["start"])
    located = joined["location_id"].where(inside & joined["start_date"].notna())
    return pd.Series(located.to_numpy(dtype=object), index=joined["index"].to_numpy()).reindex(episodes.index).astype(object)


def import_ssda903(
    out: str | Path,
    *,
    header: str | Path,
    episodes: str | Path | None = None,
    missing: str | Path | None = None,
    source: str = "social_care",
    authority: str | None = None,
) -> ImportResult:
    """Import an SSDA903 return (header, and optionally episodes and missing) into the dataset folder ``out``.

    Writes ``people.csv`` (one row per child, flagged ``looked_after``), and
    with episodes ``placements.csv`` and ``locations.csv`` (one care setting
    per URN), with missing ``missing_episodes.csv``, plus ``rejects.csv``
    (``table`` is the SSDA903 file's name, ``row`` its line).  ``authority``
    (the council making the return) fills ``people.local_authority`` and
    ``placements.placing_authority``.  Raises ``DataError`` when a file is
    missing or lacks a column the format needs; bad rows never raise.

    Examples
    --------
    >>> result = import_ssda903("data/903", header="header.csv", episodes="episodes.csv")  # doctest: +SKIP
    >>> result.tables["placements"][["record_id", "location_id", "start_date"]].head()    # doctest: +SKIP
    """
    cleaned = prepare_import_out(out, {"--header": header, "--episodes": episodes, "--missing": missing})
    header = Path(header)
    people, header_rejects, header_info = _read_header(header)
    people.insert(1, "source", source)
    files = [header_info]
    reject_parts = [header_rejects]
    tables: dict[str, pd.DataFrame] = {}
    placements = None
    notes: list[str] = list(cleaned)
    people["postcode"] = None
    if episodes is not None:
        episodes = Path(episodes)
        dobs = people.set_index("record_id")["_dob"]
        kept, episode_rejects, info = _read_episodes(episodes, dobs, header.name)
        files.append(info)
        reject_parts.append(episode_rejects)
        placements = _merge_episodes(kept, authority)
        info["written"] = len(placements)
        info["merged"] = len(kept) - len(placements)
        locations = _locations(placements)
        # a child's home postcode: the one on their latest episode
        latest_home = kept.dropna(subset=["home_post"]).sort_values(["start", "line"]).groupby("record_id")["home_post"].last()
        people["postcode"] = people["record_id"].map(latest_home)
        known = placements["distance_from_home_km"].notna().sum()
        notes.append(
            f"{len(kept)} episodes -> {len(placements)} placements at {len(locations)} care settings; "
            f"distance from home known for {known} placement(s) (both postcodes found in the ONS postcode directory)"
        )
        tables["locations"] = locations
        tables["placements"] = placements.assign(
            start_date=_iso(placements["start_date"]), end_date=_iso(placements["end_date"])
        )
    if missing is not None:
        missing = Path(missing)
        missing_episodes, missing_rejects, info = _read_missing(missing, people, placements, header.name)
        files.append(info)
        reject_parts.append(missing_rejects)
        info["written"] = len(missing_episodes)
        tables["missing_episodes"] = missing_episodes
    header_info["written"] = len(people)
    people["local_authority"] = authority
    people["flags"] = "looked_after"
    extras = [c for c in people.columns if c not in TABLES["people"].column_names and c != "_dob"]
    tables = {"people": people.reindex(columns=[*TABLES["people"].column_names, *extras]), **tables}
    rejects = pd.concat(reject_parts, ignore_index=True)[REJECT_COLUMNS]
    order = {Path(f["file"]).name: i for i, f in enumerate(files)}
    rejects = (
        rejects.assign(_f=rejects["table"].map(order))
        .sort_values(["_f", "row"], kind="stable")
        .drop(columns="_f")
        .reset_index(drop=True)
    )
    written = {name: tables[name] for name in ("people", "locations", "placements", "missing_episodes") if name in tables}
    write_import(
        out, written, rejects, imported_from="ssda903",
        source_files=[Path(f["file"]).name for f in files],
    )
    return ImportResult(Path(out), written, rejects, files, notes)
