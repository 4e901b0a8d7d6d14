"""CSV for spreadsheets: every export writes its cells through here, so that no cell runs as a formula."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP, CSV Injection)."""


def inert(value: object) -> str:
    """The cell's text, with a single quote before it when it would start a formula (a meeting topic
    "=HYPERLINK(...)" shows as that text, and runs nothing); None is an empty cell."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([inert(name) for name in header])
    writer.writerows([inert(value) for value in row] for row in rows)
    return out.getvalue()
