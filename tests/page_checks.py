"""What tests check public pages with: the queries a page costs, the structure a screen reader
relies on, and query strings a list must answer with a message."""

from html.parser import HTMLParser

from django.db import connection
from django.test.utils import CaptureQueriesContext

HOSTILE_QUERIES = {
    "?page=abc": "nie jest numerem strony",
    "?page=-1": "numerowane od 1",
    "?page=999999999": "Nie ma strony 999999999",
    "?powiat=XYZ": "Wybierz poprawną wartość",
    "?wojewodztwo=99": "Wybierz poprawną wartość",
    "?q=" + "a" * 10_000: "co najwyżej 500 znaków",
    "?q=a%00b": "Znaki null są niedozwolone",
    "?nieznany=1&format=xml": "",
}


def count_queries(client, url: str) -> int:
    """The queries a page costs, its streamed body read to the end."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


class _Structure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.labels: set[str] = set()
        self.controls: list[str] = []
        self.th_without_scope = 0
        self.in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        elif tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append(attrs.get("id", ""))
        elif tag == "th" and "scope" not in attrs:
            self.th_without_scope += 1


def structure_problems(html: str) -> list[str]:
    """What a screen reader user would trip over: headings out of order, fields without a label,
    table headers without a scope."""
    parser = _Structure()
    parser.feed(html)
    problems = []
    if parser.headings.count(1) != 1 or parser.headings[:1] != [1]:
        problems.append(f"one h1, first: {parser.headings}")
    for before, after in zip(parser.headings, parser.headings[1:], strict=False):
        if after > before + 1:
            problems.append(f"heading h{after} after h{before}")
    problems += [f"no label for {control!r}" for control in parser.controls if control not in parser.labels]
    if parser.th_without_scope:
        problems.append(f"{parser.th_without_scope} th without scope")
    return problems
