"""The force's geography: local authorities, BCUs, neighbouring forces, centroids."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, did_you_mean
from ._yaml import read_yaml

__all__ = ["Authority", "Geography", "load_geography", "geography_from_dict", "normalise_authority_name"]


GEOGRAPHY_KEYS = ("force", "bcus", "neighbouring_forces")


def normalise_authority_name(name: str) -> str:
    """Key for matching authority names: case, spacing, '&' and punctuation ignored."""
    text = name.strip().lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Authority:
    name: str
    force: str
    bcu: str | None  # None for authorities of a neighbouring force
    latitude: float | None
    longitude: float | None

    @property
    def in_force(self) -> bool:
        return self.bcu is not None


@dataclass(frozen=True)
class Geography:
    """Who polices where: the home force's BCUs and authorities, and its neighbours."""

    force: str
    authorities: tuple[Authority, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {normalise_authority_name(a.name): a for a in self.authorities})

    def lookup(self, name: str | None) -> Authority | None:
        """The authority called ``name`` (spelling-tolerant), or None when unknown."""
        if name is None or (isinstance(name, float)) or not str(name).strip():
            return None
        return self._by_key.get(normalise_authority_name(str(name)))  # type: ignore[attr-defined]

    @property
    def bcus(self) -> list[str]:
        return sorted({a.bcu for a in self.authorities if a.bcu})

    @property
    def home_authorities(self) -> list[Authority]:
        return [a for a in self.authorities if a.in_force]

    @property
    def neighbour_authorities(self) -> list[Authority]:
        return [a for a in self.authorities if not a.in_force]

    @property
    def forces(self) -> list[str]:
        return [self.force] + sorted({a.force for a in self.authorities if not a.in_force})


def _coordinates(value: Any, where: str, problems: list[str]) -> tuple[float | None, float | None]:
    if value is None:
        return None, None
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        lat, lon = float(value[0]), float(value[1])
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return lat, lon
    problems.append(f"{where}: centroid {value!r} is not [latitude, longitude] in degrees; write it as [53.79, -2.69]")
    return None, None


def geography_from_dict(raw: Any, source: str = "geography") -> Geography:
    """Build a Geography from the mapping in a geography YAML file, reporting every problem at once."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise ConfigError.from_problems(source, ["expected a mapping with 'force', 'bcus' and 'neighbouring_forces'"])
    unknown = sorted(set(raw) - set(GEOGRAPHY_KEYS), key=str)
    for key in unknown:
        problems.append(f"unknown key '{key}'{did_you_mean(key, GEOGRAPHY_KEYS)}; the keys are {', '.join(GEOGRAPHY_KEYS)}")
    force = raw.get("force")
    if not isinstance(force, str) or not force.strip():
        problems.append("'force' must name the home police force, e.g. force: Lancashire")
        force = "home force"
    authorities: list[Authority] = []
    bcus = raw.get("bcus")
    if not isinstance(bcus, dict) or not bcus:
        problems.append("'bcus' must map each BCU to its authorities, e.g. bcus: {West: {Blackpool: [53.82, -3.04]}}")
        bcus = {}
    neighbours = raw.get("neighbouring_forces") or {}
    if not isinstance(neighbours, dict):
        problems.append("'neighbouring_forces' must map each force to its authorities")
        neighbours = {}
    for group_key, groups, in_force in (("bcus", bcus, True), ("neighbouring_forces", neighbours, False)):
        for group, members in groups.items():
            if isinstance(members, list):
                members = {m: None for m in members}
            if not isinstance(members, dict):
                problems.append(f"{group_key}.{group}: expected a mapping of authority name to [latitude, longitude]")
                continue
            for name, centroid in members.items():
                lat, lon = _coordinates(centroid, f"{group_key}.{group}.{name}", problems)
                authorities.append(
                    Authority(
                        name=str(name),
                        force=force if in_force else str(group),
                        bcu=str(group) if in_force else None,
                        latitude=lat,
                        longitude=lon,
                    )
                )
    seen: dict[str, str] = {}
    for a in authorities:
        key = normalise_authority_name(a.name)
        if key in seen:
            problems.append(f"authority '{a.name}' is listed twice (under {seen[key]} and {a.bcu or a.force}); keep one")
        seen[key] = a.bcu or a.force
    if problems:
        raise ConfigError.from_problems(source, problems)
    return Geography(force=force, authorities=tuple(authorities))


def load_geography(path: str | Path) -> Geography:
    """Read a geography YAML file such as ``configs/lancashire.yaml``."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"geography file {path} does not exist; point 'geography:' in the job config at a file like configs/lancashire.yaml")
    return geography_from_dict(read_yaml(path, "geography"), str(path))
