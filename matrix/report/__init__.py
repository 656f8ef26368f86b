"""The board report: a decision the board can read, sign and file, as DOCX and PDF, built from a decision record."""

from matrix.report.content import (
    Figure,
    Report,
    Section,
    Table,
    board_report,
    headline,
    near_ties,
    record_identity,
)
from matrix.report.writers import (
    to_docx,
    to_pdf,
)

__all__ = [
    "Figure",
    "Report",
    "Section",
    "Table",
    "board_report",
    "headline",
    "near_ties",
    "record_identity",
    "to_docx",
    "to_pdf",
]
