"""Generated bodies on every JSON write route: never a 500, always a problem with a code.

Hypothesis posts raw bytes and JSON-ish text built from the grammar's edges (huge number
literals, deep nesting, bare constants, surrogates) to every route that takes a body, found
in the app's URL map so a new route is fuzzed too. Example counts are bounded to keep the
suite's budget; raise them with HYPOTHESIS_PROFILE=long (see README, Tests).
"""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from racekit import post_split, set_up_vienna
from tracker.api.openapi import openapi_document

EXAMPLES = 1000 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 150
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture
def database_url(sqlite_template, tmp_path) -> str:
    """SQLite only: the parser and validators under test sit before any database."""
    path = tmp_path / "tracker.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def write_routes(app, client, auth) -> list[tuple[str, str]]:
    """(method, url) of every API route that takes a JSON body, on a real race and split."""
    set_up_vienna(client, auth)
    split_id = post_split(client, auth, "5K", 850).json["split"]["id"]
    values = {
        "slug": "vienna",
        "split_id": split_id,
        "bib": "1",
        "code": "A",
        "key": "even-plan",
        "conflict_id": "1",
    }
    documented = openapi_document()["paths"]
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            if "requestBody" not in documented.get(path, {}).get(
                method.lower(), {"requestBody": 1}
            ):
                continue  # takes no body (removing an uploaded ghost, say)
            url = rule.rule
            for name in rule.arguments - set(rule.defaults or ()):
                url = url.replace(f"<{name}>", values[name])
            routes.append((method, url))
    assert len(routes) >= 8, routes
    return routes


def _number_literal(digits: int, fraction: int, exponent: int | None) -> str:
    text = "1" * digits + ("." + "5" * fraction if fraction else "")
    return text if exponent is None else f"{text}e{exponent}"


NUMBER_LITERALS = st.builds(
    _number_literal,
    st.integers(1, 6000),
    st.integers(0, 50),
    st.none() | st.integers(-100_000, 100_000),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
TOKENS = st.sampled_from(
    [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        '"bib"',
        '"1"',
        '"5K"',
        '"elapsed_s"',
        '"reads"',
        "true",
        "null",
        "NaN",
        "-Infinity",
        '"\\ud800"',
        '"\\u0000"',
        " ",
        "-",
        "0",
        "1e999",
        '"',
    ],
)


def _nested(depth: int, kind: str) -> str:
    opening, closing = ("[", "]") if kind == "list" else ('{"a":', "}")
    return opening * depth + "1" + closing * depth


BODIES = st.one_of(
    st.binary(max_size=300),
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    st.lists(TOKENS | NUMBER_LITERALS, max_size=20).map(lambda parts: "".join(parts).encode()),
    NUMBER_LITERALS.map(lambda number: f'{{"bib": "1", "elapsed_s": {number}}}'.encode()),
    st.builds(_nested, st.integers(0, 3000), st.sampled_from(["list", "object"])).map(str.encode),
)


def test_no_generated_body_reaches_a_server_error(client, auth, write_routes):
    @FUZZ_SETTINGS
    @given(route=st.sampled_from(write_routes), raw=BODIES)
    def post(route, raw):
        method, url = route
        response = client.open(
            url,
            method=method,
            data=raw,
            content_type="application/json",
            headers=auth["admin"],
        )
        assert response.status_code < 500, (method, url, raw[:200], response.get_data()[:300])
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json"
            assert response.json["code"], response.json

    post()


@pytest.mark.parametrize(
    ("case", "raw", "code"),
    [
        # int() refuses literals past 4,300 digits with ValueError, not JSONDecodeError.
        (
            "a 5,000-digit integer",
            b'{"bib": "1", "elapsed_s": ' + b"1" * 5000 + b"}",
            "invalid_number",
        ),
        # json.loads manages 600 levels; a recursive walk over the result then ran out of
        # stack (two frames a level), and deeper still the parser itself gives up.
        ("lists nested 600 deep", b"[" * 600 + b"]" * 600, "invalid_json"),
        ("objects nested 600 deep", b'{"a":' * 600 + b"1" + b"}" * 600, "invalid_json"),
        ("lists nested 5,000 deep", b"[" * 5000 + b"]" * 5000, "invalid_json"),
        # Python reads 1e400 as inf, which no JSON number means.
        (
            "a number beyond a double",
            b'{"bib": "1", "checkpoint": "10K", "elapsed_s": 1e400}',
            "invalid_number",
        ),
    ],
)
def test_every_refusal_of_the_parser_is_a_400_problem(client, auth, write_routes, case, raw, code):
    for method, url in write_routes:
        response = client.open(
            url, method=method, data=raw, content_type="application/json", headers=auth["admin"]
        )
        assert response.status_code == 400, (method, url, response.get_data()[:300])
        assert response.mimetype == "application/problem+json"
        assert response.json["code"] == code
