"""The OpenAPI document against the app itself: its routes, the parameters they read, the values they accept."""

from __future__ import annotations

import re

import pytest
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

from webui.app import create_app
from webui.openapi import DATE_SCHEMA, YEAR_PATTERN, openapi_document

IMPLIED_METHODS = {"HEAD", "OPTIONS"}  # Flask answers them for every GET route


class RecordingArgs(ImmutableMultiDict):
    """Query parameters that note every name a route reads (get, getlist, [], in)."""

    read: set[str] = set()

    def get(self, key, default=None, type=None):
        RecordingArgs.read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        RecordingArgs.read.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        RecordingArgs.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        RecordingArgs.read.add(key)
        return super().__contains__(key)


class RecordingRequest(Request):
    parameter_storage_class = RecordingArgs


@pytest.fixture(scope="module")
def document():
    return openapi_document()


@pytest.fixture(scope="module")
def recording_app(demo_index):
    app = create_app({"INDEX_DIR": str(demo_index), "TESTING": True})
    app.request_class = RecordingRequest
    return app


def _resolve(document: dict, parameter: dict) -> dict:
    if "$ref" in parameter:
        return document["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
    return parameter


def declared_parameters(document: dict, path: str) -> dict[str, dict]:
    operation = document["paths"][path]["get"]
    return {p["name"]: p for p in (_resolve(document, p) for p in operation.get("parameters", []))}


def api_rules(app) -> dict[str, set[str]]:
    """/api/v1 routes as OpenAPI paths (`<doc_id>` → `{doc_id}`), with their methods."""
    rules: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            rules.setdefault(path, set()).update(rule.methods - IMPLIED_METHODS)
    return rules


def test_every_api_route_is_in_the_document_with_its_methods_and_nothing_else(recording_app, document):
    documented = {path: {method.upper() for method in item} for path, item in document["paths"].items()}
    assert documented == api_rules(recording_app)


def test_every_path_parameter_of_a_route_is_declared_as_required(document):
    for path in document["paths"]:
        declared = declared_parameters(document, path)
        for name in re.findall(r"\{(\w+)\}", path):
            assert declared[name]["in"] == "path" and declared[name]["required"] is True, (path, name)


def _example_url(path: str, doc_id: str) -> str:
    url = path.replace("{doc_id}", doc_id).replace("{fmt}", "csv")
    return url + "?q=souveraineté"


def test_every_parameter_a_route_reads_is_declared_in_the_document(recording_app, document):
    client = recording_app.test_client()
    doc_id = client.get("/api/v1/search?q=souveraineté&per_page=1").get_json()["hits"][0]["id"]
    for path in document["paths"]:
        RecordingArgs.read = set()
        response = client.get(_example_url(path, doc_id))
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:200])
        undeclared = RecordingArgs.read - set(declared_parameters(document, path))
        assert not undeclared, f"{path} reads {sorted(undeclared)} without declaring them"


def test_the_limits_declared_are_those_the_server_enforces(demo_client, document):
    params = document["components"]["parameters"]
    per_page = params["per_page"]["schema"]["anyOf"][0]
    facet_limit = params["facet_limit"]["schema"]["anyOf"][0]
    q_limit = params["q"]["schema"]["maxLength"]
    for name, highest in (("per_page", per_page["maximum"]), ("facet_limit", facet_limit["maximum"])):
        assert demo_client.get(f"/api/v1/search?{name}={highest}").status_code == 200
        assert demo_client.get(f"/api/v1/search?{name}={highest + 1}").status_code == 400
    assert demo_client.get("/api/v1/search", query_string={"q": "a" * q_limit}).status_code == 200
    assert demo_client.get("/api/v1/search", query_string={"q": "a" * (q_limit + 1)}).status_code == 400
    values = params["source"]["schema"]["maxItems"]
    too_many = [("source", str(n)) for n in range(values + 1)]
    assert demo_client.get("/api/v1/search", query_string=too_many[:-1]).status_code == 200
    assert demo_client.get("/api/v1/search", query_string=too_many).status_code == 400


@pytest.mark.parametrize("year", ["2019", "0001", "1850", " 2019", ""])
def test_a_year_the_document_allows_is_never_refused(demo_client, year):
    assert re.search(YEAR_PATTERN, year)
    assert demo_client.get("/api/v1/search", query_string={"year": year}).status_code == 200


@pytest.mark.parametrize("year", ["19", "20190", "deux mille", "٢٠١٩", "２０１９", "2019-03"])
def test_a_year_the_document_forbids_is_refused(demo_client, year):
    assert not re.search(YEAR_PATTERN, year)
    response = demo_client.get("/api/v1/search", query_string={"year": year})
    assert response.status_code == 400
    assert "year" in response.get_json()["error"]["message"]


def _matches_date_schema(value: str) -> bool:
    return any(re.search(branch.get("pattern", "^$"), value) for branch in DATE_SCHEMA["anyOf"])


@pytest.mark.parametrize("value", ["2019", "0001", "9999-12", "2019-03-14", "2020-02-29", ""])
def test_a_date_the_document_allows_is_accepted(demo_client, value):
    assert _matches_date_schema(value)
    assert demo_client.get("/api/v1/search", query_string={"date_from": value}).status_code == 200


@pytest.mark.parametrize("value", ["0000", "0000-01-01", "2019-13", "2019-00", "19", "2019-1-1", "٢٠١٩"])
def test_a_date_the_document_forbids_is_refused(demo_client, value):
    assert not _matches_date_schema(value)
    assert demo_client.get("/api/v1/search", query_string={"date_to": value}).status_code == 400


@pytest.mark.parametrize("name", ["page", "per_page", "facet_limit"])
@pytest.mark.parametrize("value", ["1_0", "٣", "+3", "3.0", " 3"])
def test_a_whole_number_is_written_in_ascii_digits_only(demo_client, name, value):
    response = demo_client.get("/api/v1/search", query_string={name: value})
    assert response.status_code == 400
    assert name in response.get_json()["error"]["message"]


@pytest.mark.parametrize("name", ["timeline", "forms"])
def test_an_on_off_parameter_refuses_a_value_outside_the_declared_ones(demo_client, document, name):
    assert demo_client.get(f"/api/v1/search?{name}=yes").status_code == 400
    for value in document["components"]["parameters"][name]["schema"]["enum"]:
        assert demo_client.get(f"/api/v1/search?{name}={value}").status_code == 200


def test_the_document_declares_429_and_503_with_retry_after(document):
    for path, item in document["paths"].items():
        assert {"200", "429", "503"} <= set(item["get"]["responses"]), path
    assert "Retry-After" in document["components"]["responses"]["429"]["headers"]


def test_the_response_fields_of_a_search_are_all_declared(demo_client, document):
    schema = document["components"]["schemas"]["SearchResult"]
    answer = demo_client.get("/api/v1/search?q=souveraineté&timeline=1&forms=1").get_json()
    assert set(answer) == set(schema["properties"]) == set(schema["required"])
    assert {"sort", "notice", "facets_more", "timeline", "forms"} <= set(schema["properties"])
    assert set(answer["hits"][0]) == set(document["components"]["schemas"]["Hit"]["properties"])


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/concordance", "/api/v1/documents/x", "/api/v1/export/csv"])
def test_a_wrong_method_on_the_api_is_a_405_that_says_which_methods_are_allowed(demo_client, path):
    response = demo_client.post(path)
    assert response.status_code == 405
    assert response.is_json
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"GET", "HEAD", "OPTIONS"}
