"""docker-compose.yml and the Dockerfile read as data, for the stack contract tests."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES: dict[str, dict] = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()

ONE_SHOT = {"saleor-init", "install-app", "seed-demo"}
LONG_RUNNING = sorted(set(SERVICES) - ONE_SHOT)
APP_IMAGE = SERVICES["web"]["image"]
APP_SERVICES = sorted(name for name, s in SERVICES.items() if s.get("image") == APP_IMAGE)
APP_ENV: dict[str, str] = SERVICES["web"]["environment"]
SALEOR_ENV: dict[str, str] = SERVICES["saleor-api"]["environment"]
# Names a browser on the host resolves to the host itself (RFC 6761: localhost and *.localhost).
LOOPBACK_NAMES = re.compile(r"^(localhost|127\.0\.0\.1|[a-z0-9-]+\.localhost)$")


def stage(name: str) -> str:
    """The text of one stage of the Dockerfile (from its FROM to the next)."""
    parts = re.split(r"^(?=FROM )", DOCKERFILE, flags=re.M)
    (found,) = [p for p in parts if re.match(rf"FROM \S+ AS {name}\b", p)]
    return found


def last_stage_name() -> str:
    return re.findall(r"^FROM \S+ AS (\S+)", DOCKERFILE, flags=re.M)[-1]


def image_env() -> dict[str, str]:
    """ENV of the app image (its stage and the stages it is built on)."""
    env: dict[str, str] = {}
    for line in re.findall(r"^ENV (.+)$", stage("python") + stage("app"), flags=re.M):
        env.update(dict(pair.split("=", 1) for pair in shlex.split(line)))
    return env


def image_uid() -> int:
    return int(re.search(r"useradd .*--uid (\d+)", DOCKERFILE).group(1))


def command(service: str) -> list[str]:
    """The service's command as compose runs it: a string is split like a shell would, `$$` is `$`."""
    if "command" not in SERVICES[service]:  # the CMD of the Dockerfile stage it is built from
        cmd = re.search(r"^CMD (.+)$", stage(SERVICES[service]["build"]["target"]), flags=re.M).group(1)
        return json.loads(cmd)
    raw = SERVICES[service]["command"]
    words = shlex.split(raw) if isinstance(raw, str) else list(raw)
    return [w.replace("$$", "$") for w in words]


def healthcheck(service: str) -> list[str]:
    """The health check as an argv (CMD-SHELL runs through sh -c)."""
    test = SERVICES[service]["healthcheck"]["test"]
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    kind, *rest = test
    rest = [w.replace("$$", "$") for w in rest]
    return ["sh", "-c", rest[0]] if kind == "CMD-SHELL" else rest


def published(service: str) -> dict[int, int]:
    """Host port -> container port of what the service publishes."""
    ports = {}
    for spec in SERVICES[service].get("ports", []):
        *_, host, container = str(spec).split(":")
        ports[int(host)] = int(container)
    return ports


def aliases(service: str) -> list[str]:
    networks = SERVICES[service].get("networks") or {}
    return list((networks.get("default") or {}).get("aliases", []))


def service_named(host: str) -> str | None:
    """The service a name reaches inside the stack: a service name or a network alias."""
    for name in SERVICES:
        if host == name or host in aliases(name):
            return name
    return None


def url_port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or {"http": 80, "https": 443}[parts.scheme]
