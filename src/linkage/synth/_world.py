"""The world under construction: person-level tables that every stage reads and extends.

Everything here is keyed by integer indices (person, location, group,
operation, episode, event, identifier); string ids are given only when the
files are written, so no id carries meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._geo import GeoArrays
from ._resources import Vocabulary
from ._scale import Scale
from ._util import stage_rng

__all__ = ["World", "KIND_CHILD", "KIND_ADULT", "SOURCES"]

KIND_CHILD, KIND_ADULT = 0, 1
#: Source systems; a record's ``source`` is an index into this tuple.
SOURCES = ("police", "social_care", "health")


@dataclass
class World:
    seed: int
    scale: Scale
    geo: GeoArrays
    vocab: Vocabulary
    #: one row per true person: kind, household, la, lac, sex, dob, postcode, surname, first, carer, perp, victim
    persons: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: one row per household: la, postcode, surname, address (location or -1)
    households: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: category, name, nte (object: True/False/None), postcode, la, lat, lon
    locations: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: group, base_la, cats (0 CSE, 1 CCE, 2 both), t0, w_start, w_end, hub
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: group, person, role ('victim' / 'perpetrator'), primary (bool)
    members: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: group, loc, kind ('business' / 'address' / 'care_setting')
    group_locs: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: op, group (-1 for background operations), name, cats
    ops: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: op, person, role
    op_members: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: person, loc, start, end (NODATE = ongoing), ptype, reason, placing
    placements: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: person, source, first_name, last_name, dob, dob_precision, sex, postcode, la, errors
    records: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: person, start, end (seconds), kind, from_loc, found_loc, group (-1), session (-1)
    episodes: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: episode, person
    found_with: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: event_type, category, op (-1), date, loc (-1), la (-1), status
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: event, person, role
    event_people: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: ident, kind, value
    identifiers: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: ident, owner (person or location index), owner_is_person, first_seen, last_seen
    holders: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: src, dst (ident indices), count, first, last, kind
    contacts: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: person_a, person_b, kind, date
    associations: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: first record and number of records of each (person, source): arrays of shape (persons, 3)
    rec_first: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), np.int64))
    rec_count: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), np.int64))
    #: loc, events, people: the busy venue with no child in it (``_busy``)
    busy_venues: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: planted links between people: a, b, via
    links: list[pd.DataFrame] = field(default_factory=list)
    #: person pairs that must carry no association (planted shared identifiers)
    no_association: list[pd.DataFrame] = field(default_factory=list)

    def rng(self, stage: str) -> np.random.Generator:
        return stage_rng(self.seed, stage)

    def pick_records(self, rng: np.random.Generator, person: np.ndarray, prefer: np.ndarray | tuple[int, ...]) -> np.ndarray:
        """One record of each person: from the first source in ``prefer`` (per row or shared) that has one."""
        person = np.asarray(person, np.int64)
        n = len(person)
        prefer = np.asarray(prefer, np.int64)
        if prefer.ndim == 1:
            prefer = np.broadcast_to(prefer, (n, len(prefer)))
        u = rng.random(n)
        out = np.full(n, -1, np.int64)
        order = np.concatenate([prefer, np.broadcast_to(np.arange(3), (n, 3))], axis=1)
        for col in range(order.shape[1]):
            src = order[:, col]
            count = self.rec_count[person, src]
            ok = (out < 0) & (count > 0)
            out[ok] = self.rec_first[person[ok], src[ok]] + np.floor(u[ok] * count[ok]).astype(np.int64)
        return out

    def add_locations(self, rows: pd.DataFrame) -> np.ndarray:
        """Append location rows; return their indices."""
        start = len(self.locations)
        rows = rows.reset_index(drop=True)
        self.locations = pd.concat([self.locations, rows], ignore_index=True) if start else rows
        return np.arange(start, start + len(rows))

    def add_persons(self, rows: pd.DataFrame) -> np.ndarray:
        """Append person rows; return their indices."""
        start = len(self.persons)
        self.persons = pd.concat([self.persons, rows.reset_index(drop=True)], ignore_index=True)
        return np.arange(start, start + len(rows))

    def add_links(self, a: np.ndarray, b: np.ndarray, via: str) -> None:
        """Remember planted person-person links (for the cross-boundary truth)."""
        a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
        keep = a != b
        self.links.append(pd.DataFrame({"a": np.minimum(a, b)[keep], "b": np.maximum(a, b)[keep], "via": via}))
