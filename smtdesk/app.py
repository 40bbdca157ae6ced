"""Start smtdesk: `smtdesk` or `python -m smtdesk`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import qasync
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QApplication, QMessageBox

from smtdesk import __version__
from smtdesk.data.alert_log import AlertLog
from smtdesk.data.demo import DemoSource
from smtdesk.data.exchange import DEFAULT_VENUE, VENUES, ExchangeSource
from smtdesk.data.source import Source, SourceError
from smtdesk.data.store import CandleStore
from smtdesk.data.userstore import UserDataError, UserStore
from smtdesk.data.worker import DEFAULT_SYMBOLS, MarketWorker
from smtdesk.logs import catch_uncaught, configure_logging
from smtdesk.settings import Settings, load_settings
from smtdesk.ui.error_dialog import ErrorReporter
from smtdesk.ui.main_window import MainWindow
from smtdesk.ui.theme import DARK, apply_palette

EXIT_DATA_ERROR = 2
SETTINGS_FILE = "settings.json"
DEFAULT_TIMEFRAME = "1h"

log = logging.getLogger(__name__)
market_log = logging.getLogger("smtdesk.market")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="smtdesk", description="SMT divergence charts")
    parser.add_argument("--version", action="version", version=f"smtdesk {__version__}")
    parser.add_argument(
        "--replay-seconds", type=float, default=2.0, metavar="S",
        help="demo market: seconds between two live 1h candles (default 2)",
    )
    parser.add_argument(
        "--resources", type=Path, default=None, metavar="DIR",
        help="folder holding the demo data (default: the shipped resources)",
    )
    parser.add_argument(
        "--exchange", choices=[*VENUES, "demo"], default=None,
        help=f"market data venue (default: the last one shown, at first {DEFAULT_VENUE}); the "
        "demo market is used when it does not answer, or always with 'demo'",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, metavar="DIR",
        help="folder for the market data cache, saved alerts, settings and the log "
        "(default: the per-user app data folder)",
    )
    return parser.parse_args(argv)


def data_dir(override: Path | None) -> Path:
    if override is not None:
        return override
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))


def show_fatal(message: str) -> None:
    """Tell the user why smtdesk cannot start, in a dialog and on stderr."""
    print(f"smtdesk: {message}", file=sys.stderr)
    QMessageBox.critical(None, "smtdesk cannot start", message)


def venue_sources(demo: Source) -> Callable[[str], Source]:
    """What serves each venue of the pickers: the demo itself, or a new ccxt client."""

    def source(venue: str) -> Source:
        return demo if venue == demo.name else ExchangeSource(venue)

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
    app = QApplication.instance()
    app.setApplicationName("smtdesk")
    apply_palette(app, DARK)
    worker = MarketWorker(source, store=store, fallback=fallback, sources=sources, settings=settings,
                          symbols=symbols, timeframe=timeframe)
    # What the status bar and the warnings say is also the log's record of connects,
    # retries and fallbacks.
    worker.status_changed.connect(lambda text: market_log.info("%s", text))
    worker.notice.connect(lambda text: market_log.info("%s", text))
    worker.failed.connect(lambda text: market_log.warning("%s", text))
    return MainWindow(worker, alert_log=AlertLog(user_store), settings=settings, settings_path=settings_path)


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


def build(args: argparse.Namespace) -> MainWindow | None:
    """The main window ``smtdesk`` opens for ``args``, with its worker not yet started.

    None when the app cannot start; the user has been told why.
    """
    folder = data_dir(args.data_dir)
    log_path = configure_logging(folder / "logs")
    catch_uncaught(ErrorReporter(log_path), asyncio.get_event_loop())
    source = DemoSource(root=args.resources, seconds_per_bar=args.replay_seconds)
    try:
        source.validate()
    except SourceError as exc:
        show_fatal(f"{exc}\n\nReinstall smtdesk or restore the resources/demo folder.")
        return None
    user_store = open_user_store(folder)
    settings = open_settings(folder / SETTINGS_FILE)
    # The store and the demo fallback serve any venue picked later, not only the first.
    store = CandleStore(folder / "market-cache.sqlite")
    sources = venue_sources(source)
    # The pair and timeframe last shown come back with their venue, not on another one.
    layout = settings.layout
    remembered = layout.venue if layout.venue in (*VENUES, source.name) else DEFAULT_VENUE
    venue = args.exchange or remembered
    same = venue == layout.venue
    return create_window(sources(venue), store=store, fallback=source, user_store=user_store,
                         sources=sources, settings=settings, settings_path=folder / SETTINGS_FILE,
                         symbols=tuple(layout.symbols) if same and layout.symbols else DEFAULT_SYMBOLS,
                         timeframe=layout.timeframe if same and layout.timeframe else DEFAULT_TIMEFRAME)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = build(args)
    if window is None:
        return EXIT_DATA_ERROR
    if window.restored_geometry:
        window.show()
    else:
        # Without a window manager (a bare X server, Xvfb) maximising does nothing; the
        # screen's size is the same request made directly.
        window.setGeometry(app.primaryScreen().availableGeometry())
        window.showMaximized()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    window.worker.start()
    with loop:
        loop.run_until_complete(closed.wait())
        loop.run_until_complete(window.worker.stop())
    return 0

if __name__ == "__main__":
    sys.exit(main())
