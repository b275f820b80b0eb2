"""A PostgreSQL server of the tests' own, from the machine's binaries.

`PostgresServer.start` runs ``initdb`` and ``pg_ctl start`` in a new
temporary folder, listening on a unix socket in that folder only (no TCP
port), with fsync off; `PostgresServer.stop` stops it and removes the
folder. PostgreSQL refuses to run as root, so under root (as CI runs) both
run as the unprivileged user ``nobody`` (``runuser``), which owns the
folder.

The binaries are looked for in ``pg_config --bindir``, then on the PATH,
then in ``/usr/lib/postgresql/<version>/bin`` (Debian's place), newest
first.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

USER = "handshake"


def find_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or None."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            candidates.append(
                Path(
                    subprocess.run(
                        [pg_config, "--bindir"],
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout.strip()
                )
            )
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        candidates.extend(
            sorted(
                (p / "bin" for p in debian.iterdir()),
                key=lambda p: [int(x) for x in p.parent.name.split(".") if x.isdigit()],
                reverse=True,
            )
        )
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


class PostgresServer:
    """A running server; `url` is an SQLAlchemy URL (psycopg 3) of its
    ``postgres`` database."""

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="handshake-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        self.url = f"postgresql+psycopg://{USER}@/postgres?host={self.folder}"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "nobody", "--"] if self.as_root else []
        result = subprocess.run(
            [*prefix, str(self.binaries / command[0]), *command[1:]],
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(
                f"{command[0]} failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}{log}"
            )

    def start(self) -> PostgresServer:
        if self.as_root:
            shutil.chown(self.folder, "nobody")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            USER,
            "--auth=trust",
            "--no-sync",
            "--encoding=UTF8",
            "--locale=C",
        )
        options = (
            f"-k {self.folder} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "start",
        )
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
