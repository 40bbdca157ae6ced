"""Cyclic garbage is collected on the Qt thread, never by an allocating analysis thread."""

import gc
import threading
import weakref

from smtdesk.data.qt_gc import _QtThreadCollector, collect_on_qt_thread


class Node:
    pass


def cycle() -> weakref.ref:
    node = Node()
    node.self = node
    return weakref.ref(node)


def test_garbage_made_on_a_thread_is_collected_by_the_qt_timer(qapp, qtbot):
    collect_on_qt_thread()
    assert not gc.isenabled()
    refs = []

    def analysis():
        # far past the first generation's threshold: Python would have collected here
        refs.extend(cycle() for _ in range(5 * gc.get_threshold()[0]))

    worker = threading.Thread(target=analysis)
    worker.start()
    worker.join()
    assert all(r() is not None for r in refs), "no collection off the Qt thread"
    qtbot.waitUntil(lambda: all(r() is None for r in refs), timeout=5_000)


def test_installing_twice_keeps_one_collector(qapp):
    collect_on_qt_thread()
    collect_on_qt_thread()
    assert len(qapp.findChildren(_QtThreadCollector)) == 1


def test_the_oldest_generation_is_collected_only_once_a_quarter_more_reached_it(qapp, monkeypatch):
    from smtdesk.data import qt_gc

    collector = qapp.findChild(_QtThreadCollector) or _QtThreadCollector(qapp)
    collected = []
    population = [1000]
    monkeypatch.setattr(qt_gc.gc, "get_count", lambda: (800, 11, 11))
    monkeypatch.setattr(qt_gc.gc, "get_objects", lambda generation=None: [None] * population[0])
    monkeypatch.setattr(qt_gc.gc, "collect", lambda generation=2: collected.append(generation))
    monkeypatch.setattr(qt_gc.gc, "freeze", lambda: collected.append("freeze"))
    monkeypatch.setattr(qt_gc.gc, "get_freeze_count", lambda: 1300)
    collector._long_lived, collector._looked = 1000, 0.0
    population[0] = 200  # a fifth as many as kept: a younger generation is collected instead
    collector.collect()
    collector._looked = 0.0
    population[0] = 300  # over a quarter: the full collection is due, its survivors are kept out
    collector.collect()
    assert collected == [1, 2, "freeze"]
    assert collector._long_lived == 1300
    # a long-running window keeps millions: a walk of a quarter of them would be felt
    collector._long_lived, collector._looked = 10 * qt_gc._WALK_MAX, 0.0
    population[0] = qt_gc._WALK_MAX + 1
    collector.collect()
    assert collected == [1, 2, "freeze", 2, "freeze"]


def test_a_burst_of_new_objects_is_kept_out_of_collections_not_walked(qapp, monkeypatch):
    from smtdesk.data import qt_gc

    collector = qapp.findChild(_QtThreadCollector) or _QtThreadCollector(qapp)
    done = []
    monkeypatch.setattr(qt_gc.gc, "get_count", lambda: (qt_gc._BURST + 1, 0, 0))
    monkeypatch.setattr(qt_gc.gc, "collect", lambda generation=2: done.append(generation))
    monkeypatch.setattr(qt_gc.gc, "freeze", lambda: done.append("freeze"))
    collector.collect()
    assert done == ["freeze"]
