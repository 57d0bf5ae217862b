"""The IMAP side of a mailbox (imaplib, UID-based): open the folder, list messages after the
last processed UID, fetch one, mark it seen. No database here."""

from __future__ import annotations

import imaplib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailboxError(Exception):
    """The server refused or broke off; the poll is tried again next time."""


@dataclass(frozen=True)
class Folder:
    connection: imaplib.IMAP4
    uid_validity: int

    def uids_after(self, last_uid: int, limit: int) -> list[int]:
        # "n:*" always includes the highest UID even when it is below n: filter again.
        status, data = self.connection.uid("SEARCH", f"UID {last_uid + 1}:*")
        _check(status, "search")
        uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > last_uid)
        return uids[:limit]

    def size(self, uid: int) -> int:
        status, data = self.connection.uid("FETCH", str(uid), "(RFC822.SIZE)")
        _check(status, "size")
        found = SIZE.search(_joined(data))
        return int(found.group(1)) if found else 0

    def fetch(self, uid: int, *, headers_only: bool = False) -> bytes:
        # PEEK: fetching does not set \\Seen; mark_seen does once the message is processed.
        section = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
        status, data = self.connection.uid("FETCH", str(uid), f"({section})")
        _check(status, "fetch")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                return item[1]
        raise MailboxError("fetch returned no message")

    def mark_seen(self, uid: int) -> None:
        status, _data = self.connection.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
        _check(status, "store")


def _joined(data: list[object]) -> bytes:
    parts: list[bytes] = []
    for item in data:
        if isinstance(item, tuple):
            parts.extend(x for x in item if isinstance(x, bytes))
        elif isinstance(item, bytes):
            parts.append(item)
    return b" ".join(parts)


def _check(status: str, doing: str) -> None:
    if status != "OK":
        raise MailboxError(f"{doing} failed")


@contextmanager
def open_folder(*, host: str, port: int, use_tls: bool, username: str, password: str, folder: str,
                timeout: int) -> Iterator[Folder]:
    try:
        connection: imaplib.IMAP4 = (imaplib.IMAP4_SSL(host, port, timeout=timeout) if use_tls
                                     else imaplib.IMAP4(host, port, timeout=timeout))
    except OSError as error:
        raise MailboxError(f"connect: {type(error).__name__}") from error
    try:
        try:
            connection.login(username, password)
            status, _data = connection.select(_quoted(folder))
            _check(status, "select")
            status, data = connection.status(_quoted(folder), "(UIDVALIDITY)")
            _check(status, "status")
            found = UIDVALIDITY.search(_joined(data))
            if found is None:
                raise MailboxError("no UIDVALIDITY")
        except imaplib.IMAP4.error as error:
            raise MailboxError(f"imap: {type(error).__name__}") from error
        try:
            yield Folder(connection=connection, uid_validity=int(found.group(1)))
        except (OSError, imaplib.IMAP4.error) as error:  # a timeout or a broken connection mid-poll
            raise MailboxError(f"imap: {type(error).__name__}") from error
    finally:
        try:
            connection.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
