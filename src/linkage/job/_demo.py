"""The demo job: configs/demo.yaml on synthetic_data/demo/ into reports/demo/."""

from __future__ import annotations

from pathlib import Path

from ..config import load_config
from ..errors import LinkageError
from ._progress import Progress
from ._run import JobResult, run_job

__all__ = ["demo_config_path", "run_demo"]


def demo_config_path() -> Path:
    """configs/demo.yaml of the repository linkage runs from (here, or the one this package is installed from)."""
    candidates = [Path.cwd() / "configs" / "demo.yaml", Path(__file__).resolve().parents[3] / "configs" / "demo.yaml"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise LinkageError("configs/demo.yaml was not found; run `linkage demo` from the root of the linkage repository")


def run_demo(*, progress: Progress | None = None) -> JobResult:
    """Run the demo job into reports/demo/ beside configs/, replacing the last demo."""
    config_path = demo_config_path()
    return run_job(load_config(config_path), out=config_path.parent.parent / "reports" / "demo", overwrite=True,
                   progress=progress)
