"""Inference pipelines: a model of several containers, served serially.

Every instance of a pipeline variant runs one model server per container (a
:class:`Member` each: its own process or docker container, its own ``/opt/ml/model``
unpacked from its own ``ModelDataUrl``, its own environment). An invocation goes through
the members in order (:func:`invoke_chain` on the router's loop, :func:`chain` for batch
transform):

- the client's body and ``Content-Type`` go to container 1;
- container i's answer body is container i+1's request body, with container i's answer
  ``Content-Type`` as its ``Content-Type``;
- an intermediate container is asked with ``Accept`` = its
  ``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT`` when set, else the client's ``Accept``; the last
  one gets the client's ``Accept``;
- a container answering 4xx/5xx ends the chain: the answer is that status with a message
  naming the container (index, ContainerHostname, image) and the model's message.

The instances' own lifecycle (launch, health, restart, logs) is in
:mod:`.instances`, which asks this module for the members' names and folders. This module
imports nothing of the rest of ``hosting`` but the router's HTTP answer type.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..runtime.base import JobHandle
from .upstream import Answer

#: the environment variable naming the Accept a container is asked with mid-pipeline
DEFAULT_ACCEPT = "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT"
CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"
#: characters of a failing container's answer quoted in the error
MESSAGE_CHARS = 2000


@dataclass(frozen=True)
class ContainerPlan:
    """One container of a pipeline variant, validated and ready to launch.

    ``image`` is what the runner runs (None on the process runtime); ``image_label`` the
    image as the model names it (``None``: the studio's script-mode serving), for
    descriptions and errors."""

    index: int
    hostname: str
    image: str | None
    image_label: str | None
    model_data_url: str | None
    program: str | None
    code_source: str | None
    environment: Mapping[str, str]

    def label(self, count: int) -> str:
        """How errors name the container.

        Args:
            count: How many containers the pipeline has.

        Returns:
            ``container 2 of 2 (<hostname>, image <image>)``, or ``(<hostname>, script
            mode)`` for the studio's script-mode serving.
        """
        image = f"image {self.image_label}" if self.image_label else "script mode"
        return f"container {self.index + 1} of {count} ({self.hostname}, {image})"

    def describe(self) -> dict[str, Any]:
        """The container as the endpoint's description shows it.

        Returns:
            ``{"ContainerHostname", "Image", "ModelDataUrl"}`` (absent ones omitted).
        """
        out: dict[str, Any] = {"ContainerHostname": self.hostname}
        if self.image_label:
            out["Image"] = self.image_label
        if self.model_data_url:
            out["ModelDataUrl"] = self.model_data_url
        return out


def container_hostname(given: str | None, index: int) -> str:
    """A pipeline container's name: its ``ContainerHostname``, else ``container-<i+1>``.

    Args:
        given: The ContainerHostname of the model, if any.
        index: The container's position (from 0).

    Returns:
        The name.
    """
    return given or f"container-{index + 1}"


def with_environment(
    containers: Sequence[ContainerPlan], extra: Mapping[str, str]
) -> tuple[ContainerPlan, ...]:
    """The containers with ``extra`` on top of each one's environment (batch transform's
    settings reach every container).

    Args:
        containers: The pipeline's containers.
        extra: Variables to add.

    Returns:
        New plans, in the same order.
    """
    return tuple(replace(c, environment={**c.environment, **extra}) for c in containers)


@dataclass
class Member:
    """One running container of a pipeline instance (``host``: the runner's name for it,
    ``<instance host>-c<i+1>``)."""

    plan: ContainerPlan
    host: str
    handle: JobHandle | None = None
    url: str | None = None


def member_host(instance_host: str, index: int) -> str:
    """The runner's host name of container ``index`` of an instance.

    Args:
        instance_host: ``algo-N``.
        index: The container's position (from 0).

    Returns:
        ``algo-N-c<index+1>``.
    """
    return f"{instance_host}-c{index + 1}"


def member_model_dir(model_dir: Path, index: int) -> Path:
    """Where container ``index``'s model (and ``code/``) is unpacked: its own
    ``/opt/ml/model``.

    Args:
        model_dir: The generation's model folder.
        index: The container's position (from 0).

    Returns:
        ``<model_dir>/c<index+1>``.
    """
    return model_dir / f"c{index + 1}"


def _hop_headers(
    plan: ContainerPlan, last: bool, content_type: str, accept: str | None, custom: str | None
) -> dict[str, str]:
    headers = {"Content-Type": content_type}
    chosen = accept if last else (plan.environment.get(DEFAULT_ACCEPT) or accept)
    if chosen:
        headers["Accept"] = chosen
    if custom:
        headers[CUSTOM_ATTRIBUTES] = custom
    return headers


def failure(plan: ContainerPlan, count: int, status: int, body: bytes) -> bytes:
    """The message of a container that refused its request.

    Args:
        plan: The container.
        count: How many containers the pipeline has.
        status: Its answer's status.
        body: Its answer's body.

    Returns:
        ``container i of n (<hostname>, image <image>): <message>`` (the router adds the
        status).
    """
    message = body[:MESSAGE_CHARS].decode("utf-8", errors="replace").strip()
    return f"{plan.label(count)}: {message or f'status {status}'}".encode()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


async def invoke_chain(
    post: Callable[[str, str, bytes, Mapping[str, str], float], Awaitable[Answer]],
    members: Sequence[Member],
    body: bytes,
    headers: Mapping[str, str],
    timeout_s: float,
) -> Answer:
    """One invocation through an instance's containers, on the router's loop.

    Args:
        post: The router's ``Upstream.post`` (origin, path, body, headers, timeout).
        members: The instance's containers, in order.
        body: The client's body.
        headers: The client's ``Content-Type``, ``Accept`` and custom attributes.
        timeout_s: For the whole chain.

    Returns:
        The last container's answer; or, when one refused its request, that status with
        :func:`failure`'s message as the body.

    Raises:
        asyncio.TimeoutError: The chain did not end within ``timeout_s``.
        UpstreamError: A container could not be reached.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    content_type = _header(headers, "Content-Type") or "application/octet-stream"
    accept = _header(headers, "Accept")
    custom = _header(headers, CUSTOM_ATTRIBUTES)
    answer: Answer | None = None
    for position, member in enumerate(members):
        last = position == len(members) - 1
        remaining = deadline - loop.time()
        if remaining <= 0 or member.url is None:
            raise asyncio.TimeoutError
        hop = _hop_headers(member.plan, last, content_type, accept, custom)
        answer = await post(member.url, "/invocations", body, hop, remaining)
        if answer.status >= 400:
            message = failure(member.plan, len(members), answer.status, answer.body)
            return Answer(answer.status, {"content-type": "text/plain"}, message)
        body = answer.body
        content_type = answer.headers.get("content-type", "application/octet-stream")
    assert answer is not None
    return answer


#: one request to a container: (position, body, headers) → (status, content type, body)
Send = Callable[[int, bytes, Mapping[str, str]], tuple[int, str, bytes]]


def chain(
    send: Send, containers: Sequence[ContainerPlan], body: bytes, headers: Mapping[str, str]
) -> tuple[int, str, bytes]:
    """One request through a pipeline's containers, blocking (batch transform).

    Args:
        send: Sends one request to the container at a position.
        containers: The pipeline's containers, in order.
        body: The request body.
        headers: Its ``Content-Type`` and ``Accept``.

    Returns:
        ``(status, content type, body)`` of the last container, or of the first that
        refused (with :func:`failure`'s message).
    """
    content_type = _header(headers, "Content-Type") or "application/octet-stream"
    accept = _header(headers, "Accept")
    answer: tuple[int, str, bytes] = (500, "", b"")
    for position, plan in enumerate(containers):
        last = position == len(containers) - 1
        hop = _hop_headers(plan, last, content_type, accept, None)
        status, answer_type, data = send(position, body, hop)
        if status >= 400:
            return status, "text/plain", failure(plan, len(containers), status, data)
        answer = (status, answer_type, data)
        body, content_type = data, answer_type or "application/octet-stream"
    return answer
