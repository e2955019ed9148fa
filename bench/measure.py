"""Shared benchmark plumbing: make a synthetic world once, time a step in a fresh process."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

BENCH_DATA = Path(__file__).resolve().parent / "data"


def world(scale: str, seed: int = 0) -> Path:
    """The synthetic world of ``scale``, generated once and reused by later runs."""
    folder = BENCH_DATA / f"{scale}-seed{seed}"
    if not (folder / "people.csv").is_file():
        from linkage.synth import generate_world

        tick = time.perf_counter()
        generate_world(folder, scale=scale, seed=seed)
        print(f"generated {scale} world in {time.perf_counter() - tick:.1f} s -> {folder}", file=sys.stderr)
    return folder


#: a step for run_measured that runs a script: ``run_measured(RUN_SCRIPT, "script.py", *its_arguments)``
RUN_SCRIPT = """
import runpy, sys
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_measured(code: str, *args: str, own_peak: bool = False) -> dict:
    """Run ``python -c code args`` in a fresh process; wall seconds, peak RSS and what it printed (JSON).

    The peak is the largest of any child so far (RUSAGE_CHILDREN); ``own_peak``
    says the step reports its own (getrusage of its own process), so no warning
    is due when a later child peaks lower than an earlier one.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    tick = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    seconds = time.perf_counter() - tick
    if done.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{done.stderr}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kib <= before and not own_peak:
        print("warning: peak RSS not above an earlier child's; run each benchmark in its own process", file=sys.stderr)
    result = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}
    result.update(seconds=round(seconds, 2), peak_rss_gib=round(peak_kib / 1024 / 1024, 3))
    return result


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }
