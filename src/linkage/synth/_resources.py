"""Package data the generator draws on: name lists, nicknames, postcode districts, vocabularies.

The files live in ``linkage/data/synth/`` (shipped as package data); the
default geography is ``linkage/data/lancashire.yaml``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from ..config import Geography, load_geography

__all__ = ["Vocabulary", "vocabulary", "default_geography", "data_path"]


def data_path(*parts: str) -> Path:
    """Path of a file in ``linkage/data``."""
    try:
        root = resources.files("linkage").joinpath("data")
        path = Path(str(root.joinpath(*parts)))
        if path.exists():
            return path
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - unusual installs
        pass
    return Path(__file__).resolve().parents[1].joinpath("data", *parts)


def _read_list(name: str) -> np.ndarray:
    lines = data_path("synth", name).read_text(encoding="utf-8").splitlines()
    seen: dict[str, None] = {}
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            seen.setdefault(line, None)
    return np.array(list(seen), dtype=str)


@dataclass(frozen=True)
class Vocabulary:
    """Everything textual the world is made of, as arrays ready for vectorised draws."""

    male: np.ndarray
    female: np.ndarray
    surnames: np.ndarray
    nicknames: dict[str, tuple[str, ...]]
    districts: dict[str, tuple[str, ...]]
    words: dict[str, object]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The shipped name lists and word lists (loaded once)."""
    nick: dict[str, list[str]] = {}
    with io.StringIO(data_path("synth", "nicknames.csv").read_text(encoding="utf-8")) as fh:
        for row in csv.DictReader(fh):
            nick.setdefault(row["name"], []).append(row["nickname"])
    districts: dict[str, tuple[str, ...]] = {}
    with io.StringIO(data_path("synth", "postcode_districts.csv").read_text(encoding="utf-8")) as fh:
        for row in csv.DictReader(fh):
            districts[row["local_authority"]] = tuple(row["districts"].split())
    words = yaml.safe_load(data_path("synth", "vocab.yaml").read_text(encoding="utf-8"))
    return Vocabulary(
        male=_read_list("first_names_male.txt"),
        female=_read_list("first_names_female.txt"),
        surnames=_read_list("surnames.txt"),
        nicknames={k: tuple(v) for k, v in nick.items()},
        districts=districts,
        words=words,
    )


def districts_for(name: str, vocab: Vocabulary) -> tuple[str, ...]:
    """Postcode districts of an authority: from the shipped table, else made from its name."""
    if name in vocab.districts:
        return vocab.districts[name]
    letters = re.sub(r"[^A-Z]", "", name.upper()) or "ZZ"
    area = (letters[:2] if len(letters) > 1 else letters + "X")
    return tuple(f"{area}{i}" for i in range(1, 5))


def default_geography() -> Geography:
    """The Lancashire geography shipped with the package."""
    return load_geography(data_path("lancashire.yaml"))
