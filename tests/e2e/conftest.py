"""A failed journey leaves a picture of each browser's page next to its step screenshots."""

from collections.abc import Generator

import pytest

from tests.e2e.steps import Shots


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    shots = getattr(item, "e2e_shots", None)
    if report.when == "call" and report.failed and isinstance(shots, Shots):
        shots.failed()
    return report
