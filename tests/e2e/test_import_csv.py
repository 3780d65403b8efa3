"""billrun import customers from CSV: encodings, delimiters, quoting, header spellings,
check digits, all-or-nothing, --skip-invalid, upserts, stdin and unreadable input."""
import csv
import io
import re

from harness import EXAMPLES, Workspace, cpf_digits, import_reports, main, test

HEADER = "id,name,tax_id"


def customers(ws):
    """id -> row (as a dict) of every customer in the ledger."""
    with ws.db() as con:
        con.row_factory = lambda cur, row: {d[0]: v for d, v in zip(cur.description, row)}
        return {r["id"]: r for r in con.execute("SELECT * FROM customers ORDER BY id")}


def show(ws, kind, id_, *args):
    r = ws.run("show", kind, id_, *args)
    assert r.code == 0, r
    return r


def normalised_tax_id(text):
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def one_report(r):
    reports = import_reports(r)
    assert len(reports) == 1, r
    return reports[0]


@test
def example_clientes_csv_imports_its_eight_customers_as_utf8():
    raw = (EXAMPLES / "clientes.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("cp1252"), newline=""), delimiter=";"))
    header, records = rows[0], [r for r in rows[1:] if r]
    assert len(records) == 8
    expected = {r[0]: dict(zip(header, r)) for r in records}
    with Workspace() as ws:
        r = ws.run("import", "customers", EXAMPLES / "clientes.csv")
        assert r.code == 0, r
        rep = one_report(r)
        assert rep["records"] == "customers" and rep["committed"] is True
        assert (rep["created"], rep["updated"], rep["unchanged"], rep["invalid"]) == (8, 0, 0, 0), rep
        assert rep["errors"] == []
        stored = customers(ws)
        assert sorted(stored) == sorted(expected)
        for cid, want in expected.items():
            got = stored[cid]
            assert got["name"] == want["Razão Social"], (got["name"], want["Razão Social"])
            assert got["city"] == want["Município"]
            assert got["district"] == want["Bairro"]
            assert got["street"] == want["Logradouro"]
            assert got["complement"] == want["Complemento"]
            assert got["tax_id"] == normalised_tax_id(want["CPF/CNPJ"]), got
            assert got["zip"] == want["CEP"].replace("-", "")
            assert got["city_code"] == want["Código IBGE"]
            assert got["state"] == want["UF"]
            assert got["owner"] == want["Responsável"]
            assert got["iss_withheld"] == (1 if want["ISS Retido"] == "Sim" else 0), got
        # Accented names are real UTF-8 in the ledger, not cp1252 bytes nor U+FFFD.
        assert stored["C002"]["name"] == "Érica Conceição da Silva"
        assert stored["C002"]["name"].encode("utf-8") == "Érica Conceição da Silva".encode("utf-8")
        assert stored["C005"]["street"] == "Rua Barão de Jaguara, esquina com a Rua Conceição"
        assert stored["C008"]["tax_id"] == "12ABC34501DE35"
        assert stored["C005"]["tax_id"] == "60413928713"
        assert stored["C001"]["tax_id"] == "47291836000156"
        # Two e-mails in one cell, separated by ';', come out joined by "; ".
        assert stored["C003"]["email"] == \
            "financeiro@acaoeobra.example.com.br; compras@acaoeobra.example.com.br"
        # show customer: the same text, as YAML.
        for cid in ("C002", "C004", "C008"):
            doc = show(ws, "customer", cid).docs()[0]
            assert doc["kind"] == "customer" and doc["id"] == cid
            assert doc["name"] == expected[cid]["Razão Social"], doc
            assert doc["address"]["city"] == expected[cid]["Município"]
            assert doc["history"][0]["action"] == "created"
        doc = show(ws, "customer", "C003").docs()[0]
        assert doc["email"] == "financeiro@acaoeobra.example.com.br; compras@acaoeobra.example.com.br"
        assert doc["tax_id"] == "30.561.724/0001-75"


@test
def utf8_bom_crlf_embedded_newline_and_doubled_quotes():
    with Workspace() as ws:
        text = ("id;name;tax_id;street;city\r\n"
                "Q1;\"Padaria \"\"Pão Quente\"\"\";111.444.777-35;\"Rua das Flores, 12\r\nFundos\";São Paulo\r\n"
                "Q2;Açaí da Esquina;529.982.247-25;Av. Brasil;Curitiba\r\n")
        ws.write("bom.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
        r = ws.run("import", "customers", "bom.csv")
        assert r.code == 0, r
        assert one_report(r)["created"] == 2
        got = customers(ws)
        assert sorted(got) == ["Q1", "Q2"], got  # the BOM is not part of the first header
        assert got["Q1"]["name"] == 'Padaria "Pão Quente"'
        assert got["Q1"]["street"] == "Rua das Flores, 12\nFundos", repr(got["Q1"]["street"])
        assert got["Q1"]["city"] == "São Paulo"
        assert got["Q2"]["name"] == "Açaí da Esquina"
        assert got["Q2"]["city"] == "Curitiba"  # no stray '\r'


@test
def line_numbers_count_physical_lines_after_a_multiline_field():
    with Workspace() as ws:
        ws.write("ml.csv", "id,name,tax_id,street,zip\n"
                           "L1,Fulano,111.444.777-35,\"linha 1\nlinha 2\nlinha 3\",01310-200\n"
                           "L2,Beltrano,529.982.247-25,Rua X,0131020\n")
        r = ws.run("import", "customers", "ml.csv")
        assert r.code == 65, r
        assert "ml.csv:5:5:" in r.stderr, r
        rep = one_report(r)
        assert [(e["line"], e["column"]) for e in rep["errors"]] == [(5, 5)], rep


@test
def comma_or_semicolon_delimiter_is_detected():
    with Workspace() as ws:
        ws.write("comma.csv", "id,name,tax_id,email\n"
                              "D1,\"Silva; Souza Ltda\",11.222.333/0001-81,a@x.com.br\n")
        ws.write("semi.csv", "id;name;tax_id;email\n"
                             "D2;Silva, Souza e Cia;11.222.333/0001-81;b@x.com.br\n")
        r = ws.run("import", "customers", "comma.csv", "semi.csv")
        assert r.code == 0, r
        reps = import_reports(r)
        assert [(x["file"], x["created"]) for x in reps] == [("comma.csv", 1), ("semi.csv", 1)]
        got = customers(ws)
        assert got["D1"]["name"] == "Silva; Souza Ltda" and got["D1"]["email"] == "a@x.com.br"
        assert got["D2"]["name"] == "Silva, Souza e Cia" and got["D2"]["email"] == "b@x.com.br"
        assert got["D1"]["tax_id"] == got["D2"]["tax_id"] == "11222333000181"


@test
def mixed_header_spellings_any_order_and_an_unknown_column():
    with Workspace() as ws:
        ws.write("h.csv", "UF;e-mail;Observações;NOME;cep;CPF/CNPJ;Código\n"
                          "rj;ola@x.com.br;cliente antigo;Maria;20230-070;318.462.975-91;H1\n"
                          "SP;oi@x.com.br;;José;01310200;11.222.333/0001-81;H2\n")
        r = ws.run("import", "customers", "h.csv")
        assert r.code == 0, r
        assert "billrun: warning:" in r.stderr and "Observações" in r.stderr, r
        assert "h.csv:1:3" in r.stderr, r
        assert one_report(r)["created"] == 2
        got = customers(ws)
        assert sorted(got) == ["H1", "H2"]
        assert (got["H1"]["name"], got["H1"]["email"], got["H1"]["state"], got["H1"]["zip"],
                got["H1"]["tax_id"]) == ("Maria", "ola@x.com.br", "RJ", "20230070", "31846297591")
        assert (got["H2"]["name"], got["H2"]["state"], got["H2"]["zip"]) == ("José", "SP", "01310200")
    with Workspace() as ws:
        ws.write("h2.csv", "Razão Social,Código IBGE,Município,cpf,CODIGO\n"
                           "Empresa Ação,3550308,São Paulo,111.444.777-35,H3\n")
        r = ws.run("import", "customers", "h2.csv")
        assert r.code == 0, r
        assert "warning" not in r.stderr, r
        got = customers(ws)
        assert list(got) == ["H3"]
        assert (got["H3"]["name"], got["H3"]["city_code"], got["H3"]["city"]) == \
            ("Empresa Ação", "3550308", "São Paulo")


@test
def windows_1252_file_is_decoded():
    with Workspace() as ws:
        text = ("Código,Razão Social,CPF/CNPJ,Município,Complemento\r\n"
                "W1,Açougue Irmãos Gonçalves Ltda,11.222.333/0001-81,São José dos Campos,Sala 3º\r\n"
                "W2,Ótica Visão,111.444.777-35,Florianópolis,“Bloco B” – térreo\r\n")
        ws.write("w.csv", text, encoding="cp1252")
        r = ws.run("import", "customers", "w.csv")
        assert r.code == 0, r
        assert one_report(r)["created"] == 2
        got = customers(ws)
        assert sorted(got) == ["W1", "W2"]
        assert got["W1"]["name"] == "Açougue Irmãos Gonçalves Ltda"
        assert got["W1"]["city"] == "São José dos Campos"
        assert got["W1"]["complement"] == "Sala 3º"
        assert got["W2"]["name"] == "Ótica Visão"
        assert got["W2"]["complement"] == "“Bloco B” – térreo"  # cp1252's 0x93/0x94/0x96
        assert show(ws, "customer", "W2").docs()[0]["address"]["city"] == "Florianópolis"


def thousand_rows_with_one_bad_cpf():
    rows = [HEADER] + [f"B{i:04d},Cliente {i},{cpf_digits(100000000 + i * 7919)}" for i in range(1000)]
    rows.insert(501, "BAD,Ruim,111.444.777-36")  # physical line 502
    return "\n".join(rows) + "\n"


@test
def one_bad_cpf_among_a_thousand_rows_writes_nothing():
    with Workspace() as ws:
        ws.write("big.csv", thousand_rows_with_one_bad_cpf())
        before = ws.dump()
        r = ws.run("import", "customers", "big.csv")
        assert r.code == 65, r
        assert "big.csv:502:3:" in r.stderr and "111.444.777-36" in r.stderr, r
        assert "billrun: error:" in r.stderr, r
        assert ws.dump() == before
        rep = one_report(r)
        assert rep["committed"] is False and rep["invalid"] == 1, rep
        assert [(e["line"], e["column"]) for e in rep["errors"]] == [(502, 3)], rep
        assert "CPF" in rep["errors"][0]["message"]


@test
def skip_invalid_imports_the_thousand_good_rows():
    with Workspace() as ws:
        ws.write("big.csv", thousand_rows_with_one_bad_cpf())
        r = ws.run("import", "customers", "big.csv", "--skip-invalid")
        assert r.code == 1, r
        assert "big.csv:502:3:" in r.stderr, r
        rep = one_report(r)
        assert rep["committed"] is True
        assert (rep["created"], rep["invalid"]) == (1000, 1), rep
        assert [e["line"] for e in rep["errors"]] == [502]
        assert ws.query("SELECT count(*) FROM customers") == [(1000,)]
        assert ws.query("SELECT count(*) FROM customers WHERE id = 'BAD'") == [(0,)]
        assert ws.query("SELECT count(*) FROM events WHERE action = 'created'") == [(1000,)]
        assert ws.query("SELECT status FROM runs") == [("partial",)]


@test
def reimport_is_unchanged_and_a_changed_row_is_an_update():
    rows = [HEADER + ",email"] + [f"R{i},Cliente {i},{cpf_digits(200000000 + i)},r{i}@x.com.br"
                                  for i in range(5)]
    with Workspace() as ws:
        ws.write("r.csv", "\n".join(rows) + "\n")
        r = ws.run("import", "customers", "r.csv")
        assert r.code == 0 and one_report(r)["created"] == 5, r
        after_first = ws.dump()
        r = ws.run("import", "customers", "r.csv")
        assert r.code == 0, r
        rep = one_report(r)
        assert (rep["created"], rep["updated"], rep["unchanged"]) == (0, 0, 5), rep
        assert ws.dump()["customers"] == after_first["customers"]
        assert ws.dump()["events"] == after_first["events"]

        rows[3] = rows[3].replace("r2@x.com.br", "novo.r2@x.com.br")
        ws.write("r2.csv", "\n".join(rows) + "\n")
        before = ws.dump()
        r = ws.run("--dry-run", "import", "customers", "r2.csv")
        assert r.code == 0, r
        rep = one_report(r)
        assert (rep["created"], rep["updated"], rep["unchanged"]) == (0, 1, 4), rep
        assert rep["committed"] is False
        assert ws.dump() == before

        r = ws.run("import", "customers", "r2.csv")
        assert r.code == 0, r
        rep = one_report(r)
        assert (rep["created"], rep["updated"], rep["unchanged"], rep["committed"]) == (0, 1, 4, True), rep
        assert ws.query("SELECT email FROM customers WHERE id = 'R2'") == [("novo.r2@x.com.br",)]
        doc = show(ws, "customer", "R2").docs()[0]
        assert doc["email"] == "novo.r2@x.com.br"
        actions = [h["action"] for h in doc["history"]]
        assert actions == ["created", "updated"], doc["history"]
        detail = doc["history"][1]["detail"]
        assert "email" in detail and "r2@x.com.br" in detail and "novo.r2@x.com.br" in detail, detail
        assert "name" not in detail
        assert ws.query("SELECT count(*) FROM events WHERE entity_id = 'R1'") == [(1,)]


@test
def a_repeated_id_with_different_values_is_refused():
    with Workspace() as ws:
        ws.write("dup.csv", HEADER + "\nZ1,Antes,111.444.777-35\nZ1,Antes,111.444.777-35\n"
                                     "Z2,Um,111.444.777-35\nZ2,Outro,111.444.777-35\n")
        r = ws.run("import", "customers", "dup.csv")
        assert r.code == 65, r
        assert "dup.csv:5:1:" in r.stderr and "Z2" in r.stderr, r
        assert ws.query("SELECT count(*) FROM customers") == [(0,)]


@test
def a_repeated_id_is_refused_even_when_its_first_row_matches_the_ledger():
    # Regression test (a bug found while the tests were written).
    with Workspace() as ws:
        ws.write("z0.csv", HEADER + "\nZ1,Antes,111.444.777-35\n")
        assert ws.run("import", "customers", "z0.csv").code == 0
        ws.write("z1.csv", HEADER + "\nZ1,Antes,111.444.777-35\nZ1,Depois,111.444.777-35\n")
        before = ws.dump()
        r = ws.run("import", "customers", "z1.csv")
        assert ws.query("SELECT name FROM customers") == [("Antes",)], r
        assert r.code == 65 and "z1.csv:3:1:" in r.stderr, r
        assert ws.dump() == before


@test
def example_servicos_csv_and_decimal_commas():
    with Workspace() as ws:
        r = ws.run("import", "services", EXAMPLES / "servicos.csv")
        assert r.code == 0, r
        assert one_report(r)["created"] == 4
        assert ws.query("SELECT id, description, unit_price, service_code, iss_rate FROM services ORDER BY id") == [
            ("CONS", "Consultoria em tecnologia da informação (hora)", 22000, "010601", 500),
            ("HOST", "Hospedagem gerenciada de sites e aplicações", 129000, "010301", 290),
            ("LIC", "Licença de uso de software (mensal, por usuário)", 39990, "010501", 200),
            ("SUP", "Suporte técnico mensal", 85000, "010701", 290)]
        ws.write("s.csv", "id,descricao,valor,aliquota\nS1,Um,1234.56,2.5\nS2,Dois,\"1.234,56\",\"2,5\"\n"
                          "S3,Tres,1.234,2\n")
        r = ws.run("import", "services", "s.csv")
        assert r.code == 65 and "s.csv:4:3:" in r.stderr and "1.234" in r.stderr, r
        r = ws.run("import", "services", "s.csv", "--skip-invalid")
        assert r.code == 1, r
        assert ws.query("SELECT id, unit_price, iss_rate FROM services WHERE id LIKE 'S_' ORDER BY id") == \
            [("S1", 123456, 250), ("S2", 123456, 250)]


@test
def alphanumeric_cnpj():
    with Workspace() as ws:
        ws.write("ok.csv", HEADER + "\nA1,Empresa Nova,12.ABC.345/01DE-35\n")
        ws.write("bad.csv", HEADER + "\nA2,Empresa Errada,12.ABC.345/01DE-36\n")
        r = ws.run("import", "customers", "bad.csv")
        assert r.code == 65, r
        assert "bad.csv:2:3:" in r.stderr and "12.ABC.345/01DE-36" in r.stderr, r
        assert one_report(r)["errors"][0]["line"] == 2
        assert ws.query("SELECT count(*) FROM customers") == [(0,)]
        r = ws.run("import", "customers", "ok.csv")
        assert r.code == 0, r
        assert ws.query("SELECT tax_id FROM customers") == [("12ABC34501DE35",)]
        assert show(ws, "customer", "A1").docs()[0]["tax_id"] == "12.ABC.345/01DE-35"


@test
def bad_uf_cep_and_ibge_name_line_and_column():
    cases = [
        ("uf.csv", "id,name,tax_id,uf\nV0,Ok,111.444.777-35,SP\nV1,X,111.444.777-35,XX\n", (3, 4), "XX"),
        ("cep.csv", "id,name,tax_id,cep\nV1,X,111.444.777-35,0131020\n", (2, 4), "0131020"),
        ("ibge.csv", "id,name,tax_id,ibge\nV1,X,111.444.777-35,355030\n", (2, 4), "355030"),
        ("mail.csv", "id,name,tax_id,email\nV1,X,111.444.777-35,fulano.x.com\n", (2, 4), "fulano.x.com"),
        ("cpf.csv", "cpf,name,id\n111.444.777-35,X,V1\n111.111.111-11,Y,V2\n", (3, 1), "111.111.111-11"),
    ]
    with Workspace() as ws:
        before = ws.dump()
        for name, text, (line, column), value in cases:
            ws.write(name, text)
            r = ws.run("import", "customers", name)
            assert r.code == 65, (name, r)
            assert f"{name}:{line}:{column}:" in r.stderr and value in r.stderr, (name, r)
            rep = one_report(r)
            assert [(e["line"], e["column"]) for e in rep["errors"]] == [(line, column)], (name, rep)
            assert ws.dump() == before, name


@test
def all_or_nothing_across_files():
    with Workspace() as ws:
        ws.write("good.csv", HEADER + "\nG1,Bom,111.444.777-35\nG2,Bom Também,529.982.247-25\n")
        ws.write("bad.csv", HEADER + "\nG3,Ruim,529.982.247-26\n")
        before = ws.dump()
        r = ws.run("import", "customers", "good.csv", "bad.csv")
        assert r.code == 65, r
        reps = import_reports(r)
        assert [x["file"] for x in reps] == ["good.csv", "bad.csv"]
        assert all(x["committed"] is False for x in reps)
        assert reps[0]["invalid"] == 0 and reps[1]["invalid"] == 1
        assert "bad.csv:2:3:" in r.stderr, r
        assert ws.dump() == before
        # --skip-invalid: the good file goes in, the bad row is reported.
        r = ws.run("import", "customers", "good.csv", "bad.csv", "--skip-invalid")
        assert r.code == 1, r
        assert sorted(customers(ws)) == ["G1", "G2"]


@test
def stdin_csv_and_yaml():
    with Workspace() as ws:
        r = ws.run("import", "customers", "-",
                   stdin="Código;Razão Social;CPF/CNPJ\nS1;Padaria São Jorge;111.444.777-35\n")
        assert r.code == 0, r
        rep = one_report(r)
        assert rep["created"] == 1 and rep["committed"] is True
        r = ws.run("import", "customers", "-",
                   stdin="- id: S2\n  name: Ótica Visão\n  tax_id: 529.982.247-25\n"
                         "- id: S3\n  name: Outra\n  tax_id: 11.222.333/0001-81\n")
        assert r.code == 0, r
        assert one_report(r)["created"] == 2
        got = customers(ws)
        assert sorted(got) == ["S1", "S2", "S3"]
        assert got["S1"]["name"] == "Padaria São Jorge" and got["S2"]["name"] == "Ótica Visão"
        r = ws.run("import", "customers", "-", stdin="id,name,tax_id\nS4,X,111.444.777-34\n")
        assert r.code == 65 and ":2:3:" in r.stderr, r


@test
def stdin_report_names_the_file_as_given():
    # Regression test (a bug found while the tests were written).
    with Workspace() as ws:
        r = ws.run("import", "customers", "-", stdin="id;name;tax_id\nS1;X;111.444.777-35\n")
        assert r.code == 0, r
        assert one_report(r)["file"] == "-", r.stdout


@test
def missing_directory_and_empty_inputs():
    with Workspace() as ws:
        ws.write("good.csv", HEADER + "\nM1,X,111.444.777-35\n")
        before = ws.dump()
        r = ws.run("import", "customers", "good.csv", "nao-existe.csv")
        assert r.code == 66, r
        assert "nao-existe.csv" in r.stderr and "billrun: error:" in r.stderr, r
        assert r.stdout == ""
        assert ws.dump() == before
        ws.path("pasta").mkdir()
        r = ws.run("import", "customers", "pasta")
        assert r.code == 66 and "pasta" in r.stderr, r
        assert ws.dump() == before
        ws.write("empty.csv", "")
        r = ws.run("import", "customers", "empty.csv")
        assert r.code == 65 and "empty.csv" in r.stderr, r
        assert one_report(r)["invalid"] == 1
        assert ws.dump() == before
        ws.write("nocpf.csv", "id;nome\nM2;X\n")
        r = ws.run("import", "customers", "nocpf.csv")
        assert r.code == 65 and "nocpf.csv:1:" in r.stderr and "tax_id" in r.stderr, r
        assert ws.dump() == before
        # A header and no rows is not an error: nothing to import.
        ws.write("header-only.csv", "id;nome;cpf\n")
        r = ws.run("import", "customers", "header-only.csv")
        assert r.code == 0, r
        assert one_report(r)["created"] == 0
        assert ws.query("SELECT count(*) FROM customers") == [(0,)]


@test
def binary_junk_is_invalid_data():
    with Workspace() as ws:
        ws.write("junk.csv", b"id,name,tax_id\nJ1,Fu\x00lano,111.444.777-35\n")
        ws.write("junk2.csv", b"\x00\x01\x02\x03PK\x03\x04\x00\x00\xff\xfe")
        before = ws.dump()
        r = ws.run("import", "customers", "junk.csv")
        assert r.code == 65, r
        assert "junk.csv:2:" in r.stderr and "NUL" in r.stderr, r
        assert ws.dump() == before
        r = ws.run("import", "customers", "junk2.csv")
        assert r.code == 65 and "junk2.csv:1:" in r.stderr, r
        assert ws.dump() == before


@test
def file_level_errors_carry_their_line_in_the_report():
    # Regression test (a bug found while the tests were written).
    with Workspace() as ws:
        ws.write("junk.csv", b"id,name,tax_id\nJ1,Fulano,111\x00\n")
        r = ws.run("import", "customers", "junk.csv")
        assert r.code == 65, r
        assert "junk.csv:0:" not in r.stderr, r.stderr
        err = one_report(r)["errors"][0]
        assert (err["line"], err["column"]) == (2, 3), err
        assert not err["message"].startswith("junk.csv:"), err


if __name__ == "__main__":
    main()
