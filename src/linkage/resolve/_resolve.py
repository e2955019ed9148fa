"""Resolve person records into entities: block, compare, score, cluster, name.

``resolve_people`` is the whole stage; its ``Resolution`` holds the tables the
job folder gets (entities, match pairs with the evidence of every comparison,
the review queue) and the model that scored them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np
import pandas as pd

from ._blocking import block_pairs
from ._cluster import cluster_pairs
from ._compare import Gamma, bloom_comparisons, compare_pairs
from ._derive import ColumnProfile, derive_settings, name_and_place_rules
from ._ids import assign_entity_ids
from ._model import FellegiSunterModel, common_agreement, held_for_review
from ._overrides import read_labels, read_overrides
from ._prepare import Records, prepare_records
from ._recall import RECALL_WARNING, estimate_blocking_recall
from ._review import review_queue as rank_review_queue
from ._train import score_pairs, train_model
from ..config import COLUMN_KINDS, BlockingRule, ResolveSettings

#: rules the blocking recall estimate may add to derived blocking rules, one at a time
MAX_ADDED_RULES = 2

__all__ = ["Resolution", "resolve_people", "check_identity_columns", "IDENTITY_COLUMNS", "MAX_ADDED_RULES"]


@dataclass
class Resolution:
    entities: pd.DataFrame  # record_id, entity_id
    match_pairs: pd.DataFrame
    review_queue: pd.DataFrame
    model: FellegiSunterModel | None  # None with ``resolve: none``
    blocking: pd.DataFrame
    stats: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: the settings the run used (derived from the data where the config gave none)
    settings: ResolveSettings | None = None
    #: what each people column holds and what resolution did with it
    profiles: list[ColumnProfile] = field(default_factory=list)
    #: the settings derived from the data rather than given by the config
    derived: tuple[str, ...] = ()
    blocking_recall: dict = field(default_factory=dict)


def _evidence_table(
    records: Records, model: FellegiSunterModel, gamma: Gamma, weights: np.ndarray, index: np.ndarray
) -> pd.DataFrame:
    columns = {}
    for position, comparison in enumerate(model.comparisons):
        labels = np.array(list(comparison.levels) + ["missing"], dtype=object)
        levels = gamma.levels[index, position].astype(np.int64)
        columns[f"{comparison.name}_level"] = labels[np.where(levels < 0, len(labels) - 1, levels)]
        columns[f"{comparison.name}_weight"] = np.round(weights[index, position], 3)
    columns["names_swapped"] = gamma.names_swapped[index]
    return pd.DataFrame(columns)


#: the columns a person record must have one of to be matched with another
IDENTITY_COLUMNS = ("first_name", "last_name", "dob")
_PAIR_COLUMNS = ["record_id_a", "record_id_b", "match_probability", "match_weight", "decision", "blocking_rule"]


def _with_values(people: pd.DataFrame) -> list[str]:
    """The people columns holding a value in some record (not the reader's own columns). Only on the error path."""

    def filled(value) -> bool:
        if isinstance(value, (tuple, list)):
            return len(value) > 0
        return bool(pd.notna(value)) and value != ""

    return [column for column in people.columns
            if not column.startswith("_") and column != "dob_precision" and people[column].map(filled).any()]


def _proposed_mapping(columns: list[str]) -> dict[str, str]:
    """Header -> first_name / last_name / dob, for extra columns whose name says so (``Forename``, ``D.O.B.``)."""
    import re

    from rapidfuzz import fuzz, process

    from ..read.imports import SYNONYMS

    def words(name: str) -> str:
        return " ".join(re.sub(r"[^a-z0-9]+", " ", name.lower()).split())

    mapping: dict[str, str] = {}
    for target in IDENTITY_COLUMNS:
        names = {words(n) for n in (target, *SYNONYMS.get(target, ()))}
        best = None
        for column in columns:
            if column in mapping or column in IDENTITY_COLUMNS:
                continue
            text = words(column)
            match = process.extractOne(text, names, scorer=fuzz.ratio, score_cutoff=85) if text else None
            compact = process.extractOne(text.replace(" ", ""), {n.replace(" ", "") for n in names}, scorer=fuzz.ratio,
                                         score_cutoff=85) if text else None
            score = max(match[1] if match else 0, compact[1] if compact else 0)
            if score and (best is None or score > best[1]):
                best = (column, score)
        if best:
            mapping[best[0]] = target
    return mapping


def check_identity_columns(people: pd.DataFrame) -> None:
    """Stop with the fix when no record has a first name, a last name or a date of birth.

    Without any of them no two records can be matched, and every record
    would silently become its own person. A date of birth alone is enough
    (an SSDA903 return has no names).
    """
    from ..errors import DataError

    if any(column in people and people[column].notna().any() for column in IDENTITY_COLUMNS):
        return
    found = _with_values(people)
    proposed = _proposed_mapping(found)
    example = ", ".join(f"{header}: {target}" for header, target in proposed.items()) or \
        "YourForenameHeader: first_name, YourSurnameHeader: last_name, YourBirthDateHeader: dob"
    raise DataError(
        f"people: no record has a first_name, last_name or dob, so no two records can be matched and every record "
        f"would be its own person; the people columns with values are {', '.join(found) or 'none'}. "
        f"Map the columns that hold names or dates of birth in the job config: columns: {{people: {{{example}}}}} "
        "(a dob column whose every value was rejected is in rejects.csv), or set resolve: none to keep every record "
        "as its own person"
    )


def _unresolved(people: pd.DataFrame, previous_entities: pd.DataFrame | None) -> Resolution:
    """``resolve: none``: every record is its own entity (ids as a resolved singleton gets them)."""
    record_id = people["record_id"].astype(str).sort_values(kind="stable").to_numpy(dtype=object)
    entity_ids = assign_entity_ids(record_id, np.arange(len(record_id)), previous_entities)
    entities = pd.DataFrame({"record_id": record_id, "entity_id": entity_ids})
    pairs = pd.DataFrame({c: pd.Series(dtype="float64" if c in ("match_probability", "match_weight") else "str")
                          for c in _PAIR_COLUMNS})
    stats = {"records": len(entities), "candidate_pairs": 0, "linked_pairs": 0, "review_pairs": 0,
             "entities": len(entities), "guarded_components": 0, "refused_links": 0, "method": "none"}
    note = (f"resolve: none -- the {len(entities):,} person records were not compared: each is its own entity, so one "
            "child held by several sources appears as several people; remove resolve: none to match records")
    return Resolution(entities, pairs, pairs.assign(uncertainty=pd.Series(dtype="float64")),
                      None, pd.DataFrame({"rule": pd.Series(dtype="str"), "pairs": pd.Series(dtype="int64")}),
                      stats, [note])


def resolve_people(
    people: pd.DataFrame,
    settings: ResolveSettings | None = None,
    *,
    previous_entities: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
) -> Resolution:
    """Find the one person behind many records.

    ``people`` is the validated people table. Returns entities for every
    record, the pairs that were linked or nearly linked with the evidence of
    each comparison, and the review queue.
    """
    settings = settings or ResolveSettings()
    say = progress or (lambda message: None)
    timings: dict[str, float] = {}
    notes: list[str] = []
    tick = time.perf_counter()
    extra = tuple(c.column for c in settings.comparisons if c.kind in COLUMN_KINDS)
    missing = [c for c in extra if c not in people.columns and c not in ("sex", "source")]
    if "comparisons" not in settings.explicit:
        missing = []  # the default comparisons are replaced by ones derived from the columns there are
    if missing:
        from ..errors import ConfigError

        raise ConfigError(
            f"resolve.comparisons names column(s) {', '.join(missing)} that the people table does not have; "
            f"the columns are {', '.join(c for c in people.columns if not c.startswith('_'))}"
        )
    if len(people) == 0:
        from ..errors import DataError

        raise DataError(
            "the people table has no records left to resolve: the file is empty or every row was rejected; "
            "correct the rows listed in rejects.csv (linkage validate shows them) and run again"
        )
    if settings.method == "none":
        return _unresolved(people, previous_entities)
    check_identity_columns(people)
    loaded = None
    if settings.model is not None:  # a model brings its own comparisons
        loaded = FellegiSunterModel.load(settings.model)
        settings = replace(settings, comparisons=loaded.comparisons, explicit=settings.explicit | {"comparisons"})
    derived = tuple(key for key in ("comparisons", "blocking", "review_when_different") if key not in settings.explicit)
    profiles: list[ColumnProfile] = []
    if derived:
        say("profiling the people columns")
        settings, profiles = derive_settings(people, settings)
    say("preparing records")
    records = prepare_records(people, extra_columns=settings.extra_columns, phone_columns=settings.phone_columns)
    comparisons = bloom_comparisons(settings.comparisons, records)
    if comparisons != settings.comparisons:
        settings = replace(settings, comparisons=comparisons)
        notes.append("names are Bloom-encoded (linkage pseudonymise --bloom-names): compared by Dice similarity")
    if "blocking" in derived:
        settings = replace(settings, blocking=settings.blocking + name_and_place_rules(records, settings, profiles))
    record_index = pd.Index(records.record_id)
    timings["prepare"] = time.perf_counter() - tick

    overrides = read_overrides(settings.overrides, record_index) if settings.overrides else None
    labels = read_labels(settings.labels, record_index) if settings.labels else None
    for what, pair_file in (("overrides", overrides), ("labels", labels)):
        if pair_file is not None and pair_file.unknown_records:
            shown = ", ".join(pair_file.unknown_records[:5])
            notes.append(f"{what}: {len(pair_file.unknown_records)} record id(s) not in people were ignored ({shown})")

    u = None
    for attempt in range(MAX_ADDED_RULES + 1):
        tick = time.perf_counter()
        say("blocking")
        candidates = block_pairs(records, settings.blocking, max_block_size=settings.max_block_size)
        timings["blocking"] = timings.get("blocking", 0.0) + time.perf_counter() - tick
        tick = time.perf_counter()
        say(f"comparing {len(candidates):,} candidate pairs")
        gamma = compare_pairs(records, settings.comparisons, candidates.left, candidates.right)
        timings["compare"] = timings.get("compare", 0.0) + time.perf_counter() - tick
        tick = time.perf_counter()
        if loaded is not None:
            model = loaded
        else:
            say("training the model")
            model = train_model(records, settings, gamma, u=u,
                                labels=(labels.left, labels.right, labels.same) if labels is not None else None)
            u = model.u
        timings["train"] = timings.get("train", 0.0) + time.perf_counter() - tick
        tick = time.perf_counter()
        say("estimating blocking recall")
        recall = estimate_blocking_recall(records, model, candidates, seed=settings.seed)
        timings["blocking_recall"] = timings.get("blocking_recall", 0.0) + time.perf_counter() - tick
        proposal = tuple(recall.get("proposed_rule") or ())
        low = recall.get("estimate") is not None and recall["estimate"] < RECALL_WARNING
        if not low or not proposal or "blocking" not in derived or attempt == MAX_ADDED_RULES \
                or proposal in {rule.keys for rule in settings.blocking}:
            break
        notes.append(f"blocking recall was estimated at {recall['estimate']:.3f} with the rules derived from the "
                     f"columns; the rule [{', '.join(proposal)}] was added, as it finds most of the likely matches missed")
        settings = replace(settings, blocking=settings.blocking + (BlockingRule(proposal),))

    if low:
        notes.append(
            f"blocking recall is estimated at {recall['estimate']:.3f} (below {RECALL_WARNING}): about "
            f"{recall['expected_matches_missed']:,.0f} likely matching pairs are never compared"
            + (f"; a blocking rule that would find most of them: [{', '.join(proposal)}] (resolve: blocking:)" if proposal else "")
        )
    for row in candidates.per_rule.itertuples():
        if row.skipped_blocks:
            notes.append(
                f"blocking rule '{row.rule}': {row.skipped_blocks} block(s) larger than {settings.max_block_size} records "
                f"were skipped ({row.skipped_records} records in them)"
                + (f" even split by {row.split_by}" if row.split_by else " (no key to split them by)")
                + "; see linkage resolve --explain-blocking, and add a narrower rule or raise resolve.max_block_size"
            )
    if len(candidates) == 0 and len(records.record_id) > 1:
        empty = [c for c in ("first_name", "last_name", "dob", "postcode") if c not in people or people[c].isna().all()]
        notes.append(
            "blocking found no pairs of records to compare, so every record is its own person"
            + (f" ({', '.join(empty)} empty in every record)" if empty else "")
            + "; add blocking rules on the columns the data has, e.g. resolve: {blocking: [[dob, postcode], [dob, sex]]}"
        )

    tick = time.perf_counter()
    say("scoring and clustering")
    weights, total, probability = score_pairs(model, gamma)
    held = held_for_review(gamma, model.comparisons, settings.review_when_different)
    common = common_agreement(model, gamma, len(records)) & ~held
    link = (probability >= settings.threshold) & ~held & ~common
    must = cannot = None
    if overrides is not None:
        must = (overrides.left[overrides.same], overrides.right[overrides.same])
        cannot = (overrides.left[~overrides.same], overrides.right[~overrides.same])
        if len(cannot[0]):
            n = len(records)
            link &= ~np.isin(candidates.left * n + candidates.right, cannot[0].astype(np.int64) * n + cannot[1])
    clusters = cluster_pairs(
        records,
        candidates.left[link],
        candidates.right[link],
        total[link],
        must_link=must,
        cannot_link=cannot,
        dob_days=settings.guard_dob_days,
        max_dob_years=settings.guard_max_dob_years,
        strong=tuple(c.column if c.column in records.columns else f"column:{c.column}"
                     for c in model.comparisons if c.strong),
    )
    if clusters.refused_links:
        notes.append(
            f"chaining guard: {clusters.refused_links} link(s) refused because they would put conflicting records "
            f"(different sex and dates of birth far apart) in one entity"
        )
    entity_ids = assign_entity_ids(records.record_id, clusters.labels, previous_entities)
    entities = pd.DataFrame({"record_id": records.record_id, "entity_id": entity_ids})
    timings["cluster"] = time.perf_counter() - tick

    shown = np.flatnonzero(probability >= settings.review_from)
    label = clusters.labels
    same_entity = label[candidates.left[shown]] == label[candidates.right[shown]]
    decision = np.where(link[shown] & same_entity, "linked", np.where(link[shown], "refused_by_guard", "review"))
    decision = np.where(held[shown] & ~same_entity, "review_disagrees", decision)
    decision = np.where(common[shown] & ~same_entity, "review_common_values", decision)
    decision = np.where(~link[shown] & same_entity, "linked_through_others", decision)
    if overrides is not None:  # a reviewer's decision is final: the pair leaves the review queue
        n = len(records)
        shown_keys = candidates.left[shown].astype(np.int64) * n + candidates.right[shown]
        for same, name in ((True, "must_link"), (False, "cannot_link")):
            chosen = overrides.same == same
            keys = overrides.left[chosen].astype(np.int64) * n + overrides.right[chosen]
            decision = np.where(np.isin(shown_keys, keys), name, decision)
    match_pairs = pd.concat(
        [
            pd.DataFrame(
                {
                    "record_id_a": records.record_id[candidates.left[shown]],
                    "record_id_b": records.record_id[candidates.right[shown]],
                    "match_probability": np.round(probability[shown], 6),
                    "match_weight": np.round(total[shown], 3),
                    "decision": decision,
                    "blocking_rule": np.asarray(candidates.rule_names, dtype=object)[candidates.rule[shown]],
                }
            ),
            _evidence_table(records, model, gamma, weights, shown),
        ],
        axis=1,
    )
    match_pairs = match_pairs.sort_values(["record_id_a", "record_id_b"], kind="stable").reset_index(drop=True)
    review_queue = rank_review_queue(match_pairs, entities)

    stats = {
        "records": len(records),
        "candidate_pairs": int(len(candidates)),
        "linked_pairs": int(link.sum()),
        "review_pairs": int(len(review_queue)),
        "review_pairs_per_1000_records": round(1000 * len(review_queue) / max(1, len(records)), 1),
        "review_groups": int(review_queue["review_group"].max()) if len(review_queue) else 0,
        "held_common_agreement": int((common & (probability >= settings.threshold)).sum()),
        "blocking_recall": recall.get("estimate"),
        "entities": int(entities["entity_id"].nunique()),
        "guarded_components": clusters.guarded_components,
        "refused_links": clusters.refused_links,
        "seconds": {k: round(v, 2) for k, v in timings.items()},
    }
    return Resolution(entities, match_pairs, review_queue, model, candidates.per_rule, stats, notes,
                      settings=settings, profiles=profiles, derived=derived, blocking_recall=recall)
