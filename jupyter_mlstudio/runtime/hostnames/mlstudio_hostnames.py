"""Host names for the process runtime: ``algo-1`` .. ``algo-N`` resolve inside a job's Python.

On docker the hosts of a multi-instance job share a network in which each container is
reachable under its host name. The process runtime's hosts are processes of one machine,
and the system resolver knows no ``algo-2``; so the runner gives each host of such a job
``MLSTUDIO_HOST_ADDRESSES`` (``algo-1=127.77.0.1,algo-2=127.77.0.2``: one loopback address
per host on Linux, where all of 127.0.0.0/8 is the loopback interface; 127.0.0.1 for
every host elsewhere) and puts this folder first on ``PYTHONPATH``. Its ``sitecustomize``
(or the warm spare, which has started already) calls :func:`install`, which makes
Python's ``socket`` module answer for those names: ``getaddrinfo`` (so
``create_connection``, ``create_server``, asyncio, urllib and requests),
``gethostbyname``, ``gethostbyname_ex``, ``gethostbyaddr``, and the ``bind``,
``connect``, ``connect_ex`` and ``sendto`` of its sockets. Other names go to the
system resolver as before. Code that resolves names in C (a native library calling the C
library's ``getaddrinfo``) does not see these names: pass it the address
(``socket.gethostbyname("algo-1")``) or use the docker runtime.

Standard library only, imported at the start of every interpreter of such a job.
"""

import _socket
import socket

ENV = "MLSTUDIO_HOST_ADDRESSES"
_INSTALLED = "_mlstudio_host_addresses"


def parse(text: str) -> dict[str, str]:
    """``{name: address}`` from ``name=address,name=address`` (names in lower case);
    malformed items are skipped."""
    table = {}
    for item in text.split(","):
        name, sep, address = item.strip().partition("=")
        if sep and name and address:
            table[name.strip().lower()] = address.strip()
    return table


def _key(host: object) -> str | None:
    if isinstance(host, bytes):
        try:
            host = host.decode("ascii")
        except UnicodeDecodeError:
            return None
    if not isinstance(host, str):
        return None
    return host.lower().rstrip(".")


def install(table: dict[str, str]) -> bool:
    """Make the ``socket`` module resolve the names in ``table``; False when it already
    does (installed once per interpreter) or ``table`` is empty."""
    if not table or getattr(socket, _INSTALLED, None) is not None:
        return False
    names = dict(table)
    hosts_of: dict[str, list[str]] = {}
    for name, address in names.items():
        hosts_of.setdefault(address, []).append(name)
    real_getaddrinfo = socket.getaddrinfo
    real_gethostbyname = socket.gethostbyname
    real_gethostbyname_ex = socket.gethostbyname_ex
    real_gethostbyaddr = socket.gethostbyaddr

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # type: ignore[no-untyped-def]
        address = names.get(_key(host) or "")
        return real_getaddrinfo(address or host, port, family, type, proto, flags)

    def gethostbyname(hostname):  # type: ignore[no-untyped-def]
        address = names.get(_key(hostname) or "")
        return address if address is not None else real_gethostbyname(hostname)

    def gethostbyname_ex(hostname):  # type: ignore[no-untyped-def]
        key = _key(hostname) or ""
        address = names.get(key)
        if address is None:
            return real_gethostbyname_ex(hostname)
        return key, [], [address]

    def gethostbyaddr(ip_address):  # type: ignore[no-untyped-def]
        key = _key(ip_address) or ""
        address = names.get(key, key)
        known = hosts_of.get(address, [])
        if len(known) != 1:  # not ours, or shared by several hosts (127.0.0.1)
            return real_gethostbyaddr(address)
        return known[0], [], [address]

    for fake, real in (
        (getaddrinfo, real_getaddrinfo),
        (gethostbyname, real_gethostbyname),
        (gethostbyname_ex, real_gethostbyname_ex),
        (gethostbyaddr, real_gethostbyaddr),
    ):
        fake.__name__ = real.__name__
        fake.__qualname__ = real.__name__
        fake.__doc__ = real.__doc__
        setattr(socket, real.__name__, fake)
    _patch_socket_methods(names)
    setattr(socket, _INSTALLED, names)
    return True


def _patch_socket_methods(names: dict[str, str]) -> None:
    """``bind``, ``connect``, ``connect_ex`` and ``sendto`` of ``socket.socket`` (and so of
    ``ssl.SSLSocket``) resolve an ``(host, port)`` address in C: they are given the
    address instead of a name of the table."""

    def mapped(address):  # type: ignore[no-untyped-def]
        if isinstance(address, tuple) and address:
            found = names.get(_key(address[0]) or "")
            if found is not None:
                return (found, *address[1:])
        return address

    cls = socket.socket
    base = _socket.socket  # where the C methods live
    real_bind, real_connect, real_connect_ex = base.bind, base.connect, base.connect_ex
    real_sendto = base.sendto

    def bind(self, address):  # type: ignore[no-untyped-def]
        return real_bind(self, mapped(address))

    def connect(self, address):  # type: ignore[no-untyped-def]
        return real_connect(self, mapped(address))

    def connect_ex(self, address):  # type: ignore[no-untyped-def]
        return real_connect_ex(self, mapped(address))

    def sendto(self, data, *args):  # type: ignore[no-untyped-def]
        if args:
            args = (*args[:-1], mapped(args[-1]))
        return real_sendto(self, data, *args)

    for method in (bind, connect, connect_ex, sendto):
        real = getattr(base, method.__name__)
        method.__qualname__ = f"socket.{method.__name__}"
        method.__doc__ = real.__doc__
        setattr(cls, method.__name__, method)


def install_from_environment() -> bool:
    """:func:`install` with the table in ``MLSTUDIO_HOST_ADDRESSES``."""
    import os

    return install(parse(os.environ.get(ENV, "")))
