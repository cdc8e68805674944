"""GET /mlstudio/api/lineage through the REST API (jp_fetch): a model's lineage, the
errors naming the field."""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Any

from tests.server.test_api import call


async def test_lineage_route_answers_and_names_the_field(jp_fetch: Any, tmp_path: Path) -> None:
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz"):
        pass
    status, _ = await call(
        jp_fetch,
        "POST",
        "models",
        body={
            "ModelName": "m1",
            "PrimaryContainer": {"Image": "byoc:1", "ModelDataUrl": str(archive)},
        },
    )
    assert status == 201
    status, body = await call(jp_fetch, "GET", "lineage", params={"ModelName": "m1"})
    assert status == 200, body
    assert [(e["Type"], e["Name"]) for e in body["Entities"]] == [
        ("Model", "m1"),
        ("Artifact", archive.as_uri()),
    ]
    model_arn = body["Entities"][0]["Arn"]
    assert body["Edges"] == [
        {"Source": archive.as_uri(), "Destination": model_arn, "AssociationType": "ContributedTo"}
    ]
    assert body["Truncated"] is False
    status, by_arn = await call(jp_fetch, "GET", "lineage", params={"Arn": model_arn})
    assert (status, by_arn) == (200, body)

    status, err = await call(jp_fetch, "GET", "lineage")
    assert (status, err["code"], err["field"]) == (400, "ValidationException", "Arn")
    status, err = await call(
        jp_fetch, "GET", "lineage", params={"ModelName": "m1", "EndpointName": "e"}
    )
    assert (status, err["field"]) == (400, "ModelName")
    status, err = await call(jp_fetch, "GET", "lineage", params={"EndpointName": "gone"})
    assert (status, err["code"], err["field"]) == (404, "ResourceNotFound", "EndpointName")
    status, err = await call(jp_fetch, "GET", "lineage", params={"ModelPackageArn": "g/1"})
    assert (status, err["field"]) == (404, "ModelPackageArn")
    status, err = await call(jp_fetch, "GET", "lineage", params={"ModelPackageArn": "nonsense"})
    assert (status, err["field"]) == (400, "ModelPackageArn")
    status, err = await call(jp_fetch, "GET", "lineage", params={"Name": "m1"})
    assert (status, err["field"]) == (400, "Name")
