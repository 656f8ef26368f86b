"""The catalogue: its schema, the one loader, writing and saving it, editing it as a table, YEF ratings and diffs.

Everything that reads or changes `data/interventions.toml` lives here; nothing here scores or optimises.

Names are imported from their module on first use (PEP 562): checking a file loads the schema and
the loader, not pandas (the table editor) or the writer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scoring import lazy_names

if TYPE_CHECKING:
    from matrix.catalogue.audit import Finding, audit_catalogue
    from matrix.catalogue.diff import diff_catalogues
    from matrix.catalogue.errors import CatalogueError, Problem
    from matrix.catalogue.files import read_bounded
    from matrix.catalogue.loader import (
        SHIPPED_CATALOGUE,
        LoadedCatalogue,
        decode_text,
        load_catalogue,
        max_catalogue_bytes,
        parse_catalogue,
        parse_toml,
    )
    from matrix.catalogue.schema import (
        DELIVERY_MODELS,
        DELIVERY_RISKS,
        FULL_LEVEL,
        ILLUSTRATIVE,
        IMPACT_BANDS,
        PROVENANCE_KEYWORDS,
        TARGET_GROUPS,
        TIERS,
        UNCONFIRMED,
        Audience,
        Catalogue,
        Eligibility,
        FinancialYear,
        FundingStream,
        Identifier,
        Intervention,
        MaybeSourced,
        Scoring,
        Sourced,
        Strict,
        Text,
        Tier,
        Uncertainty,
        Weights,
        YefStrand,
        one_line,
        provenance_counts,
    )
    from matrix.catalogue.table import apply_frame, check_upload, interventions_frame, row_problems
    from matrix.catalogue.writer import can_save, catalogue_document, catalogue_to_toml, load_document, save_catalogue
    from matrix.catalogue.yef import apply_yef, stale_strands, yef_changes

# Which module of the package each public name lives in.
_MODULES = {
    "audit": ("Finding", "audit_catalogue"),
    "diff": ("diff_catalogues",),
    "errors": ("CatalogueError", "Problem"),
    "files": ("read_bounded",),
    "loader": (
        "SHIPPED_CATALOGUE",
        "LoadedCatalogue",
        "decode_text",
        "load_catalogue",
        "max_catalogue_bytes",
        "parse_catalogue",
        "parse_toml",
    ),
    "schema": (
        "DELIVERY_MODELS",
        "DELIVERY_RISKS",
        "FULL_LEVEL",
        "ILLUSTRATIVE",
        "IMPACT_BANDS",
        "PROVENANCE_KEYWORDS",
        "TARGET_GROUPS",
        "TIERS",
        "UNCONFIRMED",
        "Audience",
        "Catalogue",
        "Eligibility",
        "FinancialYear",
        "FundingStream",
        "Identifier",
        "Intervention",
        "MaybeSourced",
        "Scoring",
        "Sourced",
        "Strict",
        "Text",
        "Tier",
        "Uncertainty",
        "Weights",
        "YefStrand",
        "one_line",
        "provenance_counts",
    ),
    "table": ("apply_frame", "check_upload", "interventions_frame", "row_problems"),
    "writer": ("can_save", "catalogue_document", "catalogue_to_toml", "load_document", "save_catalogue"),
    "yef": ("apply_yef", "stale_strands", "yef_changes"),
}
_MODULE_OF, __getattr__, __dir__ = lazy_names(__name__, globals(), _MODULES)


__all__ = [
    "DELIVERY_MODELS",
    "DELIVERY_RISKS",
    "FULL_LEVEL",
    "ILLUSTRATIVE",
    "IMPACT_BANDS",
    "PROVENANCE_KEYWORDS",
    "SHIPPED_CATALOGUE",
    "TARGET_GROUPS",
    "TIERS",
    "UNCONFIRMED",
    "Audience",
    "Catalogue",
    "CatalogueError",
    "Eligibility",
    "FinancialYear",
    "Finding",
    "FundingStream",
    "Identifier",
    "Intervention",
    "LoadedCatalogue",
    "MaybeSourced",
    "Problem",
    "Scoring",
    "Sourced",
    "Strict",
    "Text",
    "Tier",
    "Uncertainty",
    "Weights",
    "YefStrand",
    "apply_frame",
    "apply_yef",
    "audit_catalogue",
    "can_save",
    "catalogue_document",
    "catalogue_to_toml",
    "check_upload",
    "decode_text",
    "diff_catalogues",
    "interventions_frame",
    "load_catalogue",
    "load_document",
    "max_catalogue_bytes",
    "one_line",
    "parse_catalogue",
    "parse_toml",
    "provenance_counts",
    "read_bounded",
    "row_problems",
    "save_catalogue",
    "stale_strands",
    "yef_changes",
]
