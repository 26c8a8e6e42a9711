"""``manifest.json``: what a run used (library versions, scenario hash, seed, input files'
SHA-256) so that anyone can check the outputs were made from these inputs."""

from __future__ import annotations

import hashlib
import platform
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from .. import data as sd
from ..workflow import ScenarioRun

__all__ = ["manifest"]


def manifest(run: ScenarioRun) -> dict:
    """The manifest of a run (without the ``outputs`` list, which the writer adds)."""
    files = {}
    for chain_path in run.scenario.chain:
        files[str(chain_path)] = _sha(Path(chain_path))
    for key, path in run.inputs.items():
        files[key] = _sha(Path(path))
    return {
        "library": "sufficiency", "version": __version__,
        "python": platform.python_version(), "numpy": np.__version__,
        "pandas": pd.__version__,
        "scenario": run.name, "scenario_hash": run.scenario.digest(),
        "seed": run.scenario.get("seed"), "input_files_sha256": files,
        "embedded_data_sha256": _embedded_digest(),
        "timings_seconds": {k: round(v, 3) for k, v in run.timings.items()},
    }


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


def _embedded_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((Path(sd.__file__).parent / "example").glob("*.csv.gz")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
