"""A structural checker of SageMaker's pipeline definition JSON (Version ``2020-12-01``),
written from SageMaker's documented definition schema and the shapes SageMaker's SDK
emits where the two differ (``In`` conditions carry ``QueryValue``/``Values``, retry
policies a list of ``ExceptionType``, ``Not`` conditions exist, ``PipelineExperimentConfig``
is written at the top): required keys, JSON types, and the forms of references
(``{"Get": "Steps.<step>..."}``, ``{"Get": "Parameters.<name>"}``,
``{"Get": "Execution.<name>"}``, ``{"Std:Join": ...}``, ``{"Std:JsonGet": ...}``).

The tests of this module check the checker itself: it refuses what SageMaker refuses.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

NAME = r"^[A-Za-z0-9\-_]{1,64}$"


def _value(*json_types: str) -> dict[str, Any]:
    """A value of these JSON types, or a reference or function that yields one."""
    return {
        "anyOf": [
            *({"type": t} for t in json_types),
            {"$ref": "#/definitions/Get"},
            {"$ref": "#/definitions/Join"},
            {"$ref": "#/definitions/JsonGet"},
        ]
    }


STRING = _value("string")
INTEGER = _value("integer")
NUMBER = _value("number")
BOOLEAN = _value("boolean")
ANY_VALUE = _value("string", "number", "boolean")


def _obj(required: list[str], properties: dict[str, Any], closed: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "required": required, "properties": properties}
    if closed:
        schema["additionalProperties"] = False
    return schema


def _step(step_type: str, arguments: dict[str, Any], *, cached: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "Name": {"type": "string", "pattern": NAME},
        "Type": {"const": step_type},
        "Arguments": arguments,
        "DependsOn": {"type": "array", "items": {"type": "string", "pattern": NAME}},
        "DisplayName": {"type": "string"},
        "Description": {"type": "string", "maxLength": 3072},
        "RetryPolicies": {"type": "array", "items": {"$ref": "#/definitions/RetryPolicy"}},
    }
    if cached:
        properties["CacheConfig"] = _obj(
            ["Enabled"], {"Enabled": {"type": "boolean"}, "ExpireAfter": {"type": "string"}}, True
        )
    if step_type == "Processing":
        properties["PropertyFiles"] = {
            "type": "array",
            "items": _obj(
                ["PropertyFileName", "OutputName", "FilePath"],
                {
                    "PropertyFileName": {"type": "string"},
                    "OutputName": {"type": "string"},
                    "FilePath": {"type": "string"},
                },
                True,
            ),
        }
    return _obj(["Name", "Type", "Arguments"], properties, True)


METRICS_SOURCE = _obj(
    ["ContentType", "S3Uri"], {"ContentType": STRING, "S3Uri": STRING, "ContentDigest": STRING}
)
CONTAINER = _obj(
    [],
    {
        "Image": STRING,
        "ModelDataUrl": STRING,
        "Environment": {"type": "object", "additionalProperties": STRING},
    },
)

DEFINITION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["Version", "Steps"],
    "additionalProperties": False,
    "properties": {
        "Version": {"const": "2020-12-01"},
        "Metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        "Parameters": {"type": "array", "items": {"$ref": "#/definitions/Parameter"}},
        "PipelineExperimentConfig": {
            "oneOf": [
                {"type": "null"},
                _obj(
                    ["ExperimentName", "TrialName"], {"ExperimentName": STRING, "TrialName": STRING}
                ),
            ]
        },
        "Steps": {"type": "array", "items": {"$ref": "#/definitions/Step"}},
    },
    "definitions": {
        "Get": _obj(
            ["Get"],
            {
                "Get": {
                    "type": "string",
                    "pattern": r"^(Steps\.[A-Za-z0-9\-_]{1,64}(\..+)?"
                    r"|Parameters\.[A-Za-z0-9\-_]{1,64}"
                    r"|Execution\.[A-Za-z]+"
                    r"|PipelineExperimentConfig\.(ExperimentName|TrialName))$",
                }
            },
            True,
        ),
        "Join": _obj(
            ["Std:Join"],
            {
                "Std:Join": _obj(
                    ["On", "Values"],
                    {"On": {"type": "string"}, "Values": {"type": "array", "items": ANY_VALUE}},
                    True,
                )
            },
            True,
        ),
        "JsonGet": _obj(
            ["Std:JsonGet"],
            {
                "Std:JsonGet": {
                    "oneOf": [
                        _obj(
                            ["PropertyFile", "Path"],
                            {
                                "PropertyFile": _obj(
                                    ["Get"],
                                    {
                                        "Get": {
                                            "type": "string",
                                            "pattern": r"^Steps\.[A-Za-z0-9\-_]{1,64}"
                                            r"\.PropertyFiles\.[A-Za-z0-9\-_]+$",
                                        }
                                    },
                                    True,
                                ),
                                "Path": {"type": "string"},
                            },
                            True,
                        ),
                        _obj(
                            ["S3Uri", "Path"],
                            {"S3Uri": {"$ref": "#/definitions/Join"}, "Path": {"type": "string"}},
                            True,
                        ),
                    ]
                }
            },
            True,
        ),
        "Parameter": {
            "oneOf": [
                _obj(
                    ["Name", "Type"],
                    {
                        "Name": {"type": "string", "pattern": NAME},
                        "Type": {"const": kind},
                        "DefaultValue": {"type": json_type},
                        **({"EnumValues": {"type": "array"}} if kind == "String" else {}),
                    },
                    True,
                )
                for kind, json_type in (
                    ("String", "string"),
                    ("Integer", "integer"),
                    ("Float", "number"),
                    ("Boolean", "boolean"),
                )
            ]
        },
        "RetryPolicy": _obj(
            ["ExceptionType", "IntervalSeconds", "BackoffRate"],
            {
                "ExceptionType": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "enum": [
                            "Step.SERVICE_FAULT",
                            "Step.THROTTLING",
                            "SageMaker.JOB_INTERNAL_ERROR",
                            "SageMaker.CAPACITY_ERROR",
                            "SageMaker.RESOURCE_LIMIT",
                        ]
                    },
                },
                "IntervalSeconds": {"type": "integer"},
                "BackoffRate": {"type": "number"},
                "MaxAttempts": {"type": "integer"},
                "ExpireAfterMin": {"type": "integer"},
            },
            True,
        ),
        "Condition": {
            "oneOf": [
                _obj(
                    ["Type", "LeftValue", "RightValue"],
                    {"Type": {"const": "Equals"}, "LeftValue": ANY_VALUE, "RightValue": ANY_VALUE},
                    True,
                ),
                _obj(
                    ["Type", "LeftValue", "RightValue"],
                    {
                        "Type": {
                            "enum": [
                                "GreaterThan",
                                "GreaterThanOrEqualTo",
                                "LessThan",
                                "LessThanOrEqualTo",
                            ]
                        },
                        "LeftValue": NUMBER,
                        "RightValue": NUMBER,
                    },
                    True,
                ),
                _obj(
                    ["Type", "QueryValue", "Values"],
                    {
                        "Type": {"const": "In"},
                        "QueryValue": ANY_VALUE,
                        "Values": {"type": "array", "items": ANY_VALUE},
                    },
                    True,
                ),
                _obj(
                    ["Type", "Condition"],
                    {"Type": {"const": "Not"}, "Condition": {"$ref": "#/definitions/Condition"}},
                    True,
                ),
                _obj(
                    ["Type", "Conditions"],
                    {
                        "Type": {"const": "Or"},
                        "Conditions": {
                            "type": "array",
                            "items": {"$ref": "#/definitions/Condition"},
                        },
                    },
                    True,
                ),
            ]
        },
        "Step": {
            "oneOf": [
                {"$ref": f"#/definitions/{kind}Step"}
                for kind in (
                    "Training",
                    "Processing",
                    "Transform",
                    "Tuning",
                    "Model",
                    "RegisterModel",
                    "Condition",
                    "Fail",
                )
            ]
        },
        "TrainingStep": _step(
            "Training",
            _obj(
                ["AlgorithmSpecification", "ResourceConfig", "StoppingCondition"],
                {
                    "AlgorithmSpecification": _obj(
                        ["TrainingInputMode"],
                        {"TrainingInputMode": STRING, "TrainingImage": STRING},
                    ),
                    "HyperParameters": {"type": "object", "additionalProperties": STRING},
                    "InputDataConfig": {
                        "type": "array",
                        "items": _obj(
                            ["ChannelName", "DataSource"],
                            {
                                "ChannelName": {"type": "string"},
                                "DataSource": _obj(
                                    ["S3DataSource"],
                                    {
                                        "S3DataSource": _obj(
                                            ["S3Uri", "S3DataType"],
                                            {"S3Uri": STRING, "S3DataType": STRING},
                                        )
                                    },
                                ),
                            },
                        ),
                    },
                    "ResourceConfig": _obj(
                        ["InstanceType", "InstanceCount"],
                        {"InstanceType": STRING, "InstanceCount": INTEGER},
                    ),
                    "StoppingCondition": _obj([], {"MaxRuntimeInSeconds": INTEGER}),
                    "OutputDataConfig": _obj(["S3OutputPath"], {"S3OutputPath": STRING}),
                    "Environment": {"type": "object", "additionalProperties": STRING},
                },
            ),
            cached=True,
        ),
        "ProcessingStep": _step(
            "Processing",
            _obj(
                ["AppSpecification", "ProcessingResources"],
                {
                    "AppSpecification": _obj(
                        [],
                        {
                            "ImageUri": STRING,
                            "ContainerEntrypoint": {"type": "array", "items": STRING},
                            "ContainerArguments": {"type": "array", "items": STRING},
                        },
                        True,
                    ),
                    "ProcessingInputs": {
                        "type": "array",
                        "items": _obj(
                            ["InputName", "S3Input"],
                            {
                                "InputName": {"type": "string"},
                                "S3Input": _obj(
                                    ["S3Uri", "LocalPath"], {"S3Uri": STRING, "LocalPath": STRING}
                                ),
                            },
                        ),
                    },
                    "ProcessingOutputConfig": _obj(
                        ["Outputs"],
                        {
                            "Outputs": {
                                "type": "array",
                                "items": _obj(
                                    ["OutputName", "S3Output"],
                                    {
                                        "OutputName": {"type": "string"},
                                        "S3Output": _obj(
                                            ["LocalPath"], {"LocalPath": STRING, "S3Uri": STRING}
                                        ),
                                    },
                                ),
                            }
                        },
                    ),
                    "ProcessingResources": _obj(
                        ["ClusterConfig"],
                        {
                            "ClusterConfig": _obj(
                                ["InstanceCount", "InstanceType"],
                                {"InstanceCount": INTEGER, "InstanceType": STRING},
                            )
                        },
                    ),
                    "Environment": {"type": "object", "additionalProperties": STRING},
                },
            ),
            cached=True,
        ),
        "TransformStep": _step(
            "Transform",
            _obj(
                ["ModelName", "TransformInput", "TransformOutput", "TransformResources"],
                {
                    "ModelName": STRING,
                    "TransformInput": _obj(
                        ["DataSource"],
                        {
                            "DataSource": _obj(
                                ["S3DataSource"],
                                {
                                    "S3DataSource": _obj(
                                        ["S3Uri", "S3DataType"],
                                        {"S3Uri": STRING, "S3DataType": STRING},
                                    )
                                },
                            )
                        },
                    ),
                    "TransformOutput": _obj([], {"S3OutputPath": STRING}),
                    "TransformResources": _obj(
                        ["InstanceType", "InstanceCount"],
                        {"InstanceType": STRING, "InstanceCount": INTEGER},
                    ),
                },
            ),
            cached=True,
        ),
        "TuningStep": _step(
            "Tuning",
            _obj(
                ["HyperParameterTuningJobConfig", "TrainingJobDefinition"],
                {
                    "HyperParameterTuningJobConfig": _obj(
                        ["Strategy", "ResourceLimits", "ParameterRanges"],
                        {
                            "Strategy": {"enum": ["Bayesian", "Random", "Hyperband", "Grid"]},
                            "HyperParameterTuningJobObjective": _obj(
                                ["Type", "MetricName"],
                                {"Type": {"enum": ["Maximize", "Minimize"]}, "MetricName": STRING},
                            ),
                            "ResourceLimits": _obj(
                                ["MaxParallelTrainingJobs"],
                                {
                                    "MaxNumberOfTrainingJobs": INTEGER,
                                    "MaxParallelTrainingJobs": INTEGER,
                                },
                            ),
                            "ParameterRanges": {"type": "object"},
                        },
                    ),
                    "TrainingJobDefinition": _obj(
                        ["AlgorithmSpecification", "ResourceConfig"],
                        {"StaticHyperParameters": {"type": "object"}},
                    ),
                },
            ),
            cached=True,
        ),
        "ModelStep": _step(
            "Model",
            {
                "oneOf": [
                    _obj(["PrimaryContainer"], {"PrimaryContainer": CONTAINER}),
                    _obj(["Containers"], {"Containers": {"type": "array", "items": CONTAINER}}),
                ]
            },
        ),
        "RegisterModelStep": _step(
            "RegisterModel",
            _obj(
                ["InferenceSpecification", "ModelApprovalStatus"],
                {
                    "ModelPackageGroupName": STRING,
                    "InferenceSpecification": _obj(
                        ["Containers"],
                        {
                            "Containers": {"type": "array", "minItems": 1, "items": CONTAINER},
                            **{
                                key: {"type": "array", "items": STRING}
                                for key in (
                                    "SupportedContentTypes",
                                    "SupportedResponseMIMETypes",
                                    "SupportedRealtimeInferenceInstanceTypes",
                                    "SupportedTransformInstanceTypes",
                                )
                            },
                        },
                        True,
                    ),
                    "ModelApprovalStatus": {
                        "anyOf": [
                            {"enum": ["PendingManualApproval", "Approved", "Rejected"]},
                            {"$ref": "#/definitions/Get"},
                        ]
                    },
                    "ModelMetrics": _obj(
                        [],
                        {
                            "ModelQuality": _obj(
                                [], {"Statistics": METRICS_SOURCE, "Constraints": METRICS_SOURCE}
                            ),
                        },
                    ),
                    "CustomerMetadataProperties": {
                        "type": "object",
                        "additionalProperties": STRING,
                    },
                },
            ),
        ),
        "ConditionStep": _step(
            "Condition",
            _obj(
                ["Conditions"],
                {
                    "Conditions": {"type": "array", "items": {"$ref": "#/definitions/Condition"}},
                    "IfSteps": {"type": "array", "items": {"$ref": "#/definitions/Step"}},
                    "ElseSteps": {"type": "array", "items": {"$ref": "#/definitions/Step"}},
                },
                True,
            ),
        ),
        "FailStep": _step("Fail", _obj([], {"ErrorMessage": STRING}, True)),
    },
}


def check_definition_schema(definition: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``definition`` has SageMaker's shape."""
    jsonschema.Draft7Validator(DEFINITION_SCHEMA).validate(definition)


# -- the checker refuses what SageMaker refuses ---------------------------------------------

GOOD: dict[str, Any] = {
    "Version": "2020-12-01",
    "Metadata": {},
    "Parameters": [{"Name": "Threshold", "Type": "Float", "DefaultValue": 0.7}],
    "PipelineExperimentConfig": {
        "ExperimentName": {"Get": "Execution.PipelineName"},
        "TrialName": {"Get": "Execution.PipelineExecutionId"},
    },
    "Steps": [
        {
            "Name": "Check",
            "Type": "Condition",
            "Arguments": {
                "Conditions": [
                    {
                        "Type": "GreaterThanOrEqualTo",
                        "LeftValue": {
                            "Std:JsonGet": {
                                "PropertyFile": {"Get": "Steps.Eval.PropertyFiles.Report"},
                                "Path": "accuracy",
                            }
                        },
                        "RightValue": {"Get": "Parameters.Threshold"},
                    }
                ],
                "IfSteps": [],
                "ElseSteps": [
                    {
                        "Name": "Stop",
                        "Type": "Fail",
                        "Arguments": {
                            "ErrorMessage": {
                                "Std:Join": {
                                    "On": " ",
                                    "Values": ["below", {"Get": "Parameters.Threshold"}],
                                }
                            }
                        },
                    }
                ],
            },
        }
    ],
}


def test_the_checker_accepts_a_well_formed_definition() -> None:
    check_definition_schema(GOOD)


def _broken(change: Any) -> dict[str, Any]:
    definition = copy.deepcopy(GOOD)
    change(definition)
    return definition


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d.pop("Version"), id="no Version"),
        pytest.param(lambda d: d.update(Version="2021-01-01"), id="another Version"),
        pytest.param(lambda d: d.update(Extra=1), id="unknown top-level key"),
        pytest.param(lambda d: d["Parameters"][0].update(DefaultValue="x"), id="float default"),
        pytest.param(lambda d: d["Parameters"][0].update(Type="Double"), id="parameter type"),
        pytest.param(lambda d: d["Steps"][0].update(Type="Branch"), id="step type"),
        pytest.param(lambda d: d["Steps"][0].pop("Arguments"), id="no Arguments"),
        pytest.param(lambda d: d["Steps"][0].update(Name="has space"), id="step name"),
        pytest.param(
            lambda d: d["Steps"][0]["Arguments"]["Conditions"][0].update(RightValue="0.7"),
            id="ordering comparison of a string",
        ),
        pytest.param(
            lambda d: d["Steps"][0]["Arguments"]["Conditions"][0].update(
                RightValue={"Get": "Params.Threshold"}
            ),
            id="reference of no known root",
        ),
        pytest.param(
            lambda d: d["Steps"][0]["Arguments"]["Conditions"][0]["LeftValue"][
                "Std:JsonGet"
            ].update(PropertyFile={"Get": "Steps.Eval.Report"}),
            id="JsonGet of no property file",
        ),
        pytest.param(
            lambda d: d["Steps"][0]["Arguments"]["ElseSteps"][0]["Arguments"].update(
                ErrorMessage=["a"]
            ),
            id="error message list",
        ),
        pytest.param(
            lambda d: d["Steps"][0].update(
                RetryPolicies=[{"ExceptionType": "Step.THROTTLING", "IntervalSeconds": 1}]
            ),
            id="retry policy shape",
        ),
    ],
)
def test_the_checker_refuses_what_sagemaker_refuses(change: Any) -> None:
    with pytest.raises(jsonschema.ValidationError):
        check_definition_schema(_broken(change))
