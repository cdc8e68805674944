"""Build the studio's script-mode image locally, with no image registry.

Two steps, each skipped when its tag exists (unless ``rebuild``):

1. a Debian base: ``debootstrap --variant=minbase bookworm`` into a temporary root file
   system from the mirror apt already uses, apt caches cleaned, imported as
   :data:`BASE_TAG`;
2. the script-mode image (:data:`DEFAULT_TAG`): the base plus Debian's python3, numpy,
   pandas, scikit-learn and pip (``PIP_BREAK_SYSTEM_PACKAGES`` set, so that a job's
   ``requirements.txt`` installs as in SageMaker's images), ``/usr/local/bin/train``
   (the script-mode launcher, ``runtime/launcher.py``) and ``/usr/local/bin/serve`` (the
   model server, ``hosting/model_server.py``), built by the engine from a generated
   Dockerfile whose only ``FROM`` is the local base.

The derived image carries the label :data:`SOURCE_LABEL`: a SHA-256 of what it is built
from (the Dockerfile, so the package list, and the files it copies, read when the build
runs). A derived image whose label differs from the current sources — someone changed the
launcher, the model server or the packages — is rebuilt by :func:`build_image` even without
``rebuild`` (the engine's layer cache makes that a matter of seconds when only the copied
files changed), and the image it replaces is removed when no container uses it.

Nothing is ever pulled. Blocking; call it from a thread or the CLI.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..exceptions import StudioError, ValidationError

DEFAULT_TAG = "mlstudio/python:3-sklearn"
BASE_TAG = "mlstudio/debian:bookworm-minbase"
SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
#: pip too: SageMaker's framework images have it, and the SDK v3's ModelTrainer launcher
#: (``sm_train.sh``) stops when neither ``pip3`` nor ``pip`` is on the PATH
PYTHON_PACKAGES = (
    "python3",
    "python3-numpy",
    "python3-pandas",
    "python3-sklearn",
    "python3-pip",
)
#: the scikit-learn the image has: Debian bookworm's python3-sklearn (a framework image
#: URI that names another version runs with this one; runtime/image_uris.py)
SKLEARN_VERSION = "1.2.1"
IMAGE_LABEL = "mlstudio.image"
#: the SHA-256 of the derived image's sources (Dockerfile and copied files)
SOURCE_LABEL = "mlstudio.image.sources"
#: the derived image's programs: (path in the image, source file)
PROGRAMS = (
    ("/usr/local/bin/train", Path(__file__).parent / "launcher.py"),
    ("/usr/local/bin/serve", Path(__file__).parent.parent / "hosting" / "model_server.py"),
)

Progress = Callable[[str], None]


class ImageBuildError(StudioError):
    """A step of the image build failed (the message says which and why)."""


def debian_mirror(sources: Path = Path("/etc/apt")) -> str:
    """The Debian mirror apt uses for the main archive (deb822 or one-line sources)."""
    files = [sources / "sources.list", *sorted((sources / "sources.list.d").glob("*"))]
    for path in files:
        try:
            text = path.read_text()
        except OSError:
            continue
        for uri in re.findall(r"^URIs:\s*(\S+)", text, flags=re.M):
            if uri.rstrip("/").endswith("/debian"):
                return uri.rstrip("/")
        for uri in re.findall(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+\S+", text, flags=re.M):
            if uri.rstrip("/").endswith("/debian"):
                return uri.rstrip("/")
    return DEFAULT_MIRROR


def docker_client(timeout: int = 600) -> Any:
    """A docker-py client for DOCKER_HOST (or the default socket) that answers, or an error."""
    try:
        import docker
    except ImportError as exc:  # pragma: no cover - docker is a dependency
        raise StudioError("the docker Python package is not installed") from exc
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except Exception as exc:
        raise StudioError(
            f"no Docker engine answers ({str(exc).splitlines()[0][:200] if str(exc) else exc!r});"
            " start one (scripts/docker_engine.sh) and set DOCKER_HOST if it is not the default"
        ) from exc
    return client


def local_tags(client: Any) -> list[str]:
    """The tags of the images the engine has, sorted (images without a tag left out).

    Args:
        client: A docker-py client.

    Returns:
        ``repository:tag`` names.
    """
    return sorted({tag for image in client.images.list() for tag in image.tags})


def image_exists(client: Any, tag: str) -> bool:
    from docker.errors import ImageNotFound

    try:
        client.images.get(tag)
    except ImageNotFound:
        return False
    return True


def build_image(
    tag: str = DEFAULT_TAG,
    *,
    rebuild: bool = False,
    client: Any = None,
    progress: Progress = print,
    mirror: str | None = None,
) -> str:
    """Make sure ``tag`` exists locally (building it if needed); return its image id."""
    if ":" not in tag.rsplit("/", 1)[-1]:
        raise ValidationError(f"image tag {tag!r} needs a ':<version>' part", field="tag")
    client = client or docker_client()
    wanted = source_hash()
    replaced: str | None = None
    if image_exists(client, tag):
        image = client.images.get(tag)
        replaced = str(image.id)
        current = (image.labels or {}).get(SOURCE_LABEL)
        if rebuild:
            progress(f"rebuilding {tag} and its base ({BASE_TAG}) as asked")
        elif current == wanted:
            progress(
                f"image {tag} is up to date (sources {wanted[:12]}; --rebuild builds it again)"
            )
            return replaced
        else:
            progress(
                f"image {tag} is out of date (built from sources {(current or 'unknown')[:12]},"
                f" now {wanted[:12]}: the launcher, the model server or the package list"
                " changed); rebuilding it"
            )
    started = time.monotonic()
    if rebuild or not image_exists(client, BASE_TAG):
        _build_base(client, mirror or debian_mirror(), progress)
    else:
        progress(f"base image {BASE_TAG} exists")
    image_id = _build_derived(client, tag, progress)
    progress(f"built {tag} ({image_id[:19]}) in {time.monotonic() - started:.0f} s")
    if replaced and replaced != image_id:
        _remove_replaced(client, replaced, progress)
    return image_id


def _remove_replaced(client: Any, image_id: str, progress: Progress) -> None:
    """Remove the image a rebuild replaced, unless another tag still names it (an identical
    build under another tag shares its id) or a container uses it."""
    try:
        tags = client.images.get(image_id).tags
    except Exception:  # gone already
        return
    if tags:
        progress(f"kept the image it replaced ({image_id[:19]}): still tagged {', '.join(tags)}")
        return
    try:
        client.images.remove(image_id)
    except Exception:  # a container (running or not) still uses it
        progress(f"kept the image it replaced ({image_id[:19]}): a container uses it")
    else:
        progress(f"removed the image it replaced ({image_id[:19]})")


def built_from(client: Any, tag: str) -> str | None:
    """The sources hash ``tag`` was built from (its :data:`SOURCE_LABEL`); None when the
    image is missing or has no such label."""
    if not image_exists(client, tag):
        return None
    return (client.images.get(tag).labels or {}).get(SOURCE_LABEL)


def _build_base(client: Any, mirror: str, progress: Progress) -> None:
    debootstrap = shutil.which("debootstrap") or (
        "/usr/sbin/debootstrap" if Path("/usr/sbin/debootstrap").exists() else None
    )
    if debootstrap is None:
        raise ImageBuildError(
            "debootstrap is not installed: apt-get install -y --no-install-recommends debootstrap"
        )
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        raise ImageBuildError(
            f"building the base image needs root (debootstrap); run as root or build {BASE_TAG}"
            " another way and tag it"
        )
    with tempfile.TemporaryDirectory(prefix="mlstudio-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        progress(f"debootstrap --variant=minbase {SUITE} from {mirror} (about half a minute)")
        started = time.monotonic()
        result = subprocess.run(
            [debootstrap, "--variant=minbase", SUITE, str(rootfs), mirror],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            tail = (result.stdout + result.stderr).strip().splitlines()[-15:]
            raise ImageBuildError("debootstrap failed:\n" + "\n".join(tail))
        progress(f"debootstrap done in {time.monotonic() - started:.0f} s; cleaning caches")
        for folder in ("var/cache/apt/archives", "var/lib/apt/lists", "var/log", "tmp"):
            target = rootfs / folder
            if target.is_dir():
                for child in target.iterdir():
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child, ignore_errors=True)
                    elif child.name != "lock":
                        child.unlink(missing_ok=True)
        archive = Path(tmp) / "rootfs.tar"
        subprocess.run(
            ["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(archive), "."],
            check=True,
            stdin=subprocess.DEVNULL,
        )
        repository, version = BASE_TAG.rsplit(":", 1)
        progress(f"importing the root file system as {BASE_TAG}")
        client.api.import_image_from_file(str(archive), repository=repository, tag=version)
    if not image_exists(client, BASE_TAG):
        raise ImageBuildError(f"the engine did not create {BASE_TAG} from the root file system")


def dockerfile(sources: str | None = None) -> str:
    """The derived image's Dockerfile: only a local ``FROM``, Debian packages, ``train`` and
    ``serve``; labelled with ``sources`` (the :func:`source_hash`) when given."""
    packages = " ".join(PYTHON_PACKAGES)
    copies = "".join(f"COPY {Path(target).name} {target}\n" for target, _ in PROGRAMS)
    targets = " ".join(target for target, _ in PROGRAMS)
    label = f" {SOURCE_LABEL}={sources}" if sources else ""
    return f"""FROM {BASE_TAG}
ENV DEBIAN_FRONTEND=noninteractive PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \\
    PIP_BREAK_SYSTEM_PACKAGES=1
RUN apt-get update \\
 && apt-get install -y --no-install-recommends {packages} \\
 && apt-get clean && rm -rf /var/lib/apt/lists/* \\
 && ln -sf /usr/bin/python3 /usr/local/bin/python
{copies}RUN chmod 0755 {targets} \\
 && mkdir -p /opt/ml/code /opt/ml/model /opt/ml/input/config /opt/ml/output/data
WORKDIR /opt/ml/code
LABEL {IMAGE_LABEL}=script-mode{label}
"""


def _programs() -> list[tuple[str, str]]:
    """(name in the build context, text with a shebang) of each program the image gets."""
    return [
        (Path(target).name, "#!/usr/bin/env python3\n" + source.read_text())
        for target, source in PROGRAMS
    ]


def source_hash() -> str:
    """SHA-256 of the derived image's Dockerfile (without its label) and the files it
    copies, as they are now on disk."""
    digest = hashlib.sha256(dockerfile().encode())
    for name, text in _programs():
        digest.update(b"\0" + name.encode() + b"\0" + text.encode())
    return digest.hexdigest()


def _build_context() -> io.BytesIO:
    programs = _programs()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, text in [("Dockerfile", dockerfile(source_hash())), *programs]:
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o755, 0
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


def _build_derived(client: Any, tag: str, progress: Progress) -> str:
    progress(
        f"building {tag}: {' '.join(PYTHON_PACKAGES)} from Debian"
        " (a few minutes, seconds when the engine has the package step cached)"
    )
    image_id: str | None = None
    errors: list[str] = []
    stream = client.api.build(
        fileobj=_build_context(),
        custom_context=True,
        tag=tag,
        rm=True,
        forcerm=True,
        pull=False,
        decode=True,
    )
    for chunk in stream:
        if "stream" in chunk:
            line = str(chunk["stream"]).rstrip()
            if line.startswith("Step ") or line.startswith("Successfully"):
                progress(f"  {line}")
        if "error" in chunk:
            errors.append(str(chunk["error"]).strip())
        aux = chunk.get("aux")
        if isinstance(aux, dict) and "ID" in aux:
            image_id = str(aux["ID"])
    if errors or not image_exists(client, tag):
        raise ImageBuildError(f"building {tag} failed: " + ("; ".join(errors) or "no image"))
    return image_id or str(client.images.get(tag).id)
