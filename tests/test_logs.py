"""The log file and what happens to an exception nobody caught."""

import asyncio
import gc
import logging
import sys

import pytest

from smtdesk.logs import LOG_FILE, MAX_BYTES, catch_uncaught, configure_logging

# These tests raise uncaught exceptions on purpose; pytest-qt would count them as failures.
pytestmark = pytest.mark.qt_no_exception_capture


@pytest.fixture
def restored():
    """Put back the hooks and handlers a test installs."""
    hook, root = sys.excepthook, logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    sys.excepthook = hook
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def _boom():
    raise ValueError("no such candle")


def test_records_go_to_a_rotating_file(tmp_path, restored):
    path = configure_logging(tmp_path / "logs")
    assert path == tmp_path / "logs" / LOG_FILE
    logging.getLogger("smtdesk.data.worker").info("reconnected after %d s", 5)
    chunk = "x" * 1000
    for _ in range(MAX_BYTES // 1000 + 10):
        logging.getLogger("smtdesk.test").info(chunk)
    text = (tmp_path / "logs" / f"{LOG_FILE}.1").read_text()
    assert "smtdesk.data.worker: reconnected after 5 s" in text
    assert path.stat().st_size < MAX_BYTES


def test_configuring_twice_keeps_one_file_handler(tmp_path, restored):
    configure_logging(tmp_path / "a")
    path = configure_logging(tmp_path / "b")
    logging.getLogger("smtdesk").warning("only in b")
    assert "only in b" in path.read_text()
    assert "only in b" not in (tmp_path / "a" / LOG_FILE).read_text()


def test_an_uncaught_exception_is_logged_and_reported(tmp_path, restored):
    path = configure_logging(tmp_path)
    seen = []
    catch_uncaught(lambda summary, details: seen.append((summary, details)))
    try:
        _boom()
    except ValueError:
        sys.excepthook(*sys.exc_info())
    assert seen[0][0] == "ValueError: no such candle"
    assert "_boom" in seen[0][1]
    assert "uncaught exception" in path.read_text() and "_boom" in path.read_text()


def test_an_earlier_hook_still_sees_the_exception(restored):
    earlier = []
    sys.excepthook = lambda *info: earlier.append(info[0])
    catch_uncaught(lambda *_: None)
    sys.excepthook(ValueError, ValueError("x"), None)
    assert earlier == [ValueError]


def test_installing_again_replaces_the_hook(restored):
    earlier, first, second = [], [], []
    sys.excepthook = lambda *info: earlier.append(info[0])
    catch_uncaught(lambda summary, _: first.append(summary))
    catch_uncaught(lambda summary, _: second.append(summary))
    sys.excepthook(ValueError, ValueError("x"), None)
    assert (earlier, first, second) == ([ValueError], [], ["ValueError: x"])


def test_a_failing_report_does_not_raise(tmp_path, restored):
    path = configure_logging(tmp_path)

    def report(*_):
        raise RuntimeError("no screen")

    catch_uncaught(report)
    sys.excepthook(ValueError, ValueError("first"), None)
    assert "could not show the uncaught exception" in path.read_text()


def test_a_task_exception_nobody_awaited_is_reported(tmp_path, restored):
    path = configure_logging(tmp_path)
    seen = []
    loop = asyncio.new_event_loop()
    try:
        catch_uncaught(lambda summary, details: seen.append(summary), loop)

        async def failing():
            _boom()

        task = loop.create_task(failing())
        loop.run_until_complete(asyncio.sleep(0.01))
        assert task.done()
        del task
        gc.collect()
    finally:
        loop.close()
    assert seen == ["ValueError: no such candle"]
    assert "Task exception was never retrieved" in path.read_text()
