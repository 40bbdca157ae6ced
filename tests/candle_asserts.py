"""Assertions on candle series shared by the data and UI tests."""

import numpy as np

from smtdesk.core.candles import FIELDS, Candles


def assert_same_candles(got: Candles, want: Candles) -> None:
    """Every column equal, naming the first that differs."""
    for field in ("time", *FIELDS):
        np.testing.assert_array_equal(getattr(got, field), getattr(want, field), err_msg=field)
