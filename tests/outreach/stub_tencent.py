"""A local HTTP server on 127.0.0.1 that answers SendSms like Tencent Cloud SMS does.

By the request: +8613900000002 is over the 30-second limit
(LimitExceeded.PhoneNumberThirtySecondLimit) and +8613900000003 is not a number
(InvalidParameterValue.IncorrectPhoneNumber), both in the per-number ``SendStatusSet`` as the
provider answers them; the template id BAD fails the whole request
(FailedOperation.TemplateIncorrectOrUnapproved, an ``Error`` the SDK raises); anything else
is Ok with a SerialNo. Every request is kept (``requests``: the JSON body, with its headers
under ``_headers``) so a test checks what the SDK sent.
"""

from __future__ import annotations

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PER_NUMBER = {
    "+8613900000002": (
        "LimitExceeded.PhoneNumberThirtySecondLimit",
        "单个手机号30秒内下发短信条数超过设定的上限",
    ),
    "+8613900000003": ("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误"),
}


class StubTencent:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 — http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                body["_headers"] = {k.lower(): v for k, v in self.headers.items()}
                with stub._lock:
                    stub.requests.append(body)
                    number = next(stub._ids)
                request_id = f"req-{number}"
                if body.get("TemplateId") == "BAD":
                    answer = {
                        "Error": {
                            "Code": "FailedOperation.TemplateIncorrectOrUnapproved",
                            "Message": "模板未审批或内容不匹配",
                        },
                        "RequestId": request_id,
                    }
                else:
                    phone = (body.get("PhoneNumberSet") or [""])[0]
                    code, message = PER_NUMBER.get(phone, ("Ok", "send success"))
                    answer = {
                        "SendStatusSet": [
                            {
                                "SerialNo": f"2433:{number}" if code == "Ok" else "",
                                "PhoneNumber": phone,
                                "Fee": 1 if code == "Ok" else 0,
                                "SessionContext": body.get("SessionContext", ""),
                                "Code": code,
                                "Message": message,
                                "IsoCode": "CN",
                            }
                        ],
                        "RequestId": request_id,
                    }
                raw = json.dumps({"Response": answer}, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> StubTencent:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
