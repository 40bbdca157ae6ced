"""Label boxes placed inside a pane, clear of each other."""

from PySide6.QtCore import QRectF

from smtdesk.ui.items._label_layout import clamp, place

BOUNDS = QRectF(0, 0, 400, 300)


def test_a_free_first_choice_is_kept_and_a_taken_one_gives_way_to_the_next():
    first = QRectF(10, 10, 100, 20)
    other = QRectF(200, 100, 100, 20)
    assert place([[first], [first, other]], BOUNDS) == [first, other]


def test_a_box_past_the_edge_is_moved_inside_without_resizing():
    assert clamp(QRectF(350, 290, 100, 20), BOUNDS) == QRectF(300, 280, 100, 20)
    assert clamp(QRectF(-20, -5, 100, 20), BOUNDS) == QRectF(0, 0, 100, 20)


def test_crowded_labels_slide_apart_and_stay_inside():
    wanted = [[QRectF(150, 140, 120, 20)] for _ in range(6)]
    boxes = place(wanted, BOUNDS, reserved=[QRectF(0, 0, 400, 30)])
    for i, a in enumerate(boxes):
        assert BOUNDS.contains(a) and a.size() == wanted[i][0].size()
        assert a.top() >= 30, "clear of the reserved strip"
        for b in boxes[i + 1:]:
            assert not a.intersects(b)
    # each moved no further than it had to: six 20 px boxes fit in the 270 px left
    assert max(abs(b.center().y() - 150) for b in boxes) < 100


def test_with_no_room_anywhere_the_first_choice_is_kept_inside():
    small = QRectF(0, 0, 100, 20)
    boxes = place([[QRectF(10, 0, 100, 20)], [QRectF(40, 5, 100, 20)]], small)
    assert boxes[1] == QRectF(0, 0, 100, 20)


def test_a_choice_just_past_the_edge_is_nudged_in_rather_than_passed_over():
    near_edge = QRectF(100, -6, 100, 40)
    elsewhere = QRectF(100, 200, 100, 40)
    assert place([[near_edge, elsewhere]], BOUNDS) == [QRectF(100, 0, 100, 40)]
    far_out = QRectF(100, -30, 100, 40)
    assert place([[far_out, elsewhere]], BOUNDS) == [elsewhere]
