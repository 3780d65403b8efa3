"""billrun cancel against a real HTTPS server on loopback that demands a client certificate
(tests/e2e/nfse_server.py): the signed cancellation event (pedRegEvento 1.01, e101101),
checked with xmllint --schema and xmlsec1 --verify; rejection, 500 then success, a response
lost after the server accepted, an unreachable server, offline, never-authorized NFS-e,
cancel twice, cancel while emit-nfse waits for the answer, bad input; and billrun show nfse."""
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from harness import SOURCE, edit_config, fast_docs, main, test, validate_all
from nfse_server import A1_PASSWORD, ENV, NS, Sefin, make_certificates, nfse_docs, small_workspace

CERTS = make_certificates(Path(tempfile.mkdtemp(prefix="billrun-cancel-pki-")))
EVENT_XSD = SOURCE / "schemas" / "nfse" / "nacional-v1.01" / "pedRegEvento_v1.01.xsd"
REASON = "Serviço não prestado: contrato desfeito"
# Under the sanitizers a TLS handshake alone may take more than a second: the short client
# timeouts (and the server's late answers, which must come after them) are stretched.
SLOW = 4 if os.environ.get("BILLRUN_E2E_SANITIZED") == "1" else 1


def online(ws, sefin, timeout=2, retries=3):
    timeout *= SLOW
    shutil.copy(CERTS["ca.pem"], ws.path("certs/ca.pem"))
    text = ws.path("billrun.yaml").read_text(encoding="utf-8")
    text = re.sub(r'endpoint: "[^"]*"', f'endpoint: "{sefin.endpoint}"', text, count=1)
    ws.path("billrun.yaml").write_text(text, encoding="utf-8")
    if 'ca_bundle: "certs/ca.pem"' not in text:
        edit_config(ws, 'ca_bundle: ""', 'ca_bundle: "certs/ca.pem"')
        edit_config(ws, "timeout_seconds: 60", f"timeout_seconds: {timeout}")
        edit_config(ws, "retries: 3", f"retries: {retries}")


def offline(ws):
    text = ws.path("billrun.yaml").read_text(encoding="utf-8")
    ws.path("billrun.yaml").write_text(re.sub(r'endpoint: "[^"]*"', 'endpoint: ""', text, count=1),
                                       encoding="utf-8")


def authorized(sefin, pfx="a1.pfx", **kw):
    """A workspace with two invoices whose NFS-e the mock authorized, and their boletos."""
    ws = small_workspace(CERTS)
    shutil.copy(CERTS[pfx], ws.path("certs/a1.pfx"))
    online(ws, sefin, **kw)
    r = ws.run("emit-nfse", "--date", "2026-11-23", env=ENV)
    assert r.code == 0 and len(sefin.accepted) == 2, r
    r = ws.run("issue-boleto", "--date", "2026-11-23", "--no-pdf")
    assert r.code == 0, r
    return ws


def cancel(ws, invoice="A-000001", *args, code=2, reason=REASON, env=ENV):
    return ws.run("cancel", invoice, "--reason", reason, "--code", code, "--date", "2026-12-05", *args, env=env)


def cancel_docs(r):
    """(nfse document or None, invoice document), each checked against its schema."""
    docs = fast_docs(r.stdout)
    validate_all(docs)
    assert [d["kind"] for d in docs] in (["nfse", "invoice"], ["invoice"]), r
    return (docs[0] if len(docs) == 2 else None), docs[-1]


def chave_of(ws, invoice="A-000001"):
    return ws.query("SELECT n.access_key FROM nfse n JOIN invoices i ON i.id = n.invoice "
                    "WHERE i.series || '-' || printf('%06d', i.number) = ?", invoice)[0][0]


def event_row(ws):
    return ws.query("SELECT status, signed_xml, event_xml, xml_path, attempts, error_code FROM nfse_events")


def check_event(ws, doc, algorithm, chave):
    """The signed request: the official XSD, the signature (xmlsec1), its fields; returns its bytes."""
    path = ws.path(doc["cancellation"]["xml"])
    data = path.read_bytes()
    assert data.count(b"\n") <= 2 and b"\t" not in data and b"<ds:" not in data and b"xmlns:" not in data
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<pedRegEvento xmlns="' + NS.encode() +
                           b'" versao="1.01"><infPedReg Id="PRE' + chave.encode() + b'101101">')
    text = data.decode("utf-8")
    assert doc["cancellation"]["id"] == f"PRE{chave}101101" and len(doc["cancellation"]["id"]) == 59
    assert "<tpAmb>2</tpAmb>" in text and "<CNPJAutor>11222333000181</CNPJAutor>" in text
    assert f"<chNFSe>{chave}</chNFSe>" in text
    assert re.search(r"<dhEvento>20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d-03:00</dhEvento>", text), "São Paulo offset"
    assert "<e101101><xDesc>Cancelamento de NFS-e</xDesc><cMotivo>2</cMotivo>" in text
    assert f"<xMotivo>{REASON}</xMotivo></e101101></infPedReg><Signature" in text
    assert f'<Reference URI="#PRE{chave}101101">' in text and text.count("<X509Certificate>") == 1
    if algorithm == "sha1":
        assert "xmldsig#rsa-sha1" in text and "REC-xml-c14n-20010315" in text
    else:
        assert "xmldsig-more#rsa-sha256" in text and "xml-exc-c14n#" in text
    out = subprocess.run(["xmllint", "--nonet", "--noout", "--schema", str(EVENT_XSD), str(path)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    out = subprocess.run(["xmlsec1", "--verify", "--trusted-pem", str(CERTS["ca.pem"]), "--id-attr:Id",
                          f"{NS}:infPedReg", str(path)], capture_output=True, text=True)
    assert out.returncode == 0 and "OK" in out.stdout + out.stderr, out.stdout + out.stderr
    return data


def check_cancelled(ws, sefin, r, algorithm="sha1"):
    assert r.code == 0, r
    nfse, invoice = cancel_docs(r)
    chave = chave_of(ws)
    assert nfse["status"] == "cancelled" and nfse["access_key"] == chave, nfse
    assert invoice["status"] == "cancelled" and invoice["id"] == "A-000001"
    c = nfse["cancellation"]
    assert c["status"] == "registered" and c["code"] == 2 and c["reason"] == REASON and c["event"] == "101101", c
    data = check_event(ws, nfse, algorithm, chave)
    sent, evento = sefin.events[chave]
    rows = event_row(ws)
    assert len(rows) == 1 and rows[0][0] == "registered"
    assert bytes(rows[0][1]) == data == sent, "the ledger's bytes are the file's and what was sent"
    assert bytes(rows[0][2]) == evento == ws.path(c["event_xml"]).read_bytes(), "the event byte for byte"
    assert ws.query("SELECT status FROM nfse WHERE access_key = ?", chave) == [("cancelled",)]
    return nfse


@test
def cancellation_registered_signed_sha1_and_the_boleto_written_off():
    with Sefin(CERTS) as sefin:
        with authorized(sefin) as ws:
            r = cancel(ws, "A-000001", "-v")
            nfse = check_cancelled(ws, sefin, r)
            assert ws.query("SELECT status FROM invoices ORDER BY id") == [("cancelled",), ("issued",)]
            assert ws.query("SELECT status FROM nfse ORDER BY id") == [("cancelled",), ("authorized",)]
            boletos = ws.query("SELECT b.status, b.id FROM boletos b JOIN invoices i ON i.id = b.invoice ORDER BY i.id")
            assert [b[0] for b in boletos] == ["write-off", "issued"], boletos
            assert ws.query("SELECT action FROM events WHERE entity = 'boleto' AND entity_id = ?",
                            str(boletos[0][1])) [-1] == ("write-off-requested",)
            assert "write-off" in r.stderr and "pedido de baixa" in r.stderr, r
            actions = [a for (a,) in ws.query("SELECT action FROM events WHERE entity = 'invoice' AND "
                                              "entity_id = '1' ORDER BY run, seq")]
            assert actions[-5:] == ["nfse-cancel-signed", "nfse-cancel-sending", "nfse-cancel-registered",
                                    "nfse-cancelled", "cancelled"], actions
            # Twice: nothing changes, nothing is sent.
            before = ws.dump()
            r2 = cancel(ws, "A-000001")
            assert r2.code == 0 and "already cancelled" in r2.stderr, r2
            assert cancel_docs(r2)[0] == nfse and ws.dump() == before and len(sefin.event_posts) == 1
            # show nfse, by the invoice's id, the DPS Id and the access key: the same document.
            for ident in ("A-000001", nfse["dps_id"], nfse["access_key"], "1"):
                s = ws.run("show", "nfse", ident)
                assert s.code == 0, s
                shown = fast_docs(s.stdout)[0]
                history = shown.pop("history")
                assert shown == nfse, (shown, nfse)
                assert [h["action"] for h in history][-4:] == ["nfse-cancel-signed", "nfse-cancel-sending",
                                                               "nfse-cancel-registered", "nfse-cancelled"]
                assert all(h["action"].startswith(("dps-", "nfse-")) for h in history)
            s = ws.run("show", "nfse", "A-000099")
            assert s.code == 65 and "no nfse with id 'A-000099'" in s.stderr, s
            # The certificate's password is nowhere.
            secret = A1_PASSWORD.encode()
            assert secret not in (r.stdout + r.stderr + r2.stdout + r2.stderr).encode()
            for f in list(ws.dir.glob("billrun.db*")) + [p for p in ws.path("out").rglob("*") if p.is_file()]:
                assert secret not in f.read_bytes(), f


@test
def cancellation_signed_sha256_with_a_legacy_pfx():
    with Sefin(CERTS) as sefin:
        ws = small_workspace(CERTS)
        with ws:
            shutil.copy(CERTS["a1-legacy.pfx"], ws.path("certs/a1.pfx"))
            edit_config(ws, "signature: rsa-sha1", "signature: rsa-sha256")
            online(ws, sefin)
            assert ws.run("emit-nfse", "--date", "2026-11-23", env=ENV).code == 0
            check_cancelled(ws, sefin, cancel(ws), "sha256")


@test
def a_rejection_is_recorded_and_the_invoice_stays_issued():
    with Sefin(CERTS) as sefin:
        with authorized(sefin) as ws:
            sefin.event_script = ["reject"]
            r = cancel(ws)
            assert r.code == 1, r
            nfse, invoice = cancel_docs(r)
            assert nfse["status"] == "authorized" and invoice["status"] == "issued", r
            assert nfse["error"]["code"] == "E1830" and "Prazo para cancelamento" in nfse["error"]["message"]
            assert nfse["cancellation"]["status"] == "rejected" and "E1830" in r.stderr, r
            assert event_row(ws)[0][0] == "rejected" and ws.query("SELECT status FROM boletos ORDER BY id")[0] == \
                ("issued",)
            first = ws.path(nfse["cancellation"]["xml"]).read_bytes()
            # The next run signs the request again (same Id, new bytes) and it is registered.
            r = cancel(ws)
            check_cancelled(ws, sefin, r)
            assert len(sefin.event_posts) == 2 and len(event_row(ws)) == 1
            assert sefin.event_posts[0][1] == first


@test
def a_500_then_201_is_retried_with_the_same_bytes():
    with Sefin(CERTS) as sefin:
        with authorized(sefin) as ws:
            sefin.event_script = ["500", "503"]
            nfse = check_cancelled(ws, sefin, cancel(ws))
            sent = [b for _, b in sefin.event_posts]
            assert len(sent) == 3 and sent[0] == sent[1] == sent[2]
            assert nfse["cancellation"]["attempts"] == 1, "one transmission, retried inside it"


@test
def a_response_lost_after_acceptance_is_found_by_the_get():
    with Sefin(CERTS, hang_seconds=4 * SLOW) as sefin:
        with authorized(sefin, timeout=1, retries=2) as ws:
            sefin.event_script = ["hang"]  # registered, but the answer comes after the client gave up
            r = cancel(ws)
            check_cancelled(ws, sefin, r)
            chave = chave_of(ws)
            assert len(sefin.events) == 1 and len(sefin.event_posts) == 2, "one event; the resend got E0840"
            assert ("GET", f"/SefinNacional/nfse/{chave}/eventos/101101/1") in [(m, p) for m, p, _ in sefin.requests]
            details = ws.query("SELECT detail FROM events WHERE action = 'nfse-cancel-registered'")
            assert len(details) == 1 and "already registered" in details[0][0], details


@test
def an_unreachable_server_exits_69_and_the_rerun_resends_the_same_bytes():
    with Sefin(CERTS) as sefin:
        ws = authorized(sefin, timeout=1, retries=1)
        accepted = dict(sefin.accepted)
    with ws:
        r = cancel(ws)  # the server is gone: connection refused
        assert r.code == 69, r
        nfse, invoice = cancel_docs(r)
        assert nfse["status"] == "authorized" and invoice["status"] == "issued"
        assert nfse["cancellation"]["status"] == "signed" and nfse["error"]["code"] == "unavailable", nfse
        status, signed, _, path, attempts, error = event_row(ws)[0]
        assert (status, attempts, error) == ("signed", 1, "unavailable")
        assert bytes(signed) == ws.path(path).read_bytes()
        with Sefin(CERTS) as sefin2:
            sefin2.accepted = accepted
            online(ws, sefin2)
            nfse = check_cancelled(ws, sefin2, cancel(ws))
            assert sefin2.event_posts[0][1] == bytes(signed), "the same signed bytes"
            assert nfse["cancellation"]["attempts"] == 2


@test
def offline_the_event_is_signed_and_the_invoice_waits_for_a_run_with_an_endpoint():
    with Sefin(CERTS) as sefin:
        with authorized(sefin) as ws:
            offline(ws)
            r = cancel(ws)
            assert r.code == 0 and "stays issued" in r.stderr, r
            nfse, invoice = cancel_docs(r)
            assert nfse["status"] == "authorized" and invoice["status"] == "issued"
            assert nfse["cancellation"]["status"] == "signed" and "error" not in nfse
            signed = check_event(ws, nfse, "sha1", chave_of(ws))
            assert sefin.event_posts == [] and event_row(ws)[0][0] == "signed"
            # With an endpoint again: the event signed offline is sent as it was (a new reason is not used).
            online(ws, sefin)
            r = cancel(ws, reason="Outro motivo qualquer, bem longo")
            check_cancelled(ws, sefin, r)
            assert "sent as it was signed" in r.stderr, r
            assert sefin.event_posts[0][1] == signed


@test
def a_never_authorized_nfse_or_none_needs_no_event():
    ws = small_workspace(CERTS)
    with ws:
        # A-000002 has no NFS-e yet: cancelled at once; emit-nfse never gives it one. No password needed.
        r = cancel(ws, "A-000002", env={})
        assert r.code == 0, r
        nfse, invoice = cancel_docs(r)
        assert nfse is None and invoice["status"] == "cancelled"
        r = ws.run("emit-nfse", "--date", "2026-11-23", env=ENV)
        assert r.code == 0, r
        docs = [d for d in fast_docs(r.stdout) if d["kind"] == "nfse"]
        assert [d["invoice"] for d in docs] == ["A-000001"] and docs[0]["status"] == "signed"
        # A-000001's DPS is signed offline, never sent: cancelled without an event.
        r = cancel(ws, "A-000001", env={})
        assert r.code == 0, r
        nfse, invoice = cancel_docs(r)
        assert nfse["status"] == "cancelled" and "cancellation" not in nfse and "access_key" not in nfse, nfse
        assert invoice["status"] == "cancelled" and not ws.query("SELECT * FROM nfse_events")
        assert "never authorized" in r.stderr, r
        r = ws.run("emit-nfse", "--date", "2026-11-24", env=ENV)
        assert r.code == 0 and not [d for d in fast_docs(r.stdout) if d["kind"] == "nfse"], r
        # Its DPS number stays used: the next invoice gets DPS 2.
        assert ws.run("cycle", "--date", "2026-12-01").code == 0
        r = ws.run("emit-nfse", "--date", "2026-12-01", env=ENV)
        docs = [d for d in fast_docs(r.stdout) if d["kind"] == "nfse"]
        assert sorted(d["dps_number"] for d in docs) == [2, 3], docs
        assert ws.query("SELECT dps_number, status FROM nfse ORDER BY id")[0] == (1, "cancelled")


@test
def a_dps_sent_without_an_answer_is_looked_up_first():
    with Sefin(CERTS, hang_seconds=3 * SLOW) as sefin:
        ws = small_workspace(CERTS)
        with ws:
            online(ws, sefin, timeout=1, retries=0)
            sefin.script = ["hang"]
            r = ws.run("emit-nfse", "--date", "2026-11-23", env=ENV)
            assert r.code == 69 and len(sefin.accepted) == 1, r
            # Offline, billrun cannot tell whether the NFS-e exists: it refuses and changes nothing.
            offline(ws)
            before = ws.dump()
            r = cancel(ws)
            assert r.code == 65 and "no answer was recorded" in r.stderr and ws.dump() == before, r
            # Online, it asks (GET /dps/{Id}), records the NFS-e, then cancels it by the event.
            online(ws, sefin)
            nfse = check_cancelled(ws, sefin, cancel(ws))
            assert ("GET", f"/SefinNacional/dps/{nfse['dps_id']}") in [(m, p) for m, p, _ in sefin.requests]


@test
def cancelled_while_emit_nfse_waits_the_authorization_is_refused_and_shown():
    """The race: cancel runs while emit-nfse waits for the answer to a DPS. cancel asks the
    authority, finds nothing yet, cancels the invoice; then the authority authorizes the DPS.
    The ledger must not make the NFS-e authorized again: it keeps it as
    'authorized-after-cancel' (event, warning, exit 1), and the next cancel sends its event."""
    with Sefin(CERTS, hang_seconds=3 * SLOW) as sefin:
        ws = small_workspace(CERTS)
        with ws:
            online(ws, sefin, timeout=10)
            sefin.script = ["late", "ok"]  # A-000001 is accepted only after the delay
            emitted = {}
            emitting = threading.Thread(target=lambda: emitted.update(
                r=ws.run("emit-nfse", "--date", "2026-11-23", env=ENV)))
            emitting.start()
            deadline = time.monotonic() + 30 * SLOW
            while not sefin.posts and time.monotonic() < deadline:
                time.sleep(0.02)
            assert sefin.posts and not sefin.accepted, "A-000001's DPS is on its way, not accepted yet"
            r = cancel(ws)
            assert r.code == 0, r
            nfse, invoice = cancel_docs(r)
            assert invoice["status"] == "cancelled" and nfse["status"] == "cancelled" and not sefin.accepted, r
            emitting.join()
            r = emitted["r"]
            # The authority authorized it after all: recorded, shown, never 'authorized'.
            assert r.code == 1, r
            assert "A-000001" in r.stderr and "billrun cancel A-000001" in r.stderr, r
            docs, run = nfse_docs(r)
            late = next(d for d in docs if d["invoice"] == "A-000001")
            chave, xml = sefin.accepted[late["dps_id"]]
            assert late["status"] == "authorized-after-cancel" and late["access_key"] == chave, late
            assert late["error"]["code"] == "authorized-after-cancel", late
            assert ws.path(late["authorized_xml"]).read_bytes() == xml
            assert run["counts"]["authorized"] == 1, run  # A-000002 only
            assert [f["code"] for f in run["failures"]] == ["authorized-after-cancel"], run
            assert ws.query("SELECT n.status, i.status FROM nfse n JOIN invoices i ON i.id = n.invoice "
                            "WHERE n.dps_id = ?", late["dps_id"]) == [("authorized-after-cancel", "cancelled")]
            assert ws.query("SELECT count(*) FROM events WHERE action = 'nfse-authorized-after-cancel'")[0][0] == 1
            # The schema's trigger refuses any path to 'authorized' for a cancelled invoice.
            with ws.db() as con:
                try:
                    con.execute("UPDATE nfse SET status = 'authorized' WHERE dps_id = ?", (late["dps_id"],))
                    raise AssertionError("the ledger let a cancelled invoice's NFS-e become authorized")
                except sqlite3.IntegrityError as e:
                    assert "cancelled invoice" in str(e), e
            shown = ws.run("show", "nfse", late["dps_id"])
            assert shown.code == 0 and "authorized-after-cancel" in shown.stdout, shown
            # billrun cancel again: the NFS-e's cancellation event goes; the invoice stays as it was.
            r = cancel(ws)
            assert r.code == 0, r
            nfse, invoice = cancel_docs(r)
            assert nfse["status"] == "cancelled" and nfse["cancellation"]["status"] == "registered", nfse
            assert invoice["status"] == "cancelled" and chave in sefin.events
            check_event(ws, nfse, "sha1", chave)
            r = cancel(ws)
            assert r.code == 0 and len(sefin.event_posts) == 1, r


@test
def bad_input_changes_nothing():
    with Sefin(CERTS) as sefin:
        with authorized(sefin) as ws:
            ws.write("pag.csv", "fatura;data;valor\nA-000002;01/12/2026;100,00\n")
            assert ws.run("import", "payments", "pag.csv").code == 0
            before = ws.dump()
            out_before = sorted(p for p in ws.path("out").rglob("*"))
            cases = [
                (cancel(ws, "A-000099"), 65, "no invoice 'A-000099'"),
                (cancel(ws, "X"), 65, "no invoice 'X'"),
                (cancel(ws, code=3), 64, "--code 3"),
                (cancel(ws, code="x"), 64, "--code"),
                (cancel(ws, reason="curto demais"), 64, "15 to 255"),
                (cancel(ws, reason="x" * 256), 64, "15 to 255"),
                (cancel(ws, reason="Motivo com símbolo ✓ fora"), 64, "Latin-1"),
                (ws.run("cancel", "A-000001", "--code", "2", env=ENV), 64, "--reason"),
                (cancel(ws, "A-000002"), 65, "payments were received"),
                (cancel(ws, env={"BILLRUN_CERT_PASSWORD": "wrong"}), 78, "password"),
                (cancel(ws, env={}), 78, "BILLRUN_CERT_PASSWORD"),
            ]
            for r, code, text in cases:
                assert r.code == code and text in r.stderr and r.stderr.startswith("billrun: error:"), r
                assert r.stdout == ""
            assert ws.dump() == before and sorted(ws.path("out").rglob("*")) == out_before
            assert sefin.event_posts == []
            r = cancel(ws, "A-000001", "--dry-run")
            assert r.code == 0, r
            nfse, invoice = cancel_docs(r)
            assert nfse["cancellation"]["status"] == "signed" and nfse["cancellation"]["xml"] is None
            assert ws.dump() == before and sefin.event_posts == [] and sorted(ws.path("out").rglob("*")) == out_before


@test
def credit_the_invoice_used_goes_back_to_the_customer():
    ws = small_workspace(CERTS)
    with ws:
        net = ws.query("SELECT net FROM invoices WHERE customer = 'C1'")[0][0]
        paid = net + 10000  # R$ 100.00 more than due: a credit
        ws.write("pag.csv", f"fatura;data;valor\nA-000001;25/11/2026;{paid // 100},{paid % 100:02d}\n")
        assert ws.run("import", "payments", "pag.csv").code == 0
        assert ws.run("cycle", "--date", "2026-12-01").code == 0
        key, ident, balance, status = ws.query(
            "SELECT id, series || '-' || printf('%06d', number), balance, status FROM invoices "
            "WHERE customer = 'C1' ORDER BY id DESC LIMIT 1")[0]
        assert status == "issued" and balance == net - 10000, (balance, net)
        assert ws.query("SELECT sum(amount) FROM customer_credits WHERE customer = 'C1'") == [(0,)]
        r = cancel(ws, ident, env={})
        assert r.code == 0 and "100.00 of credit" in r.stderr, r
        assert ws.query("SELECT sum(amount) FROM customer_credits WHERE customer = 'C1'") == [(10000,)]
        assert ws.query("SELECT action FROM events WHERE entity = 'customer' AND entity_id = 'C1' "
                        "ORDER BY run, seq")[-1] == ("credited",)
        # A paid invoice is refused.
        before = ws.dump()
        r = cancel(ws, "A-000001", env={})
        assert r.code == 65 and "payments were received" in r.stderr and ws.dump() == before, r


@test
def a_draft_cannot_be_cancelled():
    ws = small_workspace(CERTS)
    with ws:
        edit_config(ws, "approval: none", "approval: required")
        assert ws.run("cycle", "--date", "2026-12-01").code == 0
        key = ws.query("SELECT id FROM invoices WHERE status = 'draft'")[0][0]
        before = ws.dump()
        r = cancel(ws, str(key))
        assert r.code == 65 and "draft" in r.stderr and ws.dump() == before, r


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(CERTS["ca.pem"].parent, ignore_errors=True)
