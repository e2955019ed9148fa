"""Resolution settings: blocking rules, comparisons, thresholds, from the ``resolve:`` config section.

Declarative, like Splink's settings: a blocking rule is a list of record keys
that must agree; a comparison names a column and its kind.  Every problem in
the section is reported together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, did_you_mean

__all__ = ["BLOOM_THRESHOLDS", "ResolveSettings", "Comparison", "BlockingRule", "BLOCKING_KEYS", "COMPARISON_KINDS", "METHODS", "settings_from_dict"]

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
    "dob": ("exact", "day_month_swapped", "one_day_apart", "year_apart", "same_year_month", "same_year", "different"),
    "postcode": ("full", "sector", "district", "different"),
    "exact": ("exact", "different"),
    "fuzzy": ("exact", "jaro_winkler_high", "jaro_winkler_mid", "different"),
    #: names as keyed Bloom filters (``linkage pseudonymise --bloom-names``), by Dice similarity
    "bloom_name": ("exact", "dice_high", "dice_mid", "different"),
}

#: Dice thresholds [high, mid] of Bloom-encoded names (bigram Dice runs lower than Jaro-Winkler)
BLOOM_THRESHOLDS = (0.8, 0.65)


@dataclass(frozen=True)
class BlockingRule:
    keys: tuple[str, ...]

    @property
    def name(self) -> str:
        return " & ".join(self.keys)


@dataclass(frozen=True)
class Comparison:
    """Compare ``column`` of two records by ``kind``; levels from COMPARISON_KINDS[kind]."""

    column: str
    kind: str
    thresholds: tuple[float, float] = (0.92, 0.80)
    term_frequency: bool = False
    #: an identifier such as an NHS number or UPN: when it agrees exactly, a
    #: disagreement on a review_when_different comparison no longer holds the
    #: pair for review (the identifier outweighs a mistyped name or date)
    strong: bool = False

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


@dataclass(frozen=True)
class ResolveSettings:
    blocking: tuple[BlockingRule, ...] = DEFAULT_BLOCKING
    comparisons: tuple[Comparison, ...] = DEFAULT_COMPARISONS
    #: pairs at or above this match probability are linked
    threshold: float = 0.95
    #: pairs in [review_from, threshold) go to the review queue
    review_from: float = 0.5
    #: blocks larger than this are skipped (and reported) to keep pair counts sane
    max_block_size: int = 400
    #: random pairs sampled to estimate u
    u_sample_pairs: int = 2_000_000
    #: pairs sampled per blocking rule for EM (m)
    em_sample_pairs: int = 1_000_000
    em_iterations: int = 25
    #: chaining guard: two records conflict when their sexes differ and their
    #: dates of birth are more than this many days apart, or their dates of
    #: birth are more than ``guard_max_dob_years`` apart whatever the sex
    guard_dob_days: int = 366
    guard_max_dob_years: int = 10
    #: comparisons whose clear disagreement ("different") stops a pair being
    #: linked automatically: it goes to the review queue instead.  Twins and
    #: siblings share surname, date of birth and address but not a first name;
    #: a father and son can share a name and an address but not a date of birth.
    review_when_different: tuple[str, ...] = ("first_name", "dob", "sex")
    labels: Path | None = None
    overrides: Path | None = None
    previous_entities: Path | None = None
    model: Path | None = None
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    #: ``fellegi_sunter`` (match records) or ``none`` (``resolve: none``: every record is its own person)
    method: str = "fellegi_sunter"


#: the ways of resolving: match records, or keep every record as its own person
METHODS = ("fellegi_sunter", "none")

_KEYS = (
    "method",
    "blocking",
    "comparisons",
    "threshold",
    "review_from",
    "max_block_size",
    "u_sample_pairs",
    "em_sample_pairs",
    "em_iterations",
    "guard_dob_days",
    "guard_max_dob_years",
    "review_when_different",
    "labels",
    "overrides",
    "previous_entities",
    "model",
)


_suggest = did_you_mean
#: the settings of one resolve.comparisons item
COMPARISON_KEYS = ("column", "kind", "thresholds", "term_frequency", "strong")


def settings_from_dict(raw: dict | None, *, base: Path | None = None, seed: int = 0, source: str = "resolve") -> ResolveSettings:
    """ResolveSettings from the ``resolve:`` section of a job config."""
    if isinstance(raw, str) and raw.strip().lower() == "none":
        raw = {"method": "none"}
    raw = dict(raw or {})
    base = base or Path.cwd()
    problems: list[str] = []
    method = str(raw.get("method", "fellegi_sunter")).strip().lower()
    if method not in METHODS:
        problems.append(f"resolve.method '{raw['method']}'{_suggest(method, METHODS)} is not a method; "
                        f"the methods are {', '.join(METHODS)} (resolve: none keeps every record as its own person)")
        method = "fellegi_sunter"
    for key in raw:
        if key not in _KEYS:
            problems.append(f"resolve: unknown setting '{key}'{_suggest(str(key), _KEYS)}; the settings are {', '.join(_KEYS)}")

    blocking = DEFAULT_BLOCKING
    if "blocking" in raw:
        rules = []
        if not isinstance(raw["blocking"], list) or not raw["blocking"]:
            problems.append("resolve.blocking must be a list of rules, each a list of keys, e.g. [[dob, last_initial], [postcode]]")
        else:
            for position, rule in enumerate(raw["blocking"], start=1):
                keys = [rule] if isinstance(rule, str) else rule
                if not isinstance(keys, list) or not keys:
                    problems.append(f"resolve.blocking rule {position} must be a list of keys, e.g. [dob, last_initial]")
                    continue
                for key in keys:
                    if str(key) not in BLOCKING_KEYS and not str(key).startswith("column:"):
                        problems.append(
                            f"resolve.blocking rule {position}: unknown key '{key}'{_suggest(str(key), BLOCKING_KEYS)}; "
                            f"the keys are {', '.join(BLOCKING_KEYS)}, or column:<name> for an extra column"
                        )
                rules.append(BlockingRule(tuple(str(k) for k in keys)))
            blocking = tuple(rules)

    comparisons = DEFAULT_COMPARISONS
    if "comparisons" in raw:
        items = []
        if not isinstance(raw["comparisons"], list) or not raw["comparisons"]:
            problems.append("resolve.comparisons must be a list, e.g. [{column: first_name, kind: first_name}, {column: nhs_number, kind: exact}]")
        else:
            for position, item in enumerate(raw["comparisons"], start=1):
                if isinstance(item, str):
                    item = {"column": item, "kind": item if item in COMPARISON_KINDS else "exact"}
                if not isinstance(item, dict) or "column" not in item:
                    problems.append(f"resolve.comparisons item {position} needs a column, e.g. {{column: nhs_number, kind: exact}}")
                    continue
                for key in item:
                    if key not in COMPARISON_KEYS:
                        problems.append(
                            f"resolve.comparisons item {position}: unknown setting '{key}'{_suggest(str(key), COMPARISON_KEYS)}; "
                            f"the settings are {', '.join(COMPARISON_KEYS)}"
                        )
                kind = str(item.get("kind", "exact"))
                if kind not in COMPARISON_KINDS:
                    problems.append(
                        f"resolve.comparisons item {position}: unknown kind '{kind}'{_suggest(kind, COMPARISON_KINDS)}; "
                        f"the kinds are {', '.join(COMPARISON_KINDS)}"
                    )
                    continue
                thresholds = item.get("thresholds", [0.92, 0.80])
                if (
                    not isinstance(thresholds, list)
                    or len(thresholds) != 2
                    or not all(isinstance(t, (int, float)) and 0 < t <= 1 for t in thresholds)
                    or thresholds[0] < thresholds[1]
                ):
                    problems.append(f"resolve.comparisons item {position}: thresholds must be [high, mid] between 0 and 1, e.g. [0.92, 0.8]")
                    thresholds = [0.92, 0.80]
                items.append(
                    Comparison(
                        str(item["column"]),
                        kind,
                        (float(thresholds[0]), float(thresholds[1])),
                        bool(item.get("term_frequency", kind in ("first_name", "last_name"))),
                        bool(item.get("strong", False)),
                    )
                )
            comparisons = tuple(items)

    numbers = {}
    for key, default, low, high in (
        ("threshold", 0.95, 0.0, 1.0),
        ("review_from", 0.5, 0.0, 1.0),
    ):
        value = raw.get(key, default)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not low < value < high:
            problems.append(f"resolve.{key} {value!r} must be a probability between 0 and 1, e.g. {default}")
            value = default
        numbers[key] = float(value)
    if numbers["review_from"] >= numbers["threshold"]:
        problems.append(f"resolve.review_from ({numbers['review_from']}) must be below resolve.threshold ({numbers['threshold']})")
    for key, default in (
        ("max_block_size", 400),
        ("u_sample_pairs", 2_000_000),
        ("em_sample_pairs", 1_000_000),
        ("em_iterations", 25),
        ("guard_dob_days", 366),
        ("guard_max_dob_years", 10),
    ):
        value = raw.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(f"resolve.{key} {value!r} must be a whole number of at least 1, e.g. {default}")
            value = default
        numbers[key] = value

    names = [c.name for c in comparisons]
    default_guard = [name for name in ("first_name", "dob", "sex") if name in names]
    review_when_different = raw.get("review_when_different", default_guard)
    if not isinstance(review_when_different, list) or not all(isinstance(x, str) for x in review_when_different):
        problems.append("resolve.review_when_different must be a list of comparison names, e.g. [first_name, sex]")
        review_when_different = []
    for name in review_when_different:
        if name not in names:
            problems.append(f"resolve.review_when_different: '{name}' is not a comparison; the comparisons are {', '.join(names)}")

    paths = {}
    for key in ("labels", "overrides", "previous_entities", "model"):
        value = raw.get(key)
        if value is None:
            paths[key] = None
            continue
        path = Path(str(value)).expanduser()
        path = path if path.is_absolute() else base / path
        if not path.is_file():
            problems.append(f"resolve.{key}: {path} does not exist; correct the path or remove the setting")
        paths[key] = path

    if problems:
        raise ConfigError.from_problems(source, problems)
    return ResolveSettings(
        blocking=blocking,
        comparisons=comparisons,
        threshold=numbers["threshold"],
        review_from=numbers["review_from"],
        max_block_size=numbers["max_block_size"],
        u_sample_pairs=numbers["u_sample_pairs"],
        em_sample_pairs=numbers["em_sample_pairs"],
        em_iterations=numbers["em_iterations"],
        guard_dob_days=numbers["guard_dob_days"],
        guard_max_dob_years=numbers["guard_max_dob_years"],
        review_when_different=tuple(review_when_different),
        labels=paths["labels"],
        overrides=paths["overrides"],
        previous_entities=paths["previous_entities"],
        model=paths["model"],
        seed=seed,
        method=method,
    )
