"""billrun emit-nfse offline: the national DPS built, validated against the official XSD and
signed, checked by independent tools (xmllint --schema, xmlsec1 --verify), exactly once."""
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from harness import EXAMPLES, Workspace, cnpj_digits, edit_config, import_records, main, test
from nfse_server import A1_PASSWORD, ENV, make_certificates, nfse_docs, small_workspace, xmllint
from nfse_server import check_signed_dps as check_dps

CERTS = make_certificates(Path(tempfile.mkdtemp(prefix="billrun-nfse-pki-")))


def with_certificate(ws, pfx="a1.pfx"):
    (ws.dir / "certs").mkdir(exist_ok=True)
    shutil.copy(CERTS[pfx], ws.path("certs/a1.pfx"))


def example_workspace():
    ws = Workspace()
    for kind, name in (("customers", "clientes.csv"), ("services", "servicos.csv"),
                       ("contracts", "contratos.yaml")):
        assert ws.run("import", kind, EXAMPLES / name).code == 0
    assert ws.run("cycle", "--date", "2026-11-23").code == 0
    with_certificate(ws)
    return ws


def check_signed_dps(ws, doc, algorithm):
    return check_dps(ws, doc, algorithm, CERTS["ca.pem"])


@test
def offline_emission_validates_and_verifies_sha1():
    with example_workspace() as ws:
        issued = ws.query("SELECT count(*) FROM invoices WHERE status = 'issued'")[0][0]
        r = ws.run("emit-nfse", "--date", "2026-11-23", env=ENV)
        # The customer with an alphanumeric CNPJ cannot be a DPS 1.01 taker: its invoices fail
        # the official schema, are named, and wait; the others are signed.
        assert r.code == 1, r
        docs, run = nfse_docs(r)
        assert len(docs) == issued == run["counts"]["allocated"], (len(docs), issued)
        signed = [d for d in docs if d["status"] == "signed"]
        rejected = [d for d in docs if d["status"] == "rejected"]
        assert signed and rejected and len(signed) + len(rejected) == len(docs)
        for doc in rejected:
            assert doc["error"]["code"] == "schema" and "toma/CNPJ" in doc["error"]["message"], doc
            assert doc["xml"] is None
        assert "toma/CNPJ" in r.stderr and run["counts"]["invalid"] == len(rejected)
        texts = [check_signed_dps(ws, doc, "sha1") for doc in signed[:5]]
        for doc in signed:
            xmllint(ws.path(doc["xml"]))
        assert all("<prest><CNPJ>11222333000181</CNPJ>" in text for text in texts)
        # DPS numbers: 1..n, once each, in the order of the invoices.
        assert [d["dps_number"] for d in docs] == list(range(1, len(docs) + 1))
        # The ledger holds the exact bytes of the file.
        for doc in signed[:3]:
            blob = ws.query("SELECT signed_xml FROM nfse WHERE dps_id = ?", doc["dps_id"])[0][0]
            assert bytes(blob) == ws.path(doc["xml"]).read_bytes()
        assert ws.query("SELECT count(*) FROM events WHERE action = 'dps-signed'")[0][0] == len(signed)
        # A second run emits nothing new: the signed stay as they are, the rejected are retried.
        before = {d["xml"]: ws.path(d["xml"]).read_bytes() for d in signed}
        r2 = ws.run("emit-nfse", "--date", "2026-11-24", env=ENV)
        again, run2 = nfse_docs(r2)
        assert run2["counts"]["allocated"] == 0 and run2["counts"]["signed"] == 0, run2
        assert sorted(d["invoice"] for d in again) == sorted(d["invoice"] for d in rejected)
        assert {d["dps_id"] for d in again} == {d["dps_id"] for d in rejected}, "same DPS numbers"
        assert before == {p: ws.path(p).read_bytes() for p in before}
        assert ws.query("SELECT count(*) FROM nfse")[0][0] == issued


@test
def withholdings_and_retention_in_the_dps():
    with small_workspace(CERTS) as ws:
        r = ws.run("emit-nfse", "--date", "2026-11-23", env=ENV)
        assert r.code == 0, r
        docs, _ = nfse_docs(r)
        assert [d["status"] for d in docs] == ["signed", "signed"]
        company, person = (check_signed_dps(ws, d, "sha1") for d in docs)
        # The company withholds ISS (tpRetISSQN 2) and the federal taxes above the minimum.
        assert "<toma><CNPJ>" in company and "<tpRetISSQN>2</tpRetISSQN>" in company
        assert "<vServ>2000.00</vServ>" in company
        assert "<vPis>13.00</vPis>" in company and "<vCofins>60.00</vCofins>" in company
        assert "<tpRetPisCofins>3</tpRetPisCofins>" in company and "<vRetCSLL>20.00</vRetCSLL>" in company
        assert "<vRetIRRF>30.00</vRetIRRF>" in company
        assert "<endNac><cMun>3550308</cMun><CEP>01001000</CEP></endNac>" in company
        assert "<toma><CPF>11144477735</CPF>" in person and "<tpRetISSQN>1</tpRetISSQN>" in person
        assert "<tribFed>" not in person and "<end>" not in person
        assert "<dCompet>2026-11-01</dCompet>" in person and "<cTribNac>010701</cTribNac>" in person
        assert "<opSimpNac>3</opSimpNac>" in person and "<indTotTrib>0</indTotTrib>" in person


@test
def rsa_sha256_with_a_legacy_pfx_holding_a_chain():
    with small_workspace(CERTS) as ws:
        shutil.copy(CERTS["a1-legacy.pfx"], ws.path("certs/a1.pfx"))
        edit_config(ws, "signature: rsa-sha1", "signature: rsa-sha256")
        r = ws.run("emit-nfse", "--date", "2026-11-23", env=ENV)
        assert r.code == 0, r
        docs, _ = nfse_docs(r)
        for doc in docs:
            check_signed_dps(ws, doc, "sha256")


@test
def a_bad_password_or_none_changes_nothing():
    with small_workspace(CERTS) as ws:
        before = ws.dump()
        r = ws.run("emit-nfse", env={"BILLRUN_CERT_PASSWORD": "wrong-password"})
        assert r.code == 78 and "wrong certificate password" in r.stderr, r
        assert "wrong-password" not in r.stdout + r.stderr
        assert ws.dump() == before and not ws.path("out").exists()
        r = ws.run("emit-nfse", env={"BILLRUN_CERT_PASSWORD": ""})
        assert r.code == 78, r
        r = ws.run("emit-nfse")
        assert r.code == 78 and "BILLRUN_CERT_PASSWORD" in r.stderr, r
        ws.path("certs/a1.pfx").write_bytes(b"not a certificate")
        r = ws.run("emit-nfse", env=ENV)
        assert r.code == 78 and "PKCS#12" in r.stderr, r
        assert ws.dump() == before


@test
def the_password_appears_nowhere():
    with small_workspace(CERTS) as ws:
        r = ws.run("emit-nfse", "-v", "--date", "2026-11-23", env=ENV)
        assert r.code == 0, r
        secret = A1_PASSWORD.encode()
        assert secret not in (r.stdout + r.stderr).encode()
        assert secret not in ws.path("billrun.db").read_bytes()
        for wal in ws.dir.glob("billrun.db*"):
            assert secret not in wal.read_bytes()
        for f in ws.path("out").rglob("*"):
            if f.is_file():
                assert secret not in f.read_bytes(), f


@test
def dry_run_changes_nothing():
    with small_workspace(CERTS) as ws:
        before = ws.dump()
        r = ws.run("emit-nfse", "--dry-run", "--date", "2026-11-23", env=ENV)
        assert r.code == 0, r
        docs, run = nfse_docs(r)
        assert [d["status"] for d in docs] == ["signed", "signed"] and all(d["xml"] is None for d in docs)
        assert run["dry_run"] is True and run["run"] is None
        assert ws.dump() == before and not ws.path("out").exists()


@test
def a_stream_limits_the_run_and_a_fixed_invoice_keeps_its_number():
    with small_workspace(CERTS) as ws:
        # Break the taker's data so that its DPS fails the schema (a CEP of 7 digits is
        # refused on import, so the street gets a character outside the layout's Latin-1 range).
        import_records(ws, "customers", [
            {"id": "C1", "name": "Cliente Empresa Ltda", "tax_id": cnpj_digits(4729183600), "street": "Rua ✓",
             "number": "10", "district": "Centro", "city_code": "3550308", "zip": "01001000",
             "iss_withheld": "yes"}])
        key = ws.query("SELECT id FROM invoices WHERE customer = 'C1'")[0][0]
        stream = f"---\nkind: invoice\nversion: 1\nkey: {key}\n"
        r = ws.run("emit-nfse", "-", "--date", "2026-11-23", stdin=stream, env=ENV)
        assert r.code == 1, r
        docs, _ = nfse_docs(r)
        assert len(docs) == 1 and docs[0]["status"] == "rejected", docs
        assert "xLgr" in docs[0]["error"]["message"], docs[0]
        first_id = docs[0]["dps_id"]
        assert ws.query("SELECT count(*) FROM nfse")[0][0] == 1, "only the streamed invoice"
        import_records(ws, "customers", [
            {"id": "C1", "name": "Cliente Empresa Ltda", "tax_id": cnpj_digits(4729183600), "street": "Rua Um",
             "number": "10", "district": "Centro", "city_code": "3550308", "zip": "01001000",
             "iss_withheld": "yes"}])
        r = ws.run("emit-nfse", "--date", "2026-11-24", env=ENV)
        assert r.code == 0, r
        docs, _ = nfse_docs(r)
        by_invoice = {d["dps_id"]: d for d in docs}
        assert first_id in by_invoice and by_invoice[first_id]["status"] == "signed"
        assert sorted(d["dps_number"] for d in docs) == [1, 2]
        r = ws.run("emit-nfse", "-", stdin="not: [yaml\n", env=ENV)
        assert r.code == 65 and "<stdin>:1" in r.stderr, r


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(CERTS["ca.pem"].parent, ignore_errors=True)
