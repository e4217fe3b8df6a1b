"""Run a server as a subprocess on a free loopback port for scripts and live tests.

with running(serve_command(port), env=env, health_url=f"http://127.0.0.1:{port}/healthz",
             log_path=tmp / "server.log") as proc:
    ...  # the server answers; it is terminated on exit
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port free on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_command(port: int, workers: int = 2) -> list[str]:
    """`python -m service serve` on ``127.0.0.1:port``."""
    return [
        sys.executable, "-m", "service", "serve",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip


@contextlib.contextmanager
def running(
    cmd: list[str], *, env: dict[str, str], health_url: str, log_path: Path, timeout: float = 300
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``cmd`` in the project root, wait until ``health_url`` answers, stop it on exit."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited with {proc.returncode}; see {log_path}")
                try:
                    with urllib.request.urlopen(health_url, timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"server did not answer in {timeout}s; see {log_path}") from None
                    time.sleep(0.3)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # workers still busy past gunicorn's graceful stop
                proc.kill()
                proc.wait(timeout=30)


@contextlib.contextmanager
def api_and_bare(env: dict[str, str], workers: int, log_dir: Path) -> Iterator[tuple[int, int]]:
    """The service (`serve_command`) and the bare Flask baseline of `bench_api.py`, each under
    gunicorn with ``workers`` workers, until the block ends: yields (api port, bare port)."""
    api_port, bare_port = free_port(), free_port()
    bare = [sys.executable, str(ROOT / "scripts" / "bench_api.py"), "--bare-server", str(bare_port)]
    with (
        running(
            serve_command(api_port, workers),
            env=env,
            health_url=f"http://127.0.0.1:{api_port}/healthz",
            log_path=log_dir / "api.log",
        ),
        running(
            [*bare, "--workers", str(workers)],
            env=env,
            health_url=f"http://127.0.0.1:{bare_port}/bare",
            log_path=log_dir / "bare.log",
        ),
    ):
        yield api_port, bare_port
