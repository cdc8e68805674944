"""The pure parts of batch transform: JSONPath filters, splitting, batching, answers split
per record, joins, assembling, manifests, and the request checks that need no store."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.services.jobs.transform.records import (
    ROOT,
    Indexes,
    JsonPath,
    Names,
    Record,
    RecordError,
    assemble,
    batch_records,
    body_of,
    filter_input,
    output_record,
    parse_json_path,
    parse_manifest,
    record_format,
    select,
    split_answer,
    split_records,
)
from jupyter_mlstudio.services.jobs.transform.requests import (
    CreateTransformJobRequest,
    check_transform_request,
)


def path(text: str) -> JsonPath:
    return parse_json_path(text, field="F")


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("$", ()),
        ("", ()),
        ("$[1:]", (Indexes((slice(1, None),)),)),
        ("$[0,-1]", (Indexes((0, -1)),)),
        ("$[0,5:]", (Indexes((0, slice(5, None))),)),
        ("$[:2]", (Indexes((slice(None, 2),)),)),
        ("$[*]", (Indexes((slice(None),)),)),
        ("$[2]", (Indexes((2,)),)),
        ("$.features", (Names(("features",)),)),
        ("$['id','SageMakerOutput']", (Names(("id", "SageMakerOutput")),)),
        ('$["a"].b[0]', (Names(("a",)), Names(("b",)), Indexes((0,)))),
    ],
)
def test_json_paths_parse(text: str, steps: tuple[object, ...]) -> None:
    assert path(text).steps == steps


@pytest.mark.parametrize("text", ["features", "$..a", "$[?(@.a)]", "$[1:5:2]", "$[]", "$.", "$[a]"])
def test_unsupported_json_paths_name_the_field(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_json_path(text, field="DataProcessing.InputFilter")
    assert info.value.field == "DataProcessing.InputFilter"


def test_select() -> None:
    row = ["a", "b", "c", "d"]
    assert select(row, path("$[1:]")) == ["b", "c", "d"]
    assert select(row, path("$[0,-1]")) == ["a", "d"]
    assert select(row, path("$[0,2:]")) == ["a", "c", "d"]
    assert select(row, path("$[1]")) == "b"
    obj = {"id": 1, "features": [[1, 2]], "SageMakerOutput": 0}
    assert select(obj, path("$.features")) == [[1, 2]]
    assert select(obj, path("$['id','SageMakerOutput']")) == {"id": 1, "SageMakerOutput": 0}
    assert select(obj, path("$.features[0][1]")) == 2
    assert select(obj, ROOT) is obj
    with pytest.raises(RecordError, match="out of range"):
        select(row, path("$[7]"))
    with pytest.raises(RecordError, match="no key 'nope'"):
        select(obj, path("$.nope"))
    with pytest.raises(RecordError, match="not an array"):
        select(obj, path("$[0]"))
    with pytest.raises(RecordError, match="has no keys"):
        select(row, path("$.id"))


def test_record_formats() -> None:
    assert record_format("text/csv; charset=utf-8") == "csv"
    assert record_format("application/json") == "json"
    assert record_format("application/jsonlines") == "json"
    assert record_format("application/vnd+json") == "json"
    assert record_format("application/x-npy") == "bytes"
    assert record_format(None) == "bytes"


def test_input_filters() -> None:
    assert filter_input(b"id-1,0.5,2", path("$[1:]"), "csv") == b"0.5,2"
    assert filter_input(b'x,"a,b",3', path("$[1]"), "csv") == b'"a,b"'
    assert filter_input(b"1,2", ROOT, "csv") == b"1,2"
    assert filter_input(b'{"id": 3, "f": [[1, 2]]}', path("$.f"), "json") == b"[[1,2]]"
    with pytest.raises(RecordError, match="not JSON"):
        filter_input(b"{oops", path("$.f"), "json")


def test_csv_joins_and_output_filters() -> None:
    def out(record: bytes, answer: bytes, **kw: object) -> bytes:
        options: dict[str, object] = {
            "input_format": "csv",
            "output_format": "csv",
            "join": True,
            "output_filter": ROOT,
        }
        options.update(kw)
        return output_record(record, answer, **options)  # type: ignore[arg-type]

    assert out(b"id-1,0.5,2.0", b"1") == b"id-1,0.5,2.0,1"
    assert out(b"id-1,0.5,2.0", b"0.2,0.8") == b"id-1,0.5,2.0,0.2,0.8"
    assert out(b"id-1,0.5,2.0", b"1", output_filter=path("$[0,-1]")) == b"id-1,1"
    assert out(b"id-1,0.5", b"[0.2,0.8]", output_format="json") == b"id-1,0.5,0.2,0.8"
    assert out(b"id-1,0.5", b"0.7", join=False, output_filter=path("$[0]")) == b"0.7"
    assert out(b"a", b"1", output_format="json", join=False) == b"1"
    with pytest.raises(RecordError, match="out of range"):
        out(b"a,b", b"1", output_filter=path("$[9]"))


def test_json_joins() -> None:
    def out(record: bytes, answer: bytes, **kw: object) -> object:
        options: dict[str, object] = {
            "input_format": "json",
            "output_format": "json",
            "join": True,
            "output_filter": ROOT,
        }
        options.update(kw)
        return json.loads(output_record(record, answer, **options))  # type: ignore[arg-type]

    assert out(b'{"id": 1, "x": [2]}', b"[0]") == {"id": 1, "x": [2], "SageMakerOutput": [0]}
    assert out(b"[1, 2]", b"7") == {"SageMakerInput": [1, 2], "SageMakerOutput": 7}
    assert out(b'{"id": 1, "x": 2}', b"0.2,0.8", output_format="csv") == {
        "id": 1,
        "x": 2,
        "SageMakerOutput": [0.2, 0.8],
    }
    assert out(b'{"id": 1}', b"cat", output_format="csv") == {"id": 1, "SageMakerOutput": "cat"}
    assert out(b'{"id": 1, "x": 2}', b"5", output_filter=path("$['id','SageMakerOutput']")) == {
        "id": 1,
        "SageMakerOutput": 5,
    }
    with pytest.raises(RecordError, match="answer is not JSON"):
        out(b'{"id": 1}', b"{nope")


def test_split_records() -> None:
    data = b"a,1\r\nb,2\n\n  \nc,3"
    assert list(split_records(io.BytesIO(data), "Line")) == [(1, b"a,1"), (2, b"b,2"), (3, b"c,3")]
    assert list(split_records(io.BytesIO(data), "None")) == [(1, data)]
    assert list(split_records(io.BytesIO(b""), "None")) == []
    assert list(split_records(io.BytesIO(b""), "Line")) == []


def _records(*sizes: int) -> list[Record]:
    return [Record(i + 1, b"x" * n, b"x" * n) for i, n in enumerate(sizes)]


def test_batches() -> None:
    records = _records(3, 3, 3, 3, 3)
    single = list(batch_records(records, "SingleRecord", 100, "Line"))
    assert [[r.number for r in b] for b in single] == [[1], [2], [3], [4], [5]]
    # each record costs its bytes and a newline: 4 bytes, so 2 fit in 9 bytes
    multi = list(batch_records(records, "MultiRecord", 9, "Line"))
    assert [[r.number for r in b] for b in multi] == [[1, 2], [3, 4], [5]]
    assert body_of(multi[0], "Line") == b"xxx\nxxx\n"
    assert body_of(records[:1], "None") == b"xxx"
    # a record too big for the payload is alone and has an error; one with an error too
    odd = [*_records(3, 20, 3), Record(4, b"bad", b"", error="filter failed"), *_records(3)]
    batches = list(batch_records(odd, "MultiRecord", 9, "Line"))
    assert [[r.number for r in b] for b in batches] == [[1], [2], [3], [4], [1]]
    assert batches[1][0].error is not None
    assert "21 bytes" in batches[1][0].error
    assert batches[3][0].error == "filter failed"


def test_split_answers() -> None:
    assert split_answer(b"1\n0\n1\n", 3, "csv") == [b"1", b"0", b"1"]
    assert split_answer(b"1\r\n0\r\n", 2, "csv") == [b"1", b"0"]
    assert split_answer(b"[1,0,1]", 3, "json") == [b"1", b"0", b"1"]
    assert split_answer(b'[[0.1,0.9],{"a":1}]', 2, "json") == [b"[0.1,0.9]", b'{"a":1}']
    assert split_answer(b"[1]\n", 1, "json") == [b"[1]"]
    assert split_answer(b'{"a":1}\n{"a":2}\n', 2, "json") == [b'{"a":1}', b'{"a":2}']
    with pytest.raises(RecordError, match="answered 2 lines for 3 records"):
        split_answer(b"1\n0\n", 3, "csv")


def test_assemble() -> None:
    assert assemble(b"1\n", "Line") == b"1\n"
    assert assemble(b"1", "Line") == b"1\n"
    assert assemble(b"1\r\n", "Line") == b"1\n"
    assert assemble(b"1\n0\n", "Line") == b"1\n0\n"
    assert assemble(b"1\n", "None") == b"1\n"
    assert assemble(b"[1]", "None") == b"[1]"


def test_manifests() -> None:
    prefix, keys = parse_manifest(b'[{"prefix": "s3://b/p/"}, "a.csv", "/sub/b.csv"]', field="F")
    assert prefix == "s3://b/p/"
    assert keys == ["a.csv", "sub/b.csv"]
    for bad in (
        b"{}",
        b"[]",
        b'[{"prefix": "s3://b/"}]',
        b'["a"]',
        b"nope",
        b'[{"prefix": "/x"}, "../up"]',
    ):
        with pytest.raises(ValidationError) as info:
            parse_manifest(bad, field="F")
        assert info.value.field == "F"


def test_request_defaults_and_checks(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("1\n")
    body = {
        "TransformJobName": "t",
        "ModelName": "m",
        "TransformInput": {"DataSource": {"S3DataSource": {"S3Uri": str(data)}}},
    }
    settings = check_transform_request(CreateTransformJobRequest.model_validate(body))
    assert settings.split_type == "None"
    assert settings.assemble_with == "None"
    assert settings.strategy is None
    assert settings.max_payload_mb is None
    assert settings.max_concurrent is None
    assert settings.timeout_s == 600
    assert settings.max_retries == 3
    assert settings.output_uri is None
    assert not settings.per_record
    zero = CreateTransformJobRequest.model_validate({**body, "MaxConcurrentTransforms": 0})
    assert check_transform_request(zero).max_concurrent is None  # 0: the default
    for change, field in (
        (
            {"ModelClientConfig": {"InvocationsTimeoutInSeconds": 0}},
            "ModelClientConfig.InvocationsTimeoutInSeconds",
        ),
        (
            {"ModelClientConfig": {"InvocationsMaxRetries": 4}},
            "ModelClientConfig.InvocationsMaxRetries",
        ),
        ({"MaxConcurrentTransforms": -1}, "MaxConcurrentTransforms"),
        (
            {
                "TransformInput": {
                    "DataSource": {
                        "S3DataSource": {"S3Uri": str(data), "S3DataType": "AugmentedManifestFile"}
                    }
                }
            },
            "TransformInput.DataSource.S3DataSource.S3DataType",
        ),
        (
            {
                "TransformInput": {
                    "DataSource": {
                        "S3DataSource": {"S3Uri": str(data), "S3DataType": "ManifestFile"}
                    }
                }
            },
            "TransformInput.DataSource.S3DataSource.S3Uri",
        ),
        ({"TransformOutput": {"S3OutputPath": "ftp://x"}}, "TransformOutput.S3OutputPath"),
        (
            {
                "TransformInput": {
                    "DataSource": {"S3DataSource": {"S3Uri": str(data)}},
                    "ContentType": "text/csv",
                },
                "DataProcessing": {"JoinSource": "Input", "OutputFilter": "$.id"},
            },
            "DataProcessing.OutputFilter",
        ),
    ):
        request = CreateTransformJobRequest.model_validate({**body, **change})
        with pytest.raises(ValidationError) as info:
            check_transform_request(request)
        assert info.value.field == field, (field, info.value.message)
