"""The board report as a Word document (python-docx, for board secretaries' own templates) and as a
PDF (fpdf2, pure Python, offline, with the DejaVu font shipped here so any name prints). Both lay out
the same ``Report``; neither interprets its text (no Markdown, HTML or fields)."""

from __future__ import annotations

import io
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


def to_pdf(report: Report) -> bytes:
    pdf = _Paper(report)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(width, 9, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(width, 5, report.subtitle, new_x="LMARGIN", new_y="NEXT")
    for section in report.sections:
        pdf.ln(4)
        pdf.start_section(section.heading)
        pdf.set_font("DejaVu", "B", 13)
        pdf.multi_cell(width, 7, section.heading, new_x="LMARGIN", new_y="NEXT")
        for block in section.blocks:
            pdf.set_font("DejaVu", "", 10)
            if isinstance(block, str):
                pdf.multi_cell(width, 5, block, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            elif isinstance(block, Table):
                pdf.set_font("DejaVu", "B", 9)
                pdf.multi_cell(width, 5, block.caption, new_x="LMARGIN", new_y="NEXT")
                pdf.set_font("DejaVu", "", 8)
                with pdf.table(
                    headings_style=FontFace(emphasis="BOLD"), line_height=4.5, text_align="LEFT", first_row_as_headings=True
                ) as table:
                    for row in (block.columns, *block.rows):
                        cells = table.row()
                        for text in row:
                            cells.cell(text)
                pdf.ln(3)
            else:
                pdf.set_font("DejaVu", "B", 9)
                pdf.multi_cell(width, 5, block.title, new_x="LMARGIN", new_y="NEXT")
                pdf.image(io.BytesIO(block.png), w=width, alt_text=block.summary)
                pdf.set_font("DejaVu", "", 9)
                pdf.multi_cell(width, 4.5, block.summary, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
    return bytes(pdf.output())
