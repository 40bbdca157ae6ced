"""Fibonacci levels (domain §3) and snapping a click to the nearest swing on screen."""

import pytest

from smtdesk.core.drawings import (
    ELLIOTT,
    FIB_RETRACEMENT,
    HLINE,
    Drawing,
    extension_levels,
    nearest_within,
    retracement_levels,
)


def test_retracement_of_a_rise_from_100_to_200_by_hand():
    # 0 % at the top the move ended at, 100 % back at its start
    assert retracement_levels(100.0, 200.0) == pytest.approx([200.0, 176.4, 161.8, 150.0, 138.2, 121.4, 100.0])


def test_retracement_of_a_fall_mirrors_it():
    assert retracement_levels(200.0, 100.0) == pytest.approx([100.0, 123.6, 138.2, 150.0, 161.8, 178.6, 200.0])


def test_extension_projects_past_the_end_of_the_move():
    assert extension_levels(100.0, 200.0) == pytest.approx([100.0, 200.0, 261.8, 361.8, 523.6])
    assert extension_levels(50.0, 40.0) == pytest.approx([50.0, 40.0, 33.82, 23.82, 7.64])


def test_nearest_point_is_judged_in_pixels_not_data_units():
    # one bar (3600 s) is 10 px wide, one dollar 2 px tall
    xs, ys = [0.0, 3600.0, 7200.0], [100.0, 103.0, 100.0]
    scale = {"x_per_px": 360.0, "y_per_px": 0.5}
    # 2 px right and 6 px below the middle point: it is 6.3 px away, the first 30.6 px
    assert nearest_within(3600.0 + 720.0, 100.0, xs, ys, radius_px=8, **scale) == 1
    assert nearest_within(3600.0 + 720.0, 100.0, xs, ys, radius_px=6, **scale) is None
    assert nearest_within(0.0, 100.0, [], [], radius_px=8, **scale) is None


@pytest.mark.parametrize(("drawing", "valid"), [
    (Drawing("a", HLINE, ((1_000, 5.0),)), True),
    (Drawing("a", HLINE, ((1_000, 5.0), (2_000, 6.0))), False),
    (Drawing("a", FIB_RETRACEMENT, ((1_000, 5.0),)), False),
    (Drawing("a", FIB_RETRACEMENT, ((1_000, 5.0), (2_000, float("nan")))), False),
    (Drawing("a", ELLIOTT, tuple((i * 1_000, 5.0) for i in range(8))), True),
    (Drawing("a", ELLIOTT, tuple((i * 1_000, 5.0) for i in range(9))), False),
    (Drawing("a", "circle", ((1_000, 5.0),)), False),
    (Drawing("", HLINE, ((1_000, 5.0),)), False),
    (Drawing("a", HLINE, ((1.5, 5.0),)), False),
])
def test_only_drawable_shapes_are_valid(drawing, valid):
    assert drawing.is_valid() is valid
