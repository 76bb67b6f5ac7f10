"""Spreadsheets made for the import's tests, as offices' programs write them."""

import csv
import io

import openpyxl

from partnerships.resources import InstitutionResource, PartnershipResource


def partnership_headers() -> list[str]:
    return PartnershipResource().headers()


def institution_headers() -> list[str]:
    return InstitutionResource().headers()


def header(key: str, resource=None) -> str:
    """The Polish header of the column ``key``."""
    resource = resource or PartnershipResource()
    keys = [field.attribute for field in resource.get_export_fields()]
    return resource.headers()[keys.index(key)]


def rows_of(dicts: list[dict], resource=None) -> tuple[list[str], list[list]]:
    """A header of the columns the dicts use (by key) and their rows."""
    resource = resource or PartnershipResource()
    keys = list(dict.fromkeys(key for row in dicts for key in row))
    return [header(key, resource) for key in keys], [[row.get(key, "") for key in keys] for row in dicts]


def xlsx(headers: list[str], rows: list[list], title: str = "partnerstwa") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def csv_bytes(headers: list[str], rows: list[list], *, delimiter=";", encoding="utf-8", bom=False) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + stream.getvalue().encode(encoding)
