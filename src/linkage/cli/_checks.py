"""Commands that work on one finished job folder for an officer: placement-check, brief (``linkage.checks``)."""

from __future__ import annotations

from pathlib import Path

import click

from ._shell import echo, friendly_errors, out_option

__all__ = ["placement_check", "brief"]


@click.command(name="placement-check")
@click.argument("jobdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--child", required=True, help="the child: an entity_id or a record_id")
@click.option("--settings", metavar="L1,L2,...", help="the candidate settings: location ids, separated by commas")
@click.option("--near", metavar="POSTCODE", help="rank every setting near a full postcode (or a location id)")
@click.option("--within", "within_km", type=click.FloatRange(min=0), default=30.0, show_default=True, metavar="KM",
              help="radius for --near, in km")
@click.option("--type", "setting_type", metavar="CATEGORY", help="location category for --near (default: care settings)")
@click.option("--from", "move_date", metavar="DATE", help="move date (default: the last date in the job's data)")
@click.option("--recent-days", type=click.IntRange(min=0), default=365, show_default=True,
              help="residents who left this many days before the move still count")
@out_option("folder to write into (default: JOBDIR/checks)")
@friendly_errors
def placement_check(jobdir: Path, child: str, settings: str | None, near: str | None, within_km: float,
                    setting_type: str | None, move_date: str | None, recent_days: int, out: Path | None) -> None:
    """Rank candidate care settings for a child by the exposure a move would add.

    For each setting: who the child would meet there (children placed there
    at the move date and recent residents), their missing episodes, who they
    went missing with, their CSE/CCE flags and the perpetrators within two
    steps; the distance from the current setting and from home, the new peers
    (as care_moves.csv counts them) and whether the move crosses a BCU or the
    force boundary. Writes placement-check-<child>.csv and .html.

    Example:

        linkage placement-check reports/demo --child E12ab --settings L1,L2,L3
        linkage placement-check reports/demo --child E12ab --near "PR1 4AB" --within 30 --type children_home
    """
    from ..checks import run_placement_check

    names = [s for s in (settings or "").split(",") if s.strip()] or None
    result, written = run_placement_check(jobdir, child, settings=names, near=near, within_km=within_km,
                                          setting_type=setting_type, move_date=move_date, recent_days=recent_days,
                                          out=out)
    echo(f"placement check for {result.label} ({result.child}), move on {result.move_date.date().isoformat()}:")
    for row in result.settings.itertuples(index=False):
        echo(f"  {row.rank}. {row.location_id}  score {row.exposure_score} = {row.score_parts}")
    for path in written.values():
        echo(f"written to {path}")


@click.command()
@click.argument("jobdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--child", "children", multiple=True, metavar="ID", help="the child: an entity_id or a record_id (repeatable)")
@click.option("--all-missing-now", is_flag=True, help="one briefing for each child whose latest episode has no end")
@out_option("folder to write into (default: JOBDIR/briefs)")
@friendly_errors
def brief(jobdir: Path, children: tuple[str, ...], all_missing_now: bool, out: Path | None) -> None:
    """Write a one-page briefing for a missing-from-home or missing-from-care investigation.

    Where the child was found before (how often, how recently), who they went
    missing or were found with and those people's own found places, linked
    businesses and places, perpetrators within two steps and candidate links,
    phones and vehicles, and questions to ask on return. Every line names its
    source. Writes brief-<child>.html (A4 when printed).

    Example:

        linkage brief reports/demo --child E12ab
        linkage brief reports/demo --all-missing-now
    """
    from ..checks import run_briefs

    for path in run_briefs(jobdir, list(children), all_missing_now=all_missing_now, out=out):
        echo(f"written to {path}")
