"""Charts as inline SVG, drawn on the server by pygal: no JavaScript (`js=[]`), no XML
declaration, no external resource, so the page's CSP (scripts from this server only, inline
styles allowed) holds. Labels are escaped by pygal's XML writer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pygal  # type: ignore[import-untyped]
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style  # type: ignore[import-untyped]

GOOD, BAD, WARN, INFO, MUTED = "#2a7a3b", "#c0392b", "#e6a23c", "#3b6ea8", "#7f8c8d"


def _style(colors: Sequence[str] = (GOOD, BAD, WARN, INFO, MUTED)) -> Any:
    return Style(
        background="transparent", plot_background="transparent", foreground="#333", foreground_strong="#111",
        foreground_subtle="#999", colors=tuple(colors),
        font_family="'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif",
    )


STYLE = _style()
OPTIONS: dict[str, Any] = {
    "style": STYLE, "js": [], "disable_xml_declaration": True, "width": 720, "height": 300,
    "explicit_size": False, "legend_at_bottom": True, "print_values": False, "show_y_guides": True,
}


# pygal writes its configuration as an inline <script> even with js=[] (for its tooltips):
# the CSP would refuse it anyway, so it is left out.
SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _render(chart: Any) -> SafeString:
    svg = SCRIPT.sub("", chart.render(is_unicode=True))
    # pygal's own markup around escaped labels; nothing user-typed goes in unescaped.
    return mark_safe(svg)  # noqa: S308


def bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *,
         stacked: bool = False, horizontal: bool = False) -> SafeString:
    kind = (pygal.HorizontalStackedBar if stacked else pygal.HorizontalBar) if horizontal else (
        pygal.StackedBar if stacked else pygal.Bar)
    chart = kind(title=title, **OPTIONS)
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _render(chart)


def line(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]) -> SafeString:
    chart = pygal.Line(title=title, x_label_rotation=45, show_minor_x_labels=False, **OPTIONS)
    chart.x_labels = list(labels)
    chart.x_labels_major = list(labels)[::7]
    for name, values in series:
        chart.add(name, list(values))
    return _render(chart)


def pie(title: str, slices: Sequence[tuple[str, float]], *, colors: Sequence[str] | None = None) -> SafeString:
    options = {**OPTIONS, "style": _style(colors)} if colors else OPTIONS
    chart = pygal.Pie(title=title, inner_radius=0.45, **options)
    for name, value in slices:
        chart.add(name, value)
    return _render(chart)
