#!/usr/bin/env python3
"""Search-node benchmark: a PostgreSQL record and search nodes, on a private cluster.

Starts a private PostgreSQL cluster (``tools/pgcluster.py``; fsync on unless
``--no-fsync``) and, on ``--cables`` synthetic cables (the first N lines of
``bench/synth.py``'s output, made when missing), measures and prints:

1. ingest into PostgreSQL with one loader, and with two loaders at once on disjoint
   halves of the input (separate processes, ``store.ingest.ingest`` into a
   ``PostgresRecord``, as ``cablekit ingest --db postgresql://...`` and the
   ``Archive`` API do), and into SQLite (the same input, one loader): cables/s by the
   wall clock, CPU seconds of the loaders (with their parse workers) and of PostgreSQL;
2. the index build (``cablekit index rebuild``) and a sync of ``--changed`` cables
   given a new version each (``store.replica.catch_up``): cables/s;
3. change-to-searchable lag: a node (``cablekit serve --sync-every S``) runs while this
   process ingests batches of ``--lag-batch`` changed cables, each carrying a word of
   its own; the lag runs from the writer's commit to the first answer of the node's
   ``/api/v1/search`` that counts the whole batch: p50, p95 over ``--lag-samples``;
4. search latency from the node's index against the SQLite-only archive of the same
   input, in the same run: the query mix of ``bench/search_bench.py`` (facets,
   timeline, snippets), alternated twice;
5. HTTP search pages/s (``/`` with ``http_bench``'s mix) from one node, then from two
   nodes (two ``cablekit serve`` processes, each with its own copy of the index), by a
   closed-loop asyncio client in this process whose requests alternate between the
   nodes; with the CPU seconds of each node, the client, PostgreSQL and the rest;
6. peak resident memory of each node.

Every step says how long it took. Nothing is asserted: this is a measurement.

Usage::

    .venv/bin/python bench/node_bench.py --cables 20000          # a quick check
    .venv/bin/python bench/node_bench.py                          # 250,000 cables
    .venv/bin/python bench/node_bench.py --cables 20000 --profile  # cProfile build/sync
    .venv/bin/python bench/node_bench.py --ingest-only             # step 1 alone
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import os
import pstats
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from tools.pgcluster import Cluster, free_port, private_dir  # noqa: E402

from http_bench import (  # noqa: E402
    Connection,
    machine_busy,
    own_cpu,
    process_tree,
    search_page,
)
from search_bench import Mix, percentile, run_mix  # noqa: E402

OUT = ROOT / "bench" / "out"
CABLEKIT = Path(sys.executable).parent / "cablekit"
TICK = os.sysconf("SC_CLK_TCK")
# The server settings of the cluster, beside initdb's defaults: enough shared buffers
# and WAL between checkpoints for a bulk load, as a deployment would set them.
PG_SETTINGS = {
    "shared_buffers": "'512MB'",
    "max_wal_size": "'4GB'",
    "checkpoint_timeout": "'15min'",
}
FIRST_PARAGRAPH = re.compile(r"\n\n1\.\s*(?:\([A-Za-z/ ]{1,16}\)\s*)?")


# --- timing of processes ------------------------------------------------------------------


@dataclass(slots=True)
class Finished:
    """A child process that ran to its end: wall seconds, CPU seconds (with the
    children it waited for), peak resident MiB, and what it printed."""

    wall: float
    cpu: float
    peak_mib: float
    output: str


def run_all(commands: Sequence[Sequence[str]], env: dict[str, str] | None = None) -> list[Finished]:
    """Start ``commands`` at once; each one's figures once they all ended."""
    started = time.perf_counter()
    processes = [
        subprocess.Popen(list(c), stdout=subprocess.PIPE, env=env, text=True) for c in commands
    ]
    done: dict[int, Finished] = {}
    for process in processes:
        # wait4 gives the rusage of this child and of the children it waited for.
        _, status, usage = os.wait4(process.pid, 0)
        output = process.stdout.read() if process.stdout else ""
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(commands[processes.index(process)])} failed: {output}")
        done[process.pid] = Finished(
            time.perf_counter() - started,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024,
            output,
        )
    return [done[p.pid] for p in processes]


def proc_cpu(pid: int, children: bool = False) -> float:
    """CPU seconds of one process (and of its exited children when ``children``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICK


def tree_cpu(pid: int, exited: bool = False) -> float:
    """CPU seconds of a process and its live descendants; with ``exited``, also of the
    children the root has reaped (PostgreSQL's postmaster reaps each closed backend)."""
    return sum(proc_cpu(p, exited and p == pid) for p in process_tree(pid))


def peak_mib(pid: int) -> float:
    """The largest peak resident size (VmHWM) among a process and its descendants."""
    peak = 0
    for p in process_tree(pid):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    return peak / 1024


class Postgres:
    """The private cluster, and the CPU its processes used."""

    def __init__(self, fsync: bool) -> None:
        self.home = private_dir("cablekit-node-bench-")
        self.cluster = Cluster(self.home / "data", free_port(), fsync=fsync)
        self.cluster.init()
        with (self.cluster.datadir / "postgresql.conf").open("a") as conf:
            conf.write("".join(f"{k} = {v}\n" for k, v in PG_SETTINGS.items()))
        self.cluster.start()

    @property
    def pid(self) -> int:
        return int((self.cluster.datadir / "postmaster.pid").read_text().split()[0])

    def cpu(self) -> float:
        return tree_cpu(self.pid, exited=True)

    def size(self, name: str) -> int:
        with self.cluster.connect() as conn:
            row = conn.execute("SELECT pg_database_size(%s)", (name,)).fetchone()
        return int(row[0]) if row else 0

    def close(self, keep: bool) -> None:
        self.cluster.stop()
        if not keep:
            shutil.rmtree(self.home, ignore_errors=True)


@contextlib.contextmanager
def step(name: str, took: dict[str, float]) -> Iterator[None]:
    print(f"\n== {name}", flush=True)
    started = time.perf_counter()
    yield
    took[name] = time.perf_counter() - started
    print(f"   (step took {took[name]:.1f} s)", flush=True)


# --- inputs ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Inputs:
    all: Path
    halves: tuple[Path, Path]
    changed: Path
    count: int
    changed_count: int
    lines: list[str] = field(default_factory=list)  # the last lines, for the lag batches


def with_word(line: str, word: str) -> str:
    """The cable of a JSON line with ``word`` at the start of its first paragraph: a new
    version of the same cable (its text, and so its hash, differs)."""
    record = json.loads(line)
    text = record["text"]
    found = FIRST_PARAGRAPH.search(text)
    if found is None:
        text = text.replace("SUBJECT:", f"SUBJECT: {word}", 1)
    else:
        text = f"{text[: found.end()]}{word} {text[found.end() :]}"
    record["text"] = text
    return json.dumps(record, ensure_ascii=False) + "\n"


def letters(n: int) -> str:
    """``n`` as letters (a word the tokenizer keeps whole): 0 -> aaaa, 1 -> aaab ..."""
    out = ""
    for _ in range(4):
        n, r = divmod(n, 26)
        out = chr(97 + r) + out
    return out


def make_inputs(source: Path, count: int, changed: int, keep_last: int) -> Inputs:
    """The first ``count`` lines of ``source``, its two halves (alternate lines), and
    ``changed`` cables spread over the input with the word ``benchsync`` added."""
    folder = OUT / f"node-{count}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = Inputs(
        folder / "all.jsonl",
        (folder / "half-a.jsonl", folder / "half-b.jsonl"),
        folder / "changed.jsonl",
        count,
        changed,
    )
    every = max(1, (count - keep_last) // max(changed, 1))
    with (
        source.open(encoding="utf-8") as lines,
        paths.all.open("w", encoding="utf-8") as whole,
        paths.halves[0].open("w", encoding="utf-8") as a,
        paths.halves[1].open("w", encoding="utf-8") as b,
        paths.changed.open("w", encoding="utf-8") as sync,
    ):
        written = made = 0
        for n, line in enumerate(lines):
            if n == count:
                break
            whole.write(line)
            (a if n % 2 == 0 else b).write(line)
            if n % every == 0 and made < changed and n < count - keep_last:
                sync.write(with_word(line, "benchsync"))
                made += 1
            if n >= count - keep_last:
                paths.lines.append(line)
            written += 1
    if written < count:
        raise SystemExit(f"{source} has {written:,} cables, fewer than --cables {count:,}")
    paths.changed_count = made
    return paths


def ensure_source(source: Path, count: int) -> None:
    if source.exists():
        return
    print(f"making {source} with bench/synth.py ({count:,} cables) ...", flush=True)
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "synth.py"), "--count", str(count),
         "--verify", "0", "-o", str(source)],
        check=True,
    )  # fmt: skip


# --- 1. ingest ------------------------------------------------------------------------------


def loader(target: str, path: str, release: str, jobs: int) -> None:
    """One loader (run as ``node_bench.py _load``): ingest ``path`` into ``target``."""
    from cablekit.store.ingest import ingest
    from cablekit.store.postgres import PostgresRecord, is_url
    from cablekit.store.sqlite import SQLiteStore

    store = PostgresRecord(target, create=True) if is_url(target) else SQLiteStore(target, True)
    with store:
        report = ingest(store, [path], release=release, jobs=jobs)
    print(json.dumps(report_dict(report)))


def report_dict(report: object) -> dict[str, int]:
    names = ("ingested", "unchanged", "new_versions", "failed")
    return {name: int(getattr(report, name)) for name in names}


def load_command(target: str, path: Path, release: str, jobs: int) -> list[str]:
    return [sys.executable, __file__, "_load", target, str(path), release, str(jobs)]


def timed_loaders(
    pg: Postgres | None, commands: list[list[str]], cables: int, label: str
) -> tuple[float, float]:
    """Run the loaders at once; print their figures; the wall time and total CPU."""
    before = pg.cpu() if pg else 0.0
    done = run_all(commands)
    pg_cpu = (pg.cpu() - before) if pg else 0.0
    wall = max(d.wall for d in done)
    loaders_cpu = sum(d.cpu for d in done)
    total = loaders_cpu + pg_cpu
    reports = [json.loads(d.output.strip().splitlines()[-1]) for d in done]
    counted = sum(r["ingested"] + r["new_versions"] + r["unchanged"] for r in reports)
    print(
        f"   {label}: {counted:,} cables in {wall:.1f} s: {cables / wall:,.0f} cables/s wall;"
        f" CPU loaders {loaders_cpu:.1f} s"
        + (f" + PostgreSQL {pg_cpu:.1f} s" if pg else "")
        + f" = {total:.1f} s ({cables / total:,.0f} cables per CPU second);"
        f" loader peak RSS {max(d.peak_mib for d in done):.0f} MiB"
    )
    for n, (d, r) in enumerate(zip(done, reports, strict=True), 1):
        if len(done) > 1:
            print(f"     loader {n}: {d.wall:.1f} s, CPU {d.cpu:.1f} s, {r}")
        elif r.get("failed"):
            print(f"     {r}")
    return wall, total


# --- 4. search from the node against SQLite ------------------------------------------------


def search_compare(url: str, index: Path, sqlite_db: Path, repeat: int) -> None:
    from cablekit.archive import Archive

    runs: dict[str, Mix] = {"node": Mix([], [], []), "sqlite": Mix([], [], [])}
    for _ in range(2):  # alternated, so that a busy minute falls on both
        for name in ("node", "sqlite"):
            target = url if name == "node" else str(sqlite_db)
            with Archive(target, index=index if name == "node" else None) as archive:
                mix = run_mix(archive, repeat)
            runs[name].wall += mix.wall
            runs[name].cpu += mix.cpu
    for name, mix in runs.items():
        print(
            f"   {name:<6}: p50 {percentile(mix.wall, 0.5):6.1f} ms, p95"
            f" {percentile(mix.wall, 0.95):6.1f} ms, p99 {percentile(mix.wall, 0.99):6.1f} ms"
            f" (CPU p50 {percentile(mix.cpu, 0.5):.1f} ms; {len(mix.wall)} timed searches)"
        )
    node, lite = runs["node"].wall, runs["sqlite"].wall
    print(
        f"   node / SQLite: p50 {percentile(node, 0.5) / percentile(lite, 0.5):.2f}x,"
        f" p95 {percentile(node, 0.95) / percentile(lite, 0.95):.2f}x (target <= 1.2x)"
    )


# --- nodes ------------------------------------------------------------------------------------


class Node:
    """``cablekit serve --db URL --index PATH`` on a free port, in its own group."""

    def __init__(self, url: str, index: Path, sync_every: float, core: int | None = None) -> None:
        self.port = free_port()
        pinned = ["taskset", "-c", str(core)] if core is not None else []  # one core, or all
        self.process = subprocess.Popen(
            [*pinned, str(CABLEKIT), "serve", "--db", url, "--index", str(index), "--port",
             str(self.port), "--sync-every", str(sync_every)],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"cablekit serve stopped with status {self.process.returncode}")
            with contextlib.suppress(OSError, ConnectionError, asyncio.IncompleteReadError):
                status, _ = asyncio.run(get(self.port, "/healthz"))
                if status == 200:
                    return
            time.sleep(0.2)
        self.stop()
        raise SystemExit("a node did not answer /healthz 200 within two minutes")

    def cpu(self) -> float:
        return tree_cpu(self.process.pid)

    def peak_mib(self) -> float:
        return peak_mib(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


async def get(port: int, target: str) -> tuple[int, bytes]:
    connection = Connection("127.0.0.1", port)
    try:
        return await connection.get(target)
    finally:
        await connection.close()


# --- 3. change-to-searchable lag ------------------------------------------------------------


def lag_samples(
    url: str, node: Node, lines: list[str], samples: int, batch: int, by_search: bool
) -> list[float]:
    """Seconds from each batch's commit until the node's search counts all of it.

    ``by_search``: a reader polls the search itself (a request that finds the index
    behind nudges the node's follower, so it syncs at once); else only ``/healthz`` is
    polled (it does not nudge: the follower's own timer applies the batch) until the
    node reports nothing behind, and one search then checks the batch is found."""
    from cablekit.store.ingest import ingest
    from cablekit.store.postgres import PostgresRecord

    folder = Path(private_dir("cablekit-lag-"))
    lags: list[float] = []
    rng = random.Random(1)
    connection = Connection("127.0.0.1", node.port)

    async def found(word: str) -> int:
        query = urlencode({"q": word, "limit": 1, "snippets": "false"})
        status, body = await connection.get(f"/api/v1/search?{query}")
        return int(json.loads(body)["total"]) if status == 200 else -1

    async def current() -> bool:
        status, body = await connection.get("/healthz")
        return status == 200 and json.loads(body).get("behind") == 0

    async def wait_for(word: str, committed: float) -> float:
        while not (await found(word) >= batch if by_search else await current()):
            if time.perf_counter() - committed > 60:
                raise SystemExit(f"the node did not find {word} within 60 s")
            await asyncio.sleep(0.005)
        lag = time.perf_counter() - committed
        if not by_search and await found(word) < batch:
            raise SystemExit(f"the node reports no lag but does not find {word}")
        return lag

    async def run() -> None:
        with PostgresRecord(url) as record:
            for n in range(samples):
                word = f"benchlag{'s' if by_search else 't'}{letters(n)}"
                path = folder / f"lag-{n}.jsonl"
                picked = lines[n * batch : (n + 1) * batch]
                path.write_text("".join(with_word(line, word) for line in picked))
                ingest(record, [str(path)], release=f"zlag-{n:04d}", jobs=1)
                lags.append(await wait_for(word, time.perf_counter()))
                await asyncio.sleep(rng.uniform(0.05, 0.5))  # out of step with the follower
        await connection.close()

    try:
        asyncio.run(run())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return lags


# --- 5. HTTP pages/s from one and two nodes -------------------------------------------------


@dataclass(slots=True)
class Load:
    seconds: float
    latencies: list[float]
    failures: dict[int, int]


async def drive(ports: list[int], concurrency: int, seconds: float) -> Load:
    """``concurrency`` closed-loop clients, each request to the next node in turn, a new
    connection every ten requests (visitors come and go)."""
    latencies: list[float] = []
    failures: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def client(n: int) -> None:
        pick = random.Random(n)
        connections = [Connection("127.0.0.1", port) for port in ports]
        sent = 0
        try:
            while time.perf_counter() < deadline:
                connection = connections[(n + sent) % len(ports)]
                if sent and sent % (10 * len(ports)) == 0:
                    for c in connections:
                        await c.close()
                sent += 1
                started = time.perf_counter()
                status, _ = await connection.get(search_page(pick))
                latencies.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    failures[status] = failures.get(status, 0) + 1
        finally:
            for c in connections:
                await c.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(concurrency)))
    return Load(time.perf_counter() - started, latencies, failures)


def http_run(
    nodes: list[Node], pg: Postgres, concurrency: int, seconds: float, warmup: float
) -> float:
    ports = [n.port for n in nodes]
    asyncio.run(drive(ports, concurrency, warmup))
    before = ([n.cpu() for n in nodes], own_cpu(), pg.cpu(), machine_busy())
    load = asyncio.run(drive(ports, concurrency, seconds))
    after = ([n.cpu() for n in nodes], own_cpu(), pg.cpu(), machine_busy())
    node_cpu = [a - b for a, b in zip(after[0], before[0], strict=True)]
    client, postgres = after[1] - before[1], after[2] - before[2]
    busy = after[3] - before[3]
    others = max(0.0, busy - sum(node_cpu) - client - postgres)
    rate = len(load.latencies) / load.seconds
    lat = load.latencies
    cores = os.cpu_count() or 1
    print(
        f"   {len(nodes)} node{'s' * (len(nodes) > 1)}: {rate:,.1f} pages/s, p50"
        f" {percentile(lat, 0.5):.0f} ms, p95 {percentile(lat, 0.95):.0f} ms,"
        f" {sum(load.failures.values())} not 200 {load.failures or ''}"
    )
    split = ", ".join(f"node {i + 1} {c:.1f}" for i, c in enumerate(node_cpu))
    print(
        f"     CPU s over {load.seconds:.1f} s ({cores} cores = {cores * load.seconds:.0f} s):"
        f" {split}, client {client:.1f}, PostgreSQL {postgres:.1f}, others {others:.1f};"
        f" machine busy {100 * busy / (cores * load.seconds):.0f}%;"
        f" node CPU per page {1000 * sum(node_cpu) / max(len(lat), 1):.1f} ms,"
        f" PostgreSQL per page {1000 * postgres / max(len(lat), 1):.2f} ms"
    )
    return rate


# --- profiling ----------------------------------------------------------------------------------


def profiled(name: str, enabled: bool) -> contextlib.AbstractContextManager[None]:
    if not enabled:
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def run() -> Iterator[None]:
        profile = cProfile.Profile()
        profile.enable()
        try:
            yield
        finally:
            profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
            path = OUT / f"node-bench-{name}.prof.txt"
            path.write_text(out.getvalue())
            print(f"   profile of {name}: {path}")

    return run()


def copy_index(source: Path, target: Path) -> None:
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()
    with sqlite3.connect(source) as a, sqlite3.connect(target) as b:
        a.backup(b)
    a.close()
    b.close()


def file_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


# --- main -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cables", type=int, default=250_000)
    parser.add_argument("--input", type=Path, default=OUT / "synth-250k.jsonl")
    parser.add_argument("--jobs", type=int, default=2, help="parse workers per loader")
    parser.add_argument("--changed", type=int, default=0, help="cables synced [N/25, <= 10,000]")
    parser.add_argument("--lag-samples", type=int, default=120, help="half of each kind")
    parser.add_argument("--lag-batch", type=int, default=5, help="cables per lag batch")
    parser.add_argument("--sync-every", type=float, default=1.0, help="node's --sync-every")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per search query")
    parser.add_argument("--concurrency", type=int, default=8, help="HTTP clients at once")
    parser.add_argument("--duration", type=float, default=20.0, help="HTTP seconds per run")
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--fsync", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--profile", action="store_true", help="cProfile the build and sync")
    parser.add_argument("--keep", action="store_true", help="keep the cluster's folder")
    parser.add_argument("--ingest-only", action="store_true", help="stop after step 1")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="each node on a core of its own (taskset): 1 node on one core against 2 on two",
    )
    args = parser.parse_args()
    changed = args.changed or min(10_000, args.cables // 25)
    took: dict[str, float] = {}
    started = time.perf_counter()
    print(
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; {args.cables:,} cables,"
        f" loaders with --jobs {args.jobs}, fsync {'on' if args.fsync else 'off'}"
    )
    with step("inputs", took):
        ensure_source(args.input, max(args.cables, 250_000))
        inputs = make_inputs(args.input, args.cables, changed, args.lag_samples * args.lag_batch)
        print(f"   {inputs.all} and halves; {inputs.changed_count:,} changed cables")
    folder = inputs.all.parent
    lite, index_a, index_b = folder / "sqlite.db", folder / "index-a.db", folder / "index-b.db"
    for path in (lite, index_a, index_b):
        for leftover in folder.glob(path.name + "*"):
            leftover.unlink()
    pg = Postgres(args.fsync)
    nodes: list[Node] = []
    env = {**os.environ, "XDG_CONFIG_HOME": str(pg.home / "config")}
    os.environ.update(env)  # the audit key of the record lives there, not in ~/.config
    try:
        settings = ", ".join(f"{k}={v}" for k, v in PG_SETTINGS.items())
        print(f"   PostgreSQL {pg.cluster.bindir} on port {pg.cluster.port}; {settings}")
        one = pg.cluster.create_database("one")
        two = pg.cluster.create_database("two")
        n = args.cables
        with step("1. ingest", took):
            timed_loaders(
                pg, [load_command(one, inputs.all, "bench", args.jobs)], n, "PG, 1 loader"
            )
            timed_loaders(
                pg,
                [load_command(two, half, "bench", args.jobs) for half in inputs.halves],
                n,
                "PG, 2 loaders",
            )
            timed_loaders(None, [load_command(str(lite), inputs.all, "bench", args.jobs)], n,
                          "SQLite, 1 loader")  # fmt: skip
            print(
                f"   sizes: PostgreSQL one {pg.size('one') / 1e6:,.0f} MB, two"
                f" {pg.size('two') / 1e6:,.0f} MB; SQLite {file_mb(lite):,.0f} MB"
            )
        if args.ingest_only:
            return
        with step("2a. index build (cablekit index rebuild)", took):
            before = pg.cpu()
            command = [str(CABLEKIT), "index", "rebuild", "--db", one, "--index", str(index_a)]
            if args.profile:
                prof = OUT / "node-bench-build.prof"
                command = [sys.executable, "-m", "cProfile", "-o", str(prof), *command]
            (done,) = run_all([command], env)
            pg_cpu = pg.cpu() - before
            print(
                f"   {n:,} cables in {done.wall:.1f} s: {n / done.wall:,.0f} cables/s; CPU"
                f" cablekit {done.cpu:.1f} s + PostgreSQL {pg_cpu:.1f} s; peak RSS"
                f" {done.peak_mib:.0f} MiB; index {file_mb(index_a):,.0f} MB"
            )
            if args.profile:
                text = io.StringIO()
                pstats.Stats(str(prof), stream=text).sort_stats("cumulative").print_stats(30)
                (OUT / "node-bench-build.prof.txt").write_text(text.getvalue())
                print(f"   profile: {OUT / 'node-bench-build.prof.txt'}")
        with step("4. search: node index against SQLite-only", took):
            search_compare(one, index_a, lite, args.repeat)
        with step("2b. sync of changed cables", took):
            timed_loaders(
                pg,
                [load_command(one, inputs.changed, "zsync", args.jobs)],
                inputs.changed_count,
                "PG, new versions",
            )
            from cablekit.archive import Archive
            from cablekit.store.postgres import PostgresRecord
            from cablekit.store.replica import catch_up
            from cablekit.store.sqlite import SQLiteStore

            before = pg.cpu()
            wall, cpu = time.perf_counter(), time.process_time()
            with (
                profiled("sync", args.profile),
                PostgresRecord(one) as record,
                SQLiteStore(index_a) as index,
            ):
                applied = catch_up(record, index)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            pg_cpu = pg.cpu() - before
            print(
                f"   {applied:,} changes ({inputs.changed_count:,} cables) applied in {wall:.1f}"
                f" s: {inputs.changed_count / wall:,.0f} cables/s; CPU cablekit {cpu:.1f} s +"
                f" PostgreSQL {pg_cpu:.1f} s"
            )
            with Archive(one, index=index_a) as archive:
                hits = archive.search("benchsync", limit=1).total
            print(f"   the node's search finds benchsync in {hits:,} cables")
            copy_index(index_a, index_b)
        with step("3. change-to-searchable lag", took):
            nodes.append(Node(one, index_a, args.sync_every, 0 if args.pin else None))
            half = args.lag_samples // 2
            for by_search, lines in ((True, inputs.lines[: half * args.lag_batch]),
                                     (False, inputs.lines[half * args.lag_batch :])):  # fmt: skip
                lags = lag_samples(one, nodes[0], lines, half, args.lag_batch, by_search)
                ms = [1000 * s for s in lags]
                how = "search polled (nudges)" if by_search else "/healthz polled (timer only)"
                print(
                    f"   {how}: {len(ms)} batches of {args.lag_batch} cables, node --sync-every"
                    f" {args.sync_every:g}: p50 {percentile(ms, 0.5):.0f} ms, p95"
                    f" {percentile(ms, 0.95):.0f} ms, min {min(ms):.0f}, max {max(ms):.0f}"
                )
        with step("5. HTTP search pages/s", took):
            nodes.append(Node(one, index_b, args.sync_every, 1 if args.pin else None))
            print(f"   {args.concurrency} clients, {args.duration:g} s after {args.warmup:g} s")
            single = http_run(nodes[:1], pg, args.concurrency, args.duration, args.warmup)
            double = http_run(nodes, pg, args.concurrency, args.duration, args.warmup)
            print(f"   2 nodes / 1 node: {double / single:.2f}x (target >= 1.7x)")
        with step("6. memory per node", took):
            for i, node in enumerate(nodes, 1):
                print(f"   node {i}: peak RSS {node.peak_mib():.0f} MiB")
    finally:
        for node in nodes:
            node.stop()
        pg.close(args.keep)
    total = time.perf_counter() - started
    print(f"\nsteps: {', '.join(f'{k} {v:.0f} s' for k, v in took.items())}; total {total:.0f} s")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_load":
        loader(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        main()
