"""The package's layering: no private names cross modules in the analysis core, the graph package and build.

A name starting with ``_`` is private to its module, and a module starting
with ``_`` is private to its package: importing either from elsewhere couples
code to details its owner may change at any time. The shared pieces are
public (``linkage.analyse.core``, ``linkage.graph``, ``linkage.build``).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "src"
CHECKED = ("linkage/analyse", "linkage/graph", "linkage/build")
#: imports of another package's private module still to be moved; each names its owner
KNOWN: set[tuple[str, str]] = set()


def _private_imports(path: Path, source: Path = SOURCE) -> list[tuple[str, str]]:
    """(what, where) of each private name imported from another module and each other package's private module."""
    module = ".".join(path.relative_to(source).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        if not target.startswith("linkage"):
            continue
        found += [(f"private name {alias.name}", target) for alias in node.names
                  if alias.name.startswith("_") and not alias.name.startswith("__")]
        parts = target.split(".")
        for i, part in enumerate(parts):
            if part.startswith("_"):
                owner = ".".join(parts[:i])
                if not (package == owner or package.startswith(owner + ".")):
                    found.append(("private module", target))
                break
    return found


def test_the_checker_sees_private_imports(tmp_path):
    folder = tmp_path / "linkage" / "analyse"
    folder.mkdir(parents=True)
    (folder / "x.py").write_text("from .clusters import _view, clusters\nfrom ..build._network import Network\n"
                                 "from ._groups import join_groups\nfrom .._arrow import isin\n")
    found = _private_imports(folder / "x.py", tmp_path)
    assert found == [("private name _view", "linkage.analyse.clusters"), ("private module", "linkage.build._network")]


@pytest.mark.parametrize("folder", CHECKED)
def test_no_private_imports_across_modules(folder):
    offending = []
    for path in sorted((SOURCE / folder).rglob("*.py")):
        where = path.relative_to(SOURCE).as_posix()
        for what, target in _private_imports(path):
            if (where, target) not in KNOWN:
                offending.append(f"{where}: {what} from {target}")
    assert offending == []


def test_ruff_is_clean():
    """The linter .ci/run runs before the tests (rules in pyproject.toml), so a full test run catches what CI would."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is not installed: run .venv/bin/pip install -e '.[test]'"
    found = subprocess.run([ruff, "check", "--no-cache", "--output-format", "concise", "src", "tests", "bench"],
                           cwd=REPO, capture_output=True, text=True)
    assert found.returncode == 0, found.stdout + found.stderr
