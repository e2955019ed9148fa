"""What every command shares: printing, library errors as one ``Error:`` line, the progress bar, shared options."""

from __future__ import annotations

import errno
import functools
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import click

from .._terminal import terminal_safe
from ..config import JobConfig, load_config
from ..errors import LinkageError
from ..files import interruptible

__all__ = [
    "ClickProgress",
    "config_option",
    "echo",
    "echo_dataset_summary",
    "friendly_errors",
    "out_option",
    "overwrite_option",
    "review_rate",
]


def echo(message: object = "", **kwargs) -> None:
    """Print one message: every line the CLI prints goes through here (control characters escaped, long values cut)."""
    click.echo(terminal_safe(message), **kwargs)


def _error(message: str, exit_code: int = 1) -> click.ClickException:
    error = click.ClickException(terminal_safe(message))
    error.exit_code = exit_code
    return error


@contextmanager
def _as_click_errors() -> Iterator[None]:
    """Library errors and failed reads or writes as ``Error: ...`` and exit 1 (128 + N after signal N), never a traceback."""
    try:
        yield
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


def friendly_errors(command: Callable) -> Callable:
    """Run a command with library errors as one ``Error:`` line; SIGTERM / SIGINT unwind like an error, so no
    temporary file or staging folder is left behind."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with _as_click_errors():
            with interruptible("stopped by {signal}; what was written before it stays, nothing is left half-written"):
                return command(*args, **kwargs)

    return wrapper


# --- shared options, the sqlite-utils way: one declaration, used by every command that takes the option ---


def _load_config(ctx: click.Context, param: click.Parameter, path: Path | None) -> JobConfig:
    with _as_click_errors():
        return load_config(path) if path is not None else JobConfig()


def config_option(help: str) -> Callable:
    """``--config FILE``: the command gets the loaded ``JobConfig`` (the defaults when the option is not given)."""
    return click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path), callback=_load_config,
                        help=help)


def out_option(help: str, *, required: bool = False, file: bool = False) -> Callable:
    """``--out``: the folder (or, with ``file``, the file) the command writes."""
    kind = click.Path(dir_okay=False, path_type=Path) if file else click.Path(file_okay=False, path_type=Path)
    return click.option("--out", type=kind, required=required, help=help)


def overwrite_option(help: str) -> Callable:
    """``--overwrite``: replace what an earlier run wrote (never anything linkage did not write)."""
    return click.option("--overwrite", is_flag=True, help=help)


class ClickProgress:
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


def echo_dataset_summary(dataset) -> None:
    echo(f"{'table':<18}{'file':<26}{'read':>10}{'rejected':>10}{'cleared':>10}{'kept':>10}")
    for row in dataset.summary_rows():
        echo(f"{row['table']:<18}{row['file']:<26}{row['read']:>10}{row['rejected']:>10}{row['cleared']:>10}{row['kept']:>10}")
    for warning in dataset.warnings:
        echo(f"warning: {warning.table}.{warning.column} row {warning.first_row} ({warning.rows} row(s)): {warning.message}")


def review_rate(stats: dict) -> str:
    """``, 12.5 per 1,000 records; blocking recall about 0.991`` from a resolution's stats (empty when absent)."""
    text = ""
    if stats.get("review_pairs_per_1000_records") is not None:
        text += f", {stats['review_pairs_per_1000_records']} per 1,000 records"
    if stats.get("blocking_recall") is not None:
        text += f"; blocking recall about {stats['blocking_recall']:.3f}"
    return text
