"""Benchmark: build the network and run every analysis at large scale.

Target (issue 4): building plus all analyses in under 2 minutes and under
6 GiB on 2 cores. Reading and resolution run first in the same process, as
in a job, and are timed separately (they have their own benchmarks). Two
peaks are reported: the whole process's (``peak_rss_gib``, which includes
resolution) and the build-plus-analyses stage's own
(``build_plus_analyses_peak_rss_gib``: the kernel's high-water mark is reset
once resolution is done, so it counts the dataset and entities held in
memory plus everything the stage adds). As in a job, the dataset's tables
but the people are let go once the network is built (``Stage.release``), and
the analyses' own peak is read from a mark reset after that. The graph workers (the Leiden search
and the betweenness run in worker processes beside the other analyses,
``linkage.graph.background``) have their own peak,
``graph_workers_peak_rss_gib`` (each worker's high-water mark, sampled from
``/proc`` while it lives); ``analyses_with_workers_peak_rss_gib`` adds them
to the analyses' own peak, an upper bound of what the machine needs.

    python bench/network_large.py [--scale large] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import machine, run_measured, world

STEP = """
import gc, json, os, re, sys, tempfile, threading, time
from pathlib import Path
from linkage.config import load_config
from linkage.read import load_dataset
from linkage.resolve import resolve_people
from linkage.build import build_network
from linkage.job import STAGES, JobContext, JobState, run_analyses

def high_water(pid="self"):
    try:
        return int(re.search(r"VmHWM:\\s+(\\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))
    except (OSError, AttributeError):
        return 0

# the graph workers' own peaks, sampled from /proc while they live: a spawned child's ru_maxrss starts
# from the parent's size at the fork (Linux carries the old high-water mark over the exec), so
# RUSAGE_CHILDREN would count the parent's memory again
workers = {}
done = threading.Event()
def watch():
    me = os.getpid()
    while not done.wait(0.25):
        for task in Path(f"/proc/{me}/task").iterdir():
            for pid in (task / "children").read_text().split():
                workers[pid] = max(workers.get(pid, 0), high_water(pid))
threading.Thread(target=watch, daemon=True).start()

config = load_config(sys.argv[2])
seconds = {}
tick = time.perf_counter(); dataset = load_dataset(sys.argv[1], config); seconds["read"] = time.perf_counter() - tick
tick = time.perf_counter(); resolution = resolve_people(dataset["people"]); seconds["resolve"] = time.perf_counter() - tick
entities = resolution.entities
del resolution
gc.collect()
# the stage's own peak: reset the kernel's high-water mark (VmHWM) now, read it after the build and after
# the analyses (reset again in between)
Path("/proc/self/clear_refs").write_text("5")
tick = time.perf_counter(); network = build_network(dataset, entities, config); seconds["build"] = time.perf_counter() - tick
build_peak_kib = high_water()
with tempfile.TemporaryDirectory() as folder:
    ctx = JobContext(config=config, folder=Path(folder), state=JobState(dataset=dataset, network=network))
    # as a job does after its build stage: let go of the dataset tables no later stage reads
    for stage in STAGES:
        if stage.name == "build" and stage.release is not None:
            stage.release(ctx)
    del dataset
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    tick = time.perf_counter(); run_analyses(ctx); seconds["analyses"] = time.perf_counter() - tick
    per_analysis = ctx.state.summary["analyses"]["seconds"]
analyses_peak_kib = high_water()
done.set()
seconds = {k: round(v, 1) for k, v in seconds.items()}
gib = lambda kib: round(kib / 2**20, 3)
print(json.dumps({"stage_seconds": seconds, "build_plus_analyses": round(seconds["build"] + seconds["analyses"], 1),
                  "per_analysis": per_analysis,
                  "build_plus_analyses_peak_rss_gib": gib(max(build_peak_kib, analyses_peak_kib)),
                  "build_peak_rss_gib": gib(build_peak_kib), "analyses_peak_rss_gib": gib(analyses_peak_kib),
                  "graph_workers_peak_rss_gib": {pid: gib(kib) for pid, kib in sorted(workers.items())},
                  "analyses_with_workers_peak_rss_gib": gib(analyses_peak_kib + sum(workers.values())),
                  "people": int(len(network.people)), "edges": int(len(network.edges))}))
"""



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large", choices=["small", "medium", "large"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    folder = world(args.scale, args.seed)
    config = Path(__file__).resolve().parents[1] / "configs" / "demo.yaml"
    result = run_measured(STEP, str(folder), str(config))
    result["scale"] = args.scale
    result["machine"] = machine()
    print(json.dumps(result, indent=2))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"network-{args.scale}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
