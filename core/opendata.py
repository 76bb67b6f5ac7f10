"""Open data downloads of every public list: the rows a list's FilterSet selects, as CSV, JSON or
XLSX, written row by row so that a national export needs no more memory than a short one.

- CSV: UTF-8 with a byte order mark and ``;`` between cells, which Excel in a Polish locale
  opens on a double click; list values joined by ``|``; every cell neutralised
  (core.spreadsheet) so that no cell runs as a formula.
- JSON: ``{"generated_at": …, "<records>": [ … ]}``, lists as lists.
- XLSX: openpyxl's write-only mode, which writes each row to a temporary file as it comes
  (constant memory); the file is then streamed from disk. Cells are text or numbers, never
  formulas.

A list's own module gives the rows (dicts in the documented column order) and the columns.
"""

import json
import tempfile
from collections.abc import Callable, Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation

from .spreadsheet import Echo, SafeWriter, neutralised

FORMATS = ("csv", "json", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def walker(stream: Iterator[tuple]) -> Callable[[object], list]:
    """A function giving the values of the next parent in ``stream``, rows of (parent id,
    value, …) in the parents' order: called with each listed parent's id in order, it returns
    that id's values and moves past them. Relations are read as one stream beside the list,
    walked side by side: no query per row or per chunk."""
    head = next(stream, None)

    def values_of(parent_id) -> list:
        nonlocal head
        values = []
        while head is not None and head[0] == parent_id:
            values.append(head[1] if len(head) == 2 else head[1:])
            head = next(stream, None)
        return values

    return values_of


def flat(value):
    """A value as a spreadsheet cell: lists joined by ``|``, None as an empty cell."""
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return value


def csv_pieces(columns: Iterable[str], rows: Iterable[dict]) -> Iterator[str]:
    writer = SafeWriter(Echo(), delimiter=";")
    yield "\ufeff"  # a BOM, so that spreadsheets open the UTF-8 file with its diacritics
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([flat(value) for value in row.values()])


def json_pieces(records: str, rows: Iterable[dict]) -> Iterator[str]:
    yield '{"generated_at": ' + json.dumps(timezone.now().isoformat()) + ", " + json.dumps(records) + ": ["
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"


def in_blocks(pieces: Iterable[str], rows: int = 200) -> Iterator[str]:
    """The file in blocks of a few hundred rows: the server sends each block the stream
    yields on its own, and 20,000 one-row writes cost more than the rows."""
    block = []
    for piece in pieces:
        block.append(piece)
        if len(block) >= rows:
            yield "".join(block)
            block = []
    if block:
        yield "".join(block)


def xlsx_file(title: str, columns: Iterable[str], rows: Iterable[dict]):
    """The rows as an XLSX workbook in a temporary file (deleted when closed), rewound."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(columns))
    for row in rows:
        # A text cell that starts with "=" would be stored as a formula: neutralised as in CSV.
        sheet.append([v if isinstance(v, int | float) or v is None else neutralised(flat(v)) for v in row.values()])
    # Returned open to the response, which closes (and so deletes) it when sent.
    file = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(file)
    file.seek(0)
    return file


def _in_polish(rows: Callable[[], Iterable[dict]]) -> Callable[[], Iterator[dict]]:
    """The rows read in Polish: names beside codes are the registry's Polish ones, whatever the
    page's language (the rows are read while the response streams, after the view returned)."""

    def polish_rows() -> Iterator[dict]:
        with translation.override("pl"):
            yield from rows()

    return polish_rows


def download(
    export_format: str,
    name: str,
    records: str,
    columns: Iterable[str],
    rows: Callable[[], Iterable[dict]],
    csv_row=None,
) -> StreamingHttpResponse | FileResponse:
    """The download of ``rows()`` as ``export_format`` (one of FORMATS), named
    ``<name>-<date>.<format>``, its JSON list under ``records``; ``csv_row`` turns a row into
    its flat form for CSV and XLSX (a list of members as their names, where JSON keeps objects)."""
    stamp = timezone.localdate().isoformat()
    filename = f"{name}-{stamp}.{export_format}"
    rows = _in_polish(rows)
    flat_rows = (lambda: map(csv_row, rows())) if csv_row else rows
    header = list(columns)
    if export_format == "xlsx":
        return FileResponse(
            xlsx_file(name, header, flat_rows()), as_attachment=True, filename=filename, content_type=XLSX_TYPE
        )
    if export_format == "csv":
        pieces, content_type = csv_pieces(header, flat_rows()), "text/csv; charset=utf-8"
    else:
        pieces, content_type = json_pieces(records, rows()), "application/json"
    response = StreamingHttpResponse(in_blocks(pieces), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
