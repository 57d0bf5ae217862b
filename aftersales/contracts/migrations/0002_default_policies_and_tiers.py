"""Ship the seed's commitments as defaults: 7x24 and office-hours calendars, SLA policies for
the diamond / gold / silver tiers, and a default policy for customers without a contract."""

from django.db import migrations

OFFICE_HOURS = {day: [["09:00", "12:00"], ["13:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}

H = 60
# severity: (first response, on site, resolution, restoration) in minutes of the calendar.
POLICIES = {
    "diamond": ("钻石级 7×24", "24x7", {
        "P1": (30, 4 * H, 24 * H, 48 * H),
        "P2": (60, 8 * H, 48 * H, 72 * H),
        "P3": (4 * H, 24 * H, 72 * H, None),
        "P4": (24 * H, None, 7 * 24 * H, None),
    }),
    "gold": ("金牌 7×24", "24x7", {
        "P1": (60, 6 * H, 36 * H, 72 * H),
        "P2": (2 * H, 12 * H, 72 * H, 96 * H),
        "P3": (8 * H, 48 * H, 5 * 24 * H, None),
        "P4": (24 * H, None, 10 * 24 * H, None),
    }),
    "silver": ("银牌 工作时间", "cn-office", {
        "P1": (2 * H, 8 * H, 24 * H, 40 * H),
        "P2": (4 * H, 16 * H, 40 * H, 64 * H),
        "P3": (8 * H, 24 * H, 80 * H, None),
        "P4": (16 * H, None, 120 * H, None),
    }),
    # Without a contract: written requests answered within 24 h (the seed's general promise).
    "standard": ("标准（无合同）", "24x7", {
        "P1": (30, 4 * H, 24 * H, 48 * H),
        "P2": (24 * H, 24 * H, 72 * H, None),
        "P3": (24 * H, None, 7 * 24 * H, None),
        "P4": (24 * H, None, 14 * 24 * H, None),
    }),
}

TIERS = {
    "diamond": ("钻石", ["operation", "inspection", "repair", "routine_maintenance",
                        "software_maintenance", "spare_parts"], "全面代理服务：运行、巡检、维修"),
    "gold": ("金牌", ["inspection", "repair", "routine_maintenance", "software_maintenance"],
             "主动+被动服务：巡检、日常维护、软件维护与维修"),
    "silver": ("银牌", ["repair"], "被动服务：报修后维修"),
}


def create_defaults(apps, schema_editor):
    Calendar = apps.get_model("calendars", "Calendar")
    SlaPolicy = apps.get_model("contracts", "SlaPolicy")
    SlaTarget = apps.get_model("contracts", "SlaTarget")
    ServiceTier = apps.get_model("contracts", "ServiceTier")
    calendars = {
        "24x7": Calendar.objects.get_or_create(
            code="24x7", defaults={"name": "7×24 全天候", "timezone": "Asia/Shanghai", "working_hours": {}}
        )[0],
        "cn-office": Calendar.objects.get_or_create(
            code="cn-office",
            defaults={"name": "工作日 9:00–18:00（法定节假日及调休）", "timezone": "Asia/Shanghai",
                      "working_hours": OFFICE_HOURS, "holiday_source": "CN"},
        )[0],
    }
    policies = {}
    for code, (name, calendar_code, targets) in POLICIES.items():
        policy, created = SlaPolicy.objects.get_or_create(
            code=code,
            defaults={"name": name, "calendar": calendars[calendar_code], "warning_percent": 80,
                      "is_default": code == "standard"},
        )
        policies[code] = policy
        if created:
            for severity, (response, on_site, resolution, restoration) in targets.items():
                SlaTarget.objects.create(
                    policy=policy, severity=severity, first_response_minutes=response,
                    on_site_minutes=on_site, resolution_minutes=resolution,
                    restoration_minutes=restoration,
                )
    for code, (name, services, description) in TIERS.items():
        ServiceTier.objects.get_or_create(
            code=code,
            defaults={"name": name, "policy": policies[code], "included_services": services,
                      "description": description},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
        ("calendars", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
