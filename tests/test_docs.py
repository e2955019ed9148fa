"""Docs are part of the product: the CLI reference is current and the README keeps its promises."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load_reference_maker():
    spec = importlib.util.spec_from_file_location("make_cli_reference", ROOT / "docs" / "make_cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current():
    expected = _load_reference_maker().cli_reference()
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is out of date: run python docs/make_cli_reference.py"


def test_every_command_is_in_the_cli_reference():
    from linkage.cli import cli

    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"## linkage {name}\n" in reference


def test_readme_has_exactly_two_setup_commands_demo_and_tests():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)\n```", setup, flags=re.S)
    assert len(commands) == 2
    assert "linkage demo" in commands[0]
    assert "pytest" in commands[1] and '".[test]"' in commands[1]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    test_command = re.findall(r"```bash\n(.*?)\n```", readme.split("## Set up", 1)[1], flags=re.S)[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # CI adds quiet flags; the steps are the README's.
    normalised_ci = ci.replace(" --quiet", "").replace(" -q -p no:cacheprovider", "")
    assert test_command in normalised_ci


def test_a_page_per_user():
    for page in ("analyst.md", "safeguarding-lead.md", "genga-coordinator.md"):
        assert (ROOT / "docs" / page).stat().st_size > 500


def test_config_key_reference_is_current():
    spec = importlib.util.spec_from_file_location("make_config_reference", ROOT / "docs" / "make_config_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    actual = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert actual == module.page(), "docs/configuration.md is out of date: run python docs/make_config_reference.py"
    assert "| `resolve.threshold` | 0.95 |" in actual and "| `views.max_clusters` | 50 |" in actual


def _contract_rows(text: str, table: str) -> dict[str, str]:
    """The column rows of one table's section of docs/data-contract.md: column name -> its 'req' cell."""
    section = text.split(f"### {table} — ", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) >= 3:
            for name in re.findall(r"`([a-z_]+)`", cells[0]):
                rows[name] = cells[2]
    return rows


def test_the_data_contract_page_lists_every_column_as_the_code_declares_it():
    """docs/data-contract.md is the user's whole contract: every table and column of linkage.contract, req as declared."""
    from linkage.contract import TABLES

    text = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert "../shared" not in text
    for name, table in TABLES.items():
        rows = _contract_rows(text, name)
        assert set(rows) == set(table.column_names), name
        for column in table.columns:
            expected = ("yes, except " + column.optional_when[1][0] if column.optional_when
                        else "yes" if column.required else "")
            assert rows[column.name] == expected, (name, column.name)


def test_the_data_contract_page_names_every_file_a_job_writes():
    files = json.loads((ROOT / "tests" / "golden" / "demo.json").read_text(encoding="utf-8"))["files"]
    top = {name.split("/", 1)[0] + ("/" if "/" in name else "") for name in files} | {"manifest.json"}
    text = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    job_folder = text.split("## The job folder\n", 1)[1].split("\n## ", 1)[0]
    assert [name for name in sorted(top) if f"`{name}`" not in job_folder] == []


def test_every_screenshot_the_docs_show_exists_and_every_screenshot_is_shown():
    """The user pages show the screenshots docs/make_screenshots.py writes (issue 15 item 7)."""
    shown = set()
    for page in (ROOT / "docs").glob("*.md"):
        shown |= set(re.findall(r"\]\((images/[^)]+\.png)\)", page.read_text(encoding="utf-8")))
    on_disk = {f"images/{p.name}" for p in (ROOT / "docs" / "images").glob("*.png")}
    assert shown == on_disk and len(shown) >= 9
    maker = (ROOT / "docs" / "make_screenshots.py").read_text(encoding="utf-8")
    assert all(f'"{Path(name).name}"' in maker for name in shown)
