"""Ship the complaint SLA policy (投诉处理时效): acknowledge (first response) and resolve targets
per complaint severity — general → P3, serious → P2, critical → P1 — on the 7×24 calendar.
Editable afterwards like every policy; a policy that already exists is left alone."""

from django.db import migrations

H = 60
D = 24 * H
# case severity: (acknowledge within, resolve within) in minutes of the 7×24 calendar.
TARGETS = {
    "P1": (2 * H, 3 * D),
    "P2": (4 * H, 5 * D),
    "P3": (24 * H, 7 * D),
    "P4": (24 * H, 10 * D),
}


def create_policy(apps, schema_editor):
    Calendar = apps.get_model("calendars", "Calendar")
    SlaPolicy = apps.get_model("contracts", "SlaPolicy")
    SlaTarget = apps.get_model("contracts", "SlaTarget")
    calendar, _created = Calendar.objects.get_or_create(
        code="24x7", defaults={"name": "7×24 全天候", "timezone": "Asia/Shanghai", "working_hours": {}}
    )
    policy, created = SlaPolicy.objects.get_or_create(
        code="complaint", defaults={"name": "投诉处理时效", "calendar": calendar, "warning_percent": 80}
    )
    if created:
        for severity, (acknowledge, resolve) in TARGETS.items():
            SlaTarget.objects.create(policy=policy, severity=severity, first_response_minutes=acknowledge,
                                     resolution_minutes=resolve)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("contracts", "0002_default_policies_and_tiers"),
        ("calendars", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_policy, migrations.RunPython.noop)]
