"""The catalogue: its schema, the one loader, writing and saving it, editing it as a table, YEF ratings and diffs.

Everything that reads or changes `data/interventions.toml` lives here; nothing here scores or optimises.
"""

from matrix.catalogue.audit import Finding, audit_catalogue
from matrix.catalogue.diff import (
    diff_catalogues,
)
from matrix.catalogue.errors import (
    CatalogueError,
    Problem,
)
from matrix.catalogue.files import (
    read_bounded,
)
from matrix.catalogue.loader import (
    MAX_CATALOGUE_BYTES,
    SHIPPED_CATALOGUE,
    LoadedCatalogue,
    decode_text,
    load_catalogue,
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
)
from matrix.catalogue.table import (
    MAX_UPLOAD_BYTES,
    apply_frame,
    check_upload,
    interventions_frame,
    row_problems,
)
from matrix.catalogue.writer import (
    can_save,
    catalogue_document,
    catalogue_to_toml,
    load_document,
    save_catalogue,
)
from matrix.catalogue.yef import (
    apply_yef,
    stale_strands,
    yef_changes,
)

__all__ = [
    "DELIVERY_MODELS",
    "DELIVERY_RISKS",
    "FULL_LEVEL",
    "ILLUSTRATIVE",
    "IMPACT_BANDS",
    "MAX_CATALOGUE_BYTES",
    "MAX_UPLOAD_BYTES",
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
    "one_line",
    "parse_catalogue",
    "parse_toml",
    "read_bounded",
    "row_problems",
    "save_catalogue",
    "stale_strands",
    "yef_changes",
]
