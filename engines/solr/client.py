"""Talk to SolrCloud over HTTP: any live node answers, trouble becomes a message saying what to do.

LOUPE_SOLR_URL names one node or several (comma-separated,
`http://127.0.0.1:8983/solr`); the client learns the other live nodes from the
cluster's state and moves to the next one when a node stops answering, as a
SolrCloud-aware client does. A collection is addressed through its alias.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass

import requests

from engines.base import EngineUnavailable
from indexer.errors import IndexMissing, LoupeError

TIMEOUT_SECONDS = 30
CONNECT_SECONDS = 3


class SolrError(LoupeError):
    """Solr refused a request Loupe built; the message is Solr's own."""

    code = "solr_error"
    http_status = 503
    for_operators = True  # Solr's own words: Java exceptions, collection names


@dataclass(frozen=True)
class SolrAnswer:
    status: int
    body: dict


def _node_url(node_name: str) -> str:
    """`127.0.0.1:8984_solr` (a live node's name in ZooKeeper) → `http://127.0.0.1:8984/solr`."""
    host, _, context = node_name.partition("_")
    return f"http://{host}/{context.replace('%2F', '/')}"


class SolrClient:
    """HTTP to the nodes of one SolrCloud cluster, failing over between them."""

    def __init__(self, urls: str | list[str]) -> None:
        configured = urls.split(",") if isinstance(urls, str) else list(urls)
        self.configured = [url.strip().rstrip("/") for url in configured if url.strip()]
        if not self.configured:
            raise EngineUnavailable("no SolrCloud node is configured: set LOUPE_SOLR_URL, e.g. http://127.0.0.1:8983/solr")
        self._nodes = list(self.configured)
        self._next = itertools.count()
        self._lock = threading.Lock()
        self._session = threading.local()

    def _http(self) -> requests.Session:
        session = getattr(self._session, "session", None)
        if session is None:
            session = self._session.session = requests.Session()
        return session

    def nodes(self) -> list[str]:
        """The nodes tried in turn: the live ones last learnt, then the configured ones."""
        with self._lock:
            start = next(self._next) % len(self._nodes)
            ordered = self._nodes[start:] + self._nodes[:start]
        return ordered + [url for url in self.configured if url not in ordered]

    def learn_live_nodes(self, live_nodes: list[str]) -> None:
        if live_nodes:
            with self._lock:
                self._nodes = [_node_url(name) for name in sorted(live_nodes)]

    def request(self, method: str, path: str, *, params=None, json=None, data=None, headers=None,
                timeout: float = TIMEOUT_SECONDS) -> SolrAnswer:
        """`path` under a node's /solr (e.g. `loupe/select`, `admin/collections`), on the first node that answers."""
        failures = []
        # urllib3 applies the connect timeout while it sends the body too: a batch of documents
        # to a busy node may take longer than CONNECT_SECONDS to go out, so a body gets the full time.
        connect = CONNECT_SECONDS if data is None and json is None else timeout
        for base in self.nodes():
            try:
                response = self._http().request(
                    method, f"{base}/{path}", params=params, json=json, data=data, headers=headers,
                    timeout=(connect, timeout),
                )
            except requests.RequestException as error:
                failures.append(f"{base}: {type(error).__name__}")
                continue
            if response.status_code in (502, 503) or (response.status_code >= 500 and _is_node_trouble(response)):
                failures.append(f"{base}: HTTP {response.status_code}")
                continue
            return SolrAnswer(response.status_code, _json(response))
        raise EngineUnavailable(
            "SolrCloud does not answer (" + "; ".join(failures) + "): start it (`python run.py solr start`) "
            "or check LOUPE_SOLR_URL"
        )

    def get(self, path: str, **params) -> dict:
        return self.checked("GET", path, params=params)

    def post(self, path: str, *, params=None, json=None) -> dict:
        return self.checked("POST", path, params=params, json=json)

    def checked(self, method: str, path: str, **kwargs) -> dict:
        """The JSON body of a successful answer; Solr's refusals as clear errors."""
        answer = self.request(method, path, **kwargs)
        if answer.status < 400:
            return answer.body
        message = _solr_message(answer.body) or f"HTTP {answer.status}"
        if answer.status == 404 or "not found" in message.lower() or "Could not find collection" in message:
            raise IndexMissing(
                f"SolrCloud has no collection for {path.split('/')[0]!r} ({message}): "
                "run `python run.py index --engine solr` first"
            )
        raise SolrError(f"SolrCloud refused {path}: {message}")


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {"error": {"msg": response.text[:300]}}
    return body if isinstance(body, dict) else {"response": body}


def _solr_message(body: dict) -> str:
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("msg") or "")
    return str(error or "")


def _is_node_trouble(response: requests.Response) -> bool:
    """A 500 that says a shard or ZooKeeper is unreachable, not that our request was wrong."""
    text = response.text[:2000].lower()
    return any(sign in text for sign in ("no servers hosting shard", "connection refused", "zookeeper",
                                         "could not load collection", "no live solrservers"))
