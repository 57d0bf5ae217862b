"""A small closed-loop HTTP/1.1 load generator (asyncio, raw sockets, keep-alive).

Each of `concurrency` connections sends a request, waits for the whole response, and sends the
next: the latency is the time from writing the request to reading the last byte of the answer
(including the reconnect when the server closes the connection, as gunicorn's sync workers
do). Bounded: it stops after warm-up + duration seconds or `--max-requests` measured requests,
whichever comes first. Prints one JSON object: counts, statuses, latencies, its own CPU time.

    python bench/loadgen.py --port 8000 --token T --mode create --concurrency 16 --duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid
from typing import Any

HOST = "127.0.0.1"
TITLES = (
    "ETC车道无法交易", "车道控制机频繁死机", "隧道摄像机黑屏", "光传输设备LOS告警", "UPS电池告警",
    "自动栏杆机不抬杆", "紧急电话无法接通", "情报板显示乱码", "车牌识别率下降", "配电柜空开跳闸",
)


class Load:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.failures = 0
        self.reconnects = 0
        self.measuring = False
        self.measured = 0
        self.stop = False
        self.rng = random.Random(args.seed)
        self.customers = args.customers.split(",") if args.customers else []
        self.case_ids = args.case_ids.split(",") if args.case_ids else []

    def request(self) -> bytes:
        a = self.args
        auth = f"Cookie: {a.cookie}\r\n" if a.cookie else f"Authorization: Bearer {a.token}\r\n"
        head = f"Host: {HOST}:{a.port}\r\n{auth}User-Agent: aftersales-bench\r\n"
        if a.mode == "create":
            body = json.dumps({
                "customer_id": self.rng.choice(self.customers), "channel": "phone", "category": "fault",
                "title": self.rng.choice(TITLES), "impact": "degraded",
            }, ensure_ascii=False).encode()
            return (f"POST /api/v1/cases HTTP/1.1\r\n{head}Content-Type: application/json\r\n"
                    f"Idempotency-Key: bench-{uuid.uuid4().hex}\r\nContent-Length: {len(body)}\r\n\r\n"
                    ).encode() + body
        if a.mode == "queue":
            return f"GET /api/v1/cases?limit=50 HTTP/1.1\r\n{head}\r\n".encode()
        if a.mode == "detail":
            return f"GET /api/v1/cases/{self.rng.choice(self.case_ids)} HTTP/1.1\r\n{head}\r\n".encode()
        if a.mode == "queue_page":
            return f"GET /console/ HTTP/1.1\r\n{head}\r\n".encode()
        if a.mode == "case_page":
            return f"GET /console/cases/{self.rng.choice(self.case_ids)}/ HTTP/1.1\r\n{head}\r\n".encode()
        raise SystemExit(f"unknown mode {a.mode}")

    async def connection(self) -> None:
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        while not self.stop:
            request = self.request()
            started = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(HOST, self.args.port)
                assert reader is not None
                writer.write(request)
                status, keep = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                self.failures += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
                self.reconnects += 1
                await asyncio.sleep(0.01)
                continue
            elapsed = time.perf_counter() - started
            if self.measuring:
                self.statuses[status] = self.statuses.get(status, 0) + 1
                self.latencies.append(elapsed)
                self.measured += 1
                if self.measured >= self.args.max_requests:
                    self.stop = True
            if not keep:
                assert writer is not None
                writer.close()
                reader = writer = None
                self.reconnects += 1
        if writer is not None:
            writer.close()

    async def run(self) -> dict[str, Any]:
        tasks = [asyncio.create_task(self.connection()) for _ in range(self.args.concurrency)]
        await asyncio.sleep(self.args.warmup)
        self.measuring = True
        cpu0, wall0 = time.process_time(), time.perf_counter()
        deadline = wall0 + self.args.duration
        while not self.stop and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        self.measuring = False
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
        self.stop = True
        await asyncio.wait(tasks, timeout=10)
        ok = sum(n for status, n in self.statuses.items() if 200 <= status < 300)
        return {
            "mode": self.args.mode, "concurrency": self.args.concurrency, "seconds": wall,
            "requests": self.measured, "ok": ok, "statuses": self.statuses, "failures": self.failures,
            "reconnects": self.reconnects, "throughput": ok / wall if wall else 0.0,
            "latencies": self.latencies, "client_cpu_seconds": cpu,
        }


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    line = await reader.readline()
    if not line:
        raise asyncio.IncompleteReadError(b"", None)
    parts = line.split(b" ", 2)
    status = int(parts[1])
    length = None
    chunked = False
    keep = parts[0] == b"HTTP/1.1"
    while True:
        header = await reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.partition(b":")
        name = name.strip().lower()
        value = value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value:
            chunked = True
        elif name == b"connection":
            keep = value == b"keep-alive" or (keep and value != b"close")
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length is not None:
        await reader.readexactly(length)
    else:
        await reader.read()
        keep = False
    return status, keep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--cookie", default="", help="send this Cookie header instead of a bearer token")
    parser.add_argument("--mode", choices=("create", "queue", "detail", "queue_page", "case_page"), default="create")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--customers", default="")
    parser.add_argument("--case-ids", default="")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.duration > 300 or args.warmup > 60:
        raise SystemExit("keep load runs bounded: duration <= 300 s, warm-up <= 60 s")
    print(json.dumps(asyncio.run(Load(args).run())))


if __name__ == "__main__":
    main()
