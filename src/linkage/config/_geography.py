"""The ``geography:`` section (or file): the force's BCUs and neighbours, read into ``linkage.geography.Geography``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..errors import ConfigError
from ..geography import Authority, Geography, normalise_authority_name
from ._fields import Context, Invalid, Section, collect, control_problem, parse, resolve_path, setting
from ._yaml import read_yaml

__all__ = ["GeographyFile", "geography_from_dict", "load_geography", "read_geography"]


def _force(value: Any, where: str, ctx: Context) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid("'force' must name the home police force, e.g. force: Lancashire")
    return value


def _bcus(value: Any, where: str, ctx: Context) -> dict:
    if not isinstance(value, dict) or not value:
        raise Invalid("'bcus' must map each BCU to its authorities, e.g. bcus: {West: {Blackpool: [53.82, -3.04]}}")
    return value


def _neighbours(value: Any, where: str, ctx: Context) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid("'neighbouring_forces' must map each force to its authorities")
    return value


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


@dataclass(frozen=True)
class GeographyFile:
    """A geography file (``configs/lancashire.yaml``), or the same mapping inline under ``geography:``."""

    SECTION: ClassVar[Section] = Section(
        noun="key", prefixed=False, not_a_mapping="expected a mapping with 'force', 'bcus' and 'neighbouring_forces'")

    force: str = setting("home force", read=_force, shown_default="(required)", doc="the home police force")
    bcus: dict = setting(
        read=_bcus, factory=dict, shown_default="(required)",
        doc="each BCU with its authorities: {West: {Blackpool: [53.82, -3.04]}} (a list of names: no centroids)")
    neighbouring_forces: dict = setting(read=_neighbours, factory=dict,
                                        doc="each neighbouring force with its authorities, as bcus")
    authorities: tuple[Authority, ...] = field(default=())

    @classmethod
    def finish(cls, values: dict, raw: dict, where: str, ctx: Context) -> dict:
        for key, read in (("force", _force), ("bcus", _bcus)):
            if key not in raw:  # required: the reader says what to write
                try:
                    read(None, key, ctx)
                except Invalid as exc:
                    ctx.problems.extend(exc.problems)
        force = values.get("force", "home force")
        authorities: list[Authority] = []
        for group_key, in_force in (("bcus", True), ("neighbouring_forces", False)):
            for group, members in values.get(group_key, {}).items():
                if isinstance(members, list):
                    members = {m: None for m in members}
                if not isinstance(members, dict):
                    ctx.problems.append(f"{group_key}.{group}: expected a mapping of authority name to [latitude, longitude]")
                    continue
                for name, centroid in members.items():
                    lat, lon = _coordinates(centroid, f"{group_key}.{group}.{name}", ctx.problems)
                    authorities.append(Authority(name=str(name), force=force if in_force else str(group),
                                                 bcu=str(group) if in_force else None, latitude=lat, longitude=lon))
        seen: dict[str, str] = {}
        for a in authorities:
            key = normalise_authority_name(a.name)
            if key in seen:
                ctx.problems.append(f"authority '{a.name}' is listed twice (under {seen[key]} and {a.bcu or a.force}); keep one")
            seen[key] = a.bcu or a.force
        values["authorities"] = tuple(authorities)
        return values

    def geography(self, path: Path | None = None) -> Geography:
        return Geography(force=self.force, authorities=self.authorities, path=path)


def _geography(raw: Any, ctx: Context, path: Path | None = None) -> Geography:
    before = len(ctx.problems)
    spec = parse(GeographyFile, raw, "", ctx)
    if len(ctx.problems) > before:
        raise Invalid()  # the problems are in ctx already
    return spec.geography(path)


def _checked(raw: Any, source: str, base: Path, path: Path | None = None) -> Geography:
    ctx = Context(base=base, source=source)
    return collect(ctx, lambda: _geography(raw, ctx, path))


def geography_from_dict(raw: Any, source: str = "geography") -> Geography:
    """A Geography from the mapping in a geography YAML file, reporting every problem at once."""
    return _checked(raw, source, Path.cwd())


def load_geography(path: str | Path) -> Geography:
    """Read a geography YAML file such as ``configs/lancashire.yaml``."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"geography file {path} does not exist; point 'geography:' in the job config at a file like "
                          "configs/lancashire.yaml")
    return _checked(read_yaml(path, "geography"), str(path), path.parent, path)


def read_geography(value: Any, where: str, ctx: Context) -> Geography | None:
    """Reads ``geography:``: a file path (``configs/lancashire.yaml``) or the same mapping inline."""
    if value is None:
        return None
    if isinstance(value, str):
        problem = control_problem(f"'{where}'", value)
        if problem:
            raise Invalid(problem)
        try:
            return load_geography(resolve_path(value, ctx.base))
        except ConfigError as exc:
            raise Invalid(*exc.problems) from None
    if isinstance(value, dict):
        return _geography(value, ctx)
    raise Invalid(f"'{where}' must be a file path (configs/lancashire.yaml) or a mapping with force, bcus, "
                  "neighbouring_forces")
