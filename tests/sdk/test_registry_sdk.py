"""The model registry from the SDK against a real studio: an estimator's model registered
as a version (its group created on the way), approved, deployed and invoked; a model with
its script registered; the errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from jupyter_mlstudio.exceptions import NotFoundError, ValidationError
from jupyter_mlstudio.sdk import (
    CSVSerializer,
    Estimator,
    JSONDeserializer,
    MetricsSource,
    Model,
    ModelMetrics,
    ModelPackage,
    TrackingClient,
    TrainingInput,
)
from jupyter_mlstudio.sdk.registry_client import registry_client

from .conftest import in_thread
from .test_hosting_sdk import PROBABILITY, SCRIPTS, code, home, trained

__all__ = ["code", "home", "trained"]


@pytest.fixture
def tracking_uri(studio_uri: str) -> str:
    """The registry belongs to a studio: these tests run once, against one."""
    return studio_uri


async def test_register_approve_deploy_and_invoke(
    client: TrackingClient,
    home: Path,
    tmp_path: Path,
) -> None:
    train = tmp_path / "train"
    train.mkdir()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 2))
    np.savetxt(
        train / "train.csv",
        np.column_stack([(x[:, 0] > 0).astype(float), x]),
        delimiter=",",
        fmt="%.4f",
    )
    report = tmp_path / "evaluation.json"
    report.write_text('{"metrics": {"accuracy": {"value": 0.93}}}')
    estimator = Estimator(
        entry_point=str(SCRIPTS / "train_sklearn.py"),
        hyperparameters={"C": 0.5, "epochs": 1},
        sagemaker_session=client,
    )

    def work() -> None:
        estimator.fit({"train": TrainingInput(str(train))}, logs=False)
        metrics = ModelMetrics(
            model_statistics=MetricsSource(content_type="application/json", s3_uri=str(report))
        )
        package = estimator.register(
            content_types=["text/csv"],
            response_types=["application/json"],
            inference_instances=["ml.m5.large"],
            transform_instances=["ml.m5.large"],
            model_package_group_name="sk-registry",  # created: it did not exist
            model_metrics=metrics,
            customer_metadata_properties={"owner": "ana"},
            description="first",
        )
        assert isinstance(package, ModelPackage)
        assert package.model_package_arn.endswith(":model-package/sk-registry/1")
        described = package.describe()
        assert described["ModelApprovalStatus"] == "PendingManualApproval"
        assert described["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"] == str(report)
        assert described["InferenceSpecification"]["SupportedContentTypes"] == ["text/csv"]
        container = described["InferenceSpecification"]["Containers"][0]
        assert container["ModelDataUrl"] == estimator.model_data
        # the code is the studio's copy, not the script's folder
        assert container["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"].endswith("sourcedir.tar.gz")

        package.update_approval_status("Approved", approval_description="accuracy 0.93")
        package.update_customer_metadata({"stage": "prod"})
        package.remove_customer_metadata_properties(["owner"])
        described = package.describe()
        assert described["ModelApprovalStatus"] == "Approved"
        assert described["ApprovalDescription"] == "accuracy 0.93"
        assert described["CustomerMetadataProperties"] == {"stage": "prod"}
        approved = registry_client(client).list_packages("sk-registry", "Approved")
        assert [p["ModelPackageVersion"] for p in approved] == [1]

        # deployed from its ARN alone, as a new notebook would
        again = ModelPackage(model_package_arn=package.model_package_arn, sagemaker_session=client)
        predictor = again.deploy(
            1, "local", serializer=CSVSerializer(), deserializer=JSONDeserializer()
        )
        try:
            labels = predictor.predict(x[:3])
            assert len(labels) == 3
            assert set(map(float, labels)) <= {0.0, 1.0}
        finally:
            predictor.delete_endpoint()
            predictor.delete_model()

    await in_thread(work)


async def test_a_models_code_and_errors(
    client: TrackingClient,
    home: Path,
    tmp_path: Path,
    trained: tuple,
) -> None:
    _, archive = trained
    folder = tmp_path / "serving"
    folder.mkdir()
    (folder / "probability.py").write_text(PROBABILITY)
    model = Model(
        model_data=str(archive),
        entry_point="probability.py",
        source_dir=str(folder),
        sagemaker_session=client,
    )

    def work() -> None:
        first = model.register(model_package_group_name="prob", approval_status="Approved")
        second = model.register(model_package_group_name="prob")
        assert second.model_package_arn.endswith("/prob/2")
        (folder / "probability.py").write_text("raise RuntimeError('edited later')\n")
        predictor = first.deploy(
            1, "local", serializer=CSVSerializer(), deserializer=JSONDeserializer()
        )
        try:  # the version kept the code as registered: probabilities, not an error
            probabilities = predictor.predict(np.zeros((2, 2)))
            assert len(probabilities) == 2
            assert all(0.0 <= p <= 1.0 for p in probabilities)
            assert predictor.endpoint_name.startswith("prob-")
        finally:
            predictor.delete_endpoint()
            predictor.delete_model()
        with pytest.raises(ValidationError) as bad:
            model.register(model_package_group_name="prob", approval_status="Maybe")
        assert bad.value.field == "approval_status"
        arn = "arn:mlstudio:sagemaker:local:model-package-group/missing"
        with pytest.raises(NotFoundError) as missing:
            model.register(model_package_group_name=arn)
        assert missing.value.field == "ModelPackageGroupName"
        with pytest.raises(ValidationError):
            ModelPackage(model_package_arn=None, sagemaker_session=client)

    await in_thread(work)
