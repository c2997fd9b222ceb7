"""Refuse a plugin name trdcore would refuse: it names the entry point and the exporter."""

import re
import sys

NAME = {{ cookiecutter.plugin_name | tojson }}
MODULE = {{ cookiecutter.module | tojson }}

if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", NAME):
    sys.exit(
        f"plugin_name {NAME!r} must be a lower-case slug such as 'handout-pdf': "
        "letters a-z, digits and single hyphens between them."
    )
if not MODULE.isidentifier():
    sys.exit(f"module {MODULE!r} is not a Python package name; keep the default.")
