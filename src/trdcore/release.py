"""The trdcore release this code is: one place for the version every result records."""

__all__ = ["VERSION"]

#: The version of the trdcore distribution (pyproject.toml says the same; a test holds them equal).
VERSION = "0.1.0"
