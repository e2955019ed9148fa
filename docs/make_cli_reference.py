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
    names = [""] + sorted(cli.list_commands(click.Context(cli)))
    for name in names:
        args = [name, "--help"] if name else ["--help"]
        result = runner.invoke(cli, args, prog_name="linkage", terminal_width=80)
        title = f"linkage {name}".strip()
        parts += [f"## {title}", "", "```", result.output.rstrip(), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    target = Path(__file__).resolve().parent / "cli.md"
    target.write_text(cli_reference(), encoding="utf-8")
    print(f"wrote {target}")
