"""``MultiDataModel`` with the names and signatures of ``sagemaker.multidatamodel`` (SDK
v2): many models behind one endpoint.

The models are ``model.tar.gz`` archives under one prefix (``model_data_prefix``: an
``s3://`` prefix, a ``file://`` URI or a local folder). ``deploy()`` creates a model with
``Mode: MultiModel`` whose ``ModelDataUrl`` is the prefix, and its endpoint; a request
names its model with ``predictor.predict(data, target_model="<path under the prefix>")``
and the endpoint loads it on first use (docs/hosting.md, "Multi-model endpoints").
:meth:`MultiDataModel.add_model` puts an archive under the prefix (also while the
endpoint serves: the next invocation naming it loads it); :meth:`MultiDataModel.list_models`
lists the archives there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..artifacts import open_artifact_store, transfer
from ..exceptions import ValidationError
from .deserializers import BaseDeserializer
from .model import Model
from .predictor import Predictor
from .serializers import BaseSerializer

MULTI_MODEL_CONTAINER_MODE = "MultiModel"


def _prefix(model_data_prefix: str) -> str:
    """The prefix as the model records it: absolute when local, ending in ``/``."""
    if not isinstance(model_data_prefix, str) or not model_data_prefix.strip():
        raise ValidationError("model_data_prefix is required", field="model_data_prefix")
    prefix = model_data_prefix
    if "://" not in prefix:
        prefix = os.path.abspath(os.path.expanduser(prefix))
    return prefix if prefix.endswith("/") else prefix + "/"


class MultiDataModel(Model):
    """A model that serves every archive under ``model_data_prefix`` from one endpoint.

    Args:
        name: The model's name (and the endpoint's default name).
        model_data_prefix: Where the archives are: ``s3://bucket/prefix/``, ``file://`` or a
            local folder.
        model: A :class:`~.model.Model` whose image, entry point, code and environment
            serve each archive (its ``model_fn`` is called with each model's folder); its
            own ``model_data`` is not used. Then ``image_uri``, ``role`` and ``kwargs``
            are refused.
        image_uri: The serving image, without ``model`` (none: the studio's model server,
            which loads ``model.joblib``/``model.pkl`` or an archive's ``code/`` entry
            point).
        role: Accepted for SageMaker compatibility and not used.
        sagemaker_session: As for :class:`~.model.Model` (default: ``model``'s).
        kwargs: Other :class:`~.model.Model` arguments (``entry_point``, ``source_dir``,
            ``env``, ...), without ``model``.

    Raises:
        ValidationError: ``model`` given with ``image_uri``, ``role`` or ``kwargs``; no
            prefix.
    """

    def __init__(
        self,
        name: str,
        model_data_prefix: str,
        model: Model | None = None,
        image_uri: str | None = None,
        role: str | None = None,
        sagemaker_session: Any = None,
        **kwargs: Any,
    ) -> None:
        if model is not None and (image_uri or role or kwargs):
            raise ValidationError(
                "image_uri, role and other Model arguments are not permitted with model",
                field="model",
            )
        prefix = _prefix(model_data_prefix)
        kwargs.pop("model_data", None)
        if model is not None:
            kwargs = {
                "env": model.env,
                "entry_point": model.entry_point,
                "source_dir": model.source_dir,
                "dependencies": model.dependencies,
                "predictor_cls": model.predictor_cls,
            }
            image_uri = model.image_uri
            sagemaker_session = sagemaker_session or model.sagemaker_session
        super().__init__(
            image_uri=image_uri,
            model_data=prefix,
            role=role,
            name=name,
            sagemaker_session=sagemaker_session,
            **kwargs,
        )
        self.model_data_prefix = prefix
        self.model_data = prefix
        self.model = model
        self.container_mode = MULTI_MODEL_CONTAINER_MODE

    def _container(self, code: Any, image_uri: str | None = None) -> dict[str, Any]:
        container = super()._container(code, image_uri)
        container["ModelDataUrl"] = self.model_data_prefix
        container["Mode"] = self.container_mode
        return container

    def deploy(
        self,
        initial_instance_count: int = 1,
        instance_type: str = "local",
        serializer: BaseSerializer | None = None,
        deserializer: BaseDeserializer | None = None,
        accelerator_type: str | None = None,
        endpoint_name: str | None = None,
        tags: Any = None,
        kms_key: str | None = None,
        wait: bool = True,
        data_capture_config: Any = None,
        **kwargs: Any,
    ) -> Predictor:
        """Create the multi-model model, its endpoint configuration and endpoint.

        Args:
            initial_instance_count: Instances (each loads the models it is asked for).
            instance_type: ``local`` or an ``ml.*`` name (its memory caps the models
                loaded at once).
            serializer: The predictor's serializer.
            deserializer: The predictor's deserializer.
            accelerator_type: Refused when given (no accelerators).
            endpoint_name: Default: the model's name.
            tags: ``[{"Key": ..., "Value": ...}]``.
            kms_key: Recorded; not used.
            wait: Wait until the endpoint is InService.
            data_capture_config: What the endpoint captures.
            kwargs: Other SageMaker arguments, accepted and not used.

        Returns:
            A predictor whose ``predict(data, target_model=...)`` reaches one model.
        """
        return super().deploy(
            initial_instance_count,
            instance_type,
            serializer=serializer,
            deserializer=deserializer,
            accelerator_type=accelerator_type,
            endpoint_name=endpoint_name or self.name,
            tags=tags,
            kms_key=kms_key,
            wait=wait,
            data_capture_config=data_capture_config,
            **kwargs,
        )

    def add_model(self, model_data_source: str, model_data_path: str | None = None) -> str:
        """Put a model archive under the prefix (a local file is uploaded, a URI copied).

        Args:
            model_data_source: A local ``model.tar.gz``, or its ``s3://``/``file://`` URI.
            model_data_path: Its path under the prefix (the ``target_model`` that names
                it); default: the source's key without its bucket for an ``s3://``
                source, else its file name.

        Returns:
            The URI (or local path) of the archive under the prefix.

        Raises:
            ValidationError: A source that does not exist, or a path that leaves the
                prefix.
        """
        source = str(model_data_source)
        if "://" in source:
            if model_data_path is None:
                model_data_path = source.split("://", 1)[1].split("/", 1)[-1]
        elif not os.path.isfile(source):
            raise ValidationError(
                f"model_data_source must be a local file or a URI: {source} does not exist",
                field="model_data_source",
            )
        key = (model_data_path or os.path.basename(source)).lstrip("/")
        if not key or any(part in ("", ".", "..") for part in key.split("/")):
            raise ValidationError(
                f"model_data_path {key!r} must be a relative path", field="model_data_path"
            )
        with tempfile.TemporaryDirectory(prefix="mlstudio-mme-") as tmp:
            if "://" in source:
                try:
                    transfer.fetch(source, Path(tmp))
                except Exception as exc:
                    raise ValidationError(
                        f"cannot read {source}: {exc}", field="model_data_source"
                    ) from exc
                files = [p for p in Path(tmp).rglob("*") if p.is_file()]
                if len(files) != 1:
                    raise ValidationError(f"{source} is not one file", field="model_data_source")
                local = files[0]
            else:
                local = Path(source)
            return self._put(local, key)

    def _put(self, local: Path, key: str) -> str:
        prefix = self.model_data_prefix
        if transfer.is_s3(prefix):
            with open_artifact_store(prefix.rstrip("/")) as store:
                store.put_file(key, local)
                return store.uri_for(key)
        target = transfer.local_path(prefix, field="model_data_prefix") / key
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(local, target)
        return str(target) if "://" not in prefix else target.as_uri()

    def list_models(self) -> Iterator[str]:
        """The archives under the prefix, as paths relative to it (what ``target_model``
        takes).

        Returns:
            An iterator (a generator, as SageMaker's) of each archive's path under the
            prefix.
        """
        prefix = self.model_data_prefix
        if transfer.is_s3(prefix):
            with open_artifact_store(prefix.rstrip("/")) as store:
                items = sorted(i.path for i in store.list("", recursive=True) if not i.is_dir)
            yield from items
            return
        folder = transfer.local_path(prefix, field="model_data_prefix")
        if folder.is_dir():
            yield from sorted(
                p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
            )
