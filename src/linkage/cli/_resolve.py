"""Commands for entity resolution on its own: resolve, evaluate."""

from __future__ import annotations

from pathlib import Path

import click

from ..job import explain_dataset_blocking, resolve_dataset
from ._shell import config_option, echo, friendly_errors, out_option, review_rate

__all__ = ["resolve", "evaluate"]


@click.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@out_option("folder for entities.csv, match_pairs.csv, review_queue.csv, model.json", required=True)
@config_option("job config; its resolve: section sets blocking, comparisons and thresholds")
@click.option("--previous", "previous", type=click.Path(dir_okay=False, path_type=Path),
              help="entities.csv of an earlier run: unchanged entities keep their ids")
@click.option("--model", "model", type=click.Path(dir_okay=False, path_type=Path),
              help="model.json of an earlier run, used instead of training")
@click.option("--overrides", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of record_id_a, record_id_b, decision (must_link / cannot_link)")
@click.option("--labels", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of record_id_a, record_id_b, is_match: m is learnt from these")
@click.option("--explain-blocking", is_flag=True,
              help="print the pairs each blocking rule generates and the largest blocks, then stop")
@friendly_errors
def resolve(dataset: Path, out: Path, config, previous: Path | None, model: Path | None,
            overrides: Path | None, labels: Path | None, explain_blocking: bool) -> None:
    """Find the one person behind many records in DATASET (only people.csv is needed).

    Writes OUT/entities.csv (record_id, entity_id), OUT/match_pairs.csv (every
    linked or nearly linked pair with the weight of each comparison),
    OUT/review_queue.csv (the pairs to decide, grouped by candidate entity,
    most valuable decision first), OUT/review.html (the queue to decide pair
    by pair in a browser, saved as an --overrides file), OUT/model.json,
    OUT/rejects.csv and OUT/settings.yaml (the settings used: with no
    resolve: config, derived from the columns the people table has; pass it
    back with --config to repeat the run).

    Example:

        linkage resolve synthetic_data/demo --out reports/demo-resolve --explain-blocking
    """
    files = {"model": model, "overrides": overrides, "labels": labels, "previous": previous}
    if explain_blocking:
        explained = explain_dataset_blocking(dataset, out, config, **files)
        for message in explained.cleaned:
            echo(f"note: {message}")
        echo(f"{explained.records} records; candidate pairs per blocking rule (before any scoring):")
        echo(explained.per_rule.to_string(index=False))
        if len(explained.largest):
            echo("largest blocks:")
            echo(explained.largest.to_string(index=False))
        return
    result = resolve_dataset(dataset, out, config, **files, progress=lambda message: echo(message, err=True))
    for message in result.cleaned:
        echo(f"note: {message}")
    stats = result.resolution.stats
    echo(f"{stats['records']} records -> {stats['entities']} entities "
         f"({stats['candidate_pairs']} candidate pairs, {stats['linked_pairs']} linked, "
         f"{stats['review_pairs']} to review{review_rate(stats)})")
    for note in result.resolution.notes:
        echo(f"note: {note}")
    echo(f"written to {out}")


@click.command()
@click.argument("entities", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("truth", type=click.Path(dir_okay=False, path_type=Path))
@friendly_errors
def evaluate(entities: Path, truth: Path) -> None:
    """Score ENTITIES (record_id, entity_id) against TRUTH (record_id, person_id).

    Prints pairwise precision, recall and F1 and the cluster-level (B-cubed)
    figures, over the records both files hold.

    Example:

        linkage evaluate reports/demo/entities.csv synthetic_data/demo/truth/records.csv
    """
    from ..resolve import evaluate_files

    for key, value in evaluate_files(entities, truth).items():
        echo(f"{key:<26}{value}")
