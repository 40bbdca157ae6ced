"""``smtdesk --self-test``: the whole app on the demo market, checked from what it shows.

It opens the main window (offscreen unless a display platform is asked for), waits for the
history, a live candle after it and an SMT signal in the sidebar, saves a screenshot and
exits 0; otherwise it prints what was missing and exits 1. It runs on a fresh temporary data
folder unless ``--data-dir`` is given, so it never touches the user's cache, alerts or
settings.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt

EXIT_FAILED = 1
POLL_SECONDS = 0.1


def use_offscreen_unless_asked() -> None:
    """Draw offscreen unless QT_QPA_PLATFORM names a platform; before the QApplication."""
    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def default_screenshot() -> Path:
    """The screenshot's default place: the user's cache folder for smtdesk."""
    cache = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation)
    return Path(cache) / "self-test.png"


@dataclass
class Progress:
    """What the window has shown so far."""

    history_end: float | None = None  # newest candle of the first charts drawn
    live: bool = False
    smt: bool = False
    notes: list[str] = field(default_factory=list)

    def missing(self) -> list[str]:
        out = []
        if self.history_end is None:
            out.append("no candles on screen")
        elif not self.live:
            out.append("no live candle after the history")
        if not self.smt:
            out.append("no SMT signal listed")
        return out


def _newest_shown(window) -> float | None:
    times = [c.bar_times for c in (window.left, window.right) if c.analysis is not None]
    if len(times) < 2 or not all(len(t) for t in times):
        return None
    return float(min(t[-1] for t in times))


def _lists_smt(window) -> bool:
    tree = window.sidebar.tree
    return any(tree.topLevelItem(r).data(0, Qt.UserRole).kind == "smt"
               for r in range(tree.topLevelItemCount()))


async def watch(window, timeout: float) -> Progress:
    """Read the window until it shows history, a live candle on both charts and an SMT
    signal, or ``timeout`` seconds pass."""
    progress = Progress()
    window.worker.notice.connect(lambda notice: progress.notes.append(notice.text))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        newest = _newest_shown(window)
        if progress.history_end is None:
            progress.history_end = newest
        elif newest is not None and newest > progress.history_end:
            progress.live = True
        progress.smt = progress.smt or _lists_smt(window)
        if not progress.missing():
            break
        await asyncio.sleep(POLL_SECONDS)
    return progress


def report(progress: Progress, window, screenshot: Path, timeout: float) -> int:
    """Save the screenshot and say how the self-test went; the exit status."""
    missing = progress.missing()
    try:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        saved = window.grab().save(str(screenshot))
    except OSError as exc:
        saved, missing = False, [*missing, f"screenshot not written: {exc}"]
    if not saved and not missing:
        missing = [f"screenshot not written to {screenshot}"]
    if missing:
        print(f"smtdesk self-test FAILED after {timeout:g} s: {'; '.join(missing)}", file=sys.stderr)
        for note in progress.notes:
            print(f"  {note}", file=sys.stderr)
        if saved:
            print(f"screenshot of what was shown: {screenshot}", file=sys.stderr)
        return EXIT_FAILED
    print(f"smtdesk self-test passed: candles, a live candle and SMT signals shown; "
          f"screenshot {screenshot}")
    return 0
