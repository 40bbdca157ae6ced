"""Drawings kept in the user store per (venue, symbol, timeframe): replaced whole, read
back as drawn, an unreadable one set aside without losing the others."""

import json

from smtdesk.core.drawings import ELLIOTT, FIB_RETRACEMENT, HLINE, Drawing
from smtdesk.data.userstore import UserStore

KEY = ("binanceusdm", "BTC/USDT:USDT", "1h")
OTHER = ("binanceusdm", "BTC/USDT:USDT", "4h")
FIB = Drawing("f1", FIB_RETRACEMENT, ((1_700_000_000_000, 35_000.5), (1_700_036_000_000, 37_250.0)))
LINE = Drawing("h1", HLINE, ((1_700_000_000_000, 36_000.0),))
WAVE = Drawing("e1", ELLIOTT, ((1_700_000_000_000, 1.0), (1_700_003_600_000, 2.0), (1_700_007_200_000, 1.5)))


def test_drawings_are_kept_per_series_and_replaced_whole(tmp_path):
    path = tmp_path / "u.sqlite"
    store = UserStore(path)
    store.set_drawings(KEY, [FIB, LINE])
    store.set_drawings(OTHER, [WAVE])
    store.close()
    again = UserStore(path)
    assert again.drawings(KEY) == [FIB, LINE]
    assert again.drawings(OTHER) == [WAVE]
    again.set_drawings(KEY, [LINE])
    assert again.drawings(KEY) == [LINE]
    again.set_drawings(KEY, [])
    assert again.drawings(KEY) == [] and again.drawings(OTHER) == [WAVE]


def test_an_unreadable_drawing_is_set_aside_and_the_rest_load(tmp_path):
    store = UserStore(tmp_path / "u.sqlite")
    store.set_drawings(KEY, [FIB, LINE])
    spec = json.dumps({"id": "h1", "points": [[1_700_000_000_000, "high"]]})
    store._conn.execute("UPDATE drawings SET spec=? WHERE kind=?", (spec, HLINE))
    store._conn.commit()
    assert store.drawings(KEY) == [FIB]
    assert len(store.notices) == 1 and "One saved drawings entry" in store.notices[0]
    assert store._conn.execute("SELECT source, content FROM damaged_rows").fetchall() == [
        ("drawings", repr((HLINE, spec)))]
    assert store.drawings(KEY) == [FIB] and len(store.notices) == 1, "dropped once, not told again"
