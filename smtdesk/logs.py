"""Where smtdesk writes what happened, and what it does with an error nobody caught.

:func:`configure_logging` sends every record to a rotating file (and warnings to stderr);
:func:`catch_uncaught` logs an exception that escaped a Qt slot, an asyncio task or the
main code and hands it to the UI, so one bug costs an error dialog, not the app.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

LOG_FILE = "smtdesk.log"
MAX_BYTES = 1_000_000
BACKUPS = 4
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger("smtdesk")

Report = Callable[[str, str], None]
"""Shows an uncaught error: (one-line summary, full traceback)."""


def configure_logging(folder: Path, *, level: int = logging.INFO) -> Path:
    """Log to ``folder/smtdesk.log`` (rotated at 1 MB, four old files kept) and warnings
    to stderr; return the file's path. Calling it again replaces the earlier handlers."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "smtdesk", False)]:
        root.removeHandler(handler)
        handler.close()
    file = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    file.setFormatter(logging.Formatter(FORMAT))
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter(FORMAT))
    for handler in (file, console):
        handler.smtdesk = True
        root.addHandler(handler)
    root.setLevel(level)
    return path


def catch_uncaught(report: Report, loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Log every uncaught exception and pass it to ``report``; the app goes on.

    Covers ``sys.excepthook`` (Qt slots, qasync's ``asyncSlot`` and the main code end
    there) and, with ``loop``, errors asyncio reports (a task's exception nobody awaited,
    a failing callback). A hook installed before (a debugger, a test harness) still sees
    each exception. Called again, it replaces its own hook instead of adding one.
    """
    previous = getattr(sys.excepthook, "smtdesk_previous", sys.excepthook)

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, exc, tb)
            return
        _report(report, exc, "".join(traceback.format_exception(kind, exc, tb)))
        if previous is not sys.__excepthook__:
            previous(kind, exc, tb)

    hook.smtdesk_previous = previous
    sys.excepthook = hook
    if loop is not None:
        loop.set_exception_handler(lambda _loop, context: _on_loop_error(report, context))


def _on_loop_error(report: Report, context: dict) -> None:
    exc = context.get("exception")
    message = context.get("message", "asyncio error")
    if exc is None:
        log.error("%s", message)
        return
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    _report(report, exc, f"{message}\n{text}")


def _report(report: Report, exc: BaseException, text: str) -> None:
    log.error("uncaught exception\n%s", text.rstrip())
    try:
        report(f"{type(exc).__name__}: {exc}", text)
    except Exception:  # the report itself failing must not recurse into the hook
        log.exception("could not show the uncaught exception")
