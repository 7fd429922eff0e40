#!/usr/bin/env python3
"""HTTP benchmark: requests per second and latency of the web application.

Starts ``cablekit serve`` on an archive (``--db``; ``--workers`` processes) on a free
localhost port, or measures a server that is already running (``--url``), and sends
it ``--concurrency`` clients in a closed loop (each sends its next request as soon
as the previous answer is in) for ``--duration`` seconds per endpoint, after a
warm-up of ``--warmup`` seconds (each server thread keeps its own connection, with its
own caches and SQLite page cache, so the first seconds are slower):

- ``search-page``: ``/`` with a query of a fixed mix (the same words, fields, phrases,
  prefixes and booleans as ``bench/search_bench.py``), some with a facet filter or
  sorted by date; every page has its facets, timeline and 20 snippets;
- ``api-search``: ``/api/v1/search`` with the same mix, 20 results, no facets;
- ``api-search-facets``: the same with ``facets=true&timeline=true``;
- ``cable-page``: ``/cable/{id}`` for a few hundred cables found by the mix.

For each it prints requests/s, p50, p95, p99 and max latency in milliseconds, the
number of answers that were not 200, the CPU time the server used per request, its
resident memory, the share of the machine the clients and every other process took
during the run (a shared machine gives lower figures), the load average, and how the
server's CPU time fell on its processes.
Nothing is asserted: this is a measurement.

Each client makes a new connection every ``--per-connection`` requests, as a crowd of
visitors would: with ``--workers 2``, a handful of connections kept for the whole run
often all land on one worker process (the split column shows it).

The clients are a minimal HTTP/1.1 keep-alive client on asyncio, in this process:
on a two-core machine every CPU cycle a client spends is taken from the server, and
a full client library (httpx) costs several times more per request.

Usage::

    .venv/bin/python bench/http_bench.py                                  # corpus archive
    .venv/bin/python bench/http_bench.py --workers 2 --concurrency 16
    .venv/bin/python bench/http_bench.py --db bench/out/250k.db --duration 30
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from search_bench import QUERIES  # the same query mix as the search benchmark

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "data" / "corpus" / "cablegate-2011-04" / "cable.tar.xz"
DEFAULT_DB = ROOT / "bench" / "out" / "corpus-web.db"
CABLEKIT = Path(sys.executable).parent / "cablekit"

FILTERS = ["tag:PREL", "class:SECRET", "date:2009", "from:MOSCOW"]


# --- the client ------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection: GET, read the status and the body."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> tuple[int, bytes]:
        """The status and the body; reconnects when the server closed the connection."""
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                return await self._exchange(target)
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _exchange(self, target: str) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        self.writer.write(
            f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Accept: text/html,application/json\r\n\r\n".encode("ascii")
        )
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])
        }
        parts = []
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append((await self.reader.readexactly(size + 2))[:-2])
                if size == 0:
                    break
        else:
            parts.append(await self.reader.readexactly(int(headers.get("content-length", "0"))))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, b"".join(parts)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


@dataclass
class Run:
    """What one endpoint's run measured."""

    name: str
    concurrency: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # milliseconds
    failures: dict[int, int] = field(default_factory=dict)  # status -> count
    server_cpu: float = 0.0  # seconds
    server_mib: float = 0.0  # resident memory after the run
    client_cpu: float = 0.0  # seconds, these clients
    other_cpu: float = 0.0  # seconds, every other process on the machine
    split: str = ""  # the server's CPU per process, in percent, busiest first
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


async def load_test(
    host: str,
    port: int,
    targets: Callable[[random.Random], str],
    concurrency: int,
    seconds: float,
    per_connection: int = 0,
) -> tuple[list[float], dict[int, int], float]:
    """Latencies (ms), failures by status and elapsed time of ``concurrency`` clients
    sending requests for ``seconds``, each on a new connection every ``per_connection``
    requests (0: one connection throughout; the connecting is in the latency)."""
    latencies: list[float] = []
    failures: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def client(n: int) -> None:
        pick = random.Random(n)
        connection = Connection(host, port)
        try:
            sent = 0
            while time.perf_counter() < deadline:
                target = targets(pick)
                if per_connection and sent and sent % per_connection == 0:
                    await connection.close()  # another visitor: the next request connects
                sent += 1
                started = time.perf_counter()
                status, _ = await connection.get(target)
                latencies.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    failures[status] = failures.get(status, 0) + 1
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(concurrency)))
    return latencies, failures, time.perf_counter() - started


# --- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    """``cablekit serve`` in its own process group, once it answers."""
    process = subprocess.Popen(
        [str(CABLEKIT), "serve", "--db", str(db), "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"cablekit serve stopped with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                time.sleep(0.5 if workers == 1 else 2.0)  # every worker up
                return process
        except OSError:
            time.sleep(0.1)
    stop_server(process)
    raise SystemExit("cablekit serve did not start within a minute")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop the server this benchmark started (its process group, which it leads)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants (the server and its workers), from /proc."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
        except FileNotFoundError:
            continue
        found.append(current)
    return found


def cpu_by_process(pid: int) -> dict[int, float]:
    """CPU time (user + system) of each of the server's processes."""
    found = {}
    for current in process_tree(pid):
        with contextlib.suppress(FileNotFoundError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            found[current] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the server's processes."""
    return sum(cpu_by_process(pid).values())


def worker_split(before: dict[int, float], after: dict[int, float]) -> str:
    """How the server's CPU time fell on its processes during a run, busiest first."""
    used = sorted((after[p] - before.get(p, 0.0) for p in after), reverse=True)
    total = sum(used) or 1.0
    return "/".join(f"{100 * u / total:.0f}" for u in used if u > 0.01 * total)


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (every core), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def resident_mib(pid: int) -> float:
    """Resident memory of the server's processes, in MiB."""
    total = 0
    for current in process_tree(pid):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def ensure_archive(db: Path) -> None:
    if db.exists():
        return
    if not CORPUS.exists():
        raise SystemExit(f"No archive at {db}, and no corpus at {CORPUS} to make one")
    print(f"Ingesting {CORPUS} into {db} ...", flush=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(CABLEKIT), "ingest", "--db", str(db), "--release", "2011-04", str(CORPUS)],
        check=True,
    )


# --- the endpoints -------------------------------------------------------------------------


def search_page(pick: random.Random) -> str:
    params: list[tuple[str, str]] = [("q", pick.choice(QUERIES))]
    if pick.random() < 0.25:
        params.append(("f", pick.choice(FILTERS)))
    if pick.random() < 0.25:
        params.append(("sort", "newest"))
    return "/?" + urlencode(params)


def api_search(pick: random.Random) -> str:
    return "/api/v1/search?" + urlencode({"q": pick.choice(QUERIES), "limit": 20})


def api_search_facets(pick: random.Random) -> str:
    query = {"q": pick.choice(QUERIES), "limit": 20, "facets": "true", "timeline": "true"}
    return "/api/v1/search?" + urlencode(query)


async def get_json(host: str, port: int, target: str) -> dict[str, Any]:
    connection = Connection(host, port)
    try:
        status, body = await connection.get(target)
    finally:
        await connection.close()
    if status != 200:
        raise SystemExit(f"GET {target} answered {status}: {body[:300]!r}")
    loaded: dict[str, Any] = json.loads(body)
    return loaded


async def cable_ids(host: str, port: int, wanted: int) -> list[str]:
    """Cables to open: the first hits of every query of the mix."""
    found: set[str] = set()
    for query in QUERIES:
        answer = await get_json(
            host, port, "/api/v1/search?" + urlencode({"q": query, "limit": 50})
        )
        found.update(hit["id"] for hit in answer["results"])
    ids = sorted(found)
    random.Random(0).shuffle(ids)
    return ids[:wanted]


# --- the report ----------------------------------------------------------------------------


def report(runs: list[Run], args: argparse.Namespace, cables: int | None) -> None:
    print()
    where = args.url or f"cablekit serve --workers {args.workers}"
    size = f"{cables:,} cables" if cables is not None else "archive size unknown"
    print(
        f"{where} on {args.db if not args.url else 'a running server'} ({size}); "
        f"{args.concurrency} concurrent clients, {args.duration:g} s per endpoint, "
        f"{os.cpu_count()} CPUs"
    )
    header = (
        f"{'endpoint':<18} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'errors':>7} {'srv CPU ms/req':>15} {'srv MiB':>8} {'client CPU':>10}"
        f" {'others CPU':>10} {'load 1m':>8}  {'srv CPU split %':<15}"
    )
    print(header)
    print("-" * len(header))
    for run in runs:
        errors = sum(run.failures.values())
        per_request = run.server_cpu * 1000 / len(run.latencies) if run.latencies else 0.0
        print(
            f"{run.name:<18} {run.rate:>8.1f} {run.percentile(0.50):>8.1f} "
            f"{run.percentile(0.95):>8.1f} {run.percentile(0.99):>8.1f} "
            f"{max(run.latencies, default=0):>8.1f} {errors:>7} "
            f"{per_request if not args.url else float('nan'):>15.2f} {run.server_mib:>8.0f}"
            f" {share(run.client_cpu, run.seconds):>10} {share(run.other_cpu, run.seconds):>10}"
            f" {run.load[0]:>8.2f}  {run.split:<15}"
        )
        if run.failures:
            print(f"{'':<18} statuses other than 200: {run.failures}")


def share(cpu: float, seconds: float) -> str:
    """CPU seconds as a share of the machine over ``seconds`` (all cores: 100%)."""
    return f"{100 * cpu / (seconds * (os.cpu_count() or 1)):.0f}%" if seconds else "-"


def archive_size(host: str, port: int) -> int | None:
    value = asyncio.run(get_json(host, port, "/api/v1/stats")).get("cables")
    return value if isinstance(value, int) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="archive to serve")
    parser.add_argument("--url", help="measure this running server instead of starting one")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--concurrency", type=int, default=8, help="clients at once")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per endpoint")
    parser.add_argument(
        "--per-connection",
        type=int,
        default=10,
        help="requests per connection before a client connects again, as another visitor"
        " would (0: never; with several workers, a few long connections can all land on one)",
    )
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds before each")
    parser.add_argument(
        "--endpoints",
        default="search-page,api-search,api-search-facets,cable-page",
        help="comma-separated: search-page, api-search, api-search-facets, cable-page",
    )
    args = parser.parse_args()

    process = None
    if args.url:
        parts = urlsplit(args.url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
    else:
        ensure_archive(args.db)
        host, port = "127.0.0.1", free_port()
        process = start_server(args.db, port, args.workers)
    try:
        cables = archive_size(host, port)
        ids = asyncio.run(cable_ids(host, port, 300))
        if not ids:
            raise SystemExit("The query mix found no cables to open")
        endpoints: dict[str, Callable[[random.Random], str]] = {
            "search-page": search_page,
            "api-search": api_search,
            "api-search-facets": api_search_facets,
            "cable-page": lambda pick: f"/cable/{pick.choice(ids)}",
        }
        runs = []
        for name in args.endpoints.split(","):
            targets = endpoints[name.strip()]
            print(f"{name}: warming up, then {args.duration:g} s ...", flush=True)
            asyncio.run(
                load_test(host, port, targets, args.concurrency, args.warmup, args.per_connection)
            )
            processes = cpu_by_process(process.pid) if process else {}
            before = (sum(processes.values()), own_cpu(), machine_busy())
            latencies, failures, seconds = asyncio.run(
                load_test(host, port, targets, args.concurrency, args.duration, args.per_connection)
            )
            processes_after = cpu_by_process(process.pid) if process else {}
            after = (sum(processes_after.values()), own_cpu(), machine_busy())
            run = Run(name.strip(), args.concurrency, seconds, latencies, failures)
            run.server_cpu, run.client_cpu = after[0] - before[0], after[1] - before[1]
            run.other_cpu = max(0.0, after[2] - before[2] - run.server_cpu - run.client_cpu)
            run.split = worker_split(processes, processes_after)
            run.server_mib = resident_mib(process.pid) if process else float("nan")
            run.load = os.getloadavg()
            runs.append(run)
        report(runs, args, cables)
    finally:
        if process is not None:
            stop_server(process)


if __name__ == "__main__":
    main()
