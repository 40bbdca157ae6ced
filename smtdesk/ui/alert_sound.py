"""The alert chime, played by the desktop's own audio player.

QSoundEffect lives in QtMultimedia, which pyside6-essentials does not ship (it comes with
the much larger pyside6-addons). One short WAV needs no media framework: Windows plays it
with the standard library's ``winsound``, macOS with ``afplay``, Linux desktops with the
PulseAudio/PipeWire or ALSA player they carry. Where there is none, the system beep.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from PySide6.QtCore import QProcess
from PySide6.QtWidgets import QApplication

from smtdesk.resources import resources_dir

PLAYERS = ("paplay", "pw-play", "aplay", "afplay")
"""Command-line WAV players, the first one found is used; each takes the file as its one
argument (``aplay -q`` keeps ALSA's banner out of the log)."""


def alert_sound_path() -> Path:
    return resources_dir() / "sounds" / "alert.wav"


def _player() -> list[str] | None:
    for name in PLAYERS:
        found = shutil.which(name)
        if found:
            return [found, "-q"] if name == "aplay" else [found]
    return None


class AlertSound:
    """``play()`` starts the chime and returns at once."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or alert_sound_path()
        self._command = None if sys.platform == "win32" else _player()

    def play(self) -> None:
        if not self.path.is_file():
            QApplication.beep()
        elif sys.platform == "win32":
            import winsound

            winsound.PlaySound(str(self.path), winsound.SND_FILENAME | winsound.SND_ASYNC)
        elif self._command is not None:
            QProcess.startDetached(self._command[0], [*self._command[1:], str(self.path)])
        else:
            QApplication.beep()
