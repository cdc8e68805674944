"""``AutoML`` and ``AutoMLInput``, as ``sagemaker.automl`` (SageMaker Python SDK v2) has them.

An AutoML job of the studio (docs/autopilot.md): give it a CSV and a target column; it
analyses the table, trains candidate pipelines as training jobs, ranks them, and writes a
data exploration and a candidate definitions notebook. Its best candidate deploys as a
two-container inference pipeline (:class:`~.pipeline_model.PipelineModel`).

    automl = AutoML(role=role, target_attribute_name="churn", max_candidates=10)
    automl.fit("churn.csv", wait=True, logs=False)
    best = automl.best_candidate()
    predictor = automl.deploy(1, "ml.m5.large",
                              inference_response_keys=["predicted_label", "probability"])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ..entities import Job, JobKind, JobStatus
from ..entities.common import utcnow
from ..exceptions import StudioError, ValidationError
from .jobs import AutoMLJob
from .jobs_client import jobs_client
from .transport import segment

#: SageMaker's limit on AutoML job names
NAME_MAX = 32
PROBLEM_TYPES = ("BinaryClassification", "MulticlassClassification", "Regression")
_ARN = "arn:mlstudio:sagemaker:local"


class AutoMLInput:
    """An AutoML job's input channel (``sagemaker.automl.automl.AutoMLInput``).

    Args:
        inputs: A local CSV path, a ``file://`` URI or an ``s3://`` prefix (or a list of
            them).
        target_attribute_name: The column to predict.
        compression: ``Gzip`` or None.
        channel_type: ``training`` or ``validation`` (two inputs: one of each).
        content_type: ``text/csv`` (the studio reads CSV tables).
        s3_data_type: ``S3Prefix``.
        sample_weight_attribute_name: Not supported by the studio (refused when given).
    """

    def __init__(
        self,
        inputs: str | Sequence[str],
        target_attribute_name: str,
        compression: str | None = None,
        channel_type: str | None = None,
        content_type: str | None = None,
        s3_data_type: str | None = None,
        sample_weight_attribute_name: str | None = None,
    ) -> None:
        self.inputs = inputs
        self.target_attribute_name = target_attribute_name
        self.compression = compression
        self.channel_type = channel_type
        self.content_type = content_type
        self.s3_data_type = s3_data_type
        self.sample_weight_attribute_name = sample_weight_attribute_name

    def to_request_dict(self) -> list[dict[str, Any]]:
        """The channels as CreateAutoMLJob's ``InputDataConfig`` entries.

        Returns:
            One entry per input location.
        """
        locations = [self.inputs] if isinstance(self.inputs, str) else list(self.inputs)
        out = []
        for location in locations:
            entry: dict[str, Any] = {
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": self.s3_data_type or "S3Prefix",
                        "S3Uri": _location(str(location)),
                    }
                },
                "TargetAttributeName": self.target_attribute_name,
            }
            for key, value in (
                ("CompressionType", self.compression),
                ("ChannelType", self.channel_type),
                ("ContentType", self.content_type),
                ("SampleWeightAttributeName", self.sample_weight_attribute_name),
            ):
                if value is not None:
                    entry[key] = value
            out.append(entry)
        return out


class AutoML:
    """An AutoML job over a table (``sagemaker.automl.automl.AutoML``).

    Args:
        role: Recorded with the job (the studio has no IAM).
        target_attribute_name: The column to predict.
        output_kms_key: Accepted; not used.
        output_path: Where the job writes its data split, notebooks and models
            (``s3://`` or a local folder); default the studio's artifact store.
        base_job_name: The job name's start (default ``automl``).
        compression_type: ``Gzip`` for gzipped CSV inputs.
        sagemaker_session: The :class:`~.session.Session` (default: the notebook's studio).
        volume_kms_key: Accepted; not used.
        encrypt_inter_container_traffic: Accepted; not used.
        vpc_config: Accepted; not used.
        problem_type: ``BinaryClassification``, ``MulticlassClassification`` or
            ``Regression``; with ``job_objective``, or both left out (then inferred).
        max_candidates: Candidates to train (default 20).
        max_runtime_per_training_job_in_seconds: Each candidate's limit.
        total_job_runtime_in_seconds: The whole job's limit.
        job_objective: ``{"MetricName": "F1"}`` (Accuracy, BalancedAccuracy, F1, F1macro,
            AUC, Precision, PrecisionMacro, Recall, RecallMacro, MSE, RMSE, MAE, R2).
        generate_candidate_definitions_only: Stop after writing the notebooks.
        tags: Tags of the job (``[{"Key": ..., "Value": ...}]`` or a mapping).
        content_type: ``text/csv``.
        s3_data_type: ``S3Prefix``.
        feature_specification_s3_uri: Not supported (refused by the studio when given).
        validation_fraction: The holdout's share of the rows (default 0.2).
        mode: ``AUTO``, ``ENSEMBLING`` or ``HYPERPARAMETER_TUNING``.
        auto_generate_endpoint_name: Accepted; the studio does not deploy on its own.
        endpoint_name: Accepted; the studio does not deploy on its own.
        sample_weight_attribute_name: Not supported (refused by the studio when given).

    Raises:
        ValidationError: Only one of ``problem_type`` and ``job_objective`` is given.
    """

    def __init__(
        self,
        role: str | None = None,
        target_attribute_name: str | None = None,
        output_kms_key: str | None = None,
        output_path: str | None = None,
        base_job_name: str | None = None,
        compression_type: str | None = None,
        sagemaker_session: Any = None,
        volume_kms_key: str | None = None,
        encrypt_inter_container_traffic: bool | None = None,
        vpc_config: Mapping[str, Any] | None = None,
        problem_type: str | None = None,
        max_candidates: int | None = None,
        max_runtime_per_training_job_in_seconds: int | None = None,
        total_job_runtime_in_seconds: int | None = None,
        job_objective: Mapping[str, str] | None = None,
        generate_candidate_definitions_only: bool | None = False,
        tags: Any = None,
        content_type: str | None = None,
        s3_data_type: str | None = None,
        feature_specification_s3_uri: str | None = None,
        validation_fraction: float | None = None,
        mode: str | None = None,
        auto_generate_endpoint_name: bool | None = None,
        endpoint_name: str | None = None,
        sample_weight_attribute_name: str | None = None,
    ) -> None:
        if bool(problem_type) != bool(job_objective):
            raise ValidationError(
                "One of problem type and objective metric provided. Either both of them should"
                " be provided or none of them should be provided.",
                field="problem_type" if not problem_type else "job_objective",
            )
        self.role = role
        self.target_attribute_name = target_attribute_name
        self.output_kms_key = output_kms_key
        self.output_path = output_path
        self.base_job_name = base_job_name
        self.compression_type = compression_type
        self.sagemaker_session = sagemaker_session
        self.volume_kms_key = volume_kms_key
        self.encrypt_inter_container_traffic = encrypt_inter_container_traffic
        self.vpc_config = vpc_config
        self.problem_type = problem_type
        self.max_candidate = max_candidates
        self.max_runtime_per_training_job_in_seconds = max_runtime_per_training_job_in_seconds
        self.total_job_runtime_in_seconds = total_job_runtime_in_seconds
        self.job_objective = dict(job_objective) if job_objective else None
        self.generate_candidate_definitions_only = bool(generate_candidate_definitions_only)
        self.tags = _tags(tags)
        self.content_type = content_type
        self.s3_data_type = s3_data_type
        self.feature_specification_s3_uri = feature_specification_s3_uri
        self.validation_fraction = validation_fraction
        self.mode = mode
        self.auto_generate_endpoint_name = auto_generate_endpoint_name
        self.endpoint_name = endpoint_name
        self.sample_weight_attribute_name = sample_weight_attribute_name
        self.current_job_name: str | None = None
        self.latest_auto_ml_job: str | None = None
        self._auto_ml_job_desc: dict[str, Any] | None = None
        self._best_candidate: dict[str, Any] | None = None

    # -- running ---------------------------------------------------------------------------

    def fit(
        self,
        inputs: Any = None,
        wait: bool = True,
        logs: bool = True,
        job_name: str | None = None,
    ) -> None:
        """Start an AutoML job over ``inputs``, and by default wait for it to end.

        Args:
            inputs: A local CSV path, a ``file://`` URI, an ``s3://`` prefix, an
                :class:`AutoMLInput`, or a list of them (a training and a validation one).
            wait: Block until the job ends.
            logs: While waiting, print the job's log (its stages and candidates).
            job_name: The job's name (at most 32 characters); default
                ``<base_job_name or automl>-<timestamp>``.

        Raises:
            ValidationError: No inputs or target, or the studio refused the request
                (naming its field).
            StudioError: With ``wait``, the job ended Failed (with its FailureReason).
        """
        if inputs is None:
            raise ValidationError(
                "give inputs: a CSV path, an S3 prefix or AutoMLInput", field="inputs"
            )
        name = job_name or _job_name(self.base_job_name or "automl")
        self._best_candidate = None
        self._auto_ml_job_desc = None
        jobs_client(self.sagemaker_session).create_job(JobKind.AUTOML, self._request(inputs, name))
        self.current_job_name = self.latest_auto_ml_job = name
        if wait:
            job = AutoMLJob(jobs_client(self.sagemaker_session), name).wait(logs=logs)
            if job.status is JobStatus.FAILED:
                raise StudioError(f"AutoML job {name} Failed: {job.failure_reason or ''}".strip())

    def _request(self, inputs: Any, name: str) -> dict[str, Any]:
        channels = inputs if isinstance(inputs, list) else [inputs]
        config: list[dict[str, Any]] = []
        for channel in channels:
            if isinstance(channel, AutoMLInput):
                config.extend(channel.to_request_dict())
                continue
            if not self.target_attribute_name:
                raise ValidationError(
                    "target_attribute_name is required with plain inputs",
                    field="target_attribute_name",
                )
            config.extend(
                AutoMLInput(
                    str(channel),
                    self.target_attribute_name,
                    compression=self.compression_type,
                    content_type=self.content_type,
                    s3_data_type=self.s3_data_type,
                    sample_weight_attribute_name=self.sample_weight_attribute_name,
                ).to_request_dict()
            )
        criteria = {
            "MaxCandidates": self.max_candidate,
            "MaxRuntimePerTrainingJobInSeconds": self.max_runtime_per_training_job_in_seconds,
            "MaxAutoMLJobRuntimeInSeconds": self.total_job_runtime_in_seconds,
        }
        job_config: dict[str, Any] = {}
        if any(v is not None for v in criteria.values()):
            job_config["CompletionCriteria"] = {k: v for k, v in criteria.items() if v is not None}
        if self.mode:
            job_config["Mode"] = self.mode
        if self.validation_fraction is not None:
            job_config["DataSplitConfig"] = {"ValidationFraction": self.validation_fraction}
        if self.feature_specification_s3_uri:
            job_config["CandidateGenerationConfig"] = {
                "FeatureSpecificationS3Uri": self.feature_specification_s3_uri
            }
        request: dict[str, Any] = {
            "AutoMLJobName": name,
            "InputDataConfig": config,
            "GenerateCandidateDefinitionsOnly": self.generate_candidate_definitions_only,
            "Tags": self.tags,
        }
        if self.output_path:
            request["OutputDataConfig"] = {"S3OutputPath": _location(self.output_path)}
        if self.role:
            request["RoleArn"] = self.role
        if self.problem_type:
            request["ProblemType"] = self.problem_type
            request["AutoMLJobObjective"] = self.job_objective
        if job_config:
            request["AutoMLJobConfig"] = job_config
        return request

    @classmethod
    def attach(cls, auto_ml_job_name: str, sagemaker_session: Any = None) -> AutoML:
        """An ``AutoML`` for a job that exists (to read its candidates or deploy one).

        Args:
            auto_ml_job_name: The AutoML job's name.
            sagemaker_session: The session (default: the notebook's studio).

        Returns:
            An ``AutoML`` with the job's settings, ``current_job_name`` set.

        Raises:
            NotFoundError: No AutoML job has that name.
        """
        desc = describe_auto_ml_job(auto_ml_job_name, sagemaker_session)
        channel = desc["InputDataConfig"][0]
        config = desc.get("AutoMLJobConfig") or {}
        criteria = config.get("CompletionCriteria") or {}
        automl = cls(
            role=desc.get("RoleArn"),
            target_attribute_name=channel["TargetAttributeName"],
            output_path=(desc.get("OutputDataConfig") or {}).get("S3OutputPath"),
            base_job_name=auto_ml_job_name,
            compression_type=channel.get("CompressionType"),
            sagemaker_session=sagemaker_session,
            problem_type=desc["Spec"].get("ProblemType"),
            max_candidates=criteria.get("MaxCandidates"),
            max_runtime_per_training_job_in_seconds=criteria.get(
                "MaxRuntimePerTrainingJobInSeconds"
            ),
            total_job_runtime_in_seconds=criteria.get("MaxAutoMLJobRuntimeInSeconds"),
            job_objective=desc["Spec"].get("AutoMLJobObjective"),
            generate_candidate_definitions_only=desc.get("GenerateCandidateDefinitionsOnly"),
            tags=desc.get("Tags"),
            content_type=channel.get("ContentType"),
            validation_fraction=(config.get("DataSplitConfig") or {}).get("ValidationFraction"),
            mode=config.get("Mode"),
        )
        automl.current_job_name = automl.latest_auto_ml_job = auto_ml_job_name
        automl._auto_ml_job_desc = desc
        return automl

    # -- reading ---------------------------------------------------------------------------

    def _name(self, job_name: str | None) -> str:
        name = job_name or self.current_job_name
        if name is None:
            raise ValidationError("no AutoML job yet: call fit() first", field="job_name")
        return name

    def describe_auto_ml_job(self, job_name: str | None = None) -> dict[str, Any]:
        """The job as DescribeAutoMLJob answers it.

        Args:
            job_name: The AutoML job (default the latest one).

        Returns:
            See :func:`describe_auto_ml_job`.
        """
        self._auto_ml_job_desc = describe_auto_ml_job(self._name(job_name), self.sagemaker_session)
        return self._auto_ml_job_desc

    def best_candidate(self, job_name: str | None = None) -> dict[str, Any] | None:
        """The best candidate (an AutoMLCandidate), or None while no candidate has ended.

        Args:
            job_name: The AutoML job (default the latest one).

        Returns:
            ``CandidateName``, ``FinalAutoMLJobObjectiveMetric`` (``MetricName``,
            ``Value``), ``InferenceContainers``, ``CandidateSteps``, ...
        """
        if self._best_candidate and job_name in (None, self.current_job_name):
            return self._best_candidate
        desc = self.describe_auto_ml_job(job_name)
        best = desc.get("BestCandidate")
        if best and desc.get("AutoMLJobStatus") in ("Completed", "Stopped", "Failed"):
            self._best_candidate = best
        return best

    def list_candidates(
        self,
        job_name: str | None = None,
        status_equals: str | None = None,
        candidate_name: str | None = None,
        candidate_arn: str | None = None,
        sort_order: str | None = None,
        sort_by: str | None = None,
        max_results: int | None = None,
    ) -> list[dict[str, Any]]:
        """The job's candidates (AutoMLCandidate items).

        Args:
            job_name: The AutoML job (default the latest one).
            status_equals: Only candidates in this status (Completed, InProgress, Failed,
                Stopped, Stopping).
            candidate_name: Only this candidate.
            candidate_arn: Accepted; not used.
            sort_order: ``Ascending`` or ``Descending`` (default Ascending).
            sort_by: ``CreationTime``, ``Status`` or ``FinalObjectiveMetricValue`` (best
                first when Descending).
            max_results: At most this many (default all).

        Returns:
            The candidates, with ``CreationTime``/``EndTime`` as datetimes.
        """
        name = self._name(job_name)
        query: dict[str, Any] = {
            "SortBy": sort_by or "CreationTime",
            "SortOrder": sort_order or "Ascending",
            "MaxResults": min(max_results or 100, 100),
        }
        if status_equals:
            query["StatusEquals"] = status_equals
        if candidate_name:
            query["CandidateNameEquals"] = candidate_name
        connection = jobs_client(self.sagemaker_session).connection
        out: list[dict[str, Any]] = []
        while True:
            page = connection.json("GET", f"auto-ml-jobs/{segment(name)}/candidates", query=query)
            out.extend(_candidate_times(c) for c in page.get("Candidates") or [])
            token = page.get("NextToken")
            if not token or (max_results and len(out) >= max_results):
                return out[:max_results] if max_results else out
            query["NextToken"] = token

    # -- models ----------------------------------------------------------------------------

    def create_model(
        self,
        name: str | None,
        sagemaker_session: Any = None,
        candidate: Mapping[str, Any] | None = None,
        vpc_config: Any = None,
        enable_network_isolation: bool = False,
        model_kms_key: str | None = None,
        predictor_cls: Any = None,
        inference_response_keys: Sequence[str] | None = None,
    ) -> Any:
        """A two-container inference pipeline (feature transform, algorithm) of a candidate.

        Args:
            name: The pipeline model's name (None: one is made when it is created).
            sagemaker_session: Default the ``AutoML``'s.
            candidate: An AutoMLCandidate (default the best one).
            vpc_config: Accepted; not used.
            enable_network_isolation: Accepted; not used.
            model_kms_key: Accepted; not used.
            predictor_cls: The predictor ``deploy`` returns.
            inference_response_keys: What the pipeline answers per row, in order, among
                the algorithm container's ``SAGEMAKER_INFERENCE_SUPPORTED`` keys
                (``predicted_label``, ``probability``, ``probabilities``, ``labels``).

        Returns:
            A :class:`~.pipeline_model.PipelineModel` (``deploy()``, ``transformer()``).

        Raises:
            ValidationError: A key the candidate does not support, or no best candidate.
        """
        from .model import Model
        from .pipeline_model import PipelineModel

        session = sagemaker_session or self.sagemaker_session
        chosen = dict(candidate) if candidate is not None else self.best_candidate()
        if not chosen:
            raise ValidationError("the AutoML job has no best candidate yet", field="candidate")
        containers = [
            {**c, "Environment": dict(c.get("Environment") or {})}
            for c in chosen.get("InferenceContainers") or []
        ]
        if not containers:
            raise ValidationError(
                f"candidate {chosen.get('CandidateName')} has no inference containers"
                " (it has not completed)",
                field="candidate",
            )
        self.validate_and_update_inference_response(containers, inference_response_keys)
        models = [
            Model(
                image_uri=c["Image"],
                model_data=c["ModelDataUrl"],
                role=self.role,
                env=c["Environment"],
                sagemaker_session=session,
            )
            for c in containers
        ]
        return PipelineModel(
            models=models,
            role=self.role,
            predictor_cls=predictor_cls,
            name=name,
            sagemaker_session=session,
        )

    def deploy(
        self,
        initial_instance_count: int,
        instance_type: str,
        serializer: Any = None,
        deserializer: Any = None,
        candidate: Mapping[str, Any] | None = None,
        sagemaker_session: Any = None,
        name: str | None = None,
        endpoint_name: str | None = None,
        tags: Any = None,
        wait: bool = True,
        vpc_config: Any = None,
        enable_network_isolation: bool = False,
        model_kms_key: str | None = None,
        predictor_cls: Any = None,
        inference_response_keys: Sequence[str] | None = None,
        volume_size: int | None = None,
        model_data_download_timeout: int | None = None,
        container_startup_health_check_timeout: int | None = None,
    ) -> Any:
        """Deploy a candidate (default the best) as a two-container inference pipeline.

        Args:
            initial_instance_count: Instances of the endpoint.
            instance_type: Their type (``ml.m5.large``, ``local``).
            serializer: The predictor's serializer (default CSV in).
            deserializer: The predictor's deserializer.
            candidate: An AutoMLCandidate (default the best one).
            sagemaker_session: Default the ``AutoML``'s.
            name: The pipeline model's name (default one is made).
            endpoint_name: The endpoint's name (default the model's).
            tags: The endpoint's tags.
            wait: Block until it is InService.
            vpc_config: Accepted; not used.
            enable_network_isolation: Accepted; not used.
            model_kms_key: Accepted; not used.
            predictor_cls: The predictor class to return.
            inference_response_keys: As for :meth:`create_model`.
            volume_size: Accepted; not used.
            model_data_download_timeout: Accepted; not used.
            container_startup_health_check_timeout: Seconds each instance may take to answer.

        Returns:
            A :class:`~.predictor.Predictor` (or ``predictor_cls``'s) of the endpoint.
        """
        model = self.create_model(
            name=name,
            sagemaker_session=sagemaker_session,
            candidate=candidate,
            predictor_cls=predictor_cls,
            inference_response_keys=inference_response_keys,
        )
        return model.deploy(
            initial_instance_count=initial_instance_count,
            instance_type=instance_type,
            serializer=serializer,
            deserializer=deserializer,
            endpoint_name=endpoint_name,
            tags=tags,
            wait=wait,
        )

    @classmethod
    def validate_and_update_inference_response(
        cls, inference_containers: list[dict[str, Any]], inference_response_keys: Any
    ) -> None:
        """Check the keys against the last container's ``SAGEMAKER_INFERENCE_SUPPORTED``
        and set ``SAGEMAKER_INFERENCE_OUTPUT`` (and the next container's
        ``SAGEMAKER_INFERENCE_INPUT``) as SageMaker's SDK does.

        Args:
            inference_containers: The candidate's containers (changed in place).
            inference_response_keys: The keys asked for, in order.

        Raises:
            ValidationError: A key no container supports.
        """
        if not inference_response_keys:
            return
        supported = _supported(inference_containers[-1])
        if supported is None:
            raise ValidationError(
                "The inference model does not support selection of inference content beyond"
                " its default content; retry without inference_response_keys",
                field="inference_response_keys",
            )
        bad = [k for k in inference_response_keys if k not in supported]
        if bad:
            raise ValidationError(
                f"Requested inference output keys [{', '.join(bad)}] are unsupported. The"
                f" supported inference keys are [{', '.join(supported)}]",
                field="inference_response_keys",
            )
        previous: str | None = None
        for container in inference_containers:
            keys = _supported(container) or []
            if not keys:
                previous = None
                continue
            current = ",".join(k for k in inference_response_keys if k in keys) or None
            if previous:
                container["Environment"]["SAGEMAKER_INFERENCE_INPUT"] = previous
            if current:
                container["Environment"]["SAGEMAKER_INFERENCE_OUTPUT"] = current
            previous = current


def describe_auto_ml_job(job_name: str, sagemaker_session: Any = None) -> dict[str, Any]:
    """An AutoML job, as SageMaker's DescribeAutoMLJob answers.

    Args:
        job_name: The AutoML job's name.
        sagemaker_session: The session (default: the notebook's studio).

    Returns:
        ``AutoMLJobName``, ``AutoMLJobArn``, ``InputDataConfig``, ``OutputDataConfig``,
        ``AutoMLJobConfig``, ``AutoMLJobStatus``, ``AutoMLJobSecondaryStatus``,
        ``CreationTime``, ``LastModifiedTime`` and, when there are, ``EndTime``,
        ``FailureReason``, ``ProblemType``, ``AutoMLJobObjective``, ``ResolvedAttributes``,
        ``BestCandidate``, ``AutoMLJobArtifacts``; plus the studio's ``Spec`` (the request
        as given), ``Stages`` and ``Analysis``. Times are datetimes.

    Raises:
        NotFoundError: No AutoML job has that name.
    """
    job = jobs_client(sagemaker_session).describe_job(JobKind.AUTOML, job_name)
    return _describe(job)


def _describe(job: Job) -> dict[str, Any]:
    outputs = job.outputs or {}
    out: dict[str, Any] = {**job.spec}
    out.update(
        {
            "AutoMLJobName": job.job_name,
            "AutoMLJobArn": f"{_ARN}:automl-job/{job.job_name}",
            "AutoMLJobStatus": job.status.value,
            "AutoMLJobSecondaryStatus": outputs.get("AutoMLJobSecondaryStatus", "Starting"),
            "CreationTime": job.creation_time,
            "LastModifiedTime": job.last_modified_time,
            "Spec": job.spec,
        }
    )
    out.setdefault("OutputDataConfig", {})
    optional = {
        "EndTime": job.end_time,
        "FailureReason": job.failure_reason,
        "ProblemType": outputs.get("ProblemType"),
        "AutoMLJobObjective": outputs.get("AutoMLJobObjective"),
        "ResolvedAttributes": outputs.get("ResolvedAttributes"),
        "BestCandidate": (
            _candidate_times(outputs["BestCandidate"]) if outputs.get("BestCandidate") else None
        ),
        "AutoMLJobArtifacts": outputs.get("AutoMLJobArtifacts"),
        "Stages": outputs.get("Stages"),
        "Analysis": outputs.get("Analysis"),
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def _candidate_times(candidate: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(candidate)
    for key in ("CreationTime", "EndTime", "LastModifiedTime"):
        value = out.get(key)
        if isinstance(value, str):
            out[key] = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return out


def _location(location: str) -> str:
    """A local path made absolute (the studio may run in another folder); URIs as given."""
    if "://" in location:
        return location
    return str(Path(location).expanduser().resolve())


def _supported(container: Mapping[str, Any]) -> list[str] | None:
    value = (container.get("Environment") or {}).get("SAGEMAKER_INFERENCE_SUPPORTED")
    return None if value is None else [k.strip() for k in str(value).split(",")]


def _job_name(base: str, limit: int = NAME_MAX) -> str:
    now = utcnow()
    stamp = f"{now:%Y-%m-%d-%H-%M-%S}-{now.microsecond // 1000:03d}"
    return f"{base[: limit - len(stamp) - 1].rstrip('-')}-{stamp}"


def _tags(tags: Any) -> list[dict[str, str]]:
    if not tags:
        return []
    if isinstance(tags, Mapping):
        return [{"Key": str(k), "Value": str(v)} for k, v in tags.items()]
    return [{"Key": str(t["Key"]), "Value": str(t.get("Value", ""))} for t in tags]
