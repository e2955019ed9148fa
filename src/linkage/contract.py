"""The data contract (v1) as data: every input table, its columns and its rules.

One declaration drives reading, validation, the synthetic world and the docs,
so the contract is written down once. See ``docs/data-contract.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "Column",
    "Table",
    "Reference",
    "TABLES",
    "TABLE_ORDER",
    "PLACEMENT_TYPES",
    "SSDA903_PLACE_CODES",
    "LOCATION_CATEGORIES",
    "PERPETRATOR_ROLES",
    "table",
]

#: Column kinds understood by the reader.
KINDS = ("str", "date", "datetime", "bool", "int", "float", "list", "enum")

SSDA903_PLACE_CODES = (
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2",
    "R3", "R5", "S1", "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4",
    "U5", "U6", "Z1",
)
PLACEMENT_TYPES = ("children_home", "foster", "semi_independent", "secure", "other")
LOCATION_CATEGORIES = (
    "takeaway", "hotel", "taxi_firm", "licensed_premises", "off_licence",
    "shisha_bar", "car_wash", "retail", "children_home", "foster_home",
    "address", "public_space", "school", "transport_hub", "other",
)
#: Roles in ``event_people`` that make a person a perpetrator.
PERPETRATOR_ROLES = ("suspect", "offender")


@dataclass(frozen=True)
class Column:
    """One contract column.

    ``kind`` is one of ``KINDS``; ``values`` lists the allowed spellings of an
    enum (matched case-insensitively, stored in the spelling given here);
    ``minimum``/``maximum`` bound numbers.
    """

    name: str
    kind: str = "str"
    required: bool = False
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    meaning: str = ""
    #: a required column that may be empty in rows whose ``(column, values)`` matches, e.g. the
    #: date of an intelligence report (``("event_type", ("intelligence",))``); its header is optional too.
    optional_when: tuple[str, tuple[str, ...]] | None = None

    def exception_note(self) -> str:
        """The exception to a required column, as said in its reject reason ("" when it has none)."""
        if self.optional_when is None:
            return ""
        other, values = self.optional_when
        return f" (it may be empty only where {other} is {' or '.join(values)})"

    def required_in(self, frame: pd.DataFrame) -> np.ndarray:
        """A boolean mask of the rows of ``frame`` (typed so far) where this column must have a value."""
        rows = len(frame)
        if not self.required:
            return np.zeros(rows, dtype=bool)
        if self.optional_when is None or self.optional_when[0] not in frame:
            return np.ones(rows, dtype=bool)
        other, values = self.optional_when
        return ~frame[other].isin(values).to_numpy(dtype=bool, na_value=False)


@dataclass(frozen=True)
class Reference:
    """``column`` of this table must name a kept row of ``target`` (its ``target_column``).

    ``when`` restricts the check to rows where another column has a value,
    e.g. identifiers whose ``owner_type`` is ``person``.  ``each`` checks every
    item of a ``;`` list.
    """

    column: str
    target: str
    target_column: str
    when: tuple[str, str] | None = None
    each: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    unique: str | None = None
    references: tuple[Reference, ...] = ()
    #: (start, end) pairs where end must not be before start.
    intervals: tuple[tuple[str, str], ...] = ()
    #: columns holding a local authority name, checked against the geography.
    authority_columns: tuple[str, ...] = ()
    meaning: str = ""
    columns_by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns_by_name", {c.name: c for c in self.columns})

    @property
    def required_columns(self) -> list[str]:
        """The columns a file of this table must have (a column required only in some rows may be absent)."""
        return [c.name for c in self.columns if c.required and c.optional_when is None]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


C = Column
R = Reference

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "people",
            (
                C("record_id", required=True, meaning="unique across the whole dataset"),
                C("source", required=True, meaning="system or agency the record came from"),
                C("first_name"),
                C("last_name"),
                C("dob", "date", meaning="date of birth; YYYY-MM or YYYY when partial"),
                C("sex", "enum", values=("M", "F", "U")),
                C("postcode"),
                C("local_authority"),
                C("flags", "list", meaning="markers such as looked_after;cse_risk;cce_risk"),
            ),
            unique="record_id",
            authority_columns=("local_authority",),
            meaning="one row per person record as held by a source system",
        ),
        Table(
            "locations",
            (
                C("location_id", required=True),
                C("category", "enum", required=True, values=LOCATION_CATEGORIES),
                C("name"),
                C("night_time_economy", "bool"),
                C("postcode"),
                C("local_authority"),
                C("latitude", "float", minimum=-90, maximum=90),
                C("longitude", "float", minimum=-180, maximum=180),
            ),
            unique="location_id",
            authority_columns=("local_authority",),
            meaning="businesses, care settings, addresses, public places",
        ),
        Table(
            "placements",
            (
                C("placement_id", required=True),
                C("record_id", required=True),
                C("location_id", required=True),
                C("start_date", "date", required=True),
                C("end_date", "date"),
                C("placement_type", "enum", values=PLACEMENT_TYPES + SSDA903_PLACE_CODES),
                C("placing_authority"),
                C("reason_for_change"),
            ),
            unique="placement_id",
            references=(
                R("record_id", "people", "record_id"),
                R("location_id", "locations", "location_id"),
            ),
            intervals=(("start_date", "end_date"),),
            authority_columns=("placing_authority",),
            meaning="care placements of looked-after children",
        ),
        Table(
            "missing_episodes",
            (
                C("episode_id", required=True),
                C("record_id", required=True),
                C("start", "datetime", required=True),
                C("end", "datetime"),
                C("kind", "enum", values=("missing", "absent")),
                C("from_location_id"),
                C("found_location_id"),
                C("found_with", "list"),
            ),
            unique="episode_id",
            references=(
                R("record_id", "people", "record_id"),
                R("from_location_id", "locations", "location_id"),
                R("found_location_id", "locations", "location_id"),
                R("found_with", "people", "record_id", each=True),
            ),
            intervals=(("start", "end"),),
            meaning="missing-from-home and missing-from-care episodes",
        ),
        Table(
            "events",
            (
                C("event_id", required=True),
                C("event_type", "enum", required=True, values=("crime", "intelligence", "incident", "stop")),
                C("category", "enum", values=("CSE", "CCE", "drugs", "violence", "trafficking", "other")),
                C("operation"),
                C("date", "date", required=True, optional_when=("event_type", ("intelligence",)),
                  meaning="required, except for intelligence (a report's date is often not known)"),
                C("location_id"),
                C("local_authority"),
                C("status", "enum", values=("live", "closed")),
            ),
            unique="event_id",
            references=(R("location_id", "locations", "location_id"),),
            authority_columns=("local_authority",),
            meaning="crimes, intelligence reports, incidents, grouped into operations",
        ),
        Table(
            "event_people",
            (
                C("event_id", required=True),
                C("record_id", required=True),
                C("role", "enum", required=True, values=("victim", "suspect", "offender", "witness", "associate")),
            ),
            references=(
                R("event_id", "events", "event_id"),
                R("record_id", "people", "record_id"),
            ),
            meaning="who took part in an event, in which role",
        ),
        Table(
            "identifiers",
            (
                C("identifier", required=True),
                C("kind", "enum", required=True, values=("phone", "vehicle", "email", "social", "other")),
                C("owner_id", required=True),
                C("owner_type", "enum", required=True, values=("person", "location")),
                C("first_seen", "date"),
                C("last_seen", "date"),
            ),
            references=(
                R("owner_id", "people", "record_id", when=("owner_type", "person")),
                R("owner_id", "locations", "location_id", when=("owner_type", "location")),
            ),
            intervals=(("first_seen", "last_seen"),),
            meaning="objects held by people or places: phones, vehicles, handles",
        ),
        Table(
            "contacts",
            (
                C("from_identifier", required=True),
                C("to_identifier", required=True),
                C("count", "int", minimum=0),
                C("first_date", "date"),
                C("last_date", "date"),
                C("kind", "enum", values=("call", "sms", "app", "sighting")),
            ),
            references=(
                R("from_identifier", "identifiers", "identifier"),
                R("to_identifier", "identifiers", "identifier"),
            ),
            intervals=(("first_date", "last_date"),),
            meaning="aggregated communications data or sightings between identifiers",
        ),
        Table(
            "associations",
            (
                C("record_id_a", required=True),
                C("record_id_b", required=True),
                C("kind", "enum", required=True, values=("associate", "family", "co_offender", "partner", "other")),
                C("date", "date"),
                C("weight", "float", minimum=0, meaning="how strong the link is, e.g. times met (v1.1; 1 when empty)"),
            ),
            references=(
                R("record_id_a", "people", "record_id"),
                R("record_id_b", "people", "record_id"),
            ),
            meaning="recorded direct links between two person records",
        ),
    ]
}

#: Tables in an order where every reference points to an earlier table.
TABLE_ORDER: tuple[str, ...] = (
    "people",
    "locations",
    "placements",
    "missing_episodes",
    "events",
    "event_people",
    "identifiers",
    "contacts",
    "associations",
)


def table(name: str) -> Table:
    """The contract table called ``name``."""
    return TABLES[name]
