"""The report's chart helpers: labels beside points that never overlap, and the words shared with the page."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from matrix.report.charts import LABEL_FONT_PX, chart_label, place_labels, short_label


def _box(place_x: float, place_y: float, align: str, text: str, width: float, height: float) -> tuple[float, ...]:
    """The label's box in pixels, as place_labels estimates it (0.6 em a character)."""
    x_px, y_px = place_x / 100 * width, (1 - place_y / 100) * height
    text_px = 0.6 * LABEL_FONT_PX * len(text)
    left = x_px if align == "left" else x_px - text_px
    return left, y_px - LABEL_FONT_PX / 2, left + text_px, y_px + LABEL_FONT_PX / 2


def test_a_lone_label_sits_right_of_its_point() -> None:
    """One point in the middle: its label starts just right of it, on the same line."""
    [place] = place_labels([(50.0, 50.0, "Alpha")], (0.0, 100.0), (0.0, 100.0), 600, 400)
    assert place is not None and place.align == "left" and place.y == 50.0 and 50.0 < place.x < 52.0


def test_two_close_points_get_labels_that_do_not_collide() -> None:
    """Two points 2 px apart vertically: the second label moves (left, above or below) or is left off."""
    points = [(50.0, 50.0, "First label"), (50.0, 49.5, "Second label")]
    places = place_labels(points, (0.0, 100.0), (0.0, 100.0), 600, 400)
    boxes = [_box(p.x, p.y, p.align, t, 600, 400) for p, (_, _, t) in zip(places, points, strict=True) if p is not None]
    assert len(boxes) >= 1
    if len(boxes) == 2:
        a, b = boxes
        assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 100), st.floats(0, 100), st.text("abcdefgh ", min_size=1, max_size=30)),
        min_size=1,
        max_size=25,
    )
)
def test_placed_labels_never_overlap_each_other_and_stay_inside(points: list[tuple[float, float, str]]) -> None:
    """Whatever the points, no two placed labels overlap and every placed label lies inside the chart."""
    places = place_labels(points, (0.0, 100.0), (0.0, 100.0), 620, 380)
    boxes = [_box(p.x, p.y, p.align, t, 620, 380) for p, (_, _, t) in zip(places, points, strict=True) if p is not None]
    for n, a in enumerate(boxes):
        assert a[0] >= -1e-6 and a[2] <= 620 + 1e-6 and a[1] >= -1e-6 and a[3] <= 380 + 1e-6
        for b in boxes[n + 1 :]:
            assert not (a[0] < b[2] - 1e-6 and b[0] < a[2] - 1e-6 and a[1] < b[3] - 1e-6 and b[1] < a[3] - 1e-6)


def test_chart_label_and_short_label() -> None:
    """The subtitle names scenario, date and the catalogue's first 12 hex digits; long names end in an ellipsis."""
    assert chart_label("Cut", "1 May 2027", "ab" * 32) == "Cut, 1 May 2027, catalogue abababababab"
    assert short_label("x" * 40) == "x" * 27 + "…" and short_label("short") == "short"
