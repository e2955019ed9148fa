"""Published networks as contract datasets, for bench/networks_public.py and the issue-13 tests (see published.py)."""
