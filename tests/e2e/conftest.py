"""A failed journey leaves a picture of the page it failed on next to its step screenshots."""

from collections.abc import Generator

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        shots = getattr(item, "e2e_shots", None)
        driver = item.funcargs.get("browser") if isinstance(item, pytest.Function) else None
        if shots is not None and driver is not None:
            shots(driver, "failed")
    return report
