"""Checks: Report → findings.  Importing this package registers every rule."""

from . import (  # noqa: F401  (registration)
    accounting, consolidated_rules, cross_year, document_rules, draft_rules, meta_rules, narrative_rules, ocr_rules,
    reader_rules, split_rules,
)
from .cross_year import run_corpus
from .registry import RULES, Rule, iter_codes, run, selected

__all__ = ["RULES", "Rule", "iter_codes", "run", "run_corpus", "selected"]
