"""Missing-from-care analyses: children who go missing together, and each child's missing profile.

Children who run off together, especially peers who met in a children's home,
and the places they are found at, are among the earliest signs of
exploitation: the found places and the people tied to them point at the
network drawing the children in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._arrow import isin
from ..build import Network, overlapping_pairs
from ..contract import PERPETRATOR_ROLES
from .core import EXPLOITATION_CATEGORIES, NetworkLike, as_network, empty_table, join_groups, no_rows, plural

__all__ = ["REQUIRES", "LINK_COLUMNS", "PROFILE_COLUMNS", "joint_episodes", "missing_links",
           "missing_profile"]

#: input tables the analyses need (placements, locations, events and contacts add detail when present)
REQUIRES: tuple[str, ...] = ("missing_episodes",)

#: output columns of ``missing_links.csv``; the first four are the data contract's
LINK_COLUMNS = [
    "entity_id_a", "entity_id_b", "reason", "episodes", "n_episodes", "co_placed", "co_placed_setting",
    "met_before_missing", "found_locations", "found_location_categories", "first_together", "last_together",
    "n_missing_a", "n_missing_b", "repeat_missing",
]
#: output columns of ``missing_profile``
PROFILE_COLUMNS = [
    "entity_id", "n_episodes", "repeat_missing", "first_start", "last_start", "found_locations",
    "found_businesses", "found_with", "place_perpetrators", "place_phone_perpetrators",
]
_TYPES = {
    "n_episodes": "int64", "co_placed": "bool", "met_before_missing": "bool", "first_together": "datetime64[s]",
    "last_together": "datetime64[s]", "n_missing_a": "int64", "n_missing_b": "int64", "repeat_missing": "bool",
    "first_start": "datetime64[s]", "last_start": "datetime64[s]",
}


def _empty(columns: list[str]) -> pd.DataFrame:
    return empty_table({c: _TYPES.get(c, "str") for c in columns})


def _episode_ends(episodes: pd.DataFrame, open_hours: float) -> pd.Series:
    """Episode end, an open episode lasting ``open_hours`` (the rule the network's co_missing edges use)."""
    start = pd.to_datetime(episodes["start"])
    return pd.to_datetime(episodes["end"]).fillna(start + pd.Timedelta(hours=open_hours))


def joint_episodes(network: NetworkLike) -> pd.DataFrame:
    """Every pair of episodes behind the network's co_missing edges, one row per (pair, occasion).

    Columns ``entity_id_a < entity_id_b``, ``kind`` (found_together: one
    child's episode names the other in found_with; found_at_same_place: the
    two were missing at overlapping times and found at one place),
    ``episode_a``/``episode_b`` (either may be missing: a child named in
    found_with with no overlapping episode of their own) and ``start`` (the
    earlier start). Includes people named in found_with who never went
    missing themselves.
    """
    columns = ["entity_id_a", "entity_id_b", "kind", "episode_a", "episode_b", "start"]
    network = as_network(network)
    episodes = network.episodes
    if episodes.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[s]" if c == "start" else "str") for c in columns})
    episodes = episodes.dropna(subset=["entity_id"]).reset_index(drop=True)
    start = pd.to_datetime(episodes["start"]).to_numpy(dtype="datetime64[s]")
    end = _episode_ends(episodes, network.settings.open_episode_hours).to_numpy(dtype="datetime64[s]")
    owner = episodes["entity_id"].to_numpy(dtype=object)
    ids = episodes["episode_id"].to_numpy(dtype=object)
    parts = []
    # found together: x's episode names y; y's own episodes overlapping it, when there are any
    named = episodes["found_with_entities"].map(len).to_numpy() if "found_with_entities" in episodes else np.zeros(0)
    if named.sum():
        row = np.repeat(np.arange(len(episodes)), named)
        other = np.concatenate([t for t in episodes["found_with_entities"].to_numpy() if len(t)]).astype(object)
        keep = owner[row] != other
        row, other = row[keep], other[keep]
        together = pd.DataFrame({"row": row, "other": other})
        theirs = pd.DataFrame({"other": owner, "row_other": np.arange(len(episodes))})
        matched = together.reset_index().merge(theirs, on="other")
        r, o = matched["row"].to_numpy(), matched["row_other"].to_numpy()
        matched = matched[(start[o] < end[r]) & (start[r] < end[o])]
        alone = together[~np.isin(np.arange(len(together)), matched["index"].to_numpy())]
        r = np.concatenate([matched["row"].to_numpy(), alone["row"].to_numpy()]).astype(np.int64)
        o = np.concatenate([matched["row_other"].to_numpy(), np.full(len(alone), -1)]).astype(np.int64)
        y = np.concatenate([matched["other"].to_numpy(dtype=object), alone["other"].to_numpy(dtype=object)])
        parts.append((owner[r], y, "found_together", ids[r], np.where(o >= 0, ids[np.maximum(o, 0)], None),
                      np.where(o >= 0, np.minimum(start[r], start[np.maximum(o, 0)]), start[r])))
    # missing at overlapping times, found at one place
    found = np.flatnonzero(episodes["found_location_id"].notna().to_numpy())
    if len(found) > 1:
        group, _ = pd.factorize(episodes["found_location_id"].to_numpy()[found])
        hours_start = start[found].astype("int64") / 3600.0
        hours_end = np.maximum(end[found].astype("int64") / 3600.0, hours_start + 1e-6)
        i, j = overlapping_pairs(group.astype(np.int64), hours_start, hours_end)
        i, j = found[i], found[j]
        keep = owner[i] != owner[j]
        i, j = i[keep], j[keep]
        parts.append((owner[i], owner[j], "found_at_same_place", ids[i], ids[j], np.minimum(start[i], start[j])))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[s]" if c == "start" else "str") for c in columns})
    x = np.concatenate([p[0] for p in parts]).astype(object)
    y = np.concatenate([p[1] for p in parts]).astype(object)
    ex = np.concatenate([p[3] for p in parts]).astype(object)
    ey = np.concatenate([p[4] for p in parts]).astype(object)
    swap = x > y
    frame = pd.DataFrame({
        "entity_id_a": np.where(swap, y, x), "entity_id_b": np.where(swap, x, y),
        "kind": np.concatenate([np.full(len(p[0]), p[2], dtype=object) for p in parts]),
        "episode_a": np.where(swap, ey, ex), "episode_b": np.where(swap, ex, ey),
        "start": np.concatenate([p[5] for p in parts]).astype("datetime64[s]"),
    })
    frame = frame.astype({c: "str" for c in columns if c != "start"})
    frame = frame.drop_duplicates()
    return frame.sort_values(["entity_id_a", "entity_id_b", "start", "kind"], kind="stable").reset_index(drop=True)


def _co_placements(network: Network) -> pd.DataFrame:
    """Per co-placed pair: the settings (``;``) and the earliest start of their overlaps."""
    edges = network.edges_of("co_placed")
    keys = ["entity_id_a", "entity_id_b"]
    if edges.empty:
        return pd.DataFrame({"entity_id_a": pd.Series(dtype="str"), "entity_id_b": pd.Series(dtype="str"),
                             "co_placed_setting": pd.Series(dtype="str"), "co_placed_from": pd.Series(dtype="datetime64[s]")})
    edges = pd.DataFrame({"entity_id_a": edges["source"].to_numpy(), "entity_id_b": edges["target"].to_numpy(),
                          "setting": edges["via"].to_numpy(), "start": pd.to_datetime(edges["start"]).to_numpy()})
    settings = join_groups(edges, keys, "setting")[keys + ["setting"]].rename(columns={"setting": "co_placed_setting"})
    earliest = edges.groupby(keys, as_index=False)["start"].min().rename(columns={"start": "co_placed_from"})
    return settings.merge(earliest.astype({"co_placed_from": "datetime64[s]"}), on=keys, how="left")


#: why the missing-episode tables are empty without episodes
NO_EPISODES = ("the missing_episodes table has no kept rows",
               "correct the missing_episodes rows listed in rejects.csv (every row needs episode_id, record_id and start)")


def _why_no_links(network: Network, joint: pd.DataFrame, children: int) -> tuple[str, str]:
    episodes = network.episodes
    if len(joint):
        others = int(pd.concat([joint["entity_id_a"], joint["entity_id_b"]]).nunique()) - children
        return (f"children were found with {plural(max(others, 1), 'person', 'people')} who never went missing "
                "themselves, and missing_links pairs children who both went missing (those people are in "
                "missing_profile.csv found_with and candidate_links.csv)",
                "nothing to change: no two children with episodes were missing together in this data")
    named = int((episodes["found_with_entities"].map(len) > 0).sum()) if "found_with_entities" in episodes else 0
    located = int(episodes["found_location_id"].notna().sum()) if "found_location_id" in episodes else 0
    hours = network.settings.open_episode_hours
    return (f"no two of the {plural(children, 'child', 'children')} with {plural(len(episodes), 'episode')} were missing "
            f"together: {named:,} episodes name anyone in found_with, and no two children's episodes overlapped in time "
            f"and ended at the same found_location_id ({located:,} episodes have one; an episode with no end lasts "
            f"network.open_episode_hours, now {hours:g})",
            "fill missing_episodes.found_with and found_location_id where they are known, or raise "
            "network.open_episode_hours for episodes recorded without an end")


def missing_links(network: NetworkLike, *, repeat_threshold: int = 3) -> pd.DataFrame:
    """Pairs of children who went missing together (the network's co_missing edges), with the evidence.

    ``reason`` is found_together (an episode names the other child in
    found_with), found_at_same_place (missing at overlapping times, found at
    one place) or both; ``episodes`` the ``;``-joined episodes of both
    children on those occasions. ``co_placed`` says the two were also placed
    together (``co_placed_setting``: where), ``met_before_missing`` that a
    co-placement began on or before an occasion they went missing together:
    the care setting may be where they met. ``found_locations`` and their
    categories are where those episodes ended. ``repeat_missing``: both
    children went missing at least ``repeat_threshold`` times.

    Only pairs where both went missing: a child found with someone who was
    never missing (often an adult) is in ``missing_profile``'s found_with
    and in ``candidate_links``. Sorted by the number of episodes (most
    first), then by the ids. Empty, with the same columns, without episodes.
    """
    network = as_network(network)
    joint = joint_episodes(network)
    episodes = network.episodes
    if episodes.empty:
        return no_rows(_empty(LINK_COLUMNS), *NO_EPISODES)
    counts = episodes.groupby("entity_id").size()
    both = joint[isin(joint["entity_id_a"], counts.index) & isin(joint["entity_id_b"], counts.index)]
    if both.empty:
        return no_rows(_empty(LINK_COLUMNS), *_why_no_links(network, joint, len(counts)))
    joint = both
    keys = ["entity_id_a", "entity_id_b"]
    grouped = joint.groupby(keys, sort=True)
    out = grouped["start"].agg(["min", "max"]).reset_index().rename(columns={"min": "first_together", "max": "last_together"})
    kinds = join_groups(joint, keys, "kind")
    kinds["reason"] = kinds["kind"].where(kinds["n"] == 1, "both")
    out = out.merge(kinds[keys + ["reason"]], on=keys, how="left")
    long = pd.concat([joint[keys + ["episode_a"]].rename(columns={"episode_a": "episode_id"}),
                      joint[keys + ["episode_b"]].rename(columns={"episode_b": "episode_id"})], ignore_index=True)
    listed = join_groups(long, keys, "episode_id")
    out = out.merge(listed.rename(columns={"episode_id": "episodes", "n": "n_episodes"}), on=keys, how="left")
    places = long.dropna().merge(episodes[["episode_id", "found_location_id"]], on="episode_id")
    found = join_groups(places, keys, "found_location_id")[keys + ["found_location_id"]]
    out = out.merge(found.rename(columns={"found_location_id": "found_locations"}), on=keys, how="left")
    if len(network.places):
        places = places.merge(network.places[["location_id", "category"]],
                              left_on="found_location_id", right_on="location_id")
        categories = join_groups(places, keys, "category")[keys + ["category"]]
        out = out.merge(categories.rename(columns={"category": "found_location_categories"}), on=keys, how="left")
    out = out.merge(_co_placements(network), on=keys, how="left")
    out["co_placed"] = out["co_placed_setting"].notna()
    out["met_before_missing"] = (out["co_placed_from"] <= out["last_together"]).fillna(False).astype(bool)
    out["n_missing_a"] = counts.reindex(out["entity_id_a"]).to_numpy()
    out["n_missing_b"] = counts.reindex(out["entity_id_b"]).to_numpy()
    out["repeat_missing"] = (out["n_missing_a"] >= repeat_threshold) & (out["n_missing_b"] >= repeat_threshold)
    out = out.sort_values(["n_episodes", "entity_id_a", "entity_id_b"], ascending=[False, True, True], kind="stable")
    return _typed(out, LINK_COLUMNS)


def _typed(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for column in columns:
        kind = _TYPES.get(column, "str")
        value = frame[column] if column in frame else pd.Series("", index=frame.index)
        if kind == "str":
            value = value.fillna("")
        out[column] = value.astype(kind)
    return out.reset_index(drop=True)


def _place_people(network: Network, perpetrators: pd.Index,
                  categories: tuple[str, ...] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(location_id, person) for perpetrators tied to a place by an event there, and by phone contact with it."""
    columns = {"location_id": pd.Series(dtype="str"), "person": pd.Series(dtype="str")}
    events = pd.DataFrame(columns)
    participation = network.participation
    if len(participation):
        tied = participation["role"].isin(PERPETRATOR_ROLES).to_numpy(dtype=bool) & participation["location_id"].notna().to_numpy()
        if categories is not None:
            tied &= participation["category"].isin(categories).to_numpy(dtype=bool)
        tied = participation[tied]
        events = pd.DataFrame({"location_id": tied["location_id"].to_numpy(), "person": tied["entity_id"].to_numpy()})
    phones = pd.DataFrame(columns)
    contacts = network.contacts
    if len(contacts):
        parts = []
        for place, person in (("source", "target"), ("target", "source")):
            rows = contacts[(contacts[f"{place}_type"] == "place") & (contacts[f"{person}_type"] == "person")]
            rows = rows[isin(rows[person], perpetrators)]
            parts.append(pd.DataFrame({"location_id": rows[place].to_numpy(), "person": rows[person].to_numpy()}))
        phones = pd.concat(parts, ignore_index=True)
    return events.dropna().drop_duplicates(), phones.dropna().drop_duplicates()


def missing_profile(network: NetworkLike, *, repeat_threshold: int = 3,
                    event_categories: tuple[str, ...] | None = EXPLOITATION_CATEGORIES) -> pd.DataFrame:
    """One row per child with missing episodes: how often, where found, with whom, and who is tied to those places.

    ``repeat_missing``: at least ``repeat_threshold`` episodes.
    ``found_locations`` / ``found_businesses``: where the episodes ended (all
    places / the businesses among them); ``found_with``: the people named in
    found_with. ``place_perpetrators``: perpetrators (suspects, offenders) of
    events at those found places; ``place_phone_perpetrators``: perpetrators
    whose phones were in contact with the phones of those places. Only
    perpetrators are listed from phone contact: a takeaway's customers are
    not intelligence. All lists are ``;``-joined and sorted, and never
    include the child. Sorted by the number of episodes (most first), then id.
    """
    columns = PROFILE_COLUMNS
    network = as_network(network)
    episodes = network.episodes
    if episodes.empty:
        return no_rows(_empty(columns), *NO_EPISODES)
    episodes = episodes.dropna(subset=["entity_id"])
    key = ["entity_id"]
    grouped = episodes.groupby("entity_id", sort=True)
    out = pd.DataFrame({"n_episodes": grouped.size(), "first_start": grouped["start"].min(),
                        "last_start": grouped["start"].max()}).reset_index()
    out["repeat_missing"] = out["n_episodes"] >= repeat_threshold
    seen = episodes[["entity_id", "found_location_id"]].dropna().drop_duplicates()

    def add(frame: pd.DataFrame, value: str, column: str) -> None:
        nonlocal out
        frame = frame[frame[value] != frame["entity_id"]] if value != "found_location_id" else frame
        joined = join_groups(frame, key, value)[key + [value]].rename(columns={value: column})
        out = out.merge(joined, on=key, how="left")

    add(seen, "found_location_id", "found_locations")
    businesses = network.places.loc[network.places["is_business"].astype(bool), "location_id"] if len(network.places) else []
    add(seen[isin(seen["found_location_id"], businesses)], "found_location_id", "found_businesses")
    named = episodes[["entity_id", "found_with_entities"]].explode("found_with_entities").dropna()
    add(named.rename(columns={"found_with_entities": "person"}), "person", "found_with")
    perpetrators = pd.Index(network.people.loc[network.people["is_perpetrator"].astype(bool), "entity_id"])
    by_event, by_phone = _place_people(network, perpetrators, event_categories)
    seen = seen.rename(columns={"found_location_id": "location_id"})
    add(seen.merge(by_event, on="location_id"), "person", "place_perpetrators")
    add(seen.merge(by_phone, on="location_id"), "person", "place_phone_perpetrators")
    out = out.sort_values(["n_episodes", "entity_id"], ascending=[False, True], kind="stable")
    return _typed(out, columns)
