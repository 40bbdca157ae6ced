"""The data folder: checked usable before anything is opened in it, and held by one smtdesk.

Two instances on one folder would split the alerts between them (each raises an alert the
other has not seen) and race on the cache. The first one holds a lock file and listens on a
local socket; a second start is told so, and can ask the first to come to the front.
"""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

from PySide6.QtCore import QEvent, QLockFile, QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from smtdesk.errors import DataDirBusy, DataDirError

LOCK_NAME = "smtdesk.lock"
_PROBE_NAME = ".smtdesk-write-check"


def _what(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk it is on is full"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "you cannot write to it (it, or the folder it is in, is read-only)"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return "it is a file, or inside a file, not a folder"
    return exc.strerror or str(exc)


def check_usable(folder: Path) -> None:
    """Create ``folder`` when missing and check a file can be written in it; raise
    :class:`DataDirError` saying what is wrong and what to do."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not folder.is_dir():
            raise OSError(errno.ENOTDIR, "not a folder")
        probe = folder / _PROBE_NAME
        with open(probe, "wb") as fh:
            fh.write(b"\0" * 4096)
            fh.flush()
            os.fsync(fh.fileno())
        probe.unlink()
    except OSError as exc:
        raise DataDirError(
            f"smtdesk cannot use its data folder {folder}: {_what(exc)}.\n\n"
            "Start smtdesk with --data-dir pointing to a folder you can write to, or fix this "
            "one (free some space, or make it writable)."
        ) from exc


def _server_name(folder: Path) -> str:
    digest = hashlib.sha1(str(folder.resolve()).encode()).hexdigest()[:16]
    return f"smtdesk-{digest}"


def show_running(folder: Path) -> bool:
    """Ask the smtdesk running on ``folder`` to come to the front; False when it did not answer."""
    socket = QLocalSocket()
    socket.connectToServer(_server_name(folder))
    if not socket.waitForConnected(1000):
        return False
    socket.write(b"show\n")
    socket.waitForBytesWritten(1000)
    socket.disconnectFromServer()
    return True


class DataDirLock(QObject):
    """The lock on a data folder for as long as its window is open."""

    def __init__(self, folder: Path, lock: QLockFile) -> None:
        super().__init__()
        self.folder = folder
        self._lock = lock
        self._server = QLocalServer(self)
        self._window = None

    @classmethod
    def claim(cls, folder: Path) -> DataDirLock:
        """Raise :class:`DataDirError` (unusable) or :class:`DataDirBusy` (taken)."""
        check_usable(folder)
        lock = QLockFile(str(folder / LOCK_NAME))
        lock.setStaleLockTime(0)  # stale only when its process is gone, however old
        if not lock.tryLock(0):
            if lock.error() == QLockFile.LockError.LockFailedError:
                pid = lock.getLockInfo()[0]
                raise DataDirBusy(folder, pid)
            raise DataDirError(f"smtdesk cannot create its lock file in {folder}. Start smtdesk "
                               "with --data-dir pointing to a folder you can write to.")
        return cls(folder, lock)

    def hold_for(self, window) -> None:
        """Keep the folder until ``window`` closes; bring it to the front when a second
        smtdesk asks."""
        self._window = window
        self.setParent(window)
        window.installEventFilter(self)
        QLocalServer.removeServer(_server_name(self.folder))
        self._server.newConnection.connect(self._on_connection)
        self._server.listen(_server_name(self.folder))

    def _on_connection(self) -> None:
        while self._server.hasPendingConnections():
            self._server.nextPendingConnection().deleteLater()
        if self._window is not None:
            self._window.showNormal()
            self._window.raise_()
            self._window.activateWindow()

    def release(self) -> None:
        self._server.close()
        self._lock.unlock()

    def eventFilter(self, watched, event) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close:
            self.release()
        return False
