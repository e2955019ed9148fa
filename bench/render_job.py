"""Benchmark: the render stage alone (every view page, the map and the report), on a finished job folder (issue 17).

Target (issue 17): the large world's pages and report in at most 15 s.  The
network comes from the job folder's ``network/*.parquet`` (``checks.load_job``)
and the analyses' tables from its CSVs, so no stage before render is rerun:

    python bench/render_job.py JOBDIR [--repeat 2] [--profile 30]

Each round writes into a new temporary folder and times ``write_views`` (the
overview, the cluster, child and business pages and the map) and
``write_report`` apart, wall clock and CPU; ``--profile N`` runs one more
round under cProfile and prints its N costliest functions (cumulative).  The
result goes to bench/results/render-<job folder name>.json.  (The tables read
back from CSV have CSV's types, so the pages are not byte for byte the job's
own; bench/job_large.py times the render stage inside the job.)
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import machine  # noqa: E402

from linkage.checks import load_job  # noqa: E402
from linkage.render import write_report, write_views  # noqa: E402


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The job folder's analysis tables (every top-level CSV but the resolution's), as the render stage gets them."""
    skip = {"entities.csv", "match_pairs.csv", "review_queue.csv", "blocking.csv", "rejects.csv"}
    return {path.name: pd.read_csv(path, keep_default_na=False, na_values=[""], low_memory=False)
            for path in sorted(folder.glob("*.csv")) if path.name not in skip}


def timed(work):
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, {"wall": round(time.perf_counter() - wall, 2), "cpu": round(time.process_time() - cpu, 2)}


def render_once(network, tables: dict, manifest: dict, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        pages, views = timed(lambda: write_views(network, out, tables=tables, seed=seed, title=manifest.get("job", "job")))
        _, report = timed(lambda: write_report(network, out, tables=tables, summary=manifest.get("summary", {}),
                                               notes=list(manifest.get("notes", [])), pages=pages,
                                               title=manifest.get("job", "job")))
        return {"views": views, "report": report, "pages": len(pages.outputs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("job", type=Path, help="a job folder written by linkage run")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="one more round under cProfile: top N")
    args = parser.parse_args()
    manifest = json.loads((args.job / "manifest.json").read_text())
    (job, load) = timed(lambda: load_job(args.job))
    tables = read_tables(args.job)
    seed = int(manifest.get("seed") or 0)
    rounds = [render_once(job.network, tables, manifest, seed) for _ in range(args.repeat)]
    result = {"job": str(args.job), "people": int(len(job.network.people)), "edges": int(len(job.network.edges)),
              "load": load, "rounds": rounds}
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        render_once(job.network, tables, manifest, seed)
        profile.disable()
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(args.profile)
        print(text.getvalue(), file=sys.stderr)
    result["machine"] = machine()
    print(json.dumps(result, indent=2))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"render-{args.job.name}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
