"""The board report: a decision the board can read, sign and file, as DOCX and PDF, built from a decision record."""

from matrix.report.charts import (
    SPEND_TITLE,
    SPEND_X,
    STATUS,
    STATUS_LEGEND,
    TIER_COLOURS,
    TIER_LEGEND,
    TIERS,
    VALUE_TITLE,
    VALUE_X,
    VALUE_Y,
    chart_label,
    value_spec,
)
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
    "SPEND_TITLE",
    "SPEND_X",
    "STATUS",
    "STATUS_LEGEND",
    "TIERS",
    "TIER_COLOURS",
    "TIER_LEGEND",
    "VALUE_TITLE",
    "VALUE_X",
    "VALUE_Y",
    "Figure",
    "Report",
    "Section",
    "Table",
    "board_report",
    "chart_label",
    "headline",
    "near_ties",
    "record_identity",
    "to_docx",
    "to_pdf",
    "value_spec",
]
