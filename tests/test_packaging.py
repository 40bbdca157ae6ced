"""What the bundle and the desktop install rely on: resources found in a bundle, the icon
sizes rendered from the SVG, the desktop entry installed, numba's cache outside the bundle."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from smtdesk.resources import resources_dir
from smtdesk.ui.icon import ICON_SIZES, app_icon

REPO = Path(__file__).resolve().parents[1]


def test_a_bundle_reads_the_resources_it_carries(monkeypatch, tmp_path):
    monkeypatch.delenv("SMTDESK_RESOURCES", raising=False)
    assert resources_dir() == REPO / "resources"  # a checkout: in place
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"
    monkeypatch.setenv("SMTDESK_RESOURCES", str(tmp_path / "mine"))
    assert resources_dir() == tmp_path / "mine"


def test_icon_pngs_are_the_svg_rendered_at_each_size(qapp):
    renderer = QSvgRenderer(str(REPO / "resources" / "smtdesk.svg"))
    assert renderer.isValid()
    for size in ICON_SIZES:
        expected = QImage(size, size, QImage.Format_ARGB32_Premultiplied)
        expected.fill(Qt.transparent)
        painter = QPainter(expected)
        painter.setRenderHint(QPainter.Antialiasing)
        renderer.render(painter)
        painter.end()
        shipped = QImage(str(REPO / "resources" / "icons" / f"smtdesk-{size}.png"))
        assert shipped.size() == expected.size()
        assert shipped.convertToFormat(expected.format()) == expected, (
            f"smtdesk-{size}.png is stale: run python packaging/make_icons.py")
    assert sorted(s.width() for s in app_icon().availableSizes()) == list(ICON_SIZES)


def test_desktop_entry_and_icons_install_for_the_user(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "XDG_DATA_HOME"}
    env["HOME"] = str(tmp_path)
    done = subprocess.run([str(REPO / "packaging" / "install-desktop-entry.sh"), "/opt/smtdesk/smtdesk"],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    share = tmp_path / ".local" / "share"
    entry = (share / "applications" / "smtdesk.desktop").read_text().splitlines()
    assert "Exec=/opt/smtdesk/smtdesk" in entry and "Icon=smtdesk" in entry
    for size in ICON_SIZES:
        assert QImage(str(share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "smtdesk.png")).width() == size
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "smtdesk.svg").is_file()


def test_a_command_the_entry_cannot_quote_is_refused(tmp_path):
    done = subprocess.run([str(REPO / "packaging" / "install-desktop-entry.sh"), "/my apps/smtdesk"],
                          env={**os.environ, "XDG_DATA_HOME": str(tmp_path)},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "without spaces" in done.stderr
    assert not (tmp_path / "applications").exists()


@pytest.mark.parametrize("preset", [None, "/elsewhere/numba"])
def test_the_bundle_keeps_compiled_kernels_in_the_user_cache(monkeypatch, tmp_path, preset):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if preset is None:
        monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    else:
        monkeypatch.setenv("NUMBA_CACHE_DIR", preset)
    runpy.run_path(str(REPO / "packaging" / "rthook_numba_cache.py"))
    assert os.environ["NUMBA_CACHE_DIR"] == (preset or str(tmp_path / "smtdesk" / "numba"))
