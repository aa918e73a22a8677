"""Every test here runs against the Worker (Pyodide in Node, local D1)."""

import pytest


@pytest.fixture
def backend() -> str:
    return "worker"
