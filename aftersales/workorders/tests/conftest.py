from __future__ import annotations

from typing import Any

import pytest

from aftersales.workorders.tests.factories import open_case


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def case(agent: Any, acme: Any, diamond_contract: Any, acme_asset: Any, acme_site: Any) -> Any:
    """A P1 fault on Acme's diamond contract: the on-site clock runs 4 hours."""
    return open_case(agent, acme, asset_id=acme_asset.pk, site_id=acme_site.pk)
