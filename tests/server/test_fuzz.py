"""The REST API fuzzed from its own OpenAPI document (schemathesis).

A real studio (``jupyter server`` in a subprocess, process runtime) answers every
operation of ``GET /mlstudio/api/openapi.json`` with requests that schemathesis derives
from the document: valid ones and invalid ones (wrong types, missing fields, values out
of range, odd strings, undocumented methods), its boundary cases first, then random
examples. The run is reproducible (a fixed seed, derandomized) and bounded (a fixed
number of random examples per operation; about a minute on two cores). Every answer must

* not be a server error (5xx);
* have a status code the operation documents, the documented content type, and a body
  that matches the documented schema.

To get past "no such resource" and "invalid name" into the rules behind them, names in
paths, queries and bodies are drawn half of the time from resources that exist (an
experiment, a trial, a run with a metric and a file; an operation that deletes one gets
it back for the next example), names at the top of a body are given a valid fresh value
half of the time, and strings and numbers are sometimes edge values (the ends of the
datetime and number ranges, path-like and number-like strings).

Operations that start work (training, processing and transform jobs, endpoints) are
fuzzed like the others rather than left out: the studio runs them on the process
runtime, and when the fuzzing ends every job is stopped and every endpoint deleted, and
the test waits until none is left running, so nothing outlives the test.

A second pass sends only requests the document rules out (schemathesis' negative mode):
each must be refused with a 4xx and leave every table of the studio's database and every
artifact file as it was (a digest before and after; a case is left out of the comparison
only while work started earlier is changing jobs or endpoints, at most 5% of them).

What this cannot find is tested where the rule lives: Hypothesis never draws lone
surrogates, deeply nested JSON or valid-looking crafted NextTokens (tests/server and
the store contract cover those).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis import checks

from jupyter_mlstudio.server.openapi import build_openapi
from tests.support.studio_server import StudioServer

#: Random examples per operation, after the boundary cases: with ~60 operations the
#: whole run takes about a minute on two cores.
MAX_EXAMPLES = 20
SEED = 19

EXPERIMENT, TRIAL, RUN, METRIC, FILE = "fuzz-e", "fuzz-t", "fuzz-r", "loss", "notes.txt"

#: Existing names the fuzzer uses half of the time, by parameter name (path, query and
#: body fields share names in this API).
KNOWN_NAMES: dict[str, list[str]] = {
    "ExperimentName": [EXPERIMENT],
    "TrialName": [TRIAL],
    "TrialComponentName": [RUN],
    "MetricName": [METRIC],
    "ArtifactPath": [FILE],
}

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def _call(studio: StudioServer, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(
        method,
        f"{studio.base_url}/{path}",
        headers={"Authorization": studio.authorization},
        timeout=60,
        **kwargs,
    )


def _seed(studio: StudioServer) -> None:
    """Create the known resources that are missing (idempotent)."""
    creates: list[tuple[str, dict[str, Any]]] = [
        ("experiments", {"ExperimentName": EXPERIMENT}),
        ("trials", {"TrialName": TRIAL, "ExperimentName": EXPERIMENT}),
        ("trial-components", {"TrialComponentName": RUN, "TrialName": TRIAL}),
    ]
    for collection, body in creates:
        status = _call(studio, "POST", collection, json=body).status_code
        assert status in (201, 409), (collection, status)
    membership = {"TrialComponentName": RUN}
    answer = _call(studio, "POST", f"trials/{TRIAL}/trial-components", json=membership)
    assert answer.status_code == 204, answer.text
    point = {"MetricName": METRIC, "Value": 0.5, "Step": 1}
    answer = _call(studio, "POST", f"trial-components/{RUN}/metrics", json={"MetricData": [point]})
    assert answer.status_code == 204, answer.text
    answer = _call(studio, "PUT", f"trial-components/{RUN}/artifacts/{FILE}", data=b"hello")
    assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StudioServer]:
    with StudioServer(tmp_path_factory.mktemp("fuzz")) as server:
        _seed(server)
        yield server
        _stop_everything(server)


#: Edge values every string, integer and number is drawn from now and then: the ends of
#: the ranges that the database, JSON and datetimes can hold, and strings that look like
#: tokens, paths and special numbers.
EDGE_VALUES: dict[str, list[Any]] = {
    "string": [
        "",
        " ",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59.999999-01:00",
        "NaN",
        "-Infinity",
        "1e400",
        "../..",
        "%2e%2e/x",
        "eyJhIjoxfQ",
        "x" * 5000,
    ],
    "integer": [0, -1, 2**31, 2**63, -(2**63) - 1, 10**30],
    "number": [0.0, -0.0, 1e-320, 1.7976931348623157e308, -1.7976931348623157e308, 2**64],
}


def _config(mode: str = "all") -> schemathesis.Config:
    dictionaries: dict[str, Any] = {
        name: {"values": values} for name, values in KNOWN_NAMES.items()
    }
    dictionaries.update({f"edge-{kind}": {"values": v} for kind, v in EDGE_VALUES.items()})
    bindings: dict[str, Any] = {}
    for name in KNOWN_NAMES:
        for location in ("path", "query", "body"):
            bindings[f"{location}.{name}"] = {"dictionary": name, "probability": 0.5}
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "dictionaries": dictionaries,
            "parameters": bindings,
            "generation": {
                "mode": mode,
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "dictionaries": {
                    kind: {"dictionary": f"edge-{kind}", "probability": 0.2} for kind in EDGE_VALUES
                },
            },
            "phases": {"examples": {"enabled": False}, "stateful": {"enabled": False}},
        }
    )


# The document the server serves (test_served_document_is_the_one_fuzzed checks that);
# built here because pytest collects one test per operation before any server starts.
schema = schemathesis.openapi.from_dict(build_openapi(), config=_config())
#: Only requests the document rules out (wrong types, missing members, out of range):
#: each must be refused and leave the store as it was.
refused = schemathesis.openapi.from_dict(build_openapi(), config=_config("negative"))

#: A valid name of any resource (SageMaker's rule), short enough for every kind.
VALID_NAME = st.from_regex(r"\Afuzz-[a-z0-9]{1,8}(-[a-z0-9]{1,8})?\Z")


@schema.hook
@refused.hook
def flatmap_body(context: schemathesis.HookContext, body: Any) -> st.SearchStrategy[Any]:
    """Give the names at the top of a body a valid value half of the time: the document
    does not state the names' pattern, so random names would almost never create
    anything and the rules behind creation would go untested."""
    if not isinstance(body, dict):
        return st.just(body)
    names = [key for key, value in body.items() if key.endswith("Name") and isinstance(value, str)]
    if not names:
        return st.just(body)
    return st.fixed_dictionaries(
        {key: st.one_of(st.just(body[key]), VALID_NAME) for key in names}
    ).map(lambda valid: {**body, **valid})


def test_served_document_is_the_one_fuzzed(studio: StudioServer) -> None:
    """What GET /openapi.json answers is what the operations below are built from."""
    answer = _call(studio, "GET", "openapi.json")
    assert answer.status_code == 200
    assert answer.json() == json.loads(json.dumps(build_openapi()))


@pytest.fixture
def known_resources(studio: StudioServer) -> StudioServer:
    """The studio, with the known resources that an earlier operation deleted back."""
    _seed(studio)
    return studio


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    """One connection pool for every fuzzed request."""
    with requests.Session() as session:
        yield session


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_fuzz(
    case: schemathesis.Case, known_resources: StudioServer, http: requests.Session
) -> None:
    studio = known_resources
    try:
        case.call_and_validate(
            base_url=f"http://127.0.0.1:{studio.port}",
            headers={"Authorization": studio.authorization},
            checks=CHECKS,
            timeout=60,
            session=http,
        )
    finally:
        if case.method.upper() == "DELETE":
            _seed(studio)


#: what the studio changes in the background while work started by earlier requests runs
LIVE_JOB = ("InProgress", "Stopping")
LIVE_ENDPOINT = ("Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting")
#: cases whose store comparison was left out because work was running (at most this share)
MAX_UNCOMPARED = 0.05
_compared = {"compared": 0, "uncompared": 0}


def _state(studio: StudioServer) -> tuple[dict[str, str], bool]:
    """A digest of every table of the studio's database and of its artifact files, and
    whether any job or endpoint was changing (the background may then write)."""
    database = sqlite3.connect(f"file:{studio.home / 'mlstudio.db'}?mode=ro", uri=True)
    try:
        tables = [
            row[0]
            for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        digests = {}
        for table in tables:
            rows = sorted(repr(row) for row in database.execute(f'SELECT * FROM "{table}"'))
            digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        live = database.execute(
            f"SELECT (SELECT count(*) FROM jobs WHERE status IN {LIVE_JOB})"
            f" + (SELECT count(*) FROM endpoints WHERE status IN {LIVE_ENDPOINT})"
        ).fetchone()[0]
    finally:
        database.close()
    artifacts = studio.home / "artifacts"
    files = sorted(
        f"{path.relative_to(artifacts)}:{path.stat().st_size}:{path.stat().st_mtime_ns}"
        for path in artifacts.rglob("*")
        if path.is_file()
    )
    digests["artifacts"] = hashlib.sha256("\n".join(files).encode()).hexdigest()
    return digests, bool(live)


@refused.parametrize()
@settings(
    max_examples=MAX_EXAMPLES // 4,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_refused_requests_change_nothing(
    case: schemathesis.Case, known_resources: StudioServer, http: requests.Session
) -> None:
    """A request the document rules out gets a 4xx (never a 5xx) and leaves every table
    and every artifact file as it was."""
    studio = known_resources
    before, live_before = _state(studio)
    try:
        response = case.call(
            base_url=f"http://127.0.0.1:{studio.port}",
            headers={"Authorization": studio.authorization},
            timeout=60,
            session=http,
        )
        case.validate_response(response, checks=CHECKS)
        if 400 <= response.status_code < 500:
            after, live_after = _state(studio)
            if live_before or live_after:
                _compared["uncompared"] += 1
            else:
                _compared["compared"] += 1
                changed = sorted(t for t in before if before[t] != after.get(t))
                assert not changed, (
                    f"{case.method} {case.formatted_path} was refused"
                    f" ({response.status_code}) but changed {changed}: {response.text[:300]}"
                )
    finally:
        if case.method.upper() == "DELETE":
            _seed(studio)


def test_the_state_sees_a_change(studio: StudioServer) -> None:
    """The comparison above can fail: a created record changes its table's digest."""
    before, _ = _state(studio)
    answer = _call(studio, "POST", "experiments", json={"ExperimentName": "fuzz-seen"})
    assert answer.status_code == 201, answer.text
    after, _ = _state(studio)
    assert _call(studio, "DELETE", "experiments/fuzz-seen").status_code in (200, 204)
    assert [t for t in before if before[t] != after[t]] == ["experiments"]


def test_refusals_were_compared() -> None:
    """Almost every refusal above was compared (work running leaves a case out)."""
    total = _compared["compared"] + _compared["uncompared"]
    if total == 0:
        pytest.skip("run with test_refused_requests_change_nothing")
    assert _compared["uncompared"] <= MAX_UNCOMPARED * total, _compared


JOB_KINDS = {
    "training-jobs": "TrainingJobSummaries",
    "processing-jobs": "ProcessingJobSummaries",
    "transform-jobs": "TransformJobSummaries",
}
ACTIVE_JOB = {"InProgress", "Stopping"}


def _listed(studio: StudioServer, collection: str, key: str) -> list[dict[str, Any]]:
    answer = _call(studio, "GET", collection, params={"MaxResults": 1000})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()[key]
    return items


def _stop_everything(studio: StudioServer, timeout: float = 120.0) -> None:
    """Stop the jobs and delete the endpoints the fuzzing started; wait until no job
    runs and no endpoint is left."""
    for kind, key in JOB_KINDS.items():
        for job in _listed(studio, kind, key):
            if job["Status"] == "InProgress":
                _call(studio, "POST", f"{kind}/{job['JobName']}/stop")
    for endpoint in _listed(studio, "endpoints", "Endpoints"):
        _call(studio, "DELETE", f"endpoints/{endpoint['EndpointName']}")
    deadline = time.monotonic() + timeout
    while True:
        running = [
            f"{kind}/{job['JobName']}"
            for kind, key in JOB_KINDS.items()
            for job in _listed(studio, kind, key)
            if job["Status"] in ACTIVE_JOB
        ]
        endpoints = [e["EndpointName"] for e in _listed(studio, "endpoints", "Endpoints")]
        if not running and not endpoints:
            return
        assert time.monotonic() < deadline, f"still running: {running}, endpoints: {endpoints}"
        time.sleep(0.5)
