"""The ``resolve:`` section: blocking rules, comparisons, thresholds of entity resolution.

Declarative, like Splink's settings: a blocking rule is a list of record keys
that must agree; a comparison names a column and its kind. ``_fields.parse``
reads the section like every other (see there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..errors import did_you_mean
from ._fields import Context, Invalid, Section, flag, number, parse, resolve_path, setting, setting_fields, text_choice

__all__ = ["BLOOM_THRESHOLDS", "ResolveSettings", "Comparison", "BlockingRule", "BLOCKING_KEYS", "COLUMN_KINDS",
           "COMPARISON_KINDS", "DEFAULT_COMPARISONS", "METHODS"]

#: record keys a blocking rule can combine (see ``_prepare.record_keys``)
BLOCKING_KEYS = (
    "first_name",
    "last_name",
    "first_name_canonical",
    "first_initial",
    "last_initial",
    "last_name_prefix",
    "first_name_sound",
    "last_name_sound",
    "name_set",
    "initials_set",
    "dob",
    "dob_unordered",
    "dob_year",
    "dob_year_month",
    "postcode",
    "postcode_sector",
    "postcode_district",
    "sex",
    "source",
)

#: comparison kinds and the levels each produces, best first
COMPARISON_KINDS: dict[str, tuple[str, ...]] = {
    "first_name": ("exact", "nickname", "jaro_winkler_high", "jaro_winkler_mid", "different"),
    "last_name": ("exact", "jaro_winkler_high", "jaro_winkler_mid", "different"),
    "dob": ("exact", "day_month_swapped", "one_day_apart", "year_apart", "one_digit_or_transposed", "same_year_month",
            "same_year", "different"),
    #: one_character_or_transposed: the same length, one character different or two neighbours swapped
    #: (a keyed slip in a ZIP, 72125 / 72152, or in a UK district, PR1 4AB / PR7 4AB)
    "postcode": ("full", "sector", "district", "one_character_or_transposed", "different"),
    "exact": ("exact", "different"),
    "fuzzy": ("exact", "jaro_winkler_high", "jaro_winkler_mid", "different"),
    #: an email address: the whole address, the part before the @, or close by Jaro-Winkler (thresholds[0])
    "email": ("exact", "local_part_exact", "jaro_winkler_high", "different"),
    #: a phone number by its digits (the last ten: 07700 900123 = +44 7700 900123)
    "phone": ("exact", "different"),
    #: names as keyed Bloom filters (``linkage pseudonymise --bloom-names``), by Dice similarity
    "bloom_name": ("exact", "dice_high", "dice_mid", "different"),
}

#: comparison kinds that compare a column of the people table as it is (not a name, dob or postcode)
COLUMN_KINDS = ("exact", "fuzzy", "email", "phone")

#: Dice thresholds [high, mid] of Bloom-encoded names (bigram Dice runs lower than Jaro-Winkler)
BLOOM_THRESHOLDS = (0.8, 0.65)


#: the ways of resolving: match records, or keep every record as its own person
METHODS = ("fellegi_sunter", "none")


@dataclass(frozen=True)
class BlockingRule:
    keys: tuple[str, ...]

    @property
    def name(self) -> str:
        return " & ".join(self.keys)


def _kind(value: Any, where: str, ctx: Context) -> str:
    kind = str(value)
    if kind not in COMPARISON_KINDS:
        raise Invalid(f"{where.rsplit('.', 1)[0]}: unknown kind '{kind}'{did_you_mean(kind, COMPARISON_KINDS)}; "
                      f"the kinds are {', '.join(COMPARISON_KINDS)}")
    return kind


def _thresholds(value: Any, where: str, ctx: Context) -> tuple[float, float]:
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 2
        or not all(isinstance(t, (int, float)) and not isinstance(t, bool) and 0 < t <= 1 for t in value)
        or value[0] < value[1]
    ):
        raise Invalid(f"{where} {value!r} must be [high, mid] between 0 and 1, e.g. [0.92, 0.8]")
    return float(value[0]), float(value[1])


def _comparison_name(value: Any, where: str, ctx: Context) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{where} {value!r} must be the name of another comparison, e.g. postcode")
    return value.strip()


def _comparison_shorthand(value: Any) -> Any:
    """``- nhs_number`` is ``- {column: nhs_number, kind: exact}`` (``- dob``: ``kind: dob``)."""
    if isinstance(value, str):
        return {"column": value, "kind": value if value in COMPARISON_KINDS else "exact"}
    return value


@dataclass(frozen=True)
class Comparison:
    """Compare ``column`` of two records by ``kind``; levels from COMPARISON_KINDS[kind]."""

    SECTION: ClassVar[Section] = Section(
        shorthand=_comparison_shorthand,
        not_a_mapping="{where} needs a column, e.g. {{column: nhs_number, kind: exact}}")

    column: str = setting(read=lambda value, where, ctx: str(value), shown_default="(required)",
                          doc="the people column compared")
    kind: str = setting("exact", read=_kind, doc=f"how: {', '.join(COMPARISON_KINDS)}")
    thresholds: tuple[float, float] = setting(
        (0.92, 0.80), read=_thresholds, doc="[high, mid] similarity of the fuzzy levels")
    term_frequency: bool = setting(
        False, read=flag, shown_default="true for first_name and last_name",
        doc="weigh agreement on a rare value more than on a common one")
    #: an identifier such as an NHS number or UPN: when it agrees exactly, a
    #: disagreement on a review_when_different comparison no longer holds the
    #: pair for review (the identifier outweighs a mistyped name or date)
    strong: bool = setting(False, read=flag,
                           doc="an identifier (NHS number, UPN) whose exact agreement outweighs review_when_different")
    #: a coarser place (a town, a local authority) that follows a finer one (the postcode): compared only where
    #: the finer comparison is "different" or missing, so one agreement is never counted twice
    when_differs: str | None = setting(
        None, read=_comparison_name, shown_default="none",
        doc="compare only where this other comparison is different or missing (a town that follows the postcode)")

    @classmethod
    def finish(cls, values: dict, raw: dict, where: str, ctx: Context) -> dict:
        if "column" not in values:
            if "column" not in raw:
                raise Invalid(cls.SECTION.not_a_mapping.format(where=where))
            values["column"] = ""
        values.setdefault("term_frequency", values.get("kind", "exact") in ("first_name", "last_name"))
        return values

    @property
    def name(self) -> str:
        return self.column

    @property
    def levels(self) -> tuple[str, ...]:
        return COMPARISON_KINDS[self.kind]


DEFAULT_BLOCKING = (
    BlockingRule(("dob_unordered", "last_initial")),
    BlockingRule(("dob_unordered", "first_initial")),
    BlockingRule(("dob_unordered", "initials_set")),
    BlockingRule(("name_set", "postcode_district")),
    BlockingRule(("first_name_canonical", "last_name", "postcode_district")),
    BlockingRule(("postcode", "first_initial")),
    BlockingRule(("last_name", "postcode_sector", "first_initial")),
    BlockingRule(("first_name_sound", "last_name_sound", "dob_year")),
)

DEFAULT_COMPARISONS = (
    Comparison("first_name", "first_name", term_frequency=True),
    Comparison("last_name", "last_name", term_frequency=True),
    Comparison("dob", "dob"),
    Comparison("postcode", "postcode"),
    Comparison("sex", "exact"),
)


def _blocking(value: Any, where: str, ctx: Context) -> tuple[BlockingRule, ...]:
    if not isinstance(value, list) or not value:
        raise Invalid(f"{where} must be a list of rules, each a list of keys, e.g. [[dob, last_initial], [postcode]]")
    rules = []
    for position, rule in enumerate(value, start=1):
        keys = [rule] if isinstance(rule, str) else rule
        if not isinstance(keys, list) or not keys:
            ctx.problems.append(f"{where} rule {position} must be a list of keys, e.g. [dob, last_initial]")
            continue
        for key in keys:
            if str(key) not in BLOCKING_KEYS and not str(key).startswith("column:"):
                ctx.problems.append(
                    f"{where} rule {position}: unknown key '{key}'{did_you_mean(str(key), BLOCKING_KEYS)}; "
                    f"the keys are {', '.join(BLOCKING_KEYS)}, or column:<name> for an extra column"
                )
        rules.append(BlockingRule(tuple(str(k) for k in keys)))
    return tuple(rules)


def _comparisons(value: Any, where: str, ctx: Context) -> tuple[Comparison, ...]:
    if not isinstance(value, list) or not value:
        raise Invalid(f"{where} must be a list, e.g. [{{column: first_name, kind: first_name}}, "
                      "{column: nhs_number, kind: exact}]")
    items = []
    for position, item in enumerate(value, start=1):
        try:
            items.append(parse(Comparison, item, f"{where}[{position}]", ctx))
        except Invalid as exc:
            ctx.problems.extend(exc.problems)
    return tuple(items)


def _probability(default: float):
    return number(low=0, high=1, open_interval=True, what="a probability between 0 and 1", hint=f", e.g. {default}")


def _count(default: int):
    return number(whole=True, low=1, hint=f", e.g. {default}")


def _names(value: Any, where: str, ctx: Context) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise Invalid(f"{where} must be a list of comparison names, e.g. [first_name, sex]")
    return tuple(value)


def _existing_file(value: Any, where: str, ctx: Context) -> Path | None:
    if value is None:
        return None
    path = resolve_path(value, ctx.base)
    if not path.is_file():
        raise Invalid(f"{where}: {path} does not exist; correct the path or remove the setting")
    return path


def _none_shorthand(value: Any) -> Any:
    """``resolve: none``: every record is its own person."""
    return {"method": "none"} if isinstance(value, str) and value.strip().lower() == "none" else value


@dataclass(frozen=True)
class ResolveSettings:
    """``resolve:``: how records of one person are found (see docs/resolution.md)."""

    SECTION: ClassVar[Section] = Section(shorthand=_none_shorthand)

    #: ``fellegi_sunter`` (match records) or ``none`` (``resolve: none``: every record is its own person)
    method: str = setting(
        "fellegi_sunter",
        read=text_choice(METHODS, normalise=lambda text: text.strip().lower(),
                         problem="{where} '{raw}'{hint} is not a method; the methods are {choices} "
                                 "(resolve: none keeps every record as its own person)"),
        doc="fellegi_sunter (match records) or none (every record is its own person; also resolve: none)")
    blocking: tuple[BlockingRule, ...] = setting(
        DEFAULT_BLOCKING, read=_blocking, shown_default="8 rules (docs/resolution.md)",
        doc="rules, each a list of record keys that must all agree for two records to be compared")
    comparisons: tuple[Comparison, ...] = setting(
        DEFAULT_COMPARISONS, read=_comparisons, shown_default="first_name, last_name, dob, postcode, sex",
        doc="what is compared: {column, kind, thresholds, term_frequency, strong, when_differs} or a column name")
    #: pairs at or above this match probability are linked
    threshold: float = setting(0.95, read=_probability(0.95), doc="link pairs at or above this match probability")
    #: pairs in [review_from, threshold) go to the review queue
    review_from: float = setting(0.5, read=_probability(0.5), doc="pairs from here up to threshold go to the review queue")
    #: blocks larger than this are split by further keys (skipped, and reported, when none splits them)
    max_block_size: int = setting(400, read=_count(400),
                                  doc="blocks larger than this are split by a further key; skipped, and reported, "
                                      "when no key splits them")
    #: random pairs sampled to estimate u
    u_sample_pairs: int = setting(2_000_000, read=_count(2_000_000), doc="random pairs sampled to estimate u")
    #: pairs sampled per blocking rule for EM (m)
    em_sample_pairs: int = setting(1_000_000, read=_count(1_000_000), doc="pairs sampled per blocking rule for EM (m)")
    em_iterations: int = setting(25, read=_count(25), doc="EM iterations")
    #: chaining guard: two records conflict when their sexes differ and their
    #: dates of birth are more than this many days apart, or their dates of
    #: birth are more than ``guard_max_dob_years`` apart whatever the sex
    guard_dob_days: int = setting(
        366, read=_count(366), doc="chaining guard: records of different sex with dates of birth further apart conflict")
    guard_max_dob_years: int = setting(
        10, read=_count(10), doc="chaining guard: records with dates of birth further apart conflict whatever the sex")
    #: comparisons whose clear disagreement ("different") stops a pair being
    #: linked automatically: it goes to the review queue instead.  Twins and
    #: siblings share surname, date of birth and address but not a first name;
    #: a father and son can share a name and an address but not a date of birth.
    review_when_different: tuple[str, ...] = setting(
        ("first_name", "dob", "sex"), read=_names, shown_default="[first_name, dob, sex] (those compared)",
        doc="comparisons whose clear disagreement sends a pair to review instead of linking it")
    labels: Path | None = setting(None, read=_existing_file, doc="clerical labels (CSV) the model learns from")
    overrides: Path | None = setting(None, read=_existing_file, doc="pairs to always or never link (CSV)")
    previous_entities: Path | None = setting(
        None, read=_existing_file, doc="a previous job's entities.csv: keep its entity ids stable")
    model: Path | None = setting(None, read=_existing_file, doc="a trained model.json to reuse instead of training")
    #: the job's seed (``seed:``), not a key of the section
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    #: the keys the config gave (not a key of the section); the blocking, comparisons and
    #: review_when_different it leaves out are derived from the data (``resolve._derive``)
    explicit: frozenset[str] = frozenset()

    @property
    def extra_columns(self) -> tuple[str, ...]:
        """People columns compared as they are (an email, a city), beside names, dob, postcode and sex."""
        return tuple(c.column for c in self.comparisons if c.kind in COLUMN_KINDS and c.column not in ("sex", "source"))

    @property
    def phone_columns(self) -> tuple[str, ...]:
        return tuple(c.column for c in self.comparisons if c.kind == "phone")

    @classmethod
    def finish(cls, values: dict, raw: dict, where: str, ctx: Context) -> dict:
        threshold = values.get("threshold", 0.95)
        review_from = values.get("review_from", 0.5)
        if review_from >= threshold:
            ctx.problems.append(f"{where}.review_from ({review_from}) must be below {where}.threshold ({threshold})")
        values["explicit"] = frozenset(str(key) for key in raw if key in {f.name for f in setting_fields(cls)})
        names = [c.name for c in values.get("comparisons", DEFAULT_COMPARISONS)]
        guard = values.setdefault("review_when_different", tuple(n for n in ("first_name", "dob", "sex") if n in names))
        for name in guard:
            if name not in names:
                ctx.problems.append(f"{where}.review_when_different: '{name}' is not a comparison; "
                                    f"the comparisons are {', '.join(names)}")
        for comparison in values.get("comparisons", ()):
            if comparison.when_differs is not None and (comparison.when_differs not in names
                                                        or comparison.when_differs == comparison.name):
                ctx.problems.append(f"{where}.comparisons: {comparison.name} has when_differs: "
                                    f"'{comparison.when_differs}', which is not another comparison; "
                                    f"the comparisons are {', '.join(names)}")
        return values
