"""Benchmark: the graph exports (GraphML, GEXF, ANX) of a world's network, at the job's edge cap (issue 17).

Target: the exports of the large world in at most 8 s. One process reads,
resolves and builds the world's network and ranks its clusters, as a job does
(not timed here), then times each step of ``write_graph_exports`` on its own,
wall clock (``time.perf_counter``) and CPU (``time.process_time``):

- ``scope``: ``export_network`` (the top clusters within ``exports.max_edges``,
  made XML-safe);
- ``graph.graphml`` and ``graph.gexf``, each written alone, by the streamed
  writers and by networkx (``to_networkx`` then networkx's writers: the path
  before issue 17), alternating old and new ``--repeat`` times so both see the
  same load; ``both`` writes the two files together, as the job does;
- ``graph.anx``.

The byte-identity of the two paths is checked on every round.

    python bench/exports.py [--scale large] [--seed 0] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import machine, run_measured, world

STEP = """
import hashlib, json, sys, tempfile, time
from pathlib import Path
from linkage.analyse.clusters import clusters
from linkage.build import build_network
from linkage.config import load_config
from linkage.read import load_dataset
from linkage.render import write_anx
from linkage.render.exports import export_network, write_graphml_gexf
from linkage.resolve import resolve_people

config = load_config(sys.argv[2])
repeat = int(sys.argv[3])
tick = time.perf_counter()
dataset = load_dataset(sys.argv[1], config)
network = build_network(dataset, resolve_people(dataset["people"]).entities, config)
_, members = clusters(network, seed=0)
del dataset
prepare = time.perf_counter() - tick


def timed(work):
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, {"wall": round(time.perf_counter() - wall, 2), "cpu": round(time.process_time() - cpu, 2)}


def digest(paths):
    return {name: hashlib.sha256(Path(path).read_bytes()).hexdigest() for name, path in paths.items()}


rounds = []
with tempfile.TemporaryDirectory() as folder:
    folder = Path(folder)
    (scoped, safe), scope = timed(lambda: export_network(network, members=members, options=config.exports))
    for index in range(repeat):
        times = {"scope": scope} if index == 0 else {}
        order = ("networkx", "streamed") if index % 2 == 0 else ("streamed", "networkx")
        digests = {}
        for path in order:
            streamed = path == "streamed"
            for files in (("graph.graphml",), ("graph.gexf",), ("graph.graphml", "graph.gexf")):
                label = f"{path} {'both' if len(files) == 2 else files[0]}"
                written, times[label] = timed(lambda: write_graphml_gexf(safe, folder / path, streamed=streamed, files=files))
            digests[path] = digest(written)
        if digests["networkx"] != digests["streamed"]:
            raise SystemExit("the streamed GraphML/GEXF differ from networkx's")
        _, times["graph.anx"] = timed(lambda: write_anx(scoped, folder / "graph.anx"))
        rounds.append(times)
print(json.dumps({"prepare_seconds": round(prepare, 1), "people": int(len(network.people)),
                  "edges": int(len(network.edges)), "exported_edges": int(len(safe.edges)),
                  "exported_nodes": int(sum(len(getattr(safe, t)) for t in ("people", "places", "episodes", "operations", "identifiers"))),
                  "rounds": rounds}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large", choices=["small", "medium", "large"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=2, help="rounds of old and new, alternating which goes first")
    args = parser.parse_args()
    folder = world(args.scale, args.seed)
    config = Path(__file__).resolve().parents[1] / "configs" / "demo.yaml"
    result = run_measured(STEP, str(folder), str(config), str(args.repeat))
    result["scale"] = args.scale
    result["machine"] = machine()
    print(json.dumps(result, indent=2))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"exports-{args.scale}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
