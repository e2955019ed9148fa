"""Commands that check a dataset, run a job and read or look after job folders: validate, run, demo, verify, path,
clean."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import load_config
from ..files import clean_tree, write_csv
from ..job import (
    JobResult,
    job_paths,
    reject_messages,
    reject_summary,
    run_demo,
    run_job,
    validate_dataset,
    verify_job,
)
from ._shell import (ClickProgress, config_option, echo, echo_dataset_summary, friendly_errors, out_option,
                     overwrite_option, review_rate)

__all__ = ["validate", "run", "demo", "verify", "path", "clean", "output_lines"]


@click.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@config_option("job config (YAML) with column mappings and geography")
@out_option("folder to write rejects.csv into")
@click.option("--strict", is_flag=True, help="exit 1 if any row is rejected")
@friendly_errors
def validate(dataset: Path, config, out: Path | None, strict: bool) -> None:
    """Check DATASET against the data contract; every bad row is listed with the fix.

    Problems go to OUT/rejects.csv (table, row, column, value, reason,
    action): a row with a broken required value or a duplicate id is
    rejected; a bad optional value is cleared and its row kept. Exit 0, or 1
    with --strict when rejects.csv has any line.

    Example:

        linkage validate synthetic_data/demo --config configs/demo.yaml --out reports/check
    """
    result = validate_dataset(dataset, config, out=out, strict=strict)
    echo_dataset_summary(result)
    for note in result.notes:
        echo(f"note: {note}")
    if len(result.rejects):
        echo(f"{reject_summary(result)}:")
        for message in reject_messages(result):
            echo(f"  {message}")
    else:
        echo("no rows rejected")
    if out is not None:
        echo(f"rejects written to {out / 'rejects.csv'}")


@click.command()
@click.argument("config_path", metavar="CONFIG", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", type=click.Path(path_type=Path), help="dataset folder (default: data: in the config)")
@out_option("job folder (default: reports/<job name>)")
@overwrite_option("replace an existing job folder")
@click.option("--strict", is_flag=True, help="fail (exit 1) if any row is rejected")
@click.option("--suppress-below", type=click.IntRange(min=2), metavar="N",
              help="show counts of people under N as <N in aggregated outputs (overrides suppress_below:)")
@click.option("--max-reject-share", type=click.FloatRange(0, 1), metavar="SHARE",
              help="stop after reading when a table loses more than this share of its rows to rejects "
                   "(default 0.05; overrides max_reject_share:)")
@friendly_errors
def run(config_path: Path, data: Path | None, out: Path | None, overwrite: bool, strict: bool,
        suppress_below: int | None, max_reject_share: float | None) -> None:
    """Run the whole job described by CONFIG and write its job folder.

    A table that loses more than max_reject_share (default 5 %) of its rows
    to rejects stops the job after reading, naming the table, the share and
    the most common reasons with their fixes; nothing is written.

    Example:

        linkage run configs/demo.yaml --data synthetic_data/demo --out reports/demo --overwrite
    """
    config = load_config(config_path)
    progress = ClickProgress(f"job {config.name}")
    try:
        result = run_job(config, data=data, out=out, overwrite=overwrite, strict=strict, suppress_below=suppress_below,
                         max_reject_share=max_reject_share, progress=progress)
    finally:
        progress.close()
    _report(result)


@click.command()
@friendly_errors
def demo() -> None:
    """Run configs/demo.yaml on synthetic_data/demo/ into reports/demo/ (replacing the last demo).

    Example:

        linkage demo
    """
    progress = ClickProgress("job demo")
    try:
        result = run_demo(progress=progress)
    finally:
        progress.close()
    _report(result)


def _report(result: JobResult) -> None:
    echo_dataset_summary(result.dataset)
    for note in result.notes:
        echo(f"note: {note}")
    echo(f"{reject_summary(result.dataset)} (see rejects.csv)")
    resolution = result.manifest.get("summary", {}).get("resolution")
    if resolution:
        echo(
            f"resolution: {resolution['records']} person records -> {resolution['entities']} entities; "
            f"{resolution['linked_pairs']} links, {resolution['review_pairs']} pairs to review (review_queue.csv)"
            + review_rate(resolution)
        )
    echo(f"job '{result.manifest['job']}' written to {result.folder}")
    for line in output_lines(result.manifest["outputs"]):
        echo(f"  {line}")


def output_lines(outputs) -> list[str]:
    """Files at the top of the job folder one per line; a sub-folder of pages as one line with its count."""
    folders: dict[str, list[int]] = {}
    lines = []
    for name in sorted(outputs):
        head, _, rest = str(name).replace("\\", "/").partition("/")
        if rest:
            counts = folders.setdefault(head, [0, 0])
            counts[0 if rest.endswith(".html") else 1] += 1
        else:
            lines.append(head)
    for folder, (pages, files) in sorted(folders.items()):
        parts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((pages, "page"), (files, "file")) if n]
        lines.append(f"{folder}/ ({', '.join(parts)})")
    return lines


@click.command()
@click.argument("jobdir", type=click.Path(path_type=Path))
@friendly_errors
def verify(jobdir: Path) -> None:
    """Check that every output in JOBDIR is as the run wrote it (sha256 against manifest.json).

    Exits 1 naming every output altered, missing or added since the run; exits
    0 with a one-line summary, including the manifest's own sha256 to keep in
    the case file, when all match.

    Example:

        linkage verify reports/demo
    """
    echo(verify_job(jobdir, strict=True).summary())


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
@friendly_errors
def clean(folder: Path) -> None:
    """Remove what killed runs left in FOLDER (default: here) and the two levels below it.

    A run stopped by SIGKILL, a power cut or an out-of-memory kill can leave
    a hidden staging folder (.JOB.staging-...) holding person-level data, a
    half-written file (.FILE....tmp), or an old job it had moved aside while
    replacing it (.JOB.previous-...). This removes the first two and puts the
    old job back where no new job took its place. Anything of a run still
    going is left alone. Every run does the same beside its own job folder.

    Example:

        linkage clean reports
    """
    result = clean_tree(folder)
    for message in result.done:
        echo(message)
    for item in result.running:
        echo(f"left alone: {item.path} (process {item.pid} is still running)")
    if not result.done:
        echo(f"nothing to clean in {folder}")


@click.command()
@click.argument("jobdir", type=click.Path(path_type=Path))
@click.argument("a")
@click.argument("b")
@click.option("--paths", "k", type=click.IntRange(min=1, max=20), default=3, show_default=True,
              help="how many of the shortest paths to show")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="also write the paths, a row per tie with its evidence, to this CSV file")
@friendly_errors
def path(jobdir: Path, a: str, b: str, k: int, csv_path: Path | None) -> None:
    """How is A connected to B: the shortest weighted paths between two people of a job, with every tie's evidence.

    A and B are entity ids, source record ids or names as the views show them.
    A tie's length is 1 / its weight (the weights of every link between the
    two, summed), so strong ties make short paths.

    Example:

        linkage path reports/demo E00299c3350eab9df "Dawn Fairclough"
    """
    result = job_paths(jobdir, a, b, k=k)
    echo(f"{result.source_label} ({result.source}) to {result.target_label} ({result.target}): "
          f"{result.paths['path'].nunique()} shortest path(s); a path's length is the sum of 1 / weight of its ties")
    for number, steps in result.paths.groupby("path", sort=True):
        echo(f"path {number}: {len(steps)} tie(s), length {steps['length'].iloc[0]:.4g}")
        for row in steps.itertuples(index=False):
            echo(f"  {row.from_label} ({row.from_id}) -- {row.to_label} ({row.to_id}): {row.evidence}")
    for note in result.notes:
        echo(f"note: {note}")
    if csv_path is not None:
        echo(f"paths written to {write_csv(result.paths, csv_path)}")
