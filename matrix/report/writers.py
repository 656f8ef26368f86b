"""The board report as a Word document (python-docx, for board secretaries' own templates) and as a
PDF (fpdf2, pure Python, offline, with the DejaVu font shipped here so any name prints). Both lay out
the same ``Report``; neither interprets its text (no Markdown, HTML or fields)."""

from __future__ import annotations

import io
import struct
from pathlib import Path

from docx import Document
from docx.shared import Cm, Pt
from fpdf import FPDF
from fpdf.fonts import FontFace

from matrix.report.content import Figure, Report, Table

FONTS = Path(__file__).resolve().parent / "fonts"


def to_docx(report: Report) -> bytes:
    document = Document()
    document.core_properties.title = report.title
    document.core_properties.subject = f"decision record {report.record_sha256}"
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.subtitle)
    for section in report.sections:
        document.add_heading(section.heading, level=1)
        for block in section.blocks:
            if isinstance(block, str):
                document.add_paragraph(block)
            elif isinstance(block, Table):
                document.add_paragraph(block.caption, style="Caption")
                table = document.add_table(rows=1, cols=len(block.columns))
                table.style = "Table Grid"
                for cell, text in zip(table.rows[0].cells, block.columns, strict=True):
                    cell.text = ""
                    cell.paragraphs[0].add_run(text).bold = True
                for row in block.rows:
                    cells = table.add_row().cells
                    for cell, text in zip(cells, row, strict=True):
                        cell.text = text
            else:
                _docx_figure(document, block)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _docx_figure(document: object, figure: Figure) -> None:
    document.add_paragraph(figure.title, style="Caption")  # type: ignore[attr-defined]
    document.add_picture(io.BytesIO(figure.png), width=Cm(16))  # type: ignore[attr-defined]
    document.add_paragraph(figure.summary)  # type: ignore[attr-defined]


class _Paper(FPDF):
    def __init__(self, report: Report) -> None:
        super().__init__(format="A4")
        self.report = report
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(report.title)
        self.set_subject(f"decision record {report.record_sha256}")
        self.set_lang("en-GB")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 6, f"{self.report.title}: page {self.page_no()} of {{nb}}", align="C")


# A column's share of a table's width: room for its longest word (so "£190,000" never breaks: DejaVu's
# digits are wide, hence the margin) and more for long text, within these bounds (characters), so names get
# room and a short column takes little.
NARROWEST, WIDEST, WORD_MARGIN = 6, 40, 6
KEEP_WITH_HEADING_MM = 40  # a section heading starts a new page unless this much of the page is left


def column_widths(table: Table) -> tuple[int, ...]:
    """Relative widths of a table's columns for the PDF: the longer of each column's longest word (a heading's a
    little wider, being bold) plus ``WORD_MARGIN`` and 0.6 of its longest text, held between ``NARROWEST`` and
    ``WIDEST``."""
    widths = []
    for index in range(len(table.columns)):
        cells = [row[index] for row in table.rows]
        word = max(
            max((len(w) for text in cells for w in text.split()), default=0) + WORD_MARGIN,
            max((len(w) for w in table.columns[index].split()), default=0) + WORD_MARGIN + 2,  # headings are bold
        )
        text = max((len(t) for t in (table.columns[index], *cells)), default=0)
        widths.append(min(WIDEST, max(NARROWEST, word, round(0.6 * text))))
    return tuple(widths)


def _aspect(png: bytes) -> float:
    """A PNG's height over its width, from its header (the IHDR chunk: width and height at bytes 16-24)."""
    width, height = struct.unpack(">II", png[16:24])
    return float(height) / float(width or 1)


def to_pdf(report: Report) -> bytes:
    pdf = _Paper(report)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(width, 9, report.title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(width, 5, report.subtitle, align="L", new_x="LMARGIN", new_y="NEXT")
    # Paragraphs are ranged left, never justified: a justified line holding a long unbroken hash or address
    # stretches its spaces (and ragged-right text is easier to read).
    for section in report.sections:
        pdf.ln(4)
        if pdf.will_page_break(KEEP_WITH_HEADING_MM):  # a heading never ends a page with nothing of its section under it
            pdf.add_page()
        pdf.start_section(section.heading)
        pdf.set_font("DejaVu", "B", 13)
        pdf.multi_cell(width, 7, section.heading, align="L", new_x="LMARGIN", new_y="NEXT")
        for block in section.blocks:
            pdf.set_font("DejaVu", "", 10)
            if isinstance(block, str):
                pdf.multi_cell(width, 5, block, align="L", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            elif isinstance(block, Table):
                pdf.set_font("DejaVu", "B", 9)
                pdf.multi_cell(width, 5, block.caption, align="L", new_x="LMARGIN", new_y="NEXT")
                pdf.set_font("DejaVu", "", 8)
                with pdf.table(
                    headings_style=FontFace(emphasis="BOLD"),
                    line_height=4.5,
                    text_align="LEFT",
                    first_row_as_headings=True,
                    col_widths=column_widths(block),
                ) as table:
                    for row in (block.columns, *block.rows):
                        cells = table.row()
                        for text in row:
                            cells.cell(text)
                pdf.ln(3)
            else:
                if pdf.will_page_break(10 + width * _aspect(block.png)):  # a chart's title stays with its chart
                    pdf.add_page()
                pdf.set_font("DejaVu", "B", 9)
                pdf.multi_cell(width, 5, block.title, align="L", new_x="LMARGIN", new_y="NEXT")
                pdf.image(io.BytesIO(block.png), w=width, alt_text=block.summary)
                pdf.set_font("DejaVu", "", 9)
                pdf.multi_cell(width, 4.5, block.summary, align="L", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
    return bytes(pdf.output())
