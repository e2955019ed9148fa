"""Time ``linkage placement-check`` and ``linkage brief`` on a finished job folder (issue 16: at most 2 s on the demo).

Each tool is timed twice over: as a command (a fresh ``python -m linkage.cli``
process, the wall time an officer waits, Python's start and imports included)
and inside one process, split into its steps (reading the job folder, working
the answer out, writing the pages). The child is the one with the most
missing episodes (the brief) and the looked-after child with the most
placements (the placement check, against every care setting within 20 km of
their last setting). Peak memory is the largest resident set of the command.

    linkage demo
    python bench/checks.py reports/demo --repeat 3
    linkage synth --scale large --seed 0 bench/data/large-seed0
    linkage run configs/demo.yaml --data bench/data/large-seed0 --out bench/data/large-job
    python bench/checks.py bench/data/large-job --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from linkage.checks import load_job, missing_brief, placement_check, write_brief, write_placement_check  # noqa: E402


def _children(job) -> tuple[str, str, str]:
    """(child for the brief, child for the placement check, the setting to search around)."""
    episodes = job.network.episodes.groupby("entity_id").size().sort_values(kind="stable")
    placements = job.network.placements.sort_values(["entity_id", "start_date"])
    counts = placements.groupby("entity_id").size().sort_values(kind="stable")
    placed = counts.index[-1]
    last = placements[placements["entity_id"] == placed]["location_id"].iloc[-1]
    return str(episodes.index[-1]), str(placed), str(last)


def _command(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident GiB of one ``linkage`` command in a fresh process."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "linkage.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"linkage {' '.join(args)} failed:\n{done.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("job", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--within", type=float, default=20.0)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here too")
    options = parser.parse_args()
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"linkage-bench-checks-{os.getpid()}"

    tick = time.perf_counter()
    job = load_job(options.job)
    read = time.perf_counter() - tick
    briefed, placed, around = _children(job)
    tick = time.perf_counter()
    check = placement_check(job, placed, near=around, within_km=options.within)
    checked = time.perf_counter() - tick
    tick = time.perf_counter()
    write_placement_check(check, scratch)
    check_written = time.perf_counter() - tick
    tick = time.perf_counter()
    brief = missing_brief(job, briefed)
    made = time.perf_counter() - tick
    tick = time.perf_counter()
    write_brief(brief, scratch)
    brief_written = time.perf_counter() - tick

    commands = {
        "placement-check": ["placement-check", str(options.job), "--child", placed, "--near", around,
                            "--within", str(options.within), "--out", str(scratch)],
        "brief": ["brief", str(options.job), "--child", briefed, "--out", str(scratch)],
    }
    timings = {name: [_command(args) for _ in range(options.repeat)] for name, args in commands.items()}
    result = {
        "job": str(options.job),
        "people": int(len(job.network.people)), "edges": int(len(job.network.edges)),
        "settings_checked": int(len(check.settings)),
        "library_seconds": {"read job folder": round(read, 3), "placement check": round(checked, 3),
                            "write placement check": round(check_written, 3), "brief": round(made, 3),
                            "write brief": round(brief_written, 3)},
        "command_seconds": {name: [round(s, 2) for s, _ in runs] for name, runs in timings.items()},
        "command_best_seconds": {name: round(min(s for s, _ in runs), 2) for name, runs in timings.items()},
        "peak_rss_gib": round(max(p for runs in timings.values() for _, p in runs), 2),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(result, indent=2))
    if options.out:
        options.out.parent.mkdir(parents=True, exist_ok=True)
        options.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for path in scratch.glob("*"):
        path.unlink()
    scratch.rmdir()


if __name__ == "__main__":
    main()
