"""Sending to a receiver's URL without reaching places it must not: private networks, the host.

The name is resolved once, every address it resolves to is checked, and the connection goes to
the checked address itself (the Host header and TLS server name still carry the name), so a DNS
answer that changes between check and connect cannot redirect the request. Redirects are not
followed: a 3xx is an answer like any other non-2xx.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

# Cloud metadata services, refused even where private addresses are allowed.
METADATA = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
MAX_ANSWER_BYTES = 64 * 1024


class Refused(Exception):
    """The URL or one of its addresses is not allowed; the message says why."""


@dataclass
class Answer:
    """The receiver's answer: status code and the start of its body."""

    status: int
    body: bytes


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for a globally routable unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4 reached through IPv6 (mapped, 6to4, NAT64) is judged by its IPv4 address.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    if ip in METADATA:
        return False
    if isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT:
        return False
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip.is_reserved
        or not ip.is_global
    )


def resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to, in the resolver's order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def check(addresses: list[str], host: str, allow_private: bool) -> None:
    """Refuse metadata addresses always, and any non-public one unless private ones are allowed."""
    for text in addresses:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
        if ip in METADATA or (ip.version == 6 and ip.ipv4_mapped in METADATA):
            raise Refused(f"{host} resolves to a cloud metadata address ({text}).")
        if not allow_private and not is_public(ip):
            raise Refused(f"{host} resolves to a non-public address ({text}).")


def resolve_public(host: str, port: int) -> list[str]:
    """The name's addresses, all of them public, or Refused."""
    found = resolve(host, port)
    check(found, host, allow_private=False)
    return found


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to a fixed address; the Host header still names the host."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a fixed address; certificate and server name are checked against the host."""

    def __init__(self, host, port, address, timeout, context):
        super().__init__(host, port, timeout=timeout, context=context)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict, timeout: float, allow_private: bool) -> Answer:
    """POST the body to the URL under the address rules above; Refused, OSError or an Answer."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("The URL is not an http(s) URL.")
    if parts.scheme != "https" and not allow_private:
        raise Refused("Only https:// URLs are allowed.")
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    found = resolve(host, port)
    check(found, host, allow_private)
    if parts.scheme == "https":
        conn = _PinnedHTTPS(host, port, found[0], timeout, ssl.create_default_context())
    else:
        conn = _PinnedHTTP(host, port, found[0], timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        conn.request("POST", path, body=body, headers=headers)
        resp = conn.getresponse()
        return Answer(resp.status, resp.read(MAX_ANSWER_BYTES))
    finally:
        conn.close()
