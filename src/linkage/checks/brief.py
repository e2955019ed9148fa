"""Missing-child briefing: one page for an officer taking a missing-from-home or missing-from-care report.

Project Empra found that the investigation of a missing child focused on
locating and returning them; where the child had been, how they got there and
with whom were rarely progressed. ``missing_brief`` puts that on one page,
from the job folder alone:

- the current placement and the placement history;
- where the child was found before, ranked by how often, then how recently;
- who the child went missing with or was found with (usual companions first),
  and each companion's own found-locations;
- businesses and places linked to the child and the companions (found there,
  events there, contacts with the place's phone);
- perpetrators within two steps, and people who share a phone or vehicle with
  a companion (candidate links);
- phones and vehicles held by the child and the companions, as the job holds
  them (pseudonymised ids in a job on pseudonymised data);
- questions to ask on return, made from the gaps.

Every row carries ``source``: the placement, episode or event ids (or the
identifier) it comes from, so each line can be checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..build import Network
from .job_data import JobData

__all__ = ["Brief", "MAX_QUESTIONS", "missing_brief", "children_missing_now"]

#: questions to ask on return, at most (the briefing is one page)
MAX_QUESTIONS = 6


@dataclass
class Brief:
    """The briefing's sections, each a table whose ``source`` column names the records behind a row."""

    child: str
    label: str
    facts: dict
    placements: pd.DataFrame
    found_places: pd.DataFrame
    companions: pd.DataFrame
    places: pd.DataFrame
    people_of_concern: pd.DataFrame
    identifiers: pd.DataFrame
    episodes: pd.DataFrame
    questions: list[tuple[str, str]] = field(default_factory=list)


def _ids(values) -> str:
    return ";".join(sorted({str(v) for v in values if isinstance(v, str) and v}))


def _place_names(job: JobData) -> pd.DataFrame:
    columns = ["name", "category", "postcode", "local_authority", "bcu", "is_business"]
    return job.cached("place_names", lambda: job.network.places.drop_duplicates("location_id").set_index(
        "location_id").reindex(columns=columns))


def _describe(places: pd.DataFrame, location_id: str, *, address: bool = True) -> str:
    """A place as an officer reads it: its name (or category) and, with ``address``, postcode and authority."""
    if location_id not in places.index:
        return location_id
    row = places.loc[location_id]
    name = row["name"] if isinstance(row["name"], str) and row["name"] else str(row["category"]).replace("_", " ")
    if not address:
        return f"{name} ({row['postcode']})" if isinstance(row["postcode"], str) and row["postcode"] else name
    where = ", ".join(v for v in (row["postcode"], row["local_authority"]) if isinstance(v, str) and v)
    return f"{name} ({where})" if where else name


def _found_places(episodes: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    found = episodes.dropna(subset=["found_location_id"])
    if found.empty:
        return pd.DataFrame(columns=["location_id", "place", "times", "last_found", "source"])
    grouped = found.groupby("found_location_id").agg(times=("episode_id", "size"), last_found=("start", "max"),
                                                     source=("episode_id", _ids))
    grouped = grouped.reset_index().rename(columns={"found_location_id": "location_id"})
    grouped = grouped.sort_values(["times", "last_found", "location_id"], ascending=[False, False, True])
    grouped.insert(1, "place", [_describe(places, p) for p in grouped["location_id"]])
    return grouped.reset_index(drop=True)


def _their_found_places(network: Network, people: list[str], names: pd.DataFrame, top: int = 2) -> pd.Series:
    """Each person's ``top`` found places, most often then most recently first, as text: ``place xN; ...``."""
    own = network.episodes[network.episodes["entity_id"].isin(people)].dropna(subset=["found_location_id"])
    if own.empty:
        return pd.Series(dtype=str)
    counted = own.groupby(["entity_id", "found_location_id"], as_index=False).agg(
        times=("episode_id", "size"), last=("start", "max"))
    counted = counted.sort_values(["entity_id", "times", "last", "found_location_id"],
                                  ascending=[True, False, False, True]).groupby("entity_id").head(top)
    text = [f"{_describe(names, p, address=False)} x{n}" for p, n in zip(counted["found_location_id"], counted["times"])]
    return pd.Series(text, index=counted["entity_id"].to_numpy()).groupby(level=0).agg("; ".join)


def _companions(job: JobData, child: str, episodes: pd.DataFrame) -> pd.DataFrame:
    """People the child went missing with or was found with: one row per person, most episodes together first."""
    rows = []
    for episode in episodes.itertuples(index=False):
        for other in episode.found_with_entities or ():
            if other != child:
                rows.append((other, episode.episode_id, episode.start, "found with"))
    co = job.edges_of("co_missing")
    co = co[(co["source"] == child) | (co["target"] == child)]
    for edge in co.itertuples(index=False):
        other = edge.target if edge.source == child else edge.source
        for episode_id in str(edge.via).split(";"):
            rows.append((other, episode_id, edge.start, str(edge.kind).replace("_", " ")))
    if not rows:
        return pd.DataFrame(columns=["entity_id", "label", "episodes_together", "last_together", "how", "flags",
                                     "source"])
    frame = pd.DataFrame(rows, columns=["entity_id", "episode_id", "start", "how"])
    table = frame.groupby("entity_id").agg(episodes_together=("episode_id", "nunique"), last_together=("start", "max"),
                                           how=("how", lambda v: ";".join(sorted(set(";".join(v).split(";"))))),
                                           source=("episode_id", _ids)).reset_index()
    people = job.people
    table.insert(1, "label", people["label"].reindex(table["entity_id"]).fillna("").to_numpy())
    roles = people[["exploitation", "role"]].reindex(table["entity_id"]).fillna("")
    table["flags"] = [";".join(v for v in (e, r) if v) for e, r in roles.itertuples(index=False)]
    table = table.sort_values(["episodes_together", "last_together", "entity_id"], ascending=[False, False, True])
    return table.reset_index(drop=True)


def _linked_places(job: JobData, people: list[str], names: pd.DataFrame) -> pd.DataFrame:
    """Places linked to ``people``: found there, events there, contacts with the place's phone."""
    network = job.network
    parts = []
    episodes = network.episodes[network.episodes["entity_id"].isin(people)].dropna(subset=["found_location_id"])
    parts.append(pd.DataFrame({"location_id": episodes["found_location_id"].to_numpy(),
                               "entity_id": episodes["entity_id"].to_numpy(), "link": "found there",
                               "source": episodes["episode_id"].to_numpy()}))
    party = network.participation[network.participation["entity_id"].isin(people)].dropna(subset=["location_id"])
    parts.append(pd.DataFrame({"location_id": party["location_id"].to_numpy(), "entity_id": party["entity_id"].to_numpy(),
                               "link": "event there", "source": party["event_id"].to_numpy()}))
    contacts = job.edges_of("contact")
    for mine, theirs in (("source", "target"), ("target", "source")):
        hit = contacts[contacts[mine].isin(people) & (contacts[f"{theirs}_type"] == "place")]
        parts.append(pd.DataFrame({"location_id": hit[theirs].to_numpy(), "entity_id": hit[mine].to_numpy(),
                                   "link": "phone contact", "source": "contacts"}))
    links = pd.concat(parts, ignore_index=True)
    if links.empty:
        return pd.DataFrame(columns=["location_id", "place", "business", "people_linked", "links", "how", "source"])
    table = links.groupby("location_id").agg(
        people_linked=("entity_id", "nunique"), links=("entity_id", "size"),
        how=("link", lambda v: ";".join(sorted(set(v)))), source=("source", _ids)).reset_index()
    table.insert(1, "place", [_describe(names, p) for p in table["location_id"]])
    table.insert(2, "business", names["is_business"].reindex(table["location_id"]).fillna(False).astype(bool).to_numpy())
    table = table.sort_values(["business", "people_linked", "links", "location_id"], ascending=[False, False, False, True])
    return table.reset_index(drop=True)


def _people_of_concern(job: JobData, child: str, companions: list[str]) -> pd.DataFrame:
    """Perpetrators within two steps of the child, and people sharing a phone or vehicle with a companion."""
    network = job.network
    people = job.people
    names = network.people["entity_id"].astype(str).to_numpy(dtype=object)
    perpetrator = network.people["is_perpetrator"].fillna(False).to_numpy(dtype=bool)
    rows = []
    position = job.person_positions([child])
    first = job.ties.around(position)
    for step, found in ((1, first), (2, np.setdiff1d(job.ties.around(first), np.r_[first, position]))):
        for who in names[found[perpetrator[found]]]:
            rows.append((who, f"perpetrator, {step} step{'s' if step > 1 else ''} from the child", ""))
    shared = job.edges_of("shared_identifier")
    known = set(companions) | {child}
    for mine, theirs in (("source", "target"), ("target", "source")):
        hit = shared[shared[mine].isin(companions) & ~shared[theirs].isin(known)]
        for edge in hit.itertuples(index=False):
            rows.append((getattr(edge, theirs), f"shares a {edge.kind} with companion {getattr(edge, mine)}", edge.via))
    if not rows:
        return pd.DataFrame(columns=["entity_id", "label", "why", "source"])
    table = pd.DataFrame(rows, columns=["entity_id", "why", "source"])
    table = table.groupby("entity_id").agg(why=("why", "; ".join), source=("source", _ids)).reset_index()
    table.insert(1, "label", people["label"].reindex(table["entity_id"]).fillna("").to_numpy())
    table["candidate_link"] = table["why"].str.contains("shares a", regex=False)
    return table.sort_values(["candidate_link", "entity_id"], ascending=[False, True]).reset_index(drop=True)


def _identifiers(job: JobData, holders: list[str]) -> pd.DataFrame:
    holds = job.edges_of("holds")
    holds = holds[holds["source"].isin(holders) & holds["kind"].isin(["phone", "vehicle"])]
    if holds.empty:
        return pd.DataFrame(columns=["identifier", "kind", "held_by", "source"])
    table = holds.groupby("target").agg(kind=("kind", "first"), held_by=("source", _ids)).reset_index()
    table = table.rename(columns={"target": "identifier"})
    table["source"] = "identifiers"
    return table.sort_values(["kind", "identifier"]).reset_index(drop=True)


def _questions(brief: Brief) -> list[tuple[str, str]]:
    """Questions to ask on return, from the gaps in what is known (each with its source)."""
    questions = []
    for place in brief.found_places.head(3).itertuples(index=False):
        if place.times < 2:
            continue
        episodes = set(place.source.split(";"))
        with_ = [c for c in brief.companions.itertuples(index=False) if episodes & set(c.source.split(";"))]
        who = f" with {with_[0].label or with_[0].entity_id}" if with_ else ""
        questions.append((f"Found at {place.place} {place.times} times{who}: who else goes there, and how does the "
                          "child get there?", place.source))
    undated = brief.episodes[brief.episodes["found_location_id"].isna() & brief.episodes["end"].notna()]
    if len(undated):
        questions.append((f"{len(undated)} episode(s) have no found location recorded: where was the child?",
                          _ids(undated["episode_id"])))
    for companion in brief.companions.head(3).itertuples(index=False):
        questions.append((f"Went missing with {companion.label or companion.entity_id} {companion.episodes_together} "
                          "time(s): where do they go together, and who do they meet?", companion.source))
    for place in brief.places[brief.places["business"]].head(2).itertuples(index=False):
        if place.people_linked > 1:
            questions.append((f"{place.place} is linked to {place.people_linked} people in the child's network: has the "
                              "child been there, with whom?", place.source))
    for person in brief.people_of_concern[brief.people_of_concern["candidate_link"]].head(2).itertuples(index=False):
        questions.append((f"{person.label or person.entity_id} {person.why.split('; ')[0]}: does the child know them?",
                          person.source))
    return questions


def missing_brief(job: JobData, child: str) -> Brief:
    """The briefing for ``child`` (an entity id or record id); see the module docstring."""
    network = job.network
    entity = job.child(child)
    names = _place_names(job)
    person = job.people.loc[entity]
    placements = network.placements[network.placements["entity_id"] == entity].sort_values(["start_date", "placement_id"])
    placements = pd.DataFrame({
        "location_id": placements["location_id"].to_numpy(),
        "place": [_describe(names, p) for p in placements["location_id"]],
        "start": placements["start_date"].to_numpy(), "end": placements["end_date"].to_numpy(),
        "type": placements["placement_type"].to_numpy(), "source": placements["placement_id"].to_numpy(),
    })
    episodes = network.episodes[network.episodes["entity_id"] == entity].sort_values(["start", "episode_id"])
    companions = _companions(job, entity, episodes)
    circle = companions["entity_id"].astype(str).tolist()
    companions["their_found_places"] = _their_found_places(network, circle, names).reindex(
        companions["entity_id"]).fillna("").to_numpy()
    latest = episodes.iloc[-1] if len(episodes) else None
    facts = {
        "entity_id": entity, "label": person.get("label"), "flags": ";".join(
            v for v in (person.get("exploitation"), person.get("role")) if isinstance(v, str) and v),
        "home": ", ".join(str(v) for v in (person.get("local_authority"), person.get("bcu")) if isinstance(v, str)),
        "episodes": len(episodes),
        "missing_now": latest is not None and pd.isna(latest["end"]),
        "latest_episode": None if latest is None else latest["episode_id"],
        "latest_start": None if latest is None else latest["start"],
        "current_placement": None if placements.empty or pd.notna(placements["end"].iloc[-1])
        else placements["place"].iloc[-1],
        "as_of": network.open_until,
    }
    brief = Brief(
        child=entity, label=str(person.get("label") or entity), facts=facts, placements=placements,
        found_places=_found_places(episodes, names), companions=companions,
        places=_linked_places(job, [entity, *circle], names),
        people_of_concern=_people_of_concern(job, entity, circle),
        identifiers=_identifiers(job, [entity, *circle]),
        episodes=episodes[["episode_id", "start", "end", "from_location_id", "found_location_id"]].reset_index(drop=True),
    )
    brief.questions = _questions(brief)[:MAX_QUESTIONS]
    return brief


def children_missing_now(job: JobData) -> list[str]:
    """The children whose latest missing episode has no end (for ``--all-missing-now``), in entity id order."""
    episodes = job.network.episodes.sort_values(["entity_id", "start", "episode_id"])
    latest = episodes.drop_duplicates("entity_id", keep="last")
    return sorted(latest.loc[latest["end"].isna(), "entity_id"].astype(str))
