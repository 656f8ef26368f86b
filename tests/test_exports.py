"""Each package's public names, imported on first use (PEP 562), are the ones its ``__init__`` declares.

A lazy ``__init__`` lists every name three times: in ``__all__``, in the ``TYPE_CHECKING`` imports
that mypy reads, and in the table of which module holds it. These tests keep the three the same and
check that every name resolves to the object its module defines.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAZY_PACKAGES = ("scoring", "matrix.catalogue", "matrix.access")


def type_checking_imports(package: ModuleType) -> dict[str, str]:
    """{name: module} for every name the ``if TYPE_CHECKING:`` block of the package's ``__init__`` imports."""
    tree = ast.parse(Path(str(package.__file__)).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in node.body:
                assert isinstance(child, ast.ImportFrom) and child.module, ast.dump(child)
                found |= {alias.name: child.module for alias in child.names}
    return found


def eager_imports(package: ModuleType) -> dict[str, str]:
    """{name: module} for the names the ``__init__`` imports at once (outside ``TYPE_CHECKING``)."""
    tree = ast.parse(Path(str(package.__file__)).read_text(encoding="utf-8"))
    return {
        alias.name: node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(package.__name__ + ".")
        for alias in node.names
    }


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_lazy_package_lists_agree(name: str) -> None:
    """``__all__``, the TYPE_CHECKING imports and the table of modules name the same names in the same modules."""
    package = importlib.import_module(name)
    table = {export: f"{name}.{module}" for export, module in package._MODULE_OF.items()}
    declared = type_checking_imports(package)
    eager = eager_imports(package)
    assert sorted(package.__all__) == sorted({*table, *eager})
    assert declared == table
    assert not set(eager) & set(table)


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_every_public_name_resolves(name: str) -> None:
    """Every name in ``__all__`` is the object its module defines, even after every module of the package is loaded."""
    package = importlib.import_module(name)
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{name}.{module.name}")
    for export in package.__all__:
        where = package._MODULE_OF.get(export) or eager_imports(package)[export].rpartition(".")[2]
        assert getattr(package, export) is getattr(importlib.import_module(f"{name}.{where}"), export), export
        assert not isinstance(getattr(package, export), ModuleType), export
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = package.no_such_name
