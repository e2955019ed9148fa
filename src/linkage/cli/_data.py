"""Commands that make or turn data into the data contract: synth, pseudonymise, import (ssda903, police-uk, map).

Each imports its library part when it runs, so that ``linkage --help`` and the other commands start quickly.
"""

from __future__ import annotations

from pathlib import Path

import click

from ._shell import config_option, echo, friendly_errors, out_option, overwrite_option

__all__ = ["synth", "pseudonymise", "import_group"]


@click.command()
@click.option("--scale", type=click.Choice(["small", "medium", "large"]), default="small", show_default=True,
              help="small ~2k, medium ~100k, large ~1M person records")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="same seed, same files")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@friendly_errors
def synth(scale: str, seed: int, out: Path) -> None:
    """Write a synthetic Lancashire dataset, with its truth/ folder, to OUT.

    Example:

        linkage synth --scale small --seed 7 synthetic_data/seed7
    """
    from ..synth import generate_world

    summary = generate_world(out, scale=scale, seed=seed, progress=lambda m: echo(m, err=True))
    rows = summary.get("rows", summary)
    echo(f"wrote a {scale} synthetic world (seed {seed}) to {out}")
    for table, count in rows.items():
        if isinstance(count, int):
            echo(f"  {table}: {count} rows")


@click.command()
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
@config_option("job config whose tables:, columns:, values: and input: describe the extract")
@overwrite_option("replace an existing OUT folder")
@friendly_errors
def pseudonymise(dataset: Path, out: Path, key_file: Path | None, key_env: str | None, bloom_names: bool, dob: str,
                 hash_columns: tuple[str, ...], keep_columns: tuple[str, ...], config, overwrite: bool) -> None:
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
    from ..pseudonymise import load_key, pseudonymise_dataset

    key = load_key(key_file=key_file, key_env=key_env)
    result = pseudonymise_dataset(dataset, out, key, config=config, bloom_names=bloom_names, dob=dob,
                                  keep_columns=keep_columns, hash_columns=hash_columns, overwrite=overwrite)
    for table, rows in result.rows.items():
        echo(f"  {table}: {rows} rows")
    for note in result.notes:
        echo(f"note: {note}")
    echo(f"pseudonymised dataset written to {out} (key fingerprint {key.fingerprint})")


@click.group(name="import")
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
    echo(f"{'file':<34}{'read':>8}{'rejected':>10}{'written':>10}  table")
    for info in result.files:
        echo(f"{Path(info['file']).name:<34}{info['read']:>8}{info['rejected']:>10}{info.get('written', 0):>10}  {info['table']}")
    for note in result.notes:
        echo(f"note: {note}")
    rejects = result.rejects
    if len(rejects):
        echo(f"{result.n_rejected} row(s) rejected:")
        for row in rejects.head(10).itertuples(index=False):
            echo(f"  {row.table} row {row.row}, {row.column}: {row.reason}")
        if len(rejects) > 10:
            echo(f"  ... and {len(rejects) - 10} more")
    else:
        echo("no rows rejected")
    echo(f"written to {result.out} (rejects in {result.out / 'rejects.csv'})")


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
@friendly_errors
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
    from ..read.imports import import_ssda903

    result = import_ssda903(out, header=header, episodes=episodes, missing=missing, source=source, authority=authority)
    _echo_import_summary(result)


@import_group.command(name="police-uk")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@friendly_errors
def police_uk(files: tuple[Path, ...], out: Path) -> None:
    """Import police.uk street-level crime CSVs (FILES) into the dataset folder OUT as context.

    Writes events.csv (crimes; anti-social behaviour as incidents) and
    locations.csv (police.uk's map points) beside what is already in OUT, and
    rejects.csv. Rows without coordinates are kept as events without a place.

    Example:

        linkage import police-uk 2024-0*-lancashire-street.csv data/903
    """
    from ..read.imports import import_police_uk

    _echo_import_summary(import_police_uk(out, list(files)))


@import_group.command(name="map")
@click.option("--table", default="people", show_default=True, help="the contract table the file holds")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@out_option("write the proposal as a job config (YAML) here; default: print it", file=True)
@overwrite_option("replace an existing --out file")
@friendly_errors
def map_columns(table: str, file: Path, out: Path | None, overwrite: bool) -> None:
    """Propose which header of FILE holds each column of a contract table.

    Scores each header on its name (synonyms such as Forename, Surname, DOB,
    Gender) and a sample of its values (dates, sex codes, postcodes), and
    writes the result as the columns: section of a job config to check and
    edit. Required columns it could not map are flagged.

    Example:

        linkage import map --table people nominals.csv --out configs/nominals.yaml
    """
    from ..read.imports import propose_column_map

    proposal = propose_column_map(file, table)
    if out is not None:
        proposal.write(out, overwrite=overwrite)
    echo(f"{'header':<28}{'contract column':<20}{'confidence':>10}  evidence")
    for p in proposal.proposals:
        echo(f"{p.header:<28}{p.column or '-':<20}{p.confidence:>10.2f}  {p.evidence}")
    for problem in proposal.unmapped_required:
        echo(f"required, not mapped: {problem}")
    for header, examples in proposal.ambiguous_dates.items():
        echo(f"dates in {header} could be day-first or month-first ({', '.join(examples)}): check the layout below")
    if proposal.date_formats:
        echo(f"dates in their own layout: the config sets {proposal.date_format_yaml()}")
    for key, why in proposal.value_evidence.items():
        echo(f"{key} codes: {why}")
    if out is None:
        echo("")
        echo(proposal.to_yaml(), nl=False)
    else:
        echo(f"proposal written to {out}; check it, then: linkage validate {proposal.file.parent} --config {out}")
