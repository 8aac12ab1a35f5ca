"""A ``gs`` that only writes down that it ran, first on PATH: proof that Pillow never calls it."""

from pathlib import Path

import pytest
from PIL import EpsImagePlugin

# Files Pillow would hand to Ghostscript if it decoded them, each under an image's name.
EPS = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n"
    b"newpath 0 0 moveto 10 10 lineto stroke\nshowpage\n%%EOF\n"
)
POSTSCRIPT = b"%!PS-Adobe-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DISGUISED = {"eps": EPS, "ps": POSTSCRIPT, "pdf": PDF}


class GhostscriptLog:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "gs.log"

    @property
    def calls(self) -> list[str]:
        return self.path.read_text().splitlines() if self.path.exists() else []


def install_fake_ghostscript(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GhostscriptLog:
    folder = tmp_path / "fake-bin"
    folder.mkdir()
    log = GhostscriptLog(folder)
    gs = folder / "gs"
    gs.write_text(f'#!/bin/sh\necho "$@" >> {log.path}\nexit 1\n')
    gs.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:{Path('/usr/bin')}:{Path('/bin')}")
    monkeypatch.setattr(EpsImagePlugin, "gs_binary", None)  # looked up again, on our PATH
    return log
