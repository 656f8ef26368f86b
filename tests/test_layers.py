"""The layering rule, checked by parsing imports: scoring is pure, matrix has no UI, only the UI imports streamlit."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STDLIB = set(sys.stdlib_module_names)


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def imports_of(folder: str) -> dict[str, set[str]]:
    return {str(p.relative_to(ROOT)): imported_roots(p) for p in (ROOT / folder).rglob("*.py")}


def test_scoring_is_pure_maths() -> None:
    """scoring/ imports only the standard library, numpy, pandas and scipy (and itself)."""
    allowed = STDLIB | {"numpy", "pandas", "scipy", "scoring"}
    for path, roots in imports_of("scoring").items():
        assert roots <= allowed, f"{path} imports {sorted(roots - allowed)}"


def test_matrix_has_no_ui() -> None:
    """matrix/ never imports streamlit or altair."""
    for path, roots in imports_of("matrix").items():
        assert not roots & {"streamlit", "altair", "ui"}, f"{path} imports UI code"


def test_only_the_ui_imports_streamlit() -> None:
    """streamlit is imported only by streamlit_app.py and ui/ page modules; the chart builders and text helpers stay pure."""
    for folder in ("scoring", "matrix"):
        for path, roots in imports_of(folder).items():
            assert "streamlit" not in roots, path
    for pure in ("ui/charts.py", "ui/text.py"):
        assert "streamlit" not in imported_roots(ROOT / pure), pure
    assert "streamlit" in imported_roots(ROOT / "streamlit_app.py")
