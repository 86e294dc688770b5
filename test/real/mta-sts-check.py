"""Asks postfix-mta-sts-resolver (PyPI; an MTA-STS implementation none of us wrote) for a
domain's policy, as Postfix would through mta-sts-daemon, and prints its verdict as JSON.

Only where it connects is changed, never how it judges: its DNS resolver asks the test's
PowerDNS (127.0.0.1:<dns port>) and its HTTPS client reaches mta-sts.<domain> at
127.0.0.1:<https port>, with SNI, the certificate check against the test's CA (SSL_CERT_FILE)
and redirects refused exactly as it does by itself.

usage: mta-sts-check.py <domain> <dns port> <https port>
"""
import asyncio
import json
import socket
import sys

import aiodns
import aiohttp
from aiohttp.abc import AbstractResolver

from postfix_mta_sts_resolver import resolver as sts

domain, dns_port, https_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


class TestDns(aiodns.DNSResolver):
    def __init__(self, *args, **kwargs):
        kwargs["nameservers"] = [f"127.0.0.1:{dns_port}"]
        super().__init__(*args, **kwargs)


class Loopback(AbstractResolver):
    """mta-sts.<domain>:443 is the test's nginx on 127.0.0.1:<https port>."""

    async def resolve(self, host, port=0, family=socket.AF_INET):
        if host != f"mta-sts.{domain}":
            raise OSError(f"unexpected host {host}")
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": https_port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self):
        pass


_Session = aiohttp.ClientSession


def session(*args, **kwargs):
    kwargs.setdefault("connector", aiohttp.TCPConnector(resolver=Loopback()))
    kwargs.pop("loop", None)
    return _Session(*args, **kwargs)


sts.aiodns.DNSResolver = TestDns
sts.aiohttp.ClientSession = session


async def main():
    loop = asyncio.get_running_loop()
    result, value = await sts.STSResolver(timeout=10, loop=loop).resolve(domain)
    out = {"result": result.name}
    if value is not None:
        out["id"], out["policy"] = value[0], value[1]
    print(json.dumps(out, sort_keys=True))


asyncio.run(main())
