"""The package's layering: imports only go forward along the pipeline, and no private name crosses modules.

A name starting with ``_`` is private to its module, and a module starting
with ``_`` is private to its package: importing either from elsewhere couples
code to details its owner may change at any time. ruff's PLC2701 sees neither
within the ``linkage`` package, so this test does.

The packages form tiers (``LAYERS``); a package imports from earlier tiers
only, never from a later one nor from another package of its own tier (so
``resolve`` and ``pseudonymise`` share the Bloom kernel through
``linkage.bloom``, and every stage writes its files through ``linkage.files``).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "src"
PACKAGE = SOURCE / "linkage"
#: the packages and top-level modules of linkage, in the order a record travels (see docs/architecture.md);
#: "linkage" is the package root (``__version__``)
LAYERS = (
    ("linkage", "errors"),
    ("contract", "_arrow", "_terminal"),
    ("geography",),
    ("config",),
    ("files", "graph", "bloom"),
    ("read", "synth"),
    ("pseudonymise", "resolve"),
    ("build",),
    ("analyse",),
    ("render",),
    ("checks", "job"),
    ("cli",),
)
#: imports still to be moved, each with its owner: (importing file, imported module)
KNOWN_PRIVATE: set[tuple[str, str]] = set()
KNOWN_BACKWARD: set[tuple[str, str]] = set()
#: no module is longer than this (a module answers one question, and a reader sees it whole)
MAX_LINES = 500
#: modules still over it, each with its owner
KNOWN_LONG: set[str] = set()


def _module_and_package(path: Path, source: Path) -> tuple[str, str]:
    module = ".".join(path.relative_to(source).with_suffix("").parts).removesuffix(".__init__")
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    return module, package


def _imports(path: Path, source: Path = SOURCE) -> list[tuple[str, list[str]]]:
    """(module, names) of every ``linkage`` import in ``path``: top-level, in functions and under TYPE_CHECKING."""
    _, package = _module_and_package(path, source)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((target, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
    return [(target, names) for target, names in found if target == "linkage" or target.startswith("linkage.")]


def _private_imports(path: Path, source: Path = SOURCE) -> list[tuple[str, str]]:
    """(what, where) of each private name imported from another module and each other package's private module."""
    _, package = _module_and_package(path, source)
    found = []
    for target, names in _imports(path, source):
        found += [(f"private name {name}", target) for name in names if name.startswith("_") and not name.startswith("__")]
        parts = target.split(".")
        for i, part in enumerate(parts):
            if part.startswith("_"):
                owner = ".".join(parts[:i])
                if not (package == owner or package.startswith(owner + ".")):
                    found.append(("private module", target))
                break
    return found


def _part(dotted: str) -> str:
    """The top-level part of linkage a module belongs to: ``linkage.read.imports._common`` -> ``read``."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else "linkage"


def _backward_imports(path: Path, source: Path = SOURCE, layers=LAYERS) -> list[str]:
    tier = {part: i for i, parts in enumerate(layers) for part in parts}
    module, _ = _module_and_package(path, source)
    here = _part(module)
    if here not in tier:
        return [f"{here} is in no tier of LAYERS: add it where it sits in the pipeline"]
    found = []
    for target, names in _imports(path, source):
        targets = [f"linkage.{name}" for name in names] if target == "linkage" else [target]
        for dotted in targets:
            there = _part(dotted) if dotted.split(".")[1:2] != ["__version__"] else "linkage"
            if there == here:
                continue
            if there not in tier:
                found.append(f"{dotted}: {there} is in no tier of LAYERS")
            elif tier[there] >= tier[here]:
                found.append(f"{dotted} ({there} is {'in the same tier as' if tier[there] == tier[here] else 'after'} {here})")
    return found


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_checker_sees_private_imports(tmp_path):
    folder = tmp_path / "linkage" / "analyse"
    folder.mkdir(parents=True)
    (folder / "x.py").write_text("from .clusters import _view, clusters\nfrom ..build._network import Network\n"
                                 "from ._groups import join_groups\nfrom .._arrow import isin\n"
                                 "def f():\n    from .core.view import _cache\n")
    found = _private_imports(folder / "x.py", tmp_path)
    assert sorted(found) == [("private module", "linkage.build._network"), ("private name _cache", "linkage.analyse.core.view"),
                             ("private name _view", "linkage.analyse.clusters")]


def test_the_checker_sees_backward_imports(tmp_path):
    folder = tmp_path / "linkage" / "read"
    folder.mkdir(parents=True)
    (folder / "x.py").write_text("from ..job import write_csv\nfrom ..config import load_config\nfrom .. import __version__\n"
                                 "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..synth import World\n"
                                 "def f():\n    from ..build._geo import g\n")
    found = _backward_imports(folder / "x.py", tmp_path)
    assert sorted(found) == ["linkage.build._geo (build is after read)", "linkage.job (job is after read)",
                             "linkage.synth (synth is in the same tier as read)"]
    (tmp_path / "linkage" / "new.py").write_text("")
    assert _backward_imports(tmp_path / "linkage" / "new.py", tmp_path) == ["new is in no tier of LAYERS: add it where it sits in the pipeline"]


def test_every_part_of_linkage_has_a_tier():
    parts = {p.name.removesuffix(".py") for p in PACKAGE.iterdir()
             if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.name != "__init__.py")}
    tiered = {part for parts in LAYERS for part in parts}
    assert sorted(parts - tiered) == []
    assert sorted(tiered - parts - {"linkage"}) == []


def test_imports_go_forward_along_the_pipeline():
    offending = []
    for path in _sources():
        where = path.relative_to(SOURCE).as_posix()
        offending += [f"{where}: {problem}" for problem in _backward_imports(path)
                      if not any(where == w and problem.startswith(k + " ") for w, k in KNOWN_BACKWARD)]
    assert offending == []


def test_no_private_imports_across_modules():
    offending = []
    for path in _sources():
        where = path.relative_to(SOURCE).as_posix()
        for what, target in _private_imports(path):
            if (where, target) not in KNOWN_PRIVATE:
                offending.append(f"{where}: {what} from {target}")
    assert offending == []


def test_the_known_exceptions_are_still_there():
    """An entry whose import has gone is removed, so the lists only shrink."""
    private = {(path.relative_to(SOURCE).as_posix(), target) for path in _sources() for _, target in _private_imports(path)}
    assert sorted(KNOWN_PRIVATE - private) == []
    backward = {(path.relative_to(SOURCE).as_posix(), problem.split(" ")[0]) for path in _sources() for problem in _backward_imports(path)}
    assert sorted(KNOWN_BACKWARD - backward) == []


def test_no_module_is_over_500_lines():
    lengths = {path.relative_to(SOURCE).as_posix(): len(path.read_text(encoding="utf-8").splitlines()) for path in _sources()}
    assert sorted(f"{where}: {n} lines" for where, n in lengths.items() if n > MAX_LINES and where not in KNOWN_LONG) == []
    assert sorted(where for where in KNOWN_LONG if lengths.get(where, 0) <= MAX_LINES) == []


def test_ruff_is_clean():
    """The linter .ci/run runs before the tests (rules in pyproject.toml), so a full test run catches what CI would."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is not installed: run .venv/bin/pip install -e '.[test]'"
    found = subprocess.run([ruff, "check", "--no-cache", "--output-format", "concise", "src", "tests", "bench"],
                           cwd=REPO, capture_output=True, text=True)
    assert found.returncode == 0, found.stdout + found.stderr
