"""Write N synthetic treatment histories as NDJSON (for the evaluation benchmark).

Usage: .venv/bin/python benchmarks/make_histories.py N OUT.ndjson
Streams as it writes, so N may be large (1,000,000 is about 550 MB).
"""

from __future__ import annotations

import random
import sys

import orjson
from bench_validate import history


def main() -> None:
    count, path = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(11)
    with open(path, "wb") as out:
        for number in range(count):
            out.write(orjson.dumps(history(rng, number)) + b"\n")


if __name__ == "__main__":
    main()
