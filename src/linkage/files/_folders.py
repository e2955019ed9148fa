"""The output folder: built beside its final place and swapped in when the run succeeds.

Linkage never destroys what is not its own:

- the output may not be, hold or lie inside any of the run's inputs (the
  dataset, the config, the key file, a model or overrides file), compared by
  real path so that a symlink or ``..`` does not hide a clash;
- ``overwrite`` replaces only a folder that holds a linkage manifest of the
  same kind (a job's ``manifest.json``, a pseudonymised dataset's
  ``pseudonymisation.json``); any other non-empty folder is refused;
- the new output is built in a staging folder (mode 0700) beside the target,
  and the old one is moved aside, the new one moved in, and only then the old
  one deleted: a kill at any moment leaves the old or the new output whole
  (the next run puts back an old job whose replacement never arrived, see
  ``_leftovers``);
- SIGTERM and SIGINT during the run remove the staging folder (``_signals``).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from ..errors import Interrupted, JobExistsError, OutputClashError
from ._leftovers import clean_leftovers, owner_token
from ._signals import interruptible

if TYPE_CHECKING:
    from ..config import JobConfig

__all__ = [
    "KIND_JOB",
    "KIND_PSEUDONYMISED",
    "MANIFEST_FILES",
    "Inputs",
    "check_can_write",
    "check_clear_of_inputs",
    "check_not_linkage_output",
    "config_inputs",
    "folder_kind",
    "job_folder",
    "job_inputs",
    "manifest_kind",
    "prepare_output_folder",
    "suggest_folder",
]

KIND_JOB = "job"
KIND_PSEUDONYMISED = "pseudonymised dataset"
#: the manifest that marks a folder as linkage's own, per kind
MANIFEST_FILES = {KIND_JOB: "manifest.json", KIND_PSEUDONYMISED: "pseudonymisation.json"}
#: a manifest bigger than this is not one linkage wrote (a job's lists its outputs: kilobytes to a few MB)
_MANIFEST_MAX_BYTES = 64 * 1024 * 1024

#: (what it is, path) of each input a run reads; a None path is skipped
Inputs = Iterable[tuple[str, "str | Path | None"]]


def manifest_kind(kind: str) -> str:
    """The ``kind`` value written into the manifest of an output of ``kind``."""
    return f"linkage {kind}"


def _read_manifest(path: Path) -> dict | None:
    try:
        if not path.is_file() or path.stat().st_size > _MANIFEST_MAX_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def folder_kind(folder: str | Path) -> str | None:
    """The kind of linkage output ``folder`` holds (``job``, ``pseudonymised dataset``), or None.

    A manifest names its kind; one written before manifests did is known by
    its contents (a job's lists toolkit ``linkage`` and its outputs; a
    pseudonymised dataset's gives its format).
    """
    folder = Path(folder)
    job = _read_manifest(folder / MANIFEST_FILES[KIND_JOB])
    if job is not None:
        if job.get("kind") == manifest_kind(KIND_JOB):
            return KIND_JOB
        if "kind" not in job and job.get("toolkit") == "linkage" and isinstance(job.get("outputs"), dict):
            return KIND_JOB
    pseudo = _read_manifest(folder / MANIFEST_FILES[KIND_PSEUDONYMISED])
    if pseudo is not None:
        if pseudo.get("kind") == manifest_kind(KIND_PSEUDONYMISED):
            return KIND_PSEUDONYMISED
        if "kind" not in pseudo and str(pseudo.get("format", "")).startswith("linkage pseudonymised dataset"):
            return KIND_PSEUDONYMISED
    return None


def _real(path: str | Path) -> Path:
    return Path(os.path.realpath(os.path.expanduser(str(path))))


def _clashes(out: Path, inputs: Inputs) -> list[tuple[str, str, Path]]:
    """(relation, what, path) of every input that the real path ``out`` is, holds or lies inside."""
    found = []
    for what, path in inputs:
        if path is None or str(path) == "":
            continue
        real = _real(path)
        if out == real:
            found.append(("is", what, Path(path)))
        elif real.is_relative_to(out):
            found.append(("holds", what, Path(path)))
        elif out.is_relative_to(real):
            found.append(("lies inside", what, Path(path)))
    return found


def suggest_folder(out: str | Path, inputs: Inputs = ()) -> Path:
    """A folder near ``out`` that does not exist and is clear of every input."""
    out = Path(out) if Path(out).name not in ("", ".", "..") else _real(out)
    inputs = list(inputs)
    name = out.name or "output"
    bases = [out.parent] + [_real(path).parent for _, path in inputs if path is not None and str(path) != ""]
    for base in bases:
        for suffix in [""] + [f"-{n}" for n in range(2, 10)]:
            candidate = base / f"{name}{suffix}"
            if _real(candidate) == _real(out) or candidate.exists() or os.path.lexists(candidate):
                continue
            if not _clashes(_real(candidate), inputs):
                return candidate
    return Path("reports") / f"{name}-{secrets.token_hex(2)}"


def check_clear_of_inputs(out: str | Path, inputs: Inputs, *, what: str = "the output folder") -> None:
    """Refuse an ``out`` that is, holds or lies inside one of ``inputs`` (real paths, symlinks followed)."""
    inputs = list(inputs)
    clashes = _clashes(_real(out), inputs)
    if not clashes:
        return
    lines = "; ".join(f"{out} {relation} {name} {path}" for relation, name, path in clashes)
    raise OutputClashError(
        f"{what} {out} clashes with the inputs: {lines}. Writing there could destroy them, so linkage will not; "
        f"choose a folder apart from the inputs, e.g. {suggest_folder(out, inputs)}"
    )


def check_not_linkage_output(out: str | Path, *, writer: str, what: str = "--out") -> None:
    """Refuse to write loose files into a folder that holds a linkage job or pseudonymised dataset."""
    kind = folder_kind(out) if Path(out).is_dir() else None
    if kind is not None:
        raise OutputClashError(
            f"{what} {out} holds a linkage {kind} ({MANIFEST_FILES[kind]}); {writer} would change it behind its "
            f"manifest's back; choose another folder, e.g. {suggest_folder(out)}"
        )


def prepare_output_folder(out: str | Path, inputs: Inputs, *, writer: str, what: str = "--out") -> list[str]:
    """Check a folder that a command writes loose files into (validate, resolve, import); clean its leftovers.

    The folder must be clear of the inputs and must not be a linkage job or
    pseudonymised dataset.  Half-written files of killed runs in it are
    removed; the messages say which.
    """
    check_clear_of_inputs(out, inputs, what=what)
    check_not_linkage_output(out, writer=writer, what=what)
    return clean_leftovers(out) if Path(out).is_dir() else []


def check_can_write(out: str | Path, overwrite: bool, *, kind: str = KIND_JOB, inputs: Inputs = ()) -> None:
    """Refuse an ``out`` that clashes with an input, or holds something ``overwrite`` may not replace."""
    out = Path(out)
    inputs = list(inputs)
    check_clear_of_inputs(out, inputs, what=f"the {kind} folder")
    real = _real(out)
    if real.parent == real:
        raise JobExistsError(f"{out} is the root of the file system; choose a folder for the {kind}, e.g. {suggest_folder('reports/' + kind.replace(' ', '-'), inputs)}")
    if not real.exists():
        return
    if not real.is_dir():
        raise JobExistsError(f"{out} is a file; choose a folder for the {kind}, e.g. {suggest_folder(out, inputs)}")
    if not any(real.iterdir()):
        return
    held = folder_kind(real)
    if held is None:
        raise JobExistsError(
            f"{out} is not empty and holds no linkage {kind} (no {MANIFEST_FILES[kind]} of one); linkage replaces "
            f"only a folder it wrote itself; choose another folder, e.g. {suggest_folder(out, inputs)}"
        )
    if held != kind:
        raise JobExistsError(
            f"{out} holds a linkage {held}, not a {kind}; choose another folder, e.g. {suggest_folder(out, inputs)}"
        )
    if not overwrite:
        raise JobExistsError(
            f"{out} already holds a linkage {kind}; pass --overwrite to replace it, or choose another folder, "
            f"e.g. {suggest_folder(out, inputs)}"
        )


def _swap_in(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``: the old target aside, the new one in, then the old one deleted."""
    previous = None
    if target.exists() or target.is_symlink():
        previous = target.parent / f".{target.name}.previous-{owner_token()}-{secrets.token_hex(4)}"
        target.rename(previous)
    try:
        staging.rename(target)
    except BaseException:
        if previous is not None:
            previous.rename(target)
        raise
    if previous is not None:
        if previous.is_dir() and not previous.is_symlink():
            shutil.rmtree(previous, ignore_errors=True)
        else:
            previous.unlink(missing_ok=True)


@contextmanager
def job_folder(
    out: str | Path,
    *,
    overwrite: bool,
    kind: str = KIND_JOB,
    inputs: Inputs = (),
    notes: list[str] | None = None,
) -> Iterator[Path]:
    """Yield a staging folder; on success it replaces ``out``, on failure or a signal it is removed.

    What killed runs left beside ``out`` is put right first, and each thing
    done is added to ``notes``.
    """
    out = Path(out)
    inputs = list(inputs)
    check_clear_of_inputs(out, inputs, what=f"the {kind} folder")
    target = _real(out)
    with interruptible() as guard:
        done = clean_leftovers(target.parent, target.name) if target.parent.is_dir() else []
        if notes is not None:
            notes.extend(done)
        check_can_write(out, overwrite, kind=kind, inputs=inputs)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-{owner_token()}-", dir=target.parent))
        committed = False
        try:
            staging.chmod(0o700)
            yield staging
            guard.hold()
            _swap_in(staging, target)
            committed = True
        finally:
            guard.hold()
            if not committed:
                shutil.rmtree(staging, ignore_errors=True)
    if guard.fired:
        raise Interrupted.from_signal(
            guard.fired[0], f"stopped by {{signal}} after the {kind} was complete: {out} holds the new {kind}"
        )


def config_inputs(config: JobConfig) -> list[tuple[str, Path | None]]:
    """The files a config names: the config itself, its geography, the resolve: section's files."""
    source = Path(config.source) if config.source and not config.source.startswith("<") else None
    found: list[tuple[str, Path | None]] = [
        ("the job config", source if source is not None and source.is_file() else None),
        ("the geography file", config.geography_path),
    ]
    raw = config.stage("resolve")
    base = config.base or Path.cwd()
    for key in ("model", "overrides", "labels", "previous_entities"):
        value = raw.get(key)
        if isinstance(value, (str, Path)) and str(value):
            path = Path(str(value)).expanduser()
            found.append((f"the resolve.{key} file", path if path.is_absolute() else base / path))
    return found


def job_inputs(config: JobConfig, data: str | Path | None) -> Inputs:
    """Every input of a job: the dataset folder and the files its config names."""
    return [("the dataset", Path(data) if data is not None else None), *config_inputs(config)]
