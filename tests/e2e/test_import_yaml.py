"""billrun import from YAML: a stream of documents, one document holding a list, a list
under a `customers:` key; unknown keys and broken YAML are reported with file:line:col."""
from harness import Workspace, import_reports, main, test

STREAM = """\
# two customers, one document each
---
kind: customer
version: 1
id: Y1
name: Padaria São Jorge
tax_id: 111.444.777-35
email: [financeiro@sj.example.com.br, compras@sj.example.com.br]
---
Código: Y2
Razão Social: Ótica Visão Ltda
CPF/CNPJ: "11222333000181"
UF: rj
CEP: 20230-070
Código IBGE: 3304557
ISS Retido: sim
"""

LIST = """\
- id: Y3
  name: Fulano de Tal
  tax_id: 529.982.247-25
- {id: Y4, nome: Beltrana, cpf: 318.462.975-91, e-mail: "a@x.com.br; b@x.com.br"}
"""


def one_report(r):
    reports = import_reports(r)
    assert len(reports) == 1, r
    return reports[0]


def names(ws):
    return dict(ws.query("SELECT id, name FROM customers ORDER BY id"))


@test
def a_stream_of_documents():
    with Workspace() as ws:
        ws.write("stream.yaml", STREAM)
        r = ws.run("import", "customers", "stream.yaml")
        assert r.code == 0, r
        rep = one_report(r)
        assert (rep["created"], rep["invalid"], rep["committed"]) == (2, 0, True), rep
        assert names(ws) == {"Y1": "Padaria São Jorge", "Y2": "Ótica Visão Ltda"}
        row = ws.query("SELECT tax_id, email, state, zip, city_code, iss_withheld FROM customers WHERE id = 'Y1'")
        assert row == [("11144477735", "financeiro@sj.example.com.br; compras@sj.example.com.br", "", "", "", 0)]
        row = ws.query("SELECT tax_id, state, zip, city_code, iss_withheld FROM customers WHERE id = 'Y2'")
        assert row == [("11222333000181", "RJ", "20230070", "3304557", 1)], row
        # The same stream again changes nothing.
        r = ws.run("import", "customers", "stream.yaml")
        assert r.code == 0 and one_report(r)["unchanged"] == 2, r


@test
def one_document_holding_a_list():
    with Workspace() as ws:
        ws.write("list.yml", LIST)
        r = ws.run("import", "customers", "list.yml")
        assert r.code == 0, r
        assert one_report(r)["created"] == 2
        assert names(ws) == {"Y3": "Fulano de Tal", "Y4": "Beltrana"}
        assert ws.query("SELECT email FROM customers WHERE id = 'Y4'") == [("a@x.com.br; b@x.com.br",)]


@test
def a_list_under_the_kind_key():
    with Workspace() as ws:
        ws.write("keyed.yaml", "customers:\n" + "".join("  " + line + "\n" for line in LIST.splitlines()))
        r = ws.run("import", "customers", "keyed.yaml")
        assert r.code == 0, r
        assert one_report(r)["created"] == 2
        assert names(ws) == {"Y3": "Fulano de Tal", "Y4": "Beltrana"}
    with Workspace() as ws:
        ws.write("clientes.yaml", "clientes:\n  - {id: P1, nome: Um, cpf: 111.444.777-35}\n")
        r = ws.run("import", "customers", "clientes.yaml")
        assert r.code == 0, r
        assert names(ws) == {"P1": "Um"}
    with Workspace() as ws:
        ws.write("services.yaml", "services:\n"
                                  "  - {id: SUP, description: Suporte técnico, unit_price: '1.290,50',"
                                  " service_code: '010701', iss_rate: '2,90'}\n")
        r = ws.run("import", "services", "services.yaml")
        assert r.code == 0, r
        assert one_report(r)["records"] == "services"
        assert ws.query("SELECT id, description, unit_price, service_code, iss_rate FROM services") == \
            [("SUP", "Suporte técnico", 129050, "010701", 290)]


@test
def unknown_key_names_file_line_and_column():
    text = ("- id: U1\n"
            "  name: Um\n"
            "  tax_id: 111.444.777-35\n"
            "- id: U2\n"
            "  name: Dois\n"
            "  tax_id: 529.982.247-25\n"
            "  colour: azul\n")
    with Workspace() as ws:
        ws.write("u.yaml", text)
        before = ws.dump()
        r = ws.run("import", "customers", "u.yaml")
        assert r.code == 65, r
        assert "u.yaml:7:3:" in r.stderr and "colour" in r.stderr, r
        rep = one_report(r)
        assert rep["committed"] is False and rep["invalid"] == 1
        assert [(e["line"], e["column"]) for e in rep["errors"]] == [(7, 3)], rep
        assert ws.dump() == before
        r = ws.run("import", "customers", "u.yaml", "--skip-invalid")
        assert r.code == 1, r
        assert names(ws) == {"U1": "Um"}


@test
def a_bad_value_in_yaml_names_its_place():
    with Workspace() as ws:
        ws.write("v.yaml", "---\nid: V1\nname: Um\ntax_id: 111.444.777-35\nzip: '123'\n")
        r = ws.run("import", "customers", "v.yaml")
        assert r.code == 65, r
        assert "v.yaml:5:6:" in r.stderr and "CEP" in r.stderr, r
        assert [(e["line"], e["column"]) for e in one_report(r)["errors"]] == [(5, 6)]


@test
def invalid_yaml_syntax_names_file_and_line():
    with Workspace() as ws:
        ws.write("good.yaml", "- {id: I0, name: Bom, tax_id: 111.444.777-35}\n")
        ws.write("bad.yaml", "- id: I1\n  name: Um\n  tax_id: 111.444.777-35\n- id: I2\n  name: [Dois\n")
        ws.write("bad2.yaml", "id: I3\nname: Três: Quatro\n")
        before = ws.dump()
        r = ws.run("import", "customers", "good.yaml", "bad.yaml")
        assert r.code == 65, r
        assert "bad.yaml:" in r.stderr and "invalid YAML" in r.stderr, r
        assert ws.dump() == before
        r = ws.run("import", "customers", "bad2.yaml")
        assert r.code == 65, r
        assert "bad2.yaml:2:" in r.stderr, r
        assert ws.dump() == before


@test
def invalid_yaml_report_carries_the_line():
    # Regression test (a bug found while the tests were written).
    with Workspace() as ws:
        ws.write("bad2.yaml", "id: I3\nname: Três: Quatro\n")
        r = ws.run("import", "customers", "bad2.yaml")
        assert r.code == 65, r
        assert "bad2.yaml:0:" not in r.stderr, r.stderr
        err = one_report(r)["errors"][0]
        assert err["line"] == 2, err


@test
def stdin_yaml_stream():
    with Workspace() as ws:
        r = ws.run("import", "customers", "-", stdin=STREAM)
        assert r.code == 0, r
        assert one_report(r)["created"] == 2
        assert names(ws) == {"Y1": "Padaria São Jorge", "Y2": "Ótica Visão Ltda"}


if __name__ == "__main__":
    main()
