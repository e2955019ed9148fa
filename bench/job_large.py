"""Benchmark: a whole job on a synthetic world, in a fresh process, stage by stage (issue 17).

Targets (issue 17): the large world (about 1M person records) in at most 120 s
wall and 4 GiB peak on this 2-core machine.  Each round runs

    linkage run configs/demo.yaml --data <world> --out <tmp>/run-<n>

in its own process (``run_job``, the function behind that command, with a
progress hook in place of the progress bar) and reports:

- the wall seconds of the whole process (start-up and imports included);
- each stage's seconds, from the job's own ``manifest.json``
  (``seconds_per_stage``: read, resolve, build, analyse, export, render);
- the peak RSS of the job's process and its CPU (user + system), from
  ``os.wait4`` (the kernel's rusage of that one child);
- the process's peak (``VmHWM``) and current (``VmRSS``) memory at the end of
  each stage, from ``/proc/self/status``: the peak of the first stage whose
  ``VmHWM`` reaches the process's peak is where the memory goes;
- the load average before and after (the machine's 2 cores are shared).

With ``--repeat 2`` or more it checks that every round wrote byte-identical
job folders: it lists the files that differ, comparing ``manifest.json``
without its timing fields (``started``, ``finished``, ``seconds_per_stage``
and every ``seconds`` in its summary), which hold the clock, not the output.

    python bench/job_large.py [--scale medium|large] [--seed 0] [--repeat 2] [--keep DIR]

The result goes to bench/results/job-<scale>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import machine, world  # noqa: E402

#: manifest.json keys that hold the clock rather than the output: left out of the identity check
TIMING_KEYS = frozenset({"started", "finished", "seconds_per_stage", "seconds"})


def without_timings(value):
    """``value`` (a manifest, or any part of it) without the ``TIMING_KEYS`` at any depth."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def _same_file(a: Path, b: Path) -> bool:
    if a.name == "manifest.json" and a.parent.name != "network":
        try:
            return without_timings(json.loads(a.read_text())) == without_timings(json.loads(b.read_text()))
        except (ValueError, UnicodeDecodeError):
            pass  # not JSON after all: compare the bytes
    if a.stat().st_size != b.stat().st_size:
        return False
    with a.open("rb") as fa, b.open("rb") as fb:
        while True:
            chunk = fa.read(1 << 20)
            if chunk != fb.read(1 << 20):
                return False
            if not chunk:
                return True


def folder_differences(first: str | Path, second: str | Path) -> list[str]:
    """The files (paths relative to the folders, sorted) that differ between two job folders.

    A file in one folder only is listed with `` (only in first)`` or `` (only
    in second)``; ``manifest.json`` is compared without its timing fields
    (``TIMING_KEYS``, at any depth), every other file byte for byte.
    """
    first, second = Path(first), Path(second)

    def files(root: Path) -> set[str]:
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}

    left, right = files(first), files(second)
    differ = [f"{name} (only in first)" for name in left - right]
    differ += [f"{name} (only in second)" for name in right - left]
    differ += [name for name in left & right if not _same_file(first / name, second / name)]
    return sorted(differ)


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


#: ``linkage run CONFIG --data DATA --out OUT`` with a progress hook noting the memory at each stage's end
JOB = """
import json, sys
from linkage.config import load_config
from linkage.job import run_job


def status():
    with open("/proc/self/status") as handle:
        fields = dict(line.split(":", 1) for line in handle if line.startswith(("VmHWM", "VmRSS")))
    return {k: round(int(v.split()[0]) / 1024 / 1024, 2) for k, v in fields.items()}


class StageMemory:
    def __init__(self):
        self.stages, self.last = {}, None

    def start(self, total):
        pass

    def step(self, label):  # called as each stage starts: the figures so far are the previous stage's
        if self.last is not None:
            self.stages[self.last] = status()
        self.last = label


memory = StageMemory()
config_path, data, out = sys.argv[1:4]
run_job(load_config(config_path), data=data, out=out, progress=memory)
memory.step(None)
print(json.dumps({name: {"peak_gib": m["VmHWM"], "rss_gib": m["VmRSS"]} for name, m in memory.stages.items()}))
"""


def run_once(config: Path, data: Path, out: Path) -> dict:
    """One whole job in a fresh process: wall, peak RSS and CPU of that process, the manifest's stage seconds,
    and the memory at each stage's end."""
    command = [sys.executable, "-c", JOB, str(config), str(data), str(out)]
    load_before = _loadavg()
    tick = time.perf_counter()
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
        output = process.stdout.read() if process.stdout else ""
        _, status, usage = os.wait4(process.pid, 0)  # the rusage of this one child: its peak RSS and CPU
        seconds = time.perf_counter() - tick
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"the job failed (linkage run {config} --data {data} --out {out}):\n{errors.read()}")
    memory = json.loads(output.strip().splitlines()[-1])
    manifest = json.loads((out / "manifest.json").read_text())
    stages = manifest.get("seconds_per_stage", {})
    return {
        "command": f"linkage run {config} --data {data} --out {out}",
        "seconds": round(seconds, 1),
        "stage_seconds": {k: round(v, 1) for k, v in stages.items()},
        "stages_total_seconds": round(sum(stages.values()), 1),
        "peak_rss_gib": round(usage.ru_maxrss / 1024 / 1024, 2),
        "cpu_user_seconds": round(usage.ru_utime, 1),
        "cpu_system_seconds": round(usage.ru_stime, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "load_before": load_before,
        "load_after": _loadavg(),
        "stage_memory_gib": memory,
        "analyses_seconds": manifest.get("summary", {}).get("analyses", {}).get("seconds", {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large", choices=["small", "medium", "large"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="rounds; from 2 on, the job folders are compared")
    parser.add_argument("--config", type=Path, default=HERE.parent / "configs" / "demo.yaml")
    parser.add_argument("--keep", type=Path, help="write the job folders here and keep them (default: a temporary folder)")
    parser.add_argument("--label", default="", help="added to the result file's name: job-<scale>[-<label>].json")
    args = parser.parse_args()
    data = world(args.scale, args.seed)
    root = Path(tempfile.mkdtemp(prefix="job-bench-")) if args.keep is None else args.keep
    root.mkdir(parents=True, exist_ok=True)
    rounds = []
    try:
        for index in range(args.repeat):
            out = root / f"run-{index + 1}"
            if out.exists():
                raise SystemExit(f"{out} exists: give --keep an empty folder")
            rounds.append(run_once(args.config, data, out))
            print(json.dumps(rounds[-1]), file=sys.stderr)
        result: dict = {"scale": args.scale, "seed": args.seed, "data": str(data), "rounds": rounds}
        if args.repeat > 1:
            differ = {f"run-{i + 1}": folder_differences(root / "run-1", root / f"run-{i + 1}")
                      for i in range(1, args.repeat)}
            result["identical"] = not any(differ.values())
            result["differing_files"] = differ
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    result["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    result["machine"] = machine()
    print(json.dumps(result, indent=2))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    name = f"job-{args.scale}{'-' + args.label if args.label else ''}.json"
    (out / name).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
