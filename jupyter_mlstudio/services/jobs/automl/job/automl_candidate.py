"""An AutoML candidate's training job: fit one pipeline, score it on the holdout, save it.

The entry point of every candidate (script mode). Channels: ``train`` and ``validation``
(the split the AutoML job made, CSV with a header) and ``analysis`` (``analysis.json``);
hyperparameters: ``preprocessing``, ``algorithm``, the algorithm's own (JSON values) and
``objective``. It prints one ``metric <name>=<value>`` line per holdout metric (the
training job's metric definitions read them) and writes to the model folder the fitted
feature transform and estimator and, under ``code/``, what the two containers of the
inference pipeline serve them with.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import joblib
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

try:  # imported by the studio
    from . import automl_pipeline as ap
except ImportError:  # run as a script, or loaded by the model server, from its folder
    import automl_pipeline as ap  # type: ignore[no-redef]

#: the files of the model folder
TRANSFORM_FILE = "feature-transform.joblib"
ESTIMATOR_FILE = "estimator.joblib"
ANALYSIS_FILE = "analysis.json"
CODE_FILES = ("automl_pipeline.py", "automl_inference.py")


def _channel(name: str) -> Path:
    return Path(os.environ.get(f"SM_CHANNEL_{name.upper()}", f"/opt/ml/input/data/{name}"))


def _csv_in(folder: Path) -> Path:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    if not files:
        raise SystemExit(f"channel folder {folder} is empty")
    return files[0]


def main() -> None:
    hyperparameters = json.loads(os.environ.get("SM_HPS", "{}"))
    values = {k: v if isinstance(v, str) else json.dumps(v) for k, v in hyperparameters.items()}
    spec = ap.CandidateSpec.from_hyperparameters(values)
    analysis = ap.Analysis.from_json((_channel("analysis") / ANALYSIS_FILE).read_text())
    train = ap.read_table(_csv_in(_channel("train")))
    holdout = ap.read_table(_csv_in(_channel("validation")))
    print(f"candidate: {ap.describe_spec(spec)}", flush=True)
    print(
        f"{analysis.problem_type}: {len(train)} training rows, {len(holdout)} holdout rows,"
        f" {len(analysis.features())} features",
        flush=True,
    )
    began = time.monotonic()
    transform = ap.build_preprocessor(spec.preprocessing, analysis)
    x_train = transform.fit_transform(ap.prepare_features(train, analysis))
    estimator = ap.build_estimator(spec, analysis.problem_type)
    threads = int(os.environ.get("OMP_NUM_THREADS") or 0)
    if threads > 0:  # candidates share the machine: the forests' share, as OpenMP's
        estimator.set_params(
            **{k: threads for k in estimator.get_params() if k.split("__")[-1] == "n_jobs"}
        )
    estimator.fit(x_train, ap.target_values(train, analysis))
    print(f"fitted in {time.monotonic() - began:.2f}s", flush=True)
    x_holdout = transform.transform(ap.prepare_features(holdout, analysis))
    predicted = estimator.predict(x_holdout)
    probabilities = None
    classes = None
    if analysis.problem_type != ap.REGRESSION:
        classes = [str(c) for c in estimator.classes_]
        probabilities = estimator.predict_proba(x_holdout)
    found = ap.scores(
        analysis.problem_type,
        ap.target_values(holdout, analysis),
        np.asarray(predicted),
        probabilities,
        classes,
    )
    for name, value in found.items():
        print(f"metric {name}={value!r}", flush=True)
    model_dir = Path(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
    model_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(transform, model_dir / TRANSFORM_FILE)
    joblib.dump(estimator, model_dir / ESTIMATOR_FILE)
    (model_dir / ANALYSIS_FILE).write_text(analysis.to_json())
    code = model_dir / "code"
    code.mkdir(exist_ok=True)
    for name in CODE_FILES:
        shutil.copy2(HERE / name, code / name)
    print(f"saved to {model_dir}", flush=True)


if __name__ == "__main__":
    main()
