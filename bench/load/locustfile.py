"""Mixed traffic for the production load test (bench/load_production.py runs it; see there).

Hotline agents file cases (over the API, with an Idempotency-Key; now and then the same request
twice, as a client retrying after a lost answer would), read the queue and cases, and take their
own cases through acknowledge → respond → wait on the customer → resume → resolve → close by
phone consent. Customer users read their portal pages and file their own requests. Managers open
the console's home page (dashboard) and queue.

Every filing is written to LOAD_RECORD (one JSON line: key, status, case id) so the driver can
check afterwards that each acknowledged case exists exactly once. Every response's status is
counted per request name in LOAD_STATUSES at the end.
"""

from __future__ import annotations

import json
import os
import random
import threading
import uuid
from collections import Counter, defaultdict
from typing import Any

from locust import HttpUser, between, events, task

PASSWORD = os.environ["LOAD_PASSWORD"]
RECORD = os.environ["LOAD_RECORD"]
STATUSES = os.environ["LOAD_STATUSES"]
TITLES = (
    "ETC车道无法交易", "车道控制机频繁死机", "隧道摄像机黑屏", "光传输设备LOS告警", "UPS电池告警",
    "自动栏杆机不抬杆", "紧急电话无法接通", "情报板显示乱码", "车牌识别率下降", "配电柜空开跳闸",
)
# The steps an agent takes a case through, with what each needs.
STEPS = (
    ("acknowledge", {}),
    ("respond", {"message": "已收到，工程师正在排查。"}),
    ("wait_on_customer", {"reason": "请提供故障车道编号。"}),
    ("resume", {}),
    ("resolve", {"resolution": "更换故障部件，复测正常。"}),
    ("confirm_closure", {"note": "客户电话同意关闭。"}),
)

_lock = threading.Lock()
_record = open(RECORD, "a", encoding="utf-8")  # noqa: SIM115 - closed at quit
_statuses: dict[str, Counter[int]] = defaultdict(Counter)


@events.request.add_listener
def _count(name: str, response: Any, exception: Any, **_kw: Any) -> None:
    status = getattr(response, "status_code", 0) or 0
    with _lock:
        _statuses[name][status] += 1


@events.quitting.add_listener
def _write(**_kw: Any) -> None:
    with _lock:
        _record.close()
        with open(STATUSES, "w", encoding="utf-8") as out:
            json.dump({name: dict(counts) for name, counts in _statuses.items()}, out)


def _note(key: str, status: int, case_id: str | None, repeat: bool) -> None:
    with _lock:
        _record.write(json.dumps({"key": key, "status": status, "case": case_id, "repeat": repeat}) + "\n")


class ApiUser(HttpUser):
    abstract = True
    username = ""

    def sign_in(self, home: str) -> None:
        """A session for the web pages, as a browser gets one (the form with its CSRF token)."""
        self.client.get("/accounts/sign-in/", name="sign-in page")
        response = self.client.post("/accounts/sign-in/", name="sign-in", allow_redirects=False, data={
            "username": self.username, "password": PASSWORD,
            "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
        }, headers={"Referer": f"{self.host}/accounts/sign-in/"})
        if response.status_code != 302 or not response.headers.get("Location", "").startswith(home):
            raise RuntimeError(f"{self.username} could not sign in: {response.status_code}")

    def page(self, path: str, name: str) -> None:
        """A page that must answer itself (a redirect to the sign-in page is a failure)."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code == 200:
                response.success()
            else:
                response.failure(f"status {response.status_code}")

    def on_start(self) -> None:
        response = self.client.post("/api/v1/auth/token", json={"username": self.username, "password": PASSWORD},
                                    name="auth/token")
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}

    def file_case(self, customer_id: str, contact_id: str | None) -> str | None:
        key = f"load-{uuid.uuid4().hex}"
        body = {"customer_id": customer_id, "channel": "phone", "category": "fault",
                "title": random.choice(TITLES), "description": "负载测试", "impact": "degraded"}
        if contact_id:
            body["contact_id"] = contact_id
        headers = {**self.headers, "Idempotency-Key": key}
        case_id = None
        repeats = 2 if random.random() < 0.05 else 1
        for attempt in range(repeats):
            with self.client.post("/api/v1/cases", json=body, headers=headers, name="cases: file",
                                  catch_response=True) as response:
                ok = response.status_code in (200, 201)
                got = response.json().get("id") if ok else None
                if ok and case_id is not None and got != case_id:
                    response.failure(f"the same key gave two cases: {case_id} {got}")
                elif not ok:
                    response.failure(f"status {response.status_code}")
                else:
                    response.success()
                _note(key, response.status_code, got, attempt > 0)
                case_id = case_id or got
        return case_id


class Agent(ApiUser):
    weight = 6
    wait_time = between(0.5, 2.0)
    username = "agent"

    def on_start(self) -> None:
        super().on_start()
        customers = self.client.get("/api/v1/customers?limit=50", headers=self.headers, name="customers").json()
        self.targets: list[tuple[str, str | None]] = []
        for customer in customers:
            contacts = self.client.get(f"/api/v1/customers/{customer['id']}/contacts", headers=self.headers,
                                       name="customers/{id}/contacts").json()
            self.targets.append((customer["id"], contacts[0]["id"] if contacts else None))
        self.mine: dict[str, int] = {}

    @task(3)
    def file(self) -> None:
        case_id = self.file_case(*random.choice(self.targets))
        if case_id:
            self.mine[case_id] = 0

    @task(4)
    def queue(self) -> None:
        self.client.get("/api/v1/cases?limit=50", headers=self.headers, name="cases: queue")

    @task(3)
    def detail(self) -> None:
        if self.mine:
            case_id = random.choice(list(self.mine))
            self.client.get(f"/api/v1/cases/{case_id}", headers=self.headers, name="cases/{id}")
            self.client.get(f"/api/v1/cases/{case_id}/events", headers=self.headers, name="cases/{id}/events")

    @task(4)
    def act(self) -> None:
        if not self.mine:
            return
        case_id = random.choice(list(self.mine))
        step = self.mine[case_id]
        action, fields = STEPS[step]
        with self.client.post(f"/api/v1/cases/{case_id}/actions/{action}", json=fields, headers=self.headers,
                              name=f"cases/{{id}}/actions/{action}", catch_response=True) as response:
            if response.status_code == 200:
                response.success()
            else:
                response.failure(f"status {response.status_code}: {response.text[:200]}")
        if step + 1 < len(STEPS):
            self.mine[case_id] = step + 1
        else:
            del self.mine[case_id]


class Customer(ApiUser):
    weight = 3
    wait_time = between(1.0, 3.0)
    username = "xjjt"

    def on_start(self) -> None:
        super().on_start()
        me = self.client.get("/api/v1/customers?limit=5", headers=self.headers, name="customers").json()
        self.customer_id = me[0]["id"]
        self.sign_in("/portal/")
        self.cases: list[str] = []

    @task(3)
    def portal_home(self) -> None:
        self.page("/portal/", "portal")

    @task(2)
    def portal_case(self) -> None:
        if not self.cases:
            listed = self.client.get("/api/v1/cases?limit=20", headers=self.headers, name="cases: queue (customer)")
            self.cases = [c["id"] for c in listed.json().get("items", [])]
        if self.cases:
            self.page(f"/portal/cases/{random.choice(self.cases)}/", "portal/cases/{id}")

    @task(1)
    def file(self) -> None:
        case_id = self.file_case(self.customer_id, None)
        if case_id:
            self.cases.append(case_id)


class Manager(ApiUser):
    weight = 1
    wait_time = between(2.0, 5.0)
    username = "manager"

    def on_start(self) -> None:
        super().on_start()
        self.sign_in("/console/")

    @task(2)
    def dashboard(self) -> None:
        self.page("/console/reports/dashboard/", "console reports dashboard")

    @task(1)
    def queue(self) -> None:
        self.page("/console/", "console queue")
