"""SIGTERM and SIGINT during a run become an exception, so the staging folder is cleaned up.

Python's default SIGTERM ends the process at once, without unwinding: the
``except`` block that removes a staging folder never runs.  ``interruptible``
installs handlers that raise ``Interrupted`` instead, and puts the previous
handlers back when the block ends.  Once the block has started cleaning up or
swapping the new job into place (``guard.hold()``), a signal is only recorded,
so that work always finishes; ``guard.fired`` tells the caller it came.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from ..errors import Interrupted

__all__ = ["SignalGuard", "interruptible", "SIGNALS"]

SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGINT", None)) if s is not None)


@dataclass
class SignalGuard:
    #: the signals received, in order
    fired: list[int] = field(default_factory=list)
    holding: bool = False
    #: the message of the ``Interrupted`` raised ({signal} is the signal's name)
    message: str = "stopped by {signal}; nothing of this run was kept"

    def hold(self) -> None:
        """From now on a signal is recorded, not raised: what follows must not be cut short."""
        self.holding = True

    def handle(self, signum, frame) -> None:
        first = not self.fired
        self.fired.append(signum)
        if first and not self.holding:
            raise Interrupted.from_signal(signum, self.message)


@contextmanager
def interruptible(message: str | None = None) -> Iterator[SignalGuard]:
    """Within the block, SIGTERM and SIGINT raise ``Interrupted`` (main thread only; elsewhere nothing changes)."""
    guard = SignalGuard() if message is None else SignalGuard(message=message)
    if threading.current_thread() is not threading.main_thread():
        yield guard
        return
    previous = {}
    try:
        for signum in SIGNALS:
            if signal.getsignal(signum) is signal.SIG_IGN:  # started with the signal ignored (nohup): keep it so
                continue
            previous[signum] = signal.signal(signum, guard.handle)
        yield guard
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)
