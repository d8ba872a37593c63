"""README and docs examples are real output (issue 14, item 2): every ```console example whose
command is `xxgk …` runs, and its shown output — `…` standing for what is left out — matches."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("doc_examples", ROOT / "scripts" / "doc_examples.py")
doc_examples = importlib.util.module_from_spec(_spec)
sys.modules["doc_examples"] = doc_examples  # dataclasses look their module up
_spec.loader.exec_module(doc_examples)

EXAMPLES = doc_examples.examples()


def test_there_are_examples_and_the_parse_example_is_one():
    assert any(e.command.startswith("xxgk parse examples/") and e.file.name == "README.md" for e in EXAMPLES)


@pytest.mark.parametrize("ex", EXAMPLES, ids=lambda e: f"{e.file.name}:{e.line}")
def test_example_output_is_real(ex):
    if doc_examples.SHOWN_SEEDS in ex.command and not doc_examples.seeds_dir().is_dir():
        pytest.skip(f"seeds folder {doc_examples.seeds_dir()} not found (set XXGK_SEEDS)")
    real = doc_examples.run(ex)
    assert doc_examples.matches(ex.shown, real), f"{ex.file.name}:{ex.line} $ {ex.command}\n--- real output:\n{real}"


@pytest.mark.parametrize("shown, real, ok", [
    ("a\n…\nd", "a\nb\nc\nd", True),
    ("a\n…\nd", "a\nd", True),
    ("x: …,", "x: 12,", True),
    ("x: 3,", "x: 4,", False),          # a stale number is caught
    ("a\nb", "a\nb\nc", False),         # unshown trailing output must be marked with …
])
def test_elision_matching(shown, real, ok):
    assert doc_examples.matches(shown, real) is ok
