"""The OpenAPI description covers every API route; the health check tells the truth."""

import re

from conftest import make_app
from servers import free_port


def test_every_api_route_and_method_is_described(app, client):
    document = client.get("/api/openapi.json").json
    assert document["openapi"].startswith("3.1")
    described = {
        (method.upper(), path) for path, ops in document["paths"].items() for method in ops
    }
    routes = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        and rule.rule != "/api/openapi.json"
        or rule.rule == "/healthz"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == described


def test_request_bodies_are_described_from_the_validating_models(client):
    document = client.get("/api/openapi.json").json
    split = document["components"]["schemas"]["SplitIn"]
    assert set(split["required"]) == {"bib", "checkpoint"}
    assert split["additionalProperties"] is False
    assert split["properties"]["time"]["anyOf"][0]["format"] == "date-time"


def test_every_success_status_of_a_route_is_described(client):
    """A repeated split answers 200 with the split: described beside the first one's 201."""
    responses = client.get("/api/openapi.json").json["paths"]["/api/races/{slug}/splits"]["post"][
        "responses"
    ]
    assert {"200", "201"} <= set(responses)
    assert "application/json" in responses["200"]["content"]


def test_health_is_200_with_a_database_and_503_without(client):
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}
    unreachable = make_app(
        f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none?connect_timeout=2"
    )
    with unreachable.app_context():
        response = unreachable.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
