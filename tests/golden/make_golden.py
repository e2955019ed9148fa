"""Golden outputs: the sha256 of every file a job writes, recorded once and compared by the tests.

Two worlds:

- ``demo``: ``configs/demo.yaml`` on ``synthetic_data/demo`` (``tests/test_golden_outputs.py``, fast);
- ``medium``: ``configs/demo.yaml`` on ``linkage synth --scale medium --seed 1``
  (the same test file, marked ``slow``: ``pytest -m slow``).

Every output is hashed: each CSV, GraphML, GEXF and ANX file and every HTML
page. ``manifest.json`` is hashed with its volatile fields removed (wall-clock
times, durations, the Python and pandas versions, and paths, which depend on
where the job ran); everything else in it, including the sha256 of every
input and output, must match.

A change that alters outputs on purpose regenerates the goldens, and the
commit says why:

    python tests/golden/make_golden.py            # demo and medium
    python tests/golden/make_golden.py demo       # just one
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
DEMO_YAML = REPO_ROOT / "configs" / "demo.yaml"
#: the medium world: ``linkage synth --scale medium --seed MEDIUM_SEED``
MEDIUM_SEED = 1
WORLDS = ("demo", "medium")

#: manifest keys whose values change from run to run or machine to machine
VOLATILE_KEYS = frozenset({"started", "finished", "seconds_per_stage", "seconds", "python", "pandas"})
#: manifest keys that hold paths (where the config, data and geography were when the job ran)
PATH_KEYS = frozenset({"source", "data", "geography", "file"})

__all__ = ["WORLDS", "golden_path", "stable_manifest", "output_digests", "run_world", "record"]


def golden_path(world: str) -> Path:
    return GOLDEN / f"{world}.json"


def stable_manifest(value):
    """The manifest without its volatile fields (see ``VOLATILE_KEYS`` and ``PATH_KEYS``)."""
    if isinstance(value, dict):
        return {k: stable_manifest(v) for k, v in value.items()
                if k not in VOLATILE_KEYS and not (k in PATH_KEYS and _is_path(v))}
    if isinstance(value, list):
        return [stable_manifest(v) for v in value]
    return value


def _is_path(value) -> bool:
    return value is None or (isinstance(value, str) and ("/" in value or "\\" in value))


def output_digests(folder: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file in a job folder; the manifest's stable part for manifest.json."""
    digests = {}
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name == "manifest.json":
            stable = stable_manifest(json.loads(path.read_text(encoding="utf-8")))
            data = json.dumps(stable, sort_keys=True, ensure_ascii=False).encode("utf-8")
        else:
            data = path.read_bytes()
        digests[name] = hashlib.sha256(data).hexdigest()
    return digests


def run_world(world: str, root: Path) -> Path:
    """Run the job of ``world`` into ``root/job`` (the medium world is generated into ``root/data``)."""
    from linkage.config import load_config
    from linkage.job import run_job

    if world not in WORLDS:
        raise ValueError(f"unknown golden world {world!r}; the worlds are {', '.join(WORLDS)}")
    data = None
    if world == "medium":
        from linkage.synth import generate_world

        data = Path(root) / "data"
        generate_world(data, scale="medium", seed=MEDIUM_SEED)
    out = Path(root) / "job"
    run_job(load_config(DEMO_YAML), data=data, out=out)
    return out


def _commit() -> str:
    done = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else "unknown"


def record(world: str) -> Path:
    """Run ``world`` and write its golden file."""
    with tempfile.TemporaryDirectory() as root:
        digests = output_digests(run_world(world, Path(root)))
    path = golden_path(world)
    path.write_text(json.dumps({"world": world, "recorded_at_commit": _commit(), "files": digests}, indent=1,
                               sort_keys=True) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("worlds", nargs="*", help=f"any of {', '.join(WORLDS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.worlds) - set(WORLDS))
    if unknown:
        parser.error(f"unknown world(s) {', '.join(unknown)}; the worlds are {', '.join(WORLDS)}")
    for world in args.worlds or WORLDS:
        path = record(world)
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
        print(f"{world}: {len(files)} files -> {path.relative_to(REPO_ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
