"""Serving the API as production runs it: uvicorn, one or several worker processes.

Two of uvicorn's defaults are wrong for this service, so they are set here, in the one
command production uses (``python -m service.cli serve``):

- X-Forwarded-For is believed only from BILIN_TRUSTED_PROXIES. uvicorn trusts loopback by
  default, which lets any local caller (or a proxy that appends rather than replaces the
  header) choose its own address, and with it a fresh rate-limit bucket for every request.
- On SIGTERM with several workers, uvicorn's supervisor keeps its copy of the listening
  socket open until every worker has exited: the kernel goes on accepting connections that
  no worker will ever serve and resets them at exit. The supervisor here closes its copy
  first, so new callers are refused at once while requests in flight finish in their workers.
"""

from __future__ import annotations

import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

from service.settings import Settings

GRACEFUL_SECONDS = 30  # what a request in flight gets after SIGTERM; compose waits longer


class _Supervisor(Multiprocess):
    def terminate_all(self) -> None:
        for sock in self.sockets:
            sock.close()
        super().terminate_all()


def serve(settings: Settings, *, host: str, port: int, workers: int) -> None:
    trusted = list(settings.trusted_proxies)
    config = uvicorn.Config(
        "api.asgi:app", host=host, port=port, workers=workers, proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None, log_config=None, access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS)
    if config.workers > 1:
        _Supervisor(config, sockets=[config.bind_socket()]).run()
        return
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        sys.exit(3)  # uvicorn's STARTUP_FAILURE: the app refused to start
