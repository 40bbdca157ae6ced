"""Bar replay at 100×: how long the window's thread is ever kept from its event loop.

Builds the window as ``smtdesk --exchange demo`` does (offscreen, a temporary data dir),
waits for the demo's history and signals, then replays the last BARS bars of the pair at
100 bars per second through the real worker, pair model and charts, as the Replay button
does. A 2 ms timer on the window's thread measures the gaps between its ticks; the slowest
gap is the longest the window was frozen. The same timer over the idle window, in the same
run, is the reference.

    python bench/replay.py
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smtdesk import app as smtdesk_app  # noqa: E402
from smtdesk.data.bar_replay import SPEEDS  # noqa: E402

BARS = int(os.environ.get("REPLAY_BARS", "600"))
TARGET_MS = 50.0


class Heartbeat:
    """Gaps between the ticks of a fast timer on the window's thread."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer(interval=2)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self._last) * 1000)
        self._last = now

    def start(self) -> None:
        self.gaps.clear()
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> np.ndarray:
        self._timer.stop()
        return np.array(self.gaps)


async def until(condition, timeout: float) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")
        await asyncio.sleep(0.02)


async def run(win) -> tuple[np.ndarray, np.ndarray, int, float]:
    await until(lambda: win._analysis is not None and win._analysis.detected, 120)
    beat = Heartbeat()
    await asyncio.sleep(1.0)
    beat.start()
    await asyncio.sleep(3.0)
    idle = beat.stop()

    candles = win.left.analysis.candles
    cursor = int(candles.time[-BARS - 1])
    win.replay.speed.setCurrentIndex(SPEEDS.index(100))
    win.replay.start(cursor)
    # the replay's history analysed and its signals listed, as a trader would see before Play
    await until(lambda: win.worker.replay is not None and win.left.analysis is not None
                and int(win.left.analysis.candles.time[-1]) == cursor
                and win._analysis.detected, 60)
    await asyncio.sleep(0.5)
    beat.start()
    t0 = time.perf_counter()
    win.replay.toggle_play()
    last = int(candles.time[-1])
    try:
        await until(lambda: int(win.left.analysis.candles.time[-1]) == last, 120)
    except TimeoutError:
        done = int(np.searchsorted(candles.time, win.left.analysis.candles.time[-1])) - (len(candles) - BARS - 1)
        raise TimeoutError(f"{done} of {BARS} bars replayed in 120 s") from None
    seconds = time.perf_counter() - t0
    playing = beat.stop()
    return idle, playing, BARS, seconds


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as folder:
        args = smtdesk_app.parse_args(["--exchange", "demo", "--replay-seconds", "3600",
                                       "--data-dir", folder])
        win = smtdesk_app.build(args)
        win.resize(1600, 900)
        win.show()
        win.worker.start()
        async def measured():
            # the worker stops within the run, as the app's self-test does
            try:
                return await run(win)
            finally:
                await win.worker.stop()

        with loop:
            idle, playing, bars, seconds = loop.run_until_complete(measured())
            win.close()
    print(f"bar replay of the demo pair at 100x, {bars} bars, window 1600x900 offscreen")
    print(f"{'':>22} | {'median gap ms':>13} {'p99 ms':>8} {'slowest ms':>10}")
    for name, gaps in (("idle window", idle), ("replaying at 100x", playing)):
        print(f"{name:>22} | {np.median(gaps):>13.1f} {np.percentile(gaps, 99):>8.1f} "
              f"{gaps.max():>10.1f}")
    print(f"replayed {bars} bars in {seconds:.1f} s ({bars / seconds:.0f} bars/s asked 100)")
    ok = playing.max() <= TARGET_MS
    print(f"{'PASS' if ok else 'MISS'}  slowest UI-thread stall while replaying <= {TARGET_MS:.0f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
