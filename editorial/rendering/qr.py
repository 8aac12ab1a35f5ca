"""QR codes for original links, as vector SVG generated once per distinct link."""

import functools

import segno

# Modules of quiet zone around the symbol, as the QR standard asks for reliable scanning.
QUIET_ZONE = 4


@functools.lru_cache(maxsize=1024)
def qr_svg(data: str) -> str:
    """Inline ``<svg>`` markup encoding ``data``; sized by the stylesheet through its viewBox.

    Error correction M (15 %) keeps the symbol small enough for long government URLs while
    surviving print and a phone camera; the result is cached because an issue is rendered
    several times (proofs, final) and links repeat between issues.
    """
    code = segno.make(data, error="m", micro=False)
    return code.svg_inline(
        border=QUIET_ZONE,
        omitsize=True,
        svgclass="qr",
        lineclass=None,
        title=None,
    )
