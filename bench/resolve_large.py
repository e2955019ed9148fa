"""Benchmark: resolve the synthetic world's people end to end, linkage and Splink side by side.

Target (issue): the large world (~1M person records) resolves in under 3 minutes
with peak memory under 6 GiB on 2 cores.  Splink (DuckDB backend, the ``bench``
extra) runs on the same people.csv with comparable comparisons and blocking
(see bench/splink_job.py); both are scored by ``linkage.resolve.evaluate_entities``
against the world's truth.

    python bench/resolve_large.py [--scale small|medium|large] [--seed 0] [--only linkage|splink|both]

Each tool runs in its own fresh process (``measure.run_measured``), so its
peak RSS is its own; the result goes to bench/results/resolve-<scale>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import RUN_SCRIPT, machine, run_measured, world  # noqa: E402

LINKAGE_STEP = """
import json, resource, sys, time
import pandas as pd
from linkage.read import load_dataset
from linkage.resolve import evaluate_entities, resolve_people
import tempfile, os
folder = sys.argv[1]
started = time.perf_counter()
# like for like with Splink, which reads only people.csv: read and validate only the people table
only_people = tempfile.mkdtemp()
os.symlink(os.path.abspath(f"{folder}/people.csv"), f"{only_people}/people.csv")
dataset = load_dataset(only_people)
people = dataset["people"]
load_seconds = time.perf_counter() - started
tick = time.perf_counter()
resolution = resolve_people(people)
resolve_seconds = time.perf_counter() - tick
total_seconds = time.perf_counter() - started
resolve_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
pred = resolution.entities.set_index("record_id")["entity_id"]
truth = pd.read_csv(f"{folder}/truth/records.csv", dtype=str, keep_default_na=False).set_index("record_id")["person_id"]
scores = evaluate_entities(pred, truth.reindex(pred.index))
import linkage
print(json.dumps({
    "tool": "linkage",
    "version": getattr(linkage, "__version__", "0.1.0"),
    "records": int(len(people)),
    "rejected": dataset.n_rejected,
    "load_seconds": round(load_seconds, 2),
    "resolve_seconds": round(resolve_seconds, 2),
    "total_seconds": round(total_seconds, 2),
    "resolve_peak_rss_gib": round(resolve_peak / 1024 / 1024, 3),
    "self_peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024, 3),
    "stage_seconds": resolution.stats["seconds"],
    "candidate_pairs": resolution.stats["candidate_pairs"],
    "linked_pairs": resolution.stats["linked_pairs"],
    "review_pairs": resolution.stats["review_pairs"],
    "refused_links": resolution.stats["refused_links"],
    "notes": resolution.notes,
    "settings": "defaults (linkage.resolve.ResolveSettings())",
    **scores,
}))
"""

COLUMNS = (
    ("tool", "tool", "{}"),
    ("resolve s", "resolve_seconds", "{:.1f}"),
    ("total s", "total_seconds", "{:.1f}"),
    ("peak RSS GiB", "peak_rss_gib", "{:.2f}"),
    ("precision", "pairwise_precision", "{:.4f}"),
    ("recall", "pairwise_recall", "{:.4f}"),
    ("F1", "pairwise_f1", "{:.4f}"),
    ("B-cubed F1", "bcubed_f1", "{:.4f}"),
    ("candidate pairs", "candidate_pairs", "{:,}"),
)


def table(results: list[dict]) -> str:
    rows = [[title for title, _, _ in COLUMNS]]
    for result in results:
        row = []
        for _, key, fmt in COLUMNS:
            value = result.get(key)
            row.append("-" if value is None else fmt.format(value))
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def measure(tool: str, code: str, *args: str) -> dict:
    print(f"running {tool} ...", file=sys.stderr, flush=True)
    load_before = os.getloadavg()[0]
    result = run_measured(code, *args)
    # other work on the machine slows both tools; the 1-minute load average says how busy it was
    result["load_average_1min"] = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}
    # run_measured's peak is the largest of any child so far (RUSAGE_CHILDREN), so a second
    # tool would inherit the first one's peak if lower; each child also reports its own.
    result["children_peak_rss_gib"] = result.pop("peak_rss_gib")
    result["peak_rss_gib"] = result.get("self_peak_rss_gib", result["children_peak_rss_gib"])
    if result["peak_rss_gib"] != result["children_peak_rss_gib"]:
        print(f"  ({tool}'s own peak RSS, from getrusage(RUSAGE_SELF) in its process, is the one reported)", file=sys.stderr)
    result["process_seconds"] = result.pop("seconds")  # wall time of the whole child process
    print(f"  {tool}: resolve {result['resolve_seconds']:.1f} s, peak {result['peak_rss_gib']:.2f} GiB, "
          f"F1 {result['pairwise_f1']:.4f}", file=sys.stderr, flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large", choices=["small", "medium", "large"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="both", choices=["linkage", "splink", "both"])
    args = parser.parse_args()
    folder = world(args.scale, args.seed)

    results = []
    if args.only in ("linkage", "both"):
        results.append(measure("linkage", LINKAGE_STEP, str(folder)))
    if args.only in ("splink", "both"):
        results.append(measure("splink", RUN_SCRIPT, str(HERE / "splink_job.py"), str(folder), str(args.seed)))

    print(table(results))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    path = out / f"resolve-{args.scale}.json"
    previous = json.loads(path.read_text()) if path.is_file() else {}
    by_tool = {r["tool"]: r for r in previous.get("results", [])} if previous.get("seed") == args.seed else {}
    by_tool.update({r["tool"]: r for r in results})  # --only keeps the other tool's last result
    record = {"scale": args.scale, "seed": args.seed, "world": str(folder), "results": list(by_tool.values()), "machine": machine()}
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
