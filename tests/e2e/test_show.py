"""billrun show KIND ID: one record of the ledger (customer, service, contract, run, payment,
reminder, charge, remessa...), whole, with its history, as YAML, JSON or a table, on stdout or
in --out FILE."""
import json

import yaml

from harness import EXAMPLES, Workspace, main, test


def examples_workspace():
    ws = Workspace()
    for kind, name in (("customers", "clientes.csv"), ("services", "servicos.csv"),
                       ("contracts", "contratos.yaml")):
        r = ws.run("import", kind, EXAMPLES / name)
        assert r.code == 0, r
    return ws


def table_rows(text):
    rows = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key:
            rows[key] = value.strip()
    return rows


@test
def show_each_kind():
    with examples_workspace() as ws:
        r = ws.run("show", "customer", "C004")
        assert r.code == 0 and r.stderr == "", r
        [doc] = r.docs()
        assert doc["kind"] == "customer" and doc["id"] == "C004"
        assert doc["name"] == "Clínica Odontológica Sorriso São Lucas Ltda"
        assert doc["tax_id"] == "82.937.461/0001-50"
        assert doc["address"] == {"street": "Avenida Batel", "number": "1550", "complement": "Sala 1203",
                                  "district": "Batel", "city": "Curitiba", "city_code": "4106902",
                                  "state": "PR", "zip": "80420090"}, doc["address"]
        assert doc["iss_withheld"] is True and doc["owner"] == "Bruno"
        assert doc["municipal_registration"] == "0910458321"
        history = doc["history"]
        assert len(history) == 1 and history[0]["action"] == "created", history
        assert history[0]["command"] == "import customers" and isinstance(history[0]["run"], int)

        r = ws.run("show", "service", "HOST")
        assert r.code == 0, r
        [doc] = r.docs()
        assert doc["kind"] == "service" and doc["id"] == "HOST"
        assert doc["description"] == "Hospedagem gerenciada de sites e aplicações"
        assert doc["unit_price"] == "1290.00" and doc["service_code"] == "010301"
        assert doc["iss_rate"] == "2.90"

        r = ws.run("show", "contract", "K005")
        assert r.code == 0, r
        [doc] = r.docs()
        assert doc["kind"] == "contract" and doc["customer"] == "C005"
        assert doc["start"] == "2026-06-10" and doc["end"] == "2026-11-30"
        assert doc["items"] == [{"service": "HOST", "quantity": "1", "price": "590.00"}]
        assert doc["due"] == {"days_after_issue": 5} and doc["billing"] == "arrears"

        # Plural kinds are accepted too.
        r = ws.run("show", "customers", "C001")
        assert r.code == 0 and r.docs()[0]["id"] == "C001", r


@test
def unknown_id_or_kind():
    with examples_workspace() as ws:
        for kind in ("customer", "service", "contract"):
            r = ws.run("show", kind, "NOPE")
            assert r.code == 65, r
            assert r.stdout == "", r
            assert "billrun: error:" in r.stderr and "NOPE" in r.stderr and kind in r.stderr, r
        # An id of another kind is not found either.
        assert ws.run("show", "contract", "C001").code == 65
        r = ws.run("show", "widget", "C001")
        assert r.code == 64 and "widget" in r.stderr and "reminder" in r.stderr, r
        assert ws.run("show", "customer").code == 64


@test
def formats_yaml_json_and_table():
    with examples_workspace() as ws:
        as_yaml = ws.run("show", "customer", "C003", "--format", "yaml")
        as_json = ws.run("show", "customer", "C003", "--format", "json")
        as_table = ws.run("show", "customer", "C003", "--format", "table")
        assert as_yaml.code == as_json.code == as_table.code == 0, (as_yaml, as_json, as_table)
        assert as_yaml.stdout.startswith("---\n")
        doc = yaml.safe_load(as_yaml.stdout)
        assert json.loads(as_json.stdout) == doc
        assert doc["email"] == "financeiro@acaoeobra.example.com.br; compras@acaoeobra.example.com.br"
        rows = table_rows(as_table.stdout)
        assert rows["kind"] == "customer" and rows["id"] == "C003", as_table.stdout
        assert rows["name"] == "Construtora Ação & Obra S.A."
        assert rows["address.city"] == "Belo Horizonte" and rows["address.complement"] == "10º andar"
        assert rows["history.1.action"] == "created"
        r = ws.run("show", "customer", "C003", "--format", "xml")
        assert r.code == 64 and "xml" in r.stderr, r


@test
def out_writes_the_document_to_a_file():
    with examples_workspace() as ws:
        expected = ws.run("show", "contract", "K006").stdout
        r = ws.run("show", "contract", "K006", "--out", "k006.yaml")
        assert r.code == 0, r
        assert r.stdout == ""
        assert ws.path("k006.yaml").read_text() == expected
        doc = yaml.safe_load(expected)
        assert doc["template"] == "before-due" and doc["due"] == {"day_of_month": 5}
        assert [i["service"] for i in doc["items"]] == ["SUP", "LIC"]
        # The extension picks the format when --format is not given.
        r = ws.run("show", "contract", "K006", "--out", "k006.json")
        assert r.code == 0 and r.stdout == "", r
        assert json.loads(ws.path("k006.json").read_text()) == doc
        # An unknown id writes no file.
        r = ws.run("show", "contract", "NOPE", "--out", "nope.yaml")
        assert r.code == 65, r
        assert not ws.path("nope.yaml").exists()


@test
def show_changes_nothing():
    with examples_workspace() as ws:
        before = ws.dump()
        for args in (("customer", "C001"), ("service", "SUP"), ("contract", "K001"), ("contract", "NOPE")):
            ws.run("show", *args)
        assert ws.dump() == before


def billed_workspace():
    """The examples billed, boletos issued, the bank's retorno reconciled, reminders sent."""
    ws = examples_workspace()
    for args in (("import", "charges", EXAMPLES / "avulsos.csv"), ("cycle", "--date", "2026-11-23"),
                 ("issue-boleto", "--date", "2026-11-23", "--no-pdf"),
                 ("reconcile", EXAMPLES / "retorno-bb.ret", "--date", "2026-12-05"),
                 ("remind", "--date", "2026-12-20")):
        r = ws.run(*args)
        assert r.code == 0, (args, r)
    return ws


@test
def show_runs_payments_reminders_charges_and_remessas():
    with billed_workspace() as ws:
        r = ws.run("show", "run", "1")
        assert r.code == 0 and r.stderr == "", r
        [run] = r.docs()
        assert run["kind"] == "run" and run["id"] == 1 and run["command"] == "import customers"
        assert run["status"] == "ok" and run["finished"] and run["counts"]["created"] == 8, run
        assert run["events"] == [{"entity": "customer", "action": "created", "count": 8, "first": "C001"}], run
        [(cycle_id,)] = ws.query("SELECT id FROM runs WHERE command = 'cycle'")
        [cycle] = ws.run("show", "runs", cycle_id).docs()
        invoices = ws.query("SELECT count(*) FROM invoices")[0][0]
        assert cycle["business_date"] == "2026-11-23" and cycle["counts"]["invoices"] == invoices, cycle
        assert {(e["entity"], e["action"]) for e in cycle["events"]} >= {("invoice", "issued")}, cycle

        # A payment by its key and by its bank record's identity, with the event that applied it.
        [(key, source_key)] = ws.query(
            "SELECT p.id, p.source_key FROM payments p JOIN invoices i ON i.id = p.invoice "
            "WHERE i.series = 'A' AND i.number = 1")
        r = ws.run("show", "payment", key)
        assert r.code == 0, r
        [payment] = r.docs()
        assert payment["kind"] == "payment" and payment["key"] == key and payment["invoice"] == "A-000001"
        assert payment["status"] == "applied" and payment["source"].endswith("retorno-bb.ret"), payment
        [(amount, date)] = ws.query("SELECT amount, date FROM payments WHERE id = ?", key)
        assert payment["amount"] == f"{amount // 100}.{amount % 100:02d}" and payment["date"] == date, payment
        [applied] = payment["history"]
        assert applied["action"] in ("paid", "partly-paid") and applied["detail"].startswith(f"payment {key} of "), payment
        assert applied["command"] == "reconcile"
        assert ws.run("show", "payment", source_key).docs() == [payment]

        # A reminder by its key and as INVOICE:STEP.
        [(key, invoice, step, status)] = ws.query(
            "SELECT r.id, i.series || '-' || printf('%06d', i.number), r.step, r.status FROM reminders r "
            "JOIN invoices i ON i.id = r.invoice WHERE r.status = 'sent' ORDER BY r.id LIMIT 1")
        [reminder] = ws.run("show", "reminder", key).docs()
        assert reminder["invoice"] == invoice and reminder["step"] == step and reminder["status"] == status, reminder
        assert reminder["business_date"] == "2026-12-20" and reminder["message"].startswith("out/"), reminder
        assert [h["action"] for h in reminder["history"]] == ["reminded"], reminder
        assert reminder["history"][0]["detail"].startswith(f"step {step} ("), reminder
        assert ws.run("show", "reminder", f"{invoice}:{step}").docs() == [reminder]

        # A charge, billed on an invoice.
        [(charge_id, billed)] = ws.query(
            "SELECT c.id, i.series || '-' || printf('%06d', i.number) FROM charges c JOIN invoices i ON i.id = c.invoice "
            "WHERE c.contract IS NULL")
        [charge] = ws.run("show", "charge", charge_id).docs()
        assert charge["customer"] == "C002" and charge["contract"] is None and charge["price"] == "450.00", charge
        assert charge["invoice"] == billed and charge["date"] == "2026-11-05", charge
        assert [h["action"] for h in charge["history"]] == ["created"], charge

        # The remessa, by key and as ACCOUNT:SEQUENCE.
        [remessa] = ws.run("show", "remessa", "1").docs()
        boletos = ws.query("SELECT count(*) FROM boletos")[0][0]
        assert remessa["account"] == "main" and remessa["sequence"] == 1 and remessa["layout"] == "cnab240", remessa
        assert remessa["titles"] == boletos and remessa["status"] == "written", remessa
        assert [h["action"] for h in remessa["history"]] == ["created", "written"], remessa
        assert ws.run("show", "remessa", "main:1").docs() == [remessa]

        # Unknown ids of these kinds: exit 65, naming the id; nothing changed.
        before = ws.dump()
        for kind, bad in (("run", "999"), ("run", "x"), ("payment", "999"), ("reminder", "999"),
                          ("reminder", f"{invoice}:77"), ("reminder", "A-999999:1"), ("charge", "NOPE"),
                          ("remessa", "main:9"), ("remessa", "9")):
            r = ws.run("show", kind, bad)
            assert r.code == 65 and r.stdout == "" and f"'{bad}'" in r.stderr and kind in r.stderr, (kind, bad, r)
        assert ws.dump() == before


if __name__ == "__main__":
    main()
