"""A local HTTP server on 127.0.0.1 that answers SendSms like Alibaba Cloud SMS does.

The answer is picked by the request: the number 13900000002 is throttled
(isv.BUSINESS_LIMIT_CONTROL), 13900000003 is illegal (isv.MOBILE_NUMBER_ILLEGAL), the
template code SMS_BAD is not approved (isv.SMS_TEMPLATE_ILLEGAL); anything else is OK with a
BizId. Every request is kept (``requests``: the query as a dict) so a test checks what the
SDK sent. Used by the tests, the bench and the drill.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client killed mid-request (the drill SIGKILLs workers) resets its connection:
        # expected here, not worth a traceback.
        pass


ANSWERS = {
    "13900000002": ("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1"),
    "13900000003": ("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"),
}


class StubProvider:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                # Headers and body leave in two writes: without this, Nagle's algorithm and
                # the client's delayed ACK add ~40 ms to every answer.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self):  # noqa: N802 — http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode()) if length else {}
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                query.update({k: v[0] for k, v in form.items()})
                query["_headers"] = {k.lower(): v for k, v in self.headers.items()}
                with stub._lock:
                    stub.requests.append(query)
                    number = next(stub._ids)
                code, message = ANSWERS.get(query.get("PhoneNumbers", ""), ("OK", "OK"))
                if query.get("TemplateCode") == "SMS_BAD":
                    code, message = "isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)"
                body = {"Code": code, "Message": message, "RequestId": f"req-{number}"}
                if code == "OK":
                    body["BizId"] = f"{900000 + number}^0"
                out = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> StubProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":  # python -m tests.outreach.stub_provider PORT (the drill, the bench)
    import sys
    import time

    stub = StubProvider()
    stub.server.server_close()
    stub.server = _Server(("127.0.0.1", int(sys.argv[1])), stub.server.RequestHandlerClass)
    stub.server.daemon_threads = True
    stub.thread = threading.Thread(target=stub.server.serve_forever, daemon=True)
    with stub:
        print(stub.endpoint, flush=True)
        while True:
            time.sleep(3600)
