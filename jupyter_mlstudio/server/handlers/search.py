"""Search: SageMaker's Search over runs and training jobs (``POST /search``), answered
from the store's indexes, and the names a search can use (``GET /search/names``) for
the search box's completion."""

from __future__ import annotations

from typing import Any, ClassVar

from jupyter_server.auth.decorator import authorized
from pydantic_core import to_jsonable_python
from tornado.web import authenticated

from ...aws.credentials import AwsIdentity
from ...aws.operations.search import page_records
from ...aws.registry import Call, Caller
from ...services.tracking.search import SearchService
from .. import search_schemas as ss
from .aws import IDENTITY_SETTING
from .base import Operation, StudioHandler


class SearchHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "Search runs (ExperimentTrialComponent) or training jobs with SageMaker's"
            " SearchExpression, sort and NextToken; records in SageMaker's Search shapes",
            "search",
            body=ss.SearchRequest,
            response=ss.SearchResponse,
            errors=(400, 403),
        ),
    }

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(ss.SearchRequest)
        self.send(await self.run(self._search, body.model_dump()))

    def _search(self, request: dict[str, Any]) -> dict[str, Any]:
        page = SearchService(self.studio.store).search(request)
        identity: AwsIdentity = self.settings[IDENTITY_SETTING]
        call = Call(
            studio=self.studio,
            params=request,
            region=identity.region,
            account_id=identity.account_id,
            caller=Caller(getattr(self.current_user, "username", "jupyter"), signed=False),
        )
        answer = {
            "Results": page_records(call, request["Resource"], page.names),
            "TotalHits": {"Value": page.total, "Relation": "EqualTo"},
            "NextToken": page.next_token,
        }
        jsonable: dict[str, Any] = to_jsonable_python(answer)  # times as ISO 8601
        return jsonable


class SearchNamesHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "The parameter, metric and tag names a search of a resource can use (what the"
            " search box completes)",
            "getSearchNames",
            query=ss.SearchNamesQuery,
            response=ss.SearchNamesResponse,
            errors=(400, 403),
        ),
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        query = self.parse_query(ss.SearchNamesQuery)
        names = await self.run(SearchService(self.studio.store).names, query.Resource)
        self.send(
            ss.SearchNamesResponse(
                Parameters=names.parameters, Metrics=names.metrics, Tags=names.tags
            )
        )
