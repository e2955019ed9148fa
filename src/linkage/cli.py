"""The ``linkage`` command line: parse options, call one library function, print.

Every command's help ends with an example.  User mistakes become one
``Error:`` line and exit code 1; wrong usage exits 2 (click's own).
"""

from __future__ import annotations

import errno
import functools
import sys
from pathlib import Path
from typing import Callable

import click

from . import __version__
from ._terminal import terminal_safe
from .config import JobConfig, load_config
from .errors import LinkageError
from .job import reject_messages, reject_summary, run_job, validate_dataset
from .files import interruptible

__all__ = ["main"]


def _echo(message: object = "", **kwargs) -> None:
    """Print one message: every line the CLI prints goes through here (control characters escaped, long values cut)."""
    click.echo(terminal_safe(message), **kwargs)


def _error(message: str, exit_code: int = 1) -> click.ClickException:
    error = click.ClickException(terminal_safe(message))
    error.exit_code = exit_code
    return error


def _friendly_errors(command: Callable) -> Callable:
    """Turn library errors into ``Error: ...`` and exit 1 (128 + N after signal N), never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            # SIGTERM / SIGINT unwind like an error, so no temporary file or staging folder is left behind
            with interruptible("stopped by {signal}; what was written before it stays, nothing is left half-written"):
                return command(*args, **kwargs)
        except LinkageError as exc:
            raise _error(str(exc), exc.exit_code) from None
        except BrokenPipeError:  # output piped into `head` and the like
            sys.stderr.close()
            raise SystemExit(0) from None
        except PermissionError as exc:
            raise _error(f"permission denied for {exc.filename}; choose a folder you can write to") from None
        except OSError as exc:
            where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
            if exc.errno == errno.ENOSPC:
                raise _error(
                    f"the disk is full (no space left on device{' for' + where if where else ''}); nothing was left "
                    "half-written and an earlier job in that folder is unchanged: free some space, or write to "
                    "another disk with --out"
                ) from None
            raise _error(f"cannot read or write{where}: {exc.strerror or exc}") from None

    return wrapper


class _ClickProgress:
    """Draws the library's progress steps as a click progress bar on stderr."""

    def __init__(self, label: str) -> None:
        self.label = terminal_safe(label)
        self.bar = None

    def start(self, total: int) -> None:
        if not sys.stderr.isatty():  # logs and pipes get the summary only
            return
        self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr, show_pos=True)
        self.bar.__enter__()

    def step(self, label: str) -> None:
        if self.bar is None:
            return
        self.bar.label = f"{self.label}: {label}"
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _echo_dataset_summary(dataset) -> None:
    _echo(f"{'table':<18}{'file':<26}{'read':>10}{'rejected':>10}{'cleared':>10}{'kept':>10}")
    for row in dataset.summary_rows():
        _echo(
            f"{row['table']:<18}{row['file']:<26}{row['read']:>10}{row['rejected']:>10}{row['cleared']:>10}{row['kept']:>10}"
        )
    for warning in dataset.warnings:
        _echo(
            f"warning: {warning.table}.{warning.column} row {warning.first_row} ({warning.rows} row(s)): {warning.message}"
        )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="linkage")
def cli() -> None:
    """Network and entity-linkage analysis for child safeguarding.

    Resolves people across police, social-care and health records, builds the
    network of victims, perpetrators, care placements, missing episodes and
    businesses, and writes the tables, network views and report of a job.

    Example:

        linkage demo
    """


@cli.command()
@click.option("--scale", type=click.Choice(["small", "medium", "large"]), default="small", show_default=True,
              help="small ~2k, medium ~100k, large ~1M person records")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="same seed, same files")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@_friendly_errors
def synth(scale: str, seed: int, out: Path) -> None:
    """Write a synthetic Lancashire dataset, with its truth/ folder, to OUT.

    Example:

        linkage synth --scale small --seed 7 synthetic_data/seed7
    """
    from .synth import generate_world

    summary = generate_world(out, scale=scale, seed=seed, progress=lambda m: _echo(m, err=True))
    rows = summary.get("rows", summary)
    _echo(f"wrote a {scale} synthetic world (seed {seed}) to {out}")
    for table, count in rows.items():
        if isinstance(count, int):
            _echo(f"  {table}: {count} rows")


@cli.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="job config (YAML) with column mappings and geography")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="folder to write rejects.csv into")
@click.option("--strict", is_flag=True, help="exit 1 if any row is rejected")
@_friendly_errors
def validate(dataset: Path, config_path: Path | None, out: Path | None, strict: bool) -> None:
    """Check DATASET against the data contract; every bad row is listed with the fix.

    Problems go to OUT/rejects.csv (table, row, column, value, reason,
    action): a row with a broken required value or a duplicate id is
    rejected; a bad optional value is cleared and its row kept. Exit 0, or 1
    with --strict when rejects.csv has any line.

    Example:

        linkage validate synthetic_data/demo --config configs/demo.yaml --out reports/check
    """
    config = load_config(config_path) if config_path else JobConfig()
    result = validate_dataset(dataset, config, out=out, strict=strict)
    _echo_dataset_summary(result)
    for note in result.notes:
        _echo(f"note: {note}")
    if len(result.rejects):
        _echo(f"{reject_summary(result)}:")
        for message in reject_messages(result):
            _echo(f"  {message}")
    else:
        _echo("no rows rejected")
    if out is not None:
        _echo(f"rejects written to {out / 'rejects.csv'}")


@cli.command()
@click.argument("config_path", metavar="CONFIG", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", type=click.Path(path_type=Path), help="dataset folder (default: data: in the config)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="job folder (default: reports/<job name>)")
@click.option("--overwrite", is_flag=True, help="replace an existing job folder")
@click.option("--strict", is_flag=True, help="fail (exit 1) if any row is rejected")
@click.option("--suppress-below", type=click.IntRange(min=2), metavar="N",
              help="show counts of people under N as <N in aggregated outputs (overrides suppress_below:)")
@click.option("--max-reject-share", type=click.FloatRange(0, 1), metavar="SHARE",
              help="stop after reading when a table loses more than this share of its rows to rejects "
                   "(default 0.05; overrides max_reject_share:)")
@_friendly_errors
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
    _run_and_report(config, data=data, out=out, overwrite=overwrite, strict=strict, suppress_below=suppress_below,
                    max_reject_share=max_reject_share)


def _run_and_report(config: JobConfig, **options) -> None:
    progress = _ClickProgress(f"job {config.name}")
    try:
        result = run_job(config, progress=progress, **options)
    finally:
        progress.close()
    _echo_dataset_summary(result.dataset)
    for note in result.notes:
        _echo(f"note: {note}")
    _echo(f"{reject_summary(result.dataset)} (see rejects.csv)")
    resolution = result.manifest.get("summary", {}).get("resolution")
    if resolution:
        _echo(
            f"resolution: {resolution['records']} person records -> {resolution['entities']} entities; "
            f"{resolution['linked_pairs']} links, {resolution['review_pairs']} pairs to review (review_queue.csv)"
        )
    _echo(f"job '{config.name}' written to {result.folder}")
    for line in _output_lines(result.manifest["outputs"]):
        _echo(f"  {line}")


def _output_lines(outputs) -> list[str]:
    """Files at the top of the job folder one per line; a sub-folder of pages as one line with its count."""
    folders: dict[str, int] = {}
    lines = []
    for name in sorted(outputs):
        head, _, rest = str(name).replace("\\", "/").partition("/")
        if rest:
            folders[head] = folders.get(head, 0) + 1
        else:
            lines.append(head)
    lines += [f"{folder}/ ({count} page{'s' if count != 1 else ''})" for folder, count in sorted(folders.items())]
    return lines


@cli.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="folder for entities.csv, match_pairs.csv, review_queue.csv, model.json")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="job config; its resolve: section sets blocking, comparisons and thresholds")
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
@_friendly_errors
def resolve(dataset: Path, out: Path, config_path: Path | None, previous: Path | None, model: Path | None,
            overrides: Path | None, labels: Path | None, explain_blocking: bool) -> None:
    """Find the one person behind many records in DATASET (only people.csv is needed).

    Writes OUT/entities.csv (record_id, entity_id), OUT/match_pairs.csv (every
    linked or nearly linked pair with the weight of each comparison),
    OUT/review_queue.csv (the uncertain band, most uncertain first),
    OUT/model.json and OUT/rejects.csv.

    Example:

        linkage resolve synthetic_data/demo --out reports/demo-resolve --explain-blocking
    """
    from .resolve import explain_blocking as explain, prepare_records, read_previous_entities, resolve_people, write_resolution
    from .files import config_inputs, prepare_output_folder, write_csv
    import dataclasses

    config = load_config(config_path) if config_path else JobConfig()
    settings = config.resolve
    updates = {k: v for k, v in {"model": model, "overrides": overrides, "labels": labels}.items() if v is not None}
    for name, path in updates.items():
        if not path.is_file():
            raise LinkageError(f"{path} does not exist; check the --{name} path")
    settings = dataclasses.replace(settings, **updates)
    inputs = [("the dataset", dataset), *config_inputs(config), ("the --model file", settings.model),
              ("the --overrides file", settings.overrides), ("the --labels file", settings.labels),
              ("the --previous file", previous or settings.previous_entities)]
    cleaned = prepare_output_folder(out, inputs, writer="linkage resolve")
    data = validate_dataset(dataset, config, out=out)
    for message in cleaned:
        _echo(f"note: {message}")
    people = data["people"]
    if explain_blocking:
        per_rule, largest = explain(prepare_records(people), settings.blocking, max_block_size=settings.max_block_size)
        _echo(f"{len(people)} records; candidate pairs per blocking rule (before any scoring):")
        _echo(per_rule.to_string(index=False))
        if len(largest):
            _echo("largest blocks:")
            _echo(largest.to_string(index=False))
        write_csv(per_rule, out / "blocking.csv")
        return
    previous_entities = read_previous_entities(previous) if previous else (
        read_previous_entities(settings.previous_entities) if settings.previous_entities else None)
    result = resolve_people(people, settings, previous_entities=previous_entities,
                            progress=lambda message: _echo(message, err=True))
    write_resolution(result, out)
    stats = result.stats
    _echo(f"{stats['records']} records -> {stats['entities']} entities "
               f"({stats['candidate_pairs']} candidate pairs, {stats['linked_pairs']} linked, "
               f"{stats['review_pairs']} to review)")
    for note in result.notes:
        _echo(f"note: {note}")
    _echo(f"written to {out}")


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
@_friendly_errors
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
    from .files import clean_tree

    result = clean_tree(folder)
    for message in result.done:
        _echo(message)
    for item in result.running:
        _echo(f"left alone: {item.path} (process {item.pid} is still running)")
    if not result.done:
        _echo(f"nothing to clean in {folder}")


@cli.command()
@click.argument("entities", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("truth", type=click.Path(dir_okay=False, path_type=Path))
@_friendly_errors
def evaluate(entities: Path, truth: Path) -> None:
    """Score ENTITIES (record_id, entity_id) against TRUTH (record_id, person_id).

    Prints pairwise precision, recall and F1 and the cluster-level (B-cubed)
    figures, over the records both files hold.

    Example:

        linkage evaluate reports/demo/entities.csv synthetic_data/demo/truth/records.csv
    """
    from .resolve import evaluate_files

    result = evaluate_files(entities, truth)
    for key, value in result.items():
        _echo(f"{key:<26}{value}")


@cli.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path),
              help="file holding the shared secret key (at least 32 characters)")
@click.option("--key-env", metavar="VARIABLE", help="environment variable holding the key, instead of --key-file")
@click.option("--bloom-names", is_flag=True,
              help="encode names as keyed Bloom filters, so misspelt names still match (by Dice similarity)")
@click.option("--dob", type=click.Choice(["keep", "month", "year"]), default="keep", show_default=True,
              help="keep dates of birth (needed to link), or coarsen them to year and month, or year")
@click.option("--hash-column", "hash_columns", multiple=True, metavar="COLUMN",
              help="an extra column to pseudonymise too (e.g. nhs_number); repeatable")
@click.option("--keep-column", "keep_columns", multiple=True, metavar="COLUMN",
              help="an extra or free-text column (e.g. operation, locations.name) to keep exactly as it is, "
                   "names and all; other extra columns are dropped; repeatable")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="job config whose tables:, columns:, values: and input: describe the extract")
@click.option("--overwrite", is_flag=True, help="replace an existing OUT folder")
@_friendly_errors
def pseudonymise(dataset: Path, out: Path, key_file: Path | None, key_env: str | None, bloom_names: bool, dob: str,
                 hash_columns: tuple[str, ...], keep_columns: tuple[str, ...], config_path: Path | None,
                 overwrite: bool) -> None:
    """Write a copy of DATASET to OUT with direct identifiers replaced by keyed pseudonyms.

    Record, location, event and other ids (and every column referring to
    them), names, phone numbers, vehicle registrations, other identifiers and
    operation names become HMAC-SHA256 pseudonyms; postcodes are cut to their
    sector; in every other text column (reason_for_change, flags, place
    names, ...) each person name known from people is replaced by its
    pseudonym; columns not in the contract are dropped. The same
    key gives the same pseudonyms in every table and at every agency, so shared
    data still links. The key is never written anywhere; OUT/pseudonymisation.json
    records what was done to each column and the key's fingerprint. See
    docs/security.md for what this does and does not protect.

    \b
    Make a key once, and share it only with the partners whose data must link:
        python3 -c "import secrets; print(secrets.token_hex(32))" > linkage.key

    Example:

        linkage pseudonymise synthetic_data/demo reports/demo-pseudo --key-file linkage.key --bloom-names
    """
    from .pseudonymise import load_key, pseudonymise_dataset

    config = load_config(config_path) if config_path else JobConfig()
    key = load_key(key_file=key_file, key_env=key_env)
    result = pseudonymise_dataset(dataset, out, key, config=config, bloom_names=bloom_names, dob=dob,
                                  keep_columns=keep_columns, hash_columns=hash_columns, overwrite=overwrite)
    for table, rows in result.rows.items():
        _echo(f"  {table}: {rows} rows")
    for note in result.notes:
        _echo(f"note: {note}")
    _echo(f"pseudonymised dataset written to {out} (key fingerprint {key.fingerprint})")


@cli.command()
@click.argument("jobdir", type=click.Path(path_type=Path))
@_friendly_errors
def verify(jobdir: Path) -> None:
    """Check that every output in JOBDIR is as the run wrote it (sha256 against manifest.json).

    Exits 1 naming every output altered, missing or added since the run; exits
    0 with a one-line summary, including the manifest's own sha256 to keep in
    the case file, when all match.

    Example:

        linkage verify reports/demo
    """
    from .job import VerifyError, verify_job

    result = verify_job(jobdir)
    if not result.ok:
        lines = "\n  ".join(result.problems())
        raise VerifyError(
            f"{jobdir} does not match its manifest.json:\n  {lines}\n"
            "Do not rely on these outputs: re-run the job, or restore the folder from a trusted copy"
        )
    _echo(result.summary())


@cli.command()
@click.argument("jobdir", type=click.Path(path_type=Path))
@click.argument("a")
@click.argument("b")
@click.option("--paths", "k", type=click.IntRange(min=1, max=20), default=3, show_default=True,
              help="how many of the shortest paths to show")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="also write the paths, a row per tie with its evidence, to this CSV file")
@_friendly_errors
def path(jobdir: Path, a: str, b: str, k: int, csv_path: Path | None) -> None:
    """How is A connected to B: the shortest weighted paths between two people of a job, with every tie's evidence.

    A and B are entity ids, source record ids or names as the views show them.
    A tie's length is 1 / its weight (the weights of every link between the
    two, summed), so strong ties make short paths.

    Example:

        linkage path reports/demo E00299c3350eab9df "Dawn Fairclough"
    """
    from .job import job_paths, write_csv

    result = job_paths(jobdir, a, b, k=k)
    _echo(f"{result.source_label} ({result.source}) to {result.target_label} ({result.target}): "
          f"{result.paths['path'].nunique()} shortest path(s); a path's length is the sum of 1 / weight of its ties")
    for number, steps in result.paths.groupby("path", sort=True):
        _echo(f"path {number}: {len(steps)} tie(s), length {steps['length'].iloc[0]:.4g}")
        for row in steps.itertuples(index=False):
            _echo(f"  {row.from_label} ({row.from_id}) -- {row.to_label} ({row.to_id}): {row.evidence}")
    for note in result.notes:
        _echo(f"note: {note}")
    if csv_path is not None:
        _echo(f"paths written to {write_csv(result.paths, csv_path)}")


@cli.group(name="import")
def import_group() -> None:
    """Turn the files partners send into a dataset folder in the data contract.

    ssda903 reads the looked-after-children return, police-uk police.uk
    street-level crime files; map proposes a column mapping for any other
    extract. Rows that cannot be used go to OUT/rejects.csv (file, row,
    column, value, reason); the rest imports. See docs/importing.md.

    Example:

        linkage import ssda903 --header header.csv --episodes episodes.csv OUT

        linkage import police-uk 2024-03-lancashire-street.csv OUT

        linkage import map --table people nominals.csv --out nominals.yaml
    """


def _echo_import_summary(result) -> None:
    _echo(f"{'file':<34}{'read':>8}{'rejected':>10}{'written':>10}  table")
    for info in result.files:
        _echo(f"{Path(info['file']).name:<34}{info['read']:>8}{info['rejected']:>10}{info.get('written', 0):>10}  {info['table']}")
    for note in result.notes:
        _echo(f"note: {note}")
    rejects = result.rejects
    if len(rejects):
        _echo(f"{result.n_rejected} row(s) rejected:")
        for row in rejects.head(10).itertuples(index=False):
            _echo(f"  {row.table} row {row.row}, {row.column}: {row.reason}")
        if len(rejects) > 10:
            _echo(f"  ... and {len(rejects) - 10} more")
    else:
        _echo("no rows rejected")
    _echo(f"written to {result.out} (rejects in {result.out / 'rejects.csv'})")


@import_group.command(name="ssda903")
@click.option("--header", "header", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="the Header file (CHILD, SEX, DOB, ...): one row per child")
@click.option("--episodes", type=click.Path(dir_okay=False, path_type=Path),
              help="the Episodes file (CHILD, DECOM, ..., PL_POST, URN): placements and care settings")
@click.option("--missing", type=click.Path(dir_okay=False, path_type=Path),
              help="the Missing file (CHILD, MISSING, MIS_START, MIS_END): missing episodes")
@click.option("--authority", help="the council making the return (fills local_authority and placing_authority)")
@click.option("--source", default="social_care", show_default=True, help="people.source of the children's records")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@_friendly_errors
def ssda903(header: Path, episodes: Path | None, missing: Path | None, authority: str | None, source: str,
            out: Path) -> None:
    """Import an SSDA903 return (looked-after children) into the dataset folder OUT.

    Writes people.csv (one per child), placements.csv and locations.csv (one
    care setting per URN; consecutive episodes at one URN are one placement)
    from --episodes, missing_episodes.csv from --missing, and rejects.csv.
    Only --header is needed; add the others to get placements and missing
    episodes. Dates are dd/mm/yyyy.

    Example:

        linkage import ssda903 --header header.csv --episodes episodes.csv OUT

        linkage import ssda903 --header header.csv --missing missing.csv OUT
    """
    from .read.imports import import_ssda903

    result = import_ssda903(out, header=header, episodes=episodes, missing=missing, source=source, authority=authority)
    _echo_import_summary(result)


@import_group.command(name="police-uk")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@_friendly_errors
def police_uk(files: tuple[Path, ...], out: Path) -> None:
    """Import police.uk street-level crime CSVs (FILES) into the dataset folder OUT as context.

    Writes events.csv (crimes; anti-social behaviour as incidents) and
    locations.csv (police.uk's map points) beside what is already in OUT, and
    rejects.csv. Rows without coordinates are kept as events without a place.

    Example:

        linkage import police-uk 2024-0*-lancashire-street.csv data/903
    """
    from .read.imports import import_police_uk

    _echo_import_summary(import_police_uk(out, list(files)))


@import_group.command(name="map")
@click.option("--table", default="people", show_default=True, help="the contract table the file holds")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="write the proposal as a job config (YAML) here; default: print it")
@click.option("--overwrite", is_flag=True, help="replace an existing --out file")
@_friendly_errors
def map_columns(table: str, file: Path, out: Path | None, overwrite: bool) -> None:
    """Propose which header of FILE holds each column of a contract table.

    Scores each header on its name (synonyms such as Forename, Surname, DOB,
    Gender) and a sample of its values (dates, sex codes, postcodes), and
    writes the result as the columns: section of a job config to check and
    edit. Required columns it could not map are flagged.

    Example:

        linkage import map --table people nominals.csv --out configs/nominals.yaml
    """
    from .read.imports import propose_column_map

    proposal = propose_column_map(file, table)
    if out is not None:
        proposal.write(out, overwrite=overwrite)
    _echo(f"{'header':<28}{'contract column':<20}{'confidence':>10}  evidence")
    for p in proposal.proposals:
        _echo(f"{p.header:<28}{p.column or '-':<20}{p.confidence:>10.2f}  {p.evidence}")
    for problem in proposal.unmapped_required:
        _echo(f"required, not mapped: {problem}")
    for header, examples in proposal.ambiguous_dates.items():
        _echo(f"dates in {header} could be day-first or month-first ({', '.join(examples)}): check the layout below")
    if proposal.date_formats:
        _echo(f"dates in their own layout: the config sets {proposal.date_format_yaml()}")
    for key, why in proposal.value_evidence.items():
        _echo(f"{key} codes: {why}")
    if out is None:
        _echo("")
        _echo(proposal.to_yaml(), nl=False)
    else:
        _echo(f"proposal written to {out}; check it, then: linkage validate {proposal.file.parent} --config {out}")


def _demo_config_path() -> Path:
    candidates = [Path.cwd() / "configs" / "demo.yaml", Path(__file__).resolve().parents[2] / "configs" / "demo.yaml"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise LinkageError("configs/demo.yaml was not found; run `linkage demo` from the root of the linkage repository")


@cli.command()
@_friendly_errors
def demo() -> None:
    """Run configs/demo.yaml on synthetic_data/demo/ into reports/demo/ (replacing the last demo).

    Example:

        linkage demo
    """
    config_path = _demo_config_path()
    config = load_config(config_path)
    root = config_path.parent.parent
    _run_and_report(config, out=root / "reports" / "demo", overwrite=True)


def main() -> None:
    cli(prog_name="linkage")


if __name__ == "__main__":  # pragma: no cover
    main()
