"""billrun emit-nfse with nfse.standard: abrasf (the ABRASF 2.04 EnviarLoteRpsEnvio, the RPS
signed, then the lote, left offline) and with nfse.layout: "1.00" (the national DPS of layout
1.00). Every file is checked by independent tools: xmllint --schema against the official XSD
shipped in schemas/nfse/, and xmlsec1 --verify for each signature."""
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from harness import REFERENCE, SOURCE, cnpj_digits, edit_config, import_records, main, test
from nfse_server import ENV, NS, check_signed_dps, make_certificates, nfse_docs, small_workspace

CERTS = make_certificates(Path(tempfile.mkdtemp(prefix="billrun-abrasf-pki-")))
ABRASF_NS = "http://www.abrasf.org.br/nfse.xsd"
ABRASF_XSD = SOURCE / "schemas" / "nfse" / "abrasf-v2.04" / "nfse_v204.patched.xsd"
DPS_100_XSD = SOURCE / "schemas" / "nfse" / "nacional-v1.00" / "DPS_v1.00.xsd"
RPS_SIGNATURE = "//*[local-name()='Rps']/*[local-name()='Signature']"
LOTE_SIGNATURE = "/*/*[local-name()='Signature']"


def abrasf_workspace(signature="rsa-sha1", pfx="a1.pfx"):
    ws = small_workspace(CERTS)
    # The company customer with its state (UF), which the ABRASF address needs.
    import_records(ws, "customers", [
        {"id": "C1", "name": "Cliente Empresa Ltda", "tax_id": cnpj_digits(4729183600), "email": "a@x.com.br",
         "street": "Rua Um", "number": "10", "district": "Centro", "city_code": "3550308", "state": "SP",
         "zip": "01001000", "phone": "(11) 3333-4444", "iss_withheld": "yes"}])
    shutil.copy(CERTS[pfx], ws.path("certs/a1.pfx"))
    edit_config(ws, "standard: nacional", "standard: abrasf")
    edit_config(ws, "signature: rsa-sha1", f"signature: {signature}")
    return ws


def xmllint(path, xsd):
    out = subprocess.run(["xmllint", "--nonet", "--noout", "--schema", str(xsd), str(path)], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr


def verify(path, element, node_xpath):
    out = subprocess.run(["xmlsec1", "--verify", "--trusted-pem", str(CERTS["ca.pem"]),
                          "--id-attr:Id", f"{ABRASF_NS}:{element}", "--node-xpath", node_xpath, str(path)],
                         capture_output=True, text=True)
    assert out.returncode == 0 and "OK" in out.stdout + out.stderr, out.stdout + out.stderr


def check_lote(ws, doc, algorithm):
    """The signed lote of one invoice: bytes, structure, schema, both signatures."""
    assert doc["standard"] == "abrasf" and doc["status"] == "signed", doc
    rps_id = f"RPS00001{doc['dps_number']:015d}"
    assert doc["dps_id"] == rps_id, doc
    path = ws.path(doc["xml"])
    data = path.read_bytes()
    assert data.count(b"\n") <= 2 and b"\t" not in data and b"\r" not in data, data[:200]
    assert b"<ds:" not in data and b"xmlns:" not in data, "no namespace prefixes"
    text = data.decode("utf-8")
    lote_id = "LOTE" + rps_id[3:]
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<EnviarLoteRpsEnvio xmlns="' + ABRASF_NS +
                           f'"><LoteRps Id="{lote_id}" versao="2.04"><NumeroLote>{doc["dps_number"]}</NumeroLote>')
    assert "<QuantidadeRps>1</QuantidadeRps>" in text
    assert f'<InfDeclaracaoPrestacaoServico Id="{rps_id}">' in text
    assert (f"<IdentificacaoRps><Numero>{doc['dps_number']}</Numero><Serie>1</Serie><Tipo>1</Tipo>"
            "</IdentificacaoRps>") in text
    # The RPS signature right after the RPS, in <Rps>; the lote's after <LoteRps>, last.
    assert text.count("<Signature xmlns=") == 2 and text.count("<X509Certificate>") == 2
    assert re.search(r"</InfDeclaracaoPrestacaoServico><Signature xmlns=[^>]*><SignedInfo>.*?"
                     f'<Reference URI="#{rps_id}">.*?</Signature></Rps></ListaRps></LoteRps><Signature', text)
    assert f'<Reference URI="#{lote_id}">' in text and text.endswith("</Signature></EnviarLoteRpsEnvio>\n")
    if algorithm == "sha1":
        assert text.count("xmldsig#rsa-sha1") == 2 and "exc-c14n" not in text
    else:
        assert text.count("xmldsig-more#rsa-sha256") == 2 and text.count("xmlenc#sha256") == 2
    xmllint(path, ABRASF_XSD)
    verify(path, "InfDeclaracaoPrestacaoServico", RPS_SIGNATURE)
    verify(path, "LoteRps", LOTE_SIGNATURE)
    # The lote signature covers the RPS and its signature: change a byte inside, it fails.
    tampered = path.with_suffix(".tampered.xml")
    tampered.write_bytes(data.replace(b"<Serie>1</Serie>", b"<Serie>2</Serie>"))
    out = subprocess.run(["xmlsec1", "--verify", "--trusted-pem", str(CERTS["ca.pem"]), "--id-attr:Id",
                          f"{ABRASF_NS}:LoteRps", "--node-xpath", LOTE_SIGNATURE, str(tampered)],
                         capture_output=True, text=True)
    assert out.returncode != 0, "a changed RPS must break the lote signature"
    tampered.unlink()
    return text


@test
def abrasf_lotes_signed_twice_validate_and_verify_sha1():
    with abrasf_workspace() as ws:
        r = ws.run("emit-nfse", "--date", "2026-11-23", env=ENV)
        assert r.code == 0, r
        docs, run = nfse_docs(r)
        assert [d["dps_number"] for d in docs] == [1, 2] and run["counts"]["signed"] == 2, r
        company, person = (check_lote(ws, d, "sha1") for d in docs)
        # The invoice's values: ISS withheld by the company customer, federal withholdings.
        assert ("<Valores><ValorServicos>2000.00</ValorServicos><ValorPis>13.00</ValorPis>"
                "<ValorCofins>60.00</ValorCofins><ValorIr>30.00</ValorIr><ValorCsll>20.00</ValorCsll>") in company
        assert "<IssRetido>1</IssRetido><ResponsavelRetencao>1</ResponsavelRetencao>" in company
        assert "<ItemListaServico>01.07</ItemListaServico>" in company
        assert "<CodigoMunicipio>3550308</CodigoMunicipio><ExigibilidadeISS>1</ExigibilidadeISS>" in company
        assert "<Prestador><CpfCnpj><Cnpj>11222333000181</Cnpj></CpfCnpj>" in company
        assert ("<Endereco><Endereco>Rua Um</Endereco><Numero>10</Numero><Bairro>Centro</Bairro>"
                "<CodigoMunicipio>3550308</CodigoMunicipio><Uf>SP</Uf><Cep>01001000</Cep></Endereco>") in company
        assert "<Contato><Telefone>1133334444</Telefone><Email>a@x.com.br</Email></Contato>" in company
        assert "<Competencia>2026-11-01</Competencia>" in person
        assert "<IdentificacaoTomador><CpfCnpj><Cpf>11144477735</Cpf></CpfCnpj></IdentificacaoTomador>" in person
        assert "<IssRetido>2</IssRetido>" in person and "<ValorPis>" not in person
        assert "<OptanteSimplesNacional>1</OptanteSimplesNacional><IncentivoFiscal>2</IncentivoFiscal>" in person
        # The ledger holds the file's bytes; a rerun numbers nothing again and leaves the files.
        for doc in docs:
            blob = ws.query("SELECT signed_xml FROM nfse WHERE dps_id = ?", doc["dps_id"])[0][0]
            assert bytes(blob) == ws.path(doc["xml"]).read_bytes()
        before = {d["xml"]: ws.path(d["xml"]).read_bytes() for d in docs}
        r = ws.run("emit-nfse", "--date", "2026-11-24", env=ENV)
        assert r.code == 0 and nfse_docs(r)[0] == [], r
        assert before == {p: ws.path(p).read_bytes() for p in before}
        # The next invoices continue the series: RPS 3 and 4, never a number twice.
        assert ws.run("cycle", "--date", "2026-12-01").code == 0
        r = ws.run("emit-nfse", "--date", "2026-12-01", env=ENV)
        assert r.code == 0, r
        assert sorted(d["dps_number"] for d in nfse_docs(r)[0]) == [3, 4]
        assert ws.query("SELECT count(DISTINCT dps_number), count(*) FROM nfse") == [(4, 4)]


@test
def abrasf_signed_rsa_sha256_with_a_legacy_pfx():
    with abrasf_workspace("rsa-sha256", "a1-legacy.pfx") as ws:
        r = ws.run("emit-nfse", "--date", "2026-11-23", env=ENV)
        assert r.code == 0, r
        for doc in nfse_docs(r)[0]:
            check_lote(ws, doc, "sha256")


@test
def abrasf_like_the_reference_sample():
    """The lote has the reference sample's shape: its elements in the same order, and the
    same signature layout (the sample is in ../shared/reference, present in the workspace)."""
    sample = REFERENCE / "nfse" / "samples" / "abrasf" / "billrun__EnviarLoteRpsEnvio_v2.04_signed.xml"
    if not sample.exists():
        print("skip: no reference sample here")
        return
    with abrasf_workspace() as ws:
        r = ws.run("emit-nfse", "--date", "2026-11-23", env=ENV)
        assert r.code == 0, r
        ours = ws.path(nfse_docs(r)[0][0]["xml"]).read_text(encoding="utf-8")  # the company customer

        def tags(text):
            return [t for t in re.findall(r"<([A-Za-z]+)[ >/]", text)]

        theirs = tags(sample.read_text(encoding="utf-8"))
        mine = tags(ours)
        at = 0
        for tag in theirs:  # the sample's elements appear in ours in the same order
            at = mine.index(tag, at) + 1


@test
def abrasf_refuses_an_endpoint_and_a_bad_lote_waits():
    with abrasf_workspace() as ws:
        before = ws.dump()
        edit_config(ws, 'endpoint: ""', 'endpoint: "https://127.0.0.1:9/abrasf"')
        r = ws.run("emit-nfse", env=ENV)
        assert r.code == 78 and "nfse.endpoint" in r.stderr and "ABRASF" in r.stderr, r
        assert ws.dump() == before and not ws.path("out").exists()
        edit_config(ws, 'endpoint: "https://127.0.0.1:9/abrasf"', 'endpoint: ""')
        # A service whose code is not in the LC 116 list: the schema names the element.
        import_records(ws, "services", [
            {"id": "S", "description": "Suporte técnico", "unit_price": "2000,00", "service_code": "990101"}])
        r = ws.run("emit-nfse", "--date", "2026-11-23", env=ENV)
        assert r.code == 1, r
        docs, run = nfse_docs(r)
        assert [d["status"] for d in docs] == ["rejected", "rejected"] and run["counts"]["invalid"] == 2
        assert all(d["error"]["code"] == "schema" and "ItemListaServico" in d["error"]["message"] for d in docs)
        assert "{http" not in r.stderr and "ItemListaServico" in r.stderr, r


@test
def layout_1_00_validates_against_its_own_schema():
    with small_workspace(CERTS) as ws:
        edit_config(ws, 'layout: "1.01"', 'layout: "1.00"')
        r = ws.run("emit-nfse", "--date", "2026-11-23", env=ENV)
        assert r.code == 0, r
        docs, _ = nfse_docs(r)
        for doc in docs:
            path = ws.path(doc["xml"])
            data = path.read_bytes()
            assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<DPS xmlns="' + NS.encode() +
                                   b'" versao="1.00">'), data[:120]
            xmllint(path, DPS_100_XSD)
            # The same checks as for 1.01, the version aside (xmlsec1 --verify included).
            check_signed_dps(ws, doc, "sha1", CERTS["ca.pem"], version="1.00")
        # Layout 1.00's schema pins SHA-1: rsa-sha256 is a configuration error, before any change.
        before = ws.dump()
        edit_config(ws, "signature: rsa-sha1", "signature: rsa-sha256")
        r = ws.run("emit-nfse", "--date", "2026-11-24", env=ENV)
        assert r.code == 78 and "layout 1.00" in r.stderr, r
        assert ws.dump() == before
        edit_config(ws, 'layout: "1.00"', 'layout: "1.02"')
        r = ws.run("emit-nfse", env=ENV)
        assert r.code == 78 and "nfse.layout" in r.stderr, r


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(CERTS["ca.pem"].parent, ignore_errors=True)
