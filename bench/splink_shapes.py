"""The Splink side of ``bench/resolve_shapes.py``: one shape's people.csv through Splink 5 (DuckDB).

    python bench/splink_shapes.py <shape folder> [seed]

Prints one JSON line (the last line of stdout): time, peak RSS of this
process, the settings used, pairwise / B-cubed scores (the same
``linkage.resolve.evaluate_entities`` that scores linkage) and Splink's
blocking recall.  Run in a fresh process so that its peak memory is its own.

The model is the "team config" an analyst who knows the data would write,
built from the shape's column roles (``shape.json``) in the style of Splink's
own examples for FEBRL 3 and 4 and the 50k historical persons:

* cleaning: names lower-cased and reduced to letters (as ``splink_job.clean_name``),
  other text trimmed and lower-cased, UK postcodes upper-cased; empty -> NULL;
* comparisons: ``ForenameSurnameComparison`` (its swapped-names level;
  term frequencies on the full name) when there is a dob, else a
  ``NameComparison`` (term frequencies) per name; ``DateOfBirthComparison`` (ISO strings,
  impossible and partial dates as NULL), ``PostcodeComparison`` for a UK
  postcode, ``DamerauLevenshteinAtThresholds([1, 2])`` with term frequencies
  for another postcode or a ZIP, ``JaroWinklerAtThresholds(0.9)`` with term
  frequencies for a city or birth place, ``EmailComparison``,
  ``DamerauLevenshteinAtThresholds([1, 2])`` for soc_sec_id, ``ExactMatch``
  for street number (term frequencies), sex and occupation.  Suburb, state and
  address lines are left out, as Splink's FEBRL examples do (they follow the
  postcode);
* blocking (OR-ed): first 3 letters of the first name and 4 of the surname;
  names swapped; dob; the postcode or ZIP; city with the first name, city with
  the surname; birth place with dob; email; soc_sec_id; street number with
  address line;
* training: prior from deterministic rules (names and dob, names and place,
  email, soc_sec_id; recall 0.7), u by random sampling (2e6 pairs, seeded),
  m by EM blocked on dob and on first name and surname; with no dob, blocked
  on the place (or email, or city) with the first name, with the surname, and
  on both names;
* predict and cluster at match probability THRESHOLD.
"""

from __future__ import annotations

import json
import logging
import resource
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from shapes import read_truth, score_entities  # noqa: E402
from splink_job import clean_name, per_unique  # noqa: E402

THRESHOLD = 0.9
RECALL = 0.7
U_MAX_PAIRS = 2e6

#: role -> how the analyst cleans it
_NAME_ROLES = ("first_name", "last_name")
_PLACE_ROLES = ("postcode_uk", "postcode_other", "zip")


def _blank_to_none(series: pd.Series) -> pd.Series:
    series = series.astype("object")
    return series.where(series.notna() & (series.astype(str).str.strip() != ""), None)


def prepare(raw: pd.DataFrame, roles: dict[str, str]) -> pd.DataFrame:
    """Splink's input table: one column per role, under the role's name, cleaned as an analyst would."""
    frame = pd.DataFrame({"unique_id": raw[roles["record_id"]].astype(str)})
    for role, column in roles.items():
        if role in ("record_id",):
            continue
        values = _blank_to_none(raw[column])
        if role in _NAME_ROLES:
            values = pd.Series(per_unique(values, clean_name), dtype="object")
        elif role == "postcode_uk":
            values = values.str.upper().str.strip()
        elif role == "sex":
            values = values.str.strip().str.upper().map({"M": "M", "F": "F", "1": "M", "2": "F"})
        elif role not in ("source", "dob"):
            values = values.str.strip().str.lower()
        else:
            values = values.str.strip()
        frame[role] = values.astype("object").where(values.notna(), None)
    if "first_name" in frame and "last_name" in frame:
        both = frame["first_name"].notna() & frame["last_name"].notna()
        frame["full_name"] = (frame["first_name"].fillna("") + " " + frame["last_name"].fillna("")).where(both, None)
    return frame


def place_role(roles: dict[str, str]) -> str | None:
    return next((role for role in _PLACE_ROLES if role in roles), None)


def team_config(roles: dict[str, str]) -> dict:
    """Comparisons, blocking rules and training rules for these roles, as objects and as text."""
    import splink.comparison_library as cl
    from splink import block_on

    comparisons, blocking, deterministic, em = [], [], [], []
    text = {"comparisons": [], "blocking": [], "deterministic": [], "em": []}

    def add(kind: str, item, description: str) -> None:
        {"comparisons": comparisons, "blocking": blocking, "deterministic": deterministic, "em": em}[kind].append(item)
        text[kind].append(description)

    names = "first_name" in roles and "last_name" in roles
    place = place_role(roles)
    if names and "dob" in roles:
        add("comparisons", cl.ForenameSurnameComparison("first_name", "last_name", forename_surname_concat_col_name="full_name"),
            "ForenameSurnameComparison(first_name, last_name, tf on full name)")
    else:  # EM must estimate each name blocked on the other (see the EM rules below)
        for role in _NAME_ROLES:
            if role in roles:
                add("comparisons", cl.NameComparison(role).configure(term_frequency_adjustments=True), f"NameComparison({roles[role]}, tf)")
    if names:
        add("blocking", block_on("substr(first_name, 1, 3)", "substr(last_name, 1, 4)"), "first 3 letters of first_name & first 4 of last_name")
        add("blocking", "l.first_name = r.last_name and l.last_name = r.first_name", "first_name and last_name swapped")
    if "dob" in roles:
        add("comparisons", cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d", invalid_dates_as_null=True),
            "DateOfBirthComparison(dob, ISO strings, invalid as null)")
        add("blocking", block_on("dob"), "dob")
    if "postcode_uk" in roles:
        add("comparisons", cl.PostcodeComparison("postcode_uk"), "PostcodeComparison(postcode)")
    for role in ("postcode_other", "zip"):
        if role in roles:
            add("comparisons", cl.DamerauLevenshteinAtThresholds(role, [1, 2]).configure(term_frequency_adjustments=True),
                f"DamerauLevenshteinAtThresholds({roles[role]}, [1, 2], tf)")
    if place:
        add("blocking", block_on(place), roles[place])
    for role in ("city", "birth_place"):
        if role in roles:
            add("comparisons", cl.JaroWinklerAtThresholds(role, [0.9]).configure(term_frequency_adjustments=True),
                f"JaroWinklerAtThresholds({roles[role]}, 0.9, tf)")
    if "city" in roles and names:
        add("blocking", block_on("city", "first_name"), "city & first_name")
        add("blocking", block_on("city", "last_name"), "city & last_name")
    if "birth_place" in roles:
        partner = "dob" if "dob" in roles else "last_name"
        add("blocking", block_on("birth_place", partner), f"birth_place & {partner}")
    if "email" in roles:
        add("comparisons", cl.EmailComparison("email"), "EmailComparison(email)")
        add("blocking", block_on("email"), "email")
    if "soc_sec_id" in roles:
        add("comparisons", cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]), "DamerauLevenshteinAtThresholds(soc_sec_id, [1, 2])")
        add("blocking", block_on("soc_sec_id"), "soc_sec_id")
    if "street_number" in roles:
        add("comparisons", cl.ExactMatch("street_number").configure(term_frequency_adjustments=True), "ExactMatch(street_number, tf)")
        if "address_1" in roles:
            add("blocking", block_on("street_number", "address_1"), "street_number & address_1")
    if "sex" in roles:
        add("comparisons", cl.ExactMatch("sex"), "ExactMatch(sex)")
    if "occupation" in roles:
        add("comparisons", cl.ExactMatch("occupation").configure(term_frequency_adjustments=True), "ExactMatch(occupation, tf)")

    if names and "dob" in roles:
        add("deterministic", block_on("first_name", "last_name", "dob"), "first_name & last_name & dob")
    if names and place:
        add("deterministic", block_on("first_name", "last_name", place), f"first_name & last_name & {roles[place]}")
    for role in ("email", "soc_sec_id"):
        if role in roles:
            add("deterministic", block_on(role), role)
    if "dob" in roles:
        add("em", block_on("dob"), "dob")
    else:
        # without a dob, EM blocked on a place alone learns households (same surname and ZIP), not
        # persons: the names' m came out near zero (F1 0.35 on synth_us_no_dob_20, against 0.71 so)
        anchor = place or next((role for role in ("email", "city") if role in roles), None)
        if anchor and names:
            add("em", block_on(anchor, "first_name"), f"{roles[anchor]} & first_name")
            add("em", block_on(anchor, "last_name"), f"{roles[anchor]} & last_name")
    if names:
        add("em", block_on("first_name", "last_name"), "first_name & last_name")
    return {"comparisons": comparisons, "blocking": blocking, "deterministic": deterministic, "em": em, "text": text}


def blocking_recall(pairs: pd.DataFrame, truth: pd.Series, total_true_pairs: int) -> dict:
    """Share of the true pairs among the pairs the blocking rules generated."""
    left = truth.reindex(pairs["unique_id_l"].to_numpy()).to_numpy()
    right = truth.reindex(pairs["unique_id_r"].to_numpy()).to_numpy()
    found = int(((left == right) & pd.notna(left)).sum())
    return {
        "blocked_pairs": int(len(pairs)),
        "true_pairs_blocked": found,
        "blocking_recall": round(found / total_true_pairs, 6) if total_true_pairs else None,
    }


def main(folder: Path, seed: int) -> dict:
    import splink
    from splink import DuckDBAPI, Linker, SettingsCreator

    meta = json.loads((folder / "shape.json").read_text())
    roles = meta["roles"]
    config = team_config(roles)  # builds objects only; no data touched yet

    started = time.perf_counter()
    stages: dict[str, float] = {}
    tick = started

    def stage(name: str) -> None:
        nonlocal tick
        now = time.perf_counter()
        stages[name] = round(now - tick, 2)
        tick = now

    raw = pd.read_csv(folder / "people.csv", dtype=str, keep_default_na=False)
    frame = prepare(raw, roles)
    del raw
    stage("read_and_prepare")
    link_type = meta.get("link_type", "dedupe_only")
    db_api = DuckDBAPI()
    if link_type == "link_only":
        tables = [db_api.register(part.drop(columns="source"), dataset_display_name=str(name)) for name, part in frame.groupby("source", sort=True)]
    else:
        tables = db_api.register(frame, dataset_display_name=meta["name"])
    settings = SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=config["comparisons"],
        blocking_rules_to_generate_predictions=config["blocking"],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(tables, settings, log_level=logging.WARNING)
    stage("register")
    if config["deterministic"]:
        linker.training.estimate_probability_two_random_records_match(config["deterministic"], recall=RECALL)
    stage("prior")
    linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed)
    stage("u")
    for rule in config["em"]:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    stage("em")
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    stage("predict")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, THRESHOLD)
    entities = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    stage("cluster")
    seconds = time.perf_counter() - started
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024

    # after the timed part: every pair the blocking rules generate, to measure blocking recall
    truth = read_truth(folder)
    everything = linker.inference.predict()
    pairs = everything.as_pandas_dataframe()[["unique_id_l", "unique_id_r"]]
    scores = score_entities(entities.set_index("unique_id")["cluster_id"], truth)
    return {
        "tool": "splink",
        "version": splink.__version__,
        "duckdb": __import__("duckdb").__version__,
        "job_seconds": round(seconds, 2),
        "self_peak_rss_gib": round(peak_gib, 3),
        "stage_seconds": stages,
        **blocking_recall(pairs, truth, meta["true_pairs"]),
        "probability_two_random_records_match": linker._settings_obj._probability_two_random_records_match,
        "settings": {
            "link_type": link_type,
            "comparisons": config["text"]["comparisons"],
            "blocking": config["text"]["blocking"],
            "training": [
                f"estimate_probability_two_random_records_match({config['text']['deterministic']}, recall={RECALL})",
                f"estimate_u_using_random_sampling(max_pairs={U_MAX_PAIRS:.0e}, seed={seed})",
                *[f"estimate_parameters_using_expectation_maximisation(block_on({rule}))" for rule in config["text"]["em"]],
            ],
            "threshold_match_probability": THRESHOLD,
        },
        **scores,
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0)))
