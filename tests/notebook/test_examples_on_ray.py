"""The training and tuning examples run top to bottom with the studio on the Ray runtime
against the real 2-node cluster (issue 17's "done when"): the training example with
``instance_count = 2`` puts one host of each job on each node, and the tuning example's
training jobs run on both nodes. Where each host ran is read from the jobs' records
(``Outputs.Hosts``) in the studio's store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from jupyter_mlstudio.config import resolve_config
from jupyter_mlstudio.entities import Job, JobKind, JobStatus
from jupyter_mlstudio.services.jobs.placement import HOSTS_KEY
from jupyter_mlstudio.store import open_store

from .test_examples import EXAMPLES, outputs_text

pytest.importorskip("ray")


@pytest.fixture
def on_ray(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ray_cluster: Any) -> Path:
    """The notebook's studio home, with Ray as the runtime its background studio uses."""
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path))
    for var in ("MLSTUDIO_TRACKING_URI", "MLSTUDIO_DATABASE_URL", "MLSTUDIO_ARTIFACT_ROOT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MLSTUDIO_RUNTIME", "ray")
    monkeypatch.setenv("MLSTUDIO_RAY_ADDRESS", ray_cluster.address)
    return tmp_path


def execute(name: str, home: Path, parameters: str = "") -> nbformat.NotebookNode:
    """Run an example in ``home``; ``parameters`` is a cell run after the first code cell
    (overriding the variables it sets)."""
    notebook = nbformat.read(EXAMPLES / name, as_version=4)
    if parameters:
        first = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code")
        notebook.cells.insert(first + 1, nbformat.v4.new_code_cell(parameters))
    client = NotebookClient(
        notebook, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(home)}}
    )
    client.execute()
    return notebook


def training_jobs(home: Path) -> list[Job]:
    """The training jobs the notebook's studio recorded."""
    store = open_store(resolve_config(home=home).database_url)
    try:
        return list(store.list_jobs(kind=JobKind.TRAINING, max_results=100).items)
    finally:
        store.close()


def nodes_of(job: Job) -> dict[str, str]:
    """The node id each host of ``job`` ran on."""
    return {h["Host"]: h["Node"]["NodeId"] for h in job.outputs.get(HOSTS_KEY, [])}


def test_training_example_runs_one_host_a_node(on_ray: Path) -> None:
    notebook = execute("training_jobs.ipynb", on_ray, "instance_count = 2")
    text = outputs_text(notebook)
    assert "runtime: ray" in text
    assert "3 jobs completed" in text
    jobs = training_jobs(on_ray)
    assert len(jobs) == 3
    for job in jobs:
        assert job.status is JobStatus.COMPLETED, job.failure_reason
        assert job.runtime == "ray"
        nodes = nodes_of(job)
        assert set(nodes) == {"algo-1", "algo-2"}, (job.job_name, nodes)
        assert nodes["algo-1"] != nodes["algo-2"], (job.job_name, nodes)  # one host a node


def test_tuning_example_spreads_its_jobs_over_both_nodes(on_ray: Path) -> None:
    notebook = execute("tuning.ipynb", on_ray)
    text = outputs_text(notebook)
    assert "runtime: ray" in text
    for strategy in ("Random", "Bayesian"):
        assert f"{strategy}: Completed, 6 jobs completed" in text
    assert "deleted " in text
    jobs = training_jobs(on_ray)
    assert len(jobs) == 12
    assert all(j.runtime == "ray" and j.status is JobStatus.COMPLETED for j in jobs)
    nodes = {node for job in jobs for node in nodes_of(job).values()}
    assert len(nodes) == 2, nodes  # the tuning jobs' training jobs ran on both nodes
