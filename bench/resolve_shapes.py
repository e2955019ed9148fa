"""Benchmark: resolution on people data of other shapes, linkage (no config) and Splink (team config) side by side.

For each shape (``bench/shapes.py``: FEBRL 1-4, Splink's example data when
present, generated variants of the synthetic world) and in one run:

* linkage: ``linkage resolve SHAPE --out DIR`` with NO config, in a fresh
  process (the click command called in that process, so its peak RSS is its
  own), then DIR/entities.csv scored as ``linkage evaluate`` scores it;
* Splink 5 (DuckDB) with the config an analyst would write for the shape
  (``bench/splink_shapes.py``), in a fresh process.

Reported per tool: pairwise precision, recall and F1, time, peak memory and
blocking recall (the share of true pairs the blocking rules ever put up for
comparison).  linkage's candidate pairs are caught where ``resolve_people``
gets them from ``block_pairs`` (the call whose size matches the run's
``candidate_pairs``); Splink's are every pair ``predict()`` scores without a
threshold, counted after the timed part.  Both are scored over every record
of the truth: a record a tool left without an entity (linkage rejects a row
whose dob is impossible) counts as alone, and ``records_without_entity`` says
how many.  Time is each tool's whole job from
reading people.csv to entities (linkage's includes validating the contract and
writing its outputs); imports are not timed.

    python bench/resolve_shapes.py [--shapes febrl1,synth_us] [--only linkage|splink] [--repeat 3]

Prints a Markdown table and writes bench/results/resolve-shapes.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import BENCH_DATA, RUN_SCRIPT, machine, run_measured  # noqa: E402
from shapes import SHAPES, ShapeUnavailable, build_shape, read_shape  # noqa: E402

RUNS = BENCH_DATA / "runs"

LINKAGE_STEP = r"""
import json, resource, sys, time
from pathlib import Path
import numpy as np
import pandas as pd
import linkage.resolve as api
import linkage.resolve._resolve as internals
from linkage.cli import cli

bench, folder, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
calls, resolutions = [], []
block_pairs, resolve_people = internals.block_pairs, api.resolve_people

def spy_block_pairs(records, rules, **options):
    pairs = block_pairs(records, rules, **options)
    calls.append((records.record_id, pairs.left, pairs.right))
    return pairs

def spy_resolve_people(*args, **kwargs):
    tick = time.perf_counter()
    result = resolve_people(*args, **kwargs)
    resolutions.append((result, time.perf_counter() - tick))
    return result

internals.block_pairs, api.resolve_people = spy_block_pairs, spy_resolve_people
error = None
started = time.perf_counter()
try:
    cli.main(["resolve", str(folder), "--out", str(out)], standalone_mode=False)
except BaseException as exc:  # a user error, a crash: report it and go on with the next shape
    error = f"{type(exc).__name__}: {exc}"
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024

sys.path.insert(0, str(bench))
from shapes import read_shape, read_truth, score_entities
meta, truth = read_shape(folder), read_truth(folder)
result = {"tool": "linkage", "job_seconds": round(seconds, 2), "self_peak_rss_gib": round(peak, 3), "error": error}
if resolutions:
    resolution, resolve_seconds = resolutions[-1]
    result.update(resolve_seconds=round(resolve_seconds, 2), stats=resolution.stats, notes=resolution.notes,
                  blocking_rules=resolution.blocking["rule"].tolist() if "rule" in resolution.blocking else None)
if calls:
    wanted = result.get("stats", {}).get("candidate_pairs")
    matching = [call for call in calls if len(call[1]) == wanted]
    record_id, left, right = (matching or calls)[-1]
    codes, _ = pd.factorize(truth.reindex(np.asarray(record_id, dtype=object)).to_numpy())
    found = int(((codes[left] == codes[right]) & (codes[left] >= 0)).sum())
    result.update(candidate_pairs=int(len(left)), true_pairs_blocked=found,
                  blocking_recall=round(found / meta["true_pairs"], 6) if meta["true_pairs"] else None,
                  blocking_pairs_from="the block_pairs call resolve_people scored" if matching else
                  "the last block_pairs call (none matched stats['candidate_pairs'])")
else:
    result["blocking_recall"] = None
    result["blocking_pairs_from"] = "not caught: resolve no longer calls linkage.resolve._resolve.block_pairs"
if (out / "entities.csv").is_file() and error is None:
    # what linkage evaluate reads; scored over every record of the truth
    entities = pd.read_csv(out / "entities.csv", dtype=str, keep_default_na=False)
    result.update(score_entities(entities.set_index("record_id")["entity_id"], truth))
if (out / "rejects.csv").is_file():
    result["rejects"] = int(len(pd.read_csv(out / "rejects.csv", dtype=str)))
print(json.dumps(result, default=str))
"""

COLUMNS = (
    ("precision", "pairwise_precision", "{:.3f}"),
    ("recall", "pairwise_recall", "{:.3f}"),
    ("F1", "pairwise_f1", "{:.3f}"),
    ("blocking recall", "blocking_recall", "{:.3f}"),
    ("time s", "seconds", "{}"),
    ("peak GiB", "peak_rss_gib", "{:.2f}"),
    ("no entity", "records_without_entity", "{:,}"),
)


def run_tool(tool: str, folder: Path, seed: int) -> dict:
    """One run of ``tool`` on a shape folder, in a fresh process; a failure is returned as ``error``."""
    load_before = os.getloadavg()[0]
    try:
        if tool == "linkage":
            out = RUNS / folder.name / "linkage"
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            result = run_measured(LINKAGE_STEP, str(HERE), str(folder), str(out), own_peak=True)
        else:
            result = run_measured(RUN_SCRIPT, str(HERE / "splink_shapes.py"), str(folder), str(seed), own_peak=True)
    except SystemExit as exc:  # run_measured's way of saying the process failed
        return {"tool": tool, "error": str(exc).strip().splitlines()[-1] if str(exc).strip() else "failed"}
    # run_measured adds the whole process's wall time and the largest peak of any child so far;
    # the child's own job time and peak (getrusage of its own process) are the ones reported
    result["process_seconds"] = result.pop("seconds")
    result["children_peak_rss_gib"] = result.pop("peak_rss_gib")
    result["seconds"] = result.pop("job_seconds")
    result["peak_rss_gib"] = result.pop("self_peak_rss_gib")
    result["load_average_1min"] = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}
    return result


def summarise(runs: list[dict]) -> dict:
    """The first run's scores with the time of every run (median shown) and the largest peak."""
    summary = dict(runs[0])
    times = [r["seconds"] for r in runs if isinstance(r.get("seconds"), (int, float))]
    if times:
        summary["seconds_runs"] = times
        summary["seconds"] = round(statistics.median(times), 2)
    peaks = [r["peak_rss_gib"] for r in runs if isinstance(r.get("peak_rss_gib"), (int, float))]
    if peaks:
        summary["peak_rss_gib"] = max(peaks)
    f1s = {r.get("pairwise_f1") for r in runs}
    if len(f1s) > 1:
        summary["pairwise_f1_runs"] = [r.get("pairwise_f1") for r in runs]
    return summary


def _cell(result: dict, key: str, fmt: str) -> str:
    value = result.get(key)
    if value is None:
        return "-"
    if key == "seconds" and len(result.get("seconds_runs", [])) > 1:
        runs = result["seconds_runs"]
        return f"{value:.1f} ({min(runs):.1f}-{max(runs):.1f})"
    if key == "seconds":
        return f"{value:.1f}"
    return fmt.format(value)


def table(shapes: dict[str, dict]) -> str:
    head = ["shape", "records", "true pairs", "tool"] + [title for title, _, _ in COLUMNS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, entry in shapes.items():
        for tool, result in entry["results"].items():
            cells = [name, f"{entry['records']:,}", f"{entry['true_pairs']:,}", tool]
            if result.get("error") and result.get("pairwise_f1") is None:
                cells += [f"failed: {result['error'][:80]}"] + [""] * (len(COLUMNS) - 1)
            else:
                cells += [_cell(result, key, fmt) for _, key, fmt in COLUMNS]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default=",".join(SHAPES), help=f"comma-separated, of: {', '.join(SHAPES)}")
    parser.add_argument("--only", choices=["linkage", "splink", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each tool per shape (time: median; memory: largest)")
    parser.add_argument("--seed", type=int, default=0, help="seed of Splink's u sampling")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the shape folders in bench/data/shapes/")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "resolve-shapes.json")
    args = parser.parse_args()
    names = [n.strip() for n in args.shapes.split(",") if n.strip()]
    unknown = [n for n in names if n not in SHAPES]
    if unknown:
        parser.error(f"unknown shape(s) {', '.join(unknown)}; the shapes are {', '.join(SHAPES)}")
    tools = ["linkage", "splink"] if args.only == "both" else [args.only]

    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    shapes: dict[str, dict] = {}
    unavailable: dict[str, str] = {}
    for name in names:
        try:
            folder = build_shape(name, rebuild=args.rebuild)
        except ShapeUnavailable as exc:
            unavailable[name] = str(exc)
            print(f"{name}: unavailable: {exc}", file=sys.stderr, flush=True)
            continue
        meta = read_shape(folder)
        entry = {**{k: meta[k] for k in ("description", "records", "persons", "true_pairs", "sources", "columns", "link_type")},
                 "folder": str(folder), "results": {}}
        for tool in tools:
            runs = []
            for attempt in range(args.repeat):
                print(f"{name}: {tool} (run {attempt + 1} of {args.repeat}) ...", file=sys.stderr, flush=True)
                runs.append(run_tool(tool, folder, args.seed))
            summary = summarise(runs)
            entry["results"][tool] = summary
            shown = "failed: " + summary["error"] if summary.get("pairwise_f1") is None else (
                f"F1 {summary['pairwise_f1']:.3f}, blocking recall {summary.get('blocking_recall')}, "
                f"{summary.get('seconds')} s, {summary.get('peak_rss_gib')} GiB")
            print(f"  {tool}: {shown}", file=sys.stderr, flush=True)
        shapes[name] = entry

    print(table(shapes))
    for name, reason in unavailable.items():
        print(f"\n{name}: not run: {reason}")
    record = {
        "command": "python bench/resolve_shapes.py " + " ".join(sys.argv[1:]),
        "started": started,
        "machine": machine(),
        "splink_threshold": __import__("splink_shapes").THRESHOLD,
        "shapes": shapes,
        "unavailable": unavailable,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2, default=str) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
