"""``Session`` and ``production_variant`` (SageMaker's session-level hosting calls) against
a real studio, with real model servers on the process runtime: a two-variant endpoint built the
SageMaker way, routed by weight and by target variant, moved to another configuration,
deleted; and what is refused."""

from __future__ import annotations

import tarfile
from collections import Counter
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from jupyter_mlstudio.exceptions import NotFoundError, StudioError, ValidationError
from jupyter_mlstudio.sdk import (
    CSVSerializer,
    JSONDeserializer,
    Predictor,
    Session,
    TrackingClient,
    production_variant,
)

from .conftest import in_thread


@pytest.fixture
def tracking_uri(studio_uri: str) -> str:
    """Jobs and endpoints belong to a studio: these tests run once, against one."""
    return studio_uri


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path / "sdk-home"))
    monkeypatch.setenv("MLSTUDIO_RUNTIME", "process")
    return tmp_path / "sdk-home"


def packed_model(folder: Path, c: float) -> tuple[LogisticRegression, str]:
    """A model trained here, as SageMaker's model.tar.gz (the model server's default
    handlers load model.joblib)."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(80, 2))
    model = LogisticRegression(C=c).fit(x, (x[:, 0] + x[:, 1] > 0).astype(int))
    folder.mkdir()
    joblib.dump(model, folder / "model.joblib")
    with tarfile.open(folder / "model.tar.gz", "w:gz") as tar:
        tar.add(folder / "model.joblib", arcname="model.joblib")
    return model, str(folder / "model.tar.gz")


def test_production_variant_has_the_create_endpoint_config_shape() -> None:
    assert production_variant("m", "ml.m5.large", 2, "Blue", 0.25) == {
        "ModelName": "m",
        "VariantName": "Blue",
        "InitialVariantWeight": 0.25,
        "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 2,
    }
    assert production_variant("m", volume_size=4) == {
        "ModelName": "m",
        "VariantName": "AllTraffic",
        "InitialVariantWeight": 1,
        "InstanceType": "local",
        "InitialInstanceCount": 1,
        "VolumeSizeInGB": 4,
    }
    with pytest.raises(ValidationError) as info:
        production_variant("m", "local", 1, accelerator_type="ml.eia1.medium")
    assert info.value.field == "accelerator_type"
    with pytest.raises(ValidationError) as info:
        production_variant("m", serverless_inference_config=object())
    assert info.value.field == "serverless_inference_config"


def test_a_session_is_refused_without_a_usable_client() -> None:
    with pytest.raises(ValidationError) as info:
        Session(42)  # type: ignore[arg-type]
    assert info.value.field == "sagemaker_session"


async def test_two_variants_the_sagemaker_way(
    client: TrackingClient, home: Path, tmp_path: Path
) -> None:
    model_a, data_a = packed_model(tmp_path / "a", 1.0)
    model_b, data_b = packed_model(tmp_path / "b", 0.01)
    rows = np.random.default_rng(8).normal(size=(5, 2)).round(3)
    session = Session(client)

    def work() -> None:
        assert session.create_model("m-a", container_defs={"ModelDataUrl": data_a}) == "m-a"
        assert session.create_model("m-b", primary_container={"ModelDataUrl": data_b}) == "m-b"
        with pytest.raises(ValidationError) as info:
            session.create_model("m-c")
        assert info.value.field == "container_defs"

        name = session.endpoint_from_production_variants(
            "ab",
            [
                production_variant("m-a", "local", 1, "A", initial_weight=3),
                production_variant("m-b", "local", 1, "B", initial_weight=1),
            ],
        )
        assert name == "ab"
        described = session.describe_endpoint("ab")
        assert described["EndpointStatus"] == "InService"
        assert described["EndpointConfigName"] == "ab"
        weights = {v["VariantName"]: v["CurrentWeight"] for v in described["ProductionVariants"]}
        assert weights == {"A": 3, "B": 1}

        predictor = Predictor(
            "ab", session, serializer=CSVSerializer(), deserializer=JSONDeserializer()
        )
        assert predictor.predict(rows, target_variant="B") == model_b.predict(rows).tolist()
        assert predictor.last_invoked_variant == "B"
        assert predictor.predict(rows, target_variant="A") == model_a.predict(rows).tolist()
        assert predictor.last_invoked_variant == "A"
        seen: Counter[str] = Counter()
        for _ in range(40):
            predictor.predict(rows)
            seen[predictor.last_invoked_variant or ""] += 1
        assert set(seen) == {"A", "B"}, seen  # P(no B in 40 at 3:1) is about 1e-5
        assert seen["A"] > seen["B"]

        # a copy of the configuration with other weights; then one variant of model B
        copied = session.create_endpoint_config_from_existing(
            "ab",
            "ab-even",
            new_production_variants=[
                production_variant("m-a", "local", 1, "A", 1),
                production_variant("m-b", "local", 2, "B", 1),
            ],
        )
        assert copied == "ab-even"
        variants = session.hosting.describe_endpoint_config("ab-even").production_variants
        assert [(v.variant_name, v.initial_instance_count) for v in variants] == [
            ("A", 1),
            ("B", 2),
        ]
        session.create_endpoint_config_from_existing("ab-even", "ab-copy")
        variants = session.hosting.describe_endpoint_config("ab-copy").production_variants
        assert [(v.model_name, v.initial_variant_weight) for v in variants] == [
            ("m-a", 1),
            ("m-b", 1),
        ]
        config = session.create_endpoint_config("only-b", "m-b", 1, "local")
        assert config == "only-b"
        assert session.update_endpoint("ab", "only-b") == "ab"
        described = session.wait_for_endpoint("ab")
        assert described["EndpointConfigName"] == "only-b"
        assert [v["VariantName"] for v in described["ProductionVariants"]] == ["AllTraffic"]
        assert predictor.predict(rows) == model_b.predict(rows).tolist()
        with pytest.raises(ValidationError) as info:  # SageMaker's ValidationException
            session.update_endpoint("ab", "no-such-config")
        assert info.value.field == "EndpointConfigName"

        session.delete_endpoint("ab")
        with pytest.raises(NotFoundError):
            session.describe_endpoint("ab")
        for config_name in ("ab", "ab-even", "ab-copy", "only-b"):
            session.delete_endpoint_config(config_name)
        for model_name in ("m-a", "m-b"):
            session.delete_model(model_name)
        with pytest.raises(NotFoundError):
            session.hosting.describe_model("m-a")

    await in_thread(work)


async def test_a_variant_that_cannot_start_fails_the_endpoint_with_its_reason(
    client: TrackingClient, home: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.tar.gz"
    with tarfile.open(broken, "w:gz"):
        pass  # no model.joblib: the model server cannot load a model
    session = Session(client)

    def work() -> None:
        session.create_model("empty", container_defs=[{"ModelDataUrl": str(broken)}])
        with pytest.raises(StudioError, match="Error hosting endpoint empty-ep: Failed"):
            session.endpoint_from_production_variants(
                "empty-ep", [production_variant("empty", "local", 1)]
            )
        assert session.describe_endpoint("empty-ep")["EndpointStatus"] == "Failed"
        session.delete_endpoint("empty-ep")

    await in_thread(work)
