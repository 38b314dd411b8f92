"""schemathesis against our own OpenAPI document, in process against the WSGI app.

Every operation gets generated requests (valid and invalid by the document) with an admin's
bearer token, on a race that exists; the answers must never be a 500, and must match the
responses the document describes (status, media type, schema).
"""

from __future__ import annotations

import os
import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from racekit import post_split, set_up_vienna

# RELIABILITY.md §5: 100 examples per operation in CI; more before race week.
EXAMPLES = 500 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 100
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck)
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def database_url(sqlite_template, tmp_path) -> str:
    path = tmp_path / "tracker.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def vienna_split(client, auth) -> str:
    set_up_vienna(client, auth)
    return post_split(client, auth, "5K", 850).json["split"]["id"]


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_answers_as_its_openapi_document_says(app, auth, vienna_split, mode):
    """Each operation, on the real race (its slug, a split, a bib) and on made-up ones."""
    known = {"slug": "vienna", "split_id": vienna_split, "bib": "1"}
    for operation in _operations(app):
        if mode is GenerationMode.NEGATIVE and not len(operation.body):
            continue  # only a body can break the document: every path parameter is a string
        names = {parameter.name for parameter in operation.path_parameters}
        fixed = {name: value for name, value in known.items() if name in names}
        cases = operation.as_strategy(mode, path_parameters=fixed) | operation.as_strategy(mode)

        @FUZZ_SETTINGS
        @given(case=cases)
        def answers_as_described(case):
            case.call_and_validate(headers=auth["admin"], checks=CHECKS)

        answers_as_described()
