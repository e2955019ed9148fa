"""Keyed pseudonyms (HMAC-SHA256) of ids, identifiers and names, computed once per distinct value."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd

from ..bloom import BloomEncoder
from ..read import map_unique
from ._key import Key
from ._normalise import normalise_free, normalise_id, normalise_identifier, normalise_name

__all__ = ["Pseudonymiser", "ID_CHARS", "NAME_CHARS"]

#: hex digits kept of an id or identifier pseudonym (80 bits: no collisions among billions)
ID_CHARS = 20
#: letters in a name pseudonym (75 bits); letters only, so the resolver treats it as a name
NAME_CHARS = 16
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


class Pseudonymiser:
    """Turns values into pseudonyms with sub-keys derived from one ``Key``.

    Ids (record, location, event ... ids, and every column referring to
    them) share one sub-key, so references still join; identifiers (phones,
    vehicles, handles) another; names a third, shared by first and last names
    so swapped names are still recognised.
    """

    def __init__(self, key: Key, *, bloom_bits: int | None = None, bloom_k: int | None = None) -> None:
        self._ids = key.derive("ids")
        self._identifiers = key.derive("identifiers")
        self._names = key.derive("names")
        self._extra = key.derive("extra columns")
        options = {k: v for k, v in {"bits": bloom_bits, "k": bloom_k}.items() if v is not None}
        self.bloom = BloomEncoder(key.derive("bloom names"), **options)

    def __repr__(self) -> str:
        return "Pseudonymiser(<keyed>)"

    @staticmethod
    def _hex(key: bytes, text: str) -> str:
        return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:ID_CHARS]

    def id_token(self, value: object) -> str | None:
        text = normalise_id(value)
        return None if text is None else self._hex(self._ids, text)

    def identifier_token(self, value: object) -> str | None:
        text = normalise_identifier(value)
        return None if text is None else self._hex(self._identifiers, text)

    def extra_token(self, value: object) -> str | None:
        text = normalise_free(value)
        return None if text is None else self._hex(self._extra, text)

    def name_token(self, value: object) -> str | None:
        text = normalise_name(value)
        return None if text is None else self.normalised_name_token(text)

    def normalised_name_token(self, text: str) -> str:
        """The name pseudonym of an already normalised name (also used for names in free text)."""
        number = int.from_bytes(hmac.new(self._names, text.encode("utf-8"), hashlib.sha256).digest(), "big")
        letters = []
        for _ in range(NAME_CHARS):
            number, digit = divmod(number, 26)
            letters.append(_ALPHABET[digit])
        return "".join(letters)

    def name_bloom(self, value: object) -> str | None:
        return self.bloom.encode(normalise_name(value))

    # -- columns -------------------------------------------------------------------------
    def ids(self, values: pd.Series) -> pd.Series:
        """Every id in ``values`` (a column of record ids, location ids, ...) as its pseudonym."""
        return map_unique(values, self.id_token, dtype="str")

    def id_lists(self, values: pd.Series) -> pd.Series:
        """``a;b`` lists of ids, each item pseudonymised."""

        def convert(cell):
            if not isinstance(cell, str):
                return None
            items = [self.id_token(part) for part in cell.split(";")]
            return ";".join(item for item in items if item) or None

        return map_unique(values, convert, dtype="str")

    def identifiers(self, values: pd.Series) -> pd.Series:
        return map_unique(values, self.identifier_token, dtype="str")

    def names(self, values: pd.Series, *, bloom: bool = False) -> pd.Series:
        return map_unique(values, self.name_bloom if bloom else self.name_token, dtype="str")

    def extras(self, values: pd.Series) -> pd.Series:
        return map_unique(values, self.extra_token, dtype="str")
