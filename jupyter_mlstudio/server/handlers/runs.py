"""Run files (upload and download) and run membership of trials."""

from __future__ import annotations

from typing import ClassVar

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from .. import schemas as s
from .base import Operation, StudioHandler

_DEFAULT_UPLOAD_TYPES = ("", "application/x-www-form-urlencoded")


class RunArtifactHandler(StudioHandler):
    """``runs/<run>/<path>`` in the artifact store; paths that leave it are refused (400)."""

    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Download a file of a run",
            "getRunArtifact",
            raw_response=True,
            errors=(400, 403, 404),
        ),
        "put": Operation(
            "Upload a file of a run (the raw request body), replacing what was there",
            "putRunArtifact",
            raw_body=True,
            response=s.PutRunArtifactResponse,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, trial_component_name: str, artifact_path: str) -> None:
        data, media_type = await self.run(
            self.studio.experiments.get_run_artifact, trial_component_name, artifact_path
        )
        # APIHandler.finish would set application/json otherwise
        self.finish(data, set_content_type=media_type or "application/octet-stream")

    @authenticated
    @authorized
    async def put(self, trial_component_name: str, artifact_path: str) -> None:
        content_type = self.request.headers.get("Content-Type", "").split(";", 1)[0].strip()
        path, uri = await self.run(
            self.studio.experiments.put_run_artifact,
            trial_component_name,
            artifact_path,
            self.request.body,
            None if content_type in _DEFAULT_UPLOAD_TYPES else content_type,
        )
        self.send(
            s.PutRunArtifactResponse(
                TrialComponentName=trial_component_name, ArtifactPath=path, ArtifactUri=uri
            )
        )


class TrialMembershipHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "Put a run (trial component) in a trial; idempotent",
            "associateTrialComponent",
            body=s.AssociateTrialComponentRequest,
            status=204,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def post(self, trial_name: str) -> None:
        body = self.parse_body(s.AssociateTrialComponentRequest)
        await self.run(
            self.studio.store.associate_trial_component, body.TrialComponentName, trial_name
        )
        self.send(None, 204)


class TrialMemberHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "delete": Operation(
            "Take a run (trial component) out of a trial; idempotent",
            "disassociateTrialComponent",
            status=204,
            errors=(403, 404),
        ),
    }

    @authenticated
    @authorized
    async def delete(self, trial_name: str, trial_component_name: str) -> None:
        await self.run(
            self.studio.store.disassociate_trial_component, trial_component_name, trial_name
        )
        self.send(None, 204)
