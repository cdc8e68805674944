"""The ``mlstudio`` command: ``--version``, ``doctor``, ``images build|list``, ``serve`` /
``status`` / ``stop`` of the background studio that scripts outside JupyterLab use, and
``credentials`` for the SageMaker-compatible API."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import sys
from collections.abc import Sequence

from . import __version__
from .config import resolve_config
from .exceptions import StudioError


def _doctor(args: argparse.Namespace) -> int:
    from .services.studio import Studio

    try:
        config = resolve_config(
            home=args.home,
            database_url=args.database_url,
            artifact_root=args.artifact_root,
        )
        studio = Studio.open(config, workers=1, recover=False)
    except StudioError as exc:
        print(f"mlstudio doctor: {exc.message}", file=sys.stderr)
        return 2
    try:
        health = studio.system.health()
    finally:
        studio.close()
    if args.json:
        print(json.dumps({**health.to_api(), "Home": str(config.home), "Ok": health.ok}, indent=2))
        return 0 if health.ok else 1

    def mark(ok: bool) -> str:
        return "OK" if ok else "PROBLEM"

    store = health.store
    rows = [
        ("version", __version__),
        ("home", str(config.home)),
        (
            "metadata store",
            f"{mark(store.ok)}  {store.url} ({store.backend}), schema {store.schema_revision}"
            f" (head {store.head_revision})" + (f" — {store.detail}" if store.detail else ""),
        ),
        (
            "artifact root",
            f"{mark(health.artifacts.ok)}  {health.artifacts.uri}"
            + (f" — {health.artifacts.detail}" if health.artifacts.detail else ""),
        ),
    ]
    for r in health.runtimes:
        state = "available" if r.available else "not available"
        rows.append((f"runtime {r.name}", f"{state} — {r.detail}"))
    rows.append(
        ("default runtime", f"{health.default_runtime} (configured: {config.default_runtime})")
    )
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0 if health.ok else 1


def _images_build(args: argparse.Namespace) -> int:
    from .runtime.images import build_image

    try:
        build_image(args.tag, rebuild=args.rebuild, progress=lambda line: print(line, flush=True))
    except StudioError as exc:
        print(f"mlstudio images build: {exc.message}", file=sys.stderr)
        return 2
    return 0


def _images_list(_args: argparse.Namespace) -> int:
    from .runtime.image_uris import FRAMEWORK_IMAGES
    from .runtime.images import DEFAULT_TAG, docker_client, local_tags

    print("SageMaker framework images the studio runs as its own (never pulled):")
    for item in FRAMEWORK_IMAGES:
        print(
            f"  <account>.dkr.ecr.<region>.amazonaws.com/{item.repository}:<version>"
            f" (as {item.example}) -> {item.local_tag}"
        )
    try:
        client = docker_client(timeout=10)
    except StudioError as exc:
        print(f"Docker engine: {exc.message}")
        return 0
    tags = local_tags(client)
    print(f"Images the Docker engine has ({len(tags)}):")
    for tag in tags:
        print(f"  {tag}" + ("  (the studio's script-mode image)" if tag == DEFAULT_TAG else ""))
    if DEFAULT_TAG not in tags:
        print(f"  ({DEFAULT_TAG} is not there: `mlstudio images build` makes it)")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from .ownership import acquire_home, current_owner
    from .server.extension import StudioApp

    home = resolve_config(home=args.home).home
    lock = acquire_home(home)
    if lock is None:
        owner = current_owner(home)
        where = f" at {owner.url} (pid {owner.pid})" if owner else ""
        print(f"mlstudio serve: a studio{where} already owns {home}")
        return 0
    argv = [
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={args.port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.open_browser=False",
        f"--IdentityProvider.token={os.environ.get('MLSTUDIO_TOKEN') or secrets.token_hex(24)}",
        f"--StudioApp.home={home}",
        "--StudioApp.background=True",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--ServerApp.allow_root=True")  # the same user as the script
    try:
        StudioApp.launch_instance(argv=argv)
    finally:
        lock.release()
    return 0


def _status(args: argparse.Namespace) -> int:
    from .ownership import current_owner

    home = resolve_config(home=args.home).home
    owner = current_owner(home)
    if owner is None:
        print(f"no studio owns {home}")
        return 1
    print(f"{home} is owned by a {owner.kind} studio at {owner.url} (pid {owner.pid})")
    return 0


def _stop(args: argparse.Namespace) -> int:
    from .ownership import current_owner, stop_owner

    home = resolve_config(home=args.home).home
    owner = current_owner(home)
    if owner is None:
        print(f"no studio owns {home}")
        return 0
    if owner.kind != "background":
        print(
            f"mlstudio stop: {home} is owned by JupyterLab at {owner.url} (pid {owner.pid});"
            " stop that server instead",
            file=sys.stderr,
        )
        return 2
    if not stop_owner(home, timeout=args.timeout):
        print(f"mlstudio stop: pid {owner.pid} still owns {home}", file=sys.stderr)
        return 1
    print(f"stopped the background studio of {home} (pid {owner.pid})")
    return 0


def _credentials(args: argparse.Namespace) -> int:
    from .aws.client_env import client_env
    from .aws.credentials import (
        API_PATH,
        open_identity,
        read_identity,
        resolve_account_id,
        resolve_region,
    )
    from .aws.embedded_s3 import read_embedded_s3
    from .ownership import current_owner

    home = resolve_config(home=args.home).home
    try:
        identity = read_identity(home) or open_identity(
            home, region=resolve_region(), account_id=resolve_account_id()
        )
    except StudioError as exc:
        print(f"mlstudio credentials: {exc.message}", file=sys.stderr)
        return 2
    owner = current_owner(home)
    endpoint = f"{owner.url.rstrip('/')}/{API_PATH}" if owner else None
    s3 = read_embedded_s3(home) if endpoint else None
    values = client_env(home, identity, endpoint, s3)
    if args.env:
        for name, value in values.items():
            print(f"export {name}={shlex.quote(value)}")
    else:
        print(f"home                {home}")
        print(f"access key id       {identity.access_key_id}")
        print(f"region              {identity.region}")
        print(f"account             {identity.account_id}")
        print(f"SageMaker endpoint  {endpoint or '(no studio answers for this home)'}")
        print(f"S3 endpoint         {s3 or '(none of the studio: AWS S3 or the configured one)'}")
    if endpoint is None:
        print(
            f"# no studio answers for {home}: start one (jupyter lab, or mlstudio serve) for"
            " the endpoint variables",
            file=sys.stderr,
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlstudio", description="jupyter_mlstudio: a local-first ML studio in JupyterLab."
    )
    parser.add_argument("--version", action="version", version=f"jupyter_mlstudio {__version__}")
    sub = parser.add_subparsers(dest="command")
    doctor = sub.add_parser(
        "doctor", help="check the metadata store, the artifact root and the job runtimes"
    )
    doctor.add_argument(
        "--home", help="studio home folder (default: $MLSTUDIO_HOME or ~/.mlstudio)"
    )
    doctor.add_argument("--database-url", help="metadata store URL (default: from the home)")
    doctor.add_argument("--artifact-root", help="artifact root URI (default: from the home)")
    doctor.add_argument("--json", action="store_true", help="print a JSON report")
    doctor.set_defaults(func=_doctor)
    images = sub.add_parser("images", help="local container images for the docker runtime")
    images_sub = images.add_subparsers(dest="images_command")
    build = images_sub.add_parser(
        "build",
        help="build the script-mode image (Debian Python, numpy, pandas, scikit-learn, pip)"
        " locally, with no image registry",
    )
    build.add_argument("--tag", default="mlstudio/python:3-sklearn", help="image tag to build")
    build.add_argument("--rebuild", action="store_true", help="build even when the tag exists")
    build.set_defaults(func=_images_build)
    listing = images_sub.add_parser(
        "list", help="the images the engine has, and the SageMaker image URIs the studio maps"
    )
    listing.set_defaults(func=_images_list)

    def images_help(_args: argparse.Namespace) -> int:
        images.print_help()
        return 0

    images.set_defaults(func=images_help)
    home_help = "studio home folder (default: $MLSTUDIO_HOME or ~/.mlstudio)"
    serve = sub.add_parser(
        "serve",
        help="run a background studio for a home (what the SDK starts when a script needs"
        " one and no JupyterLab serves the home); it hands the home to a JupyterLab",
    )
    serve.add_argument("--home", help=home_help)
    serve.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any)")
    serve.set_defaults(func=_serve)
    status = sub.add_parser("status", help="which studio owns a home, and where it answers")
    status.add_argument("--home", help=home_help)
    status.set_defaults(func=_status)
    stop = sub.add_parser("stop", help="stop the background studio of a home")
    stop.add_argument("--home", help=home_help)
    stop.add_argument("--timeout", type=float, default=60.0, help="seconds to wait")
    stop.set_defaults(func=_stop)
    credentials = sub.add_parser(
        "credentials",
        help="the access keys of the SageMaker-compatible API for a home, and where it answers",
    )
    credentials.add_argument("--home", help=home_help)
    credentials.add_argument(
        "--env",
        action="store_true",
        help='print export lines for a shell: eval "$(mlstudio credentials --env)"',
    )
    credentials.set_defaults(func=_credentials)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    code: int = args.func(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
