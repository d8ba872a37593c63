"""Schemathesis against the desk's OpenAPI document: every /api operation, with generated
parameters and bodies (a bounded number per operation), answered in-process through ASGI —
no socket is opened.  Checks: no server error, status codes and content types the document
declares, responses that match their schemas."""

import pytest

from .web_support import need

need("fastapi", "argon2", "schemathesis", "requests", "xxgk.store")

import requests  # noqa: E402
import schemathesis  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import checks as st_checks  # noqa: E402

from .web_support import Desk, synth_text  # noqa: E402

_state: dict = {}


def _desk(tmp_path_factory) -> Desk:
    if "desk" not in _state:
        d = Desk(tmp_path_factory.mktemp("st") / "st.db")
        d.upload([(f"r{k}.txt", synth_text(200 + k, year=2022 + k, break_balance=(k == 0))[1].encode()) for k in range(2)])
        sess = requests.Session()
        sess.headers["X-CSRF-Token"] = d.token
        sess.cookies.set("xxgk_session", d.client.cookies["xxgk_session"])
        _state.update(desk=d, session=sess)
    return _state["desk"]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    d = _desk(tmp_path_factory)
    yield schemathesis.openapi.from_asgi("/openapi.json", d.app)
    d.close()
    _state.clear()


CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance, st_checks.content_type_conformance,
          st_checks.response_schema_conformance]


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


def test_api_conforms_to_its_openapi_document(api_schema):
    ops = list(_operations(api_schema))
    assert {op.path for op in ops} >= {"/api/reports", "/api/uploads", "/api/findings/{key}/review"}
    session = _state["session"]
    for op in ops:
        # schemathesis's own pytest plugin does not run under this pytest; drive Hypothesis directly
        @given(case=op.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def run(case):
            case.call_and_validate(session=session, checks=CHECKS)

        run()
