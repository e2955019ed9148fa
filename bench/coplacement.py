"""Benchmark: the co-placement join (children at one setting with overlapping dates).

linkage's sort-and-sweep (``linkage.build.co_placed_edges``) against DuckDB's
range join on the same placements, in one run, with a check that both find
the same pairs.

    python bench/coplacement.py [--scale large] [--seed 0]

DuckDB comes with the ``bench`` extra (``pip install -e ".[bench]"``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import machine, world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large", choices=["small", "medium", "large"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import duckdb

    from linkage.build import co_placed_edges
    from linkage.read import load_dataset

    folder = world(args.scale, args.seed)
    placements = load_dataset(folder).tables["placements"].copy()
    placements["entity_id"] = placements["record_id"]
    open_until = placements[["start_date", "end_date"]].max().max()
    print(f"{len(placements):,} placements at {placements['location_id'].nunique():,} settings", file=sys.stderr)

    def ours():
        return co_placed_edges(placements, open_until=open_until, min_overlap_days=1.0)

    frame = placements[["entity_id", "location_id", "start_date", "end_date"]].copy()
    frame["end_date"] = frame["end_date"].fillna(open_until)
    connection = duckdb.connect()
    connection.execute("SET threads TO 2")
    connection.register("p", frame)

    query = """
        SELECT least(a.entity_id, b.entity_id) AS source, greatest(a.entity_id, b.entity_id) AS target,
               a.location_id AS via,
               min(greatest(a.start_date, b.start_date)) AS start, max(least(a.end_date, b.end_date)) AS "end",
               sum(date_diff('second', greatest(a.start_date, b.start_date), least(a.end_date, b.end_date)) / 86400.0) AS weight
        FROM p a JOIN p b
          ON a.location_id = b.location_id
         AND a.start_date < b.end_date AND b.start_date < a.end_date
         AND a.entity_id < b.entity_id
        WHERE date_diff('second', greatest(a.start_date, b.start_date), least(a.end_date, b.end_date)) >= 86400
        GROUP BY 1, 2, 3
    """

    def theirs():
        return connection.execute(query).df()

    timings = {"linkage_sort_sweep": [], "duckdb_range_join": []}
    for _ in range(args.repeat):
        for name, function in (("linkage_sort_sweep", ours), ("duckdb_range_join", theirs)):
            tick = time.perf_counter()
            result = function()
            timings[name].append(time.perf_counter() - tick)
            if name == "linkage_sort_sweep":
                our_pairs = set(zip(result["source"], result["target"], result["via"]))
            else:
                their_pairs = set(zip(result["source"], result["target"], result["via"]))
    report = {
        "scale": args.scale,
        "placements": int(len(placements)),
        "pairs": len(our_pairs),
        "same_pairs": our_pairs == their_pairs,
        "best_seconds": {name: round(min(values), 3) for name, values in timings.items()},
        "duckdb": duckdb.__version__,
        "machine": machine(),
    }
    print(json.dumps(report, indent=2))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"coplacement-{args.scale}.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
