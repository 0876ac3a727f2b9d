"""The one client for Saleor's GraphQL API: named operations, explicit timeouts, bounded retries."""

from __future__ import annotations

import copy
import json
import logging
import random
import time
from collections.abc import Mapping
from typing import IO, Any

import httpx
from django.conf import settings

from saleor_app.errors import (
    SaleorAuthError,
    SaleorGraphQLError,
    SaleorMutationError,
    SaleorResponseError,
    SaleorUnavailable,
    UserError,
)
from saleor_app.operations import is_mutation, operation

logger = logging.getLogger(__name__)

# Errors raised before the request reached Saleor: always safe to retry, mutations included.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Errors after the request may have been applied: retried for queries only.
_MAYBE_SENT = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError)
_RETRY_STATUSES = {429, 502, 503, 504}
_PERMISSION_CODES = {"PermissionDenied"}

_shared_http: httpx.Client | None = None

# (filename, content, content type) of one file part of a multipart upload.
UploadFile = tuple[str, bytes | IO[bytes], str]


def _http_client() -> httpx.Client:
    """One pooled HTTP client per process: Saleor calls reuse connections."""
    global _shared_http
    if _shared_http is None:
        _shared_http = httpx.Client(
            timeout=httpx.Timeout(settings.SALEOR_READ_TIMEOUT, connect=settings.SALEOR_CONNECT_TIMEOUT),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            headers={"User-Agent": "wenchuang-marketplace/0.1"},
        )
    return _shared_http


class SaleorClient:
    """Calls one Saleor instance, as this app (token) or anonymously (token=None)."""

    def __init__(
        self,
        api_url: str,
        token: str | None = None,
        *,
        http: httpx.Client | None = None,
        max_retries: int | None = None,
        backoff_seconds: float = 0.2,
        forwarded_for: str | None = None,
    ) -> None:
        self.api_url = api_url
        self._token = token
        # The buyer's own address, for Saleor's per-address login throttle (it reads X-Forwarded-For).
        self._forwarded_for = forwarded_for
        self._http = http
        self.max_retries = settings.SALEOR_MAX_RETRIES if max_retries is None else max_retries
        self.backoff_seconds = backoff_seconds

    def execute(self, name: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run the named operation and return its `data`; raise a typed SaleorError otherwise."""
        body = {"query": operation(name), "operationName": name, "variables": variables or {}}
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        if self._forwarded_for:
            headers["X-Forwarded-For"] = self._forwarded_for
        response = self._post_with_retries(
            name, {"json": body}, headers, retry_maybe_sent=not is_mutation(name)
        )
        return self._parse(name, response)

    def mutate(self, name: str, variables: dict[str, Any], field: str) -> dict[str, Any]:
        """Run a mutation and return its payload `field`; user errors raise SaleorMutationError."""
        return mutation_payload(name, self.execute(name, variables), field)

    def upload(
        self,
        name: str,
        variables: dict[str, Any],
        files: Mapping[str, UploadFile],
        *,
        field: str | None = None,
    ) -> dict[str, Any]:
        """Run a named mutation with files, as a GraphQL multipart request (jaydenseric spec).

        `files` maps a dotted path inside `variables` (e.g. "image" or "input.image") to
        (filename, content, content type); that variable is sent as null and filled by Saleor with the
        file part. Returns `data`, or with `field` the mutation payload (user errors raise).
        """
        query = operation(name)
        variables = copy.deepcopy(variables)
        file_map: dict[str, list[str]] = {}
        parts: dict[str, UploadFile] = {}
        for index, (path, upload) in enumerate(files.items()):
            _set_null(variables, path)
            file_map[str(index)] = [f"variables.{path}"]
            parts[str(index)] = upload
        operations = {"query": query, "operationName": name, "variables": variables}
        # httpx writes form fields before files: `operations` and `map` precede the file parts, as required.
        request = {
            "data": {"operations": json.dumps(operations), "map": json.dumps(file_map)},
            "files": parts,
        }
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        response = self._post_with_retries(name, request, headers, retry_maybe_sent=False)
        data = self._parse(name, response)
        return data if field is None else mutation_payload(name, data, field)

    def _post_with_retries(
        self, name: str, request: dict[str, Any], headers: dict[str, str], *, retry_maybe_sent: bool
    ) -> httpx.Response:
        """POST with httpx keyword arguments `request` ({"json": ...} or {"data": ..., "files": ...})."""
        http = self._http or _http_client()
        attempt = 0
        while True:
            try:
                response = http.post(self.api_url, headers=headers, **request)
            except _NOT_SENT as exc:
                failure: Exception = exc
            except _MAYBE_SENT as exc:
                if not retry_maybe_sent:
                    raise SaleorUnavailable(
                        f"{name}: {type(exc).__name__} after sending; not retried"
                    ) from exc
                failure = exc
            except httpx.HTTPError as exc:
                raise SaleorUnavailable(f"{name}: {type(exc).__name__}: {exc}") from exc
            else:
                if response.status_code not in _RETRY_STATUSES:
                    return response
                if not retry_maybe_sent and response.status_code != 429:
                    raise SaleorUnavailable(f"{name}: HTTP {response.status_code}; mutation not retried")
                failure = SaleorUnavailable(f"HTTP {response.status_code}")
            if attempt >= self.max_retries:
                raise SaleorUnavailable(
                    f"{name}: gave up after {attempt + 1} attempts: {failure}"
                ) from failure
            delay = self.backoff_seconds * (2**attempt) * (0.5 + random.random())  # noqa: S311 - jitter
            logger.warning(
                "saleor %s attempt %d failed (%s); retrying in %.2fs", name, attempt + 1, failure, delay
            )
            time.sleep(delay)
            attempt += 1

    @staticmethod
    def _parse(name: str, response: httpx.Response) -> dict[str, Any]:
        if response.status_code in (401, 403):
            raise SaleorAuthError(f"{name}: HTTP {response.status_code} from Saleor")
        try:
            document = response.json()
        except ValueError as exc:
            raise SaleorResponseError(f"{name}: HTTP {response.status_code}, body is not JSON") from exc
        if not isinstance(document, dict):
            raise SaleorResponseError(f"{name}: unexpected response shape")
        errors = document.get("errors") or []
        if errors:
            codes = {(e.get("extensions") or {}).get("exception", {}).get("code") for e in errors}
            if codes & _PERMISSION_CODES:
                raise SaleorAuthError(f"{name}: {errors[0].get('message')}")
            raise SaleorGraphQLError(name, errors)
        if response.status_code >= 400 or "data" not in document:
            raise SaleorResponseError(f"{name}: HTTP {response.status_code} without data")
        return document["data"] or {}


def mutation_payload(name: str, data: dict[str, Any], field: str) -> dict[str, Any]:
    """The payload of mutation `field` in `data`; its user errors raise SaleorMutationError."""
    payload = data.get(field) or {}
    errors = payload.get("errors") or []
    if errors:
        raise SaleorMutationError(
            name, [UserError(e.get("field"), e.get("code"), e.get("message") or "") for e in errors]
        )
    return payload


def _set_null(variables: dict[str, Any], path: str) -> None:
    """Put the null placeholder the multipart spec asks for at a dotted path inside the variables."""
    *parents, leaf = path.split(".")
    node: Any = variables
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    if isinstance(node, list):
        node[int(leaf)] = None
    else:
        node[leaf] = None
