#!/usr/bin/env python3
"""A counting proxy in front of a Prometheus-compatible server, for footprint
comparisons: every request is forwarded unchanged to the upstream URL and one line
is appended to the log file per request (the path), which is how requests per second
are counted for a tool whose own counters cannot be read.
Usage: counting-proxy.py PORT UPSTREAM_URL LOGFILE   (listens on 127.0.0.1 only)"""
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, upstream, log = int(sys.argv[1]), sys.argv[2].rstrip("/"), open(sys.argv[3], "a", buffering=1)
HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.forward(None)

    def do_POST(self):
        self.forward(self.rfile.read(int(self.headers.get("content-length", 0))))

    def forward(self, body):
        log.write(self.path.split("?")[0] + "\n")
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        request = urllib.request.Request(upstream + self.path, data=body, headers=headers,
                                         method=self.command)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, data, kept = answer.status, answer.read(), answer.getheaders()
        except urllib.error.HTTPError as e:
            status, data, kept = e.code, e.read(), e.headers.items()
        self.send_response(status)
        for k, v in kept:
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
