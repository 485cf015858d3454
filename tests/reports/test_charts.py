"""The SVG chart builders: what they draw, escaped, clipped, scaled to the data given."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from pcfhub.reports.charts import Bar, bar_chart, clip, histogram, number, text_width

SVG = "{http://www.w3.org/2000/svg}"


def _rects(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(f"{SVG}rect"))


def test_bars_are_scaled_to_the_largest_magnitude_and_negatives_go_left() -> None:
    svg = bar_chart(
        [Bar("steel", 4.0, "50.0%"), Bar("wood <removal>", -2.0), Bar("truck", 1.0)],
        title="Hot spots & more",
        unit="kg CO2e",
        chart_id="c",
    )
    root = ET.fromstring(svg)  # well-formed, labels escaped
    assert root.get("id") == "c"
    widths = [float(r.get("width")) for r in _rects(svg)]
    assert widths[0] == 2 * widths[1] == 4 * widths[2] or abs(widths[0] - 4 * widths[2]) < 0.2
    steel, wood = _rects(svg)[:2]
    assert float(wood.get("x")) + float(wood.get("width")) <= float(steel.get("x")) + 0.1
    assert wood.get("fill") != steel.get("fill")
    assert "wood &lt;removal&gt;" in svg
    assert "Hot spots &amp; more" in svg
    assert "4 (50.0%)" in svg
    assert "-2" in svg


def test_long_labels_are_clipped_with_the_whole_label_as_a_tooltip() -> None:
    label = "原材料获取阶段的一个名字非常非常长的输入" * 3
    svg = bar_chart([Bar(label, 1.0)], title="t", unit="u")
    shown = re.search(r">([^<]*…)<title>", svg)
    assert shown is not None
    assert text_width(shown.group(1), 11) <= 640 * 0.36
    assert f"<title>{label}</title>" in svg
    assert clip("short", 100, 11) == "short"


def test_a_histogram_draws_every_bin_and_marks_its_percentiles() -> None:
    bins = [(1.0 + 0.5 * i, c) for i, c in enumerate([1, 4, 9, 4, 1])]
    svg = histogram(bins, title="MC", unit="kg", marks={"P2.5": 1.2, "P50": 2.25, "P97.5": 3.4})
    rects = _rects(svg)
    assert len(rects) == 5
    heights = [float(r.get("height")) for r in rects]
    assert heights.index(max(heights)) == 2
    assert heights[0] * 9 == max(heights) or abs(heights[0] * 9 - max(heights)) < 0.5
    for label in ("P2.5", "P50", "P97.5", number(1.0), number(3.5)):
        assert f">{label}<" in svg
    assert histogram([], title="empty", unit="kg").endswith("</svg>")


def test_no_chart_loads_anything_or_runs_script() -> None:
    svg = bar_chart([Bar("a", 1)], title="t", unit="u") + histogram([(0, 1)], title="h", unit="u")
    assert "<script" not in svg
    assert "href" not in svg
    assert "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
