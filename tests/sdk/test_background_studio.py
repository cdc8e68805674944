"""A script outside JupyterLab deploys an endpoint: a background studio starts for its home
and owns the endpoint after the script ends; a JupyterLab on the same home takes it over,
lists it and deletes it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from jupyter_mlstudio.ownership import current_owner, stop_owner
from tests.support.studio_server import StudioServer, build_iris_model

SCRIPT = """\
import json, sys
from jupyter_mlstudio.sdk import Model
from jupyter_mlstudio.sdk.deserializers import JSONDeserializer
from jupyter_mlstudio.sdk.serializers import JSONSerializer

archive, code, row = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
model = Model(model_data=archive, source_dir=code, entry_point="inference.py")
predictor = model.deploy(
    initial_instance_count=1,
    instance_type="ml.m5.large",
    endpoint_name="from-a-script",
    serializer=JSONSerializer(),
    deserializer=JSONDeserializer(),
)
print(json.dumps(predictor.predict({"instances": [row]})))
"""


def test_a_scripts_endpoint_outlives_it_and_jupyterlab_can_delete_it(tmp_path: Path) -> None:
    iris = build_iris_model(tmp_path / "iris")
    lab = StudioServer(tmp_path / "lab")
    lab.work.mkdir()
    home = lab.home
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLSTUDIO_", "JPY_"))}
    env.update(MLSTUDIO_HOME=str(home), MLSTUDIO_RUNTIME="process")
    (tmp_path / "deploy.py").write_text(textwrap.dedent(SCRIPT))
    try:
        done = subprocess.run(
            [
                sys.executable,
                str(tmp_path / "deploy.py"),
                str(iris.archive),
                str(iris.code),
                json.dumps(iris.rows[0]),
            ],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        assert iris.predictions[0] in (
            answer if isinstance(answer, list) else answer["predictions"]
        )

        owner = current_owner(home)  # the script is gone; its endpoint has an owner
        assert owner is not None
        assert owner.kind == "background"

        with lab:  # a JupyterLab on the same home takes over
            owner = current_owner(home)
            assert owner is not None
            assert owner.kind == "jupyterlab"
            listed = lab._ok("GET", "endpoints")["Endpoints"]
            assert [e["EndpointName"] for e in listed] == ["from-a-script"]
            deadline = time.monotonic() + 60
            while lab._ok("GET", "endpoints/from-a-script")["EndpointStatus"] != "InService":
                assert time.monotonic() < deadline, "the endpoint was not rebuilt"
                time.sleep(0.1)
            status, _ = lab.call("DELETE", "endpoints/from-a-script")
            assert status == 204
            status, _ = lab.call("GET", "endpoints/from-a-script")
            assert status == 404
    finally:
        stop_owner(home)
