"""Which URLs a webhook may go to (no network needed: literals, and names in the hosts file)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from aftersales.core.errors import ValidationFailed
from aftersales.webhooks.targets import target_check

INTERNAL = [
    "http://10.0.0.1/hook",
    "http://127.0.0.1:8080/hook",
    "http://[::1]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://192.168.1.20/",
    "http://172.16.5.4/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://0.0.0.0/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
    "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
    "http://[64:ff9b::a00:1]/",  # NAT64 around 10.0.0.1
    "http://224.0.0.1/",
    "http://localhost/hook",
    "http://LOCALHOST./hook",
    "http://api.localhost:9000/hook",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused(url: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        target_check(url, allow_internal=False)
    assert (refused.value.code, refused.value.field) == ("url_internal", "url")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://[::1]/hook", "http://10.0.0.1/",
                                 "http://169.254.169.254/"])
def test_internal_addresses_are_accepted_when_allowed(url: str) -> None:
    target = target_check(url, allow_internal=True)
    assert target.addresses
    assert target.scheme == "http"


@pytest.mark.parametrize(("url", "code"), [
    ("file:///etc/passwd", "url_scheme"),
    ("ftp://93.184.216.34/x", "url_scheme"),
    ("gopher://93.184.216.34/", "url_scheme"),
    ("javascript:alert(1)", "url_scheme"),
    ("93.184.216.34/hook", "url_scheme"),
    ("http:///hook", "url_invalid"),
    ("http://[::1/hook", "url_invalid"),
    ("http://[fe80::1%25eth0]/", "url_invalid"),
    ("http://93.184.216.34:99999/", "url_invalid"),
    ("http://93.184.216.34/a b", "url_invalid"),
    ("", "url_invalid"),
    ("http://user:secret@93.184.216.34/", "url_credentials"),
])
def test_malformed_or_other_schemes_are_refused_even_when_internal_is_allowed(url: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        target_check(url, allow_internal=True)
    assert refused.value.code == code


def test_a_public_address_is_accepted_without_network() -> None:
    target = target_check("https://93.184.216.34/hooks/in?x=1", allow_internal=False)
    assert (target.scheme, target.host, target.port, target.path, target.addresses) == (
        "https", "93.184.216.34", 443, "/hooks/in?x=1", ("93.184.216.34",))


def test_a_public_ipv6_address_is_accepted() -> None:
    target = target_check("http://[2606:2800:220:1:248:1893:25c8:1946]:8080/", allow_internal=False)
    assert (target.host, target.port, target.addresses) == (
        "2606:2800:220:1:248:1893:25c8:1946", 8080, ("2606:2800:220:1:248:1893:25c8:1946",))


def test_a_name_is_resolved_and_its_addresses_kept() -> None:
    # localhost is in every hosts file: resolved without a DNS server
    target = target_check("http://localhost:8000/hook", allow_internal=True)
    assert set(target.addresses) <= {"127.0.0.1", "::1"}
    assert target.addresses


def _fake_dns(monkeypatch: Any, answers: dict[str, list[str]]) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                    for a in answers[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_every_address_of_a_name_is_checked(monkeypatch: Any) -> None:
    # given a name with one public and one private address
    _fake_dns(monkeypatch, {"mixed.example.com": ["93.184.216.34", "10.1.2.3"]})
    # when / then
    with pytest.raises(ValidationFailed) as refused:
        target_check("https://mixed.example.com/hook", allow_internal=False)
    assert refused.value.code == "url_internal"


def test_a_name_with_only_public_addresses_is_accepted(monkeypatch: Any) -> None:
    _fake_dns(monkeypatch, {"hooks.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]})
    target = target_check("https://hooks.example.com/hook", allow_internal=False)
    assert target.addresses == ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946")


def test_a_name_that_does_not_resolve_is_refused(monkeypatch: Any) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(ValidationFailed) as refused:
        target_check("https://nowhere.example.com/hook", allow_internal=False)
    assert refused.value.code == "url_unresolvable"
