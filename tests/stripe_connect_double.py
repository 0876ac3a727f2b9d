"""A small HTTP double of the Stripe Connect endpoints localstripe lacks (accounts, account links,
transfers to connected accounts).

It speaks Stripe's wire format (form-encoded requests, JSON objects back), honours Idempotency-Key
the way Stripe documents (same key, same response), and keeps every request for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class ConnectDouble:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict, str | None]] = []
        self.accounts: dict[str, dict] = {}
        self._by_key: dict[str, dict] = {}
        self.fail_next = 0  # answer this many requests with 500 first
        self.decline: dict[int, str] = {}  # request number (1-based) -> message of a 400 card/balance error
        self.transfers: list[dict] = []
        self.transfer_delay = 0.0  # seconds each transfer takes, to watch a long execution
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ConnectDouble:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _respond(self, path: str, form: dict, key: str | None) -> tuple[int, dict]:
        self.requests.append((path, form, key))
        if self.fail_next:
            self.fail_next -= 1
            return 500, {"error": {"type": "api_error", "message": "temporary"}}
        if len(self.requests) in self.decline:
            return 400, {
                "error": {"type": "invalid_request_error", "message": self.decline[len(self.requests)]}
            }
        if key and key in self._by_key:
            return 200, self._by_key[key]
        if path == "/v1/accounts":
            account = {
                "id": f"acct_{len(self.accounts) + 1:06d}",
                "object": "account",
                "type": form.get("type"),
            }
            self.accounts[account["id"]] = account
            body = account
        elif path == "/v1/account_links":
            if form.get("account") not in self.accounts:
                return 400, {"error": {"type": "invalid_request_error", "message": "No such account"}}
            body = {
                "object": "account_link",
                "url": f"https://connect.stripe.test/setup/{form['account']}/{len(self.requests)}",
                "expires_at": int(time.time()) + 300,
                "created": int(time.time()),
            }
        elif path == "/v1/transfers":
            time.sleep(self.transfer_delay)
            if form.get("destination") not in self.accounts:
                return 400, {"error": {"type": "invalid_request_error", "message": "No such destination"}}
            body = {
                "id": f"tr_{len(self.transfers) + 1:06d}",
                "object": "transfer",
                "amount": int(form["amount"]),
                "currency": form["currency"],
                "destination": form["destination"],
                "transfer_group": form.get("transfer_group"),
                "source_transaction": form.get("source_transaction"),
                "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            }
            self.transfers.append(body)
        else:
            return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized {path}"}}
        if key:
            self._by_key[key] = body
        return 200, body

    def account_add(self, account_id: str) -> None:
        """A connected account created before the test (e.g. by provisioning)."""
        self.accounts[account_id] = {"id": account_id, "object": "account", "type": "express"}

    def _handler(self):
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                status, body = double._respond(self.path, form, self.headers.get("Idempotency-Key"))
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        return Handler
