"""The malformed-input corpus: each file gets its specific message, in the CLI and in the app's upload check."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from matrix.catalogue import CatalogueError, LoadedCatalogue, check_upload
from tests.conftest import run_cli

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED: dict[str, str] = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
# Files too big to keep in the repository are made when a test needs them.
GENERATED = {"31_too_big.toml": lambda: b"# " + b"x" * (5 * 1024 * 1024) + b"\n"}


def corpus_file(name: str, folder: Path) -> Path:
    if name in GENERATED:
        path = folder / name
        path.write_bytes(GENERATED[name]())
        return path
    return CORPUS / name


def test_the_corpus_is_big_enough() -> None:
    """At least thirty malformed files, each with an expected message, and no file without one."""
    files = {p.name for p in CORPUS.iterdir() if p.name != "expected.toml"} | set(GENERATED)
    assert len(files) >= 30
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_upload_check_gives_the_expected_message(name: str, shipped: LoadedCatalogue, tmp_path: Path) -> None:
    """The app's upload check refuses the file with the expected words, never an exception of another kind."""
    raw = corpus_file(name, tmp_path).read_bytes()
    with pytest.raises(CatalogueError) as caught:
        check_upload(shipped.catalogue, name, raw)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert EXPECTED[name] in text


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.endswith(".toml")))
def test_cli_gives_the_expected_message(name: str, tmp_path: Path) -> None:
    """matrix validate exits 1 with the expected words and no traceback."""
    path = corpus_file(name, tmp_path)
    done = run_cli(["validate", str(path)])
    assert done.returncode == 1
    assert EXPECTED[name] in done.stderr
    assert "Traceback" not in done.stderr
