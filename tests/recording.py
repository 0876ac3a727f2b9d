"""Recorded real Saleor traffic: written by live tests with --record-saleor, replayed in CI with respx.

Files live in tests/recordings/saleor/: one JSON per GraphQL operation (request variables and
Saleor's response) and one per webhook delivery (exact body, signature and the JWKS that signed it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from saleor_app.client import _http_client

RECORDINGS = Path(__file__).with_name("recordings") / "saleor"
SECRET_KEYS = {"token", "refreshToken", "csrfToken", "authToken", "password"}


def _redact(value):
    if isinstance(value, dict):
        return {k: ("<redacted>" if k in SECRET_KEYS and v else _redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


class GraphQLRecorder:
    """An httpx response hook that keeps the last exchange of each named operation."""

    def __init__(self, prefix: str = "") -> None:
        self.exchanges: dict[str, dict] = {}
        self.prefix = prefix  # keep only operations of one area, e.g. "Storefront"
        # Set to keep several exchanges of one operation: saved as graphql.<Name>.<scene>.json.
        self.scene = ""

    def __call__(self, response: httpx.Response) -> None:
        request = json.loads(response.request.content or b"{}")
        name = request.get("operationName")
        if not name or not name.startswith(self.prefix):
            return
        response.read()
        self.exchanges[f"{name}.{self.scene}" if self.scene else name] = {
            "operationName": name,
            "variables": _redact(request.get("variables") or {}),
            "status": response.status_code,
            "response": _redact(response.json()),
        }

    def save(self) -> list[Path]:
        RECORDINGS.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, exchange in self.exchanges.items():
            path = RECORDINGS / f"graphql.{name}.json"
            path.write_text(json.dumps(exchange, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
            paths.append(path)
        return paths


def save_delivery(name: str, delivery: dict) -> Path:
    RECORDINGS.mkdir(parents=True, exist_ok=True)
    path = RECORDINGS / f"webhook.{name}.json"
    path.write_text(json.dumps(delivery, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    return path


def load_delivery(name: str) -> dict:
    return json.loads((RECORDINGS / f"webhook.{name}.json").read_text())


def delivered(client, delivery: dict, body: bytes | None = None):
    """A recorded Saleor delivery posted to its target as Saleor sent it (its event, API URL and signature
    headers); `body` instead of the recorded one (a tampered copy): the response."""
    headers = {
        "Saleor-Event": delivery["event"],
        "Saleor-Api-Url": delivery["api_url"],
        "Saleor-Signature": delivery["signature"],
    }
    data = delivery["body"].encode() if body is None else body
    return client.post(delivery["target"], data=data, content_type="application/json", headers=headers)


def load_exchange(name: str) -> dict:
    return json.loads((RECORDINGS / f"graphql.{name}.json").read_text())


@contextmanager
def listening(recorder: GraphQLRecorder) -> Iterator[GraphQLRecorder]:
    """The recorder sees every exchange of the app's Saleor client (its httpx response hook) while inside."""
    hooks = _http_client().event_hooks["response"]
    hooks.append(recorder)
    try:
        yield recorder
    finally:
        hooks.remove(recorder)


def replay_scenes(mock, api_url: str, *recordings: str):
    """Like replay, but of recordings named <Name> or <Name>.<scene>; each operation name once."""
    exchanges = {}
    for recording in recordings:
        exchange = load_exchange(recording)
        exchanges[exchange["operationName"]] = exchange
    return _serve(mock, api_url, exchanges)


def replay(mock, api_url: str, *names: str):
    """Serve the recorded responses of these operations at api_url; any other operation fails loudly."""
    return _serve(mock, api_url, {name: load_exchange(name) for name in names})


def _serve(mock, api_url: str, exchanges: dict[str, dict]):
    def respond(request: httpx.Request) -> httpx.Response:
        name = json.loads(request.content).get("operationName")
        if name not in exchanges:
            return httpx.Response(599, json={"errors": [{"message": f"no recording for operation {name}"}]})
        return httpx.Response(exchanges[name]["status"], json=exchanges[name]["response"])

    return mock.post(api_url).mock(side_effect=respond)
