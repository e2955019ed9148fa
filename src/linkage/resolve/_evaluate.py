"""How good is a resolution? Pairwise and B-cubed precision, recall and F1 against the truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import LinkageError
from ..files import read_side_csv

__all__ = ["evaluate_entities", "evaluate_files"]


def _pairs(sizes: np.ndarray) -> int:
    sizes = sizes.astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def evaluate_entities(predicted: pd.Series, truth: pd.Series) -> dict:
    """Compare two labelings of the same records (both indexed by record_id).

    Pairwise: a pair of records is predicted linked when in one entity, truly
    linked when the truth says one person. B-cubed: per record, the share of
    its predicted entity that is truly its person (precision) and the share of
    its person found in its entity (recall), averaged over records.
    """
    frame = pd.DataFrame({"predicted": predicted.astype(str), "truth": truth.astype(str)})
    both = frame.groupby(["predicted", "truth"]).size().to_numpy()
    predicted_sizes = frame.groupby("predicted").size()
    truth_sizes = frame.groupby("truth").size()
    true_positive = _pairs(both)
    predicted_pairs = _pairs(predicted_sizes.to_numpy())
    true_pairs = _pairs(truth_sizes.to_numpy())
    precision = true_positive / predicted_pairs if predicted_pairs else 1.0
    recall = true_positive / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    cell = frame.groupby(["predicted", "truth"])["truth"].transform("size").to_numpy()
    p_size = frame["predicted"].map(predicted_sizes).to_numpy()
    t_size = frame["truth"].map(truth_sizes).to_numpy()
    b3_precision = float(np.mean(cell / p_size))
    b3_recall = float(np.mean(cell / t_size))
    b3_f1 = 2 * b3_precision * b3_recall / (b3_precision + b3_recall) if b3_precision + b3_recall else 0.0
    return {
        "records": int(len(frame)),
        "predicted_entities": int(len(predicted_sizes)),
        "true_entities": int(len(truth_sizes)),
        "pairwise_precision": round(precision, 6),
        "pairwise_recall": round(recall, 6),
        "pairwise_f1": round(f1, 6),
        "true_positive_pairs": true_positive,
        "predicted_pairs": predicted_pairs,
        "true_pairs": true_pairs,
        "bcubed_precision": round(b3_precision, 6),
        "bcubed_recall": round(b3_recall, 6),
        "bcubed_f1": round(b3_f1, 6),
    }


def _read_labeling(path: Path, what: str) -> pd.Series:
    frame = read_side_csv(path, what=f"{what} file", fix=f"pass the {what} CSV (record_id and an id column)")
    if "record_id" not in frame.columns:
        raise LinkageError(f"{path} has no record_id column; the {what} file needs record_id and an id column")
    for column in ("entity_id", "person_id", "cluster_id", "true_id"):
        if column in frame.columns:
            break
    else:
        others = [c for c in frame.columns if c != "record_id"]
        if not others:
            raise LinkageError(f"{path} has only record_id; add the id of the person/entity each record belongs to")
        column = others[0]
    duplicated = frame["record_id"].duplicated()
    if duplicated.any():
        raise LinkageError(f"{path} lists record_id '{frame['record_id'][duplicated].iloc[0]}' twice; each record belongs to one entity")
    return frame.set_index("record_id")[column]


def evaluate_files(entities: str | Path, truth: str | Path) -> dict:
    """Evaluate an ``entities.csv`` against a truth CSV (record_id, person_id) over the records both hold."""
    predicted = _read_labeling(Path(entities), "entities")
    true = _read_labeling(Path(truth), "truth")
    common = predicted.index.intersection(true.index)
    if len(common) == 0:
        raise LinkageError(f"{entities} and {truth} share no record_id; are they from the same dataset?")
    result = evaluate_entities(predicted.loc[common], true.loc[common])
    result["records_only_in_entities"] = int(len(predicted) - len(common))
    result["records_only_in_truth"] = int(len(true) - len(common))
    return result
