from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from aftersales.cases.sweep import sla_sweep


@db_periodic_task(crontab(minute="*"))
@lock_task("sla-sweep")
def sweep_sla_clocks() -> tuple[int, int, int]:
    result = sla_sweep()
    return result.recomputed, result.warnings, result.breaches
