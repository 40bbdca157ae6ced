"""Start smtdesk: `smtdesk` or `python -m smtdesk`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import re
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

# The analysis (numba and its loops' modules) is imported before Qt: PySide6 reads the
# source of every module imported after it, which makes their import slower.
import smtdesk.core.pair_model  # noqa: F401

# isort: split
import qasync
from PySide6.QtCore import QStandardPaths, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from smtdesk import __version__, self_test
from smtdesk.core.candles import TIMEFRAMES
from smtdesk.data.csv_import import import_csv
from smtdesk.data.demo import DemoSource
from smtdesk.data.imported import IMPORTED, ImportedSource
from smtdesk.data.source import Source
from smtdesk.data.status import Level
from smtdesk.data.store import CandleStore
from smtdesk.data.userstore import UserStore
from smtdesk.data.venues import DEFAULT_VENUE, VENUES, DeferredExchange
from smtdesk.data.worker import DEFAULT_SYMBOLS, MarketWorker
from smtdesk.data_dir import DataDirLock, check_usable, show_running
from smtdesk.errors import (
    DataDirBusy,
    DataDirError,
    SmtdeskError,
    SourceError,
    UserDataError,
)
from smtdesk.heap import keep_large_blocks_mapped
from smtdesk.logs import catch_uncaught, configure_logging
from smtdesk.settings import Settings, load_settings
from smtdesk.ui.error_dialog import ErrorReporter
from smtdesk.ui.icon import app_icon
from smtdesk.ui.main_window import MainWindow
from smtdesk.ui.status_text import describe
from smtdesk.ui.theme import DARK, apply_palette
from smtdesk.ui.welcome import install_welcome

EXIT_DATA_ERROR = 2
# Demo replay speed: slower than an hour per candle is a still picture, faster than this a
# blur the analysis cannot keep up with.
REPLAY_SECONDS = (0.01, 3600.0)
INTERRUPT_POLL_MS = 200


def _replay_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    low, high = REPLAY_SECONDS
    if not (math.isfinite(value) and low <= value <= high):
        raise argparse.ArgumentTypeError(f"{text} is not between {low:g} and {high:g} seconds")
    return value


def _symbol(text: str) -> str:
    """A perpetual's ccxt symbol; the exchange's own spelling (BTCUSDT) is accepted too."""
    symbol = text.strip().upper()
    if re.fullmatch(r"[A-Z0-9]{1,20}/[A-Z0-9]{2,10}:[A-Z0-9]{2,10}", symbol):
        return symbol
    plain = re.fullmatch(r"([A-Z0-9]{1,20})(USDT|USDC)", symbol)
    if plain:
        return f"{plain[1]}/{plain[2]}:{plain[2]}"
    raise argparse.ArgumentTypeError(f"{text!r} is not a symbol such as BTC/USDT:USDT or BTCUSDT")
SETTINGS_FILE = "settings.json"
DEFAULT_TIMEFRAME = "1h"

log = logging.getLogger(__name__)
market_log = logging.getLogger("smtdesk.market")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line, every option checked; a wrong one exits 2 with its reason."""
    parser = argparse.ArgumentParser(prog="smtdesk", description="SMT divergence charts")
    parser.add_argument("--version", action="version", version=f"smtdesk {__version__}")
    parser.add_argument(
        "--replay-seconds", type=_replay_seconds, default=2.0, metavar="S",
        help="demo market: seconds between two live 1h candles, "
        f"{REPLAY_SECONDS[0]:g} to {REPLAY_SECONDS[1]:g} (default 2)",
    )
    parser.add_argument(
        "--resources", type=Path, default=None, metavar="DIR",
        help="folder holding the demo data (default: the shipped resources)",
    )
    parser.add_argument(
        "--exchange", choices=[*VENUES, "demo"], default=None,
        help=f"market data venue (default: the last one shown, at first {DEFAULT_VENUE}); the "
        "demo market is used when it does not answer, or always with 'demo'. With --import: "
        "the venue the candles are stored for",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, metavar="DIR",
        help="folder for the market data cache, saved alerts, settings and the log "
        "(default: the per-user app data folder)",
    )
    parser.add_argument(
        "--import", dest="import_file", type=Path, default=None, metavar="FILE",
        help="import the candles of a CSV file into the cache and exit (needs --symbol and "
        "--timeframe)",
    )
    parser.add_argument("--symbol", type=_symbol, default=None, metavar="S",
                        help="with --import: the symbol of the candles, e.g. BTC/USDT:USDT")
    parser.add_argument("--timeframe", choices=TIMEFRAMES, default=None, metavar="TF",
                        help=f"with --import: the timeframe of the candles ({', '.join(TIMEFRAMES)})")
    parser.add_argument(
        "--self-test", action="store_true",
        help="open the window offscreen on the demo market (on a fresh temporary data folder "
        "unless --data-dir is given), wait for a live candle and an SMT signal, save a "
        "screenshot and exit 0; exit 1 saying what was missing",
    )
    parser.add_argument("--self-test-timeout", type=float, default=180.0, metavar="S",
                        help="with --self-test: seconds to wait (default 180)")
    parser.add_argument("--screenshot", type=Path, default=None, metavar="FILE",
                        help="with --self-test: where the screenshot goes (default: "
                        "self-test.png in the user cache folder)")
    args = parser.parse_args(argv)
    if args.self_test and (args.import_file is not None or args.exchange not in (None, "demo")):
        parser.error("--self-test runs on the demo market; it takes no --import or --exchange")
    if args.import_file is None:
        if args.symbol is not None or args.timeframe is not None:
            parser.error("--symbol and --timeframe go with --import FILE")
    else:
        missing = [o for o, v in (("--symbol", args.symbol), ("--timeframe", args.timeframe))
                   if v is None]
        if missing:
            parser.error(f"--import needs {' and '.join(missing)}")
        if args.exchange == "demo":
            parser.error("--import stores candles for an exchange venue; the demo market "
                         f"is a recording. Use --exchange with one of {', '.join(VENUES)}")
    return args


def data_dir(override: Path | None) -> Path:
    if override is not None:
        return override
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))


def show_fatal(message: str) -> None:
    """Tell the user why smtdesk cannot start, in a dialog and on stderr."""
    print(f"smtdesk: {message}", file=sys.stderr)
    QMessageBox.critical(None, "smtdesk cannot start", message)


def venue_sources(demo: Source, store: CandleStore) -> Callable[[str], Source]:
    """What serves each venue of the pickers: the demo itself, the imported candles, or a
    new ccxt client."""

    def source(venue: str) -> Source:
        if venue == demo.name:
            return demo
        if venue == IMPORTED:
            return ImportedSource(store)
        return DeferredExchange(venue)

    return source


def create_window(
    source: Source,
    *,
    store: CandleStore | None = None,
    fallback: Source | None = None,
    user_store: UserStore | None = None,
    sources: Callable[[str], Source] | None = None,
    settings: Settings = Settings(),
    settings_path: Path | None = None,
    symbols: tuple[str, str] = DEFAULT_SYMBOLS,
    timeframe: str = DEFAULT_TIMEFRAME,
) -> MainWindow:
    """The main window on ``source``, styled, with its worker not yet started.

    With an exchange ``source``, ``store`` caches its candles and ``fallback`` (the demo)
    takes over when the exchange does not answer. ``user_store`` keeps the alert history.
    ``sources`` gives the source of a venue picked in the window; without it only the
    venues of ``source`` and ``fallback`` can be picked. ``settings`` are applied and,
    with ``settings_path``, saved there with the layout when they change.
    """
    keep_large_blocks_mapped()
    app = QApplication.instance()
    app.setApplicationName("smtdesk")
    app.setDesktopFileName("smtdesk")  # the desktop entry's name: Wayland docks match on it
    app.setWindowIcon(app_icon())
    apply_palette(app, DARK)
    worker = MarketWorker(source, store=store, fallback=fallback, sources=sources, user_store=user_store,
                          settings=settings, symbols=symbols, timeframe=timeframe)
    # What the status bar and the warnings say is also the log's record of connects,
    # retries and fallbacks.
    worker.status.connect(lambda status: market_log.info("%s", describe(status)))
    worker.notice.connect(lambda notice: market_log.log(
        logging.INFO if notice.level is Level.INFO else logging.WARNING, "%s", notice.text))
    return MainWindow(worker, venues={**VENUES, DemoSource.name: DemoSource.label,
                                      IMPORTED: ImportedSource.label},
                      settings=settings, settings_path=settings_path)


def open_settings(path: Path) -> Settings:
    """The saved settings; when they cannot be used, say why and use the defaults."""
    loaded = load_settings(path)
    if loaded.problem is not None:
        log.warning("%s", loaded.problem)
        QMessageBox.warning(None, "smtdesk: settings not loaded", loaded.problem)
    return loaded.settings


def open_user_store(folder: Path) -> UserStore | None:
    """The user's saved data; when it cannot be read, say so and run without it."""
    try:
        return UserStore(folder / "user-data.sqlite")
    except UserDataError as exc:
        QMessageBox.warning(None, "smtdesk: saved data not loaded", str(exc))
        return None


def claim_data_dir(folder: Path) -> DataDirLock | None:
    """The data folder, checked usable and locked for this run; None when the user was told
    why not (or chose to switch to the smtdesk already running on it). "Use another folder"
    claims the folder picked instead and returns its lock."""
    while True:
        try:
            return DataDirLock.claim(folder)
        except DataDirBusy as busy:
            choice = ask_busy(busy)
            if choice == "show":
                show_running(busy.folder)
                return None
            if choice != "other":
                return None
            picked = QFileDialog.getExistingDirectory(
                None, "smtdesk: choose a data folder", str(folder.parent),
                QFileDialog.Option.ShowDirsOnly | QFileDialog.Option.DontUseNativeDialog)
            if not picked:
                return None
            folder = Path(picked)
        except DataDirError as exc:
            show_fatal(str(exc))
            return None


def ask_busy(busy: DataDirBusy) -> str:
    """"show", "other" or "quit": what to do when another smtdesk holds the data folder."""
    print(f"smtdesk: {busy}", file=sys.stderr)
    box = QMessageBox(QMessageBox.Icon.Information, "smtdesk is already running", str(busy))
    show = box.addButton("Show the running smtdesk", QMessageBox.ButtonRole.AcceptRole)
    other = box.addButton("Use another folder…", QMessageBox.ButtonRole.ActionRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return {show: "show", other: "other"}.get(box.clickedButton(), "quit")


def build(args: argparse.Namespace) -> MainWindow | None:
    """The main window ``smtdesk`` opens for ``args``, with its worker not yet started.

    None when the app cannot start; the user has been told why.
    """
    source = DemoSource(root=args.resources, seconds_per_bar=args.replay_seconds)
    try:
        source.validate()
    except SourceError as exc:
        show_fatal(f"{exc}\n\nReinstall smtdesk or restore the resources/demo folder.")
        return None
    lock = claim_data_dir(data_dir(args.data_dir))
    if lock is None:
        return None
    folder = lock.folder
    log_path = configure_logging(folder / "logs")
    catch_uncaught(ErrorReporter(log_path), asyncio.get_event_loop())
    user_store = open_user_store(folder)
    settings = open_settings(folder / SETTINGS_FILE)
    # The store and the demo fallback serve any venue picked later, not only the first.
    store = CandleStore(folder / "market-cache.sqlite")
    sources = venue_sources(source, store)
    # The pair and timeframe last shown come back with their venue, not on another one.
    layout = settings.layout
    remembered = layout.venue if layout.venue in (*VENUES, source.name, IMPORTED) else DEFAULT_VENUE
    venue = args.exchange or remembered
    same = venue == layout.venue
    window = create_window(sources(venue), store=store, fallback=source, user_store=user_store,
                           sources=sources, settings=settings, settings_path=folder / SETTINGS_FILE,
                           symbols=tuple(layout.symbols) if same and layout.symbols else DEFAULT_SYMBOLS,
                           timeframe=layout.timeframe if same and layout.timeframe else DEFAULT_TIMEFRAME)
    if user_store is not None:
        for message in user_store.notices:
            window.worker.report(message)
        user_store.on_notice = window.worker.report
    # the self-test checks the app, it is not a first run of a user
    install_welcome(window, folder, first_run=not args.self_test)
    lock.hold_for(window)
    window.log_path = log_path
    return window


def quit_on_interrupt(window: MainWindow) -> None:
    """Ctrl+C in the launching terminal closes the window as File → Quit does.

    Python runs a signal handler only between its own bytecodes; while Qt's loop waits
    for events no Python runs, so a timer gives it the chance a few times a second."""
    signal.signal(signal.SIGINT, lambda *_: QTimer.singleShot(0, window.close))
    poll = QTimer(window, interval=INTERRUPT_POLL_MS)
    poll.timeout.connect(lambda: None)
    poll.start()


def run_import(args: argparse.Namespace) -> int:
    """``smtdesk --import``: the file into the cache, one summary line; 2 on any problem."""
    folder = data_dir(args.data_dir)
    try:
        check_usable(folder)
        store = CandleStore(folder / "market-cache.sqlite", on_notice=lambda m: print(
            f"smtdesk: {m}", file=sys.stderr))
        try:
            summary = import_csv(args.import_file, args.exchange or DEFAULT_VENUE, args.symbol,
                                 args.timeframe, store)
        finally:
            store.close()
    except SmtdeskError as exc:
        print(f"smtdesk: {exc}", file=sys.stderr)
        return EXIT_DATA_ERROR
    print(summary)
    return 0


def run_self_test(args: argparse.Namespace, loop: qasync.QEventLoop) -> int:
    """``smtdesk --self-test`` (see :mod:`smtdesk.self_test`)."""
    with tempfile.TemporaryDirectory(prefix="smtdesk-self-test-") as scratch:
        args.exchange = "demo"
        args.data_dir = args.data_dir or Path(scratch)
        screenshot = args.screenshot or self_test.default_screenshot()
        window = build(args)
        if window is None:
            print("smtdesk self-test FAILED: the window could not be opened", file=sys.stderr)
            loop.close()
            return self_test.EXIT_FAILED
        window.show()
        window.worker.start()

        async def checked() -> int:
            # the worker stops within the run: the loop's last round of events must not
            # step its tasks (see main)
            try:
                progress = await self_test.watch(window, args.self_test_timeout)
                return self_test.report(progress, window, screenshot, args.self_test_timeout)
            finally:
                await window.worker.stop()

        with loop:
            status = loop.run_until_complete(checked())
            window.close()
        return status


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.self_test:
        self_test.use_offscreen_unless_asked()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("smtdesk")
    if args.import_file is not None:
        return run_import(args)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    if args.self_test:
        return run_self_test(args, loop)
    window = build(args)
    if window is None:
        loop.close()
        return EXIT_DATA_ERROR
    if window.restored_geometry:
        window.show()
    else:
        # Without a window manager (a bare X server, Xvfb) maximising does nothing; the
        # screen's size is the same request made directly.
        window.setGeometry(app.primaryScreen().availableGeometry())
        window.showMaximized()
    quit_on_interrupt(window)
    window.worker.start()
    with loop:
        # until Qt quits; not run_until_complete, whose last round of events would step the
        # worker's tasks with no running loop (they fail instead of being stopped)
        loop.run_forever()
        loop.run_until_complete(window.worker.stop())
    return 0


if __name__ == "__main__":
    sys.exit(main())
