"""Published networks loaded into contract datasets the way a force would load them (issue 13).

Each network is a ``PublicNetwork``: its ties as an undirected networkx graph
(``weight`` = how many calls, meetings or scenes the pair shared; 1 for an
unweighted tie), the directed call records where the source has them, the
memberships of two-mode data (event -> people), names where the source gives
them, and the people the literature or the source names as central.

``write_dataset(network, folder, shape=..., roles=...)`` writes the contract
tables in one of three shapes, with no victim/perpetrator roles:

- ``"contacts"``: one phone per person (``identifiers.csv``), every tie a
  ``contacts.csv`` row whose ``count`` is the tie's weight (call records keep
  their direction);
- ``"associations"``: every tie an ``associations.csv`` row; the weight goes in
  an extra ``weight`` column (contract v1 has none; issue 13 adds one);
- ``"events"``: two-mode data, each event an ``events.csv`` row and each member
  an ``event_people.csv`` row with role ``associate``.

``roles="suspect"`` (criminal networks only) also writes one intelligence
record per person naming them as a suspect: everyone is a perpetrator, so roles
tell the analyses nothing about who matters. ``roles="none"`` writes no roles.

``run_linkage(folder)`` runs the library pipeline on a dataset folder (read and
validate, every record its own person, build, every analysis) and returns the
tables; ``reference_graph(network, shape)`` is the graph networkx is compared
on, and ``compare(...)`` the measures ``bench/networks_public.py`` reports and
the issue-13 tests assert.

The networkx-bundled graphs need no files. The covert networks are read from
``bench/data/networks/raw/`` (not in git: see ``bench/networks/README.md`` for
where each file comes from and its checksum).
"""

from __future__ import annotations

import csv
import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

__all__ = [
    "RAW",
    "PublicNetwork",
    "BUNDLED",
    "COVERT",
    "SHAPES",
    "ROLES",
    "load",
    "available",
    "write_dataset",
    "run_linkage",
    "reference_graph",
    "networkx_betweenness",
    "spearman",
    "compare",
]

RAW = Path(__file__).resolve().parents[1] / "data" / "networks" / "raw"
SHAPES = ("contacts", "associations", "events")
ROLES = ("none", "suspect")
#: events need a date in contract v1; two-mode data without dates get this one (issue 13 makes it optional)
PLACEHOLDER_DATE = "2024-01-01"


@dataclass
class PublicNetwork:
    """A published network: ties, names, known central people, where it came from."""

    name: str
    title: str
    citation: str
    #: undirected person-person ties, ``weight`` = shared calls / meetings / scenes (1 when unweighted)
    graph: nx.Graph
    #: the shapes it is loaded in (``SHAPES``)
    shapes: tuple[str, ...]
    #: criminal or covert (loaded with ``roles="suspect"`` too)
    criminal: bool = False
    #: directed call records (caller, called, count) when the source has them; else the graph's ties
    arcs: list[tuple[object, object, int]] | None = None
    #: two-mode data: event -> its members
    memberships: dict[str, list[object]] = field(default_factory=dict)
    #: node -> name, where the source gives names
    labels: dict[object, str] = field(default_factory=dict)
    #: node -> who they are, most central first (from the literature or the source's own notes, not from networkx)
    known: dict[object, str] = field(default_factory=dict)
    #: contacts.kind / associations.kind used for its ties
    contact_kind: str = "call"
    association_kind: str = "associate"
    #: prefix of record ids made from non-text node ids
    prefix: str = "P"

    def record_ids(self) -> dict[object, str]:
        """node -> ``record_id``: the node itself when it is a plain token, else prefix + position."""
        out = {}
        for position, node in enumerate(self.graph.nodes):
            text = str(node)
            plain = isinstance(node, str) and re.fullmatch(r"[A-Za-z0-9_.-]+", text)
            out[node] = text if plain else f"{self.prefix}{node if isinstance(node, int) else position}"
        if len(set(out.values())) != len(out):
            raise ValueError(f"{self.name}: record ids are not unique")
        return out


# ---------------------------------------------------------------------------------------------------------------
# networkx-bundled graphs (no files)


def _weighted(graph: nx.Graph) -> nx.Graph:
    out = nx.Graph()
    out.add_nodes_from(graph.nodes)
    out.add_edges_from((u, v, {"weight": int(d.get("weight", 1))}) for u, v, d in graph.edges(data=True))
    return out


def karate() -> PublicNetwork:
    graph = _weighted(nx.karate_club_graph())
    return PublicNetwork(
        "karate", "Zachary's karate club (interaction counts)",
        "W. W. Zachary (1977), An information flow model for conflict and fission in small groups, "
        "J. Anthropological Research 33(4); weights as in networkx.karate_club_graph.",
        graph, ("contacts", "associations"),
        known={0: "Mr Hi, the instructor", 33: "John A, the club officer"}, prefix="K")


def les_miserables() -> PublicNetwork:
    graph = _weighted(nx.les_miserables_graph())
    return PublicNetwork(
        "lesmis", "Les Miserables co-occurrence (scenes shared)",
        "D. E. Knuth (1993), The Stanford GraphBase; networkx.les_miserables_graph.",
        graph, ("contacts", "associations"), labels={n: n for n in graph.nodes},
        known={"Valjean": "Jean Valjean, the protagonist"}, contact_kind="sighting")


def florentine() -> PublicNetwork:
    graph = _weighted(nx.florentine_families_graph())
    return PublicNetwork(
        "florentine", "Florentine families (marriages, unweighted)",
        "J. F. Padgett and C. K. Ansell (1993), Robust action and the rise of the Medici, "
        "American J. Sociology 98(6); networkx.florentine_families_graph.",
        graph, ("contacts", "associations"), labels={n: n for n in graph.nodes},
        known={"Medici": "the Medici, who brokered between the other families"}, association_kind="family")


def davis() -> PublicNetwork:
    """Davis Southern Women: 18 women, 14 events. The ties are the projection, weight = events shared."""
    two_mode = nx.davis_southern_women_graph()
    women, events = two_mode.graph["top"], two_mode.graph["bottom"]
    graph = nx.bipartite.weighted_projected_graph(two_mode, women)
    graph.add_nodes_from(women)
    return PublicNetwork(
        "davis", "Davis Southern Women (18 women, 14 events)",
        "A. Davis, B. B. Gardner and M. R. Gardner (1941), Deep South; networkx.davis_southern_women_graph.",
        _weighted(graph), ("events",), memberships={e: sorted(two_mode[e]) for e in events},
        labels={w: w for w in women}, prefix="W")


# ---------------------------------------------------------------------------------------------------------------
# covert networks (files under RAW, obtained as bench/networks/README.md says)

#: file -> sha256 of the copy the baseline was measured on
CHECKSUMS = {
    "CAVIAR_FULL_Undirected.csv": "f7c3fcc2a3a91e967205f109b34987d658e9cd4a58782398c2eca591f81101cb",
    "Montagna_phonecalls_edgelist.csv": "55f303993ba2033401ea50b46e17513b09631a235bddf71ca93579f077582d3e",
    "Montagna_meetings_edgelist.csv": "248a7ef0a77be00f16ceb45e80ed8ea053fe963835206bf996940d0ad1b5d8a2",
    "terrorists.net": "73c8bf84be893d5753099862f84fd0a655da3093a2a0d4313c548f43c7e2356b",
    "terrorists_node_map.txt": "4dd8a00ed1e1d5416adf0755e14377b27f78e565bc64c82c4a790463f9ada362",
}


def _raw(name: str, folder: Path | None) -> Path:
    path = (folder or RAW) / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: bench/networks/README.md says where {name} comes from")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != CHECKSUMS[name]:
        raise ValueError(f"{path} has sha256 {digest}, not the {CHECKSUMS[name]} the baseline was measured on")
    return path


def _from_pairs(pairs: list[tuple[object, object, int]]) -> nx.Graph:
    graph = nx.Graph()
    for a, b, count in pairs:
        if a == b:
            continue
        weight = graph[a][b]["weight"] if graph.has_edge(a, b) else 0
        graph.add_edge(a, b, weight=weight + int(count))
    return graph


#: Montagna's people named by the roles table that accompanies the dataset, most senior first
MONTAGNA_KNOWN = {
    "N11": "boss of Cosa Nostra in Messina",
    "N47": "deputy boss, Batanesi family",
    "N18": "executive, Mistretta family",
    "N61": "executive, Mistretta family",
}


def caviar(folder: Path | None = None) -> PublicNetwork:
    """CAVIAR: wiretapped communications of a Montreal drug-importing network, 11 phases summed (110 people)."""
    path = _raw("CAVIAR_FULL_Undirected.csv", folder)
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    columns = rows[0][1:]
    pairs = []
    for row in rows[1:]:
        for column, value in zip(columns, row[1:]):
            if int(row[0]) < int(column) and int(value):
                pairs.append((f"N{row[0]}", f"N{column}", int(value)))
    graph = _from_pairs(pairs)
    graph.add_nodes_from(f"N{r[0]}" for r in rows[1:])
    return PublicNetwork(
        "caviar", "CAVIAR wiretap network (calls, 11 phases summed)",
        "C. Morselli (2009), Inside Criminal Networks, Springer, pp. 173-186; Montreal police and RCMP "
        "Project CAVIAR, 1994-1996; matrix as in ekAn97/Criminal_Network_Analysis data/CAVIAR_FULL_Undirected.csv.",
        graph, ("contacts", "associations"), criminal=True,
        known={"N1": "Daniel Serero, the leader", "N3": "lieutenant", "N12": "lieutenant",
               "N76": "lieutenant", "N87": "lieutenant"})


def montagna_phone(folder: Path | None = None) -> PublicNetwork:
    """Montagna phone calls: wiretapped calls between Sicilian Mafia suspects (directed, with counts)."""
    path = _raw("Montagna_phonecalls_edgelist.csv", folder)
    arcs = [(f"N{a}", f"N{b}", int(c)) for a, b, c in csv.reader(path.open(newline=""), delimiter="\t")]
    return PublicNetwork(
        "montagna_phone", "Montagna operation, phone calls (directed counts)",
        "L. Cavallaro et al. (2020), Disrupting resilient criminal networks through data analysis: the case of "
        "Sicilian Mafia, PLOS ONE 15(8) e0236476; dataset: Zenodo record 3938818; lcucav/criminal-nets.",
        _from_pairs(arcs), ("contacts", "associations"), criminal=True, arcs=arcs, known=dict(MONTAGNA_KNOWN))


def montagna_meetings(folder: Path | None = None) -> PublicNetwork:
    """Montagna meetings: how often two suspects were seen at the same summit (a weighted projection)."""
    path = _raw("Montagna_meetings_edgelist.csv", folder)
    rows = list(csv.reader(path.open(newline="")))[1:]
    graph = _from_pairs([(f"N{a}", f"N{b}", int(w)) for a, b, w in rows])
    return PublicNetwork(
        "montagna_meetings", "Montagna operation, meetings (co-attendance counts)",
        "As montagna_phone: Cavallaro et al. (2020), PLOS ONE 15(8) e0236476; Zenodo record 3938818.",
        graph, ("contacts", "associations"), criminal=True, known=dict(MONTAGNA_KNOWN), contact_kind="sighting",
        association_kind="co_offender")


def hijackers(folder: Path | None = None) -> PublicNetwork:
    """The 9/11 hijackers and associates (34 people, unweighted), with names."""
    edges = [tuple(map(int, line.split())) for line in _raw("terrorists.net", folder).read_text().splitlines() if line]
    labels = {}
    for line in _raw("terrorists_node_map.txt", folder).read_text().splitlines():
        number, _, name = line.partition(" ")
        labels[int(number)] = name.strip()
    graph = _from_pairs([(a, b, 1) for a, b in edges])
    graph.add_nodes_from(labels)
    return PublicNetwork(
        "hijackers", "9/11 hijackers and associates (unweighted)",
        "V. Krebs (2002), Mapping networks of terrorist cells, Connections 24(3) 43-52; 34-person version from "
        "V. Latora, V. Nicosia and G. Russo (2017), Complex Networks, Cambridge UP, ch. 2.",
        graph, ("contacts", "associations"), criminal=True, labels=labels,
        known={0: "Mohamed Atta, the operation's leader"}, prefix="H")


BUNDLED = {"karate": karate, "lesmis": les_miserables, "florentine": florentine, "davis": davis}
COVERT = {"caviar": caviar, "montagna_phone": montagna_phone, "montagna_meetings": montagna_meetings,
          "hijackers": hijackers}


def load(name: str, folder: Path | None = None) -> PublicNetwork:
    if name in BUNDLED:
        return BUNDLED[name]()
    if name in COVERT:
        return COVERT[name](folder)
    raise KeyError(f"unknown network {name!r}; the networks are {', '.join([*BUNDLED, *COVERT])}")


def available(folder: Path | None = None) -> tuple[list[PublicNetwork], dict[str, str]]:
    """Every network whose files are present, and why each missing one was skipped."""
    found, skipped = [reader() for reader in BUNDLED.values()], {}
    for name, reader in COVERT.items():
        try:
            found.append(reader(folder))
        except (FileNotFoundError, ValueError) as exc:
            skipped[name] = str(exc)
    return found, skipped


# ---------------------------------------------------------------------------------------------------------------
# contract datasets


def _names(label: str | None) -> tuple[str, str]:
    if not label:
        return "", ""
    first, _, last = label.partition(" ")
    return first, last


def write_dataset(network: PublicNetwork, folder: str | Path, *, shape: str, roles: str = "none") -> dict[str, int]:
    """Write ``network`` as contract tables into ``folder`` in ``shape``; rows written per table."""
    if shape not in network.shapes:
        raise ValueError(f"{network.name} is not loaded as {shape!r}; its shapes are {', '.join(network.shapes)}")
    if roles not in ROLES or (roles == "suspect" and not network.criminal):
        raise ValueError(f"roles={roles!r}: 'none', or 'suspect' for a criminal network")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ids = network.record_ids()
    tables: dict[str, pd.DataFrame] = {}
    first, last = zip(*(_names(network.labels.get(node)) for node in ids)) if ids else ((), ())
    tables["people"] = pd.DataFrame({"record_id": list(ids.values()), "source": "police",
                                     "first_name": first, "last_name": last})
    if shape == "contacts":
        phone = {node: f"PH-{rid}" for node, rid in ids.items()}
        tables["identifiers"] = pd.DataFrame({"identifier": list(phone.values()), "kind": "phone",
                                              "owner_id": list(ids.values()), "owner_type": "person"})
        arcs = network.arcs or [(u, v, d["weight"]) for u, v, d in network.graph.edges(data=True)]
        tables["contacts"] = pd.DataFrame({"from_identifier": [phone[a] for a, _, _ in arcs],
                                           "to_identifier": [phone[b] for _, b, _ in arcs],
                                           "count": [int(c) for *_, c in arcs], "kind": network.contact_kind})
    elif shape == "associations":
        edges = list(network.graph.edges(data=True))
        tables["associations"] = pd.DataFrame({"record_id_a": [ids[u] for u, _, _ in edges],
                                               "record_id_b": [ids[v] for _, v, _ in edges],
                                               "kind": network.association_kind,
                                               "weight": [int(d["weight"]) for *_, d in edges]})
    events, members = [], []
    if shape == "events":
        for event, people in network.memberships.items():
            events.append({"event_id": event, "event_type": "intelligence", "category": "other",
                           "date": PLACEHOLDER_DATE})
            members += [{"event_id": event, "record_id": ids[p], "role": "associate"} for p in people]
    if roles == "suspect":
        for rid in ids.values():
            events.append({"event_id": f"INT-{rid}", "event_type": "intelligence", "category": "other",
                           "date": PLACEHOLDER_DATE})
            members.append({"event_id": f"INT-{rid}", "record_id": rid, "role": "suspect"})
    if events:
        tables["events"] = pd.DataFrame(events)
        tables["event_people"] = pd.DataFrame(members)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    return {name: len(frame) for name, frame in tables.items()}


def _config(seed: int):
    from linkage.config import config_from_dict

    configs = Path(__file__).resolve().parents[2] / "configs"
    return config_from_dict({"job": {"name": "public-network"}, "geography": "lancashire.yaml", "seed": seed},
                            base=configs, source="bench/networks")


def run_linkage(folder: str | Path, *, seed: int = 0) -> dict:
    """The library pipeline on a dataset folder: read, every record its own person, build, every analysis.

    Returns the analyses' tables by file name, plus ``network`` (the built
    ``Network``), ``rejects`` and ``notes``.
    """
    from linkage.build import build_network
    from linkage.job import JobContext, JobState, run_analyses
    from linkage.read import load_dataset

    config = _config(seed)
    dataset = load_dataset(folder, config)
    network = build_network(dataset, None, config)
    with tempfile.TemporaryDirectory() as out:
        ctx = JobContext(config=config, folder=Path(out), state=JobState(dataset=dataset, network=network))
        run_analyses(ctx)
        tables = dict(ctx.state.tables)
    return {**tables, "network": network, "rejects": dataset.rejects, "notes": list(ctx.notes) + network.notes}


# ---------------------------------------------------------------------------------------------------------------
# the comparison


def reference_graph(network: PublicNetwork, shape: str) -> nx.Graph:
    """The ties networkx is compared on, over record ids, with ``weight`` and ``distance`` = 1 / weight.

    One-mode data: the network's own ties. Two-mode data (``events``): the
    co-membership projection, each event adding 1 / (size - 1) to each pair of
    its members (issue 13's rule: a meeting's tie weakens with its size; on
    Davis it ranks betweenness as the shared-event count does, Spearman 0.99).
    """
    ids = network.record_ids()
    graph = nx.Graph()
    graph.add_nodes_from(ids.values())
    if shape == "events":
        for people in network.memberships.values():
            share = 1.0 / max(len(people) - 1, 1)
            for i, a in enumerate(people):
                for b in people[i + 1:]:
                    weight = graph[ids[a]][ids[b]]["weight"] if graph.has_edge(ids[a], ids[b]) else 0.0
                    graph.add_edge(ids[a], ids[b], weight=weight + share)
    else:
        graph.add_edges_from((ids[u], ids[v], {"weight": float(d["weight"])})
                             for u, v, d in network.graph.edges(data=True))
    for _, _, d in graph.edges(data=True):
        d["distance"] = 1.0 / d["weight"]
    return graph


def networkx_betweenness(graph: nx.Graph) -> pd.DataFrame:
    """networkx betweenness per node: ``unweighted`` (hops) and ``weighted`` (distance = 1 / weight)."""
    return pd.DataFrame({"unweighted": pd.Series(nx.betweenness_centrality(graph)),
                         "weighted": pd.Series(nx.betweenness_centrality(graph, weight="distance"))})


def spearman(a: pd.Series, b: pd.Series) -> float | None:
    """Spearman rank correlation (average ranks); None when either side is constant (nothing is ranked)."""
    ra, rb = a.rank().to_numpy(float), b.rank().to_numpy(float)
    if len(ra) < 3 or np.ptp(ra) == 0 or np.ptp(rb) == 0:
        return None
    return float(np.corrcoef(ra, rb)[0, 1])


def _ranks(values: pd.Series) -> pd.Series:
    """1 for the highest value (ties share the best rank)."""
    return values.rank(ascending=False, method="min").astype(int)


def _worst_rows(key: pd.DataFrame) -> dict[str, int]:
    """Each person's row in ``key_people.csv`` were the ties of its ranking broken against them.

    key_people sorts by key_score, betweenness and degree, then by id; where a
    person shares all three with others, their row comes from their id alone.
    This is the last row among those they tie with (1 + people ranked at or above).
    """
    if not len(key):
        return {}
    measures = key[["key_score", "betweenness", "degree"]].astype(float).to_numpy()
    order = np.lexsort(measures.T[::-1])        # ascending by score, then betweenness, then degree
    ranked = measures[order]
    at_or_above = np.empty(len(key), dtype=np.int64)
    # rows whose measures are >= a row's, lexicographically: those from the first equal one upwards
    first_equal = np.r_[0, np.flatnonzero((ranked[1:] != ranked[:-1]).any(axis=1)) + 1]
    group = np.repeat(first_equal, np.diff(np.r_[first_equal, len(ranked)]))
    at_or_above[order] = len(key) - group
    return dict(zip(key["entity_id"].astype(str), at_or_above.tolist()))


def compare(network: PublicNetwork, shape: str, tables: dict, *, seed: int = 0) -> dict:
    """linkage's key people and clusters against networkx on the same ties (see ``bench/networks/README.md``)."""
    graph = reference_graph(network, shape)
    nodes = pd.Index(list(graph.nodes))
    reference = networkx_betweenness(graph).reindex(nodes)
    key = tables.get("key_people.csv", pd.DataFrame(columns=["entity_id", "betweenness", "key_score"]))
    listed = key.set_index(key["entity_id"].astype(str))
    # a person key_people leaves out has no betweenness or score there: counted as 0
    between = listed["betweenness"].astype(float).reindex(nodes).fillna(0.0)
    score = listed["key_score"].astype(float).reindex(nodes).fillna(0.0) if "key_score" in listed else between * 0
    ids = network.record_ids()
    position = {rid: i + 1 for i, rid in enumerate(key["entity_id"].astype(str))}
    worst = _worst_rows(key)
    known = []
    for node, who in network.known.items():
        rid = ids.get(node)
        if rid is None or rid not in graph:
            continue
        known.append({"record_id": rid, "who": who, "key_people_row": position.get(rid),
                      "key_people_row_without_id_order": worst.get(rid),
                      "networkx_rank": int(_ranks(reference["unweighted"])[rid]),
                      "networkx_weighted_rank": int(_ranks(reference["weighted"])[rid])})
    members = tables.get("cluster_members.csv", pd.DataFrame(columns=["cluster_id", "node_id", "node_type"]))
    people = members[members["node_type"].astype(str) == "person"]
    community = dict(zip(people["node_id"].astype(str), people["cluster_id"].astype(str)))
    groups: dict[str, set] = {}
    for node in graph.nodes:   # people in no cluster count as communities of one
        groups.setdefault(community.get(node, f"alone:{node}"), set()).add(node)
    partition = list(groups.values())
    louvain = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    greedy = nx.community.greedy_modularity_communities(graph, weight="weight")
    built = tables["network"]
    from linkage.analyse.core import person_ties

    ties = person_ties(built)
    input_pairs = graph.number_of_edges()
    contact_pairs = built.contacts[(built.contacts["source_type"] == "person")
                                   & (built.contacts["target_type"] == "person")] if len(built.contacts) else built.contacts
    return {
        "network": network.name, "shape": shape, "people": graph.number_of_nodes(), "input_ties": input_pairs,
        "built_contact_pairs": int(len(contact_pairs)),
        "ties_used_by_analyses": int(len(ties)),
        "ties_used_share": round(len(ties) / input_pairs, 3) if input_pairs else None,
        "key_people_rows": int(len(key)), "clusters_rows": int(len(tables.get("clusters.csv", []))),
        "people_in_clusters": int(sum(1 for n in graph.nodes if n in community)),
        "spearman_betweenness_vs_networkx": spearman(between, reference["unweighted"]),
        "spearman_betweenness_vs_networkx_weighted": spearman(between, reference["weighted"]),
        "spearman_key_score_vs_networkx": spearman(score, reference["unweighted"]),
        "spearman_key_score_vs_networkx_weighted": spearman(score, reference["weighted"]),
        "known": known,
        "modularity_linkage_clusters": round(nx.community.modularity(graph, partition, weight="weight"), 4),
        "modularity_networkx_louvain": round(nx.community.modularity(graph, louvain, weight="weight"), 4),
        "modularity_networkx_greedy": round(nx.community.modularity(graph, greedy, weight="weight"), 4),
        "communities": {"linkage_clusters": int(len(set(community.values()))), "networkx_louvain": len(louvain),
                        "networkx_greedy": len(greedy)},
    }
