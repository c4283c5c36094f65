"""Runtime set-up around a flow run: the Dask task runner, the scheduler check and the Prefect API the workers
report to. Nothing here does the work; it decides where the work runs."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Iterator
from typing import Any

from prefect.context import FlowRunContext

# Pages per analyse task on Dask: ~4 s of work at ~20 ms a page, against ~0.3 s a task. The flow holds a task's
# pages while it fetches them: 200 kept its peak at the default runner's (~515 MB on 705 real pages, 400: ~620 MB)
# for the same CPU; 100 cost ~15% more CPU (bench/results.md, "Issue 18: the Dask runner's flow memory").
DASK_ANALYZE_BATCH = 200


def dask_client() -> Any:
    """The Dask client of this flow's DaskTaskRunner (call only when `dask_worker_threads()` found one)."""
    context = FlowRunContext.get()
    assert context is not None, "not in a flow run"
    return context.task_runner.client  # type: ignore[attr-defined]


def dask_worker_threads() -> int:
    """Threads across the Dask cluster when this flow runs on a DaskTaskRunner, else 0."""
    context = FlowRunContext.get()
    runner = context.task_runner if context else None
    if runner is None or type(runner).__name__ != "DaskTaskRunner":
        return 0
    try:
        workers = runner.client.scheduler_info(n_workers=-1)["workers"]
    except Exception as exc:  # noqa: BLE001 - an odd scheduler still runs the flow, with a guess at its size
        logging.getLogger(__name__).warning(
            "could not count the Dask workers' threads (%s: %s); sizing analyse tasks for 2", type(exc).__name__, exc
        )
        return 2
    return max(1, sum(int(worker.get("nthreads", 1)) for worker in workers.values()))


@contextlib.contextmanager
def prefect_api_for_workers() -> Iterator[None]:
    """Make sure Dask workers report to this run's Prefect API.

    With no PREFECT_API_URL a run uses a temporary server the workers cannot be told about, so each worker
    would start a temporary server of its own (~10-20 s each, and its task runs invisible). This starts the
    temporary server up front and exports its address, which local workers inherit and every task carries.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the singleton a lone run would start; it stops at exit, after log flushing
    server.start()
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)


def scheduler_problem(address: str, timeout_seconds: float = 5.0) -> str | None:
    """Why the Dask scheduler at `address` (tcp://host:port) cannot be used, or None: checked before a run
    starts, so a typo is one line of error instead of a traceback after Prefect has started."""
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port or 8786
    except ValueError as exc:
        return f"bad Dask scheduler address {address!r}: {exc}"
    if parts.scheme not in {"tcp", "tls"} or not host:
        return f"bad Dask scheduler address {address!r}: expected tcp://host:port"
    try:
        with socket.create_connection((host, port), timeout=timeout_seconds):
            return None
    except OSError as exc:
        return f"cannot reach the Dask scheduler at {address}: {exc}"


def dask_task_runner(address: str | None = None, local_workers: int | None = None) -> Any:
    """A DaskTaskRunner on an existing scheduler, or on a local cluster of single-threaded worker processes.

    One thread a worker: spaCy and selectolax hold the GIL, so processes, not threads, give parallelism.
    """
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": local_workers or 2, "threads_per_worker": 1, "processes": True,
            "host": "127.0.0.1", "dashboard_address": None,
        },
    )
