"""Business targets on the synthetic world: the planted night-time-economy businesses come first, with their
evidence, and the per-area summary agrees with the list."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from linkage.analyse.businesses import (
    AREA_COLUMNS,
    BUSINESS_WEIGHTS,
    TARGET_COLUMNS,
    business_targets,
    business_targets_by_area,
)
from linkage.analyse.clusters import clusters
from linkage.build import build_network
from linkage.read import load_dataset

REPO = Path(__file__).resolve().parents[1]
SEED = 17


@pytest.fixture(scope="module")
def world(synthetic_world):
    built = synthetic_world(SEED)
    folder, network = built.folder, built.network
    return {"network": network, "truth": pd.read_csv(folder / "truth" / "business_targets.csv", dtype=str)}


@pytest.fixture(scope="module")
def found(world):
    _, members = clusters(world["network"], seed=0)
    return members, business_targets(world["network"], clusters_members=members)


def test_planted_businesses_rank_first(world, found):
    _, targets = found
    planted = set(world["truth"]["location_id"])
    assert len(planted) >= 5
    ranks = targets.loc[targets["location_id"].isin(planted), "rank"]
    assert len(ranks) == len(planted)
    assert ranks.max() <= 20
    assert targets.head(5)["location_id"].isin(planted).sum() >= 4
    # they are linked to the group's children and perpetrators, as the truth counts them
    truth = world["truth"].astype({"children_linked": int, "perpetrators_linked": int})
    truth = truth.groupby("location_id")[["children_linked", "perpetrators_linked"]].max()
    mine = targets.set_index("location_id").loc[truth.index]
    assert (mine["children_linked"] >= 0.8 * truth["children_linked"]).mean() >= 0.8
    assert (mine["perpetrators_linked"] >= 0.8 * truth["perpetrators_linked"]).mean() >= 0.8
    assert (mine["evidence"].str.contains("children")).all()
    assert (mine["clusters_touched"] >= 1).all()


def test_columns_order_and_score(world, found):
    _, targets = found
    assert list(targets.columns) == list(TARGET_COLUMNS)
    assert list(targets.columns[:9]) == ["rank", "location_id", "name", "category", "local_authority", "bcu",
                                         "score", "children_linked", "perpetrators_linked"]
    assert list(targets["rank"]) == list(range(1, len(targets) + 1))
    places = world["network"].places.set_index("location_id")
    assert places.loc[targets["location_id"], "is_business"].all()
    # night-time economy first, then by score
    nte = targets["night_time_economy"].astype(int)
    assert nte.is_monotonic_decreasing
    for _, part in targets.groupby("night_time_economy"):
        assert part["score"].is_monotonic_decreasing
    # the score is the documented weighted sum
    expected = (BUSINESS_WEIGHTS["children_found_there"] * targets["children_found_there"]
                + BUSINESS_WEIGHTS["children_linked"] * targets["children_linked"]
                + BUSINESS_WEIGHTS["perpetrators_linked"] * targets["perpetrators_linked"]
                + BUSINESS_WEIGHTS["contact_volume"] * np.log10(1 + targets["contact_volume"])
                + BUSINESS_WEIGHTS["clusters_touched"] * targets["clusters_touched"])
    assert np.allclose(targets["score"], expected, atol=1e-3)


def test_children_found_there_recounted_from_the_episodes(world, found):
    _, targets = found
    network = world["network"]
    episodes = network.episodes.dropna(subset=["found_location_id"])
    found_at = episodes.groupby("found_location_id")["entity_id"].nunique()
    top = targets.head(10).set_index("location_id")
    # every child found there counts (children: looked after, missing, or young)
    assert (top["children_found_there"] == found_at.reindex(top.index).fillna(0).astype(int)).all()
    assert (top["children_linked"] >= top["children_found_there"]).all()


def test_by_area_counts_and_top_business(found):
    _, targets = found
    areas = business_targets_by_area(targets)
    assert list(areas.columns) == list(AREA_COLUMNS)
    assert set(areas["area_type"]) == {"bcu", "local_authority"}
    authority = areas[areas["area_type"] == "local_authority"].set_index("area")
    counts = targets["local_authority"].replace("", "(unknown)").value_counts()
    assert (authority["businesses"] == counts.reindex(authority.index)).all()
    for area, row in authority.iterrows():
        mine = targets[targets["local_authority"].replace("", "(unknown)") == area]
        assert row["top_rank"] == mine["rank"].min()
        assert row["top_location_id"] == mine.iloc[0]["location_id"]
    bcu = areas[areas["area_type"] == "bcu"]
    assert bcu["businesses"].sum() == len(targets)
    assert bcu.iloc[0]["top_rank"] == 1


def test_same_input_same_output_and_clusters_worked_out_when_not_given(world, found):
    members, targets = found
    again = business_targets(world["network"])
    pd.testing.assert_frame_equal(targets, again)


def test_empty_inputs_give_empty_tables_with_the_contract_columns(write_dataset, lancashire_config):
    folder = write_dataset(only=())
    network = build_network(load_dataset(folder, lancashire_config), None, lancashire_config)
    table = business_targets(network)
    assert table.empty and list(table.columns) == list(TARGET_COLUMNS)
    areas = business_targets_by_area(table)
    assert areas.empty and list(areas.columns) == list(AREA_COLUMNS)
    with_places = write_dataset("places", only=("locations",))
    table = business_targets(build_network(load_dataset(with_places, lancashire_config), None, lancashire_config))
    assert table.empty and list(table.columns) == list(TARGET_COLUMNS)
