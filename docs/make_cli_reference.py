"""Regenerate docs/cli.md from the commands' own --help text.

    python docs/make_cli_reference.py

tests/test_docs.py fails when docs/cli.md is out of date.
"""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from linkage.cli import cli


def cli_reference() -> str:
    """The help of ``linkage`` and of every command, as a user sees it at 80 columns."""
    runner = CliRunner()
    parts = [
        "# Command-line reference",
        "",
        "Generated from `--help` by `python docs/make_cli_reference.py`; do not edit by hand.",
        "",
    ]
    for path in _command_paths(cli):
        result = runner.invoke(cli, [*path, "--help"], prog_name="linkage", terminal_width=80)
        title = " ".join(["linkage", *path])
        parts += [f"{'#' * min(len(path) + 1, 3) if path else '##'} {title}", "", "```", result.output.rstrip(), "```", ""]
    return "\n".join(parts)


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command, groups first and then their subcommands (``import``, ``import ssda903``, ...)."""
    paths = [prefix]
    for name in sorted(group.list_commands(click.Context(group))):
        command = group.get_command(click.Context(group), name)
        if isinstance(command, click.Group):
            paths += _command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


if __name__ == "__main__":
    target = Path(__file__).resolve().parent / "cli.md"
    target.write_text(cli_reference(), encoding="utf-8")
    print(f"wrote {target}")
