"""Why an analysis found nothing, said by the analysis where it knows it.

An analysis that ends with no rows returns its empty table through
``no_rows``: ``why`` names the input that was missing or the threshold that
removed everything, with the figures, and ``fix`` the change that would give
rows. The reason travels on the table itself (``DataFrame.attrs``), so every
analysis keeps returning a plain table, and ``job/_analyses.py`` reads it back
with ``empty_reason`` for the run summary, the manifest's notes and the report.

Examples
--------
>>> import pandas as pd
>>> table = no_rows(pd.DataFrame({"entity_id": []}), "nobody has a role", "add event_people with roles")
>>> empty_reason(table).text
'nobody has a role; add event_people with roles'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .tables import column_isin

__all__ = ["EmptyReason", "no_rows", "empty_reason", "with_note", "table_notes", "plural", "NO_PEOPLE", "ROLE_FIX",
           "light_contacts", "contact_threshold_note"]

_KEY = "linkage_empty_reason"
_NOTES = "linkage_notes"


@dataclass(frozen=True)
class EmptyReason:
    """Why a table has no rows (``why``) and what would give it rows (``fix``)."""

    why: str
    fix: str

    @property
    def text(self) -> str:
        return f"{self.why}; {self.fix}"

    def as_dict(self) -> dict[str, str]:
        return {"why": self.why, "fix": self.fix}


def no_rows(frame: pd.DataFrame, why: str, fix: str) -> pd.DataFrame:
    """``frame`` with no rows (its columns kept), carrying why it is empty and how to change that."""
    empty = frame.iloc[0:0].copy()
    empty.attrs[_KEY] = EmptyReason(why, fix)
    return empty


def empty_reason(frame: pd.DataFrame) -> EmptyReason | None:
    """The reason an analysis gave for ``frame`` having no rows (None when it has rows, or gave none)."""
    if len(frame):
        return None
    reason = frame.attrs.get(_KEY)
    return reason if isinstance(reason, EmptyReason) else None


def with_note(frame: pd.DataFrame, note: str) -> pd.DataFrame:
    """``frame`` carrying a note for the run summary (what a threshold removed, what would sharpen the result)."""
    frame.attrs[_NOTES] = [*frame.attrs.get(_NOTES, []), note]
    return frame


def table_notes(frame: pd.DataFrame) -> list[str]:
    """The notes an analysis left on its table (``with_note``)."""
    return list(frame.attrs.get(_NOTES, []))


def plural(count: int, word: str, words: str | None = None) -> str:
    """``3 episodes``, ``1 episode``, with thousands separators."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


#: why an analysis of people has no rows when the network has none
NO_PEOPLE = ("the network has no people", "the people table has no kept rows: correct the rows listed in rejects.csv")
#: what gives people a role, a care history or a risk flag, the people clusters and key people are grown from
ROLE_FIX = ("add event_people rows with roles (victim, suspect, offender), placements of looked-after children, or "
            "looked_after, cse_risk or cce_risk in people.flags")


def light_contacts(network, min_contacts: float) -> tuple[int, int]:
    """Person-to-person contact ties of a ``Network``, and how many of them have fewer than ``min_contacts``."""
    contacts = network.contacts
    if contacts is None or not len(contacts):
        return 0, 0
    person = column_isin(contacts, "source_type", "person") & column_isin(contacts, "target_type", "person")
    count = pd.to_numeric(contacts["count"]).fillna(1).to_numpy(dtype=np.float64)[person]
    return int(person.sum()), int((count < min_contacts).sum())


def contact_threshold_note(network, min_contacts: float, setting: str) -> str:
    """``, and all 40 person-to-person contact ties have fewer than 10 contacts (...)`` or nothing."""
    ties, light = light_contacts(network, min_contacts)
    if not light:
        return ""
    share = "all" if light == ties else f"{light:,} of the"
    return (f"; {share} {plural(ties, 'person-to-person contact tie')} have fewer than {min_contacts:g} contacts "
            f"and were left out as background ({setting}.min_contacts)")
