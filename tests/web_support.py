"""Helpers of the web desk's tests: optional dependencies (skipped locally, required in CI),
generated reports with known faults, a desk on a temporary database."""

from __future__ import annotations

import importlib
import os
import random

import pytest

CI = bool(os.environ.get("CI"))


def need(*modules: str) -> None:
    """Skip the calling test module when a module is missing — except in CI, where the web
    desk's tests must run: there a missing module fails the run."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            msg = (f"{name} is not there ({exc}): the web desk needs the corpus store (branch corpus)"
                   if name.startswith("xxgk.") else f"{name} is not installed ({exc}); install xxgk[web,test]")
            if CI:
                pytest.fail(f"CI must run the web desk tests: {msg}", pytrace=False)
            pytest.skip(msg, allow_module_level=True)


def synth_text(seed: int, *, agency: str | None = None, year: int | None = None, break_balance: bool = False,
               narrative_extra: str | None = None, template: str = "2021", previous=None):
    """(SynthReport, text) of a generated report.  break_balance adds 5 to 本年新收·自然人 after the
    numbers were made consistent, so T3_ROW_SUM and T3_BALANCE fire on that row and column."""
    from xxgk.synth import random_report
    from xxgk.synth.layouts import write

    rep = random_report(random.Random(seed), template, year=year, agency=agency, zero_share=0.05, previous=previous)
    if break_balance:
        rep.values["requests"]["new_received"]["natural_person"] += 5
    if narrative_extra:
        rep.sections[5] = rep.sections[5] + "\n" + narrative_extra
    return rep, write(rep, "tsv", random.Random(seed), heading="一、")


class Desk:
    """A desk on a temporary SQLite corpus, driven through FastAPI's TestClient."""

    def __init__(self, db_path, **kw):
        from fastapi.testclient import TestClient

        from xxgk.store import open_store
        from xxgk.web import create_app

        self.store = open_store(str(db_path))
        self.app = create_app(store=self.store, secret="test-secret", **kw)
        self.client = TestClient(self.app, follow_redirects=False)
        self.client.__enter__()

    def close(self):
        self.client.__exit__(None, None, None)
        self.store.close()

    @property
    def token(self) -> str:
        return self.client.get("/api/session").json()["csrf_token"]

    def upload(self, files: list[tuple[str, bytes]], expect: int = 202) -> dict:
        r = self.client.post("/api/uploads", params={"wait": "true"}, headers={"X-CSRF-Token": self.token},
                             files=[("files", (name, data, "application/octet-stream")) for name, data in files])
        assert r.status_code == expect, r.text
        return r.json()

    def page(self, path: str, status: int = 200) -> str:
        r = self.client.get(path, headers={"Accept": "text/html"})
        assert r.status_code == status, (path, r.status_code, r.text[:500])
        return r.text
