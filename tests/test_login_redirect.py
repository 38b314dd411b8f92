"""After logging in, `next` leads only to a path on this site, judged as a browser reads it."""

from __future__ import annotations

import re

import pytest

HOSTILE = [
    "//evil.example",
    "/%09/evil.example",  # a tab, which browsers strip: //evil.example
    "/%0d%0a/evil.example",  # CR LF: a header injection, and stripped too
    "/%0a/evil.example",
    "/%0d/evil.example",
    "%09//evil.example",
    "/%5Cevil.example",  # a backslash, which browsers read as a slash
    "%5C%5Cevil.example",
    "/%5C/evil.example",
    "%5C/evil.example",
    "/%2F/evil.example",  # decoded once, as the query string is: //evil.example
    "https://evil.example/",
    "HTTPS:evil.example",
    "javascript:alert(1)",
    "%20//evil.example",  # a leading space, which browsers strip too
    "/%00/evil.example",
    "evil.example",
    "",
]
SAFE = ["/", "/races/vienna/official", "/races/vienna/official?tab=mats", "/%252F/x"]


@pytest.fixture
def token(runner) -> str:
    created = runner.invoke(args=["token", "create", "--role", "official", "--name", "ana"])
    return created.stdout.split()[-1]


def log_in(client, token: str, raw_next: str):
    """The login form as a browser posts it, with its CSRF token, to /login?next=…"""
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(f"/login?next={raw_next}", data={"token": token, "csrf_token": csrf})


@pytest.mark.parametrize("raw_next", HOSTILE)
def test_login_never_redirects_off_site(client, token, raw_next):
    response = log_in(client, token, raw_next)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("raw_next", SAFE)
def test_login_returns_to_the_page_asked_for(client, token, raw_next):
    response = log_in(client, token, raw_next)
    assert response.status_code == 302
    expected = {"/%252F/x": "/%2F/x"}.get(raw_next, raw_next)
    assert response.headers["Location"] == expected


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/", True),
        ("/races/vienna/official", True),
        ("/races/vienna/official?tab=mats#queue", True),
        ("/%2F/x", True),  # percent-encoded stays a path segment in a browser
        ("/races/wien-über", True),
        ("", False),
        ("races/vienna", False),
        ("//evil.example", False),
        ("///evil.example", False),
        ("/\t/evil.example", False),
        ("/\r\n/evil.example", False),
        ("\t//evil.example", False),
        (" //evil.example", False),
        ("/\\evil.example", False),
        ("\\\\evil.example", False),
        ("\\/evil.example", False),
        ("/\x00/evil.example", False),
        ("/\x7f", False),
        ("https://evil.example", False),
        ("javascript:alert(1)", False),
        ("/races\n", False),
    ],
)
def test_the_redirect_rule_as_a_table(target, safe):
    from tracker.pages import is_local_redirect

    assert is_local_redirect(target) is safe
