"""Each long-running service of docker-compose.yml that runs this project's image, started natively.

As the image's user (uid of the Dockerfile's useradd, not root), from a read-only copy of the app
directory built as the Dockerfile builds /app (its COPY lines, then collectstatic), with the compose
environment adapted to 127.0.0.1 (this run's database and Redis, free ports, a writable DATA_DIR as the
volume). Each one must come up healthy by its own compose health check, and that check must fail once
the process is dead. Run as root (CI), each process gets a hostname of its own, like a container.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.wenchuang.stack import (
    APP_ENV,
    ROOT,
    SERVICES,
    aliases,
    command,
    healthcheck,
    image_env,
    image_uid,
    stage,
)

# django_db: pytest-django creates (and migrates) this run's test database only for tests that ask for it.
pytestmark = [pytest.mark.timeout(240), pytest.mark.django_db]

VENV_BIN = Path(sys.executable).parent
AS_ROOT = os.geteuid() == 0
VAR_TMP = "/var/tmp"  # noqa: S108 - a private directory is made inside it
NATIVE = ["web", "worker", "worker-images", "beat", "localstripe"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _read_only(path: Path) -> None:
    for dirpath, _, filenames in os.walk(path):
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o444)
        os.chmod(dirpath, 0o555)  # noqa: S103 - read-only for everyone, as /app for the image's user


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    host = quote(host, safe="") if host.startswith("/") else host  # the embedded server's socket directory
    auth = db["USER"] + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def stack_dir():
    """A directory the image's user may enter: app/ (read-only, as /app), data/ (its volume), tmp/."""
    # Not under /tmp: as root, each service gets a private /tmp of its own, as in a container.
    root = Path(tempfile.mkdtemp(prefix="wc-stack-", dir=VAR_TMP if os.path.isdir(VAR_TMP) else None))
    os.chmod(root, 0o755)  # noqa: S103 - tmp_path is private to root: the image's user could not enter it
    app = root / "app"
    app.mkdir()
    for source, _ in re.findall(r"^COPY (.+) (\S+)$", stage("app"), flags=re.M):
        for name in source.split():
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, app / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(src, app / name)
    build = re.search(r"(DATABASE_URL=\S+) (STATIC_FINGERPRINTS=\S+)", stage("app"))
    subprocess.run(  # the Dockerfile's build step, with this venv's python first on PATH
        ["python", "manage.py", "collectstatic", "--noinput", "-v0"],  # noqa: S607
        cwd=app,
        env=_base_env(root) | dict(kv.split("=", 1) for kv in build.groups()) | {"DATA_DIR": str(root / "b")},
        check=True,
        timeout=120,
    )
    _read_only(app)
    for name in ["data", "logs", "tmp", *(f"tmp/{service}" for service in NATIVE)]:
        (root / name).mkdir(mode=0o755)
        if AS_ROOT:
            os.chown(root / name, image_uid(), image_uid())
    yield root
    for dirpath, _, _ in os.walk(root):
        os.chmod(dirpath, 0o755)  # noqa: S103 - writable again, to be removed
    shutil.rmtree(root, ignore_errors=True)


def _base_env(root: Path) -> dict[str, str]:
    """What a container has besides the compose environment: the image's ENV, PATH, HOME."""
    return {
        **image_env(),
        "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
        "PYTHONPATH": str(root / "app"),  # like /app beside the installed package
        "DATA_DIR": str(root / "data"),
        "STATIC_ROOT": str(root / "app" / "static"),
    }


def _to_loopback(value: str, ports: dict[int, int]) -> str:
    """Compose names (services and their aliases) become 127.0.0.1; published ports become free ones."""
    for name in SERVICES:
        for host in [name, *aliases(name)]:
            value = re.sub(rf"//{re.escape(host)}:", "//127.0.0.1:", value)
    for port, free in ports.items():
        value = value.replace(f":{port}", f":{free}")
    return value


@pytest.fixture(scope="module")
def stack(stack_dir, django_db_setup, django_db_blocker):
    """The adapted environment and, per service, its argv, hostname and health check."""
    run = uuid.uuid4().hex[:8]
    ports = {8080: _free_port(), 8420: _free_port()}
    env = {k: _to_loopback(v, ports) for k, v in APP_ENV.items()}
    with django_db_blocker.unblock():
        env["DATABASE_URL"] = _database_url()  # this run's test database, migrated by pytest-django
    from django.conf import settings

    env["REDIS_URL"] = settings.REDIS_URL  # this run's Redis database
    env["EMAIL_HOST"] = "127.0.0.1"
    # Queues of this run's own: nothing else on this Redis consumes them, nor do these workers take others'.
    env["CELERY_TASK_DEFAULT_QUEUE"] = f"stack-{run}"
    env["CELERY_IMAGES_QUEUE"] = f"stack-{run}-images"
    services = {}
    for name in NATIVE:
        argv = [_to_loopback(w, ports).replace("0.0.0.0:", "127.0.0.1:") for w in command(name)]
        if name == "worker-images":
            argv[argv.index("-Q") + 1] = env["CELERY_IMAGES_QUEUE"]
        if name == "localstripe":  # the image's CMD is this script, copied by its Dockerfile stage
            argv = [str(ROOT / "deploy" / "localstripe.sh")]
        check = [_to_loopback(w, ports) for w in healthcheck(name)]
        tmp = stack_dir / "tmp" / name  # the container's /tmp: mounted there as root, else TMPDIR
        if not AS_ROOT:
            check = [w.replace("/tmp/", f"{tmp}/") for w in check]  # noqa: S108
        hostname = f"wc-{run}-{name}" if AS_ROOT else socket.gethostname()
        own = {"HOME": "/tmp" if AS_ROOT else str(tmp), "TMPDIR": "/tmp" if AS_ROOT else str(tmp)}  # noqa: S108
        service_env = {**_base_env(stack_dir), **env, **own, "HOSTNAME": hostname}
        if name == "localstripe":
            service_env = {
                **_base_env(stack_dir),
                **own,
                **{k: _to_loopback(v, ports) for k, v in SERVICES[name]["environment"].items()},
                "LOCALSTRIPE_PORT": str(ports[8420]),
            }
        services[name] = {"argv": argv, "check": check, "env": service_env, "hostname": hostname, "tmp": tmp}
    yield {"dir": stack_dir, "env": env, "ports": ports, "services": services}
    import redis

    broker = redis.Redis.from_url(env["REDIS_URL"])  # this run's queues and their bindings
    for key in broker.scan_iter(match=f"*stack-{run}*"):
        broker.delete(key)


def _as_image_user(argv: list[str], service: dict) -> list[str]:
    """Run as the image's uid; as root also, like a container, with a hostname and a /tmp of its own.
    Reads stay granted (this machine's interpreter lives under /root), writes are that user's own: the
    app copy is not writable."""
    if not AS_ROOT:
        return argv
    uid = str(image_uid())
    drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
    drop += ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
    inside = 'hostname "$0" && mount --bind "$1" /tmp && shift && exec "$@"'
    return [
        "unshare",
        "--uts",
        "--mount",
        "sh",
        "-c",
        inside,
        service["hostname"],
        service["tmp"],
        *drop,
        *argv,
    ]


def _healthy(service: dict, stack_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - the compose health check, adapted
        _as_image_user(service["check"], service),
        cwd=stack_dir / "app",
        env=service["env"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _start(name: str, service: dict, stack_dir: Path) -> subprocess.Popen:
    log = open(stack_dir / "logs" / f"{name}.log", "wb")  # noqa: SIM115 - kept open for the process
    return subprocess.Popen(  # noqa: S603 - the compose command, adapted
        _as_image_user(service["argv"], service),
        cwd=stack_dir / "app",
        env=service["env"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_healthy(name: str, service: dict, stack_dir: Path, process: subprocess.Popen, deadline: float):
    while True:
        result = _healthy(service, stack_dir)
        if result.returncode == 0:
            return result
        log = (stack_dir / "logs" / f"{name}.log").read_text(errors="replace")
        assert process.poll() is None, f"{name} exited with {process.returncode}:\n{log[-3000:]}"
        assert time.monotonic() < deadline, (
            f"{name} never became healthy: {result.stdout}{result.stderr}\n{log[-3000:]}"
        )
        time.sleep(1)


def _stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 9)  # the whole process group: sh, gunicorn and its workers, prefork children
    process.wait(timeout=30)


def test_every_service_starts_as_the_image_user_from_a_read_only_app_and_its_health_check_sees_its_death(
    stack,
):
    root, services = stack["dir"], stack["services"]
    before = sorted(p.relative_to(root / "app") for p in (root / "app").rglob("*"))
    (root / "data" / "media" / "images").mkdir(parents=True)
    (root / "data" / "media" / "images" / "probe.webp").write_bytes(b"RIFF")
    processes = {name: _start(name, services[name], root) for name in NATIVE}
    try:
        deadline = time.monotonic() + 120
        with ThreadPoolExecutor(len(NATIVE)) as pool:
            up = {
                name: pool.submit(_wait_healthy, name, services[name], root, processes[name], deadline)
                for name in NATIVE
            }
            for future in up.values():
                future.result()

        # Up, as the compose stack serves a browser: media from the volume, cookies fit for plain http.
        base = f"http://127.0.0.1:{stack['ports'][8080]}"
        with urllib.request.urlopen(f"{base}/media/images/probe.webp", timeout=10) as media:  # noqa: S310
            assert (media.status, media.headers["Content-Type"]) == (200, "image/webp")
        with urllib.request.urlopen(f"{base}/onboarding/login/", timeout=10) as login:  # noqa: S310
            cookies = login.headers.get_all("Set-Cookie")
            assert login.status == 200 and cookies and not any("Secure" in c for c in cookies)
        assert (root / "data" / "celerybeat-schedule.heartbeat").exists()
        if AS_ROOT:
            assert {
                p.stat().st_uid for p in (root / "data").iterdir() if p.name.startswith("celerybeat")
            } == {image_uid()}

        for process in processes.values():
            _stop(process)
        with ThreadPoolExecutor(len(NATIVE)) as pool:
            after = dict(zip(NATIVE, pool.map(lambda n: _healthy(services[n], root), NATIVE), strict=True))
        assert {name: result.returncode != 0 for name, result in after.items()} == dict.fromkeys(NATIVE, True)
        assert sorted(p.relative_to(root / "app") for p in (root / "app").rglob("*")) == before
    finally:
        for process in processes.values():
            if process.poll() is None:
                _stop(process)
