"""One exception family for every user-facing problem.

The CLI prints ``Error: <message>`` and exits with ``exit_code``; anything that
is not a ``LinkageError`` is a bug in linkage, not a user mistake.
"""

from __future__ import annotations

__all__ = ["did_you_mean", "LinkageError", "ConfigError", "DataError", "StrictRejectError", "TooManyRejectsError", "JobExistsError", "OutputClashError", "Interrupted"]


def did_you_mean(word: object, choices) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices`` to a mistyped ``word``, or ``""``."""
    from rapidfuzz import process

    match = process.extractOne(str(word), [str(c) for c in choices], score_cutoff=60)
    return f" (did you mean '{match[0]}'?)" if match else ""


class LinkageError(Exception):
    """Base class: a problem the user can fix, with a message that says how."""

    exit_code = 1

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems) if problems else [message]
        super().__init__(message)


class ConfigError(LinkageError):
    """The job config is missing, unreadable or has values that cannot work."""

    @classmethod
    def from_problems(cls, source: str, problems: list[str]) -> "ConfigError":
        if len(problems) == 1:
            return cls(f"{source}: {problems[0]}", problems)
        lines = "\n  ".join(problems)
        return cls(f"{source} has {len(problems)} problems:\n  {lines}", problems)


class DataError(LinkageError):
    """A dataset cannot be read at all (missing file or required column)."""

    @classmethod
    def from_problems(cls, problems: list[str]) -> "DataError":
        if len(problems) == 1:
            return cls(problems[0], problems)
        lines = "\n  ".join(problems)
        return cls(f"the dataset has {len(problems)} problems:\n  {lines}", problems)


class StrictRejectError(LinkageError):
    """``--strict`` was given and some rows were rejected."""


class TooManyRejectsError(LinkageError):
    """A table lost more of its rows to rejects than ``max_reject_share`` allows: the job stops after reading."""


class JobExistsError(LinkageError):
    """The job folder exists and ``--overwrite`` was not given."""


class OutputClashError(JobExistsError):
    """The output folder is, holds or lies inside one of the run's inputs: writing there could destroy it."""


class Interrupted(LinkageError):
    """The run was stopped by SIGTERM or SIGINT; what it had staged was removed.  Exit code 128 + the signal."""

    @classmethod
    def from_signal(cls, signum: int, message: str = "stopped by {signal}; nothing of this run was kept") -> "Interrupted":
        import signal

        error = cls(message.format(signal=signal.Signals(signum).name))
        error.exit_code = 128 + int(signum)
        return error
