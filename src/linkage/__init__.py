"""linkage: network and entity-linkage analysis for child safeguarding.

The pipeline a record travels, one sub-package per stage:
``read`` (read and validate the data contract) -> ``resolve`` (one entity per
person) -> ``build`` (the network) -> ``analyse`` (Project Empra's questions)
-> ``render`` (views and reports).  ``job`` runs the stages and writes the job
folder; ``synth`` makes synthetic worlds to test against.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
