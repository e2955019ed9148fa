"""World sizes: how many people, and the rates that make the rest proportional."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError

__all__ = ["Scale", "SCALES", "scale_named"]

#: Person records per true person, measured on generated worlds (used to size them).
RECORDS_PER_PERSON = 1.74


@dataclass(frozen=True)
class Scale:
    """A world size: ``records`` person records, everything else in proportion."""

    name: str
    records: int
    #: mean background contacts started by each person's phone
    contacts_per_phone: float = 12.0
    #: children per exploitation group
    children_per_group: int = 120
    min_groups: int = 5

    @property
    def persons(self) -> int:
        return max(300, round(self.records / RECORDS_PER_PERSON))


SCALES: dict[str, Scale] = {
    "small": Scale("small", 2_000),
    "medium": Scale("medium", 100_000),
    "large": Scale("large", 1_000_000),
}


def scale_named(name: str) -> Scale:
    """The scale called ``name`` (small, medium or large)."""
    try:
        return SCALES[name]
    except KeyError:
        raise ConfigError(f"unknown scale {name!r}; use one of {', '.join(SCALES)}") from None
