"""The tamper-evident chain of sealed maintenance logs, one chain per site.

Each sealed log's `content_hash` is the SHA-256 of a canonical JSON (sorted keys, UTC times,
text ids) of its content, both signatures' SHA-256, its place in the chain and the previous
sealed log's hash. Changing any of these in the database breaks the log's own hash; rewriting
the hash too breaks the next log's `previous_hash`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aftersales.maintenance.models import MaintenanceLog

GENESIS_HASH = "0" * 64

# Everything a seal vouches for. Adding a field changes every hash: add a version then.
HASHED_FIELDS = (
    "id", "site_id", "asset_id", "work_order_id", "corrects_id", "period_kind", "performed_at",
    "problem", "symptom", "diagnosis", "treatment", "state_after", "parts_used",
    "time_spent_minutes", "technician_id", "technician_name", "technician_signature_sha256",
    "technician_signed_at", "owner_name", "owner_signature_sha256", "owner_signed_at",
    "owner_signed_via", "sealed_at", "chain_index",
)
CHAIN_FIELDS = (*HASHED_FIELDS, "previous_hash", "content_hash")


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def content_hash(values: Mapping[str, Any], previous_hash: str) -> str:
    """SHA-256 of the log's hashed fields (a mapping of field name to value) and the previous hash."""
    document = {name: _canonical(values[name]) for name in HASHED_FIELDS}
    document["previous_hash"] = previous_hash
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def log_values(log: MaintenanceLog) -> dict[str, Any]:
    return {name: getattr(log, name) for name in HASHED_FIELDS}


@dataclass(frozen=True)
class BrokenLink:
    site_id: uuid.UUID
    chain_index: int
    log_id: uuid.UUID
    problem: str  # content_hash | previous_hash | chain_index
    expected: str
    found: str

    def describe(self) -> str:
        return (f"site {self.site_id}, index {self.chain_index}, log {self.log_id}: "
                f"{self.problem} expected {self.expected}, found {self.found}")


@dataclass(frozen=True)
class ChainReport:
    checked: int
    sites: int
    broken: BrokenLink | None

    @property
    def is_intact(self) -> bool:
        return self.broken is None


def verify_rows(rows: Iterable[Mapping[str, Any]]) -> ChainReport:
    """Walk rows ordered by (site, chain_index); stop at the first broken link."""
    checked = sites = 0
    current_site: Any = None
    expected_index, expected_previous = 1, GENESIS_HASH
    for row in rows:
        if row["site_id"] != current_site:
            current_site, sites = row["site_id"], sites + 1
            expected_index, expected_previous = 1, GENESIS_HASH
        broken = None
        if row["chain_index"] != expected_index:
            # A missing index is a deleted log.
            broken = ("chain_index", str(expected_index), str(row["chain_index"]))
        elif row["previous_hash"] != expected_previous:
            broken = ("previous_hash", expected_previous, row["previous_hash"])
        else:
            recomputed = content_hash(row, row["previous_hash"])
            if recomputed != row["content_hash"]:
                broken = ("content_hash", recomputed, row["content_hash"])
        if broken is not None:
            return ChainReport(checked=checked, sites=sites, broken=BrokenLink(
                site_id=row["site_id"], chain_index=row["chain_index"], log_id=row["id"],
                problem=broken[0], expected=broken[1], found=broken[2],
            ))
        checked += 1
        expected_index, expected_previous = expected_index + 1, row["content_hash"]
    return ChainReport(checked=checked, sites=sites, broken=None)


def verify_chain(site: Any = None, *, chunk_size: int = 5000) -> ChainReport:
    """Prove every sealed log of `site` (or of every site) matches its hash and its place in
    the chain, or name the first broken link. Streams rows: memory stays flat."""
    queryset = MaintenanceLog.objects.filter(sealed_at__isnull=False)
    if site is not None:
        queryset = queryset.filter(site_id=getattr(site, "pk", site))
    rows = queryset.order_by("site_id", "chain_index").values(*CHAIN_FIELDS).iterator(chunk_size=chunk_size)
    return verify_rows(rows)
