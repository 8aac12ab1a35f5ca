"""The issue bundle: the interchange format for a whole issue (docs/issue-bundle.md)."""

from .reader import Bundle, BundleError, BundleInvalid, read_bundle
from .writer import write_bundle

__all__ = ["Bundle", "BundleError", "BundleInvalid", "read_bundle", "write_bundle"]
