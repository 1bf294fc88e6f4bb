"""Stop `make test` with one clear line when PostgreSQL or Redis is not reachable, or the
OASIS schemas the exchange tests validate against are not where ASIM_STANDARDS_DIR says."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from urllib.parse import urlparse

START_HINT = "start them with: docker compose up -d postgres redis"


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def main(database_url: str, redis_url: str) -> int:
    missing = [
        f"{name} ({url})"
        for name, url, port in (("PostgreSQL", database_url, 5432), ("Redis", redis_url, 6379))
        if not reachable(url, port)
    ]
    if missing:
        print(f"make test needs {' and '.join(missing)}, not reachable; {START_HINT}")
        return 2
    standards = Path(
        os.environ.get("ASIM_STANDARDS_DIR")
        or Path(__file__).resolve().parents[2] / "shared" / "standards"
    )
    if not (standards / "xsd" / "CAP-v1.2.xsd").is_file():
        print(
            f"make test needs the OASIS schemas, not found at {standards}; set ASIM_STANDARDS_DIR"
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
