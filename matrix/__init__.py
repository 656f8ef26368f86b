"""Catalogue data and IO: the schema, the one TOML loader, the decision problem, exports, CLI."""

from matrix.errors import CatalogueError, Problem
from matrix.export import SCORE_COLUMNS, neutralise_cell, shortlist_table, to_safe_csv
from matrix.loader import LoadedCatalogue, load_catalogue, parse_catalogue
from matrix.problem import DecisionProblem, build_problem, describe_value_functions, explain, provenance_counts

__all__ = [
    "SCORE_COLUMNS",
    "CatalogueError",
    "DecisionProblem",
    "LoadedCatalogue",
    "Problem",
    "build_problem",
    "describe_value_functions",
    "explain",
    "load_catalogue",
    "neutralise_cell",
    "parse_catalogue",
    "provenance_counts",
    "shortlist_table",
    "to_safe_csv",
]
