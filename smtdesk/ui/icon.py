"""The application icon, from the PNG sizes rendered off resources/smtdesk.svg."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from smtdesk.resources import resources_dir

ICON_SIZES = (16, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    """Every shipped size, so each platform picks the one it draws (title bar, task bar,
    switcher) instead of scaling one; an empty icon when they are missing."""
    icon = QIcon()
    folder = resources_dir() / "icons"
    for size in ICON_SIZES:
        path = folder / f"smtdesk-{size}.png"
        if path.is_file():
            icon.addFile(str(path))
    return icon
