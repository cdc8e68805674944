"""The pipelines part of the metadata store contract: a pipeline's record and its
definition's text. :class:`PipelineContract` is part of ``StoreContract`` and needs a
``store`` fixture yielding a fresh, empty :class:`~jupyter_mlstudio.store.base.MetadataStore`."""

from __future__ import annotations

import json

from ..exceptions import ConflictError, NotFoundError, ValidationError
from ..store.base import MetadataStore
from .store_helpers import assert_aware, expect

DEFINITION = json.dumps({"Version": "2020-12-01", "Parameters": [], "Steps": []})


class PipelineContract:
    """Pipelines: created, described, listed newest first, updated, deleted."""

    def test_pipeline_records(self, store: MetadataStore) -> None:
        made = store.create_pipeline(
            "churn",
            definition=DEFINITION,
            display_name="Churn",
            description="train and register",
            role_arn="arn:aws:iam::1:role/r",
            tags={"team": "ml"},
        )
        assert made.pipeline_definition == DEFINITION  # the text as given
        assert made.pipeline_arn.endswith(":pipeline/churn")
        assert (made.pipeline_display_name, made.tags) == ("Churn", {"team": "ml"})
        assert_aware(made.creation_time)
        assert store.get_pipeline("churn") == made
        with expect(ConflictError, "PipelineName"):
            store.create_pipeline("churn", definition=DEFINITION)
        with expect(ValidationError, "PipelineName"):
            store.create_pipeline("bad name", definition=DEFINITION)
        with expect(ValidationError, "PipelineDefinition"):
            store.create_pipeline("empty", definition="")
        with expect(ValidationError, "PipelineDisplayName"):
            store.create_pipeline("shown", definition=DEFINITION, display_name="a b")
        with expect(NotFoundError, "PipelineName"):
            store.get_pipeline("none")
        store.create_pipeline("fraud", definition=DEFINITION)
        names = [p.pipeline_name for p in store.list_pipelines().items]
        assert names == ["fraud", "churn"]
        ascending = store.list_pipelines(sort_order="Ascending")
        assert [p.pipeline_name for p in ascending.items] == ["churn", "fraud"]
        assert [p.pipeline_name for p in store.list_pipelines(name_prefix="CH").items] == ["churn"]
        first = store.list_pipelines(max_results=1)
        assert first.next_token is not None
        rest = store.list_pipelines(max_results=1, next_token=first.next_token)
        assert [p.pipeline_name for p in rest.items] == ["churn"]

    def test_pipeline_update_and_delete(self, store: MetadataStore) -> None:
        made = store.create_pipeline("p", definition=DEFINITION, description="old")
        changed = json.dumps({"Version": "2020-12-01", "Steps": []})
        updated = store.update_pipeline("p", definition=changed, display_name="P")
        assert (updated.pipeline_definition, updated.pipeline_display_name) == (changed, "P")
        assert updated.pipeline_description == "old"  # not given: kept
        assert updated.last_modified_time >= made.last_modified_time
        assert updated.creation_time == made.creation_time
        cleared = store.update_pipeline("p", description=None)
        assert (cleared.pipeline_description, cleared.pipeline_definition) == (None, changed)
        with expect(NotFoundError, "PipelineName"):
            store.update_pipeline("none", description="x")
        store.delete_pipeline("p")
        with expect(NotFoundError, "PipelineName"):
            store.get_pipeline("p")
        with expect(NotFoundError, "PipelineName"):
            store.delete_pipeline("p")
        store.create_pipeline("p", definition=DEFINITION)  # the name is free again
