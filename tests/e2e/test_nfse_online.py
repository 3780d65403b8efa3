"""billrun emit-nfse against a real HTTPS server on loopback that demands a client
certificate (tests/e2e/nfse_server.py): success, rejection, 503 then success, a response lost
after the server accepted, "DPS already received", and servers that must be refused."""
import shutil
import socket
import ssl
import tempfile
from pathlib import Path

from harness import edit_config, main, test
from nfse_server import A1_PASSWORD, ENV, Sefin, check_signed_dps, make_certificates, nfse_docs, small_workspace

CERTS = make_certificates(Path(tempfile.mkdtemp(prefix="billrun-nfse-pki-")))


def online(ws, sefin, timeout=2, retries=3):
    shutil.copy(CERTS["a1.pfx"], ws.path("certs/a1.pfx"))
    shutil.copy(CERTS["ca.pem"], ws.path("certs/ca.pem"))
    edit_config(ws, 'endpoint: ""', f'endpoint: "{sefin.endpoint}"')
    edit_config(ws, 'ca_bundle: ""', 'ca_bundle: "certs/ca.pem"')
    edit_config(ws, "timeout_seconds: 60", f"timeout_seconds: {timeout}")
    edit_config(ws, "retries: 3", f"retries: {retries}")


def emit(ws, *args):
    return ws.run("emit-nfse", "--date", "2026-11-23", *args, env=ENV)


def check_authorized(ws, doc, sefin):
    assert doc["status"] == "authorized", doc
    chave, xml = sefin.accepted[doc["dps_id"]]
    assert doc["access_key"] == chave and len(chave) == 50
    assert ws.path(doc["authorized_xml"]).read_bytes() == xml, "stored byte for byte"
    assert str(doc["number"]) == str(list(sefin.accepted).index(doc["dps_id"]) + 1)
    row = ws.query("SELECT status, access_key, authorized_xml FROM nfse WHERE dps_id = ?", doc["dps_id"])[0]
    assert row[0] == "authorized" and row[1] == chave and bytes(row[2]) == xml


@test
def authorized_on_the_first_answer():
    with small_workspace(CERTS) as ws, Sefin(CERTS) as sefin:
        online(ws, sefin)
        r = emit(ws)
        assert r.code == 0, r
        docs, run = nfse_docs(r)
        assert run["counts"]["authorized"] == 2
        for doc in docs:
            check_authorized(ws, doc, sefin)
            check_signed_dps(ws, doc, "sha1", CERTS["ca.pem"])
        # What went over the wire is the signed file, byte for byte, with the A1 as client certificate.
        for dps_id, sent in sefin.posts:
            assert sent == ws.path(next(d["xml"] for d in docs if d["dps_id"] == dps_id)).read_bytes()
        assert all(cn.startswith("EXEMPLO SERVICOS DIGITAIS LTDA") for _, _, cn in sefin.requests)
        # A second run sends nothing.
        r = emit(ws)
        assert r.code == 0 and nfse_docs(r)[0] == [] and len(sefin.posts) == 2, r
        assert ws.query("SELECT count(*) FROM events WHERE action = 'nfse-authorized'")[0][0] == 2


@test
def a_rejection_is_recorded_and_the_invoice_waits():
    with small_workspace(CERTS) as ws, Sefin(CERTS) as sefin:
        online(ws, sefin)
        sefin.script = ["reject"]
        r = emit(ws)
        assert r.code == 1, r
        docs, run = nfse_docs(r)
        rejected = [d for d in docs if d["status"] == "rejected"]
        assert len(rejected) == 1 and run["counts"]["rejected"] == 1, docs
        error = rejected[0]["error"]
        assert error["code"] == "E0202" and "Tomador não encontrado" in error["message"], error
        assert "E0202" in r.stderr and rejected[0]["xml"], r
        assert ws.query("SELECT status, error_code FROM nfse WHERE dps_id = ?",
                        rejected[0]["dps_id"]) == [("rejected", "E0202")]
        # Next run: the same DPS (same Id and number), signed again from the ledger's data, accepted.
        r = emit(ws)
        assert r.code == 0, r
        docs2, _ = nfse_docs(r)
        assert [d["dps_id"] for d in docs2] == [rejected[0]["dps_id"]]
        check_authorized(ws, docs2[0], sefin)


@test
def a_503_then_201_is_retried_with_the_same_bytes():
    with small_workspace(CERTS) as ws, Sefin(CERTS) as sefin:
        online(ws, sefin)
        sefin.script = ["503", "429"]
        r = emit(ws)
        assert r.code == 0, r
        docs, _ = nfse_docs(r)
        for doc in docs:
            check_authorized(ws, doc, sefin)
        first = [sent for dps_id, sent in sefin.posts if dps_id == docs[0]["dps_id"]]
        assert len(first) == 3 and first[0] == first[1] == first[2], "retries resend the same signed DPS"
        assert docs[0]["attempts"] == 1, "one transmission, retried inside it"


@test
def a_response_lost_after_acceptance_is_found_not_sent_twice():
    with small_workspace(CERTS) as ws, Sefin(CERTS, hang_seconds=4) as sefin:
        online(ws, sefin, timeout=1, retries=2)
        sefin.script = ["hang"]  # accepted, but the answer comes after the client gave up
        r = emit(ws)
        assert r.code == 0, r
        docs, _ = nfse_docs(r)
        for doc in docs:
            check_authorized(ws, doc, sefin)
        assert len(sefin.accepted) == 2, "exactly one NFS-e per DPS"
        lost = docs[0]["dps_id"]
        assert [p[0] for p in sefin.posts].count(lost) == 2  # the resend got E0014
        assert ("GET", f"/SefinNacional/dps/{lost}") in [(m, p) for m, p, _ in sefin.requests]
        events = ws.query("SELECT detail FROM events WHERE action = 'nfse-authorized' ORDER BY seq")
        assert any("already received" in e[0] for e in events), events


@test
def already_received_from_an_earlier_run_is_resolved():
    with small_workspace(CERTS) as ws, Sefin(CERTS, hang_seconds=3) as sefin:
        # The first run sends, the server accepts but never answers in time, and there are no
        # retries: the run gives up (exit 69) and the DPS stays signed.
        online(ws, sefin, timeout=1, retries=0)
        sefin.script = ["hang"]
        r = emit(ws)
        assert r.code == 69, r
        docs, run = nfse_docs(r)
        assert run["unavailable"] and docs[0]["status"] == "signed" and docs[0]["error"]["code"] == "unavailable"
        assert len(sefin.accepted) == 1
        # The next run sends the same DPS, is told E0014, looks it up and records it.
        r = emit(ws)
        assert r.code == 0, r
        docs2, _ = nfse_docs(r)
        assert {d["dps_id"] for d in docs2} == {d["dps_id"] for d in docs} | set(sefin.accepted)
        for doc in docs2:
            check_authorized(ws, doc, sefin)
        assert len(sefin.accepted) == 2


@test
def an_untrusted_server_is_refused():
    with small_workspace(CERTS) as ws, Sefin(CERTS, rogue=True) as sefin:
        online(ws, sefin)
        before = ws.query("SELECT count(*) FROM nfse")
        r = emit(ws)
        assert r.code == 69, r
        assert "certificate" in r.stderr.lower(), r
        assert sefin.posts == [] and sefin.requests == [], "nothing was sent"
        docs, _ = nfse_docs(r)
        assert all(d["status"] == "signed" for d in docs), docs
        assert before == [(0,)] and ws.query("SELECT count(*) FROM nfse WHERE status = 'signed'") == [(2,)]


@test
def the_server_demands_a_client_certificate():
    with Sefin(CERTS) as sefin:
        ctx = ssl.create_default_context(cafile=str(CERTS["ca.pem"]))
        port = sefin.server.server_address[1]
        refused = False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
                with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                    tls.sendall(b"GET /SefinNacional/dps/x HTTP/1.1\r\nHost: x\r\n\r\n")
                    refused = tls.recv(100) == b""
        except (ssl.SSLError, ConnectionError):
            refused = True
        assert refused, "a client without a certificate must be refused"
        assert sefin.requests == []


@test
def a_wrong_password_stops_before_anything_is_sent():
    with small_workspace(CERTS) as ws, Sefin(CERTS) as sefin:
        online(ws, sefin)
        before = ws.dump()
        r = ws.run("emit-nfse", env={"BILLRUN_CERT_PASSWORD": A1_PASSWORD + "x"})
        assert r.code == 78 and ws.dump() == before and sefin.requests == [], r


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(CERTS["ca.pem"].parent, ignore_errors=True)
