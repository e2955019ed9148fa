"""Pseudonymise a dataset so that partners can share data that still links.

``pseudonymise_dataset(folder, out, load_key(key_file=...))`` writes the same
tables with direct identifiers replaced by keyed HMAC-SHA256 pseudonyms,
postcodes cut to their sector and, optionally, names as keyed Bloom filters
(``linkage.bloom``) that the resolver compares by Dice similarity.  See ``docs/security.md`` for
what this does and does not protect.
"""

from __future__ import annotations

from ._dataset import DOB_CHOICES, PRIVATE_LOCATION_CATEGORIES, PseudonymiseResult, pseudonymise_dataset
from ._key import MIN_KEY_CHARS, Key, PseudonymKeyError, check_key, load_key
from ._normalise import normalise_identifier, normalise_name, postcode_sector
from ._tokens import Pseudonymiser

__all__ = [
    "DOB_CHOICES",
    "MIN_KEY_CHARS",
    "PRIVATE_LOCATION_CATEGORIES",
    "Key",
    "PseudonymKeyError",
    "Pseudonymiser",
    "PseudonymiseResult",
    "check_key",
    "load_key",
    "normalise_identifier",
    "normalise_name",
    "postcode_sector",
    "pseudonymise_dataset",
]
