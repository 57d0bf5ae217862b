"""Run in a process of its own against another database (DATABASE_URL, production settings):
prints, as JSON, what the database-restart fault test checks there — the cases, the case of each
Idempotency-Key, and the clock fields that differ from a replay.

    DATABASE_URL=... python -m aftersales.operations.tests.fault_probe
"""

from __future__ import annotations

import json


def main() -> None:
    import django

    django.setup()
    from aftersales.cases.models import Case, IdempotencyKey
    from aftersales.operations.tests.faults import replay_mismatches

    print(json.dumps({  # noqa: T201 - the output is the report
        "cases": [str(pk) for pk in Case.objects.values_list("pk", flat=True)],
        "keys": [[key, str(case_id)] for key, case_id in IdempotencyKey.objects.values_list("key", "case_id")],
        "mismatches": replay_mismatches(),
    }))


if __name__ == "__main__":
    main()
