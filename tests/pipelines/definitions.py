"""Pipeline definitions as JSON dicts (written by hand: the tests do not use the SDK)."""

from __future__ import annotations

import json
from typing import Any

VERSION = "2020-12-01"


def processing(name: str, **extra: Any) -> dict[str, Any]:
    """A processing step writing output ``evaluation`` with property file ``Report``."""
    return {
        "Name": name,
        "Type": "Processing",
        "Arguments": {
            "ProcessingOutputConfig": {
                "Outputs": [{"OutputName": "evaluation", "S3Output": {"S3Uri": "file:///e"}}]
            }
        },
        "PropertyFiles": [
            {"PropertyFileName": "Report", "OutputName": "evaluation", "FilePath": "e.json"}
        ],
        **extra,
    }


def training(name: str, **arguments: Any) -> dict[str, Any]:
    return {"Name": name, "Type": "Training", "Arguments": arguments}


def definition(*steps: dict[str, Any], parameters: list[dict[str, Any]] | None = None) -> str:
    """The definition's JSON text."""
    return json.dumps({"Version": VERSION, "Parameters": parameters or [], "Steps": list(steps)})


def pipeline_of_four() -> str:
    """Prepare → Train → Evaluate → a condition on the report's accuracy that fails or not."""
    condition = {
        "Name": "Check",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [
                {
                    "Type": "GreaterThanOrEqualTo",
                    "LeftValue": {
                        "Std:JsonGet": {
                            "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"},
                            "Path": "accuracy",
                        }
                    },
                    "RightValue": {"Get": "Parameters.Threshold"},
                }
            ],
            "IfSteps": [],
            "ElseSteps": [
                {"Name": "TooLow", "Type": "Fail", "Arguments": {"ErrorMessage": "too low"}}
            ],
        },
    }
    return definition(
        processing("Prepare"),
        training(
            "Train",
            HyperParameters={"epochs": {"Get": "Parameters.Epochs"}},
            InputDataConfig=[
                {
                    "DataSource": {
                        "S3DataSource": {
                            "S3Uri": {
                                "Get": "Steps.Prepare.ProcessingOutputConfig"
                                ".Outputs['evaluation'].S3Output.S3Uri"
                            }
                        }
                    }
                }
            ],
        ),
        processing(
            "Evaluate",
            DependsOn=["Train"],
        ),
        condition,
        parameters=[
            {"Name": "Threshold", "Type": "Float", "DefaultValue": 0.5},
            {"Name": "Epochs", "Type": "Integer", "DefaultValue": 2},
        ],
    )
