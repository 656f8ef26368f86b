"""Names a package's ``__init__`` imports from its modules on first use (PEP 562), written once.

A package lists ``{module: names}``; ``lazy_names`` returns the name-to-module table and the
module-level ``__getattr__`` and ``__dir__`` that import a name the first time it is asked for and
keep it in the package's namespace after. Nothing here imports NumPy or pandas.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping, Sequence


def lazy_names(
    package: str, namespace: MutableMapping[str, object], modules: Mapping[str, Sequence[str]]
) -> tuple[dict[str, str], Callable[[str], object], Callable[[], list[str]]]:
    """The table {name: module}, and ``__getattr__`` and ``__dir__`` for ``package`` (its ``globals()``)."""
    module_of = {name: module for module, names in modules.items() for name in names}

    def __getattr__(name: str) -> object:
        """A public name, imported from its module the first time it is asked for."""
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *module_of})

    return module_of, __getattr__, __dir__
