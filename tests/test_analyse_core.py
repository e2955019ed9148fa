"""The analyses' shared core: the network view passed explicitly, its memo, and the shared table helpers."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import linkage.analyse.core.tables
from linkage._arrow import positions_in, positions_in_each, strings
from linkage.analyse import businesses, candidates, care_moves, clusters, crossover, key_people, missing, reach
from linkage.analyse.core import (
    NetworkView,
    as_network,
    as_view,
    dated_ties,
    empty_table,
    join_groups,
    network_view,
    person_ties,
    typed_table,
    weighted_ties,
)
from linkage.build import build_network
from linkage.read import load_dataset

SEED = 17  # the world the clusters, key people and business tests share


@pytest.fixture(scope="module")
def world(synthetic_world):
    return synthetic_world(SEED)


#: every analysis, called with the network first and its options as keywords
ANALYSES = {
    "operation_crossover": lambda net, w: crossover.operation_crossover(net),
    "clusters": lambda net, w: clusters.clusters(net, seed=0),
    "care_moves": lambda net, w: care_moves.care_moves(net),
    "care_move_cohort": lambda net, w: care_moves.care_move_cohort(net),
    "care_move_counterfactual": lambda net, w: care_moves.care_move_counterfactual(net),
    "reach": lambda net, w: reach.reach(net, geography=w.config.geography),
    "missing_links": lambda net, w: missing.missing_links(net),
    "missing_profile": lambda net, w: missing.missing_profile(net),
    "business_targets": lambda net, w: businesses.business_targets(net),
    "key_people": lambda net, w: key_people.key_people(net, seed=0),
    "candidate_links": lambda net, w: candidates.candidate_links(net),
    "person_ties": lambda net, w: person_ties(net),
}


def _frames(result) -> list[pd.DataFrame]:
    return list(result) if isinstance(result, tuple) else [result]


def test_every_analysis_takes_the_network_or_its_view_with_the_same_result(world):
    view = network_view(world.network)
    for name, run in ANALYSES.items():
        on_network = _frames(run(world.network, world))
        on_view = _frames(run(view, world))
        assert all(not frame.empty for frame in on_network), name
        for first, second in zip(on_network, on_view):
            pd.testing.assert_frame_equal(first, second, obj=name)


def test_the_view_remembers_what_the_analyses_worked_out(world):
    view = network_view(world.network)
    assert view.memo == {}
    table, members = clusters.clusters(view, seed=0)
    assert any(key[0] == "clusters" for key in view.memo if isinstance(key, tuple))
    ties = weighted_ties(view)
    assert weighted_ties(view) is ties  # worked out once
    # key people and business targets find the clusters in the memo: the same as passing the members
    pd.testing.assert_frame_equal(key_people.key_people(view, seed=0),
                                  key_people.key_people(world.network, seed=0, clusters_members=members))
    # a copy is handed out: changing it does not change the memo
    table.loc[0, "risk_score"] = -1.0
    assert clusters.clusters(view, seed=0)[0].loc[0, "risk_score"] >= 0
    # the dated ties of care moves and reach are kept too
    assert dated_ties(view) is dated_ties(view)


def test_dated_ties_from_the_view_are_those_of_the_network(world):
    """The view reuses the ids it has looked up: the same ties, in the same order, as reading the network."""
    view, fewer = network_view(world.network), network_view(world.network, min_contacts=2)
    for ties in (("co_placed", "co_missing", "shared_identifier", "contact", "associate"), ("contact", "co_placed"),
                 ("associate",), ("contact",)):
        on_network = dated_ties(world.network, ties)
        assert len(on_network.a) > 0, ties
        for on_view in (dated_ties(view, ties), dated_ties(fewer, ties)):  # fewer: not every contact, read again
            for column in ("a", "b", "start", "kind"):
                np.testing.assert_array_equal(getattr(on_view, column), getattr(on_network, column), err_msg=column)
    assert not fewer.all_person_contacts and view.all_person_contacts


def test_a_view_for_other_contact_counts_is_built_once_and_kept(world):
    view = network_view(world.network)
    assert as_view(view) is view and as_network(view) is world.network
    fewer = as_view(view, min_contacts=2)
    assert isinstance(fewer, NetworkView) and fewer is not view and fewer.min_contacts == 2.0
    assert as_view(view, min_contacts=2) is fewer
    assert len(fewer.contacts[0]) < len(view.contacts[0])  # by default no contact is cut; 2 cuts the single calls
    pd.testing.assert_frame_equal(person_ties(view, min_contacts=2), person_ties(world.network, min_contacts=2))


def test_no_state_outlives_a_call(world, write_dataset, lancashire_config):
    """Analysing another network in between changes nothing: there is no cache keyed on the network."""
    first = clusters.clusters(world.network, seed=0)
    first_moves = care_moves.care_moves(world.network)
    other = build_network(load_dataset(write_dataset(), lancashire_config), None, lancashire_config)
    clusters.clusters(other, seed=0)
    care_moves.care_moves(other)
    again = clusters.clusters(world.network, seed=0)
    pd.testing.assert_frame_equal(first[0], again[0])
    pd.testing.assert_frame_equal(first[1], again[1])
    pd.testing.assert_frame_equal(first_moves, care_moves.care_moves(world.network))


def test_a_view_of_a_network_with_no_ties():
    people = pd.DataFrame({"entity_id": pd.Series(["E2", "E1"], dtype="str")})
    edges = pd.DataFrame({c: pd.Series(dtype="str") for c in ("source", "target", "source_type", "target_type",
                                                               "edge_type")})
    from linkage.build import Network

    network = Network(people=people, places=pd.DataFrame(), episodes=pd.DataFrame(), operations=pd.DataFrame(),
                      identifiers=pd.DataFrame(), edges=edges, placements=pd.DataFrame(),
                      participation=pd.DataFrame(), contacts=pd.DataFrame(), entities=pd.DataFrame())
    view = network_view(network)
    assert list(view.ids) == ["E1", "E2"]  # people in id order
    assert view.n == 2 and len(weighted_ties(view).a) == 0
    assert person_ties(view).empty


def test_typed_tables():
    columns = {"id": "str", "n": "int64", "share": "float64", "flag": "bool"}
    empty = empty_table(columns)
    assert empty.empty and list(empty.columns) == list(columns)
    assert dict(empty.dtypes.astype(str)) == {"id": "str", "n": "int64", "share": "float64", "flag": "bool"}
    frame = pd.DataFrame({"flag": [1, 0], "n": [2.0, 3.0], "id": ["b", "a"], "share": [1, 2], "extra": [0, 0]},
                         index=[5, 9])
    typed = typed_table(frame, columns)
    assert list(typed.columns) == list(columns) and list(typed.index) == [0, 1]
    assert typed["n"].tolist() == [2, 3] and typed["flag"].tolist() == [True, False]


def test_join_groups_sorts_and_counts_distinct_values_per_group():
    frame = pd.DataFrame({"k": ["x", "x", "y", "x", None, "y"], "v": ["b", "a", "c", "b", "z", None]})
    out = join_groups(frame, ["k"], "v")
    assert out.to_dict("list") == {"k": ["x", "y"], "v": ["a;b", "c"], "n": [2, 1]}
    assert join_groups(frame.iloc[:0], ["k"], "v").empty


def test_table_doctests():
    assert doctest.testmod(linkage.analyse.core.tables, extraglobs={"np": np}).failed == 0


def test_one_string_converter_for_every_kind_of_column():
    cases = [
        (pd.Series(["a", None], dtype="str"), ["a", None]),
        (pd.Series(["a", np.nan], dtype=object), ["a", None]),
        (np.array([1, "a", None], dtype=object), ["1", "a", None]),
        (pd.Series([1.5, np.nan]), ["1.5", None]),
        (pd.Series(["x", "y"], dtype="category"), ["x", "y"]),
        (pd.concat([pd.Series(["a"], dtype="str"), pd.Series(["b"], dtype="str")], ignore_index=True), ["a", "b"]),
        (pa.chunked_array([["a"], ["b"]]), ["a", "b"]),
        ([], []),
        ([None, None], [None, None]),
    ]
    for values, expected in cases:
        array = strings(values)
        assert isinstance(array, pa.Array) and array.type == pa.large_string()
        assert array.to_pylist() == expected


def test_positions_of_strings_with_runs_and_across_columns():
    ids = ["E1", "E2", "E3"]
    values = pd.Series(["E2", "E2", "E2", None, "E9", "E1", "E1"], dtype="str")
    expected = [1, 1, 1, -1, -1, 0, 0]
    assert positions_in(values, ids).tolist() == expected
    assert positions_in(values, ids, runs=True).tolist() == expected
    first, second = positions_in_each([values, ["E3"]], strings(ids))
    assert first.tolist() == expected and second.tolist() == [2]
    assert [p.tolist() for p in positions_in_each([["E1"], []], strings([]))] == [[-1], []]
