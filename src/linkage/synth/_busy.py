"""A busy venue with no child in it: a late-night takeaway where adults fight.

Police activity is not evidence of child exploitation. The world holds one
night-time-economy business with dozens of violent incidents among a pool of
adult regulars (suspects and victims, none of them a child or an exploitation
group's perpetrator), no exploitation event, no missing child found there and
no phone. A business ranking that counts police activity puts it near the top;
one that measures child exploitation (``analyse.businesses``) must not.
It is planted last, so no other stage links anyone to it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._places import location_rows
from ._util import HORIZON_END, HORIZON_START, day
from ._world import KIND_ADULT, World

__all__ = ["make_busy_venue", "BUSY_INCIDENTS", "BUSY_REGULARS"]

#: violent incidents at the venue, and the adults who take part in them (the case that showed the problem:
#: a takeaway with 45 violent incidents among adults, 23 of them suspects)
BUSY_INCIDENTS = 45
BUSY_REGULARS = 30


def make_busy_venue(world: World) -> None:
    """Add the venue (``world.busy_venues``) and its incidents to the events."""
    rng = world.rng("busy-venue")
    p = world.persons
    # adults on every date an incident can have: 18 or over when the horizon starts (2019-01-01)
    grown = p["dob"].to_numpy() <= day("2001-01-01")
    adult = ((p["kind"] == KIND_ADULT) & ~p["perp"].to_numpy(bool)).to_numpy() & grown
    home = world.geo.home[p["la"].to_numpy()].astype(bool)
    pool = np.flatnonzero(adult & home)
    if len(pool) < 4:
        world.busy_venues = pd.DataFrame({"loc": np.zeros(0, np.int64), "events": 0, "people": 0})
        return
    # the authority where most such adults live: the venue is their local
    la = int(pd.Series(p["la"].to_numpy()[pool]).value_counts().sort_index().idxmax())
    local = pool[p["la"].to_numpy()[pool] == la]
    regulars = rng.choice(local, size=min(BUSY_REGULARS, len(local)), replace=False)
    venue = int(world.add_locations(location_rows(world, rng, np.array(["takeaway"]), np.array([la])))[0])
    world.locations.loc[venue, "nte"] = True
    n = BUSY_INCIDENTS
    events = pd.DataFrame({
        "event_type": np.where(rng.random(n) < 0.6, "crime", "incident").astype(object),
        "category": "violence", "op": -1,
        "date": np.sort(rng.integers(HORIZON_START, HORIZON_END + 1, n)),
        "loc": venue, "la": la, "status": "closed",
    })
    first = len(world.events)
    n_suspects = 1 + rng.binomial(1, 0.4, n)
    n_victims = rng.binomial(1, 0.7, n)
    event = np.concatenate([np.repeat(np.arange(n), n_suspects), np.repeat(np.arange(n), n_victims)]) + first
    role = np.concatenate([np.full(int(n_suspects.sum()), "suspect", dtype=object),
                           np.full(int(n_victims.sum()), "victim", dtype=object)])
    people = pd.DataFrame({"event": event, "person": regulars[rng.integers(0, len(regulars), len(event))],
                           "role": role}).drop_duplicates(["event", "person"], keep="first")
    world.events = pd.concat([world.events, events], ignore_index=True)
    world.event_people = pd.concat([world.event_people, people], ignore_index=True)
    world.busy_venues = pd.DataFrame({"loc": [venue], "events": [n], "people": [people["person"].nunique()]})
