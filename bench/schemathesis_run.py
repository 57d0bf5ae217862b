"""Issue #7, acceptance 4: Schemathesis against /api/v1/openapi.json, the larger pass.

The test (aftersales/config/tests/test_api_schemathesis.py) runs a small deterministic pass
in-process on every `make test`; this runs the same checks with more examples and with the
coverage phase (boundary values and invalid input for every parameter, deterministic) against
the production server (`aftersales serve`, gunicorn) on its own database loaded with the demo,
once with the demo administrator's token and once with a customer user's (both issued by
POST /api/v1/auth/token). Its files and task store are in var/bench-schemathesis/; no worker
runs, so the mail and webhooks the requests cause stay queued: nothing leaves the machine.

Prints, per user: operations, requests, answers by status class, failures by check, and
each distinct failure with a curl line to reproduce it.

    .venv/bin/python bench/schemathesis_run.py [--backend sqlite|postgresql] [--max-examples 50]
        [--no-coverage] [--seed N] [--reuse]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import time
import urllib.request
from typing import Any

import common
from common import HOST, ROOT, Server, fresh_database, run_demo, say

PURPOSE = "schemathesis"
common.DATABASES[PURPOSE] = "bench_schemathesis"
DEMO_CUSTOMER_USER = "xjjt"  # a user of the demo's first customer


def issue_token(port: int, username: str, password: str) -> str:
    request = urllib.request.Request(
        f"http://{HOST}:{port}/api/v1/auth/token", method="POST",
        data=json.dumps({"username": username, "password": password, "name": "schemathesis"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
        token: str = json.load(response)["token"]
    return token


def run(port: int, token: str, *, max_examples: int, coverage: bool, seed: int) -> dict[str, Any]:
    import schemathesis
    from schemathesis.engine import events, from_schema

    from aftersales.config.tests.test_api_schemathesis import (
        EXCLUDED_PATHS,
        SCHEMA_PATH,
        schemathesis_config,
    )

    config = schemathesis_config(bearer_token=token, max_examples=max_examples, coverage=coverage,
                                 seed=seed)
    schema = schemathesis.openapi.from_url(f"http://{HOST}:{port}{SCHEMA_PATH}", config=config)
    for path_regex in EXCLUDED_PATHS:
        schema = schema.exclude(path_regex=path_regex)
    operations: set[str] = set()
    requests = 0
    statuses: collections.Counter[str] = collections.Counter()
    failed_checks: collections.Counter[str] = collections.Counter()
    failures: dict[tuple[str, str, str], str] = {}
    errors: list[str] = []
    too_long = 0
    started = time.perf_counter()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            recorder = event.recorder
            operations.add(recorder.label)
            for interaction in recorder.interactions.values():
                requests += 1
                if interaction.response is not None:
                    statuses[f"{interaction.response.status_code // 100}xx"] += 1
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    if check.failure_info is None:
                        continue
                    interaction = recorder.interactions.get(case_id)
                    if interaction and interaction.response and interaction.response.status_code == 414:
                        # gunicorn refuses a request line over 4094 bytes before the app sees
                        # it (as an HTML page): counted apart, not a failure of the API.
                        too_long += 1
                        continue
                    failed_checks[check.name] += 1
                    failure = check.failure_info.failure
                    key = (recorder.label, check.name, failure.title)
                    message = " ".join(failure.message.split())
                    failures.setdefault(key, f"{message[:300]}\n      {check.failure_info.code_sample[:300]}")
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            raise event.exception
    return {
        "seconds": time.perf_counter() - started, "operations": len(operations), "requests": requests,
        "statuses": dict(sorted(statuses.items())), "failed_checks": dict(failed_checks),
        "failures": failures, "errors": errors, "too_long": too_long,
    }


def report(user: str, result: dict[str, Any]) -> None:
    say(f"{user}: {result['operations']} operations, {result['requests']} requests in "
        f"{result['seconds']:.0f} s; answers {result['statuses']}")
    say(f"  failures by check: {result['failed_checks'] or 'none'}; "
        f"distinct failures: {len(result['failures'])}; errors: {len(result['errors'])}")
    if result["too_long"]:
        say(f"  ({result['too_long']} check results on 414 answers left out: gunicorn refuses a "
            "request line over 4094 bytes before the application sees it)")
    for (label, check, title), sample in sorted(result["failures"].items()):
        say(f"  - {label}: {check}: {title}\n      {sample}")
    for error in result["errors"]:
        say(f"  ! {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--max-examples", type=int, default=50)
    parser.add_argument("--no-coverage", dest="coverage", action="store_false")
    parser.add_argument("--seed", type=int, default=None, help="default: the test's seed")
    parser.add_argument("--reuse", action="store_true", help="keep the database of a previous run")
    args = parser.parse_args()

    # Its own var/ (uploaded files, the task store no worker reads: mail and webhooks the
    # requests cause stay queued) for the demo and the server alike.
    var_dir = ROOT / "var" / "bench-schemathesis"
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["AFTERSALES_VAR_DIR"] = str(var_dir)

    if not args.reuse:
        say(f"migrating a fresh {args.backend} database ({fresh_database(args.backend, PURPOSE):.0f} s)")
        say(f"loading the demo ({run_demo(args.backend, PURPOSE):.0f} s)")
    common.django_setup(args.backend, PURPOSE)
    from aftersales.config.tests.test_api_schemathesis import SEED

    password = os.environ.get("AFTERSALES_DEMO_PASSWORD") or "aftersales-demo"
    with Server(args.backend, PURPOSE, workers=2) as server:
        results = {}
        for user in ("admin", DEMO_CUSTOMER_USER):
            token = issue_token(server.port, user, password)
            results[user] = run(server.port, token, max_examples=args.max_examples,
                                coverage=args.coverage, seed=args.seed if args.seed is not None else SEED)
    say(f"Schemathesis {__import__('schemathesis').__version__}, {args.backend}, "
        f"{args.max_examples} examples per operation and phase, coverage phase "
        f"{'on' if args.coverage else 'off'}")
    for user, result in results.items():
        report(user, result)


if __name__ == "__main__":
    main()
