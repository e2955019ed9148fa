"""``python -m linkage.cli``: the ``linkage`` command."""

from . import main

main()
