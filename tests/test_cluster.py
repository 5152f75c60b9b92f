"""Extraction on Dask (kg.cluster): the same graph as the local workers, failures reported per report."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.pipeline import build

from tests.conftest import FIXTURES

import distributed  # the optional extra kg[dask]; the test extra installs it


def _quads(out: Path) -> set[str]:
    import pyoxigraph as ox

    return {str(q) for q in ox.Store.read_only(str(out / "store"))}


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("reports")
    for name in ("structure-a-county.txt", "structure-b-city.txt", "structure-d-department.txt"):
        shutil.copy(FIXTURES / name, folder / name)
    (folder / "empty.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def local_build(reports, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    result = build([reports], out, workers=2, analyse=False, exports=False)
    assert len(result.built) == 3 and len(result.failed) == 1
    return out


def test_a_local_dask_cluster_gives_the_same_graph(reports, local_build, tmp_path):
    out = tmp_path / "dask"
    result = build([reports], out, workers=2, analyse=False, exports=False, scheduler="local")
    assert sorted(result.built) == ["structure-a-county", "structure-b-city", "structure-d-department"]
    assert len(result.failed) == 1 and "empty.txt" in result.failed[0] and "kg-dask-" not in result.failed[0]
    assert (out / "graph.nq").read_bytes() == (local_build / "graph.nq").read_bytes()
    assert _quads(out) == _quads(local_build)


def test_an_existing_scheduler_is_reached_by_its_address(reports, local_build, tmp_path):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = build([reports], tmp_path / "out", analyse=False, exports=False,
                       scheduler=cluster.scheduler_address)
    assert len(result.built) == 3
    assert (tmp_path / "out" / "graph.trig").read_bytes() == (local_build / "graph.trig").read_bytes()


def test_a_scheduler_that_is_no_address_is_one_clear_error(reports, tmp_path):
    with pytest.raises(InputError, match="expected 'local' or an address"):
        build([reports], tmp_path / "out", scheduler="my-cluster")
