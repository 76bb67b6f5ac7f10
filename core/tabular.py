"""Spreadsheets read as offices send them, and refused before they can do harm.

A file is XLSX or CSV by what it holds, never by its name alone: an XLSX is a zip archive,
checked for its size once unpacked before openpyxl opens it (a few kilobytes can unpack to
gigabytes); a CSV is text in UTF-8 (with or without a BOM) or Windows-1250, its cells
separated by ``;`` (Excel in a Polish locale) or ``,``, told apart from its header line.
Formulas are read as their text (openpyxl without ``data_only``), never evaluated. Every
refusal is a ``SpreadsheetError`` whose message is for the user.
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_FILE_BYTES = 10 * 1024 * 1024
# The data rows one file may hold: a voivodeship's registry is a few thousand; more is refused
# with this number in the message (docs/import.md), until imports run in the background.
MAX_ROWS = 20_000
# An XLSX of 10 MB unpacks to 50-100 MB of XML at most; a zip bomb to far more.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_PACKING_RATIO = 200
ZIP_MAGIC = b"PK\x03\x04"


class SpreadsheetError(Exception):
    """The file cannot be read; the message says why, in the user's language."""


class TooManyRows(SpreadsheetError):
    """A sheet has more data rows than ``read_workbook`` was allowed to read."""


@dataclass
class Sheet:
    """One sheet: its header and its data rows, each with its number in the file (the header is row 1)."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)


@dataclass
class Workbook:
    """What a file held, and how it was read (shown in the preview)."""

    file_format: str  # "xlsx" or "csv"
    sheets: list[Sheet]
    encoding: str = ""
    delimiter: str = ""


def read_workbook(name: str, data: bytes, *, max_rows: int = MAX_ROWS) -> Workbook:
    """The sheets of the file ``name`` holding ``data``; raises ``SpreadsheetError``."""
    if len(data) > MAX_FILE_BYTES:
        raise SpreadsheetError(
            _("The file is larger than %(limit)d MB; split it into smaller files.") % {"limit": MAX_FILE_BYTES >> 20}
        )
    if not data.strip():
        raise SpreadsheetError(_("The file is empty."))
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if data.startswith(ZIP_MAGIC):
        if suffix == "csv":
            raise SpreadsheetError(_("The file is named .csv but is not a CSV text file."))
        workbook = _read_xlsx(data, max_rows)
    elif suffix in {"xlsx", "xlsm"}:
        raise SpreadsheetError(_("The file is named .xlsx but is not an XLSX spreadsheet."))
    elif suffix in {"csv", "txt", ""}:
        workbook = _read_csv(data, max_rows)
    else:
        raise SpreadsheetError(_("Only XLSX and CSV files can be imported."))
    if not any(sheet.rows for sheet in workbook.sheets):
        raise SpreadsheetError(_("The file has no data rows below its header."))
    return workbook


def _read_xlsx(data: bytes, max_rows: int) -> Workbook:
    import openpyxl  # a large import, needed only for XLSX files

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise SpreadsheetError(_("The file is not a readable XLSX spreadsheet.")) from error
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError(_("The file is a zip archive, not an XLSX spreadsheet."))
    unpacked = sum(member.file_size for member in members)
    packed = max(1, sum(member.compress_size for member in members))
    if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_PACKING_RATIO:
        raise SpreadsheetError(_("The file unpacks to far more data than a spreadsheet holds; it was not opened."))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise SpreadsheetError(_("The file is not a readable XLSX spreadsheet.")) from error
    sheets = []
    try:
        for worksheet in book.worksheets:
            if worksheet.sheet_state != "visible":
                continue  # a template's lists behind its drop-downs
            rows = worksheet.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            sheet = Sheet(worksheet.title, [_text(cell) for cell in header])
            for number, row in enumerate(rows, start=2):
                values = list(row)
                if all(value is None or _text(value) == "" for value in values):
                    continue
                if len(sheet.rows) >= max_rows:
                    raise _too_many(max_rows)
                sheet.rows.append((number, values))
            sheets.append(sheet)
    finally:
        book.close()
    return Workbook("xlsx", sheets)


def _read_csv(data: bytes, max_rows: int) -> Workbook:
    if b"\x00" in data[:4096]:
        raise SpreadsheetError(_("The file is not a CSV text file."))
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        encoding = "cp1250"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            raise SpreadsheetError(_("The file is neither UTF-8 nor Windows-1250 text.")) from error
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None) or []
    sheet = Sheet("", [cell.strip() for cell in header])
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(sheet.rows) >= max_rows:
            raise _too_many(max_rows)
        sheet.rows.append((number, row))
    label = {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "cp1250": "Windows-1250"}[encoding]
    return Workbook("csv", [sheet], encoding=label, delimiter=delimiter)


def _too_many(max_rows: int) -> TooManyRows:
    return TooManyRows(
        _("The file has more than %(limit)d data rows; split it into files of at most %(limit)d rows.")
        % {"limit": max_rows}
    )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def write_xlsx(stream, sheets: list[tuple[str, list[str], list[list]]]) -> None:
    """Sheets of (title, headers, rows) as XLSX into ``stream``. Every text cell is stored as
    text: openpyxl would store "=…" as a formula, which a spreadsheet then runs."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=False)
    book.remove(book.active)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(["" if value is None else value for value in row])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    book.save(stream)


def write_csv(stream, headers: list[str], rows: list[list]) -> None:
    """A CSV as Excel in a Polish locale opens it: UTF-8 with a BOM, cells separated by ";",
    every cell neutralised against formulas (``core.spreadsheet``)."""
    from .spreadsheet import SafeWriter

    stream.write("\ufeff")
    writer = SafeWriter(stream, delimiter=";")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(row)
