"""Issue 13 on public networks of other shapes, loaded as a force would load them, with no roles.

The networks are networkx's bundled graphs (no files, no network access),
written as contract datasets by ``bench/networks/published.py`` (the converters
``bench/networks_public.py`` measures with). The first tests check the
converters; the last ones are issue 13's acceptance: with no roles at all, key
people's betweenness ranks as networkx's does on the same ties (Spearman >= 0.9,
weighted: distance = 1 / weight) and a known central person is in the top 3.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from linkage.read import load_dataset

LOAD_PY = Path(__file__).resolve().parents[1] / "bench" / "networks" / "published.py"


def _module():
    spec = importlib.util.spec_from_file_location("bench_networks_load", LOAD_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module   # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


networks = _module()

#: (network, shape): each bundled graph in the shape a force would hold it in
CASES = [("karate", "contacts"), ("lesmis", "contacts"), ("florentine", "associations"), ("davis", "events")]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The pipeline's tables per case, run once for the module."""
    out = {}
    for name, shape in CASES:
        network = networks.load(name)
        folder = tmp_path_factory.mktemp(f"{name}-{shape}")
        networks.write_dataset(network, folder, shape=shape)
        out[name, shape] = (network, folder, networks.run_linkage(folder, seed=0))
    return out


@pytest.mark.parametrize("name, shape", CASES)
def test_dataset_is_valid_and_carries_every_tie_without_roles(runs, name, shape):
    network, folder, tables = runs[name, shape]
    dataset = load_dataset(folder)
    assert dataset.rejects.empty, dataset.rejects.to_dict("records")
    assert len(dataset["people"]) == network.graph.number_of_nodes()
    if shape == "contacts":
        contacts = dataset["contacts"]
        assert len(contacts) == network.graph.number_of_edges()
        assert contacts["count"].sum() == network.graph.size(weight="weight")
        # one phone per person
        assert dataset["identifiers"]["owner_id"].is_unique
        assert len(dataset["identifiers"]) == len(dataset["people"])
    if shape == "associations":
        assert len(dataset["associations"]) == network.graph.number_of_edges()
    if shape == "events":
        assert len(dataset["events"]) == len(network.memberships)
        assert len(dataset["event_people"]) == sum(len(m) for m in network.memberships.values())
    if dataset.has("event_people"):
        assert set(dataset["event_people"]["role"]) == {"associate"}
    built = tables["network"]
    assert not built.people["role"].astype(bool).any()   # no victim or perpetrator anywhere
    if shape == "contacts":   # the build keeps every pair; any cut is the analyses'
        assert len(built.contacts) == network.graph.number_of_edges()


def test_suspect_roles_only_for_criminal_networks(tmp_path):
    with pytest.raises(ValueError, match="criminal"):
        networks.write_dataset(networks.load("karate"), tmp_path, shape="contacts", roles="suspect")
    with pytest.raises(ValueError, match="shapes are contacts, associations"):
        networks.write_dataset(networks.load("karate"), tmp_path, shape="events")


def test_reference_is_the_same_ties():
    karate = networks.load("karate")
    reference = networks.reference_graph(karate, "contacts")
    original = nx.karate_club_graph()
    assert reference.number_of_edges() == original.number_of_edges()
    assert reference["K0"]["K1"]["weight"] == original[0][1]["weight"]
    assert reference["K0"]["K1"]["distance"] == pytest.approx(1 / original[0][1]["weight"])
    # two-mode: each event adds 1 / (size - 1) to each pair of its members
    davis = networks.load("davis")
    projected = networks.reference_graph(davis, "events")
    ids = davis.record_ids()
    a, b = ids["Evelyn Jefferson"], ids["Laura Mandeville"]
    shared = [m for m in davis.memberships.values() if "Evelyn Jefferson" in m and "Laura Mandeville" in m]
    assert len(shared) == 6
    assert projected[a][b]["weight"] == pytest.approx(sum(1 / (len(m) - 1) for m in shared))


def test_spearman_and_tied_rows():
    assert networks.spearman(pd.Series([1, 2, 3, 4]), pd.Series([10, 20, 30, 40])) == pytest.approx(1.0)
    assert networks.spearman(pd.Series([1, 2, 3, 4]), pd.Series([4, 3, 2, 1])) == pytest.approx(-1.0)
    assert networks.spearman(pd.Series([0, 0, 0]), pd.Series([1, 2, 3])) is None   # nothing ranked
    key = pd.DataFrame({"entity_id": ["a", "b", "c", "d"], "key_score": [2.0, 1.0, 1.0, 0.5],
                        "betweenness": [0.1, 0.2, 0.2, 0.0], "degree": [3, 2, 2, 1]})
    # b and c tie on every measure: either could be second, so both count as third
    assert networks._worst_rows(key) == {"a": 1, "b": 3, "c": 3, "d": 4}


@pytest.mark.parametrize("name, shape", CASES)
def test_key_people_betweenness_ranks_as_networkx(runs, name, shape):
    network, _, tables = runs[name, shape]
    result = networks.compare(network, shape, tables)
    rho = result["spearman_betweenness_vs_networkx_weighted"]
    assert rho is not None and rho >= 0.9, result


@pytest.mark.parametrize("name, shape", [c for c in CASES if c[0] != "davis"])
def test_known_central_person_in_top_three(runs, name, shape):
    network, _, tables = runs[name, shape]
    result = networks.compare(network, shape, tables)
    central = result["known"][0]
    # not lifted there by the id order that breaks ties
    assert central["key_people_row_without_id_order"] is not None, result["known"]
    assert central["key_people_row_without_id_order"] <= 3, result["known"]
