"""Re-importing a contract after it was billed: what may change and what may not."""
from harness import Workspace, main, test

CUSTOMERS = "id;nome;cpf\nC1;Um;111.444.777-35\n"
SERVICES = "id;descricao;preco\nSUP;Suporte;850,00\n"


def billed_workspace(contract_yaml, date):
    ws = Workspace()
    ws.write("c.csv", CUSTOMERS)
    ws.write("s.csv", SERVICES)
    ws.write("k.yaml", contract_yaml)
    for kind, name in (("customers", "c.csv"), ("services", "s.csv"), ("contracts", "k.yaml")):
        r = ws.run("import", kind, name)
        assert r.code == 0, r
    r = ws.run("cycle", "--date", date)
    assert r.code == 0, r
    return ws


def periods(ws):
    return ws.query("SELECT period_start, period_end FROM invoices WHERE contract = 'KX' ORDER BY period_start")


@test
def a_billed_contract_keeps_its_start_cycle_and_billing():
    with billed_workspace("id: KX\ncustomer: C1\nitems: [SUP]\nstart: 2026-03-01\n", "2026-03-10") as ws:
        before = ws.dump()
        for change in ("start: 2026-03-05", "cycle: quarterly", "billing: arrears"):
            field = change.split(":")[0]
            text = "id: KX\ncustomer: C1\nitems: [SUP]\nstart: 2026-03-01\n"
            text = text.replace("start: 2026-03-01\n", "") + change + "\n"
            if field != "start":
                text += "start: 2026-03-01\n"
            ws.write("k2.yaml", text)
            r = ws.run("import", "contracts", "k2.yaml")
            assert r.code == 65, (change, r)
            assert "has been billed" in r.stderr, r
            assert ws.dump() == before
        # Its items and prices may change: the next invoice bills the new ones.
        ws.write("k3.yaml", "id: KX\ncustomer: C1\nitems: [{service: SUP, quantity: 2}]\nstart: 2026-03-01\n")
        r = ws.run("import", "contracts", "k3.yaml")
        assert r.code == 0, r
        r = ws.run("cycle", "--date", "2026-04-01")
        assert r.code == 0, r
        assert ws.query("SELECT gross FROM invoices WHERE period_start = '2026-04-01'") == [(170000,)]


@test
def an_end_cut_short_and_billed_cannot_move_later():
    with billed_workspace("id: KX\ncustomer: C1\nitems: [SUP]\nstart: 2026-03-01\nend: 2026-03-15\n",
                          "2026-04-01") as ws:
        assert periods(ws) == [("2026-03-01", "2026-03-15")]
        ws.write("k2.yaml", "id: KX\ncustomer: C1\nitems: [SUP]\nstart: 2026-03-01\nend: 2026-04-30\n")
        r = ws.run("import", "contracts", "k2.yaml")
        assert r.code == 65 and "cannot move later" in r.stderr, r
        # Moving it earlier is bookkeeping only; nothing is re-billed.
        ws.write("k3.yaml", "id: KX\ncustomer: C1\nitems: [SUP]\nstart: 2026-03-01\nend: 2026-03-10\n")
        assert ws.run("import", "contracts", "k3.yaml").code == 0


@test
def an_end_on_a_period_boundary_may_move_later():
    with billed_workspace("id: KX\ncustomer: C1\nitems: [SUP]\nstart: 2026-03-01\nend: 2026-03-31\n",
                          "2026-04-01") as ws:
        assert periods(ws) == [("2026-03-01", "2026-03-31")]
        ws.write("k2.yaml", "id: KX\ncustomer: C1\nitems: [SUP]\nstart: 2026-03-01\nend: 2026-04-30\n")
        r = ws.run("import", "contracts", "k2.yaml")
        assert r.code == 0, r
        assert ws.run("cycle", "--date", "2026-04-02").code == 0
        assert periods(ws) == [("2026-03-01", "2026-03-31"), ("2026-04-01", "2026-04-30")]


if __name__ == "__main__":
    main()
