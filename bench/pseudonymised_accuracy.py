"""Benchmark: how much linkage accuracy survives pseudonymisation, with and without Bloom-encoded names.

Makes (or reuses) a synthetic world, then resolves its people three ways and
scores each against the world's truth with ``linkage.resolve.evaluate_entities``:

- ``clear``: the world as generated;
- ``hmac``: ``pseudonymise_dataset`` (names, ids, identifiers as keyed HMAC
  pseudonyms, postcodes cut to their sector);
- ``bloom``: the same with ``bloom_names=True`` (names as keyed CLK Bloom
  filters, compared by Dice similarity);
- optionally ``--coarse-dob month|year`` adds a fourth run with the date of
  birth coarsened as well.

The truth's record ids are mapped through the same HMAC as the records, so
the pseudonymised runs are scored on exactly the same records.  The key is a
fresh random one per run and is never written.

    python bench/pseudonymised_accuracy.py --scale medium --seed 0 --work /tmp/pseudo-bench

Results go to stdout (a Markdown table) and to bench/results/pseudonymised-<scale>.json.
The mapped truth is written beside the worlds, so that a run can be repeated
by hand with the CLI (the key of that run is gone, so only with its output):

    linkage resolve /tmp/pseudo-bench/medium-seed0-bloom --out /tmp/r
    linkage evaluate /tmp/r/entities.csv /tmp/pseudo-bench/medium-seed0-truth-pseudonymised.csv
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
from pathlib import Path

import pandas as pd

from linkage.config import JobConfig
from linkage.pseudonymise import Pseudonymiser, check_key, pseudonymise_dataset
from linkage.read import load_dataset
from linkage.resolve import ResolveSettings, evaluate_entities, resolve_people

HERE = Path(__file__).resolve().parent


def _score(folder: Path, truth: pd.Series) -> dict:
    tick = time.perf_counter()
    people = load_dataset(folder, JobConfig())["people"]
    result = resolve_people(people, ResolveSettings())
    seconds = time.perf_counter() - tick
    predicted = result.entities.set_index("record_id")["entity_id"]
    common = predicted.index.intersection(truth.index)
    scores = evaluate_entities(predicted.loc[common], truth.loc[common])
    scores["seconds"] = round(seconds, 1)
    scores["review_pairs"] = result.stats["review_pairs"]
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["small", "medium", "large"], default="medium")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/linkage-pseudonymised-bench"))
    parser.add_argument("--coarse-dob", choices=["month", "year"], default=None)
    args = parser.parse_args()

    world = args.work / f"{args.scale}-seed{args.seed}"
    if not (world / "people.csv").is_file():
        from linkage.synth import generate_world

        generate_world(world, scale=args.scale, seed=args.seed)
    truth = pd.read_csv(world / "truth" / "records.csv", dtype=str, keep_default_na=False).set_index("record_id")["person_id"]
    key = check_key(secrets.token_hex(32), "a random benchmark key")
    mapped_truth = truth.copy()
    mapped_truth.index = Pseudonymiser(key).ids(pd.Series(truth.index, dtype="str")).to_numpy()

    # the mapped truth, so that `linkage resolve` + `linkage evaluate` can repeat any run by hand
    truth_file = args.work / f"{args.scale}-seed{args.seed}-truth-pseudonymised.csv"
    pd.DataFrame({"record_id": mapped_truth.index, "person_id": mapped_truth.to_numpy()}).to_csv(truth_file, index=False)

    runs = {"clear": (world, truth)}
    variants = {"hmac": {}, "bloom": {"bloom_names": True}}
    if args.coarse_dob:
        variants[f"bloom, dob {args.coarse_dob}"] = {"bloom_names": True, "dob": args.coarse_dob}
    timings = {}
    for name, options in variants.items():
        out = args.work / f"{args.scale}-seed{args.seed}-{name.replace(', ', '-').replace(' ', '-')}"
        tick = time.perf_counter()
        pseudonymise_dataset(world, out, key, overwrite=True, **options)
        timings[name] = round(time.perf_counter() - tick, 1)
        runs[name] = (out, mapped_truth)

    results = {}
    for name, (folder, labels) in runs.items():
        print(f"resolving {name} ...", file=sys.stderr)
        results[name] = _score(folder, labels)
        if name in timings:
            results[name]["pseudonymise_seconds"] = timings[name]

    keys = ("pairwise_precision", "pairwise_recall", "pairwise_f1", "bcubed_precision", "bcubed_recall", "bcubed_f1")
    print(f"| names | {' | '.join(keys)} | entities (true) | review pairs |")
    print("|---" * (len(keys) + 3) + "|")
    for name, scores in results.items():
        cells = " | ".join(f"{scores[k]:.4f}" for k in keys)
        print(f"| {name} | {cells} | {scores['predicted_entities']:,} ({scores['true_entities']:,}) | {scores['review_pairs']:,} |")
    out = HERE / "results" / f"pseudonymised-{args.scale}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"scale": args.scale, "seed": args.seed, "results": results}, indent=2) + "\n")
    print(f"written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
