"""The worker process (``python -m service.cli worker``): the relay, webhook delivery, due jobs,
subscription messages, content re-checks and retention, as concurrent loops over one connection pool.

Run as many as you like: everything they share is claimed with row locks in PostgreSQL. On
SIGTERM (or SIGINT) a worker stops claiming, lets what is in flight finish and exits; on
SIGKILL nothing is lost either, since unfinished work was never committed (see dispatch.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import time
from pathlib import Path

import structlog

from service.services import WORKER, WORKER_JOB_SLOTS, Services
from service.settings import Settings
from worker.dispatch import pause
from worker.http import Sender
from worker.jobs import JobRunner, handlers
from worker.maintenance import invitation_sweep_loop, maintenance_loop, media_sweep_loop
from worker.moderation import moderation_loop
from worker.notifications import notifications_loop
from worker.relay import relay_loop
from worker.webhooks import Deliverer

log = structlog.get_logger("bilin.worker")
HEARTBEAT_SECONDS = 5.0


class Worker:
    def __init__(self, settings: Settings, *, name: str | None = None, heartbeat_file: Path | None = None) -> None:
        self.settings = settings
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.heartbeat_file = heartbeat_file
        self.stopping = asyncio.Event()

    def stop(self) -> None:
        self.stopping.set()

    async def run(self) -> None:
        settings = self.settings
        services = Services.build(settings, WORKER)
        await services.start()
        pool, clock = services.db.pool, services.clock
        sender = Sender(services.egress)
        deliverer = Deliverer(pool, clock, services.sealer, sender, slots=settings.worker_concurrency)
        runner = JobRunner(pool, clock, self.name, handlers=handlers(services.sealer), slots=WORKER_JOB_SLOTS)
        log.info("worker_started", worker=self.name, concurrency=settings.worker_concurrency,
                 test_clock=settings.test_clock_enabled, webhook_guard=settings.webhook_guard)
        loops = [
            relay_loop(pool, clock, self.stopping),
            deliverer.run(self.stopping),
            runner.run(self.stopping),
            maintenance_loop(pool, settings.event_retention_days, self.stopping),
            media_sweep_loop(pool, clock, services.storage, self.stopping),
            invitation_sweep_loop(pool, clock, self.stopping),
            notifications_loop(pool, clock, services.wechat, services.sealer, self.stopping),
            moderation_loop(pool, clock, services.content, self.stopping),
            self._heartbeat(),
        ]
        try:
            await asyncio.gather(*loops)
        finally:
            await sender.close()
            await services.stop()
            log.info("worker_stopped", worker=self.name)

    async def _heartbeat(self) -> None:
        """Touch the heartbeat file while the loops run (the container's health check)."""
        while not self.stopping.is_set():
            if self.heartbeat_file is not None:
                with contextlib.suppress(OSError):
                    self.heartbeat_file.touch()
                    os.utime(self.heartbeat_file, (time.time(), time.time()))
            await pause(self.stopping, HEARTBEAT_SECONDS)


async def run_worker(settings: Settings, heartbeat_file: Path | None = None) -> None:
    worker = Worker(settings, heartbeat_file=heartbeat_file)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, worker.stop)
    await worker.run()
