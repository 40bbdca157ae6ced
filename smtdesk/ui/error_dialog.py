"""The dialog that tells the user about an error nothing else handled."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox


class ErrorReporter:
    """Shows an uncaught error in a dialog; errors arriving while it is open join its
    details instead of stacking dialogs (a failing repaint would raise on every frame)."""

    def __init__(self, log_path: Path | None = None) -> None:
        self.log_path = log_path
        self.box: QMessageBox | None = None
        self._count = 0

    def __call__(self, summary: str, details: str) -> None:
        if self.box is not None:
            self._count += 1
            self.box.setDetailedText(f"{self.box.detailedText()}\n{details}")
            self.box.setInformativeText(f"{self._count} more error(s) since. {self._where()}")
            return
        box = QMessageBox(QMessageBox.Critical, "smtdesk: unexpected error",
                          f"Something went wrong: {summary}\n\nsmtdesk keeps running; what was "
                          "being done when it happened may not have finished.")
        box.setObjectName("uncaught_error")
        box.setInformativeText(self._where())
        box.setDetailedText(details)
        box.setWindowModality(Qt.ApplicationModal)
        box.finished.connect(self._on_finished)
        self.box, self._count = box, 0
        box.show()

    def _where(self) -> str:
        return f"The details are in {self.log_path}." if self.log_path else ""

    def _on_finished(self) -> None:
        box, self.box = self.box, None
        if box is not None:
            box.deleteLater()
