"""Check a job folder against its manifest: every output still has the sha256 it was written with.

``verify_job`` recomputes the hash of every output the manifest lists and
names each one altered or missing, and each file in the folder that the
manifest does not list (added since the run). Files that the tools working
on a finished job write into it later (``checks/`` by ``linkage
placement-check``, ``briefs/`` by ``linkage brief``) are listed apart, as
written later, and are not a problem.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LinkageError
from ..read import file_sha256

__all__ = ["VerifyError", "VerifyResult", "verify_job", "MANIFEST", "LATER_FOLDERS"]

MANIFEST = "manifest.json"
#: sub-folders the tools on a finished job write into after the run (``linkage.checks``)
LATER_FOLDERS = ("checks", "briefs")


class VerifyError(LinkageError):
    """The job folder no longer matches its manifest (or has none)."""


@dataclass
class VerifyResult:
    folder: Path
    checked: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    #: files written into ``LATER_FOLDERS`` after the run (placement checks, briefings): listed, not problems
    later: list[str] = field(default_factory=list)
    manifest_sha256: str = ""
    job: str = ""
    finished: str = ""

    @property
    def ok(self) -> bool:
        return not (self.altered or self.missing or self.added)

    def problems(self) -> list[str]:
        lines = [f"altered since the run: {name}" for name in self.altered]
        lines += [f"missing: {name}" for name in self.missing]
        lines += [f"added since the run: {name}" for name in self.added]
        return lines

    def summary(self) -> str:
        later = (f"; {len(self.later)} file(s) written later into {' and '.join(f + '/' for f in LATER_FOLDERS)} "
                 "by linkage placement-check and linkage brief" if self.later else "")
        return (
            f"OK: {len(self.checked)} output(s) of job '{self.job}' (finished {self.finished}) match manifest.json; "
            f"manifest sha256 {self.manifest_sha256}{later}"
        )


def _read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not folder.is_dir():
        raise VerifyError(f"{folder} is not a folder; pass the job folder that linkage run wrote (it holds manifest.json)")
    if not path.is_file():
        raise VerifyError(f"{folder} has no {MANIFEST}; pass a job folder written by linkage run")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VerifyError(f"{path} is not a readable manifest ({exc}); it has been damaged or replaced") from None
    outputs = manifest.get("outputs") if isinstance(manifest, dict) else None
    if not isinstance(outputs, dict) or not all(
        isinstance(v, dict) and isinstance(v.get("sha256"), str) for v in outputs.values()
    ):
        raise VerifyError(f"{path} has no 'outputs' with a sha256 for each file; it has been damaged or replaced")
    return manifest


def _inside(folder: Path, name: str) -> Path | None:
    """``folder/name`` if it stays inside ``folder`` (a manifest cannot point verify elsewhere)."""
    path = (folder / name).resolve()
    root = folder.resolve()
    return path if path == root or root in path.parents else None


def verify_job(folder: str | Path, *, strict: bool = False) -> VerifyResult:
    """Recompute the sha256 of every output in the job ``folder`` and compare with its manifest.

    With ``strict``, a folder that does not match raises ``VerifyError`` naming every output altered,
    missing or added, instead of returning a result that is not ``ok``.
    """
    folder = Path(folder)
    manifest = _read_manifest(folder)
    result = VerifyResult(folder, job=str(manifest.get("job", "")), finished=str(manifest.get("finished", "")))
    result.manifest_sha256 = file_sha256(folder / MANIFEST)
    listed = manifest["outputs"]
    for name in sorted(listed):
        path = _inside(folder, name)
        if path is None:
            result.altered.append(f"{name} (names a file outside the job folder)")
            continue
        if not path.is_file():
            result.missing.append(name)
            continue
        result.checked.append(name)
        if file_sha256(path) != listed[name]["sha256"]:
            result.altered.append(name)
    for path in sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()):
        name = path.relative_to(folder).as_posix()
        if name == MANIFEST or name in listed:
            continue
        if name.partition("/")[0] in LATER_FOLDERS and name.partition("/")[2]:
            result.later.append(name)
            continue
        result.added.append(name)
    if strict and not result.ok:
        lines = "\n  ".join(result.problems())
        raise VerifyError(
            f"{folder} does not match its manifest.json:\n  {lines}\n"
            "Do not rely on these outputs: re-run the job, or restore the folder from a trusted copy"
        )
    return result
