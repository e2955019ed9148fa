"""Importers: the formats partners actually send, written as data-contract tables.

- ``import_ssda903``: the SSDA903 looked-after-children return (header,
  episodes, missing) -> people, placements, locations, missing_episodes;
- ``import_police_uk``: police.uk street-level crime CSVs -> events and
  locations, a context layer;
- ``propose_column_map``: any other extract -> a proposed ``columns:``
  mapping for the job config.

Every importer rejects the rows it cannot use into ``rejects.csv`` (the
partner's file name, line, column, value and the fix) and imports the rest.
See ``docs/importing.md``.
"""

from __future__ import annotations

from ._column_map import SYNONYMS, ColumnProposal, MappingProposal, propose_column_map, score_headers
from ._common import IMPORTED_FROM, ImportResult
from ._police_uk import import_police_uk
from ._ssda903 import import_ssda903

__all__ = [
    "ColumnProposal",
    "IMPORTED_FROM",
    "ImportResult",
    "MappingProposal",
    "SYNONYMS",
    "import_police_uk",
    "import_ssda903",
    "propose_column_map",
    "score_headers",
]
