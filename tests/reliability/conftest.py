"""Reliability tests print the figure each one measured, in a table at the end of the run."""

import pytest

_FIGURES: list[tuple[str, str]] = []


@pytest.fixture
def figure(request):
    def note(text: str) -> None:
        _FIGURES.append((request.node.name, text))

    return note


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _FIGURES:
        terminalreporter.section("reliability figures")
        for name, text in _FIGURES:
            terminalreporter.write_line(f"{name}: {text}")
