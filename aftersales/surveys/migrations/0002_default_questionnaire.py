"""The default questionnaire, from the seed's customer survey form (客户满意度调查表 / 用户意见
反馈): satisfaction 1–5 with response speed, professionalism, the result and the attitude, and
comments. Texts are stored in Chinese, the source language."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import migrations
from django.utils import timezone

QUESTIONS = [
    ("response_speed", "您对我们的响应速度是否满意？", "rating", True),
    ("professionalism", "您对服务人员的专业水平是否满意？", "rating", True),
    ("result", "您对问题的处理结果是否满意？", "rating", True),
    ("attitude", "您对服务人员的服务态度是否满意？", "rating", True),
    ("comments", "您的意见和建议", "text", False),
]


def create_default(apps: Any, schema_editor: Any) -> None:
    template_model = apps.get_model("surveys", "SurveyTemplate")
    question_model = apps.get_model("surveys", "SurveyQuestion")
    if template_model.objects.filter(code="default").exists():
        return
    now = timezone.now()
    template = template_model.objects.create(
        id=uuid.uuid4(), code="default", name="客户满意度调查表", low_score_threshold=2, is_default=True,
        intro="感谢您使用我们的售后服务。请对本次服务进行评价（1 分：非常不满意，5 分：非常满意），"
              "您的意见将帮助我们改进服务质量。",
        created_at=now, updated_at=now,
    )
    question_model.objects.bulk_create([
        question_model(id=uuid.uuid4(), template=template, position=position, code=code, label=label, kind=kind,
                       is_required=required, created_at=now, updated_at=now)
        for position, (code, label, kind, required) in enumerate(QUESTIONS, start=1)
    ])


def remove_default(apps: Any, schema_editor: Any) -> None:
    template_model = apps.get_model("surveys", "SurveyTemplate")
    template_model.objects.filter(code="default", surveys__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(create_default, remove_default)]
