"""`make run`: the web server, a Celery worker and beat side by side; Ctrl-C stops all three cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from config.env import env_int, env_str

HOST = env_str("RUN_HOST", "127.0.0.1")
PORT = env_int("RUN_PORT", 8000, minimum=1)


def _commands() -> dict[str, list[str]]:
    python = sys.executable
    return {
        "web": [python, "-m", "gunicorn", "config.wsgi", "--bind", f"{HOST}:{PORT}",
                "--access-logfile", "-", "--graceful-timeout", "10"],
        "worker": [python, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO", "--concurrency", "2"],
        "beat": [python, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
                 "--schedule", "var/celerybeat-schedule"],
    }


def demo_logins() -> str:
    """The demo's sign-in line with the address this run serves, when `make demo` made the logins."""
    password_file = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "demo-password")
    if env_str("APP_ENV", "development") == "production" or not os.path.exists(password_file):
        return ""
    with open(password_file, encoding="utf-8") as handle:
        password = handle.read().strip()
    return f"Demo logins: analyst / editor / viewer, password {password}, at http://{HOST}:{PORT}/"


def main() -> int:
    children: dict[str, subprocess.Popen] = {}
    stopping = False

    def stop(signum=None, frame=None) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        print("\nStopping web, worker and beat…", flush=True)
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for name, command in _commands().items():
        # Own process group each: the terminal's Ctrl-C reaches us only, and we stop them in order.
        children[name] = subprocess.Popen(command, start_new_session=True)  # noqa: S603 -- fixed commands
    print(f"Claims tracker on http://{HOST}:{PORT}/ (admin: /admin/). Ctrl-C stops it.", flush=True)
    if logins := demo_logins():
        print(logins, flush=True)
    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"{name} exited with code {child.returncode}; stopping the others.", flush=True)
                exit_code = child.returncode or 1
                stop()
                break
        time.sleep(0.5)
    deadline = time.monotonic() + 30
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    print("Stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.exit(main())
