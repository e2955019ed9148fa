"""The Splink (DuckDB backend) side of ``bench/resolve_large.py``: dedupe one world's people.csv.

    python bench/splink_job.py <world folder> [seed]

Prints one JSON line (the last line of stdout) with timings, peak RSS of this
process, the model's settings and the same pairwise / B-cubed scores that
``linkage.resolve.evaluate_entities`` gives linkage.  Run by resolve_large.py
in a fresh process (``measure.run_measured``) so its peak memory is its own.

The model mirrors linkage's defaults (``linkage.resolve._settings``) as far as
Splink allows, built from Splink's comparison-level library:

* names lower-cased and reduced to letters (as linkage's ``normalise_name``);
  first and last name each: null / exact (term-frequency adjusted) / first and
  last swapped (``ColumnsReversedLevel``) / Jaro-Winkler >= 0.92 / >= 0.80 / else.
  That is ``NameComparison`` at linkage's thresholds plus the reversed level,
  Splink's own answer to swapped names (linkage compares swapped names back in
  order);
* date of birth: linkage's levels in SQL, null / exact / day-month swapped /
  one day apart / a year apart / same year-month / same year / else, so partial
  dates (``2008-03``, ``2008``) still count, where Splink's ``DateOfBirthComparison``
  (exact / Levenshtein 1 / 1 month / 1 year / 10 years) needs full dates;
* postcode: full / sector / district / else (Splink's ``PostcodeComparison``
  would count two partial ``PR1 4`` as a full match and adds an area level);
* sex: ``ExactMatch`` (U and empty are null);
* blocking: linkage's default rules on the same derived keys (see BLOCKING);

Both departures from the plain library comparisons make Splink better.  Pairwise
F1 on the medium world (seed 0): NameComparison + DateOfBirthComparison 0.955;
with the reversed-names level 0.966; with linkage's dob levels as well 0.969.

* training: prior from deterministic rules (recall 0.7), u by random sampling
  (2e6 pairs, seeded, as linkage's u_sample_pairs), m by EM blocked on dob and
  on first & last name, each on a 1e6-pair sample (``max_pairs``, as linkage's
  em_sample_pairs: unsampled, the dob rule is 44M pairs on the large world and
  EM took 195 s and 9 GiB for a pairwise F1 of 0.9503, against 7 s, 2.8 GiB
  and 0.9509 sampled); predict and cluster at match probability 0.99
  (linkage's threshold).  The reversed-names level is (almost) never seen in
  random pairs, so Splink warns that its u is not fully trained and uses its
  default u for that level.

What linkage has and this model does not: a nickname level and nickname-folded
first initials (Splink ships no nickname list), linkage's rule that a pair
whose first name, dob or sex clearly differ is never linked automatically
(review queue), its chaining guard when clustering, and its 400-record cap
on block size.
"""

from __future__ import annotations

import json
import logging
import re
import resource
import sys
import time
import unicodedata
from pathlib import Path

import pandas as pd

THRESHOLD = 0.99
U_MAX_PAIRS = 2e6
RECALL = 0.7
#: pairs EM samples per training rule (Splink 5's max_pairs; linkage's em_sample_pairs is also 1e6)
EM_MAX_PAIRS = 1e6

_NOT_LETTERS = re.compile(r"[^a-z]")
_SOUNDEX = {c: str(d) for d, letters in enumerate(["aeiouyhw", "bfpv", "cgjkqsxz", "dt", "l", "mn", "r"]) for c in letters}


def clean_name(value):
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").lower()
    return _NOT_LETTERS.sub("", text) or None


def _soundex(name):
    if not isinstance(name, str) or not name:
        return None
    previous = _SOUNDEX.get(name[0], "")
    digits = []
    for char in name[1:]:
        code = _SOUNDEX.get(char, "")
        if code and code != "0" and code != previous:
            digits.append(code)
        if char not in "hw":
            previous = code
    return (name[0].upper() + "".join(digits) + "000")[:4]


def _postcode(value):
    """(full, sector, district) of a UK postcode; full only when complete, as in linkage."""
    if not isinstance(value, str):
        return (None, None, None)
    text = re.sub(r"[^A-Z0-9 ]", "", value.upper()).strip()
    if not text:
        return (None, None, None)
    parts = text.split()
    if len(parts) >= 2:
        outward, inward = parts[0], "".join(parts[1:])
    elif len(text) >= 5 and text[-3].isdigit():
        outward, inward = text[:-3], text[-3:]
    else:
        outward, inward = text, ""
    full = f"{outward} {inward}" if len(inward) == 3 else None
    sector = f"{outward} {inward[0]}" if inward else None
    return (full, sector, outward or None)


def per_unique(series: pd.Series, function, missing=None) -> list:
    """``function`` applied once per distinct value (names and postcodes repeat a lot); ``missing`` for nulls."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = [function(v) for v in uniques] + [missing]
    return [mapped[code] for code in codes]  # code -1 (null) picks ``missing``


def _sorted_pair(a: pd.Series, b: pd.Series, sep: str) -> pd.Series:
    both = a.notna() & b.notna()
    a2, b2 = a.fillna(""), b.fillna("")
    low = a2.where(a2 <= b2, b2)
    high = b2.where(a2 <= b2, a2)
    return (low + sep + high).where(both)


def prepare(raw: pd.DataFrame) -> pd.DataFrame:
    """Splink's input table: normalised names and the derived keys linkage blocks on."""
    blank = lambda s: s.where(s.str.strip() != "")  # noqa: E731
    first = pd.Series(per_unique(blank(raw["first_name"]), clean_name), dtype="object")
    last = pd.Series(per_unique(blank(raw["last_name"]), clean_name), dtype="object")
    dob_text = blank(raw["dob"])
    dob = pd.to_datetime(dob_text, format="%Y-%m-%d", errors="coerce")  # full dates only; partial -> NaT
    full = dob.notna()
    month, day = dob.dt.month, dob.dt.day
    lo = month.where(month <= day, day)
    hi = day.where(month <= day, month)
    postcode = per_unique(blank(raw["postcode"]), _postcode, (None, None, None))
    sex = raw["sex"].where(raw["sex"].isin(["M", "F"]))
    frame = pd.DataFrame(
        {
            "unique_id": raw["record_id"].astype(str),
            "first_name": first,
            "last_name": last,
            "name_set": _sorted_pair(first, last, "|"),
            "initials_set": _sorted_pair(first.str[0], last.str[0], ""),
            "first_sound": pd.Series(per_unique(first, _soundex), dtype="object"),
            "last_sound": pd.Series(per_unique(last, _soundex), dtype="object"),
            "dob": dob,  # datetime64, NaT unless a full date -> DuckDB TIMESTAMP / NULL
            "dob_unordered": (
                dob.dt.year.astype("Int64").astype(str) + "-" + lo.astype("Int64").astype(str) + "-" + hi.astype("Int64").astype(str)
            ).where(full),
            "dob_ym": dob_text.str[:7].where(dob_text.str.match(r"^\d{4}-\d{2}", na=False)),
            "dob_year": dob_text.str[:4].where(dob_text.str.match(r"^\d{4}", na=False)),
            "postcode_full": [p[0] for p in postcode],
            "postcode_sector": [p[1] for p in postcode],
            "postcode_district": [p[2] for p in postcode],
            "sex": sex,
        }
    )
    for column in frame.columns:
        if column != "dob":  # plain object columns with None, so DuckDB gets VARCHAR / NULL
            frame[column] = frame[column].astype("object").where(frame[column].notna(), None)
    return frame


def _name_comparison(cll, cl, column: str):
    """NameComparison's levels at linkage's thresholds, plus Splink's ColumnsReversedLevel for swapped names."""
    return cl.CustomComparison(
        [
            cll.NullLevel(column),
            cll.ExactMatchLevel(column).configure(tf_adjustment_column=column),
            cll.ColumnsReversedLevel("first_name", "last_name", symmetrical=True).configure(
                label_for_charts="first and last names swapped"
            ),
            cll.JaroWinklerLevel(column, 0.92),
            cll.JaroWinklerLevel(column, 0.80),
            cll.ElseLevel(),
        ],
        output_column_name=column,
    )


def _dob_comparison(cll, cl):
    """linkage's dob levels in Splink SQL; partial dates (dob_ym, dob_year) still count."""
    return cl.CustomComparison(
        [
            cll.CustomLevel("dob_year_l IS NULL OR dob_year_r IS NULL").configure(is_null_level=True),
            cll.CustomLevel("dob_l = dob_r", "exact"),
            cll.CustomLevel(
                "year(dob_l) = year(dob_r) AND month(dob_l) = day(dob_r) AND day(dob_l) = month(dob_r)",
                "day and month swapped",
            ),
            cll.CustomLevel("abs(date_diff('day', dob_l, dob_r)) <= 1", "one day apart"),
            cll.CustomLevel(
                "abs(year(dob_l) - year(dob_r)) = 1 AND month(dob_l) = month(dob_r) AND day(dob_l) = day(dob_r)",
                "a year apart",
            ),
            cll.CustomLevel("dob_ym_l = dob_ym_r", "same year and month"),
            cll.CustomLevel("dob_year_l = dob_year_r", "same year"),
            cll.ElseLevel(),
        ],
        output_column_name="dob",
    )


def settings():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons = [
        _name_comparison(cll, cl, "first_name"),
        _name_comparison(cll, cl, "last_name"),
        _dob_comparison(cll, cl),
        cl.CustomComparison(
            [
                cll.NullLevel("postcode_district"),
                cll.ExactMatchLevel("postcode_full").configure(label_for_charts="full postcode"),
                cll.ExactMatchLevel("postcode_sector").configure(label_for_charts="postcode sector"),
                cll.ExactMatchLevel("postcode_district").configure(label_for_charts="postcode district"),
                cll.ElseLevel(),
            ],
            output_column_name="postcode",
        ),
        cl.ExactMatch("sex"),
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=BLOCKING(block_on),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def BLOCKING(block_on):
    """linkage's DEFAULT_BLOCKING, rule for rule, on the same derived keys (OR-ed)."""
    return [
        block_on("dob_unordered", "substr(last_name, 1, 1)"),
        block_on("dob_unordered", "substr(first_name, 1, 1)"),
        block_on("dob_unordered", "initials_set"),
        block_on("name_set", "postcode_district"),
        # linkage's (first_name_canonical, last_name, postcode_district) is this rule with
        # nicknames folded; without a nickname list it is the name_set rule above again
        block_on("postcode_full", "substr(first_name, 1, 1)"),
        block_on("last_name", "postcode_sector", "substr(first_name, 1, 1)"),
        block_on("first_sound", "last_sound", "dob_year"),
    ]


BLOCKING_TEXT = [
    "dob_unordered & substr(last_name,1,1)",
    "dob_unordered & substr(first_name,1,1)",
    "dob_unordered & initials_set",
    "name_set & postcode_district",
    "postcode_full & substr(first_name,1,1)",
    "last_name & postcode_sector & substr(first_name,1,1)",
    "soundex(first_name) & soundex(last_name) & dob_year",
]


def main(folder: Path, seed: int) -> dict:
    import splink
    from splink import DuckDBAPI, Linker, block_on

    from linkage.resolve import evaluate_entities

    started = time.perf_counter()
    raw = pd.read_csv(folder / "people.csv", dtype=str, keep_default_na=False)
    load_seconds = time.perf_counter() - started

    timings = {}
    tick = time.perf_counter()
    frame = prepare(raw)
    del raw
    timings["prepare"] = time.perf_counter() - tick

    tick = time.perf_counter()
    db_api = DuckDBAPI()
    table = db_api.register(frame, dataset_display_name="people")
    linker = Linker(table, settings(), log_level=logging.WARNING)
    timings["register"] = time.perf_counter() - tick

    tick = time.perf_counter()
    deterministic = [block_on("first_name", "last_name", "dob"), block_on("first_name", "last_name", "postcode_full")]
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=RECALL)
    timings["prior"] = time.perf_counter() - tick
    tick = time.perf_counter()
    linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed)
    timings["u"] = time.perf_counter() - tick
    tick = time.perf_counter()
    em_rules = [block_on("dob"), block_on("first_name", "last_name")]
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=EM_MAX_PAIRS)
    timings["em"] = time.perf_counter() - tick

    tick = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    timings["predict"] = time.perf_counter() - tick
    tick = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, THRESHOLD)
    entities = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    timings["cluster"] = time.perf_counter() - tick
    splink_seconds = sum(v for k, v in timings.items() if k != "prepare")
    resolve_seconds = timings["prepare"] + splink_seconds
    total_seconds = time.perf_counter() - started

    resolve_peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    # analysis, after the timed part: exact count of the pairs the prediction blocking scored
    tick = time.perf_counter()
    counts = linker.blocking_analysis.count_comparisons_from_blocking_rules(record_sample_proportion=1.0)
    candidate_pairs = int(counts[-1]["cumulative_comparison_count"])
    per_rule = {c["blocking_rule"]: int(c["marginal_comparison_count"]) for c in counts}
    count_seconds = time.perf_counter() - tick
    predicted_pairs = int(linker.misc.query_sql(f"select count(*) as n from {predictions.physical_name}", output_type="pandas")["n"][0])

    truth = pd.read_csv(folder / "truth" / "records.csv", dtype=str, keep_default_na=False).set_index("record_id")["person_id"]
    pred = entities.set_index("unique_id")["cluster_id"]
    scores = evaluate_entities(pred, truth.reindex(pred.index))

    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    return {
        "tool": "splink",
        "version": splink.__version__,
        "duckdb": __import__("duckdb").__version__,
        "records": int(len(frame)),
        "load_seconds": round(load_seconds, 2),
        "resolve_seconds": round(resolve_seconds, 2),
        "splink_seconds": round(splink_seconds, 2),
        "total_seconds": round(total_seconds, 2),
        "self_peak_rss_gib": round(peak_gib, 3),
        "resolve_peak_rss_gib": round(resolve_peak_gib, 3),
        "count_pairs_seconds": round(count_seconds, 2),
        "stage_seconds": {k: round(v, 2) for k, v in timings.items()},
        "candidate_pairs": candidate_pairs,
        "candidate_pairs_per_rule": per_rule,
        "pairs_at_threshold": predicted_pairs,
        "probability_two_random_records_match": linker._settings_obj._probability_two_random_records_match,
        "settings": {
            "blocking": BLOCKING_TEXT,
            "comparisons": [
                "first_name: null / exact (term frequency) / ColumnsReversedLevel(first, last) / JW>=0.92 / JW>=0.80 / else",
                "last_name: null / exact (term frequency) / ColumnsReversedLevel(first, last) / JW>=0.92 / JW>=0.80 / else",
                "dob: null (no year) / exact / day-month swapped / 1 day apart / 1 year apart / same year-month / same year / else",
                "postcode: CustomComparison full / sector / district / else",
                "sex: ExactMatch (U/empty -> null)",
            ],
            "training": [
                f"estimate_probability_two_random_records_match([first_name&last_name&dob, first_name&last_name&postcode_full], recall={RECALL})",
                f"estimate_u_using_random_sampling(max_pairs={U_MAX_PAIRS:.0e}, seed={seed})",
                f"estimate_parameters_using_expectation_maximisation(block_on('dob'), max_pairs={EM_MAX_PAIRS:.0e})",
                f"estimate_parameters_using_expectation_maximisation(block_on('first_name', 'last_name'), max_pairs={EM_MAX_PAIRS:.0e})",
            ],
            "threshold_match_probability": THRESHOLD,
        },
        **scores,
    }


if __name__ == "__main__":
    result = main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    print(json.dumps(result))
