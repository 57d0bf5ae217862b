"""Where a webhook may be sent: URL checks, and a connection pinned to the checked address.

Only http and https; the host name is resolved and every address it has must be public
(not loopback, private, link-local, shared, reserved, multicast or unspecified; IPv4 inside
IPv6 — mapped, 6to4, Teredo, NAT64 — is checked as the IPv4 it carries) unless internal
addresses are allowed. The sender checks again at every attempt and connects to the address it
checked, so a name that later resolves elsewhere (DNS rebinding) cannot reach inside. Redirects
are never followed (http.client does not follow them; a 3xx counts as a failure).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from aftersales.core.errors import ValidationFailed

MAX_URL_LENGTH = 2000
SCHEMES = frozenset({"http", "https"})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written, for the Host header and the TLS name
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]  # checked; the connection goes to the first


def _embedded_ipv4(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_public(address: IPAddress) -> bool:
    address = _embedded_ipv4(address)
    return bool(address.is_global and not address.is_multicast and not address.is_reserved
                and not address.is_unspecified)


def _internal(host: str) -> ValidationFailed:
    return ValidationFailed(
        _("地址“%(host)s”指向内网、本机或保留地址；只有管理员允许内网地址时才可使用") % {"host": host},
        code="url_internal", field="url",
    )


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise ValidationFailed(
            _("无法解析主机名“%(host)s”") % {"host": host}, code="url_unresolvable", field="url"
        ) from None
    found: list[IPAddress] = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]
        address = ipaddress.ip_address(text)
        if address not in found:
            found.append(address)
    return found


def target_check(url: str, *, allow_internal: bool) -> Target:
    """The URL's parts and its checked addresses; ValidationFailed(field="url") otherwise. May
    resolve the host name (a literal address needs no network)."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 for c in url):
        raise ValidationFailed(_("请填写有效的 URL"), code="url_invalid", field="url")
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket
        raise ValidationFailed(_("请填写有效的 URL"), code="url_invalid", field="url") from None
    if parts.scheme.lower() not in SCHEMES:
        raise ValidationFailed(_("只支持 http 和 https 地址"), code="url_scheme", field="url")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise ValidationFailed(_("端口无效"), code="url_invalid", field="url") from None
    host = (parts.hostname or "").rstrip(".")
    if not host or "%" in host:
        raise ValidationFailed(_("请填写有效的 URL"), code="url_invalid", field="url")
    if parts.username is not None or parts.password is not None:
        raise ValidationFailed(_("URL 中不能包含用户名或密码"), code="url_credentials", field="url")
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        if not allow_internal and (host == "localhost" or host.endswith(".localhost")):
            raise _internal(host) from None
        addresses = _resolve(host, port)
    if not allow_internal:
        for address in addresses:
            if not is_public(address):
                raise _internal(host)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=parts.scheme.lower(), host=host, port=port, path=path,
                  addresses=tuple(str(a) for a in addresses))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Speaks to `host` (Host header) at an address checked beforehand: no second look-up."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.addresses[0]

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        self._tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self._tls)
        self._address = target.addresses[0]

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the name in the URL, not the address.
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def post(target: Target, *, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST the body; the response's status code (its body is not kept). Raises OSError and
    http.client errors on transport failures."""
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target, timeout) if target.scheme == "https"
        else _PinnedHTTPConnection(target, timeout)
    )
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(1024)
        return response.status
    finally:
        connection.close()
