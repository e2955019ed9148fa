"""A finished job folder, read for the tools that work on one job: its network, entities and geography.

The tools never rerun the job and never read its input data: everything
comes from the job folder (``network/*.parquet``, ``network/network.json``,
``entities.csv``, ``manifest.json``), so they can reveal nothing the folder
does not already hold. A folder that is not a job, or a job written before the
network tables existed, is one error that says the fix.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ..build import NETWORK_FOLDER, NETWORK_FORMAT, NETWORK_TABLES, Network, NetworkSettings, network_from_tables
from ..build import PERSON_TIES
from ..errors import LinkageError
from ..files import KIND_JOB, folder_kind, restore_neutralised

__all__ = ["CheckError", "JobData", "PersonTies", "load_job"]


class CheckError(LinkageError):
    """A placement check or brief cannot be made as asked (a user mistake: the message says the fix)."""


@dataclass
class PersonTies:
    """The network's person-person ties as an adjacency over positions in ``network.people`` (undirected)."""

    offsets: np.ndarray
    neighbours: np.ndarray

    @classmethod
    def of(cls, network: Network) -> "PersonTies":
        people = pd.Index(network.people["entity_id"].astype(str))
        edges = network.edges
        ties = edges[edges["edge_type"].isin(PERSON_TIES) & (edges["source_type"] == "person")
                     & (edges["target_type"] == "person")]
        a = people.get_indexer(ties["source"].astype(str))
        b = people.get_indexer(ties["target"].astype(str))
        keep = (a >= 0) & (b >= 0) & (a != b)
        a, b = a[keep], b[keep]
        frm, to = np.r_[a, b], np.r_[b, a]
        order = np.lexsort((to, frm))
        frm, to = frm[order], to[order]
        offsets = np.r_[0, np.cumsum(np.bincount(frm, minlength=len(people)))].astype(np.int64)
        return cls(offsets=offsets, neighbours=to.astype(np.int64))

    def around(self, positions: np.ndarray) -> np.ndarray:
        """The distinct neighbours of ``positions`` (one step), the positions themselves left out."""
        positions = np.unique(np.asarray(positions, dtype=np.int64))
        if not len(positions):
            return positions
        lo, hi = self.offsets[positions], self.offsets[positions + 1]
        take = np.repeat(lo - np.cumsum(hi - lo) + (hi - lo), hi - lo) + np.arange(int((hi - lo).sum()))
        found = np.unique(self.neighbours[take])
        return np.setdiff1d(found, positions, assume_unique=True)

    def within_two(self, positions: np.ndarray) -> np.ndarray:
        """The distinct people one or two steps from ``positions`` (the positions themselves left out)."""
        positions = np.unique(np.asarray(positions, dtype=np.int64))
        first = self.around(positions)
        second = self.around(first)
        return np.setdiff1d(np.union1d(first, second), positions)


@dataclass
class JobData:
    """What a finished job folder holds, read once."""

    folder: Path
    job: str
    network: Network
    entities: pd.DataFrame
    #: the geography as the job ran: authority name -> (force, bcu, latitude, longitude)
    authorities: dict[str, dict]
    _ties: PersonTies | None = field(default=None, repr=False)
    _memo: dict = field(default_factory=dict, repr=False)

    @property
    def ties(self) -> PersonTies:
        if self._ties is None:
            self._ties = PersonTies.of(self.network)
        return self._ties

    def cached(self, key, make):
        """``make()``, worked out once per job for ``key`` (the job folder does not change under a check)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    @property
    def people(self) -> pd.DataFrame:
        """``network.people`` indexed by entity id."""
        return self.cached("people", lambda: self.network.people.drop_duplicates("entity_id").set_index("entity_id"))

    def edges_of(self, edge_type: str) -> pd.DataFrame:
        """The edges of one type (each type picked out of the edge table once)."""
        return self.cached(("edges", edge_type), lambda: self.network.edges_of(edge_type))

    def person_positions(self, ids) -> np.ndarray:
        """Positions in ``network.people`` of entity ids (-1 for unknown ones)."""
        return pd.Index(self.network.people["entity_id"].astype(str)).get_indexer(pd.Index(ids, dtype=object).astype(str))

    def child(self, ident: str) -> str:
        """The entity id of ``ident``: an entity id, or a record id of entities.csv."""
        ident = str(ident).strip()
        people = self.network.people["entity_id"].astype(str)
        if (people == ident).any():
            return ident
        records = self.entities[self.entities["record_id"] == ident]
        if len(records):
            return str(records["entity_id"].iloc[0])
        raise CheckError(
            f"no person '{ident}' in job {self.folder}: pass an entity_id (entities.csv, second column; the name of "
            "a page in children/) or a record_id from the job's input (entities.csv, first column)"
        )

    def home(self, entity_id: str) -> dict:
        """The child's home authority as the job's geography knows it (force, bcu, latitude, longitude), or {}."""
        people = self.network.people.set_index("entity_id")
        authority = people["local_authority"].get(entity_id)
        if not isinstance(authority, str):
            return {}
        return {"local_authority": authority, **self.authorities.get(authority, {})}


def _not_a_job(folder: Path, why: str) -> CheckError:
    return CheckError(f"{folder} {why}; pass the folder `linkage run` wrote (it holds manifest.json and network/)")


def load_job(folder: str | Path) -> JobData:
    """Read the job folder ``folder`` (see the module docstring); ``CheckError`` says what is wrong and the fix."""
    folder = Path(folder)
    if not folder.is_dir():
        raise _not_a_job(folder, "is not a folder")
    if folder_kind(folder) != KIND_JOB:
        raise _not_a_job(folder, "is not a linkage job folder (no job manifest.json)")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    store = folder / NETWORK_FOLDER
    missing = [name for name in (*NETWORK_TABLES, "network.json") if not (store / name).is_file()]
    if missing:
        version = manifest.get("version", "an older version")
        raise CheckError(
            f"job {folder} has no {NETWORK_FOLDER}/{missing[0]}: it was written by linkage {version}, before jobs kept "
            "their network tables; run the job again with this version (linkage run CONFIG --out "
            f"{folder} --overwrite) and retry"
        )
    info = json.loads((store / "network.json").read_text(encoding="utf-8"))
    if info.get("format") != NETWORK_FORMAT:
        raise CheckError(
            f"job {folder} keeps its network in format {info.get('format')!r}, this version reads format "
            f"{NETWORK_FORMAT}; run the job again with this version (linkage run CONFIG --out {folder} --overwrite)"
        )
    tables = {name: pq.read_table(store / name) for name in NETWORK_TABLES}
    entities_path = folder / "entities.csv"
    if entities_path.is_file():
        entities = pd.read_csv(entities_path, dtype=str, keep_default_na=False, na_values=[""])
        entities = entities.apply(restore_neutralised)
    else:
        entities = None
    known = {f.name for f in dataclasses.fields(NetworkSettings)}
    settings = NetworkSettings(**{k: v for k, v in (info.get("settings") or {}).items() if k in known})
    network = network_from_tables(tables, entities=entities, settings=settings, open_until=info.get("open_until"))
    authorities = {a["name"]: {k: a.get(k) for k in ("force", "bcu", "latitude", "longitude")}
                   for a in info.get("geography") or [] if isinstance(a, dict) and "name" in a}
    return JobData(folder=folder, job=str(manifest.get("job", folder.name)), network=network,
                   entities=network.entities, authorities=authorities)
