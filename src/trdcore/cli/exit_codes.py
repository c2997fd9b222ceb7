"""The exit codes of ``trdcore``, a contract that scripts and CI jobs rely on (docs/cli.md)."""

from __future__ import annotations

__all__ = ["EXIT_INTERNAL", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE"]

EXIT_OK = 0
"""Everything is valid."""
EXIT_INVALID = 1
"""Some data is invalid or could not be read."""
EXIT_USAGE = 2
"""A usage error: unknown option, schema, version or target, or a missing file."""
EXIT_INTERNAL = 3
"""A failure inside trdcore itself."""
