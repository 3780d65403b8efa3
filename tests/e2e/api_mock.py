"""The plumbing the Sicoob and Inter mocks share (sicoob_server.py, inter_server.py): a JSON API
on tls_server.LoopbackHttps, mutual TLS on every call (the test CA signs the client
certificates it takes), OAuth2 client credentials with tokens the mock can forget, every request
logged with the client certificate's subject, and `script`: what the next registrations do, one
word each ("ok"; "500": commit, then answer 500; "hang": commit, then answer after
`hang_seconds`; "429": refuse with Retry-After 1; "wrong": commit and answer another linha)."""
import http.server
import json
import threading
import time
from urllib.parse import parse_qs, urlparse

from tls_server import LoopbackHttps


class JsonApiMock(LoopbackHttps):
    def __init__(self, certs, hang_seconds=3, token_ttl=3600):
        self.script = []
        self.requests = []       # (method, path, query dict, headers dict, client certificate CN)
        self.tokens = set()
        self.token_calls = 0
        self.token_forms = []    # the form of every token call
        self.hang_seconds = hang_seconds
        self.token_ttl = token_ttl
        self.lock = threading.Lock()
        mock = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self, method):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length) if length else b""
                url = urlparse(self.path)
                query = parse_qs(url.query)
                peer = self.connection.getpeercert() or {}
                cn = dict(x[0] for x in peer.get("subject", ())).get("commonName", "")
                with mock.lock:
                    mock.requests.append((method, url.path, query, dict(self.headers), cn))
                status, answer, delay, headers = mock.handle(method, url.path, query, self.headers, body)
                if delay:
                    time.sleep(delay)
                data = json.dumps(answer).encode() if answer is not None else b""
                try:
                    self.send_response(status)
                    if answer is not None:
                        self.send_header("Content-Type", "application/json")
                    for k, v in headers:
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass

            def do_POST(self):
                self._handle("POST")

            def do_GET(self):
                self._handle("GET")

            def do_PATCH(self):
                self._handle("PATCH")

        self.serve(Handler, certs["server.pem"], certs["server.key"], client_ca=certs["ca.pem"])

    def expire_tokens(self):
        with self.lock:
            self.tokens.clear()

    def next_action(self):
        """Under the lock: what the next registration does."""
        return self.script.pop(0) if self.script else "ok"

    def issue_token(self, form):
        """Under the lock: a new token for a valid form."""
        self.token_calls += 1
        self.token_forms.append(form)
        token = f"tok-{self.token_calls}-{time.time_ns()}"
        self.tokens.add(token)
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.token_ttl,
                "scope": form.get("scope", [""])[0]}

    def bearer_ok(self, headers):
        auth = headers.get("Authorization", "")
        with self.lock:
            return auth.startswith("Bearer ") and auth[7:] in self.tokens

    def calls(self, method=None, prefix=""):
        return [(m, p) for m, p, *_ in self.requests if (method is None or m == method) and p.startswith(prefix)]


def form_of(headers, body):
    """The form of a token call, or None when it is not form-encoded."""
    if headers.get("Content-Type") != "application/x-www-form-urlencoded":
        return None
    return parse_qs(body.decode())
