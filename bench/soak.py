"""Soak: live 1m candles for days of market time through the real app, against a fake Binance.

Run ``python bench/soak.py`` from the repository root (not in CI; some three minutes on two
cores for the default 50,000 candles). The window is built by ``smtdesk.app.create_window``
(offscreen) on a ccxt client aimed at the fake exchange of the test suite, which speaks
Binance's REST and websocket JSON. Market time runs as fast as the app takes it: each step
moves the exchange's clock one minute on and pushes both symbols' forming kline; the
closed candle is fetched over REST, stored, analysed and drawn, at most ``LEAD`` candles
behind the exchange.

Prints resident memory at the start, every 10,000 candles and at the end; candles sent
against candles the charts showed; the longest the UI thread went without running a 5 ms
heartbeat timer; and the alerts the window raised against those a batch run of the pair
model over the same candles raises. Checks the targets: RSS growth <= 50 MB, no candle
lost, no UI stall over 50 ms, alerts equal to the batch run's.

The candles are real Binance USD-M 1h candles (``../shared/data``, else the test fixtures)
split into 60 one-minute candles each along a fixed path: open, then the low (an up hour)
or the high (a down hour) at minute 20, the other extreme at minute 40, the close at minute
60, straight lines in between; each minute gets a sixtieth of the volume. The 1m candles
resample to the real hourly candles exactly.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import argparse  # noqa: E402
import asyncio  # noqa: E402
import ctypes  # noqa: E402
import gc  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

import ccxt.pro  # noqa: E402
import numpy as np  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from smtdesk.app import create_window  # noqa: E402
from smtdesk.core.candles import Candles  # noqa: E402
from smtdesk.core.pair_model import PairModel  # noqa: E402
from smtdesk.core.signals.derivatives import Derivatives, Series  # noqa: E402
from smtdesk.data import derivatives as dv  # noqa: E402
from smtdesk.data.exchange import ExchangeSource  # noqa: E402
from smtdesk.data.status import Phase  # noqa: E402
from smtdesk.data.store import CandleStore  # noqa: E402
from smtdesk.data.userstore import UserStore  # noqa: E402
from smtdesk.data.worker import _MODEL_FIELD  # noqa: E402
from smtdesk.settings import Settings, model_config  # noqa: E402
from tests.data.fake_binance import FakeBinance  # noqa: E402

SYMBOLS = ("BTC/USDT:USDT", "ETH/USDT:USDT")
IDS = ("BTCUSDT", "ETHUSDT")
MINUTE_MS = 60_000
HISTORY = 1000
"""Candles before the live ones: what the worker backfills on a fresh cache."""
LEAD = int(os.environ.get("SOAK_LEAD", "30"))
"""How many candles the exchange may run ahead of the charts: when the app is busy the
closed candles come in pages from REST, as after any delay."""
HEARTBEAT_MS = 5
REPORT_EVERY = 10_000
TARGET_RSS_GROWTH_MB = 50.0
TARGET_STALL_MS = 50.0
SHARED = ROOT / ".." / "shared" / "data" / "candles" / "binance_usdm_perp"
FIXTURES = ROOT / "tests" / "data" / "fixtures"


def hourly(exchange_id: str) -> tuple[np.ndarray, str]:
    path = SHARED / f"{exchange_id}_1h.csv"
    if not path.is_file():
        path = FIXTURES / f"{exchange_id}_1h.csv"
    return np.loadtxt(path, delimiter=",", skiprows=1, usecols=range(6)), str(path.resolve())


def minutes_of(hours: np.ndarray) -> np.ndarray:
    """Rows ``[time, o, h, l, c, v]`` of 1m candles along the fixed path of each hour."""
    out = np.empty((len(hours) * 60, 6))
    for i, (t, o, h, l, c, v) in enumerate(hours):
        first, second = (l, h) if c >= o else (h, l)
        path = np.interp(np.arange(61), [0, 20, 40, 60], [o, first, second, c])
        rows = out[i * 60 : (i + 1) * 60]
        rows[:, 0] = t + np.arange(60) * MINUTE_MS
        rows[:, 1], rows[:, 4] = path[:-1], path[1:]
        rows[:, 2], rows[:, 3] = np.maximum(path[:-1], path[1:]), np.minimum(path[:-1], path[1:])
        rows[:, 5] = v / 60
    return out


def heap_returned_rss_mb() -> float | None:
    """Resident memory once glibc has handed the freed heap back to the system: what stays
    is held, what goes was only kept by the allocator (None without glibc)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        return None
    return rss_mb()


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Heartbeat:
    """A timer on the UI thread; the longest gap between its ticks is the worst stall.

    A watchdog thread samples what the UI thread is running once a tick is overdue, so the
    worst stall comes with the code it was spent in.
    """

    def __init__(self) -> None:
        self.timer = QTimer(interval=HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)
        self.worst = 0.0
        self.worst_at = 0
        self.worst_stack: list[str] = []
        self.worst_cpu = 0.0
        self.worst_cpu_at = 0
        self.candle = 0
        self._last = None
        self._last_cpu = 0.0
        self._stack: list[str] = []
        self._ui = threading.get_ident()
        threading.Thread(target=self._watch, daemon=True).start()

    def start(self) -> None:
        self._last, self._last_cpu = time.perf_counter(), time.thread_time()
        self.timer.start()

    def stop(self) -> None:
        self._last = None
        self.timer.stop()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if self._last is None:
            return
        if now - self._last > self.worst:
            self.worst, self.worst_at, self.worst_stack = now - self._last, self.candle, self._stack
        if cpu - self._last_cpu > self.worst_cpu:
            self.worst_cpu, self.worst_cpu_at = cpu - self._last_cpu, self.candle
        self._last, self._last_cpu, self._stack = now, cpu, []

    def _watch(self) -> None:
        while True:
            time.sleep(0.02)
            last = self._last
            if last is not None and time.perf_counter() - last > TARGET_STALL_MS / 1000:
                frame = sys._current_frames().get(self._ui)
                sample = "".join(traceback.format_stack(frame)[-8:]) if frame is not None else ""
                if sample not in self._stack:
                    self._stack = [*self._stack, sample]


class Shown:
    """The closed candles each chart drew, counted as they become its newest bar (looked
    at on each snapshot and while the soak waits: a chart may draw a moment after it)."""

    def __init__(self, window) -> None:
        self.window = window
        self.newest = [0, 0]
        self.counted = [0, 0]
        self.most_kept = 0
        self.alerts: list[tuple[str, str]] = []
        window.worker.snapshot.connect(self._on_snapshot)
        # the states of only the signals that alerted: a record of every event would be
        # the soak's own memory growing with the candles
        self.alerted_states: dict[str, list[str]] = {}
        window.worker.events.connect(self._on_events)

    def start(self) -> None:
        self.counted = [0, 0]

    def _on_events(self, events) -> None:
        self.alerts.extend((a.signal.id, a.signal.state) for a in events.alerts)
        for sig in events.signals:
            if sig.id in self.alerted_states or any(a.signal.id == sig.id for a in events.alerts):
                self.alerted_states.setdefault(sig.id, []).append(sig.state.value)

    def _on_snapshot(self, _analysis) -> None:
        self.look()

    def look(self) -> None:
        for i, chart in enumerate((self.window.left, self.window.right)):
            if chart.analysis is None or not len(chart.bar_times):
                continue
            times = chart.analysis.candles.time
            self.most_kept = max(self.most_kept, len(times))
            new = int(len(times) - times.searchsorted(self.newest[i], side="right"))
            self.counted[i] += new
            self.newest[i] = int(times[-1])

    def least(self) -> int:
        self.look()
        return min(self.counted)


def engine_alerts(rows: list[np.ndarray], live_from: int, store: CandleStore, venue: str) -> set:
    """What the pair model's alert policy raises over the live candles in one batch run,
    with the derivatives the worker stored, each (id, state) once."""
    config = model_config(Settings())
    model = PairModel(SYMBOLS, "1m", config=config.__class__(
        smt=config.smt, indicators=config.indicators, signals=config.signals, alerts=config.alerts,
        max_bars=max(len(r) for r in rows)))
    model.load(*(Candles.from_rows(r) for r in rows))
    for symbol in SYMBOLS:
        got = {}
        for kind, period in ((dv.FUNDING, "8h"), (dv.OPEN_INTEREST, "1h"), *((k, "1h") for k in dv.RATIO_KINDS)):
            series = store.load_series(venue, symbol, kind, period)
            if len(series.time):
                got[_MODEL_FIELD[kind]] = Series(series.time, series.value)
        if got:
            model.set_derivatives(symbol, Derivatives(**got))
    events = model.detect().snapshot.signals
    policy = config.alerts
    raised = {(s.id, s.state) for s in events if s.known_time >= live_from and policy.alerts(s)}
    return raised


async def soak(n: int, data_dir: Path) -> int:
    hours, paths = zip(*(hourly(i) for i in IDS))
    need = (HISTORY + n + 2 + 59) // 60
    if min(len(h) for h in hours) < need:
        raise SystemExit(f"{n} candles need {need} real hours; the data has {min(map(len, hours))}")
    rows = [minutes_of(h[-need:]) for h in hours]
    print(f"candles: {n:,} live 1m candles per symbol after {HISTORY:,} of history, split from real "
          f"Binance USD-M 1h candles along a fixed path (open, low/high at minute 20, high/low at "
          f"40, close at 60) of {', '.join(paths)}")

    fake = FakeBinance({i: r.tolist() for i, r in zip(IDS, rows)}, interval="1m", interval_ms=MINUTE_MS,
                       now_ms=int(rows[0][HISTORY, 0]) + MINUTE_MS // 2)
    await fake.start()
    ex = ccxt.pro.binanceusdm({"enableRateLimit": True, "rateLimit": 1, "timeout": 10_000})
    fake.point(ex)
    source = ExchangeSource(exchange=ex, clock_ms=lambda: fake.now_ms)
    store = CandleStore(data_dir / "market-cache.sqlite")
    window = create_window(source, store=store, user_store=UserStore(data_dir / "user-data.sqlite"),
                           symbols=SYMBOLS, timeframe="1m")
    window.resize(1600, 900)
    window.show()
    shown = Shown(window)
    live = asyncio.Event()
    window.worker.status.connect(lambda s: s.phase is Phase.LIVE and live.set())
    window.worker.start()
    await asyncio.wait_for(live.wait(), 120)
    await asyncio.wait_for(fake.wait_subscribed(), 30)
    await asyncio.sleep(2)  # the derivatives fetched at the live start
    history_shown = shown.newest[:]
    shown.start()
    heartbeat = Heartbeat()
    gc.collect()
    start_rss = rss_mb()
    print(f"{'candles':>8} {'RSS MB':>8} {'kept bars':>9} {'candles/s':>9}")
    print(f"{0:>8} {start_rss:8.1f} {shown.most_kept:>9}")
    heartbeat.start()
    began = time.perf_counter()
    for k in range(1, n + 1):
        heartbeat.candle = k
        fake.now_ms += MINUTE_MS
        for i in IDS:
            await fake.push_kline(i, fake.forming(i), closed=False)
        while shown.least() < k - LEAD:
            await asyncio.sleep(0.001)
        if k % REPORT_EVERY == 0 or k == n:
            if k == n:
                while shown.least() < n:
                    for i in IDS:
                        await fake.push_kline(i, fake.forming(i), closed=False)
                    await asyncio.sleep(0.05)
            rate = k / (time.perf_counter() - began)
            # the collection is the bench's, for a steady reading: not timed as a stall
            heartbeat.stop()
            gc.collect()
            print(f"{k:>8} {rss_mb():8.1f} {shown.most_kept:>9} {rate:9.1f}", flush=True)
            heartbeat.start()
    heartbeat.stop()
    await asyncio.sleep(1)  # a candle's events follow its snapshot once the alerts are saved
    end_rss = rss_mb()
    held = heap_returned_rss_mb()
    sent_last = int(rows[0][HISTORY + n - 1, 0])
    kept = window.left.analysis.candles.time
    exact_tail = bool(np.array_equal(kept, rows[0][HISTORY + n - len(kept) : HISTORY + n, 0]))
    await window.worker.stop()
    window.close()
    await ex.close()
    await fake.stop()

    live_from = int(history_shown[0]) + MINUTE_MS
    batch = engine_alerts([r[: HISTORY + n] for r in rows], live_from, store, source.name)
    store.close()
    lost = n - shown.least()
    growth = end_rss - start_rss
    print(f"candles sent {n:,} per symbol, shown {shown.counted[0]:,} (BTC) {shown.counted[1]:,} (ETH); "
          f"newest shown = newest sent: {int(window.left.analysis.candles.time[-1]) == sent_last}; "
          f"kept bars = the newest {len(kept):,} sent, none missing: {exact_tail}")
    print(f"RSS start {start_rss:.1f} MB, end {end_rss:.1f} MB, growth {growth:+.1f} MB"
          + ("" if held is None else f"; {held:.1f} MB once the freed heap is returned (malloc_trim)"))
    print(f"slowest UI-thread stall: {heartbeat.worst * 1000:.1f} ms wall clock, at candle "
          f"{heartbeat.worst_at:,} (heartbeat every {HEARTBEAT_MS} ms); most UI-thread CPU time "
          f"between two beats {heartbeat.worst_cpu * 1000:.1f} ms, at candle {heartbeat.worst_cpu_at:,}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"alerts raised by the window {len(shown.alerts)}, by the pair model in one batch run {len(batch)}")
    for what, keys in (("only the window", set(shown.alerts) - batch), ("only the batch run", batch - set(shown.alerts))):
        if keys:
            print(f"  raised by {what}: {sorted(keys)}")
            ids = {k[0] for k in keys}
            print(f"    the window raised of these: {[a for a in shown.alerts if a[0] in ids]}")
            print(f"    states the window got of these: {[shown.alerted_states.get(i) for i in ids]}")
    checks = [
        (f"RSS growth <= {TARGET_RSS_GROWTH_MB:g} MB", growth <= TARGET_RSS_GROWTH_MB),
        ("0 candles lost", lost == 0 and exact_tail),
        (f"no UI stall over {TARGET_STALL_MS:g} ms", heartbeat.worst * 1000 <= TARGET_STALL_MS),
        ("alerts = engine events", sorted(shown.alerts) == sorted(batch)),
    ]
    if heartbeat.worst * 1000 > TARGET_STALL_MS and heartbeat.worst_stack:
        print("the UI thread during that stall (sampled every 20 ms past 50 ms):\n"
              + "\n".join(heartbeat.worst_stack))
    for name, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(ok for _, ok in checks) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candles", type=int, default=50_000)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)  # the run ends when the soak does, not the window
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as folder, loop:
        return loop.run_until_complete(soak(args.candles, Path(folder)))


if __name__ == "__main__":
    sys.exit(main())
