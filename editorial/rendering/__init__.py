"""Renderers: domain objects -> HTML / PDF bytes; pure functions, no database writes.

``print`` is the print edition (A4 PDF via WeasyPrint). Import from the submodule, e.g.
``from editorial.rendering.print import render_issue_pdf``; ``RenderError`` is shared.
"""

from .errors import RenderError

__all__ = ["RenderError"]
