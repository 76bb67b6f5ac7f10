"""Bar charts drawn on the server as SVG (``includes/bar_chart.html``): the geometry of each bar
and label, computed here so that the template only writes it out.

One series of horizontal bars, each labelled with its value: nothing is told by colour alone.
The bars are ``currentColor`` and the text the page's, so that Windows' high-contrast mode
(``forced-colors``) draws both in its own colours (static/css/site.css). Short labels (years)
stand beside their bars; long ones (kinds of institution) on lines of their own above them, so
that the chart stays readable at a phone's width, where the SVG is scaled down.
"""

import textwrap
from dataclasses import dataclass, field

WIDTH = 360
FONT = 13  # the labels' size in the viewBox's units (static/css/site.css sets the same)
LINE = 16
BAR = 14
GAP = 8
# Room after the longest bar for its value.
VALUE_ROOM = 48
# A label of at most this many characters stands beside its bar.
SHORT_LABEL = 7
SHORT_LABEL_WIDTH = 52
# Characters of a long label's line: 13-unit glyphs are about 7 wide on average.
WRAP = 48


@dataclass
class Bar:
    label_lines: list[tuple[float, float, str]]  # (x, y, text) of each line of the label
    x: float
    y: float
    width: float
    value_x: float
    value_y: float
    value: str


@dataclass
class Chart:
    width: int
    height: float
    bar_height: int
    bars: list[Bar] = field(default_factory=list)


def bar_chart(items: list[tuple[str, int]]) -> Chart:
    """The chart of ``items``, (label, value) in the order to draw; values are counts (≥ 0)."""
    largest = max((value for _label, value in items), default=0) or 1
    short = all(len(label) <= SHORT_LABEL for label, _value in items)
    bar_x = SHORT_LABEL_WIDTH if short else 0
    room = WIDTH - bar_x - VALUE_ROOM
    bars, y = [], GAP / 2
    for label, value in items:
        if short:
            lines = [(bar_x - 6, y + BAR - 3, label)]
            bar_y = y
        else:
            wrapped = textwrap.wrap(label, WRAP) or [""]
            lines = [(0, y + FONT + index * LINE, text) for index, text in enumerate(wrapped)]
            bar_y = y + len(wrapped) * LINE + 4
        width = round(room * value / largest, 1)
        bars.append(Bar(lines, bar_x, bar_y, width, bar_x + width + 4, bar_y + BAR - 3, f"{value}"))
        y = bar_y + BAR + GAP
    return Chart(WIDTH, round(y + GAP / 2, 1), BAR, bars)
