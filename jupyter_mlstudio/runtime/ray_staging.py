"""A host's files on a Ray node that does not share the studio's disk.

The job service prepares a host's ``/opt/ml`` folder on the studio's disk (configuration,
input data, code, restored checkpoints) and reads what the host leaves there (the model,
the output, the tracking channel, checkpoints). When a node cannot see that folder, the
files move through the studio's ``s3://`` artifact root, below
``ray-staging/<namespace>/<job>/<host>/`` (:func:`staging_prefix`):

- ``in/`` and ``mounts/<i>/``: before the launch the studio uploads the host's folder and
  its read-only mounts (:func:`upload_inputs`); on the node the actor downloads them into a
  folder of its own and runs the host there, every path of the spec moved with it
  (:class:`NodeFiles`).
- ``out/``: while the host runs, the actor copies whatever changed in its folder but
  ``input/`` every :data:`SYNC_INTERVAL_S` seconds, and once more when the host has exited;
  each round ends by writing ``out/manifest.json`` (every file's size and modification
  time). The studio reads the manifest and downloads what changed into the studio's folder
  (:class:`StudioCopy`) while the host runs (so checkpoints and logged metrics arrive as
  they are written) and, after the actor's last round, when it has ended — so the job
  service finds the model and the output where it always does.

A file changed twice within a round reaches the studio once, in its last state; a node that
dies loses what it wrote since its last round (checkpoints included: a job started again
resumes from the last checkpoint that arrived).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..artifacts import open_artifact_store
from ..artifacts.base import ArtifactStore, join_path
from ..artifacts.s3 import S3ArtifactStore, configured_endpoint, default_server
from ..exceptions import NotFoundError, ValidationError
from .base import ContainerSpec, Mount

#: the folder of the artifact root that holds the hosts' files in transit
STAGING = "ray-staging"
#: seconds between two rounds of copying a running host's files
SYNC_INTERVAL_S = 2.0
MANIFEST = "manifest.json"
#: the folders of the host's ``/opt/ml`` (empty ones travel as names only)
FOLDERS = "folders.json"
#: what the host only reads (never copied back)
INPUT_PART = "input"
_PARALLEL = 8


def staging_prefix(namespace: str, job_name: str, host: str) -> str:
    """Where a host's files travel, from the artifact root."""
    return f"{STAGING}/{namespace}/{job_name}/{host}"


@dataclass(frozen=True)
class S3Access:
    """How a node reaches the studio's ``s3://`` artifact root: the root, the endpoint and
    the key pair the studio itself uses (None: the node's own AWS chain)."""

    root: str
    endpoint_url: str | None = None
    access_key: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    region: str | None = None

    @classmethod
    def of_this_process(cls, root: str) -> S3Access:
        """What this process's stores connect with (the configured endpoint and the AWS
        chain's keys, or the studio's embedded S3)."""
        import boto3

        endpoint = configured_endpoint()
        server = default_server()
        if endpoint is None and server is not None:
            return cls(
                root,
                server.endpoint_url,
                server.access_key_id,
                server.secret_access_key,
                None,
                server.region,
            )
        session = boto3.session.Session()
        found = session.get_credentials()
        keys = found.get_frozen_credentials() if found is not None else None
        return cls(
            root,
            endpoint,
            keys.access_key if keys else None,
            keys.secret_key if keys else None,
            keys.token if keys else None,
            session.region_name,
        )

    def open(self) -> ArtifactStore:
        """A store on the root with these settings."""
        if self.access_key is None:
            return open_artifact_store(self.root, endpoint_url=self.endpoint_url)
        import boto3
        from botocore.config import Config

        client = boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            aws_session_token=self.session_token,
            region_name=self.region or "us-east-1",
            config=Config(
                retries={"mode": "standard", "max_attempts": 3},
                s3={"addressing_style": "path" if self.endpoint_url else "auto"},
            ),
        )
        return S3ArtifactStore(self.root, client=client)


def require_s3_root(artifact_root: str | None, unseen: list[str]) -> str:
    """The artifact root, when it can carry files to nodes that do not see the studio's
    disk.

    Args:
        artifact_root: The studio's artifact root URI.
        unseen: The nodes (``id (address)``) that do not see the studio's home.

    Returns:
        The root (an ``s3://`` URI).

    Raises:
        ValidationError: The root is not ``s3://`` (``field="artifact_root"``).
    """
    if artifact_root and artifact_root.startswith("s3://"):
        return artifact_root
    nodes = ", ".join(unseen[:3]) + (f" and {len(unseen) - 3} more" if len(unseen) > 3 else "")
    raise ValidationError(
        f"the Ray node{'s' if len(unseen) > 1 else ''} {nodes} do{'' if len(unseen) > 1 else 'es'}"
        f" not share the studio's disk, so jobs' files must move through an s3:// artifact"
        f" root (MLSTUDIO_ARTIFACT_ROOT=s3://bucket/prefix); the artifact root is"
        f" {artifact_root or 'not set'}. If the nodes do share a file system, say so with"
        " MLSTUDIO_RAY_SHARED_DISK=yes",
        field="artifact_root",
    )


def _files(folder: Path, skip: str | None = None) -> Iterator[tuple[str, Path]]:
    """(relative posix path, path) of every file below ``folder`` (links followed),
    leaving out the top-level part ``skip``."""
    for top, dirs, names in os.walk(folder, followlinks=True):
        here = Path(top)
        if skip and here == folder and skip in dirs:
            dirs.remove(skip)
        for name in names:
            path = here / name
            if path.is_file():
                yield path.relative_to(folder).as_posix(), path


def _stamp(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _put_all(store: ArtifactStore, prefix: str, files: list[tuple[str, Path]]) -> None:
    with ThreadPoolExecutor(_PARALLEL) as pool:
        for done in [pool.submit(store.put_file, join_path(prefix, r), p) for r, p in files]:
            done.result()


def _download(store: ArtifactStore, prefix: str, folder: Path) -> None:
    with contextlib.suppress(NotFoundError):  # an empty folder travels as nothing
        store.download_dir(prefix, folder)


def upload_inputs(store: ArtifactStore, prefix: str, spec: ContainerSpec) -> None:
    """Put the host's folder in ``<prefix>/in`` and each mount in ``<prefix>/mounts/<i>``.

    Raises:
        ValidationError: A mount is writable (``field="mounts"``): only read-only mounts
            can be copied to a node.
    """
    store.delete_prefix(prefix)  # what an earlier host of the same name left
    files = [(f"in/{r}", p) for r, p in _files(spec.ml_dir)]
    for index, mount in enumerate(spec.mounts):
        if not mount.read_only:
            raise ValidationError(
                f"the writable mount {mount.target} cannot reach a Ray node that does not"
                " share the studio's disk",
                field="mounts",
            )
        source = Path(mount.source)
        if source.is_file():
            files.append((f"mounts/{index}/file/{source.name}", source))
        else:
            files.extend((f"mounts/{index}/dir/{r}", p) for r, p in _files(source))
    folders = [
        Path(top).relative_to(spec.ml_dir).as_posix()
        for top, _, _ in os.walk(spec.ml_dir, followlinks=True)
    ]
    store.put_bytes(join_path(prefix, FOLDERS), json.dumps(folders).encode())
    _put_all(store, prefix, files)


class NodeFiles:
    """The node's side: a host's folder downloaded, run in place, copied back."""

    def __init__(self, access: S3Access, prefix: str, local: Path) -> None:
        self.store = access.open()
        self.prefix = prefix
        self.local = local
        self.ml_dir = local / "ml"
        self._sent: dict[str, list[int]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def prepare(self, spec: ContainerSpec) -> ContainerSpec:
        """Download the host's files and return the spec moved onto them."""
        shutil.rmtree(self.local, ignore_errors=True)
        self.local.mkdir(parents=True)
        _download(self.store, join_path(self.prefix, "in"), self.ml_dir)
        for folder in json.loads(self.store.get_bytes(join_path(self.prefix, FOLDERS))):
            if ".." not in Path(folder).parts:
                (self.ml_dir / folder).mkdir(parents=True, exist_ok=True)
        mounts = []
        for index, mount in enumerate(spec.mounts):
            target = self.local / "mounts" / str(index)
            _download(self.store, join_path(self.prefix, f"mounts/{index}"), target)
            one_file = sorted((target / "file").glob("*")) if (target / "file").is_dir() else []
            source = one_file[0] if one_file else target / "dir"
            source.parent.mkdir(parents=True, exist_ok=True)
            if not one_file:
                source.mkdir(exist_ok=True)
            mounts.append(Mount(source, mount.target, read_only=True))
        self._sent = {r: _stamp(p) for r, p in _files(self.ml_dir, skip=INPUT_PART)}
        old, new = str(spec.ml_dir), str(self.ml_dir)

        def moved(text: str) -> str:
            return new + text[len(old) :] if text == old or text.startswith(old + "/") else text

        return replace(
            spec,
            ml_dir=self.ml_dir,
            command=[moved(a) for a in spec.command],
            entrypoint=[moved(a) for a in spec.entrypoint] if spec.entrypoint else None,
            env={k: moved(v) for k, v in spec.env.items()},
            working_dir=moved(spec.working_dir) if spec.working_dir else None,
            mounts=mounts,
        )

    def start(self) -> None:
        """Copy the host's changes back every :data:`SYNC_INTERVAL_S` seconds."""
        self._thread = threading.Thread(target=self._loop, name="ray-staging", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(SYNC_INTERVAL_S):
            with contextlib.suppress(Exception):  # the next round tries again
                self.send()

    def send(self) -> int:
        """One round: upload what changed, then the manifest. Returns the files sent."""
        with self._lock:
            changed = []
            for relative, path in _files(self.ml_dir, skip=INPUT_PART):
                with contextlib.suppress(OSError):
                    stamp = _stamp(path)
                    if self._sent.get(relative) != stamp:
                        changed.append((relative, path, stamp))
            _put_all(self.store, join_path(self.prefix, "out"), [(r, p) for r, p, _ in changed])
            for relative, _, stamp in changed:
                self._sent[relative] = stamp
            self.store.put_bytes(join_path(self.prefix, MANIFEST), json.dumps(self._sent).encode())
            return len(changed)

    def flush(self) -> int:
        """The last round, once the host has exited. Returns the files sent."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=SYNC_INTERVAL_S + 30)
        return self.send()

    def cleanup(self) -> None:
        """Remove the node's copy."""
        self._stop.set()
        shutil.rmtree(self.local, ignore_errors=True)


class StudioCopy:
    """The studio's side: what a node sent, brought into the studio's folder."""

    def __init__(self, store: ArtifactStore, prefix: str, ml_dir: Path) -> None:
        self.store = store
        self.prefix = prefix
        self.ml_dir = ml_dir
        self._have: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def receive(self) -> int:
        """Download the files the manifest lists as changed. Returns how many."""
        with self._lock:
            try:
                sent = json.loads(self.store.get_bytes(join_path(self.prefix, MANIFEST)))
            except NotFoundError:
                return 0
            count = 0
            for relative, stamp in sorted(dict(sent).items()):
                if self._have.get(relative) == stamp:
                    continue
                target = self.ml_dir / relative
                if not target.resolve().is_relative_to(self.ml_dir.resolve()):
                    continue  # never outside the host's folder
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".staging-")
                os.close(fd)
                try:
                    self.store.download_file(join_path(self.prefix, f"out/{relative}"), temporary)
                    os.replace(temporary, target)
                except NotFoundError:
                    continue  # overwritten by a later round: the next manifest has it
                finally:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(temporary)
                self._have[relative] = list(stamp)
                count += 1
            return count


def node_folder(namespace: str, job_name: str, host: str) -> Path:
    """Where a node keeps a host's files: below its temporary folder."""
    return Path(tempfile.gettempdir()) / "mlstudio-ray" / namespace / job_name / host
