#!/usr/bin/env python3
"""A real SMTP server for the end-to-end tests, built on aiosmtpd (Debian's python3-aiosmtpd).

    python3 smtp_server.py --port 0 --dir DIR [--host 127.0.0.1]
        [--refuse 451|550 [--refuse-at data|rcpt|mail] [--refuse-count N]]
        [--auth USER:PASS] [--starttls CERT KEY | --tls CERT KEY]

Listens on 127.0.0.1 (or --host) and prints its port as the first stdout line. Each accepted
message is saved as DIR/NNNN.eml (the bytes received) and DIR/NNNN.json (mail_from, rcpt_tos,
login, tls, helo, and client_port: the same for messages sent over one connection); every
transaction, accepted or refused, is a line of DIR/log.jsonl. With --refuse the server answers
that code to DATA (or RCPT, or MAIL): to the first N transactions with --refuse-count, else
always. --auth requires AUTH (PLAIN/LOGIN) with those credentials; --starttls offers STARTTLS
(and then takes AUTH only after it); --tls is TLS from the start (smtps). Stops on SIGTERM.

Importable: start_smtp_server(dir, **opts) -> (proc, port), stop_smtp_server(proc),
received(dir) -> [email.message.EmailMessage], parse(eml_bytes), envelopes(dir), log(dir).
"""
import argparse
import email
import email.policy
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

REFUSALS = {
    421: "421 4.3.2 Service shutting down, try again later",
    450: "450 4.2.1 Mailbox busy, try again later",
    451: "451 4.3.0 Local error in processing, try again later",
    452: "452 4.3.1 Insufficient system storage",
    550: "550 5.7.1 Message rejected by policy",
    552: "552 5.3.4 Message too big",
    553: "553 5.1.3 Mailbox name not allowed",
    554: "554 5.6.0 Transaction failed",
}


# --- The server ----------------------------------------------------------------------------

class Handler:
    def __init__(self, folder, refuse=None, refuse_at="data", refuse_count=None):
        self.dir = Path(folder)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.refuse = refuse
        self.refuse_at = refuse_at
        self.refuse_left = refuse_count  # None: always
        self.count = len(list(self.dir.glob("*.eml")))

    def _log(self, entry):
        with open(self.dir / "log.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")

    def _refusal(self, stage, envelope):
        if self.refuse is None or self.refuse_at != stage:
            return None
        if self.refuse_left is not None:
            if self.refuse_left <= 0:
                return None
            self.refuse_left -= 1
        self._log({"event": "refused", "at": stage, "code": self.refuse, "mail_from": envelope.mail_from,
                   "rcpt_tos": list(envelope.rcpt_tos)})
        return REFUSALS.get(self.refuse, f"{self.refuse} Refused by the test server")

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        refusal = self._refusal("mail", envelope)
        if refusal:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self._refusal("rcpt", envelope)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        refusal = self._refusal("data", envelope)
        if refusal:
            return refusal
        self.count += 1
        stem = f"{self.count:04d}"
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        login = getattr(session, "auth_data", None)
        login = getattr(login, "login", None)
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                "mail_options": list(envelope.mail_options),
                "login": login.decode("utf-8", "replace") if isinstance(login, bytes) else login,
                "tls": bool(session.ssl) or getattr(server, "implicit_tls", False), "helo": session.host_name,
                "client_port": session.peer[1] if session.peer else None}
        _write(self.dir / f"{stem}.eml", content)
        _write(self.dir / f"{stem}.json", json.dumps(meta, indent=1).encode())
        self._log({"event": "accepted", "file": f"{stem}.eml", "mail_from": envelope.mail_from,
                   "rcpt_tos": list(envelope.rcpt_tos)})
        return "250 2.0.0 Message accepted for delivery"


def _write(path, data):
    temp = path.with_name(path.name + ".tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def serve(argv=None):
    import asyncio
    import logging
    import ssl
    import warnings

    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    p = argparse.ArgumentParser(description="SMTP server on loopback for billrun's tests")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--dir", required=True)
    p.add_argument("--refuse", type=int)
    p.add_argument("--refuse-at", choices=["data", "rcpt", "mail"], default="data")
    p.add_argument("--refuse-count", type=int)
    p.add_argument("--auth", metavar="USER:PASS")
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    tls.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = p.parse_args(argv)
    # aiosmtpd warns about AUTH without TLS: wanted here, on loopback.
    warnings.filterwarnings("ignore", module="aiosmtpd")
    quiet = (ssl.SSLError, ConnectionResetError)

    class QuietTls(logging.Filter):
        # A client that gives up on our self-signed certificate is a test's point, not a fault.
        def filter(self, record):
            exc = record.exc_info[1] if record.exc_info else None
            return not (isinstance(exc, quiet) or isinstance(getattr(exc, "__cause__", None), quiet))

    logging.getLogger("mail.log").setLevel(logging.ERROR)
    logging.getLogger("mail.log").addFilter(QuietTls())

    handler = Handler(args.dir, args.refuse, args.refuse_at, args.refuse_count)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def context(pair):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(pair[0], pair[1])
        return ctx

    kwargs = {"hostname": "localhost", "loop": loop, "timeout": 30}
    if args.starttls:
        kwargs["tls_context"] = context(args.starttls)
    if args.auth:
        user, _, password = args.auth.partition(":")

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
                  and auth_data.password == password.encode())
            # handled=False: aiosmtpd itself answers 235 or 535.
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

        kwargs.update(authenticator=authenticator, auth_required=True,
                      # After STARTTLS when the server offers it; on plain loopback otherwise.
                      auth_require_tls=bool(args.starttls))

    def factory():
        server = SMTP(handler, **kwargs)
        server.implicit_tls = bool(args.tls)
        return server

    server = loop.run_until_complete(loop.create_server(
        factory, host=args.host, port=args.port, ssl=context(args.tls) if args.tls else None))
    print(server.sockets[0].getsockname()[1], flush=True)
    def on_exception(loop_, context_):
        if isinstance(context_.get("exception"), quiet):
            return
        loop_.default_exception_handler(context_)

    loop.set_exception_handler(on_exception)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()


# --- Helpers for the tests -----------------------------------------------------------------

def _python():
    """An interpreter that has aiosmtpd: this one, or Debian's."""
    try:
        import aiosmtpd  # noqa: F401
        return sys.executable
    except ImportError:
        return "/usr/bin/python3"


def start_smtp_server(folder, port=0, refuse=None, refuse_at="data", refuse_count=None, auth=None,
                      starttls=None, tls=None, host="127.0.0.1"):
    """Starts smtp_server.py saving into `folder`; returns (proc, port) once it listens.
    auth: "user:pass"; starttls / tls: (cert_path, key_path)."""
    cmd = [_python(), str(HERE / "smtp_server.py"), "--host", host, "--port", str(port), "--dir", str(folder)]
    if refuse is not None:
        cmd += ["--refuse", str(refuse), "--refuse-at", refuse_at]
        if refuse_count is not None:
            cmd += ["--refuse-count", str(refuse_count)]
    if auth:
        cmd += ["--auth", auth]
    if starttls:
        cmd += ["--starttls", *map(str, starttls)]
    if tls:
        cmd += ["--tls", *map(str, tls)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.strip().isdigit():
        proc.kill()
        proc.wait()
        raise RuntimeError(f"smtp_server.py did not start: {line!r}")
    return proc, int(line)


def stop_smtp_server(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout:
        proc.stdout.close()


def received(folder):
    """The accepted messages, in order, parsed with the stdlib (policy=email.policy.default)
    after CRLF -> LF (the .eml files keep the bytes as received): msg["Subject"] is decoded,
    msg.get_body(("plain",)).get_content() the body text, msg.iter_attachments() the
    attachments (get_filename(), get_content_type(), get_content())."""
    return [parse(p.read_bytes()) for p in sorted(Path(folder).glob("[0-9][0-9][0-9][0-9].eml"))]


def parse(data):
    """An .eml's bytes (CRLF line ends, as on the wire or in billrun's outbox) as an EmailMessage."""
    return email.message_from_bytes(data.replace(b"\r\n", b"\n"), policy=email.policy.default)


def envelopes(folder):
    """The SMTP envelopes of the accepted messages: [{"mail_from", "rcpt_tos", "login", "tls", "helo",
    "client_port"}]."""
    return [json.loads(p.read_text()) for p in sorted(Path(folder).glob("[0-9][0-9][0-9][0-9].json"))]


def log(folder):
    """Every transaction the server ended, accepted or refused, in order."""
    path = Path(folder) / "log.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


if __name__ == "__main__":
    serve()
