"""How a date column is read: the rules, the layouts linkage knows, and the values read.

``read_dates`` (``_dates``) reads a column by ``DateRules`` into ``DateValues``;
``_date_parts`` reads the values that are not plain ISO 8601, part by part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "AmbiguousDates",
    "DateRules",
    "DateValues",
    "DATE_PATTERNS",
    "LAYOUT_FORMATS",
    "MONTH_NAMES",
    "PRECISION_NAMES",
    "format_family",
    "numeric_order",
    "range_reason",
    "strftime_for",
]

#: precision codes: what a value says (3 day, 2 month, 1 year, 0 nothing)
PRECISION_NAMES = {3: "day", 2: "month", 1: "year"}

_TIME = (
    r"(?:(?:[T ]|,\s*)\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2})?"
)
DATE_PATTERNS = {
    "iso": rf"^(?P<y>\d{{4}})(?:(?P<sep>[-/.])(?P<m>\d{{1,2}})(?:(?P=sep)(?P<d>\d{{1,2}}){_TIME})?)?$",
    "compact": r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$",
    "numeric": rf"^(?P<a>\d{{1,2}})(?P<sep>[-/.])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}}){_TIME}$",
    "named": rf"^(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[-\s/.]*(?P<mon>[A-Za-z]{{3,9}})\.?[-\s/.,]*(?P<y>\d{{4}}|\d{{2}}){_TIME}$",
    "named_us": rf"^(?P<mon>[A-Za-z]{{3,9}})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}}){_TIME}$",
    "serial": r"^(?P<n>\d{1,5})(?P<f>\.\d+)?$",
}
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")

#: layout name -> the strftime format a job config names it by
LAYOUT_FORMATS = {
    "ISO 8601": "ISO8601",
    "dd/mm/yyyy": "%d/%m/%Y",
    "mm/dd/yyyy": "%m/%d/%Y",
    "dd/mm/yy": "%d/%m/%y",
    "mm/dd/yy": "%m/%d/%y",
    "d Mon yyyy": "%d %b %Y",
    "Mon d, yyyy": "%b %d, %Y",
    "yyyymmdd": "%Y%m%d",
    "Excel serial numbers": "excel",
}
#: how the reason of a value that is no date in any layout begins
_UNREADABLE = ("is not a valid date;", "is not a valid date and time;", "is not a date in the layout")
class AmbiguousDates(Exception):
    """A column's dd/mm vs mm/dd order cannot be told from its values and the config does not say."""

    def __init__(self, examples: list[str], separator: str, short_year: bool) -> None:
        self.examples = examples
        self.separator = separator
        self.short_year = short_year
        super().__init__(", ".join(examples))

    def formats(self) -> tuple[str, str]:
        year = "%y" if self.short_year else "%Y"
        s = self.separator
        return f"%d{s}%m{s}{year}", f"%m{s}%d{s}{year}"


@dataclass(frozen=True)
class DateRules:
    """How to read one date column.

    ``date_format``: ``auto`` (detect), ``ISO8601`` (ISO only) or a strftime
    format (values in it, and ISO 8601, are read).  ``key`` (``people.dob``)
    names the column in reasons.  ``partial``: an impossible day keeps its
    month and year (and an impossible month its year), for dates of birth.
    """

    key: str = "date"
    date_format: str = "auto"
    day_first: bool = False
    with_time: bool = False
    partial: bool = False
    years: tuple[int, int] = (1900, 2100)
    #: the order other date columns of the same file settled (``dmy`` / ``mdy``), for a column that settles nothing
    file_order: str | None = None


@dataclass
class DateValues:
    """One date column read: per distinct value, spread over the rows on demand (``codes``)."""

    text: pa.Array | pa.ChunkedArray  # the column as written (kept to spread the distinct values, not copied)
    distinct: pa.Array  # its distinct non-empty values
    values: np.ndarray  # datetime64[s] per distinct value (NaT when nothing is kept)
    precision: np.ndarray  # int8 per distinct value
    bad: np.ndarray  # bool: the value as written is not kept (it may be salvaged: see ``precision``)
    reasons: np.ndarray  # object: why, for every bad value
    layouts: dict[str, int] = field(default_factory=dict)  # layout -> distinct values read in it
    years: tuple[int, int] = (1900, 2100)  # the window the column was read with
    _codes: np.ndarray | None = field(default=None, repr=False)

    @property
    def date_shaped(self) -> np.ndarray:
        """Per row: the value is written as a date in a layout linkage reads (whether or not the date exists)."""
        return self._spread(~self.unreadable, False)

    @property
    def unreadable(self) -> np.ndarray:
        """Per distinct value: not a date in any layout read (``yesterday``), as opposed to an impossible one."""
        written = pd.Series(self.reasons, dtype=object).astype(str).str.startswith(_UNREADABLE).to_numpy(dtype=bool)
        return self.bad & written

    @property
    def codes(self) -> np.ndarray:
        """The distinct value of each row (-1: empty), found when first needed so that reading many
        columns up front holds only their distinct values."""
        if self._codes is None:
            self._codes = pc.index_in(self.text, value_set=self.distinct).fill_null(-1).to_numpy(zero_copy_only=False)
        return self._codes

    def __len__(self) -> int:
        return len(self.codes)

    def _spread(self, per_value: np.ndarray, empty) -> np.ndarray:
        """One value per row: ``per_value`` indexed by the codes, ``empty`` where the cell is (code -1 takes the last)."""
        extended = np.empty(len(per_value) + 1, dtype=per_value.dtype)
        extended[:-1] = per_value
        extended[-1] = empty
        return extended[self.codes]

    def series(self, index: pd.Index) -> pd.Series:
        return pd.Series(self._spread(self.values, np.datetime64("NaT", "s")), index=index, dtype="datetime64[s]")

    def precision_series(self, index: pd.Index) -> pd.Series:
        codes = self._spread(self.precision, 0)
        out = pd.Series(pd.NA, index=index, dtype="string")
        for code, name in PRECISION_NAMES.items():
            out[codes == code] = name
        return out

    def bad_mask(self) -> np.ndarray:
        return self._spread(self.bad, False)

    def kept_mask(self) -> np.ndarray:
        """Rows whose value keeps something (all of it, or a salvaged month or year)."""
        return self._spread(self.precision > 0, False)

    def reason_series(self, index: pd.Index) -> pd.Series:
        if not self.bad.any():
            return pd.Series("", index=index, dtype=object)
        return pd.Series(self._spread(self.reasons, ""), index=index, dtype=object)


def strftime_for(layout: str) -> str:
    return LAYOUT_FORMATS.get(layout, "ISO8601")


def numeric_order(layouts: dict[str, int]) -> str | None:
    """``dmy`` or ``mdy`` when a column's numeric dates were read in one order, else None."""
    orders = {layout[:2] for layout in layouts if layout[:2] in ("dd", "mm") and layout[2] in "/-."}
    if len(orders) != 1:
        return None
    return "dmy" if orders.pop() == "dd" else "mdy"


def format_family(date_format: str) -> tuple[str, str | None] | None:
    """A strftime format linkage reads itself (so that impossible dates are explained and salvaged)."""
    core = re.sub(r"[T ]?%H:%M(:%S)?(\.%f)?( ?%p)?$", "", date_format.strip())
    if re.fullmatch(r"%Y([-/.])%m\1%d", core) or core == "ISO8601":
        return "iso", None
    if core == "%Y%m%d":
        return "compact", None
    match = re.fullmatch(r"%([dm])([-/.])%([dm])\2%([Yy])", core)
    if match and match.group(1) != match.group(3):
        return "numeric", "dmy" if match.group(1) == "d" else "mdy"
    if re.fullmatch(r"%d[-\s/.]*%[bB]\.?[-\s/.,]*%[Yy]", core):
        return "named", None
    if re.fullmatch(r"%[bB]\.?\s+%d,?\s+%Y", core):
        return "named_us", None
    return None


def range_reason(rules: DateRules) -> str:
    lo, hi = rules.years
    return (
        f"is outside the years {lo}-{hi} that a {rules.key} can have; correct it, or widen the window "
        f"in the job config: input: {{year_range: [{lo - 100}, {hi}]}}"
    )
