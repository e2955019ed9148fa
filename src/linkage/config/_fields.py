"""The one validator of the job config: a typed settings object from a mapping, every problem collected.

Each section of the config is a frozen dataclass. A field declared with
``setting`` is a key of the section: its metadata say how a value is read
(``read``, one of the small readers below or the section's own) and what it
means (``doc``, which ``docs/configuration.md`` shows). ``parse`` walks the
fields: an unknown key gets the closest known one ("did you mean"), a bad value
a problem that names it and the fix, and the field keeps its default, so that
every problem in a file is found in one pass and reported together.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import ConfigError, did_you_mean

__all__ = [
    "Context",
    "Invalid",
    "Section",
    "collect",
    "flag",
    "folder_path",
    "mapping_of",
    "number",
    "resolve_path",
    "parse",
    "section",
    "setting",
    "setting_fields",
    "shown",
    "control_problem",
    "text_choice",
    "unknown_key",
]

Reader = Callable[[Any, str, "Context"], Any]


class Invalid(Exception):
    """A value that cannot be read, and the problems saying why (its field keeps the default)."""

    def __init__(self, *problems: str) -> None:
        super().__init__(*problems)
        self.problems = list(problems)


@dataclass
class Context:
    """What a reader may need beyond the value: where relative paths start, the file's name."""

    base: Path
    source: str = "config"
    problems: list[str] = field(default_factory=list)
    #: every key of the file -> the sections that have it ('' the top level), to say where a misplaced key belongs
    key_sections: Callable[[], dict[str, tuple[str, ...]]] | None = None


@dataclass(frozen=True)
class Section:
    """How a section speaks about itself in problems (a class attribute ``SECTION`` of a settings dataclass)."""

    #: what the section's keys are called: "setting" (``the settings are ...``) or "key"
    noun: str = "setting"
    #: the problem when the section is not a mapping (``{where}`` is replaced)
    not_a_mapping: str = "'{where}' must be a mapping of settings"
    #: turns a value that is not a mapping into one (``job: weekly`` -> ``{name: weekly}``), or None
    shorthand: Callable[[Any], Any] | None = None
    #: a section with no settings yet: why (every key in it is then a mistake)
    no_settings: str = ""
    #: whether problems name the section (``network: unknown setting ...``); the top level and a geography file do not
    prefixed: bool = True


def setting(default: Any = dataclasses.MISSING, *, doc: str, read: Reader, factory: Callable[[], Any] | None = None,
            shown_default: str | None = None) -> Any:
    """A key of a section: its default, what it means, and how a value is read."""
    metadata = {"doc": doc, "read": read, "shown_default": shown_default}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def setting_fields(cls) -> list[dataclasses.Field]:
    """The fields of ``cls`` that are keys of its section, in the order the file's reference lists them."""
    return [f for f in dataclasses.fields(cls) if f.metadata.get("read") is not None]


def unknown_key(key: Any, known, where: str, noun: str = "setting", *, elsewhere: tuple[str, ...] = (),
                value: Any = None) -> str:
    """The problem of a key the section does not have: the sections it belongs to (``elsewhere``: '' is the top
    level), else the closest known one."""
    known = list(known)
    listed = f"the {noun}s are {', '.join(known)}" if len(known) != 1 else f"the {noun} is {known[0]}"
    prefix = f"{where}: " if where else ""
    hint = _belongs(key, elsewhere, where, value) if elsewhere else did_you_mean(str(key), known)
    return f"{prefix}unknown {noun} '{key}'{hint}; {listed}"


def _belongs(key: Any, sections: tuple[str, ...], where: str, value: Any) -> str:
    """`` ('min_contacts' is a setting of analyses.key_people, not of resolve: move it there, e.g. ...)``."""
    named = ["the top level" if s == "" else s for s in sections]
    names = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} or {named[-1]}"
    here = "the top level" if not where else where
    plain = isinstance(value, (int, float, str)) and not isinstance(value, bool)
    shown_value = value if plain and len(str(value)) <= 30 and str(value).isprintable() else "..."
    example = f"{key}: {shown_value}"
    for part in reversed(sections[0].split(".") if sections[0] else []):
        example = f"{part}: {{{example}}}"
    return f" ('{key}' is a setting of {names}, not of {here}: move it there, e.g. {example})"


def parse(cls, raw: Any, where: str, ctx: Context):
    """An instance of the settings dataclass ``cls`` from ``raw``; problems go to ``ctx.problems``.

    A bad value keeps its field's default. ``cls.finish(values, raw, where, ctx)``, when defined, fills
    the fields that follow other settings and checks settings against each other.
    """
    info: Section = getattr(cls, "SECTION", Section())
    label = where if info.prefixed else ""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict) and info.shorthand is not None:
        raw = info.shorthand(raw)
    if not isinstance(raw, dict):
        raise Invalid(info.not_a_mapping.format(where=where))
    keys = setting_fields(cls)
    names = [f.name for f in keys]
    for key in raw:
        if key in names:
            continue
        if info.no_settings:
            ctx.problems.append(f"{label}: unknown setting '{key}'; this version has no {where} settings "
                                f"({info.no_settings}), so remove it")
        else:
            sections = ctx.key_sections().get(str(key), ()) if ctx.key_sections is not None else ()
            elsewhere = tuple(s for s in sections if s != where)
            ctx.problems.append(unknown_key(key, names, label, info.noun, elsewhere=elsewhere, value=raw[key]))
    values: dict[str, Any] = {}
    for f in keys:
        if f.name not in raw:
            continue
        try:
            values[f.name] = f.metadata["read"](raw[f.name], f"{where}.{f.name}" if where else f.name, ctx)
        except Invalid as exc:
            ctx.problems.extend(exc.problems)
    if hasattr(cls, "finish"):
        values = cls.finish(values, raw, where, ctx)
    return cls(**values)


def collect(ctx: Context, read: Callable[[], Any]) -> Any:
    """``read()``, raising one ``ConfigError`` naming ``ctx.source`` with every problem it found."""
    try:
        value = read()
    except Invalid as exc:
        ctx.problems.extend(exc.problems)
    if ctx.problems:
        raise ConfigError.from_problems(ctx.source, ctx.problems)
    return value


def section(cls) -> Reader:
    """Reads a nested section (a settings dataclass)."""
    def read(value, where, ctx):
        return parse(cls, value, where, ctx)
    return read


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)`` short enough to quote in a message."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number(*, low: float = 0, high: float | None = None, whole: bool = False, open_interval: bool = False,
           what: str | None = None, hint: str = "", optional: bool = False) -> Reader:
    """Reads a number in [low, high] (or (low, high) when ``open_interval``); ``whole`` for whole numbers.

    The problem says ``{where} {value} must be {what}{hint}``, ``what`` by default "a number >= 0" or
    "a whole number between 1 and 9" from the bounds. A whole number may be written 3.0.
    """
    kind = "a whole number" if whole else "a number"
    what = what or (f"{kind} >= {low:g}" if high is None else f"{kind} between {low:g} and {high:g}")

    def read(value, where, ctx):
        if value is None and optional:
            return None
        good = _is_number(value) and (not whole or float(value).is_integer())
        if good:
            inside_low = value > low if open_interval else value >= low
            inside_high = high is None or (value < high if open_interval else value <= high)
            good = inside_low and inside_high
        if not good:
            raise Invalid(f"{where} {shown(value)} must be {what}{hint}")
        return int(value) if whole else float(value)
    return read


def flag(value, where, ctx) -> bool:
    """Reads true or false."""
    if not isinstance(value, bool):
        raise Invalid(f"{where} {value!r} must be true or false")
    return value


def text_choice(choices, *, normalise: Callable[[str], str] = str, problem: str) -> Reader:
    """Reads one of ``choices`` (after ``normalise``); ``problem`` is formatted with ``where``, ``value`` and the hint."""
    def read(value, where, ctx):
        text = normalise(str(value))
        if text not in choices:
            raise Invalid(problem.format(where=where, value=text, raw=value, hint=did_you_mean(text, choices),
                                         choices=", ".join(choices)))
        return text
    return read


def mapping_of(read_item: Callable[[Any, Any, str, Context], Any], *, problem: str) -> Reader:
    """Reads a mapping whose items ``read_item(key, value, where, ctx)`` reads (None drops an item)."""
    def read(value, where, ctx):
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise Invalid(problem.format(where=where))
        out = {}
        for key, item in value.items():
            try:
                item = read_item(key, item, where, ctx)
            except Invalid as exc:
                ctx.problems.extend(exc.problems)
                continue
            if item is not None:
                out[str(key)] = item
        return out
    return read


#: C0 and C1 control characters and DEL: never part of a name a person chose
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def control_problem(what: str, value: str) -> str | None:
    """A problem when ``value`` holds a NUL or another control character, else None."""
    found = _CONTROL.search(value)
    if found is None:
        return None
    return (
        f"{what} {shown(value)} contains the control character {found.group()!r} (position {found.start() + 1}); "
        "remove it: names and paths are plain text"
    )


def resolve_path(value: Any, base: Path) -> Path:
    """``value`` as a path, relative ones read from ``base``."""
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else (base / path)


def folder_path(value, where, ctx) -> Path | None:
    """Reads a folder path (``data``, ``output``), resolved against the config's folder."""
    if value is None or value == "":
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise Invalid(f"'{where}' must be a folder path such as {where}: ../extracts/2025-11, not {shown(value)}")
    problem = control_problem(f"'{where}'", str(value))
    if problem:
        raise Invalid(problem)
    return resolve_path(value, ctx.base)

