"""The layering rules, checked by parsing every import rather than trusting prose.

- ``scoring/`` is pure maths; ``matrix/`` has no UI; only the UI imports streamlit.
- Inside ``matrix/`` data flows one way: catalogue -> decision -> persistence (the CLI uses all three).
- Code never imports another package's private modules: outside its own folder it imports a
  package (its curated ``__init__``), never one of the package's modules, and never a ``_name``.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STDLIB = set(sys.stdlib_module_names)
CODE_FOLDERS = ("scoring", "matrix", "ui")
# Which parts of matrix/ each part may import (besides itself and scoring).
MATRIX_ORDER = {
    "catalogue": set(),
    "decision": {"catalogue"},
    "persistence": {"catalogue", "decision"},
    "access": {"catalogue", "decision", "persistence"},
    "report": {"catalogue", "decision", "persistence"},
}


def code_files() -> list[Path]:
    files = [ROOT / "streamlit_app.py"]
    for folder in CODE_FOLDERS:
        files += [p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts]
    return files


def absolute_imports(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(module, names) for every absolute import; ``import a.b`` gives ("a.b", [])."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [alias.name for alias in node.names]


def imported_roots(path: Path) -> set[str]:
    return {module.split(".")[0] for module, _ in absolute_imports(path)}


def imports_of(folder: str) -> dict[str, set[str]]:
    return {str(p.relative_to(ROOT)): imported_roots(p) for p in (ROOT / folder).rglob("*.py")}


def is_project_module(dotted: str) -> bool:
    """A dotted name that is a .py module (not a package) of this project."""
    return (ROOT / Path(*dotted.split("."))).with_suffix(".py").is_file()


def test_scoring_is_pure_maths() -> None:
    """scoring/ imports only the standard library, numpy, pandas, scipy and highspy (and itself)."""
    allowed = STDLIB | {"numpy", "pandas", "scipy", "highspy", "scoring"}
    for path, roots in imports_of("scoring").items():
        assert roots <= allowed, f"{path} imports {sorted(roots - allowed)}"


def test_matrix_has_no_ui() -> None:
    """matrix/ never imports streamlit, altair or the ui package."""
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


@pytest.mark.parametrize("part", sorted(MATRIX_ORDER))
def test_matrix_parts_import_in_one_direction(part: str) -> None:
    """catalogue imports no other part of matrix/, decision only catalogue, persistence catalogue and decision."""
    for path in (ROOT / "matrix" / part).rglob("*.py"):
        for module, _ in absolute_imports(path):
            pieces = module.split(".")
            if pieces[0] != "matrix":
                continue
            other = pieces[1] if len(pieces) > 1 else ""
            assert other == part or other in MATRIX_ORDER[part] or other == "version", (
                f"{path.relative_to(ROOT)} imports {module}: {part} may import only "
                f"{sorted(MATRIX_ORDER[part]) or 'nothing'} of matrix/"
            )


def test_no_private_imports_across_packages() -> None:
    """Outside its own folder, code imports packages (their __init__), never their modules or _names."""
    wrong = []
    for path in code_files():
        here = path.parent
        for module, names in absolute_imports(path):
            if module.split(".")[0] not in CODE_FOLDERS:
                continue
            owner = (ROOT / Path(*module.split("."))).parent
            same_folder = owner == here
            if is_project_module(module) and not same_folder and module not in {"matrix.version", "matrix.cli"}:
                wrong.append(f"{path.relative_to(ROOT)} imports the module {module}; import from its package")
            private = [n for n in names if n.startswith("_")]
            if private and not (is_project_module(module) and same_folder):
                wrong.append(f"{path.relative_to(ROOT)} imports private {private} from {module}")
    assert not wrong, "\n".join(wrong)


def test_the_layer_checks_can_fail(tmp_path: Path) -> None:
    """The import parser sees both import forms, so the checks above are not vacuous."""
    sample = tmp_path / "sample.py"
    sample.write_text("import streamlit\nfrom matrix.decision.scenario import _names\n", encoding="utf-8")
    found = dict(absolute_imports(sample))
    assert found == {"streamlit": [], "matrix.decision.scenario": ["_names"]}
    assert is_project_module("matrix.decision.scenario")
    assert not is_project_module("matrix.decision")
