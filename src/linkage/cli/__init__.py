"""The ``linkage`` command line: parse options, call one library function, print.

Every command's help ends with an example.  User mistakes become one
``Error:`` line and exit code 1; wrong usage exits 2 (click's own).  The
commands live by what they work on: ``_jobs`` (validate, run, demo, verify,
path, clean), ``_resolve`` (resolve, evaluate), ``_data`` (synth, pseudonymise,
import), ``_checks`` (placement-check, brief: tools on a finished job for
an officer); ``_shell`` holds what they share (printing, errors, the options
``--config``, ``--out`` and ``--overwrite``).
"""

from __future__ import annotations

import click

from .. import __version__
from ._checks import brief, placement_check
from ._data import import_group, pseudonymise, synth
from ._jobs import clean, demo, path, run, validate, verify
from ._resolve import evaluate, resolve

__all__ = ["cli", "main"]


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


for _command in (synth, validate, run, resolve, clean, evaluate, pseudonymise, verify, path, placement_check, brief,
                 import_group, demo):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="linkage")
