"""A loopback HTTPS server for the test mocks (nfse_server.Sefin, bank_server.BancoDoBrasil):
a ThreadingHTTPServer on 127.0.0.1 at a free port behind TLS, served on a daemon thread while
the mock is used as a context manager."""
import http.server
import ssl
import threading


class LoopbackHttps:
    def serve(self, handler, cert, key, client_ca=None):
        """Binds `handler` behind TLS with the server certificate `cert`/`key`; with `client_ca`,
        mutual TLS: a client without a certificate that CA signed gets no service."""
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        if client_ca:
            ctx.load_verify_locations(client_ca)
            ctx.verify_mode = ssl.CERT_REQUIRED
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.server.handle_error = lambda *args: None  # refused handshakes are expected in some tests
        # Polled often, so that leaving the mock's `with` (shutdown) takes milliseconds, not 0.5 s.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def origin(self):
        return f"https://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
