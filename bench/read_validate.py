"""Benchmark: read and validate the large synthetic world (1M person records, 5M+ contacts).

Target (issue 2): under 60 s and under 3 GiB peak memory on 2 cores.

    python bench/read_validate.py [--scale large] [--seed 0]

The world is generated once into bench/data/ and reused; the read+validate
step runs in a fresh process so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import machine, run_measured, world

STEP = """
import json, sys, time
from linkage.config import load_config
from linkage.read import load_dataset
config = load_config(sys.argv[2])
tick = time.perf_counter()
dataset = load_dataset(sys.argv[1], config)
seconds = time.perf_counter() - tick
rows = {name: info.rows_read for name, info in dataset.files.items()}
print(json.dumps({"load_seconds": round(seconds, 2), "rows": rows, "rows_read": sum(rows.values()),
                  "rejected": dataset.n_rejected}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large", choices=["small", "medium", "large"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    folder = world(args.scale, args.seed)
    config = Path(__file__).resolve().parents[1] / "configs" / "demo.yaml"
    result = run_measured(STEP, str(folder), str(config))
    result["rows_per_second"] = int(result["rows_read"] / result["load_seconds"])
    result["scale"] = args.scale
    result["machine"] = machine()
    print(json.dumps(result, indent=2))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"read_validate-{args.scale}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
