"""Which job runtimes this machine offers, and which one "auto" means."""

from __future__ import annotations

import sys
from dataclasses import dataclass

DOCKER_PING_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class RuntimeInfo:
    name: str
    available: bool
    detail: str


def process_runtime_info() -> RuntimeInfo:
    return RuntimeInfo("process", True, f"subprocesses of {sys.executable}")


def docker_runtime_info(timeout: float = DOCKER_PING_TIMEOUT_S) -> RuntimeInfo:
    """Ask the Docker engine named by DOCKER_HOST (or the default socket) whether it answers."""
    try:
        import docker
        from docker.errors import DockerException
    except ImportError:  # pragma: no cover - docker is a dependency
        return RuntimeInfo("docker", False, "the docker Python package is not installed")
    try:
        client = docker.from_env(timeout=int(max(1, timeout)))
    except DockerException as exc:
        return RuntimeInfo("docker", False, f"no Docker engine answers: {_short(exc)}")
    try:
        client.ping()
        version = client.version().get("Version", "unknown")
        return RuntimeInfo("docker", True, f"Docker engine {version} at {client.api.base_url}")
    except Exception as exc:  # any failure to talk to the engine means "not available"
        return RuntimeInfo("docker", False, f"no Docker engine answers: {_short(exc)}")
    finally:
        client.close()


def ray_runtime_info(address: str) -> RuntimeInfo:
    """The Ray cluster at ``address``: its living nodes and free CPUs, or why not."""
    from .ray import cluster_summary

    try:
        return RuntimeInfo("ray", True, f"{cluster_summary(address)} at {address}")
    except Exception as exc:  # no Ray, or no cluster answers
        message = getattr(exc, "message", None) or _short(exc)
        return RuntimeInfo("ray", False, f"no Ray cluster answers at {address}: {message}")


def available_runtimes(ray_address: str | None = None) -> list[RuntimeInfo]:
    """The runtimes and whether each answers (Ray only with a cluster address)."""
    runtimes = [process_runtime_info(), docker_runtime_info()]
    if ray_address:
        runtimes.append(ray_runtime_info(ray_address))
    return runtimes


def resolve_runtime(choice: str, runtimes: list[RuntimeInfo]) -> str:
    """``auto`` → docker when an engine answers, else process; explicit choices stay."""
    if choice != "auto":
        return choice
    docker_ok = any(r.name == "docker" and r.available for r in runtimes)
    return "docker" if docker_ok else "process"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
