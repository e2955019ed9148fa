"""What a killed run leaves behind, and how the next run (or ``linkage clean``) puts it right.

A job is built in a staging folder beside its final place
(``.<job>.staging-<owner>-<random>``); replacing a job moves the old one aside
first (``.<job>.previous-<owner>-<random>``), and single files are written as
``.<file>.<owner>-<random>.tmp`` then renamed.  ``<owner>`` is the writing
process's id and start time, so a later run can tell a folder whose process
is gone (left by SIGKILL, a power cut, an out-of-memory kill) from one that a
run is still writing.

``clean_leftovers`` removes a stale staging folder or temporary file and puts
back an old job that was moved aside when no new job took its place, and says
what it did.  It never touches anything whose owner is still running.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import LinkageError

__all__ = ["CleanResult", "Leftover", "owner_token", "owner_alive", "find_leftovers", "clean_leftovers", "clean_tree"]

_OWNER = r"(?:(?P<pid>\d+)-(?P<start>\d+)-)"
#: staging and previous folders; older versions wrote mkdtemp's 8 random characters without an owner
_FOLDER = re.compile(rf"^\.(?P<name>.+)\.(?P<what>staging|previous)-(?:{_OWNER}[a-z0-9_]+|[a-z0-9_]{{8}})$")
#: temporary files of the atomic writer (only those with an owner: an older version's could be anybody's)
_TEMP = re.compile(rf"^\.(?P<name>.+)\.{_OWNER}[a-z0-9_]+\.tmp$")


def _start_time(pid: int) -> int:
    """The process's start time in clock ticks since boot (Linux), or 0 where it cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rpartition(")")[2].split()[19])
    except (OSError, ValueError, IndexError):
        return 0


@lru_cache(maxsize=1)
def _token_for(pid: int) -> str:
    return f"{pid}-{_start_time(pid)}"


def owner_token() -> str:
    """``<pid>-<start time>`` of this process, written into the name of everything it stages."""
    return _token_for(os.getpid())


def owner_alive(pid: int, start: int) -> bool:
    """Is the process that wrote a leftover still running (and not a later process given the same id)?"""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        pass
    except OSError:
        return False
    now = _start_time(pid)
    return not (start and now and now != start)


@dataclass(frozen=True)
class Leftover:
    path: Path
    #: ``staging``, ``previous`` or ``temp``
    what: str
    #: the job or file it belongs to
    name: str
    #: the process that made it, or None (made by an older linkage that did not record it)
    pid: int | None
    start: int

    @property
    def stale(self) -> bool:
        return self.pid is None or not owner_alive(self.pid, self.start)


def find_leftovers(folder: str | Path, name: str | None = None) -> list[Leftover]:
    """Staging folders, moved-aside jobs and temporary files in ``folder`` (of job ``name`` only, if given)."""
    folder = Path(folder)
    found = []
    try:
        entries = sorted(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    for path in entries:
        match = _FOLDER.match(path.name)
        what = match["what"] if match else None
        if match is None:
            match = _TEMP.match(path.name)
            what = "temp" if match else None
        if match is None or (name is not None and match["name"] != name):
            continue
        if (what == "temp") != (path.is_file() and not path.is_symlink()):
            continue
        if what != "temp" and (path.is_symlink() or not path.is_dir()):
            continue
        pid = int(match["pid"]) if match["pid"] else None
        found.append(Leftover(path, what, match["name"], pid, int(match["start"] or 0)))
    return found


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def clean_leftovers(folder: str | Path, name: str | None = None) -> list[str]:
    """Put right what killed runs left in ``folder``; one message per thing done.

    A stale staging folder or temporary file is removed; an old job moved
    aside whose replacement never arrived is moved back; one whose
    replacement did arrive is removed.  Leftovers of a running process are
    left alone.
    """
    folder = Path(folder)
    messages = []
    for item in find_leftovers(folder, name):
        if not item.stale:
            continue
        owner = f"process {item.pid}" if item.pid is not None else "an earlier linkage"
        target = folder / item.name
        if item.what == "previous" and not target.exists():
            item.path.rename(target)
            messages.append(
                f"restored {target}: a run by {owner} was stopped while replacing it, so the earlier job was put back"
            )
            continue
        _remove(item.path)
        if item.what == "staging":
            messages.append(f"removed {item.path.name} in {folder}: the unfinished job of a run by {owner}, which was stopped")
        elif item.what == "previous":
            messages.append(f"removed {item.path.name} in {folder}: the job that {target.name} replaced (a run by {owner})")
        else:
            messages.append(f"removed {item.path.name} in {folder}: a half-written file of a run by {owner}")
    return messages


@dataclass
class CleanResult:
    #: one message per thing removed or restored
    done: list[str] = field(default_factory=list)
    #: leftovers whose process is still running, left alone
    running: list[Leftover] = field(default_factory=list)


def _folders(root: Path, depth: int) -> list[Path]:
    """``root`` and its sub-folders to ``depth`` levels, skipping hidden folders (a live staging folder) and links."""
    found, level = [root], [root]
    for _ in range(depth):
        below = []
        for folder in level:
            try:
                below += sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
            except OSError:
                continue
        found += below
        level = below
    return found


def clean_tree(folder: str | Path, *, depth: int = 2) -> CleanResult:
    """``clean_leftovers`` in ``folder``, the folders ``depth`` levels below it, and beside ``folder`` itself."""
    folder = Path(folder)
    beside = folder.resolve().parent
    if not folder.is_dir() and not find_leftovers(beside, folder.name):
        raise LinkageError(f"{folder} is not a folder; pass the folder that holds your job folders, e.g. reports")
    result = CleanResult()
    places = [(beside, folder.resolve().name)] if beside != folder.resolve() else []
    places += [(path, None) for path in (_folders(folder, depth) if folder.is_dir() else [])]
    for path, name in places:
        result.done += clean_leftovers(path, name)
        result.running += find_leftovers(path, name)
    return result
