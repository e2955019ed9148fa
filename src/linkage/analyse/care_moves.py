"""Care moves: how each move to a new care setting widens a looked-after child's network.

Project Empra found that children in care who went missing together had
usually met at a common care setting, and that every move to a new setting
widens the victims' network, and so the perpetrators' reach; fewer moves and
shorter distances would shrink it. These functions measure that on the data:

- ``care_moves``: each child's moves in order, with the distance moved, the
  children met at each setting and the perpetrators within two steps;
- ``care_move_cohort``: network size by number of moves and by distance moved;
- ``care_move_counterfactual``: how many co-placements would not have happened
  had moves been capped, or had every child stayed in their home BCU.

A *stay* is a run of consecutive placements of one child at one setting
(``location_id``); a move is the start of a new stay. A *peer* is a child
co-placed with the child (a ``co_placed`` edge of the network: overlapping
placements at one setting). Everything is vectorised (sorts, searchsorted
joins, group-bys); the work grows with the number of placements and ties, so
it runs on a million people in seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._arrow import positions_in
from ..build import Network
from ..geography import haversine_km
from ..graph.kernels import distinct, runs_of
from .core import UNDATED, NetworkLike, as_network, dated_ties, empty_table, no_rows, seconds, typed_table

__all__ = [
    "REQUIRES",
    "MOVE_COLUMNS",
    "COHORT_COLUMNS",
    "COUNTERFACTUAL_COLUMNS",
    "MOVE_BANDS",
    "DISTANCE_BANDS",
    "care_moves",
    "care_move_cohort",
    "care_move_counterfactual",
]

#: input tables the analyses need (``locations`` adds distances and settings' geography)
REQUIRES: tuple[str, ...] = ("placements",)

#: ``care_moves.csv``: the contract's columns first, then the detail
MOVE_COLUMNS: dict[str, str] = {
    "entity_id": "str",
    "move_number": "int64",
    "from_location_id": "str",
    "to_location_id": "str",
    "move_date": "datetime64[s]",
    "distance_km": "float64",
    "new_peers": "int64",
    "cumulative_peers": "int64",
    "to_category": "str",
    "to_local_authority": "str",
    "to_bcu": "str",
    "crossed_bcu": "boolean",
    "out_of_force": "boolean",
    "perpetrators_within_two_steps": "int64",
    "distance_source": "str",
    "cumulative_perpetrators": "int64",
}
COHORT_COLUMNS: dict[str, str] = {
    "group_by": "str",
    "band": "str",
    "children": "int64",
    "mean_peers": "float64",
    "median_peers": "float64",
    "mean_perpetrators_within_two_steps": "float64",
}
COUNTERFACTUAL_COLUMNS: dict[str, str] = {
    "scenario": "str",
    "children": "int64",
    "peers_actual": "int64",
    "peers_scenario": "int64",
    "reduction": "int64",
    "reduction_pct": "float64",
    "children_affected": "int64",
    "ties_removed": "int64",
    "victim_ties_removed": "int64",
}
#: number-of-moves bands of the cohort (the last is open)
MOVE_BANDS: tuple[str, ...] = ("0", "1", "2", "3", "4", "5+")
#: total-distance bands of the cohort in km: [0, 10), [10, 25), [25, 50), [50, inf)
DISTANCE_BANDS: tuple[tuple[str, float], ...] = (("<10", 0.0), ("10-25", 10.0), ("25-50", 25.0), ("50+", 50.0))

_OPEN = np.iinfo(np.int64).max
#: coordinate sources from most to least precise; a distance is as good as its worse end
_PRECISION = ("given", "postcode", "authority_centroid")


def _area(bcu: pd.Series, force: pd.Series) -> pd.Series:
    """The area a BCU boundary is judged on: the BCU in force, the force outside it (NaN when unknown)."""
    return bcu.where(bcu.notna(), force)


#: why the care-move tables are empty without placements
NO_PLACEMENTS = ("the placements table has no kept rows, so no child has a care setting to move from",
                 "correct the placements rows listed in rejects.csv (every row needs record_id, location_id and "
                 "start_date)")


def _stays(network: Network) -> pd.DataFrame:
    """One row per stay: entity_id, move_number, location_id, start, end, window_end (seconds; see care_moves)."""
    placements = network.placements
    if placements is None or placements.empty or "entity_id" not in placements:
        return pd.DataFrame(columns=["entity_id", "move_number", "location_id", "start", "end", "window_end"])
    pl = placements[["entity_id", "location_id", "start_date", "end_date"]].dropna(
        subset=["entity_id", "location_id", "start_date"])
    pl = pl.assign(start=seconds(pl["start_date"]), end=seconds(pl["end_date"]))
    pl = pl.sort_values(["entity_id", "start"], kind="stable")
    entity = pl["entity_id"].to_numpy(dtype=object)
    location = pl["location_id"].to_numpy(dtype=object)
    new_entity = np.r_[True, entity[1:] != entity[:-1]] if len(pl) else np.zeros(0, bool)
    new_stay = new_entity | np.r_[True, location[1:] != location[:-1]] if len(pl) else np.zeros(0, bool)
    end = np.where(pl["end"].to_numpy() == UNDATED, _OPEN, pl["end"].to_numpy())
    first = np.flatnonzero(new_stay)
    stays = pd.DataFrame({
        "entity_id": entity[first],
        "location_id": location[first],
        "start": pl["start"].to_numpy()[first],
        "end": np.maximum.reduceat(end, first) if len(first) else end[:0],
    })
    stay_entity_first = new_entity[first]
    position = np.arange(len(stays))
    stays["move_number"] = position - np.maximum.accumulate(np.where(stay_entity_first, position, 0))
    last = np.r_[stay_entity_first[1:], True] if len(stays) else np.zeros(0, bool)
    # ties count to a stay from its start until the next move (the last stay: until it ends)
    next_start = np.r_[stays["start"].to_numpy()[1:], _OPEN] if len(stays) else np.zeros(0, np.int64)
    stays["window_end"] = np.where(last, stays["end"].to_numpy(), next_start)
    return stays[["entity_id", "move_number", "location_id", "start", "end", "window_end"]]


def _meetings(network: Network, stays: pd.DataFrame) -> pd.DataFrame:
    """Co-placements from both sides: edge, entity_id, peer, location_id, start, move_number (of entity_id)."""
    columns = ["edge", "entity_id", "peer", "location_id", "start", "move_number"]
    edges = network.edges_of("co_placed")
    if edges.empty or stays.empty:
        return pd.DataFrame(columns=columns)
    start = seconds(edges["start"])
    source = edges["source"].to_numpy(dtype=object)
    target = edges["target"].to_numpy(dtype=object)
    via = edges["via"].to_numpy(dtype=object)
    edge = np.arange(len(edges))
    directed = pd.DataFrame({
        "edge": np.r_[edge, edge], "entity_id": np.r_[source, target], "peer": np.r_[target, source],
        "location_id": np.r_[via, via], "start": np.r_[start, start],
    })
    # the child's stay at that setting in which the meeting began: the latest stay there starting on or before it
    matched = directed.reset_index(names="row").merge(
        stays[["entity_id", "location_id", "move_number", "start"]].rename(columns={"start": "stay_start"}),
        on=["entity_id", "location_id"],
    )
    matched = matched[matched["stay_start"] <= matched["start"]]
    matched = matched.sort_values(["row", "stay_start"], kind="stable").drop_duplicates("row", keep="last")
    return matched[columns].reset_index(drop=True)


def _perpetrator_pairs(network_like: NetworkLike, stays: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (stay position, perpetrator position) within two steps of the child during the stay's window.

    Step one is a tie of the child that started in the window [stay start, next
    move); step two is any tie of that person to a perpetrator that started
    before the window closed, or is undated (taken to exist already). Undated
    ties of the child are not counted: they cannot be placed in a window.
    """
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    network = as_network(network_like)
    if stays.empty or network.people.empty or "is_perpetrator" not in network.people:
        return empty
    a, b, start, _ = dated_ties(network_like)
    if len(a) == 0:
        return empty
    people = len(network.people)
    perpetrator = network.people["is_perpetrator"].fillna(False).to_numpy(dtype=bool)
    child = positions_in(stays["entity_id"], network.people["entity_id"], runs=True)
    window_start = stays["start"].to_numpy(dtype=np.int64)
    window_end = stays["window_end"].to_numpy(dtype=np.int64)

    def directed(from_a: np.ndarray, from_b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The picked ties as (from, to, start), each undirected tie read from the side(s) picked."""
        return np.r_[a[from_a], b[from_b]], np.r_[b[from_a], a[from_b]], np.r_[start[from_a], start[from_b]]

    # step one: dated ties of the children that started in the window
    in_care = np.zeros(people, dtype=bool)
    in_care[child[child >= 0]] = True
    dated = start != UNDATED
    su, sv, st = directed(in_care[a] & dated, in_care[b] & dated)
    order = np.argsort(su, kind="stable")
    su, sv, st = su[order], sv[order], st[order]
    q, pos = runs_of(su, child, people)
    inside = (st[pos] >= window_start[q]) & (st[pos] < window_end[q])
    q, first = q[inside], sv[pos[inside]]
    key = distinct(q.astype(np.int64) * people + first)
    q, first = key // people, key % people
    # step two: the earliest tie of each of those people to each perpetrator (undated = already there)
    reached_first = np.zeros(people, dtype=bool)
    reached_first[first] = True
    pu, pv, pt = directed(reached_first[a] & perpetrator[b], reached_first[b] & perpetrator[a])
    pair = pu.astype(np.int64) * people + pv
    order = np.lexsort((pt, pair))
    pair, pt = pair[order], pt[order]
    first_of_pair = np.r_[True, pair[1:] != pair[:-1]] if len(pair) else np.zeros(0, bool)
    eu, ev, et = pair[first_of_pair] // people, pair[first_of_pair] % people, pt[first_of_pair]
    q2, pos2 = runs_of(eu, first, people)
    stay2 = q[q2]
    reached = ev[pos2]
    ok = (et[pos2] < window_end[stay2]) & (reached != child[stay2])
    direct = perpetrator[first] & (first != child[q])
    stay_all = np.r_[q[direct], stay2[ok]]
    perp_all = np.r_[first[direct], reached[ok]]
    key = distinct(stay_all.astype(np.int64) * people + perp_all)
    return key // people, key % people


def _moves_table(network: Network, stays: pd.DataFrame, meetings: pd.DataFrame,
                 perpetrators: tuple[np.ndarray, np.ndarray]) -> pd.DataFrame:
    if stays.empty:
        return empty_table(MOVE_COLUMNS)
    frame = stays.reset_index(drop=True)
    # a peer is new at the stay where the pair first met (earliest co-placement, any setting)
    first_met = meetings.sort_values(["entity_id", "peer", "start", "move_number"], kind="stable")
    first_met = first_met.drop_duplicates(["entity_id", "peer"])
    new = first_met.groupby(["entity_id", "move_number"]).size().rename("new_peers")
    frame = frame.merge(new.reset_index(), on=["entity_id", "move_number"], how="left")
    frame["new_peers"] = frame["new_peers"].fillna(0).astype(np.int64)
    frame["cumulative_peers"] = frame.groupby("entity_id", sort=False)["new_peers"].cumsum()
    stay_of, perpetrator = perpetrators
    frame["perpetrators_within_two_steps"] = np.bincount(stay_of, minlength=len(frame))[: len(frame)]
    # a perpetrator counts towards the cumulative total at the first stay that reached them
    child = pd.factorize(frame["entity_id"])[0]
    key = child[stay_of].astype(np.int64) * max(len(network.people), 1) + perpetrator
    order = np.lexsort((stay_of, key))
    first = order[np.r_[True, key[order][1:] != key[order][:-1]]] if len(order) else order
    new_reach = np.bincount(stay_of[first], minlength=len(frame))[: len(frame)]
    frame["cumulative_perpetrators"] = pd.Series(new_reach).groupby(child).cumsum().to_numpy()

    places = network.places
    columns = ["category", "local_authority", "bcu", "force", "out_of_force", "latitude", "longitude", "coordinate_source"]
    if places is None or places.empty or "location_id" not in places:
        places = pd.DataFrame(columns=["location_id", *columns])
    places = places.drop_duplicates("location_id").set_index("location_id")
    places = places.reindex(columns=columns)
    to = places.reindex(frame["location_id"])
    first_stay = frame["move_number"].to_numpy() == 0
    from_location = frame["location_id"].shift(1).where(~first_stay)
    before = places.reindex(from_location)
    frame["from_location_id"] = from_location.to_numpy(dtype=object)
    frame["to_location_id"] = frame["location_id"]
    frame["move_date"] = pd.to_datetime(frame["start"], unit="s")

    distance = haversine_km(before["latitude"].to_numpy(dtype=float), before["longitude"].to_numpy(dtype=float),
                            to["latitude"].to_numpy(dtype=float), to["longitude"].to_numpy(dtype=float))
    frame["distance_km"] = distance
    rank = {name: i for i, name in enumerate(_PRECISION)}
    worse = np.maximum(before["coordinate_source"].map(rank).fillna(len(_PRECISION)).to_numpy(dtype=int),
                       to["coordinate_source"].map(rank).fillna(len(_PRECISION)).to_numpy(dtype=int))
    labels = np.array([*_PRECISION, "unknown"], dtype=object)
    known = ~np.isnan(distance)
    source = np.where(known, labels[np.minimum(worse, len(_PRECISION))], "unknown")
    frame["distance_source"] = np.where(first_stay, None, source)

    frame["to_category"] = to["category"].to_numpy(dtype=object)
    frame["to_local_authority"] = to["local_authority"].to_numpy(dtype=object)
    frame["to_bcu"] = to["bcu"].to_numpy(dtype=object)
    area_to = _area(to["bcu"], to["force"]).to_numpy(dtype=object)
    area_from = _area(before["bcu"], before["force"]).to_numpy(dtype=object)
    comparable = pd.notna(area_to) & pd.notna(area_from) & ~first_stay
    crossed = pd.array(np.where(comparable, area_to != area_from, False), dtype="boolean")
    crossed[~comparable] = pd.NA
    frame["crossed_bcu"] = crossed
    out = to["out_of_force"].astype("boolean").to_numpy()
    frame["out_of_force"] = out
    return typed_table(frame, MOVE_COLUMNS)


def care_moves(network: NetworkLike) -> pd.DataFrame:
    """Each looked-after child's moves between care settings, in order (``care_moves.csv``).

    One row per stay (move_number 0 is the first setting, ``from_location_id``
    empty; consecutive placements at one setting are one stay, not a move).
    ``distance_km`` is the great-circle distance between the two settings'
    coordinates, ``distance_source`` the less precise of the two coordinate
    sources (given, postcode, authority_centroid; unknown when either is
    missing). ``new_peers`` counts the children first met (co-placed) at this
    stay, ``cumulative_peers`` the distinct children met so far.
    ``crossed_bcu`` compares the settings' BCUs (an out-of-force area counts as
    its force; empty when either is unknown). ``perpetrators_within_two_steps``
    counts the distinct perpetrators reached in one or two steps over
    person-person ties (co_placed, co_missing, shared_identifier, contact,
    associate): the first step a tie of the child starting on or after the
    move date and before the next move (for the last stay, before it ends), the
    second any tie of that person to a perpetrator starting before that date or
    undated. ``cumulative_perpetrators`` counts the distinct perpetrators
    reached so far, over this and the earlier stays.

    Complexity: O((P + T) log T) for P placements and T person-person ties.

    Examples
    --------
    >>> moves = care_moves(network)            # doctest: +SKIP
    >>> moves.groupby("entity_id")["cumulative_peers"].max().describe()  # doctest: +SKIP
    """
    built = as_network(network)
    stays = _stays(built)
    if stays.empty:
        return no_rows(empty_table(MOVE_COLUMNS), *NO_PLACEMENTS)
    meetings = _meetings(built, stays)
    return _moves_table(built, stays, meetings, _perpetrator_pairs(network, stays))


def _band(values: np.ndarray, labels: tuple[str, ...], lower: np.ndarray) -> np.ndarray:
    """The label of the band each value falls in (bands start at ``lower``); None for NaN."""
    band = np.asarray(labels, dtype=object)[np.searchsorted(lower, values, side="right") - 1]
    return np.where(np.isnan(values.astype(float)), None, band)


def care_move_cohort(network: NetworkLike, moves: pd.DataFrame | None = None) -> pd.DataFrame:
    """Network size by number of moves (0-4, 5+) and by total distance moved (<10, 10-25, 25-50, 50+ km).

    Per child: peers = distinct children co-placed with them (final
    ``cumulative_peers``), perpetrators = distinct perpetrators within two
    steps over all their stays (final ``cumulative_perpetrators``; see
    ``care_moves``). A distance band uses the km of the moves whose distance
    is known; a child none of whose moves has a known distance is left out of
    the distance bands. Bands with no children are kept (children 0) so
    cohorts line up across jobs; no placements gives an empty frame. Pass
    ``moves`` (from ``care_moves``) to reuse them.
    """
    if moves is None:
        moves = care_moves(network)
    if moves.empty:
        return no_rows(empty_table(COHORT_COLUMNS), *NO_PLACEMENTS)
    if "cumulative_perpetrators" not in moves:
        # moves read back with the contract's columns only: work the perpetrators out again
        reached = care_moves(network)[["entity_id", "move_number", "cumulative_perpetrators"]]
        moves = moves.merge(reached, on=["entity_id", "move_number"], how="left")
    per_child = moves.groupby("entity_id", sort=True).agg(
        moves=("move_number", "max"), km=("distance_km", "sum"), known=("distance_km", "count"),
        peers=("cumulative_peers", "max"), perpetrators=("cumulative_perpetrators", "max"))
    per_child.loc[(per_child["known"] == 0) & (per_child["moves"] > 0), "km"] = np.nan
    move_band = _band(np.minimum(per_child["moves"].to_numpy(), 5), MOVE_BANDS, np.arange(6))
    lower = np.array([low for _, low in DISTANCE_BANDS])
    distance_band = _band(per_child["km"].to_numpy(), tuple(label for label, _ in DISTANCE_BANDS), lower)
    rows = []
    for group_by, bands, labels in (("moves", move_band, MOVE_BANDS),
                                    ("distance_km", distance_band, tuple(label for label, _ in DISTANCE_BANDS))):
        grouped = per_child.groupby(pd.Categorical(bands, categories=labels), observed=False)
        table = pd.DataFrame({
            "children": grouped.size(),
            "mean_peers": grouped["peers"].mean(),
            "median_peers": grouped["peers"].median(),
            "mean_perpetrators_within_two_steps": grouped["perpetrators"].mean(),
        })
        table.insert(0, "band", list(labels))
        table.insert(0, "group_by", group_by)
        rows.append(table)
    return typed_table(pd.concat(rows, ignore_index=True), COHORT_COLUMNS)


def care_move_counterfactual(network: NetworkLike, *, max_moves: tuple[int, ...] = (1, 2, 3),
                             within_home_bcu: bool = True) -> pd.DataFrame:
    """How much smaller the children's co-placement network would be with fewer or nearer moves.

    Scenarios: ``max_moves_N`` (each child's moves capped at N: only
    co-placements in the first N+1 stays count) and ``within_home_bcu`` (every
    child placed in their home BCU: co-placements at a setting outside it are
    removed; an out-of-force area counts as its force; a child or setting of
    unknown area keeps its co-placements). A pair of children keeps its tie
    when at least one of their co-placements happened within the rule for
    *both* children; staying on at the last allowed setting is assumed to
    bring no new peers, so the scenario count is a lower bound.
    ``peers_*`` sum each child's distinct peers (every tie counts for both
    children); ``ties_removed`` counts the pairs that would not have met,
    ``victim_ties_removed`` those where both children are victims.
    """
    network = as_network(network)
    stays = _stays(network)
    if stays.empty:
        return no_rows(empty_table(COUNTERFACTUAL_COLUMNS), *NO_PLACEMENTS)
    children = int(stays["entity_id"].nunique())
    meetings = _meetings(network, stays)
    # both children's stays for each co-placement edge; sorting by entity puts the pair in (a < b) order
    sides = meetings.sort_values(["edge", "entity_id"], kind="stable")
    counts = sides.groupby("edge")["entity_id"].transform("size")
    sides = sides[counts == 2]
    a, b = sides.iloc[0::2].reset_index(drop=True), sides.iloc[1::2].reset_index(drop=True)
    pair = pd.DataFrame({
        "a": a["entity_id"].to_numpy(dtype=object), "b": b["entity_id"].to_numpy(dtype=object),
        "location_id": a["location_id"].to_numpy(dtype=object),
        "move_a": a["move_number"].to_numpy(dtype=np.int64), "move_b": b["move_number"].to_numpy(dtype=np.int64),
    })
    people = network.people.drop_duplicates("entity_id").set_index("entity_id")
    victim = people["is_victim"] if "is_victim" in people else pd.Series(False, index=people.index)
    both_victims = (victim.reindex(pair["a"]).fillna(False).to_numpy(dtype=bool)
                    & victim.reindex(pair["b"]).fillna(False).to_numpy(dtype=bool))
    pair_key = pd.factorize(pair["a"] + "|" + pair["b"])[0]
    n_pairs = int(pair_key.max()) + 1 if len(pair_key) else 0
    victim_pair = np.zeros(n_pairs, dtype=bool)
    victim_pair[pair_key] = both_victims
    pair_a = np.empty(n_pairs, dtype=object)
    pair_b = np.empty(n_pairs, dtype=object)
    pair_a[pair_key], pair_b[pair_key] = pair["a"].to_numpy(), pair["b"].to_numpy()

    scenarios: list[tuple[str, np.ndarray]] = []
    for cap in max_moves:
        scenarios.append((f"max_moves_{int(cap)}", (pair["move_a"].to_numpy() <= cap) & (pair["move_b"].to_numpy() <= cap)))
    if within_home_bcu:
        home = _area(people["bcu"], people["force"]) if {"bcu", "force"} <= set(people.columns) else pd.Series(dtype=object)
        places = network.places.drop_duplicates("location_id").set_index("location_id") if len(network.places) else None
        setting = (_area(places["bcu"], places["force"]).reindex(pair["location_id"]).to_numpy(dtype=object)
                   if places is not None else np.full(len(pair), None, dtype=object))
        keep = np.ones(len(pair), dtype=bool)
        for side in ("a", "b"):
            area = home.reindex(pair[side]).to_numpy(dtype=object)
            known = pd.notna(area) & pd.notna(setting)
            keep &= ~known | (area == setting)
        scenarios.append(("within_home_bcu", keep))

    rows = []
    peers_actual = 2 * n_pairs
    for name, kept in scenarios:
        survives = np.bincount(pair_key, weights=kept, minlength=n_pairs) > 0
        lost = ~survives
        losers = pd.unique(np.r_[pair_a[lost], pair_b[lost]]) if lost.any() else []
        peers_scenario = 2 * int(survives.sum())
        rows.append({
            "scenario": name, "children": children, "peers_actual": peers_actual, "peers_scenario": peers_scenario,
            "reduction": peers_actual - peers_scenario,
            "reduction_pct": 100.0 * (peers_actual - peers_scenario) / peers_actual if peers_actual else np.nan,
            "children_affected": len(losers), "ties_removed": int(lost.sum()),
            "victim_ties_removed": int((lost & victim_pair).sum()),
        })
    if not rows:
        return no_rows(empty_table(COUNTERFACTUAL_COLUMNS), "no scenario was asked for (max_moves is empty and "
                       "within_home_bcu is false)", "pass max_moves or within_home_bcu=True")
    return typed_table(pd.DataFrame(rows), COUNTERFACTUAL_COLUMNS)
