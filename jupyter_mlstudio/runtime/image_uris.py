"""SageMaker image URIs → the images the studio runs: the one place that maps them.

A job or model container names its image as SageMaker code writes it. The studio never
pulls an image, so an image URI resolves (:func:`resolve_image`) to one of:

- **none** (no image, or the studio's script-mode image :data:`.images.DEFAULT_TAG`):
  script mode, in the studio's image on the docker runtime and with the studio's Python
  on the process runtime;
- **a SageMaker framework image the studio honours**: the URI
  ``sagemaker.image_uris.retrieve("sklearn", region, version="1.2-1", ...)`` returns
  (``<account>.dkr.ecr.<region>.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3``,
  any account, region and partition: ``amazonaws.com``, ``amazonaws.com.cn``, the
  ISO domains) runs as the script-mode image, which follows the same contract: training
  in script mode (``train`` runs ``SAGEMAKER_PROGRAM``), processing (``python3
  script.py``, as ``SKLearnProcessor`` runs it) and serving (``serve``, SageMaker's
  scikit-learn model server contract). The image has the scikit-learn it has
  (:data:`.images.SKLEARN_VERSION`): a job that names another version runs all the same,
  and :meth:`ResolvedImage.note` says which one it gets;
- **any other Amazon ECR URI** (private ``*.dkr.ecr.*`` or ``public.ecr.aws``): refused
  with :class:`UnknownImageError`, naming the request's member and ``mlstudio images``;
- **any other name**: a local image, run as it is on the docker runtime (which checks
  that the engine has it).

Only what the local image really honours is mapped: SageMaker's XGBoost image, say, runs
its own algorithm mode and its own ``serve``, which the studio's image does not.
"""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass

from ..exceptions import ValidationError
from .images import DEFAULT_TAG, SKLEARN_VERSION

#: a private ECR registry host: ``<account>.dkr.ecr[-fips].<region>.<partition domain>``
_PRIVATE_ECR = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\."
    r"(?P<domain>amazonaws\.com(?:\.cn)?|c2s\.ic\.gov|sc2s\.sgov\.gov|cloud\.adc-e\.uk"
    r"|csp\.hci\.ic\.gov)$"
)
#: what makes a registry host look like ECR at all (well formed or not)
_ECR_HOST = re.compile(r"(^|\.)dkr\.ecr(-fips)?\.|^public\.ecr\.aws$")
_REFERENCE = re.compile(
    r"^(?P<repository>[a-z0-9]+(?:[._/-][a-z0-9]+)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)


@dataclass(frozen=True)
class EcrUri:
    """A well-formed private Amazon ECR image URI, in its parts.

    Attributes:
        account: The registry's account (12 digits).
        region: The region (``us-west-2``).
        domain: The partition's domain (``amazonaws.com``, ``amazonaws.com.cn``, ...).
        repository: The repository (``sagemaker-scikit-learn``).
        tag: The tag, if any (``1.2-1-cpu-py3``).
        digest: The digest, if any (``sha256:...``).
    """

    account: str
    region: str
    domain: str
    repository: str
    tag: str | None
    digest: str | None


@dataclass(frozen=True)
class FrameworkImage:
    """A SageMaker framework image the studio runs as one of its own.

    Attributes:
        repository: SageMaker's ECR repository.
        framework: The framework's name, as messages say it.
        local_tag: The studio's image that honours the same contract.
        tag_pattern: The repository's tags that map (group ``version``: the framework
            version, ``1.2-1``).
        example: A tag that maps, for messages.
    """

    repository: str
    framework: str
    local_tag: str
    tag_pattern: re.Pattern[str]
    example: str


#: the framework images the studio maps (the tags ``image_uris.retrieve`` makes:
#: ``<version>-cpu-py3``, ``<version>-arm64-cpu-py3`` for Graviton, or the bare version)
FRAMEWORK_IMAGES: tuple[FrameworkImage, ...] = (
    FrameworkImage(
        repository="sagemaker-scikit-learn",
        framework="scikit-learn",
        local_tag=DEFAULT_TAG,
        tag_pattern=re.compile(
            r"^(?P<version>\d+\.\d+(?:\.\d+)?(?:-\d+)?)(?:-arm64)?(?:-cpu-py3)?$"
        ),
        example="1.2-1-cpu-py3",
    ),
)


class UnknownImageError(ValidationError):
    """An Amazon ECR image the studio cannot run (it maps none to a local image, and
    never pulls); ``field`` names the request's member."""


@dataclass(frozen=True)
class ResolvedImage:
    """What an image URI runs as.

    Attributes:
        given: The URI as the request named it (None: no image).
        image: The image the docker runtime runs: a local tag, or None for the studio's
            script-mode image.
        framework: The framework image it maps from (None when it maps from none).
        requested_version: The framework version the URI names, as major.minor (``1.2``);
            None when it names none (a digest).
    """

    given: str | None
    image: str | None
    framework: FrameworkImage | None = None
    requested_version: str | None = None

    @property
    def script_mode(self) -> bool:
        """Whether it is the studio's script-mode image (what the process runtime can
        run, with the studio's own Python)."""
        return self.image in (None, DEFAULT_TAG)

    def note(self, runtime: str) -> str | None:
        """What a mapped framework image runs as on ``runtime``, for the job's status
        message or a log line; None when nothing was mapped.

        Args:
            runtime: ``docker`` or ``process``.

        Returns:
            E.g. "image sagemaker-scikit-learn:0.23-1-cpu-py3 runs as
            mlstudio/python:3-sklearn (scikit-learn 1.2.1; the URI names 0.23)".
        """
        if self.framework is None or self.given is None:
            return None
        name = self.given.rsplit("/", 1)[-1]
        have = local_framework_version(runtime)
        where = (
            "in the studio's Python"
            if runtime == "process"
            else f"as {self.image or self.framework.local_tag}"
        )
        what = f"{self.framework.framework} {have}" if have else f"no {self.framework.framework}"
        if self.requested_version and (
            have is None or _major_minor(have) != self.requested_version
        ):
            what += f"; the URI names {self.requested_version}"
        return f"image {name} runs {where} ({what})"


def local_framework_version(runtime: str) -> str | None:
    """The scikit-learn a mapped image gets on ``runtime``: the script-mode image's
    (docker), or the studio's Python's (process; None when it has none).

    Args:
        runtime: ``docker`` or ``process``.

    Returns:
        The version, as ``1.2.1``.
    """
    if runtime != "process":
        return SKLEARN_VERSION
    try:
        return importlib.metadata.version("scikit-learn")
    except importlib.metadata.PackageNotFoundError:
        return None


def _major_minor(version: str) -> str:
    return ".".join(re.split(r"[.-]", version)[:2])


def _split(uri: str) -> tuple[str | None, str]:
    """(registry host or None, the rest): a first part with a dot, a colon or
    ``localhost`` is a registry, as Docker reads references."""
    first, slash, rest = uri.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first, rest
    return None, uri


def is_ecr_uri(uri: str) -> bool:
    """Whether ``uri`` names an Amazon ECR registry (well formed or not).

    Args:
        uri: An image reference.

    Returns:
        True for ``<account>.dkr.ecr.<region>.<domain>/...`` and ``public.ecr.aws/...``.
    """
    host, _ = _split(uri.strip())
    return host is not None and bool(_ECR_HOST.search(host))


def parse_ecr_uri(uri: str) -> EcrUri | None:
    """The parts of a well-formed private ECR URI; None for anything else.

    Args:
        uri: An image reference.

    Returns:
        Its parts, or None.
    """
    host, rest = _split(uri.strip())
    registry = _PRIVATE_ECR.match(host or "")
    reference = _REFERENCE.match(rest)
    if registry is None or reference is None:
        return None
    return EcrUri(
        account=registry["account"],
        region=registry["region"],
        domain=registry["domain"],
        repository=reference["repository"],
        tag=reference["tag"],
        digest=reference["digest"],
    )


def mapped_images() -> str:
    """The framework images the studio maps, for messages.

    Returns:
        E.g. "SageMaker's scikit-learn image
        (<account>.dkr.ecr.<region>.amazonaws.com/sagemaker-scikit-learn:<version>, as
        1.2-1-cpu-py3) as mlstudio/python:3-sklearn".
    """
    return ", ".join(
        f"SageMaker's {item.framework} image (<account>.dkr.ecr.<region>.amazonaws.com/"
        f"{item.repository}:<version>, as {item.example}) as {item.local_tag}"
        for item in FRAMEWORK_IMAGES
    )


def _refusal(uri: str, why: str, field: str) -> UnknownImageError:
    return UnknownImageError(
        f"{why}. The studio never pulls images: it runs {mapped_images()}, and on the docker"
        " runtime the images the engine has (see `mlstudio images`; `mlstudio images build`"
        f" makes the studio's). For an image of your own, tag it locally (docker tag {uri}"
        " my-image:1) and name that",
        field=field,
    )


def resolve_image(uri: str | None, *, field: str) -> ResolvedImage:
    """What the image a request names runs as (the module docstring has the rules).

    Args:
        uri: The request's image (None or empty: none).
        field: The request's member, named by a refusal
            (``AlgorithmSpecification.TrainingImage``, ``AppSpecification.ImageUri``,
            ``PrimaryContainer.Image``).

    Returns:
        The image to run.

    Raises:
        UnknownImageError: An Amazon ECR URI the studio maps to none of its images.
    """
    given = (uri or "").strip()
    if not given:
        return ResolvedImage(None, None)
    if given == DEFAULT_TAG:
        return ResolvedImage(given, DEFAULT_TAG)
    if not is_ecr_uri(given):
        return ResolvedImage(given, given)
    parsed = parse_ecr_uri(given)
    if parsed is None:
        raise _refusal(given, f"{given!r} is not an Amazon ECR image the studio knows", field)
    for item in FRAMEWORK_IMAGES:
        if parsed.repository != item.repository:
            continue
        if parsed.tag is None and parsed.digest is not None:
            return ResolvedImage(given, item.local_tag, item)
        found = item.tag_pattern.match(parsed.tag or "")
        if found is None:
            raise _refusal(
                given,
                f"{given!r}: tag {parsed.tag or '(none)'!r} is not a {item.framework} version"
                f" of SageMaker's {item.repository} image (as {item.example})",
                field,
            )
        return ResolvedImage(given, item.local_tag, item, _major_minor(found["version"]))
    raise _refusal(
        given,
        f"{given!r} is an Amazon ECR image the studio has no local image for"
        f" (repository {parsed.repository!r})",
        field,
    )
