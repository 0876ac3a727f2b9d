"""Fault-injection soak: signed Saleor order events and Stripe events through crashes and outages.

Runs everything it needs on its own ports under a temporary directory, never the machine's shared servers:
its own PostgreSQL (the system's `initdb`/`postgres`), its own redis-server, this service under gunicorn,
N Celery workers and Celery beat as subprocesses, and a fault proxy (an HTTP server in this process that
answers as Saleor's GraphQL API and as Stripe's API, and returns 500 or hangs past the client timeout on
a seeded share of the calls). The service trusts the test signing key the way it trusts any Saleor: the
installation row holds that Saleor's JWKS (here the soak's key), as after a first delivery.

A seeded generator makes orders across several units (lines, paid, partially refunded, refunded,
cancelled) and the Stripe events of their payments and refunds; deliveries are repeated, reordered and
some held back to arrive late. A seeded chaos loop, while events flow, SIGKILLs Celery workers (and
starts them again), crashes and restarts PostgreSQL (immediate shutdown) and Redis (killed and started
empty: every queued message is gone). At the end it waits for the inboxes to drain, then compares the
ledger with what the split engine's pure functions say each order's final state must have posted.

    .venv/bin/python bench/soak.py --events 100000 --seed 22          # the full soak
    .venv/bin/python bench/soak.py --short --seed 7                   # the CI version (tests/soak/)

Exit status 0 only when lost, posted twice, unbalanced and mismatched are all 0 and everything drained.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import queue
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APP_ID = "QXBwOjE="  # deliveries name this app as their recipient
QUEUE = "soak"
WEBHOOK_SECRET = "whsec_soak"  # noqa: S105 - the soak's own throw-away secret
CURRENCY = "CNY"
UNITS = 4
# Each unit's agreement (bps): unit, its operating entity, its staff pool, the platform.
SHARES = [(6000, 2500, 500, 1000), (5500, 3000, 500, 1000), (7000, 1500, 300, 1200), (6500, 2000, 0, 1500)]


# --------------------------------------------------------------------------------------------------
# Processes: every one started here is registered and ended on exit, whatever happens.


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def child_environment() -> dict[str, str]:
    """The environment for children. Debian's `faketime DATE` gives every process one offset (FAKETIME=+N)
    and they agree; with FAKETIME="@DATE" each process would start its own clock at that date, children
    started later running behind this one: give them this process's current offset instead."""
    env = dict(os.environ)
    if env.get("FAKETIME", "").startswith("@") and "LD_PRELOAD" in env:
        real = _real_epoch()
        env["FAKETIME"] = f"{round(time.time() - real):+d}"
        env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
        env.pop("FAKETIME_START_AFTER_SECONDS", None)
    return env


def _real_epoch() -> float:
    """Wall-clock time from the kernel (/proc is not faked by libfaketime)."""
    boot = next(
        int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line[:5] == "btime"
    )
    return boot + float(Path("/proc/uptime").read_text().split()[0])


class Processes:
    """Children in their own process groups, so a kill reaches a child's children too."""

    def __init__(self) -> None:
        self.live: dict[str, subprocess.Popen] = {}
        self.lock = threading.Lock()

    def start(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        out = log.open("ab")
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        out.close()
        with self.lock:
            self.live[name] = proc
        return proc

    def kill(self, name: str, sig: int = signal.SIGKILL, wait: float = 30.0) -> None:
        with self.lock:
            proc = self.live.pop(name, None)
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def stop_all(self) -> None:
        """Newest first (the service before the servers it uses); PostgreSQL by immediate shutdown."""
        with self.lock:
            names = list(self.live)
        for name in reversed(names):
            self.kill(name, signal.SIGQUIT if name == "postgres" else signal.SIGTERM, wait=10)


# --------------------------------------------------------------------------------------------------
# Own PostgreSQL and Redis


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise SystemExit(f"{name} not found: the soak runs its own PostgreSQL from the system's binaries")


class Postgres:
    def __init__(self, procs: Processes, base: Path, statements: bool = False) -> None:
        self.procs, self.port, self.statements = procs, free_port(), statements
        self.data, self.log = base / "pgdata", base / "postgres.log"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        base.mkdir(exist_ok=True)
        if self.as_postgres:  # initdb refuses root; the data directory is postgres's
            shutil.chown(base, "postgres")
        subprocess.run(
            [
                *self.as_postgres,
                _pg_bin("initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
            env=child_environment(),
        )
        self.log.touch()
        if self.as_postgres:
            shutil.chown(self.log, "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/wc_soak"

    def start(self) -> None:
        self.procs.start(
            "postgres",
            [
                *self.as_postgres,
                _pg_bin("postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={self.data}",
                # fsync off: a crash here is PostgreSQL's, not the machine's (the kernel keeps what was
                # written). Synchronous commit stays on, as in production: with it off, the last commits
                # acknowledged before an immediate shutdown are lost (the soak's first runs lost 13 so).
                "-c",
                "fsync=off",
                "-c",
                "max_connections=200",
                *(["-c", "shared_preload_libraries=pg_stat_statements"] if self.statements else []),
            ],
            child_environment(),
            self.log,
        )
        wait_port(self.port)
        for _ in range(100):  # accepting connections once recovery is over
            check = subprocess.run(
                [_pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)], capture_output=True
            )
            if check.returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("own PostgreSQL did not start")

    def crash(self) -> None:
        """Immediate shutdown: no checkpoint, crash recovery at the next start (like a power cut of PG)."""
        self.procs.kill("postgres", signal.SIGQUIT)


class Redis:
    def __init__(self, procs: Processes, base: Path) -> None:
        self.procs, self.port, self.base = procs, free_port(), base

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.procs.start(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.base),
            ],
            # Real time: redis-server (jemalloc) aborts under libfaketime, and its TTLs are relative anyway.
            {k: v for k, v in os.environ.items() if not k.startswith(("FAKETIME", "LD_PRELOAD"))},
            self.base / "redis.log",
        )
        wait_port(self.port)

    def crash(self) -> None:
        """Killed, started empty: every queued task, wake-up key and cached value is gone."""
        self.procs.kill("redis", signal.SIGKILL)


# --------------------------------------------------------------------------------------------------
# The fault proxy: Saleor's GraphQL and Stripe's API as doubles at the HTTP edge


class FaultProxy:
    """Answers as Saleor (POST /graphql/: transactionEventReport) and Stripe (GET /v1/charges/<id>,
    /v1/balance_transactions/<id>); per call, seeded by (seed, call, attempt): 500, a hang past the
    client's timeout, or the answer."""

    def __init__(self, seed: int, error_rate: float, hang_rate: float, hang_seconds: float) -> None:
        self.seed, self.error_rate, self.hang_rate, self.hang_seconds = (
            seed,
            error_rate,
            hang_rate,
            hang_seconds,
        )
        self.charges: dict[str, dict] = {}  # charge id -> {payment_intent, balance_transaction}
        self.balances: dict[str, dict] = {}  # balance transaction id -> {amount, fee}
        self.attempts: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                return

            def do_GET(self) -> None:
                proxy.handle(self, "")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                proxy.handle(self, self.rfile.read(length).decode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def fate(self, call: str) -> str:
        with self.lock:
            self.attempts[call] += 1
            attempt = self.attempts[call]
        digest = hashlib.sha256(f"{self.seed}:{call}:{attempt}".encode()).digest()
        roll = int.from_bytes(digest[:8], "big") / 2**64
        fate = (
            "500" if roll < self.error_rate else "hang" if roll < self.error_rate + self.hang_rate else "ok"
        )
        with self.lock:
            self.outcomes[fate] += 1
        return fate

    def handle(self, request: BaseHTTPRequestHandler, body: str) -> None:
        path = request.path.split("?")[0]
        call = f"{request.command} {path} {hashlib.sha256(body.encode()).hexdigest()[:16]}"
        fate = self.fate(call)
        if fate == "hang":
            time.sleep(self.hang_seconds)
            request.close_connection = True
            return
        if fate == "500":
            self.reply(request, 500, {"error": {"message": "injected fault"}})
            return
        if path.endswith("/graphql/"):
            document = json.loads(body or "{}")
            if document.get("operationName") == "TransactionEventReport":
                self.reply(
                    request,
                    200,
                    {
                        "data": {
                            "transactionEventReport": {
                                "alreadyProcessed": False,
                                "transactionEvent": {
                                    "id": "ev-" + hashlib.sha256(body.encode()).hexdigest()[:12]
                                },
                                "errors": [],
                            }
                        }
                    },
                )
            else:
                self.reply(
                    request,
                    200,
                    {"errors": [{"message": f"soak double: no {document.get('operationName')}"}]},
                )
            return
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[1] == "charges" and parts[2] in self.charges:
            charge = self.charges[parts[2]]
            self.reply(request, 200, {"id": parts[2], "object": "charge", "status": "succeeded", **charge})
        elif len(parts) == 3 and parts[1] == "balance_transactions" and parts[2] in self.balances:
            txn = self.balances[parts[2]]
            self.reply(
                request, 200, {"id": parts[2], "object": "balance_transaction", "currency": "cny", **txn}
            )
        else:
            self.reply(request, 404, {"error": {"type": "invalid_request_error", "message": f"no {path}"}})

    @staticmethod
    def reply(request: BaseHTTPRequestHandler, status: int, document: dict) -> None:
        data = json.dumps(document).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except OSError:
            pass


# --------------------------------------------------------------------------------------------------
# The generator: orders, their final states, and the deliveries that lead there


@dataclass
class GenOrder:
    index: int
    oid: str
    units: list[int]  # unit index per line
    prices: list[tuple[int, int]]  # (unit price fen, quantity) per line
    fate: str  # unpaid_cancelled, paid, partially_refunded, refunded
    refunds: list[int] = field(default_factory=list)
    fee: int = 0
    t0: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def total(self) -> int:
        return sum(p * q for p, q in self.prices)

    @property
    def paid(self) -> bool:
        return self.fate != "unpaid_cancelled"

    def line_id(self, k: int) -> str:
        return f"{self.oid}-l{k}"

    def refund_id(self, k: int) -> str:
        return f"{self.oid}-refund{k}"

    def at(self, seconds: float) -> str:
        return (self.t0 + timedelta(seconds=seconds)).isoformat()


def generate_orders(rng: random.Random, count: int, start: datetime, seed: int) -> list[GenOrder]:
    orders = []
    for i in range(count):
        n_lines = rng.choice([1, 1, 2, 2, 3, 4])
        fate = rng.choices(
            ["unpaid_cancelled", "paid", "partially_refunded", "refunded"], weights=[12, 55, 18, 15]
        )[0]
        order = GenOrder(
            index=i,
            oid=f"order-s{seed}-{i}",
            units=[rng.randrange(UNITS) for _ in range(n_lines)],
            prices=[(rng.randint(100, 60000), rng.choice([1, 1, 1, 2, 3])) for _ in range(n_lines)],
            fate=fate,
            t0=start + timedelta(seconds=i * 7),
        )
        total = order.total
        if fate == "partially_refunded":
            left = total
            for _ in range(rng.choice([1, 1, 2, 3])):
                if left <= 1:
                    break
                amount = rng.randint(1, max(1, left // 2))
                order.refunds.append(amount)
                left -= amount
        elif fate == "refunded":
            if rng.random() < 0.5 and total > 1:
                first = rng.randint(1, total - 1)
                order.refunds += [first, total - first]
            else:
                order.refunds.append(total)
        if order.paid:
            order.fee = max(1, total * 6 // 1000 + 20) if rng.random() < 0.9 else 0
        orders.append(order)
    return orders


def order_states(order: GenOrder, warehouses: list[str]):
    """(event type, SaleorOrder) per state Saleor announces, in Saleor's order."""
    from tests.orders.payloads import Line, SaleorOrder

    def state(step: int, status: str, charged: bool, refunds: int) -> SaleorOrder:
        s = SaleorOrder(
            id=order.oid,
            lines=[
                Line(id=order.line_id(k), warehouse=warehouses[u], unit_price=p, quantity=q)
                for k, (u, (p, q)) in enumerate(zip(order.units, order.prices, strict=True))
            ],
            status=status,
            updated_at=order.at(60 * step),
        )
        if charged:
            s.paid(f"{order.oid}-charge", order.at(30))
        for k in range(refunds):
            s.refunds.append((order.refund_id(k), order.refunds[k], order.at(60 * (3 + k) + 30)))
        return s

    states = [("order_created", state(0, "UNCONFIRMED", False, 0))]
    if not order.paid:
        states.append(("order_updated", state(1, "UNFULFILLED", False, 0)))
        states.append(("order_cancelled", state(2, "CANCELED", False, 0)))
        return states
    states.append(("order_fully_paid", state(1, "UNFULFILLED", True, 0)))
    states.append(("order_updated", state(2, "UNFULFILLED", True, 0)))
    for k in range(len(order.refunds)):
        last = k == len(order.refunds) - 1
        kind = "order_fully_refunded" if last and order.fate == "refunded" else "order_refunded"
        states.append((kind, state(3 + k, "UNFULFILLED", True, k + 1)))
    return states


def stripe_events(order: GenOrder) -> list[dict]:
    if not order.paid:
        return []
    pi, ch, created = f"pi_{order.oid}", f"ch_{order.oid}", int(order.t0.timestamp()) + 30

    def event(name: str, kind: str, obj: dict) -> dict:
        return {
            "id": f"evt_{order.oid}_{name}",
            "object": "event",
            "type": kind,
            "created": created,
            "livemode": False,
            "api_version": "2024-06-20",
            "data": {"object": obj},
        }

    events = [
        event(
            "pi",
            "payment_intent.succeeded",
            {
                "id": pi,
                "object": "payment_intent",
                "amount": order.total,
                "amount_received": order.total,
                "currency": "cny",
                "capture_method": "automatic",
                "status": "succeeded",
                "latest_charge": ch,
            },
        ),
        event(
            "ch",
            "charge.succeeded",
            {
                "id": ch,
                "object": "charge",
                "status": "succeeded",
                "payment_intent": pi,
                "amount": order.total,
                "currency": "cny",
                "balance_transaction": f"txn_{order.oid}",
            },
        ),
    ]
    for k, amount in enumerate(order.refunds):
        events.append(
            event(
                f"re{k}",
                "refund.updated",
                {
                    "id": f"re_{order.oid}_{k}",
                    "object": "refund",
                    "status": "succeeded",
                    "amount": amount,
                    "currency": "cny",
                    "payment_intent": pi,
                    "charge": ch,
                },
            )
        )
    return events


@dataclass(order=True)
class Delivery:
    sort_key: float
    order_index: int = field(compare=False)
    kind: str = field(compare=False)  # "saleor" or "stripe"
    step: int = field(compare=False)
    copy: int = field(compare=False, default=0)  # 1: a repeated delivery of the same body


def delivery_plan(
    rng: random.Random, orders: list[GenOrder], counts: list[tuple[int, int]]
) -> list[Delivery]:
    """Each order's deliveries near its place in the stream, locally reordered; some repeated, some late."""
    plan = []
    n = len(orders)
    for order, (n_saleor, n_stripe) in zip(orders, counts, strict=True):
        base = order.index * 6.0
        for kind, steps in (("saleor", n_saleor), ("stripe", n_stripe)):
            for step in range(steps):
                key = base + step * rng.uniform(0, 4) + rng.uniform(0, 25)  # neighbours swap places
                if rng.random() < 0.03:  # late: far behind the rest of its order
                    key += rng.uniform(200, max(400, n * 6.0 * 0.3))
                plan.append(Delivery(key, order.index, kind, step))
                if rng.random() < 0.1:  # delivered again (Saleor's and Stripe's retries)
                    plan.append(Delivery(key + rng.uniform(0, 300), order.index, kind, step, copy=1))
    plan.sort()
    return plan


# --------------------------------------------------------------------------------------------------
# The expected ledger: the split engine's pure functions on each order's final state


def expected_ledger(orders: list[GenOrder], agreements):
    """Per order: each party's (share, fee borne) after every refund, and the ledger keys it must hold."""
    from payments.split import PLATFORM, Sale, SaleLine, product_recipe, refund_spread, sale_split

    per_order: dict[str, dict[str, list[int]]] = {}
    keys: dict[str, set[str]] = {}
    for order in orders:
        keys[order.oid] = set()
        if not order.paid:
            continue
        parties: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        lines = tuple(
            SaleLine(
                ref=order.line_id(k),
                gross=p * q,
                agreement=agreements[u][0],
                seller_of_record=agreements[u][1],
            )
            for k, (u, (p, q)) in enumerate(zip(order.units, order.prices, strict=True))
        )
        for line in sale_split(Sale(order.oid, CURRENCY, order.total, lines, fee=order.fee)):
            for pa in line.parties:
                if pa.party != PLATFORM:  # the platform's part of the fee stays the processor fees'
                    parties[pa.party][1] += pa.fee
        held = [ln.gross for ln in lines]
        for amount in order.refunds:  # Saleor's refund events in the order they happened
            held = [h - s for h, s in zip(held, refund_spread(amount, held), strict=True)]
        for ln, left in zip(lines, held, strict=True):
            recipe = product_recipe(ln.agreement, ln.royalties)
            for share, amount in zip(recipe.shares, recipe.split(left), strict=True):
                parties[share.party][0] += amount
        per_order[order.oid] = dict(parties)
        keys[order.oid] = {f"payment:{order.oid}"} | {
            f"refund:{order.refund_id(k)}" for k in range(len(order.refunds))
        }
        if order.fee:
            keys[order.oid].add(f"fee:txn_{order.oid}")
    return per_order, keys


def party_balances(per_order: dict[str, dict[str, list[int]]]) -> dict[str, int]:
    """What each party's ledger account must hold: minus its shares (a credit), plus the fees it bears."""
    balances: dict[str, int] = defaultdict(int)
    for parties in per_order.values():
        for party, (share, fee) in parties.items():
            balances[party] += fee - share
    return dict(balances)


# --------------------------------------------------------------------------------------------------
# The soak


class Soak:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.base = Path(tempfile.mkdtemp(prefix="wc-soak-"))
        self.base.chmod(0o755)  # PostgreSQL runs as its own user under it when the soak runs as root
        self.procs = Processes()
        self.pg = Postgres(self.procs, self.base / "pg", statements=args.pg_stats)
        self.redis = Redis(self.procs, self.base)
        self.proxy = FaultProxy(args.seed, args.fault_500, args.fault_hang, args.client_timeout + 1.5)
        self.web_port = free_port()
        self.worker_generation = Counter()
        self.faults: list[str] = []
        self.last_fault_end = time.monotonic()
        self.sent = Counter()
        self.send_retries = Counter()
        self.accepted = 0
        self.stop = threading.Event()
        self.backlog = 0
        self.figures: tuple[int, int, int, int] = (0, 0, 0, 0)  # open, processed: Saleor, Stripe

    # -- the service
    def env(self) -> dict[str, str]:
        return {
            **child_environment(),
            "DATABASE_URL": self.pg.url,
            "REDIS_URL": self.redis.url,
            "CACHE_URL": self.redis.url,
            "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
            "APP_ENV": "development",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "DATA_DIR": str(self.base / "data"),
            "STRIPE_API_BASE": f"http://127.0.0.1:{self.proxy.port}",
            "STRIPE_SECRET_KEY": "sk_test_soak",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_TIMEOUT": str(self.args.client_timeout),
            "SALEOR_READ_TIMEOUT": str(self.args.client_timeout),
            "SALEOR_CONNECT_TIMEOUT": "1",
            "SALEOR_API_URL": self.api_url,
            "DJANGO_SETTINGS_MODULE": "wenchuang.settings",
        }

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.proxy.port}/graphql/"

    def start_worker(self, i: int) -> None:
        self.worker_generation[i] += 1
        if self.args.profile:  # each task under cProfile, written next to the worker's log
            out = self.base / f"profile-worker{i}-{self.worker_generation[i]}"
            runner = [sys.executable, str(ROOT / "bench" / "_profiled_worker.py"), str(out)]
        else:
            runner = [sys.executable, "-m", "celery"]
        self.procs.start(
            f"worker{i}",
            [
                *runner,
                "-A",
                "wenchuang",
                "worker",
                "-P",
                "solo",
                "-Q",
                QUEUE,
                "-n",
                f"soak{i}-{self.worker_generation[i]}@localhost",
                "-l",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            self.env(),
            self.base / f"worker{i}.log",
        )

    def start_services(self) -> None:
        env = self.env()
        self.procs.start(
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "wenchuang.wsgi",
                "-b",
                f"127.0.0.1:{self.web_port}",
                "-k",
                "gthread",
                "-w",
                "2",
                "--threads",
                "4",
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            env,
            self.base / "web.log",
        )
        for i in range(self.args.workers):
            self.start_worker(i)
        self.procs.start(
            "beat",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "wenchuang",
                "beat",
                "-l",
                "WARNING",
                "-s",
                str(self.base / "beat-schedule"),
            ],
            env,
            self.base / "beat.log",
        )
        wait_port(self.web_port)

    # -- the database
    def prepare_database(self, signer, orders: list[GenOrder]):
        subprocess.run(
            [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.pg.port), "-U", "postgres", "wc_soak"],
            check=True,
        )
        if self.args.pg_stats:
            subprocess.run(
                [
                    _pg_bin("psql"),
                    *("-h", "127.0.0.1", "-p", str(self.pg.port), "-U", "postgres", "-d", "wc_soak"),
                    *("-qc", "CREATE EXTENSION pg_stat_statements"),
                ],
                check=True,
            )
        # This process's own settings; never its faketime variables (libfaketime rereads them: its clock
        # would jump).
        os.environ.update(
            {k: v for k, v in self.env().items() if not k.startswith(("FAKETIME", "LD_PRELOAD"))}
        )
        import django

        django.setup()
        from django.core.management import call_command

        from payments.gateway.models import PaymentIntentRecord
        from payments.split import AgreementVersion, PartyShare
        from saleor_app import secrets_at_rest
        from saleor_app.models import SaleorInstallation
        from tests.unit_onboarding.factories import OperatingEntityFactory, agreement_in_force
        from unit_onboarding.agreements import ShareTerm
        from unit_onboarding.models import Unit

        call_command("migrate", verbosity=0)
        installation = SaleorInstallation.objects.create(
            api_url=self.api_url,
            token_encrypted=secrets_at_rest.encrypt("soak-token-" + "x" * 20),
            jwks=signer.jwks(),
            app_id=APP_ID,
        )
        warehouses, agreements = [], []
        since = orders[0].t0 - timedelta(days=30)
        for n in range(UNITS):
            unit = OperatingEntityFactory(
                unit__status=Unit.Status.ACTIVE,
                unit__display_name=f"Soak museum {n}",
                unit__saleor_warehouse_id=f"V2FyZWhvdXNlOlNvYWt{n}",
            ).unit
            unit_bps, entity_bps, pool_bps, platform_bps = SHARES[n]
            shares = [
                ShareTerm(unit.party_key, "unit", unit_bps),
                ShareTerm(unit.operating_entity.party_key, "operating_entity", entity_bps),
                ShareTerm(f"staff_pool:{unit.uid}", "staff_pool", pool_bps),
                ShareTerm("platform", "platform", platform_bps),
            ]
            shares = [s for s in shares if s.bps]
            agreement_in_force(unit, effective_from=since, shares=shares)
            warehouses.append(unit.saleor_warehouse_id)
            # Independent of the service: the engine's input built from the shares chosen here, in an
            # agreement's order (by role, then party: the order breaks ties of a fen).
            ordered = sorted(shares, key=lambda s: (s.role, s.party_key))
            agreements.append(
                (
                    AgreementVersion(
                        f"soak:{n}", tuple(PartyShare(s.party_key, s.role, s.bps) for s in ordered)
                    ),
                    unit.operating_entity.party_key,
                )
            )
        PaymentIntentRecord.objects.bulk_create(
            [
                PaymentIntentRecord(
                    installation=installation,
                    saleor_transaction_id=f"txn-{o.oid}",
                    idempotency_key=f"soak:{o.oid}",
                    payment_intent_id=f"pi_{o.oid}",
                    amount=o.total,
                    currency=CURRENCY,
                    action_type="CHARGE",
                    source_type="Order",
                    source_id=o.oid,
                )
                for o in orders
                if o.paid
            ],
            batch_size=2000,
        )
        from django.db import connection

        connection.close()
        return warehouses, agreements

    # -- sending
    def sender(self, work: queue.Queue, bodies) -> None:
        conn = None
        while True:
            item = work.get()
            if item is None:
                return
            delivery = item
            give_up = time.monotonic() + self.args.send_timeout
            while not self.stop.is_set():
                if time.monotonic() > give_up:  # counted as never sent: the report says lost
                    self.send_retries["given up"] += 1
                    break
                # Hold back while the inboxes are far behind, but never stop: Saleor and Stripe keep
                # sending, and each delivery wakes the workers (after a Redis restart nothing else does
                # until the beat sweep).
                waited = 0.0
                while self.backlog > self.args.max_backlog and waited < 5 and not self.stop.is_set():
                    time.sleep(0.2)
                    waited += 0.2
                path, body, headers = bodies(delivery)
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=30)
                    conn.request("POST", path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    if response.status == 200:
                        break
                    self.send_retries[f"HTTP {response.status}"] += 1
                except (OSError, http.client.HTTPException) as exc:
                    self.send_retries[type(exc).__name__] += 1
                    with contextlib.suppress(Exception):
                        conn.close()
                    conn = None
                time.sleep(0.3)  # the sender retries like Saleor and Stripe do, a little faster
            with self.send_lock:
                self.accepted += 1

    def progress(self, started: float) -> None:
        last = (0, 0)
        while not self.stop.wait(60):
            open_saleor, open_stripe, done_saleor, done_stripe = self.figures
            print(
                f"  {time.monotonic() - started:5.0f} s: {self.accepted} deliveries accepted, "
                f"backlog {self.backlog} ({open_saleor} Saleor, {open_stripe} Stripe); processed in the "
                f"last minute: {done_saleor - last[0]} Saleor, {done_stripe - last[1]} Stripe",
                flush=True,
            )
            last = (done_saleor, done_stripe)

    def monitor(self) -> None:
        import psycopg

        conn = None
        while not self.stop.is_set():
            try:
                if conn is None:
                    conn = psycopg.connect(self.pg.url, autocommit=True, connect_timeout=2)
                row = conn.execute(
                    "SELECT (SELECT count(*) FROM saleor_app_webhookevent"
                    "    WHERE status IN ('pending', 'failed')),"
                    " (SELECT count(*) FROM payments_stripeevent"
                    "    WHERE status IN ('pending', 'failed', 'processing')),"
                    " (SELECT count(*) FROM saleor_app_webhookevent"
                    "    WHERE status IN ('done', 'ignored', 'parked')),"
                    " (SELECT count(*) FROM payments_stripeevent WHERE status IN ('done', 'ignored'))"
                ).fetchone()
                self.backlog = row[0] + row[1]
                self.figures = row
            except Exception:  # PostgreSQL is down: keep the last figure
                with contextlib.suppress(Exception):
                    conn.close()
                conn = None
            time.sleep(0.5)
        if conn is not None:
            conn.close()

    # -- chaos
    def chaos(self, plan_size: int) -> None:
        rng = random.Random(self.args.seed * 7919 + 1)
        # Every kind of fault in each round of three, in a seeded order.
        sequence = [
            k for _ in range(self.args.faults) for k in rng.sample(["worker", "postgres", "redis"], 3)
        ]
        points = sorted(rng.uniform(0.05, self.args.faults_until) for _ in range(self.args.faults))
        for point, kind in zip(points, sequence, strict=False):
            down = rng.uniform(0.5, 3.0)
            while self.accepted < point * plan_size and not self.stop.is_set():
                time.sleep(0.2)
            if self.stop.is_set():
                return
            started = time.monotonic()
            if kind == "worker":
                i = rng.randrange(self.args.workers)
                self.procs.kill(f"worker{i}", signal.SIGKILL)
                time.sleep(down)
                self.start_worker(i)
            elif kind == "postgres":
                self.pg.crash()
                time.sleep(down)
                self.pg.start()
            else:
                self.redis.crash()
                time.sleep(down)
                self.redis.start()
            self.last_fault_end = time.monotonic()
            self.faults.append(
                f"{kind} at {self.accepted}/{plan_size} accepted, down {down:.1f} s "
                f"(back after {time.monotonic() - started:.1f} s)"
            )
            print(f"  fault: {self.faults[-1]}", flush=True)

    # -- the run
    def run(self) -> int:
        from tests.saleor_signing import SaleorSigner

        args = self.args
        signer = SaleorSigner.generate("soak-key")
        started = time.monotonic()
        self.pg.start()
        self.redis.start()
        start = datetime.fromtimestamp(time.time(), tz=UTC).replace(microsecond=0) - timedelta(days=2)
        # How many orders make the events asked for: about 5.6 unique events an order on average.
        orders = generate_orders(self.rng, max(1, round(args.events / 5.6)), start, args.seed)
        warehouses, agreements = self.prepare_database(signer, orders)
        states = [order_states(o, warehouses) for o in orders]
        stripe = [stripe_events(o) for o in orders]
        for o in orders:
            if o.paid:
                self.proxy.charges[f"ch_{o.oid}"] = {
                    "payment_intent": f"pi_{o.oid}",
                    "balance_transaction": f"txn_{o.oid}",
                }
                self.proxy.balances[f"txn_{o.oid}"] = {
                    "amount": o.total,
                    "fee": o.fee,
                    "net": o.total - o.fee,
                }
        plan = delivery_plan(
            self.rng, orders, [(len(s), len(e)) for s, e in zip(states, stripe, strict=True)]
        )
        unique = sum(len(s) + len(e) for s, e in zip(states, stripe, strict=True))
        print(
            f"seed {args.seed}: {len(orders)} orders, {unique} events, {len(plan)} deliveries "
            f"({len(plan) - unique} repeated); {args.workers} workers; {args.faults} faults; "
            f"setup {time.monotonic() - started:.0f} s",
            flush=True,
        )
        self.start_services()

        keys: dict[tuple[int, str, int], str] = {}

        def bodies(d: Delivery):
            order = orders[d.order_index]
            if d.kind == "saleor":
                event_type, state = states[d.order_index][d.step]
                payload = state.payload(issued_at=order.at(60 * d.step + 1))
                payload["recipient"] = {"id": APP_ID}
                body = json.dumps(payload, ensure_ascii=False).encode()
                keys[(d.order_index, d.kind, d.step)] = hashlib.sha256(body).hexdigest()
                return (
                    "/saleor/webhooks/order-changes",
                    body,
                    {
                        "Content-Type": "application/json",
                        "Saleor-Event": event_type,
                        "Saleor-Api-Url": self.api_url,
                        "Saleor-Signature": signer.sign(body),
                    },
                )
            event = stripe[d.order_index][d.step]
            body = json.dumps(event).encode()
            keys[(d.order_index, d.kind, d.step)] = event["id"]
            t = int(time.time())
            mac = hmac.new(WEBHOOK_SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
            return (
                "/payments/gateway/stripe/webhook",
                body,
                {
                    "Content-Type": "application/json",
                    "Stripe-Signature": f"t={t},v1={mac}",
                },
            )

        self.send_lock = threading.Lock()
        work: queue.Queue = queue.Queue(maxsize=1000)
        senders = [
            threading.Thread(target=self.sender, args=(work, bodies), daemon=True)
            for _ in range(args.senders)
        ]
        for t in senders:
            t.start()
        threading.Thread(target=self.monitor, daemon=True).start()
        threading.Thread(target=self.progress, args=(time.monotonic(),), daemon=True).start()
        chaos = threading.Thread(target=self.chaos, args=(len(plan),), daemon=True)
        chaos.start()
        send_started = time.monotonic()
        for d in plan:
            work.put(d)
            self.sent["repeated" if d.copy else d.kind] += 1
        for _ in senders:
            work.put(None)
        for t in senders:
            t.join()
        send_seconds = time.monotonic() - send_started
        chaos.join()
        print(
            f"sent {len(plan)} deliveries in {send_seconds:.0f} s; retried sends: {dict(self.send_retries)}",
            flush=True,
        )

        drained_at = self.drain(keys, args.drain_timeout)
        report = self.verify(orders, agreements, keys, drained_at)
        self.stop.set()
        return report

    def drain(self, keys, timeout: float) -> float | None:
        """Wait until every event is stored and processed (done, ignored or parked); when, or None."""
        import psycopg

        saleor_keys = {v for (_, kind, _), v in keys.items() if kind == "saleor"}
        stripe_ids = {v for (_, kind, _), v in keys.items() if kind == "stripe"}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(self.pg.url, autocommit=True, connect_timeout=2) as conn:
                    open_saleor = conn.execute(
                        "SELECT count(*) FROM saleor_app_webhookevent WHERE status IN ('pending', 'failed')"
                    ).fetchone()[0]
                    open_stripe = conn.execute(
                        "SELECT count(*) FROM payments_stripeevent"
                        " WHERE status IN ('pending', 'failed', 'processing')"
                    ).fetchone()[0]
                    stored_saleor = conn.execute("SELECT count(*) FROM saleor_app_webhookevent").fetchone()[0]
                    stored_stripe = conn.execute("SELECT count(*) FROM payments_stripeevent").fetchone()[0]
            except psycopg.Error:
                time.sleep(1)
                continue
            if (
                not open_saleor
                and not open_stripe
                and stored_saleor >= len(saleor_keys)
                and stored_stripe >= len(stripe_ids)
            ):
                return time.monotonic()
            time.sleep(1)
        return None

    def verify(self, orders, agreements, keys, drained_at) -> int:
        import psycopg

        per_order, expected_keys = expected_ledger(orders, agreements)
        expected = party_balances(per_order)
        saleor_keys = {v for (_, kind, _), v in keys.items() if kind == "saleor"}
        stripe_ids = {v for (_, kind, _), v in keys.items() if kind == "stripe"}
        with psycopg.connect(self.pg.url, autocommit=True) as conn:
            saleor_status = dict(conn.execute("SELECT key, status FROM saleor_app_webhookevent").fetchall())
            stripe_status = dict(conn.execute("SELECT event_id, status FROM payments_stripeevent").fetchall())
            parked = conn.execute(
                "SELECT 'saleor ' || event_type, left(last_error, 120), count(*) FROM saleor_app_webhookevent"
                " WHERE status = 'parked' GROUP BY 1, 2"
                " UNION ALL SELECT 'stripe ' || event_type, left(last_error, 120), count(*)"
                " FROM payments_stripeevent WHERE status = 'failed' AND attempts >= 10 GROUP BY 1, 2"
            ).fetchall()
            posted = conn.execute(
                "SELECT order_ref, idempotency_key FROM payments_ledgertransaction"
            ).fetchall()
            unbalanced = conn.execute(
                "SELECT count(*) FROM payments_ledgertransaction t LEFT JOIN"
                " (SELECT transaction_id, sum(amount) AS total, count(*) AS n FROM payments_ledgerentry"
                "  GROUP BY transaction_id) e ON e.transaction_id = t.id"
                " WHERE e.n IS NULL OR e.total <> 0"
            ).fetchone()[0]
            balances = dict(
                conn.execute(
                    "SELECT a.party, sum(e.amount) FROM payments_ledgerentry e"
                    " JOIN payments_account a ON a.id = e.account_id"
                    " WHERE a.kind IN ('party_payable', 'platform_revenue') GROUP BY a.party"
                ).fetchall()
            )
            split_rows = conn.execute(
                "SELECT order_ref, party, sum(amount), sum(fee) FROM payments_splitline GROUP BY 1, 2"
            ).fetchall()
            payments_per_order = conn.execute(
                "SELECT count(*) FROM (SELECT order_ref FROM payments_ledgertransaction"
                " WHERE kind = 'payment'"
                " GROUP BY order_ref HAVING count(*) > 1) x"
            ).fetchone()[0]
        done = ("done", "ignored")
        processed = sum(1 for k in saleor_keys if saleor_status.get(k) in done)
        processed += sum(1 for k in stripe_ids if stripe_status.get(k) in done)
        parked_n = sum(1 for k in saleor_keys if saleor_status.get(k) == "parked")
        lost_events = [k for k in saleor_keys if saleor_status.get(k) not in (*done, "parked")]
        lost_events += [k for k in stripe_ids if stripe_status.get(k) not in (*done, "parked")]
        actual_keys: dict[str, set[str]] = defaultdict(set)
        for order_ref, key in posted:
            actual_keys[order_ref].add(key)
        missing = sum(len(want - actual_keys.get(oid, set())) for oid, want in expected_keys.items())
        extra = sum(len(actual_keys.get(oid, set()) - want) for oid, want in expected_keys.items())
        extra += sum(len(v) for oid, v in actual_keys.items() if oid not in expected_keys)
        twice = extra + payments_per_order
        parties = set(expected) | set(balances)
        mismatched = sorted(p for p in parties if int(balances.get(p, 0)) != expected.get(p, 0))
        drain = f"{drained_at - self.last_fault_end:.1f} s" if drained_at else "NOT DRAINED"

        print(
            f"events sent:                {len(saleor_keys) + len(stripe_ids)} "
            f"({len(saleor_keys)} Saleor, {len(stripe_ids)} Stripe; "
            f"{self.sent['repeated']} repeated deliveries)"
        )
        print(f"processed:                  {processed}")
        print(f"parked:                     {parked_n}")
        for what, reason, count in parked:
            print(f"    {count:6d}  {what}: {reason}")
        print(
            f"lost:                       {len(lost_events) + missing}"
            f" ({len(lost_events)} events not stored or not processed, {missing} postings missing)"
        )
        print(f"posted twice:               {twice}")
        print(f"unbalanced transactions:    {unbalanced}")
        print(f"mismatched party balances:  {len(mismatched)} of {len(parties)}")
        for party in mismatched[:10]:
            print(f"    {party}: ledger {balances.get(party, 0)}, expected {expected.get(party, 0)}")
        actual_lines: dict[str, dict[str, list[int]]] = defaultdict(dict)
        for order_ref, party, share, fee in split_rows:
            actual_lines[order_ref][party] = [int(share), int(fee) if party != "platform" else 0]
        wrong_orders = sorted(
            oid
            for oid in set(per_order) | set(actual_lines)
            if {p: v for p, v in actual_lines.get(oid, {}).items() if v != [0, 0]}
            != {p: v for p, v in per_order.get(oid, {}).items() if v != [0, 0]}
        )
        print(f"orders whose split lines differ from the engine's: {len(wrong_orders)}")
        for oid in wrong_orders[:5]:
            print(f"    {oid}: ledger {dict(actual_lines.get(oid, {}))}, expected {per_order.get(oid)}")
        print(
            f"ledger transactions:        {len(posted)} "
            f"(expected {sum(len(v) for v in expected_keys.values())})"
        )
        print(
            f"faults injected:            {len(self.faults)}; fault proxy calls: {dict(self.proxy.outcomes)}"
        )
        print(f"time to drain after the last fault: {drain}")
        if self.args.pg_stats:
            self.print_statements()
        failed = bool(
            lost_events or missing or twice or unbalanced or mismatched or wrong_orders or not drained_at
        )
        if failed:
            print(f"FAILED (logs kept in {self.base})")
        return 1 if failed else 0

    def print_statements(self) -> None:
        """The statements that took PostgreSQL's time (since its last restart: a crash resets them)."""
        import psycopg

        with psycopg.connect(self.pg.url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT round(total_exec_time)::bigint, calls, round(mean_exec_time::numeric, 2),"
                " regexp_replace(left(query, 110), '\\s+', ' ', 'g')"
                " FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15"
            ).fetchall()
        print("PostgreSQL time by statement since its last restart (ms total, calls, ms mean):")
        for total, calls, mean, query in rows:
            print(f"  {total:8d} {calls:8d} {mean:8} {query}")

    def close(self, keep: bool) -> None:
        self.stop.set()
        self.procs.stop_all()
        with contextlib.suppress(Exception):
            self.proxy.server.shutdown()
        if not keep:
            shutil.rmtree(self.base, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--faults", type=int, default=30)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--max-backlog", type=int, default=3000)
    parser.add_argument(
        "--fault-500", type=float, default=0.05, help="share of Saleor/Stripe calls answering 500"
    )
    parser.add_argument(
        "--fault-hang", type=float, default=0.01, help="share of calls hanging past the timeout"
    )
    parser.add_argument(
        "--client-timeout", type=float, default=1.5, help="Saleor and Stripe client timeout, s"
    )
    parser.add_argument("--drain-timeout", type=float, default=1800)
    parser.add_argument(
        "--send-timeout", type=float, default=120, help="a delivery retried this long at most"
    )
    parser.add_argument(
        "--faults-until",
        type=float,
        default=0.8,
        help="faults fall between 5 %% and this share of the deliveries",
    )
    parser.add_argument("--short", action="store_true", help="the CI version: 2,000 events, 6 faults")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, data)")
    parser.add_argument(
        "--profile", action="store_true", help="workers' tasks under cProfile (profile-worker*.prof, .json)"
    )
    parser.add_argument(
        "--pg-stats", action="store_true", help="pg_stat_statements on; the top statements printed at the end"
    )
    args = parser.parse_args(argv)
    if args.short:
        args.events, args.faults, args.workers, args.drain_timeout = 2000, 6, 2, 480
        args.faults_until = 0.5
    soak = Soak(args)
    atexit.register(soak.close, True)

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    status = 1
    try:
        status = soak.run()
    finally:
        soak.close(keep=args.keep or status != 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
