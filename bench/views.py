"""Time to an interactive 5,000-node view in headless Chromium: linkage's view against pyvis's default.

The same graph (a seeded power-law cluster graph with typed nodes) is written
twice: by ``linkage.render.view_from_networkx`` (positions computed in Python,
physics off, everything inlined) and by pyvis with its defaults (physics on;
``cdn_resources="in_line"`` so vis-network itself is inlined; the page's
Bootstrap links fail at once because DNS is mapped to nothing).  Each page is
opened in headless Chromium; "interactive" is the moment the graph is drawn
and the main thread free: for linkage the first ``afterDrawing`` event, for
pyvis the end of physics stabilisation (its loading bar hides then, and the
graph cannot be used before).

    python bench/views.py --nodes 5000 --out bench/results/views.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def bench_graph(n: int, seed: int) -> nx.Graph:
    graph = nx.powerlaw_cluster_graph(n, 2, 0.1, seed=seed)
    rng = random.Random(seed)
    for node in graph.nodes:
        node_type = rng.choices(["person", "place", "episode", "operation"], [0.7, 0.15, 0.1, 0.05])[0]
        role = rng.choice(["victim", "perpetrator", "both", ""]) if node_type == "person" else ""
        graph.nodes[node].update(node_type=node_type, role=role, bcu=rng.choice(["West", "South", "East"]),
                                 label=f"{node_type} {node}")
    return graph


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,900", "--host-resolver-rules=MAP * ~NOTFOUND"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


def _kill(driver) -> None:
    """End chromedriver and the browser it started (a page still busy cannot be quit politely)."""
    import psutil

    try:
        root = psutil.Process(driver.service.process.pid)
        for process in root.children(recursive=True) + [root]:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
    except (psutil.NoSuchProcess, AttributeError):
        pass


def time_page(driver, path: Path, ready_js: str, timeout: float) -> float | None:
    """Milliseconds from navigation start until ``ready_js`` is true (None on timeout)."""
    driver.set_script_timeout(timeout)
    driver.set_page_load_timeout(timeout)
    driver.get(path.as_uri())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(ready_js)
        if value:
            return float(value)
        time.sleep(0.05)
    return None


LINKAGE_READY = "return window.linkageReady || null"
#: typed into linkage's search box once the page is interactive: a label, a near miss, nothing like any node
SEARCHES = ("person 17", "persn 1234", "zzqxj")
SEARCH_MS = "var t = performance.now(); linkageView.search(arguments[0]); return performance.now() - t"
PYVIS_READY = ("return (typeof network !== 'undefined' && network && network.physics && "
               "(network.physics.stabilized || !network.physics.physicsEnabled)) ? performance.now() : null")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for pyvis's physics")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--no-pyvis", action="store_true", help="time linkage's page only (pyvis's takes minutes)")
    args = parser.parse_args()

    from pyvis.network import Network as PyvisNetwork

    from linkage.render import view_from_networkx

    graph = bench_graph(args.nodes, args.seed)
    folder = Path(tempfile.mkdtemp(prefix="linkage-bench-views-"))
    tick = time.perf_counter()
    ours = folder / "linkage.html"
    ours.write_text(view_from_networkx(graph, title=f"{args.nodes} nodes", seed=args.seed), encoding="utf-8")
    write_seconds = time.perf_counter() - tick
    theirs = folder / "pyvis.html"
    net = PyvisNetwork(cdn_resources="in_line")
    net.from_nx(graph)
    net.write_html(str(theirs))

    driver = browser()
    try:
        linkage_ms = [time_page(driver, ours, LINKAGE_READY, 60) for _ in range(args.repeat)]
        search_ms = [driver.execute_script(SEARCH_MS, query) for query in SEARCHES for _ in range(args.repeat)]
    finally:
        driver.quit()
    if args.no_pyvis:
        shutil.rmtree(folder, ignore_errors=True)
        return _report(args, graph, write_seconds, linkage_ms, search_ms, "not run (--no-pyvis)")
    # pyvis's stabilisation blocks the page's main thread: a script call then waits for it, and the
    # webdriver client gives up after 120 s; that, too, means "not interactive yet"
    driver = browser()
    tick = time.perf_counter()
    try:
        pyvis_ms = time_page(driver, theirs, PYVIS_READY, args.timeout)
    except Exception as exc:  # a client read timeout while the page is busy
        pyvis_ms = None
        print(f"pyvis page still busy after {time.perf_counter() - tick:.0f} s ({type(exc).__name__})", file=sys.stderr)
    finally:
        _kill(driver)
        shutil.rmtree(folder, ignore_errors=True)
    waited = time.perf_counter() - tick
    _report(args, graph, write_seconds, linkage_ms, search_ms, round(pyvis_ms, 0) if pyvis_ms else f"> {waited * 1000:.0f}")


def _report(args, graph, write_seconds, linkage_ms, search_ms, pyvis) -> None:
    result = {
        "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
        "linkage_write_seconds": round(write_seconds, 2),
        "linkage_interactive_ms": [round(v, 0) if v else None for v in linkage_ms],
        "linkage_search_ms": [round(v, 0) for v in search_ms],
        "pyvis_default_interactive_ms": pyvis,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
    print(json.dumps(result))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
