"""Which operating-system user the embedded PostgreSQL runs as.

PostgreSQL's initdb, pg_ctl and postgres all refuse to run as root, and pg0 does
nothing about it (it just passes on initdb's "cannot be run as root"). So as root we
run every pg0 command as an unprivileged user: `nobody` by default (on every Debian or
Ubuntu image, so nothing is added to /etc/passwd), or the user BILIN_POSTGRES_OS_USER
names. That user owns <data_dir>/postgres and must be able to reach it.
"""

from __future__ import annotations

import os
import pwd
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devservices.common import DevServiceError

DEFAULT_SERVER_USER = "nobody"
SERVER_USER_ENV = "BILIN_POSTGRES_OS_USER"


@dataclass(frozen=True)
class ServerUser:
    name: str
    uid: int
    gid: int

    def subprocess_options(self) -> dict[str, Any]:
        # extra_groups=[] drops root's supplementary groups, like `su` would.
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


def server_user(env: Mapping[str, str]) -> ServerUser | None:
    """The user to switch to; None when we are not root and can run PostgreSQL."""
    if os.geteuid() != 0:
        return None
    name = env.get(SERVER_USER_ENV) or DEFAULT_SERVER_USER
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise DevServiceError(
            f"as root, the embedded PostgreSQL must run as an unprivileged user, but "
            f"user {name!r} does not exist; set {SERVER_USER_ENV} to an existing one"
        ) from None
    if entry.pw_uid == 0:
        raise DevServiceError(f"{SERVER_USER_ENV}={name!r} is root; PostgreSQL refuses to run as root")
    return ServerUser(name=name, uid=entry.pw_uid, gid=entry.pw_gid)


def hand_over(directory: Path, user: ServerUser) -> None:
    """Give `directory` (recursively) to `user`, once sure the user can reach it."""
    _check_reachable(directory.parent, user)
    if directory.stat().st_uid == user.uid:
        return  # already handed over by an earlier run; skip the recursive walk
    for root, dirs, files in os.walk(directory):
        for name in (*dirs, *files):
            path = os.path.join(root, name)
            os.chown(path, user.uid, user.gid, follow_symlinks=False)
    os.chown(directory, user.uid, user.gid)


def _check_reachable(directory: Path, user: ServerUser) -> None:
    # Every ancestor needs search (x) permission for the user, else pg0 fails later with
    # a bare "Permission denied". Typical culprit: pytest's tmp_path, which lies under
    # /tmp/pytest-of-root (mode 0700).
    for ancestor in (directory.resolve(), *directory.resolve().parents):
        info = ancestor.stat()
        if info.st_uid == user.uid:
            allowed = info.st_mode & stat.S_IXUSR
        elif info.st_gid == user.gid:
            allowed = info.st_mode & stat.S_IXGRP
        else:
            allowed = info.st_mode & stat.S_IXOTH
        if not allowed:
            raise DevServiceError(
                f"the embedded PostgreSQL runs as {user.name!r} (initdb refuses root), "
                f"but {user.name!r} cannot enter {ancestor}; put the data dir under a "
                f"path others can traverse (chmod o+x), or set {SERVER_USER_ENV} to a "
                "user that can"
            )
