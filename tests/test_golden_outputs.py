"""Golden outputs: a job writes the same bytes as when the goldens were recorded.

The demo job (``configs/demo.yaml`` on ``synthetic_data/demo``) runs on every
test run; the medium synthetic world (``linkage synth --scale medium --seed
1``, then the demo config on it) is marked ``slow`` and runs with
``pytest -m slow``. Every file is compared by sha256: every CSV, the GraphML,
GEXF and ANX exports and every HTML page; ``manifest.json`` without its
times, durations, Python and pandas versions and paths
(``golden/make_golden.py``).

This guards refactoring: moving code must not change a byte of output. When a
change alters outputs on purpose, regenerate the goldens and say why in the
commit:

    python tests/golden/make_golden.py            # demo and medium
    python tests/golden/make_golden.py demo       # the demo only
"""

from __future__ import annotations

import json

import pytest

from golden.make_golden import golden_path, output_digests, run_world


def _compare(world: str, root) -> None:
    expected = json.loads(golden_path(world).read_text(encoding="utf-8"))["files"]
    found = output_digests(run_world(world, root))
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    changed = sorted(name for name in set(expected) & set(found) if expected[name] != found[name])
    assert not (missing or extra or changed), (
        f"{world} outputs differ from tests/golden/{world}.json: changed {changed[:20]}, missing {missing[:20]}, "
        f"new {extra[:20]}; if the change is intended, run python tests/golden/make_golden.py {world}"
    )
    assert len(found) > 100  # the views' pages are there, not only the tables


def test_demo_outputs_match_the_golden(tmp_path):
    _compare("demo", tmp_path)


@pytest.mark.slow
def test_medium_world_outputs_match_the_golden(tmp_path):
    _compare("medium", tmp_path)


def test_the_stable_manifest_drops_times_versions_and_paths_only():
    from golden.make_golden import stable_manifest

    manifest = {
        "version": "0.1.0", "python": "3.11.7", "pandas": "3.1.1", "started": "2026-01-01T00:00:00+00:00",
        "config": {"source": "configs/demo.yaml", "data": "/abs/demo", "geography": "/abs/lancashire.yaml",
                   "seed": 42, "settings": {"data": "../synthetic_data/demo"}},
        "inputs": {"people": {"file": "/abs/demo/people.csv", "sha256": "ab"}},
        "summary": {"analyses": {"seconds": {"clusters": 0.1}, "skipped": {}}},
        "outputs": {"clusters.csv": {"sha256": "cd", "rows": 3}},
    }
    assert stable_manifest(manifest) == {
        "version": "0.1.0",
        "config": {"seed": 42, "settings": {}},
        "inputs": {"people": {"sha256": "ab"}},
        "summary": {"analyses": {"skipped": {}}},
        "outputs": {"clusters.csv": {"sha256": "cd", "rows": 3}},
    }
