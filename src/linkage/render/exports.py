"""Graph exports: GraphML and GEXF (Gephi and most network tools read them) and ANX (i2 Analyst's Notebook), written atomically."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd

from ..build import Network, to_networkx
from ..config import ExportOptions
from ..files import atomic_open, atomic_path
from ._gexf import GEXF_CREATOR, write_gexf_rows
from ._graph_rows import NotStreamable, graph_rows
from ._graphml import write_graphml_rows
from ._scope import export_scope
from ._xml import xml_safe_network
from .anx import write_anx

__all__ = ["write_graph_exports", "write_graphml_gexf", "export_network", "GRAPH_FILES", "MAX_EXPORT_EDGES", "ExportOptions", "export_scope"]

#: above this many edges the identifier-to-identifier contact edges are left
#: out of the exports (the person-level contact totals stay), with a note
MAX_EXPORT_EDGES = 2_000_000
#: the files ``write_graphml_gexf`` writes
GRAPH_FILES = ("graph.graphml", "graph.gexf")


def _atomic_graph_write(graph: nx.Graph, path: Path, writer) -> Path:
    with atomic_path(path) as temp:
        writer(graph, temp)
    return path


def _write_gexf(graph: nx.Graph, path: str) -> None:
    """``nx.write_gexf`` without the ``lastmodifieddate`` it stamps from the clock: the same job writes the same
    bytes on any day (the attribute is optional in GEXF; the manifest holds when the job ran). The creator is
    linkage, as when the streamed writer writes the file."""
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.xml.find("meta").attrib.pop("lastmodifieddate", None)
    writer.xml.find("meta/creator").text = GEXF_CREATOR
    writer.add_graph(graph)
    writer.write(path)


def write_graph_exports(network: Network, folder: str | Path, *, notes: list[str] | None = None,
                        members: pd.DataFrame | None = None, options: ExportOptions | None = None) -> dict[str, Path]:
    """``graph.graphml``, ``graph.gexf`` and ``graph.anx`` of the network (typed nodes and edges).

    Above ``MAX_EXPORT_EDGES`` the identifier-to-identifier contact edges are
    left out; above ``options.max_edges`` the exports carry the highest-ranked
    clusters (``members``: cluster_members.csv) only, with a note (``export_scope``).
    """
    scoped, safe = export_network(network, notes=notes, members=members, options=options)
    return {
        **write_graphml_gexf(safe, folder),
        "graph.anx": write_anx(scoped, Path(folder) / "graph.anx"),  # makes its own text XML-safe, the same way
    }


def export_network(network: Network, *, notes: list[str] | None = None, members: pd.DataFrame | None = None,
                   options: ExportOptions | None = None) -> tuple[Network, Network]:
    """The part of ``network`` the graph exports carry (see ``write_graph_exports``), and the same made XML-safe
    (``xml_safe_network``); what was left out or escaped is noted in ``notes``."""
    options = options or ExportOptions()
    edge_types = None
    if len(network.edges) > MAX_EXPORT_EDGES:
        kept = network.edges["edge_type"] != "contact"
        # the distinct types first (a set of millions of Arrow strings makes a Python string of each)
        edge_types = tuple(sorted(t for t in network.edges["edge_type"].unique() if t != "contact"))
        if notes is not None:
            notes.append(
                f"the network has {len(network.edges):,} edges: graph exports leave out the contact edges "
                f"({int((~kept).sum()):,}) to stay usable in Gephi and i2; contacts.csv-level totals are in the analyses"
            )
    scoped, note = export_scope(network, max_edges=options.max_edges, members=members, edge_types=edge_types)
    if note and notes is not None:
        notes.append(note)
    safe, escaped = xml_safe_network(scoped)
    if escaped and notes is not None:
        notes.append(
            f"{escaped:,} value(s) in the network hold characters XML cannot (control characters, U+FFFE/U+FFFF, "
            "lone surrogates): the graph exports show each as an escape such as \\x01; the CSVs keep the value as read"
        )
    return scoped, safe


def write_graphml_gexf(network: Network, folder: str | Path, *, streamed: bool = True,
                       files: tuple[str, ...] = GRAPH_FILES) -> dict[str, Path]:
    """``graph.graphml`` and ``graph.gexf`` (or those of ``files``) of an XML-safe network: streamed from its
    columns, byte for byte what networkx writes of ``to_networkx(network)``; networkx writes them where the
    columns cannot (``NotStreamable``), or when ``streamed`` is False (the benchmark and the tests compare the two)."""
    paths = {name: Path(folder) / name for name in GRAPH_FILES if name in files}
    try:
        rows = graph_rows(network) if streamed else None
    except NotStreamable:
        rows = None
    if rows is None:
        graph = to_networkx(network)
        writers = {"graph.graphml": nx.write_graphml, "graph.gexf": _write_gexf}
        return {name: _atomic_graph_write(graph, path, writers[name]) for name, path in paths.items()}
    writers = {"graph.graphml": write_graphml_rows, "graph.gexf": write_gexf_rows}
    for name, path in paths.items():
        with atomic_open(path, binary=True) as stream:
            writers[name](rows, stream)
    return paths
