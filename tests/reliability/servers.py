"""Private PostgreSQL/Redis servers and Celery workers for the fault tests (never the shared ones)."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
