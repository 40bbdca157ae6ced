import asyncio

import pytest
import qasync

from smtdesk import app as smtdesk_app
from smtdesk.data.demo import DemoSource


@pytest.fixture
def qloop(qapp):
    """A qasync loop driven by the Qt events that qtbot processes while it waits."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    # Tasks still alive belong to the test that created them.
    for task in asyncio.all_tasks(loop):
        task.cancel()
    # already_running marked this thread's loop as running; later asyncio.run calls
    # in the same process need it cleared.
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


def _window(qtbot, seconds_per_bar: float):
    win = smtdesk_app.create_window(DemoSource(live_bars=300, seconds_per_bar=seconds_per_bar))
    worker = win.worker
    qtbot.addWidget(win)
    win.resize(1600, 900)
    win.show()
    worker.start()
    # the charts come first, then the history's signals: both drawn
    qtbot.waitUntil(lambda: win._analysis is not None and win._analysis.detected, timeout=30_000)
    yield win
    win.close()
    stopping = asyncio.ensure_future(worker.stop())
    qtbot.waitUntil(stopping.done, timeout=10_000)


@pytest.fixture
def window(qtbot, qloop):
    """The main window on the demo market replaying 20 candles a second."""
    yield from _window(qtbot, 0.05)


@pytest.fixture
def still_window(qtbot, qloop):
    """The main window on the demo history, with no live candle during the test."""
    yield from _window(qtbot, 3600.0)
