import asyncio

import pytest
import qasync


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
