"""Resolution settings derived from the people table in hand, when the job config gives none.

``profile_people`` looks at every column: how full it is, how many distinct
values it holds, whether its postcodes are UK ones, and what an extra column
holds (an email, a phone number, an identifier such as an NHS number, a
place, an attribute).  ``derive_settings`` builds the comparisons and blocking
rules from what is there; whatever the config does give wins.  The result is
written to ``settings.yaml`` (``settings_yaml``), so a run can be repeated and
edited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ._prepare import UK_POSTCODE_PATTERN, Records, key_codes
from ..config import DEFAULT_COMPARISONS, BlockingRule, Comparison, ResolveSettings

__all__ = ["ColumnProfile", "derive_settings", "profile_people", "settings_yaml", "place_columns", "name_and_place_rules",
           "RULE_BUDGET"]

#: header words that say what an extra column holds (matched on whole words of the header)
_EMAIL_WORDS = {"email", "e_mail", "mail", "emailaddress"}
_PHONE_WORDS = {"phone", "telephone", "tel", "mobile", "mob", "msisdn", "phonenumber"}
#: national identifiers: exact agreement outweighs a mistyped name or date (``strong``)
_STRONG_WORDS = {"nhs", "upn", "pnc", "ssn", "soc_sec", "socsec", "social_security", "national_insurance", "ni_number",
                 "nino", "passport", "chi", "uln", "soc_sec_id", "nhs_number", "pnc_id"}
_PLACE_WORDS = {"address", "street", "road", "suburb", "town", "city", "locality", "place", "birthplace",
                "birth_place", "county", "state", "region", "district", "village", "area", "ward", "zip", "zipcode",
                "postal", "postcode", "post"}
_ID_WORDS = {"id", "number", "no", "num", "ref", "reference", "identifier", "code"}
#: contract columns that are not evidence about who a person is
_NOT_EVIDENCE = {"record_id", "source", "flags", "dob_precision"}
_CONTRACT = ("first_name", "last_name", "dob", "sex", "postcode", "local_authority")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ColumnProfile:
    """What one column of the people table holds, and what resolution does with it."""

    column: str
    role: str
    filled: float
    distinct: int
    #: records per distinct value
    per_value: float
    use: str
    #: most values are digits (a street number, a ZIP)
    numeric: bool = False
    #: records sharing the value of a record picked at random (sum of count^2 / sum of count): the
    #: size of the block a record sits in when blocking on this column alone
    shared_by: float = 0.0

    def line(self) -> str:
        return (f"{self.column}: {self.filled:.0%} filled, {self.distinct:,} distinct, a record shares its value "
                f"with {self.shared_by:,.0f} on average; {self.role} -> {self.use}")


def _words(header: str) -> set[str]:
    text = re.sub(r"([a-z])([A-Z])", r"\1_\2", header).lower()
    parts = [p for p in re.split(r"[^a-z0-9]+", text) if p]
    return set(parts) | {"_".join(parts), "".join(parts)}


def _values(series: pd.Series) -> pd.Series:
    text = series.dropna()
    if text.dtype == object or str(text.dtype) in ("str", "string"):
        text = text.astype(str).str.strip()
        text = text[text != ""]
    return text


def _role_of_extra(header: str, values: pd.Series) -> str:
    """email, phone, strong_id, identifier, place, attribute (or ignored) for an extra column."""
    words = _words(header)
    sample = values.head(2000).astype(str)
    if words & _EMAIL_WORDS or (len(sample) and sample.str.match(_EMAIL).mean() >= 0.5):
        return "email"
    digits = sample.str.replace(r"[\s\-().+]", "", regex=True)
    phone_like = len(sample) and (digits.str.fullmatch(r"\d{9,13}").mean() >= 0.8)
    if words & _PHONE_WORDS and phone_like:
        return "phone"
    if words & _STRONG_WORDS:
        return "strong_id"
    if words & _PLACE_WORDS:
        return "place"
    if words & _ID_WORDS:
        return "identifier"
    return "attribute"


def place_columns(profiles: list[ColumnProfile]) -> list[str]:
    return [p.column for p in profiles if p.role in ("postcode_uk", "postcode_other", "place") and p.use != "not used"]


def _follows(people: pd.DataFrame, coarse: str, fine: str) -> float:
    """How often two people who share a ``fine`` value (a ZIP) share the ``coarse`` one (its city) too.

    Over the pairs of records that share the fine value and differ on the surname (two people, nearly
    always, so one person's own records do not count), the share that agree on the coarse value: about the
    chance agreement of the coarse value (0.1 for one of ten towns) when it says something of its own, near 1
    when it follows the fine one (one city per ZIP, a mistyped city aside).  Counted from value counts, per
    group: same-coarse pairs less same-coarse-same-surname pairs, over all pairs less same-surname pairs.
    0 when no surname tells the records apart.
    """
    if "last_name" not in people:
        return 0.0
    both = people[[fine, coarse, "last_name"]].dropna().astype(str)
    both = both[(both[fine].str.strip() != "") & (both[coarse].str.strip() != "") & (both["last_name"].str.strip() != "")]
    if both.empty:
        return 0.0
    both = both.assign(**{c: both[c].str.strip().str.lower() for c in (fine, coarse, "last_name")})

    def squares(*keys: str) -> float:
        counts = both.groupby(list(keys), sort=False).size().to_numpy(dtype=np.float64)
        return float((counts**2).sum())

    pairs = squares(fine) - squares(fine, "last_name")
    if pairs <= 0:
        return 0.0
    return max(0.0, (squares(fine, coarse) - squares(fine, coarse, "last_name")) / pairs)


#: a coarser place whose agreement, where the finer one agrees, can be worth at most log2(1 / FOLLOWS) = 1 bit
#: (two people at one ZIP share its city at least half the time) is counted only where the finer one differs
FOLLOWS = 0.5


def profile_people(people: pd.DataFrame) -> list[ColumnProfile]:
    """One profile per column that could say who a record is, contract columns first."""
    n = max(1, len(people))
    profiles: list[ColumnProfile] = []
    for column in people.columns:
        if column.startswith("_") or column in _NOT_EVIDENCE:
            continue
        values = _values(people[column])
        if column == "flags" or (len(values) and isinstance(values.iloc[0], (tuple, list))):
            continue
        filled = len(values) / n
        distinct = int(values.nunique()) if len(values) else 0
        per_value = len(values) / distinct if distinct else 0.0
        # each distinct value is looked at once, weighed by how many records hold it
        by_value = values.value_counts(sort=False) if len(values) else pd.Series(dtype=np.int64)
        distinct_text = pd.Series(by_value.index).astype(str)
        if column in _CONTRACT:
            role = column
            if column == "postcode" and len(values):
                uk = distinct_text.str.upper().str.replace(r"\s+", " ", regex=True).str.match(UK_POSTCODE_PATTERN)
                held = by_value.to_numpy(dtype=np.int64)
                role = "postcode_uk" if int(held[uk.to_numpy(dtype=bool)].sum()) / int(held.sum()) >= 0.5 \
                    else "postcode_other"
            elif column == "local_authority":
                role = "place"
        else:
            role = _role_of_extra(column, values)
        numeric = bool(len(values)) and bool(values.head(2000).astype(str).str.fullmatch(r"[\d\s\-]+").mean() >= 0.8)
        counts = (by_value.groupby(distinct_text.str.lower().to_numpy(), sort=False).sum().to_numpy(dtype=np.float64)
                  if len(values) else np.zeros(1))
        shared_by = float((counts**2).sum() / max(1.0, counts.sum()))
        profiles.append(ColumnProfile(column, role, round(filled, 4), distinct, round(per_value, 2), "", numeric,
                                      round(shared_by, 1)))
    return profiles


#: a column filled in fewer records than this says too little to compare on (it is listed, not used)
MIN_FILLED = 0.05
#: a place whose value a record shares with at most this many others on average is a blocking rule on its own
#: (it puts up about FINE_PLACE / 2 pairs per record: a cost bound, not a tuned accuracy constant)
FINE_PLACE = 20


def _comparison_for(profile: ColumnProfile) -> Comparison | None:
    role = profile.role
    if role in ("first_name", "last_name"):
        return Comparison(profile.column, role, term_frequency=True)
    if role == "dob":
        return Comparison("dob", "dob")
    if role in ("postcode_uk", "postcode_other"):
        return Comparison("postcode", "postcode")
    if role == "sex":
        return Comparison("sex", "exact")
    if role == "email":
        return Comparison(profile.column, "email")
    if role == "phone":
        return Comparison(profile.column, "phone")
    if role == "strong_id":
        return Comparison(profile.column, "exact", strong=True)
    if role == "identifier":
        return Comparison(profile.column, "exact")
    if role in ("place", "attribute"):
        # a few values (a state, a sex-like code) agree by chance too often to be worth a fuzzy level,
        # and numbers (a street number, a ZIP) are not misspelt like words
        fuzzy = profile.distinct > 50 and not profile.numeric
        return Comparison(profile.column, "fuzzy" if fuzzy else "exact")
    return None


def _choose_comparisons(people: pd.DataFrame, profiles: list[ColumnProfile]) -> tuple[tuple[Comparison, ...], list[ColumnProfile]]:
    """A comparison per informative column.

    A place column that follows a finer one (one town per postcode) is compared only where the finer one is
    different or missing: where the postcodes agree the town agrees too and adds nothing, but two records of
    one person at different postcodes in the same town (a move, a mistyped postcode) are likelier one person
    than two at opposite ends of the county.
    """
    chosen: list[Comparison] = []
    out: list[ColumnProfile] = []
    follows: dict[str, tuple[str, float]] = {}
    places = sorted((p for p in profiles if p.role in ("postcode_uk", "postcode_other", "place") and p.filled >= MIN_FILLED),
                    key=lambda p: (p.shared_by, p.column))
    for profile in profiles:
        use = ""
        comparison = None
        if profile.filled < MIN_FILLED:
            use = f"not used: filled in fewer than {MIN_FILLED:.0%} of records"
        elif profile.distinct < 2:
            use = "not used: one value only"
        elif profile.role == "attribute" and profile.per_value < 1.5:
            use = "not used: nearly every value is different (free text or a record number, not a trait of a person)"
        elif profile.role == "identifier" and profile.per_value > 50:
            use = "not used: a code that many records share, not an identifier of a person"
        else:
            finer = [p for p in places if p.shared_by < profile.shared_by and p.column != profile.column]
            if profile in places and finer:
                share, best = max(((_follows(people, profile.column, p.column), i) for i, p in enumerate(finer)),
                                  key=lambda found: (found[0], -found[1]))
                best = finer[best]
                if share >= FOLLOWS:
                    follows[profile.column] = (best.column, share)
            if not use:
                comparison = _comparison_for(profile)
                use = (f"compared as {comparison.kind}" + (" (strong: exact agreement lifts a review hold)" if comparison.strong else "")
                       if comparison else "not used")
        if comparison is not None:
            chosen.append(comparison)
        out.append(replace(profile, use=use))
    compared = {c.column: position for position, c in enumerate(chosen)}
    for position, profile in enumerate(out):
        if profile.column not in follows or profile.column not in compared:
            continue
        finer, share = follows[profile.column]
        index = compared[profile.column]
        if finer in compared:
            chosen[index] = replace(chosen[index], when_differs=finer)
            use = f"{profile.use} only where {finer} is different or missing"
        else:
            chosen[index] = None
            use = "not used"
        out[position] = replace(profile, use=f"{use} (follows {finer}: two people of one {finer} share the "
                                             f"{profile.column} in {share:.0%} of pairs)")
    chosen = [c for c in chosen if c is not None]
    order = {name: position for position, name in enumerate(c.column for c in DEFAULT_COMPARISONS)}
    chosen.sort(key=lambda c: order.get(c.column, len(order)))
    return tuple(chosen), out


def _key_filled(keys: dict[str, float], *names: str) -> bool:
    return all(keys.get(name, 0.0) >= MIN_FILLED for name in names)


def _blocking_rules(comparisons: tuple[Comparison, ...], profiles: list[ColumnProfile]) -> tuple[BlockingRule, ...]:
    """Rules from the keys the data has: dob with initials, names with each place, each identifier on its own."""
    by_column = {p.column: p for p in profiles}
    compared = {c.column: c for c in comparisons}
    filled = {p.column: p.filled for p in profiles if p.column in compared}
    names = _key_filled(filled, "first_name", "last_name")
    dob = "dob" in compared
    rules: list[tuple[str, ...]] = []
    if dob:
        rules += [("dob_unordered", "last_initial"), ("dob_unordered", "first_initial"), ("dob_unordered", "initials_set")]
    postcode = by_column.get("postcode")
    places: list[tuple[str, ColumnProfile]] = []
    if "postcode" in compared and postcode is not None:
        places.append(("postcode", postcode))
    for comparison in comparisons:
        profile = by_column.get(comparison.column)
        # a street number locates no one; a town that follows the postcode blocks nothing: its rules with a name
        # would put up pairs of one surname across a town (3.7M pairs instead of 0.3M on the medium world)
        if profile is not None and profile.role == "place" and not profile.numeric and comparison.when_differs is None:
            places.append((f"column:{comparison.column}", profile))
    for key, profile in places:
        # a place that few records share (a household's postcode, a street address) blocks on its own
        fine = profile.shared_by <= FINE_PLACE
        if fine:
            rules.append((key,))
        if not names:
            continue
        if profile.role == "postcode_uk":
            rules += [("name_set", "postcode_district"), ("first_name_canonical", "last_name", "postcode_district"),
                      ("last_name", "postcode_sector", "first_initial")]
        elif not fine:
            rules += [("name_set", key), ("first_name_canonical", "last_name", key), (key, "first_name_canonical"),
                      (key, "last_name")]
    if names and dob:
        rules.append(("first_name_sound", "last_name_sound", "dob_year"))
    if names and not dob:
        rules.append(("name_set",))
        rules.append(("first_name_sound", "last_name_sound"))
    elif names:
        rules.append(("name_set", "dob_year"))
    for comparison in comparisons:
        if comparison.kind in ("email", "phone") or (comparison.kind == "exact" and by_column.get(comparison.column)
                                                       and by_column[comparison.column].role in ("strong_id", "identifier")):
            rules.append((f"column:{comparison.column}",))
    if not rules:
        rules = [(key,) for key in ("first_name", "last_name") if key in compared]
    unique = list(dict.fromkeys(rules))
    return tuple(BlockingRule(rule) for rule in unique)


#: pairs per record a name-and-place rule may put up (``name_and_place_rules``): a cost bound, like FINE_PLACE
RULE_BUDGET = 10
#: from the loosest to the strictest: the loosest key of each name whose rule with a place fits the budget is used
_SURNAME_KEYS = ("last_initial", "last_name_prefix", "last_name_sound")
_FORENAME_KEYS = ("first_initial", "first_name_sound")


def name_and_place_rules(records: Records, settings: ResolveSettings, profiles: list[ColumnProfile]) -> tuple[BlockingRule, ...]:
    """Rules pairing each place that does not block on its own with a loose surname key, and with a loose first-name key.

    The derived rules block on a place with the exact surname or first name; a record whose surname was
    mistyped (Willet, Willett) and whose postcode was too shares only a town and a sounds-alike surname
    with its match.  For each place column compared (a town that follows the postcode included, as its
    pairs at different postcodes are the ones the postcode rules miss) and a postcode that does not block
    on its own, the loosest surname key (initial, first three letters, sound) and the loosest first-name
    key (initial, sound) whose rule puts up at most ``RULE_BUDGET`` pairs per record are added: the data
    decides how loose, the budget keeps the cost in check (on a county-wide local authority no such rule
    fits, and none is added).
    """
    by_column = {p.column: p for p in profiles}
    compared = {c.column for c in settings.comparisons}
    places = []
    if "postcode" in compared and "postcode" in records.columns and by_column.get("postcode") is not None \
            and by_column["postcode"].shared_by > FINE_PLACE:
        places.append("postcode")
    for column in compared:
        profile = by_column.get(column)
        if profile is not None and profile.role == "place" and not profile.numeric and f"column:{column}" in records.columns \
                and profile.shared_by > FINE_PLACE:
            places.append(f"column:{column}")
    n = len(records)
    present = {rule.keys for rule in settings.blocking}
    added: list[BlockingRule] = []
    for place in sorted(places):
        for name_keys in (_SURNAME_KEYS, _FORENAME_KEYS):
            for key in name_keys:
                if key not in records.columns:
                    continue
                rule = (place, key)
                codes = key_codes(records, rule)
                sizes = np.bincount(codes[codes >= 0]).astype(np.int64)
                if (sizes * (sizes - 1) // 2).sum() <= RULE_BUDGET * n:
                    if rule not in present:
                        added.append(BlockingRule(rule))
                    break
    return tuple(added)


def derive_settings(people: pd.DataFrame, settings: ResolveSettings) -> tuple[ResolveSettings, list[ColumnProfile]]:
    """``settings`` with what the config left out derived from ``people``; the column profiles say why."""
    profiles = profile_people(people)
    comparisons, profiles = _choose_comparisons(people, profiles)
    if "comparisons" in settings.explicit:
        comparisons = settings.comparisons
    if not comparisons:
        comparisons = DEFAULT_COMPARISONS
    blocking = settings.blocking if "blocking" in settings.explicit else _blocking_rules(comparisons, profiles)
    review = settings.review_when_different
    if "review_when_different" not in settings.explicit:
        names = [c.name for c in comparisons]
        review = tuple(name for name in ("first_name", "dob", "sex") if name in names)
        dob = next((p for p in profiles if p.column == "dob"), None)
        if "last_name" in names and (dob is None or dob.filled < 0.5):
            # with no date of birth, a surname disagreement is the only evidence that tells two
            # people of one first name at one address apart (mary willett, mary johnson)
            review += ("last_name",)
            if "first_name" in names and "comparisons" not in settings.explicit:
                # and the first name is all that tells the children of one household apart: only a close
                # spelling (the high level) is a slip; Roger and Robert at one address are two people
                comparisons = tuple(replace(c, thresholds=(c.thresholds[0], c.thresholds[0])) if c.kind == "first_name"
                                    else c for c in comparisons)
    return replace(settings, comparisons=comparisons, blocking=blocking, review_when_different=review), profiles


def _scalar(value) -> str:
    """A YAML scalar: plain when it is a simple word or number, else quoted (JSON strings are YAML)."""
    import json

    text = str(value)
    if isinstance(value, (int, float)) or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
        return text
    return json.dumps(text)


def _flow(items) -> str:
    return "[" + ", ".join(_scalar(item) for item in items) + "]"


def settings_yaml(settings: ResolveSettings, profiles: list[ColumnProfile], *, derived: tuple[str, ...],
                  recall: dict | None = None) -> str:
    """The settings of a run as a job config (``linkage resolve DATA --config settings.yaml`` repeats it)."""
    lines = [
        "# Resolution settings of this run. "
        + (f"Derived from the data: {', '.join(derived)}." if derived else "All from the job config."),
        "# Repeat the run with: linkage resolve DATA --out FOLDER --config settings.yaml",
        "# or copy the resolve: section into the job config and edit it (what the config gives wins).",
        "#",
        "# The people columns, and what resolution did with each:",
    ]
    lines += [f"#   {profile.line()}" for profile in profiles]
    if recall:
        lines += ["#", f"# Blocking recall (estimated): {recall.get('line', '')}"]
    lines += ["resolve:", "  blocking:"]
    lines += [f"    - {_flow(rule.keys)}" for rule in settings.blocking]
    lines.append("  comparisons:")
    for c in settings.comparisons:
        item = f"    - {{column: {_scalar(c.column)}, kind: {c.kind}"
        if c.kind in ("first_name", "last_name", "fuzzy", "bloom_name"):
            item += f", thresholds: {_flow(c.thresholds)}"
        if c.term_frequency:
            item += ", term_frequency: true"
        if c.strong:
            item += ", strong: true"
        if c.when_differs:
            item += f", when_differs: {_scalar(c.when_differs)}"
        lines.append(item + "}")
    lines.append(f"  review_when_different: {_flow(settings.review_when_different)}")
    lines.append(f"  threshold: {settings.threshold}")
    lines.append(f"  review_from: {settings.review_from}")
    lines.append(f"  max_block_size: {settings.max_block_size}")
    return "\n".join(lines) + "\n"

