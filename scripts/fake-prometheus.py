#!/usr/bin/env python3
"""A tiny stand-in for Prometheus's query API, for footprint measurements: every
instant query answers one constant number, every range query one constant series at
each step, so nothing changes while the cockpit idles. Each request is appended to
the log file given (one line each), which is how requests per second are counted.
Usage: fake-prometheus.py PORT LOGFILE"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

port, log = int(sys.argv[1]), open(sys.argv[2], "a", buffering=1)


def seconds(text):
    """A number, or a duration such as `60s`, `5m`, `1h` (as grafatui sends a step)."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
    for unit in ("ms", "s", "m", "h", "d"):
        if text.endswith(unit) and text[: -len(unit)].replace(".", "", 1).isdigit():
            return float(text[: -len(unit)]) * units[unit]
    return float(text)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        url = urlparse(self.path)
        self.answer(url.path, parse_qs(url.query))

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
        self.answer(urlparse(self.path).path, parse_qs(body))

    def answer(self, path, params):
        log.write(f"{path}\n")
        one = lambda k: seconds(params.get(k, ["0"])[0])
        if path.endswith("query_range"):
            start, end, step = one("start"), one("end"), max(one("step"), 1)
            n = int((end - start) // step) + 1
            values = [[start + i * step, "0.002"] for i in range(n)]
            data = {"resultType": "matrix", "result": [{"metric": {}, "values": values}]}
        elif path.endswith("query"):
            data = {"resultType": "vector", "result": [{"metric": {}, "value": [one("time"), "0.001"]}]}
        else:
            data = {"version": "2.42.0"}
        body = json.dumps({"status": "success", "data": data}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
