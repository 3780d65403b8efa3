"""billrun import contracts: the examples, CSV contracts with one item per row, references
to customers, services and bank accounts, cycles and due rules."""
import json

from harness import EXAMPLES, Workspace, import_reports, main, test

CUSTOMERS = "id;nome;cpf\nC1;Um;111.444.777-35\nC2;Dois;529.982.247-25\n"
SERVICES = "id;descricao;preco\nSUP;Suporte;850,00\nCONS;Consultoria;220,00\n"


def one_report(r):
    reports = import_reports(r)
    assert len(reports) == 1, r
    return reports[0]


def examples_workspace():
    ws = Workspace()
    for kind, name in (("customers", "clientes.csv"), ("services", "servicos.csv"),
                       ("contracts", "contratos.yaml")):
        r = ws.run("import", kind, EXAMPLES / name)
        assert r.code == 0, r
        assert one_report(r)["invalid"] == 0
    return ws


def master_data_workspace():
    ws = Workspace()
    ws.write("c.csv", CUSTOMERS)
    ws.write("s.csv", SERVICES)
    assert ws.run("import", "customers", "c.csv").code == 0
    assert ws.run("import", "services", "s.csv").code == 0
    return ws


def items(ws, contract):
    return ws.query("SELECT position, service, quantity, price FROM contract_items "
                    "WHERE contract = ? ORDER BY position", contract)


@test
def example_contracts_import_with_their_items():
    with examples_workspace() as ws:
        assert ws.query("SELECT count(*) FROM contracts") == [(7,)]
        assert ws.query("SELECT count(*) FROM services") == [(4,)]
        # quantities are stored in thousandths, prices in centavos (NULL: the list price).
        assert items(ws, "K001") == [(1, "SUP", 1000, None)]
        assert items(ws, "K002") == [(1, "HOST", 1000, 59000)]
        assert items(ws, "K003") == [(1, "SUP", 1000, None), (2, "CONS", 8000, 20000)]
        assert items(ws, "K004") == [(1, "LIC", 12000, None)]
        assert items(ws, "K006") == [(1, "SUP", 1000, None), (2, "LIC", 3000, None)]
        assert ws.query("SELECT count(*) FROM contract_items") == [(9,)]
        row = ws.query("SELECT customer, start, cycle, billing, due_days, due_day, payment_method, "
                       "auto_send, bank_account FROM contracts WHERE id = 'K002'")
        # K002: start typed 15/03/2026, cycle written 'mensal', due_day 10.
        assert row == [("C002", "2026-03-15", "monthly", "arrears", None, 10, "boleto", 0, "main")], row
        assert ws.query("SELECT end_date, cycle FROM contracts WHERE id = 'K005'") == [("2026-11-30", "monthly")]
        assert ws.query("SELECT payment_method, cycle FROM contracts WHERE id = 'K004'") == [("pix", "annual")]
        assert ws.query("SELECT template FROM contracts WHERE id = 'K006'") == [("before-due",)]
        # Importing them again changes nothing.
        r = ws.run("import", "contracts", EXAMPLES / "contratos.yaml")
        assert r.code == 0, r
        rep = one_report(r)
        assert (rep["created"], rep["updated"], rep["unchanged"]) == (0, 0, 7), rep


@test
def show_example_contract_in_every_format():
    with examples_workspace() as ws:
        r = ws.run("show", "contract", "K001")
        assert r.code == 0, r
        [doc] = r.docs()
        assert doc["kind"] == "contract" and doc["id"] == "K001" and doc["customer"] == "C001"
        assert doc["items"] == [{"service": "SUP", "quantity": "1", "price": None}], doc["items"]
        assert doc["start"] == "2026-01-31" and doc["cycle"] == "monthly" and doc["billing"] == "advance"
        assert doc["due"] == {"days_after_issue": 10}
        assert doc["auto_send"] is True and doc["bank_account"] == "main" and doc["series"] == "A"
        assert [h["action"] for h in doc["history"]] == ["created"]
        r = ws.run("show", "contract", "K003", "--format", "json")
        assert r.code == 0, r
        doc = json.loads(r.stdout)
        assert doc["id"] == "K003"
        assert doc["items"] == [{"service": "SUP", "quantity": "1", "price": None},
                                {"service": "CONS", "quantity": "8", "price": "200.00"}], doc["items"]
        assert doc["due"] == {"days_after_issue": 15}
        r = ws.run("show", "contract", "K002", "--format", "table")
        assert r.code == 0, r
        table = {}
        for line in r.stdout.splitlines():
            key, _, value = line.partition(" ")
            table[key] = value.strip()
        assert table["id"] == "K002" and table["customer"] == "C002", r.stdout
        assert table["items.1.service"] == "HOST" and table["items.1.price"] == "590.00", r.stdout
        assert table["due.day_of_month"] == "10", r.stdout


@test
def contracts_before_their_customers_are_refused():
    with Workspace() as ws:
        r = ws.run("import", "contracts", EXAMPLES / "contratos.yaml")
        assert r.code == 65, r
        assert "customer 'C001' does not exist" in r.stderr, r
        assert ws.query("SELECT count(*) FROM contracts") == [(0,)]


@test
def csv_contract_with_every_cell_repeated_gathers_its_items():
    with master_data_workspace() as ws:
        ws.write("k.csv", "id;cliente;servico;qtd;preco;inicio;ciclo;prazo\n"
                          "N1;C1;SUP;1;;01/02/2026;mensal;10\n"
                          "N2;C2;SUP;2;;2026-03-01;mensal;\n"
                          "N1;C1;CONS;2,5;150,00;01/02/2026;mensal;10\n")
        r = ws.run("import", "contracts", "k.csv")
        assert r.code == 0, r
        rep = one_report(r)
        assert (rep["created"], rep["invalid"]) == (2, 0), rep
        assert items(ws, "N1") == [(1, "SUP", 1000, None), (2, "CONS", 2500, 15000)]
        assert items(ws, "N2") == [(1, "SUP", 2000, None)]
        assert ws.query("SELECT start, cycle, due_days FROM contracts WHERE id = 'N1'") == \
            [("2026-02-01", "monthly", 10)]


@test
def csv_contract_continuation_rows_may_leave_contract_cells_empty():
    # Regression test (a bug found while the tests were written).
    with master_data_workspace() as ws:
        ws.write("k.csv", "id;cliente;servico;qtd;preco;inicio;ciclo\n"
                          "N1;C1;SUP;1;;01/02/2026;mensal\n"
                          "N1;;CONS;2;150,00;;\n")
        r = ws.run("import", "contracts", "k.csv")
        assert r.code == 0, r
        assert one_report(r)["created"] == 1
        assert items(ws, "N1") == [(1, "SUP", 1000, None), (2, "CONS", 2000, 15000)]


@test
def a_changed_item_updates_the_contract_and_logs_it():
    with master_data_workspace() as ws:
        ws.write("k.yaml", "id: U1\ncustomer: C1\nstart: 2026-01-01\nitems:\n  - {service: SUP, quantity: 1}\n")
        assert ws.run("import", "contracts", "k.yaml").code == 0
        ws.write("k2.yaml", "id: U1\ncustomer: C1\nstart: 2026-01-01\nitems:\n  - {service: SUP, quantity: 2}\n"
                            "  - {service: CONS, quantity: 1, price: '99,90'}\n")
        r = ws.run("import", "contracts", "k2.yaml")
        assert r.code == 0, r
        rep = one_report(r)
        assert (rep["created"], rep["updated"]) == (0, 1), rep
        assert items(ws, "U1") == [(1, "SUP", 2000, None), (2, "CONS", 1000, 9990)]
        history = ws.run("show", "contract", "U1").docs()[0]["history"]
        assert [h["action"] for h in history] == ["created", "updated"], history
        assert "items" in history[1]["detail"], history


@test
def conflicting_contract_cells_between_rows():
    with master_data_workspace() as ws:
        ws.write("k.csv", "id;cliente;servico;inicio;ciclo\n"
                          "N3;C1;SUP;01/02/2026;mensal\n"
                          "N3;C2;CONS;01/02/2026;mensal\n")
        before = ws.dump()
        r = ws.run("import", "contracts", "k.csv")
        assert r.code == 65, r
        assert "k.csv:3:2:" in r.stderr and "C2" in r.stderr and "line 2" in r.stderr, r
        rep = one_report(r)
        assert rep["committed"] is False
        assert (3, 2) in [(e["line"], e["column"]) for e in rep["errors"]], rep
        assert ws.dump() == before


@test
def unknown_customer_service_or_bank_account():
    with master_data_workspace() as ws:
        before = ws.dump()
        ws.write("cust.csv", "id;cliente;servico;inicio\nX1;C9;SUP;2026-01-01\n")
        r = ws.run("import", "contracts", "cust.csv")
        assert r.code == 65, r
        assert "cust.csv:2:2:" in r.stderr and "customer 'C9' does not exist" in r.stderr, r
        ws.write("serv.yaml", "id: X2\ncustomer: C1\nstart: 2026-01-01\nitems:\n  - {service: NOPE, quantity: 1}\n")
        r = ws.run("import", "contracts", "serv.yaml")
        assert r.code == 65, r
        assert "serv.yaml:" in r.stderr and "service 'NOPE' does not exist" in r.stderr, r
        ws.write("bank.csv", "id;cliente;servico;inicio;bank_account\nX3;C1;SUP;2026-01-01;itau\n")
        r = ws.run("import", "contracts", "bank.csv")
        assert r.code == 65, r
        assert "bank.csv:2:5:" in r.stderr and "bank_account 'itau'" in r.stderr, r
        assert one_report(r)["errors"][0]["line"] == 2
        assert ws.dump() == before
        ws.write("bank-ok.csv", "id;cliente;servico;inicio;bank_account\nX3;C1;SUP;2026-01-01;main\n")
        r = ws.run("import", "contracts", "bank-ok.csv")
        assert r.code == 0, r
        assert ws.query("SELECT bank_account FROM contracts WHERE id = 'X3'") == [("main",)]


@test
def portuguese_cycles_are_stored_canonical():
    cycles = [("semanal", "weekly"), ("mensal", "monthly"), ("Trimestral", "quarterly"),
              ("semestral", "semiannual"), ("anual", "annual"), ("a cada 15 dias", "every 15 days"),
              ("every 30 days", "every 30 days"), ("monthly", "monthly")]
    rows = "".join(f"P{i};C1;SUP;2026-01-01;{pt}\n" for i, (pt, _) in enumerate(cycles))
    with master_data_workspace() as ws:
        ws.write("p.csv", "id;cliente;servico;inicio;periodicidade\n" + rows)
        r = ws.run("import", "contracts", "p.csv")
        assert r.code == 0, r
        assert one_report(r)["created"] == len(cycles)
        stored = dict(ws.query("SELECT id, cycle FROM contracts"))
        assert stored == {f"P{i}": en for i, (_, en) in enumerate(cycles)}, stored
        ws.write("bad.csv", "id;cliente;servico;inicio;ciclo\nP9;C1;SUP;2026-01-01;quinzenal\n")
        r = ws.run("import", "contracts", "bad.csv")
        assert r.code == 65 and "bad.csv:2:5:" in r.stderr and "quinzenal" in r.stderr, r


@test
def bad_dates_name_line_and_column():
    with master_data_workspace() as ws:
        before = ws.dump()
        cases = [("31/02/2026", "", (2, 4)), ("2026-13-01", "", (2, 4)), ("03/01/26", "", (2, 4)),
                 ("01/03/2026", "2026-02-01", (2, 5))]
        for n, (start, end, place) in enumerate(cases):
            name = f"dt{n}.csv"
            ws.write(name, f"id;cliente;servico;inicio;fim\nE{n};C1;SUP;{start};{end}\n")
            r = ws.run("import", "contracts", name)
            assert r.code == 65, (name, r)
            assert f"{name}:{place[0]}:{place[1]}:" in r.stderr, (name, r)
            errors = import_reports(r)[0]["errors"]
            assert [(e["line"], e["column"]) for e in errors] == [place], (name, errors)
        assert ws.dump() == before
        ws.write("ok.csv", "id;cliente;servico;inicio;fim\nE9;C1;SUP;2026-03-01 08:30;31/12/2026\n")
        r = ws.run("import", "contracts", "ok.csv")
        assert r.code == 0, r
        assert ws.query("SELECT start, start_time, end_date FROM contracts") == \
            [("2026-03-01", "08:30", "2026-12-31")]


@test
def due_days_and_due_day_together_are_refused():
    with master_data_workspace() as ws:
        before = ws.dump()
        ws.write("d.csv", "id;cliente;servico;inicio;due_days;due_day\nD1;C1;SUP;2026-01-01;5;10\n")
        r = ws.run("import", "contracts", "d.csv")
        assert r.code == 65, r
        assert "d.csv:2:" in r.stderr and "due_days" in r.stderr and "due_day" in r.stderr, r
        assert one_report(r)["errors"][0]["line"] == 2
        ws.write("d.yaml", "id: D2\ncustomer: C1\nstart: 2026-01-01\nitems: [SUP]\ndue_days: 5\ndue_day: 10\n")
        r = ws.run("import", "contracts", "d.yaml")
        assert r.code == 65 and "d.yaml:" in r.stderr, r
        assert ws.dump() == before
        ws.write("ok.csv", "id;cliente;servico;inicio;due_day\nD3;C1;SUP;2026-01-01;10\n"
                           "D4;C1;SUP;2026-01-01;\n")
        r = ws.run("import", "contracts", "ok.csv")
        assert r.code == 0, r
        assert ws.query("SELECT id, due_days, due_day FROM contracts ORDER BY id") == \
            [("D3", None, 10), ("D4", 10, None)]


if __name__ == "__main__":
    main()
