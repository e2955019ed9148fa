"""How values are normalised before they are hashed.

Two agencies get the same pseudonym for the same person only if they
normalise a value the same way, so these rules are part of the pseudonym
format (version 1) and must not change without changing that version.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise_name", "normalise_identifier", "normalise_id", "postcode_sector", "normalise_free"]

_NOT_LETTERS = re.compile(r"[^a-z]")
_PHONE = re.compile(r"^\+?[\d\s().\-/]+$")
_UK_OUTWARD = r"(GIR|[A-Z]{1,2}[0-9][A-Z0-9]?)"
_UK_FULL = re.compile(rf"^{_UK_OUTWARD} ?([0-9])[A-Z]{{2}}$")
_UK_SECTOR = re.compile(rf"^{_UK_OUTWARD} ([0-9])[A-Z]?$")
_UK_DISTRICT = re.compile(rf"^{_UK_OUTWARD}$")


def _clean(value: str) -> str:
    """NFKC, no control or format characters (NUL, BOM, RTL marks), spaces collapsed."""
    text = unicodedata.normalize("NFKC", value)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in " ")
    return " ".join(text.split())


def normalise_name(value: object) -> str | None:
    """``"  Zoë O'Brien-Smith "`` -> ``"zoeobriensmith"`` (ASCII letters, lower case); empty -> None.

    The same rule as the resolver's, so a name hashed here agrees exactly
    where the resolver would have found the clear names equal.
    """
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").lower()
    text = _NOT_LETTERS.sub("", text)
    return text or None


def normalise_identifier(value: object) -> str | None:
    """Phones to their national digits (``+44 7700 900123`` = ``07700-900123``); others lower case, no spaces.

    Vehicle registrations (``ab12 cde`` = ``AB12CDE``), e-mail addresses and
    handles (``@Name`` = ``name``) agree however they were typed.
    """
    if not isinstance(value, str):
        return None
    text = _clean(value)
    if not text:
        return None
    if _PHONE.match(text):
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 7:
            if text.startswith("+44") or digits.startswith("0044"):
                digits = "0" + digits[(4 if digits.startswith("0044") else 2):].lstrip("0")
            elif text.startswith("+"):
                digits = "00" + digits
            return "tel:" + digits
    text = text.casefold().replace(" ", "")
    if text.startswith("@") and len(text) > 1:
        text = text[1:]
    return text or None


def normalise_id(value: object) -> str | None:
    """Record, location, event ids: as written, trimmed (ids are opaque; case may matter)."""
    if not isinstance(value, str):
        return None
    text = _clean(value)
    return text or None


def normalise_free(value: object) -> str | None:
    """Extra columns named for hashing (an NHS number, a UPN): case and spaces ignored."""
    if not isinstance(value, str):
        return None
    text = _clean(value).casefold().replace(" ", "")
    return text or None


def postcode_sector(value: object) -> str | None:
    """``pr1 4ab`` -> ``PR1 4``; a sector or district stays as it is; anything else -> None.

    A sector holds some 3,000 addresses, a full postcode about 15: the sector
    still places a person for linkage and geography without naming a street.
    """
    if not isinstance(value, str):
        return None
    text = " ".join(re.sub(r"[^A-Z0-9 ]", "", _clean(value).upper()).split())
    if not text:
        return None
    for pattern in (_UK_FULL, _UK_SECTOR):
        match = pattern.match(text)
        if match:
            return f"{match.group(1)} {match.group(2)}"
    match = _UK_DISTRICT.match(text)
    if match:
        return match.group(1)
    return None
