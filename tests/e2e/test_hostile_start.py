"""Starting on a hostile data folder, through the builder ``smtdesk`` runs: the user gets a
dialog that says what to do (exit code 2), a damaged user-data row is skipped and set
aside, a read-only user-data file is said so, and one folder serves one smtdesk at a time."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from smtdesk import app as smtdesk_app
from smtdesk.core.signal import State
from smtdesk.data.alert_log import AlertLog
from smtdesk.data.userstore import UserStore
from tests.data.test_alert_log import smt
from tests.data.test_hostile_cache import fill, read_only, tiny_disk
from tests.ui.probes import alert_count


class Dialogs:
    """Answers the next modal dialogs as a user would and keeps what each one said.

    Each answer is the start of a button's text to click, or for a folder dialog the
    folder to pick."""

    def __init__(self, *answers: str | Path) -> None:
        self.seen: list[str] = []
        self._answers = list(answers)
        self._answered: list = []  # a dialog stays the modal widget a moment after its answer
        QTimer.singleShot(20, self._poll)

    def _poll(self) -> None:
        # the visible dialog not answered yet (a dialog may linger a moment after its answer)
        shown = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, (QMessageBox, QFileDialog)) and w.isVisible()
                 and not any(w is a for a in self._answered)]
        widget = shown[0] if shown else None
        if isinstance(widget, QMessageBox):
            self._answered.append(widget)
            self.seen.append(widget.text())
            answer = self._answers.pop(0)
            next(b for b in widget.buttons() if b.text().startswith(str(answer))).click()
        elif isinstance(widget, QFileDialog):
            # asked again until it closes: it may refuse while still listing the folder
            folder = self._answers[0]
            widget.setDirectory(str(folder))
            widget.accept()
            if not widget.isVisible():
                self._answered.append(widget)
                self.seen.append(f"picked {self._answers.pop(0)}")
        if self._answers:
            QTimer.singleShot(20, self._poll)


def start(data_dir: Path, *answers) -> tuple[object, Dialogs]:
    dialogs = Dialogs(*answers)
    args = smtdesk_app.parse_args(["--exchange", "demo", "--replay-seconds", "3600",
                                   "--data-dir", str(data_dir)])
    return smtdesk_app.build(args), dialogs


def test_a_data_dir_that_is_a_file_gets_a_dialog_and_exit_2(qapp, tmp_path, capsys):
    """Finding 5: a raw traceback and exit 1."""
    data = tmp_path / "data"
    data.write_text("I am a file")
    dialogs = Dialogs("OK")
    code = smtdesk_app.main(["--exchange", "demo", "--data-dir", str(data)])
    assert code == 2
    assert len(dialogs.seen) == 1 and f"cannot use its data folder {data}" in dialogs.seen[0]
    assert "it is a file, or inside a file, not a folder" in dialogs.seen[0]
    assert "--data-dir" in dialogs.seen[0]
    assert "cannot use its data folder" in capsys.readouterr().err
    assert data.read_text() == "I am a file"


def test_a_data_dir_inside_a_file_gets_a_dialog(qapp, qloop, tmp_path):
    (tmp_path / "file").write_text("x")
    win, dialogs = start(tmp_path / "file" / "data", "OK")
    assert win is None
    assert "it is a file, or inside a file, not a folder" in dialogs.seen[0]


def test_a_read_only_data_dir_gets_a_dialog(qapp, qloop, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    with read_only(data):
        win, dialogs = start(data, "OK")
    assert win is None
    assert "you cannot write to it" in dialogs.seen[0]
    assert list(data.iterdir()) == []


def test_a_data_dir_under_a_read_only_parent_gets_a_dialog(qapp, qloop, tmp_path):
    parent = tmp_path / "parent"
    parent.mkdir()
    with read_only(parent):
        win, dialogs = start(parent / "data", "OK")
    assert win is None
    assert "you cannot write to it" in dialogs.seen[0]


def test_a_data_dir_on_a_full_disk_gets_a_dialog(qapp, qloop, tmp_path):
    with tiny_disk(tmp_path / "disk") as disk:
        (disk / "data").mkdir()
        fill(disk)
        win, dialogs = start(disk / "data", "OK")
    assert win is None
    assert "the disk it is on is full" in dialogs.seen[0]


def test_a_second_start_on_the_same_folder_is_told_and_can_quit(app, qapp):
    """Finding 9: two instances on one data dir split the alerts between them."""
    first = app.open()
    win, dialogs = start(app.data_dir, "Quit")
    assert win is None
    assert len(dialogs.seen) == 1
    assert f"smtdesk is already running on the data folder {app.data_dir}" in dialogs.seen[0]
    assert first.isVisible()


def test_a_second_start_can_bring_the_first_to_the_front(app, qapp, qtbot):
    first = app.open()
    first.showMinimized()
    qtbot.waitUntil(first.isMinimized, timeout=5_000)
    win, _ = start(app.data_dir, "Show the running")
    assert win is None
    qtbot.waitUntil(lambda: not first.isMinimized(), timeout=5_000)


def test_a_second_start_can_use_another_folder(app, qapp, qtbot, tmp_path):
    app.open()
    other = tmp_path / "other"
    other.mkdir()
    win, dialogs = start(app.data_dir, "Use another folder", other)
    assert win is not None
    qtbot.addWidget(win)
    assert dialogs.seen[1] == f"picked {other}"
    assert (other / "market-cache.sqlite").exists() and (other / "smtdesk.lock").exists()
    win.close()


def test_the_folder_is_free_again_once_the_window_closes(app, qapp):
    first = app.open()
    app.close(first)
    again = app.open()
    assert again.isVisible()


def alert_rows(data_dir: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(data_dir / "user-data.sqlite")
    rows = conn.execute("SELECT id, payload FROM alert_history ORDER BY id").fetchall()
    conn.close()
    return rows


def damaged_rows(data_dir: Path) -> list[tuple]:
    conn = sqlite3.connect(data_dir / "user-data.sqlite")
    rows = conn.execute("SELECT source, key, content FROM damaged_rows").fetchall()
    conn.close()
    return rows


def two_alerts(data_dir: Path) -> list[tuple[str, str]]:
    data_dir.mkdir(exist_ok=True)
    store = UserStore(data_dir / "user-data.sqlite")
    log = AlertLog(store, venue="binanceusdm")
    log.record((smt(State.CONFIRMED, plan=True),), now_ms=1_000)
    log.record((smt(State.INVALIDATED),), now_ms=2_000)
    store.close()
    return alert_rows(data_dir)


@pytest.mark.parametrize("damage,reason", [
    (lambda p: json.dumps({k: v for k, v in json.loads(p).items() if k != "kind"}), "KeyError 'kind'"),
    (lambda p: p[: len(p) // 2], "not JSON"),
    (lambda p: json.dumps([1, 2, 3]), "not a JSON object"),
])
def test_one_unreadable_alert_row_is_skipped_set_aside_and_the_rest_loads(app, damage, reason):
    """Finding 3: one such row crashed the app at every start with a traceback only."""
    rows = two_alerts(app.data_dir)
    bad_id, bad_payload = rows[0]
    conn = sqlite3.connect(app.data_dir / "user-data.sqlite")
    conn.execute("UPDATE alert_history SET payload=? WHERE id=?", (damage(bad_payload), bad_id))
    conn.commit()
    conn.close()
    win = app.open()
    assert alert_count(win.sidebar) == 1
    told = win.notice.text()
    assert f"One saved alert history entry ({bad_id}) could not be read" in told
    assert reason in told and "Everything else was loaded." in told
    assert win.notice.isVisible()
    assert alert_rows(app.data_dir) == [rows[1]], "the good alert is kept"
    assert [(s, k) for s, k, _ in damaged_rows(app.data_dir)] == [("alert_history", bad_id)]
    app.close(win)
    again = app.open()  # nothing more to report the next time
    assert alert_count(again.sidebar) == 1 and not again.notice.isVisible()


def test_a_read_only_user_data_file_is_said_and_alerts_are_kept_in_memory(app, qapp):
    """Finding 3: it opened without a word and every later alert raised inside the handler."""
    rows = two_alerts(app.data_dir)
    path = app.data_dir / "user-data.sqlite"
    with read_only(path):
        win = app.open()
        told = win.notice.text()
        assert f"Your saved swings, drawings and alerts ({path}) cannot be written: it is " \
               "read-only" in told
        assert "kept until it closes only" in told
        assert alert_count(win.sidebar) == 2
        log = win.worker.alert_log
        log.venue = "binanceusdm"
        new = smt(State.DIVERGENCE)
        assert [a.signal for a in log.record((new,))] == [new], "the alert is still raised"
        assert log.record((new,)) == (), "once"
        assert (new.id, "divergence") in log.seen(), "and kept as seen for this run"
        app.close(win)
    assert alert_rows(app.data_dir) == rows, "nothing changed in the file"


def test_an_unreadable_user_data_file_is_left_untouched_and_the_app_runs(app, qapp):
    app.data_dir.mkdir(exist_ok=True)
    path = app.data_dir / "user-data.sqlite"
    path.write_bytes(b"not a database" * 300)
    dialogs = Dialogs("OK")
    win = app.open()
    assert "could not be read" in dialogs.seen[0] and str(path) in dialogs.seen[0]
    assert alert_count(win.sidebar) == 0
    assert path.read_bytes() == b"not a database" * 300


def test_a_damaged_cache_with_the_demo_venue_is_reported(app):
    """Finding 9: with --exchange demo the cache was moved aside without a message."""
    app.data_dir.mkdir(exist_ok=True)
    (app.data_dir / "market-cache.sqlite").write_bytes(b"not a database" * 300)
    win = app.open()
    assert "The market data cache could not be read" in win.notice.text()
    assert "moved to market-cache.sqlite.unreadable-" in win.notice.text()
