"""Person names in free text replaced by their pseudonyms.

Every name known from ``people`` (each word of every first and last name)
becomes the same 16-letter pseudonym its name column gets, wherever it
stands as a whole word in a text column (``moved after assault by SMITH``,
``flags: smith_associate``), ignoring case and accents.  One pass per
distinct cell splits it into words with one compiled pattern and looks each
word up in one dictionary of all names, so the cost grows with the text, not
with the number of names.

What it cannot find: a name that is not in ``people`` (a friend named only in
a note), a name run together with another word (``AmySmith``), or one
misspelt.  Free text is therefore dropped where the contract does not need
it; see ``docs/security.md``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from ._normalise import normalise_name

__all__ = ["NameScrubber", "name_key", "MIN_NAME_CHARS"]

#: shorter name words (initials) are not looked for: "A" would replace every article
MIN_NAME_CHARS = 2
#: a word: letters of any script (no digits, no underscore), so ``smith_associate`` is two words
_WORD = re.compile(r"[^\W\d_]+")


def name_key(word: str) -> str:
    """How a word is compared with the names: ASCII-folded lower case (``Zoë`` = ``ZOE``); other scripts case-folded."""
    key = normalise_name(word)
    if key:
        return key
    text = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


@dataclass
class NameScrubber:
    #: name key -> pseudonym
    lookup: dict[str, str]

    @classmethod
    def from_names(cls, columns: Iterable[pd.Series], pseudonym: Callable[[str], str]) -> "NameScrubber":
        """All words of the names in ``columns``; ``pseudonym(key)`` gives each one's replacement."""
        parts = [column.dropna().astype(str) for column in columns]
        values = pd.concat(parts, ignore_index=True).drop_duplicates() if parts else pd.Series([], dtype=str)
        words = values.str.findall(_WORD).explode().dropna().drop_duplicates()
        keys = {name_key(word) for word in words}
        return cls({key: pseudonym(key) for key in sorted(keys) if len(key) >= MIN_NAME_CHARS})

    def text(self, value: str) -> tuple[str, int]:
        """``value`` with every name word replaced, and how many were."""
        count = 0

        def replace(match: re.Match) -> str:
            nonlocal count
            found = self.lookup.get(name_key(match.group()))
            if found is None:
                return match.group()
            count += 1
            return found

        return _WORD.sub(replace, value), count

    def column(self, values: pd.Series, keep: np.ndarray | None = None) -> tuple[pd.Series, int]:
        """``values`` with names replaced, once per distinct cell; cells where ``keep`` is True are left as they are.

        Returns the new column and the number of cells changed.
        """
        if not self.lookup or not len(values):
            return values, 0
        scrub = values.notna().to_numpy() if keep is None else values.notna().to_numpy() & ~keep
        if not scrub.any():
            return values, 0
        codes, uniques = pd.factorize(values[scrub].astype(str))
        done = [self.text(value) for value in uniques]
        new = np.array([text for text, _ in done], dtype=object)[codes]
        changed = np.array([n > 0 for _, n in done], dtype=bool)[codes]
        out = values.astype(object).copy()
        out[scrub] = new
        return out, int(changed.sum())
