from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from aftersales.accounts.models import Role, User
from aftersales.assets.services import asset_create, product_create
from aftersales.cases.tests.helpers import at
from aftersales.customers.services import contact_create
from aftersales.training import services

T0 = at("2026-11-02 09:00")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("admin", Role.ADMIN)


@pytest.fixture
def dispatcher(make_user: Callable[..., User]) -> User:
    return make_user("dispatcher", Role.DISPATCHER)


@pytest.fixture
def expert(make_user: Callable[..., User]) -> User:
    return make_user("expert", Role.EXPERT)


@pytest.fixture
def engineer2(make_user: Callable[..., User]) -> User:
    return make_user("engineer2", Role.ENGINEER)


@pytest.fixture
def rsu(acme_asset: Any) -> Any:
    """The product Acme owns (one asset)."""
    return acme_asset.product


@pytest.fixture
def camera(globex: Any) -> Any:
    """A product only Globex owns."""
    product = product_create(model="CAM-7", name="高清摄像机", category="监控系统")
    asset_create(product=product, serial_number="CAM-0001", customer=globex)
    return product


@pytest.fixture
def globex_contact(globex: Any) -> Any:
    return contact_create(customer=globex, name="高飞", phone="13700000009")


@pytest.fixture
def make_session(manager: User, expert: User, rsu: Any) -> Callable[..., Any]:
    def make(**fields: Any) -> Any:
        values: dict[str, Any] = dict(
            actor=manager, product_id=rsu.pk, title="RSU 安装与调试", audience="staff",
            starts_at=T0, ends_at=T0 + dt.timedelta(hours=3), trainer_id=expert.pk, capacity=10,
            location="乌鲁木齐培训中心",
        )
        values.update(fields)
        session, _created = services.training_session_create(**values)
        return session

    return make


@pytest.fixture
def staff_session(make_session: Callable[..., Any]) -> Any:
    return make_session(grants_qualification=True, qualification_months=24)


@pytest.fixture
def acme_session(make_session: Callable[..., Any], acme: Any) -> Any:
    return make_session(title="RSU 日常操作（Acme）", audience="customer", customer_id=acme.pk)


@pytest.fixture
def globex_session(make_session: Callable[..., Any], globex: Any, camera: Any) -> Any:
    return make_session(title="摄像机操作（Globex）", audience="customer", customer_id=globex.pk,
                        product_id=camera.pk)


@pytest.fixture
def make_material(manager: User, rsu: Any) -> Callable[..., Any]:
    def make(content: bytes = PDF, name: str = "guide.pdf", **fields: Any) -> Any:
        values: dict[str, Any] = dict(
            actor=manager, product_id=rsu.pk, title="RSU 操作指南", kind="operating_guide",
            audience="customer", publish=True, version="V1.0",
        )
        values.update(fields)
        material, _created = services.training_material_upload(
            upload=io.BytesIO(content), name=name, **values
        )
        return material

    return make
