#!/usr/bin/env python3
"""Container health checks without curl: ``deepshard-healthcheck KIND URL``; exit 0 when healthy.

* ``rpc URL``  -- a node: ``system_health`` answers over JSON-RPC (HTTP);
* ``post URL`` -- the IPFS daemon: Kubo's RPC answers a POST (``/api/v0/version``);
* ``get URL``  -- the explorer or a worker's metrics: a GET answers 200.
"""

from __future__ import annotations

import json
import sys
import urllib.request


def check(kind: str, url: str) -> bool:
    """Return whether the service at `url` answers as `kind` expects."""
    if kind == "rpc":
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "system_health", "params": []})
        request = urllib.request.Request(
            url, body.encode(), {"content-type": "application/json"}, method="POST"
        )
    elif kind == "post":
        request = urllib.request.Request(url, b"", method="POST")
    elif kind == "get":
        request = urllib.request.Request(url, method="GET")
    else:
        raise SystemExit(f"unknown check {kind!r}: rpc, post or get")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            payload = response.read()
            if response.status != 200:
                return False
    except OSError:
        return False
    return kind != "rpc" or "result" in json.loads(payload)


def main(argv: list[str]) -> int:
    """Entry point."""
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    return 0 if check(argv[1], argv[2]) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
