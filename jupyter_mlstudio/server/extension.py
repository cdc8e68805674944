"""The Jupyter server extension: configuration traits, start-up and shutdown."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import os
import threading

from jupyter_server.extension.application import ExtensionApp
from tornado import httputil
from tornado.ioloop import IOLoop
from tornado.log import access_log, app_log, gen_log
from traitlets import Bool, Float, Integer, Unicode, default

from ..artifacts.s3 import use_default_server
from ..aws.client_env import CHOSEN, client_env
from ..aws.credentials import API_PATH, open_identity, resolve_account_id, resolve_region
from ..aws.embedded_s3 import EmbeddedS3, embedded_s3_wanted, s3_folder
from ..config import RUNTIME_CHOICES, default_home, resolve_config
from ..ownership import HomeLock, Owner, claim_home
from ..services.studio import Studio
from ..version import __version__
from .handlers.aws import IDENTITY_SETTING, aws_handlers
from .handlers.aws_metrics import aws_rest_json_handlers
from .log_levels import skip_unseen_records
from .openapi import build_openapi
from .routes import handlers


class StudioApp(ExtensionApp):
    """ML Studio: experiments, jobs and endpoints behind ``/mlstudio/api/``."""

    name = "jupyter_mlstudio"
    version = __version__
    load_other_extensions = True

    home = Unicode(
        help="Studio home folder: the default database and artifacts live here. "
        "Default: $MLSTUDIO_HOME or ~/.mlstudio.",
    ).tag(config=True)

    database_url = Unicode(
        "",
        help="SQLAlchemy URL of the metadata store (sqlite:///..., postgresql://...). "
        "Default: $MLSTUDIO_DATABASE_URL or a SQLite file in the home folder.",
    ).tag(config=True)

    artifact_root = Unicode(
        "",
        help="Where artifacts go: file:///path or s3://bucket/prefix. "
        "Default: $MLSTUDIO_ARTIFACT_ROOT or <home>/artifacts.",
    ).tag(config=True)

    default_runtime = Unicode(
        "",
        help=f"Job runtime when none is asked for: one of {', '.join(RUNTIME_CHOICES)}. "
        "Default: $MLSTUDIO_RUNTIME or auto (docker when an engine answers, else process).",
    ).tag(config=True)

    ray_address = Unicode(
        "",
        help="The Ray cluster the ray runtime runs jobs on (host:6379 or ray://host:10001). "
        "Default: $MLSTUDIO_RAY_ADDRESS.",
    ).tag(config=True)

    ray_shared_disk = Unicode(
        "",
        help="Whether the Ray cluster's nodes share the studio's disk: yes, no or auto (ask "
        "every node). Without a shared disk, jobs' files move through an s3:// artifact root. "
        "Default: $MLSTUDIO_RAY_SHARED_DISK or auto.",
    ).tag(config=True)

    workers = Integer(8, help="Threads that run blocking store calls.").tag(config=True)

    invocation_timeout = Float(
        60.0, help="Seconds an endpoint's model may take to answer an invocation (then 504)."
    ).tag(config=True)

    autoscaling_period = Float(
        60.0,
        help="Seconds between two looks of endpoint autoscaling at each variant's invocations "
        "per instance (CloudWatch's one-minute period by default).",
    ).tag(config=True)

    quiet_debug = Bool(
        True,
        help="Raise the server's loggers to the lowest level their handlers show, so that"
        " debug lines nobody sees are not built (about 8% of the CPU of an invocation)."
        " With --log-level=DEBUG nothing changes.",
    ).tag(config=True)

    freeze_gc = Bool(
        True,
        help="After start-up, move the server's objects out of the garbage collector's reach"
        " (gc.freeze): a full collection of a Jupyter server's ~300k objects stalls every"
        " request in flight for 0.2 s, which dominated endpoint p99 latency under load.",
    ).tag(config=True)

    max_payload_mb = Float(
        6.0, help="Largest invocation body in MB (larger ones get 413), as on SageMaker."
    ).tag(config=True)

    background = Bool(
        False,
        help="Run as a background studio (what `mlstudio serve` starts for scripts): it"
        " gives its home up to a JupyterLab that starts on it, and never takes a home"
        " another studio owns.",
    ).tag(config=True)

    aws_region = Unicode(
        "",
        help="AWS region of the SageMaker-compatible API (ARNs, `mlstudio credentials`)."
        " Default: $MLSTUDIO_AWS_REGION or us-east-1.",
    ).tag(config=True)

    embedded_s3 = Bool(
        True,
        help="Run an S3 server (SeaweedFS, data under <home>/s3, the studio's key pair) for"
        " the SageMaker-compatible API when nothing configures one (AWS_ENDPOINT_URL_S3,"
        " AWS_ENDPOINT_URL or an s3:// artifact root); `mlstudio credentials --env` prints"
        " its AWS_ENDPOINT_URL_S3.",
    ).tag(config=True)

    aws_kernel_env = Bool(
        True,
        help="Give the kernels and terminals this JupyterLab starts the variables of"
        " `mlstudio credentials --env` (AWS clients, the SageMaker SDKs, talk to the studio)"
        " when it runs its embedded S3, unless the server's environment already chose an"
        " AWS (AWS_ACCESS_KEY_ID, AWS_PROFILE or an AWS_ENDPOINT_URL variable set).",
    ).tag(config=True)

    aws_account_id = Unicode(
        "",
        help="AWS account id of the SageMaker-compatible API (ARNs, GetCallerIdentity)."
        " Default: $MLSTUDIO_AWS_ACCOUNT_ID or 000000000000.",
    ).tag(config=True)

    @default("home")
    def _default_home(self) -> str:
        return str(default_home())

    def initialize_settings(self) -> None:
        _allow_query_fields(QUERY_FIELDS)
        config = resolve_config(
            home=self.home,
            database_url=self.database_url or None,
            artifact_root=self.artifact_root or None,
            default_runtime=self.default_runtime or None,
            ray_address=self.ray_address or None,
            ray_shared_disk=self.ray_shared_disk or None,
        )
        region = resolve_region(self.aws_region or None)
        account_id = resolve_account_id(self.aws_account_id or None)
        self._home_lock: HomeLock | None = claim_home(
            config.home, take_over=not self.background, log=self.log
        )
        studio = Studio.open(
            config,
            recover=self._home_lock is not None,
            workers=self.workers,
            invocation_timeout=self.invocation_timeout,
            max_payload_mb=self.max_payload_mb,
            autoscaling_period_s=self.autoscaling_period,
        )
        self.studio = studio
        identity = open_identity(config.home, region=region, account_id=account_id)
        self._identity = identity
        self._aws_endpoint: str | None = None
        self._aws_env: dict[str, str] = {}
        self.settings.update(
            {
                "mlstudio.studio": studio,
                "mlstudio.openapi": build_openapi(),
                IDENTITY_SETTING: identity,
            }
        )
        if self._home_lock is not None:
            IOLoop.current().add_callback(self._publish_owner)  # once the port is bound
        self._embedded_s3: EmbeddedS3 | None = None
        wanted = self.embedded_s3 and embedded_s3_wanted(config.artifact_root)
        if self._home_lock is not None and wanted:
            self._embedded_s3 = EmbeddedS3(config.home, identity)
            self._loop = IOLoop.current()
            threading.Thread(
                target=self._start_embedded_s3, name="mlstudio-embedded-s3", daemon=True
            ).start()
        if self.quiet_debug:
            # after start-up: the server configures its loggers first
            IOLoop.current().add_callback(self._skip_unseen_log_records)
        if self.freeze_gc:
            IOLoop.current().add_callback(_freeze_gc)
        self.log.info(
            "ML Studio %s: store %s, artifacts %s",
            __version__,
            studio.store.health().url,
            config.artifact_root,
        )

    def _publish_owner(self) -> None:
        """Say in the home's ``studio.json`` where this studio answers (for the SDK)."""
        app = self.serverapp
        if self._home_lock is None or app is None:
            return
        try:
            server = app.http_server
        except AttributeError:  # a server embedded by a test harness: it never listens here
            self.log.debug("ML Studio: no HTTP server of its own; where it answers is unknown")
            return
        if not app.sock and not getattr(server, "_sockets", True):
            # the server binds its port in a callback queued after ours: publish once it
            # listens, or a script would find a studio that refuses connections
            IOLoop.current().call_later(0.02, self._publish_owner)
            return
        if app.sock:
            self.log.warning("ML Studio: served on a Unix socket; scripts cannot find it")
            return
        host = app.ip if app.ip not in ("", "localhost", "0.0.0.0", "::") else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        token = str(getattr(app.identity_provider, "token", "") or "")
        url = f"http://{host}:{app.port}{app.base_url}"
        self._home_lock.publish(
            Owner(
                url=url,
                token=token,
                pid=os.getpid(),
                kind="background" if self.background else "jupyterlab",
            )
        )
        self._aws_endpoint = f"{url.rstrip('/')}/{API_PATH}"
        self._set_kernel_env()

    def _set_kernel_env(self) -> None:
        """Point the AWS clients of the kernels this server starts at the studio (they
        inherit its environment): once the API's URL is known, again when the embedded S3
        opens. Only for a studio that runs its own S3 (nothing configured one: the studio's
        own boto3 calls then need no AWS of the environment), and never when the
        server's environment had chosen an AWS of its own."""
        embedded = self._embedded_s3
        if not self.aws_kernel_env or embedded is None or self._aws_endpoint is None:
            return
        if self._home_lock is None:
            return
        chosen = [name for name in CHOSEN if os.environ.get(name) and name not in self._aws_env]
        if chosen:
            self.log.info(
                "ML Studio: kernels keep the AWS settings of the environment (%s set)",
                ", ".join(chosen),
            )
            return
        values = client_env(
            self._home_lock.home, self._identity, self._aws_endpoint, embedded.endpoint_url
        )
        os.environ.update(values)
        self._aws_env = values

    def _start_embedded_s3(self) -> None:
        """Start the embedded S3 (in a thread: ``weed`` takes a second or more to answer)."""
        embedded = self._embedded_s3
        if embedded is None:
            return
        try:
            server = embedded.start()
        except (RuntimeError, OSError) as exc:
            self.log.warning("ML Studio: no embedded S3: %s", exc)
            return
        use_default_server(server)  # the studio itself talks to SeaweedFS directly
        self._loop.add_callback(self._open_embedded_s3)

    def _open_embedded_s3(self) -> None:
        embedded = self._embedded_s3
        url = embedded.open_front() if embedded is not None else None
        if embedded is not None and url:
            where = s3_folder(embedded.home)
            self.log.info("ML Studio: embedded S3 at %s (data in %s)", url, where)
            self._set_kernel_env()

    def _skip_unseen_log_records(self) -> None:
        loggers = [self.log, access_log, app_log, gen_log]
        if self.serverapp is not None:
            loggers.append(self.serverapp.log)
        changed = skip_unseen_records(loggers)
        if changed:
            self.log.debug("log levels raised to what their handlers show: %s", changed)

    def initialize_handlers(self) -> None:
        self.handlers.extend(handlers())
        self.handlers.extend(aws_handlers())
        self.handlers.extend(aws_rest_json_handlers())

    async def stop_extension(self) -> None:
        """Close the studio in a thread: closing waits (bounded) for invocations in flight,
        which need this loop to finish, and stops every model server."""
        studio: Studio | None = getattr(self, "studio", None)
        loop = asyncio.get_running_loop()
        if studio is not None:
            await loop.run_in_executor(None, studio.close)
        for name, value in getattr(self, "_aws_env", {}).items():
            if os.environ.get(name) == value:
                del os.environ[name]
        self._aws_env = {}
        embedded: EmbeddedS3 | None = getattr(self, "_embedded_s3", None)
        if embedded is not None:  # after the studio: its jobs may upload until they stop
            self._embedded_s3 = None
            embedded.close_front()
            use_default_server(None)
            await loop.run_in_executor(None, embedded.stop)
        lock: HomeLock | None = getattr(self, "_home_lock", None)
        if lock is not None:
            self._home_lock = None
            lock.release()


#: query fields a request may carry: the charts' 1,000 runs as repeated ``TrialComponentName``
#: and a few more; tornado refuses more than 1,000 by default, with an empty 400 before any
#: handler runs (the query string stays bounded by the server's header size limit)
QUERY_FIELDS = 2048


def _allow_query_fields(count: int) -> None:
    """Raise tornado's process-wide limit on query fields to ``count`` (never lower it)."""
    current = getattr(httputil, "_DEFAULT_PARSE_BODY_CONFIG", None)
    if current is None or not hasattr(httputil, "set_parse_body_config"):
        return  # an older tornado without the limit
    if current.urlencoded.max_arguments >= count:
        return
    httputil.set_parse_body_config(
        dataclasses.replace(
            current,
            urlencoded=dataclasses.replace(current.urlencoded, max_arguments=count),
        )
    )


def _freeze_gc() -> None:
    """Collect once, then keep what start-up built out of later collections."""
    gc.collect()
    gc.freeze()
