"""Progress reporting: the library announces steps; the CLI draws them."""

from __future__ import annotations

from typing import Callable, Protocol

__all__ = ["Progress", "NoProgress", "CallbackProgress"]


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def step(self, label: str) -> None: ...


class NoProgress:
    def start(self, total: int) -> None:
        pass

    def step(self, label: str) -> None:
        pass


class CallbackProgress:
    """Calls ``callback(label)`` at every step (for logs and tests)."""

    def __init__(self, callback: Callable[[str], None]) -> None:
        self.callback = callback

    def start(self, total: int) -> None:
        pass

    def step(self, label: str) -> None:
        self.callback(label)
