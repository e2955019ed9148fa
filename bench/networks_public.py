"""Benchmark: linkage's key people and clusters on published networks of other shapes, against networkx (issue 13).

Each network (``bench/networks/``: networkx's bundled graphs, and the covert
networks whose files are in ``bench/data/networks/raw/``) is written as a
contract dataset the way a force would load it, in each of its shapes
(``contacts``: one phone per person, tie counts as calls; ``associations``;
``events``: two-mode co-membership), with no roles, and for the criminal
networks again with everyone a suspect. The library pipeline then runs on it
(read and validate, every record its own person, build, every analysis) and
the result is compared with networkx on the same ties:

- Spearman rank correlation of ``key_people.csv`` betweenness (and
  ``key_score``) with ``networkx.betweenness_centrality`` over everyone in the
  network (a person key_people leaves out counts as 0), unweighted and
  weighted (distance = 1 / weight);
- the row of each known central person in ``key_people.csv``, and their
  networkx rank;
- whether ``clusters.csv`` and ``key_people.csv`` are empty;
- how many of the input ties the analyses use (``person_ties``; none is cut
  unless a job sets ``min_contacts`` or ``min_weight``);
- modularity of ``clusters.csv`` (people in no cluster as communities of one)
  against networkx's Louvain and greedy modularity communities.

Prints a markdown table and writes ``bench/results/networks-public.json``.

    python bench/networks_public.py [--networks karate,caviar] [--raw DIR] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import machine
from networks import published


def _rho(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _known(result: dict) -> str:
    parts = []
    for person in result["known"]:
        row, worst = person["key_people_row"], person["key_people_row_without_id_order"]
        shown = "absent" if not row else f"#{row}" if worst == row else f"#{row}, tied to #{worst}"
        parts.append(f"{person['record_id']} {shown} (nx {person['networkx_rank']}/{person['networkx_weighted_rank']})")
    return "; ".join(parts) or "-"


def table(results: list[dict]) -> str:
    """The results as a markdown table."""
    head = ("| network | shape | roles | people | ties used / input | key_people rows | clusters | "
            "ρ betweenness vs nx | ρ vs nx weighted | ρ key_score vs nx weighted | "
            "known central: key_people row (nx rank unweighted/weighted) | modularity linkage / louvain / greedy |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        lines.append(
            f"| {r['network']} | {r['shape']} | {r['roles']} | {r['people']} | "
            f"{r['ties_used_by_analyses']} / {r['input_ties']} | {r['key_people_rows']} | {r['clusters_rows']} | "
            f"{_rho(r['spearman_betweenness_vs_networkx'])} | {_rho(r['spearman_betweenness_vs_networkx_weighted'])} | "
            f"{_rho(r['spearman_key_score_vs_networkx_weighted'])} | {_known(r)} | "
            f"{r['modularity_linkage_clusters']:.2f} / {r['modularity_networkx_louvain']:.2f} / "
            f"{r['modularity_networkx_greedy']:.2f} |")
    return "\n".join(lines)


def run(networks: list[published.PublicNetwork], *, seed: int = 0) -> list[dict]:
    results = []
    for network in networks:
        for shape in network.shapes:
            for roles in ("none", "suspect") if network.criminal else ("none",):
                with tempfile.TemporaryDirectory() as folder:
                    rows = published.write_dataset(network, folder, shape=shape, roles=roles)
                    tick = time.perf_counter()
                    tables = published.run_linkage(folder, seed=seed)
                    seconds = time.perf_counter() - tick
                result = published.compare(network, shape, tables, seed=seed)
                result.update(roles=roles, rows_written=rows, rejects=int(len(tables["rejects"])),
                              seconds=round(seconds, 2), notes=tables["notes"])
                results.append(result)
                print(f"{network.name} {shape} roles={roles}: {seconds:.1f} s", file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", help="comma-separated names (default: every network whose files are present)")
    parser.add_argument("--raw", type=Path, default=None, help="folder of the covert networks' files")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.networks:
        networks, skipped = [published.load(name, args.raw) for name in args.networks.split(",")], {}
    else:
        networks, skipped = published.available(args.raw)
    for name, why in skipped.items():
        print(f"skipped {name}: {why}", file=sys.stderr)
    results = run(networks, seed=args.seed)
    print(table(results))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    document = {"machine": machine(), "seed": args.seed, "skipped": skipped, "results": results,
                "sources": {n.name: {"title": n.title, "citation": n.citation} for n in networks}}
    (out / "networks-public.json").write_text(json.dumps(document, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
