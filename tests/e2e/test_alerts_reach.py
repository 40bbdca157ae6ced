"""An alert reaches a trader looking elsewhere: a notice floating over the charts, a
system-tray message (or, without a tray, one word in the status bar) and a chime, once per
alert, never again for the same alert after a restart; the toolbar's mute silences them."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QSystemTrayIcon, QToolBar

from smtdesk.ui import signal_text
from smtdesk.ui.alerting import NO_TRAY
from smtdesk.ui.notice import MAX_CARDS
from tests.ui.probes import alert_count, notice_cards


class Spy:
    """Records what the window asked of the tray, the sound and the notice."""

    def __init__(self, win) -> None:
        self.tray, self.sounds, self.notices, self.status, self.batches = [], [], [], [], []
        notifier = win.alert_notifier
        notifier.tray.showMessage = lambda *args: self.tray.append(args)
        notifier.sound.play = lambda: self.sounds.append(True)
        announce = win.notice.announce
        win.notice.announce = lambda sigs: (self.notices.extend((s.id, s.state.value) for s in sigs),
                                            announce(sigs))
        win.statusBar().messageChanged.connect(self.status.append)
        win.worker.events.connect(lambda events: events.alerts and self.batches.append(
            [(a.signal.id, a.signal.state.value) for a in events.alerts]))

    def raised(self) -> list[tuple[str, str]]:
        return [key for batch in self.batches for key in batch]

    def caught_up(self) -> bool:
        """The window has announced every batch the worker sent (a step or two after it)."""
        return len(self.notices) >= len(self.raised())


def test_an_alert_raises_a_floating_notice_a_tray_message_and_a_sound_once(app, qtbot, artifacts):
    win = app.open("--replay-seconds", "0.05")
    win.resize(1366, 768)
    spy = Spy(win)
    qtbot.wait(100)
    charts_top = win.charts.mapTo(win, QPoint(0, 0))
    qtbot.waitUntil(lambda: len(spy.batches) >= 3 and spy.caught_up(), timeout=60_000)
    assert win.notice.isVisible()
    assert win.charts.mapTo(win, QPoint(0, 0)) == charts_top, "the notice floats: the charts stay put"
    assert win.notice.geometry().intersects(win.charts.geometry()), "over the charts"
    raised = spy.raised()
    assert len(set(raised)) == len(raised), "each alert raised once"
    assert spy.notices == raised, "every alert announced"
    shown = [(c.signal.id, c.signal.state.value) for c in notice_cards(win.notice)]
    assert shown == raised[::-1][:MAX_CARDS], "newest on top, the stack capped"
    assert len(spy.sounds) == len(spy.batches), "one chime per batch of alerts"
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen: no tray, said so once
    assert spy.tray == []
    assert spy.status.count(NO_TRAY) == 1
    win.grab().save(str(artifacts / "notices_stacked.png"))


def test_the_tray_gets_one_message_per_batch_where_there_is_a_tray(app, qtbot, monkeypatch):
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    win = app.open("--replay-seconds", "0.05")
    spy = Spy(win)
    qtbot.waitUntil(lambda: len(spy.batches) >= 2 and spy.caught_up(), timeout=60_000)
    assert len(spy.tray) == len(spy.batches) == len(spy.sounds)
    title, body, _icon, ms = spy.tray[-1]
    newest = win.sidebar.alerts.topLevelItem(0).data(0, Qt.UserRole)
    assert title.startswith(signal_text.title(newest))
    assert "UTC" in body and ms > 0
    assert (newest.id, newest.state.value) == spy.batches[-1][-1]
    assert NO_TRAY not in spy.status


def test_alerts_of_the_last_run_raise_nothing_after_a_restart(app, qtbot):
    win = app.open("--replay-seconds", "0.05")
    first = Spy(win)
    qtbot.waitUntil(lambda: len(first.batches) >= 2, timeout=60_000)
    app.close(win)
    earlier = set(first.raised())

    again = app.open("--replay-seconds", "0.05")
    spy = Spy(again)
    replayed = []
    again.worker.events.connect(lambda events: replayed.extend((s.id, s.state.value) for s in events.signals))
    # the demo replays the same live candles: wait until every alert's event has come again
    qtbot.waitUntil(lambda: earlier <= set(replayed) and spy.caught_up(), timeout=60_000)
    assert not earlier & set(spy.notices), "no notice again"
    assert not earlier & set(spy.raised()), "not raised again"
    assert len(spy.sounds) == len(spy.batches), "a chime only for alerts new to this run"


def test_mute_in_the_toolbar_silences_the_next_alert_and_is_remembered(app, qtbot):
    win = app.open("--replay-seconds", "0.05")
    spy = Spy(win)
    toolbar = win.findChild(QToolBar, "chart_toolbar")
    button = toolbar.widgetForAction(win.mute_action)
    QTest.mouseClick(button, Qt.LeftButton)
    assert win.mute_action.isChecked()
    shown = alert_count(win.sidebar)
    qtbot.waitUntil(lambda: alert_count(win.sidebar) >= shown + 2, timeout=60_000)
    assert spy.sounds == [] and spy.tray == [] and NO_TRAY not in spy.status, "muted: no sound, no tray"
    assert win.notice.isVisible(), "the window still shows the alert"
    app.close(win)

    again = app.open()
    assert again.mute_action.isChecked(), "the mute is kept in the settings"
    assert again.settings.alerts.muted
    alerts_menu = next(a.menu() for a in again.menuBar().actions() if a.text() == "&Alerts")
    assert again.mute_action in alerts_menu.actions()
    again.mute_action.trigger()  # Alerts → Mute alerts, unticked
    assert not again.alert_notifier.muted


def test_clicking_a_notice_brings_both_charts_to_its_bars(app, qtbot):
    win = app.open("--replay-seconds", "0.05")
    qtbot.waitUntil(lambda: len(notice_cards(win.notice)) >= 2, timeout=60_000)
    win.notice.announce = lambda sig: None  # the stack holds still while it is clicked
    card = notice_cards(win.notice)[-1]
    sig = card.signal
    win.left.price.vb.setXRange(*(t - 3600 * 2000 for t in win.left.price.visible_x()), padding=0)
    QTest.mouseClick(card, Qt.LeftButton, pos=QPoint(20, card.height() // 2))
    for chart in (win.left, win.right):
        x0, x1 = chart.price.visible_x()
        assert x0 < sig.known_time / 1000 < x1
    assert card not in notice_cards(win.notice), "dismissed once read"
    n = len(notice_cards(win.notice))
    QTest.mouseClick(notice_cards(win.notice)[0].close_button, Qt.LeftButton)
    assert len(notice_cards(win.notice)) == n - 1, "the close button dismisses one notice"
