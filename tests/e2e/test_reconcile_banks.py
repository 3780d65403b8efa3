"""billrun reconcile across banks: boletos issued for Banco do Brasil (CNAB 240 and 400),
Santander, Caixa, Sicoob (CNAB 240), Bradesco and Itaú (CNAB 400); a retorno per account,
written here in that bank's own layout, pays one title in full (with juros), one in part,
one over, rejects one and names an unknown nosso número; every invoice ends with the
status and balance those records give it, and the same files again change nothing.

The retorno records are built independently of the C++ code, from the banks' layouts as the
real files in ../shared/reference/boleto/fixtures carry them (INDEX.md): the nosso número is
written the way each bank writes it, with its check digit where the bank puts one."""
import datetime

from harness import Workspace, cpf_digits, edit_config, fast_docs, import_records, main, test, validate_all

# One account per bank and layout; ids name them in contracts.
ACCOUNTS = {
    "bb240": 'bank: "001", agency: "1234", agency_digit: "5", account: "123456", account_digit: "7", '
             'convenio: "1234567", carteira: "17", remessa: cnab240',
    "bb400": 'bank: "001", agency: "4321", agency_digit: "0", account: "654321", account_digit: "9", '
             'convenio: "7654321", carteira: "17", remessa: cnab400',
    "santander": 'bank: "033", agency: "3163", account: "130028625", convenio: "1300286", carteira: "101", '
                 'remessa: cnab240',
    "caixa": 'bank: "104", agency: "1234", convenio: "123456", carteira: "RG", remessa: cnab240',
    "bradesco": 'bank: "237", agency: "1467", agency_digit: "2", account: "19669", account_digit: "0", '
                'convenio: "1234567", carteira: "09", remessa: cnab400',
    "itau": 'bank: "341", agency: "0730", account: "35110", carteira: "109", remessa: cnab400',
    "sicoob": 'bank: "756", agency: "3039", account: "48981", account_digit: "6", convenio: "489816", '
              'carteira: "1", remessa: cnab240',
}
PER_ACCOUNT = 5  # full, partial, over, rejected, untouched
COMPANY = "11222333000181"

ISSUE = datetime.date(2026, 11, 1)      # cycle and issue-boleto
PAID = datetime.date(2026, 11, 10)      # paid on time
LATE = datetime.date(2026, 11, 13)      # the full payment, after the due date, with juros
CREDIT = datetime.date(2026, 11, 16)    # the bank credits the money
RECONCILE = "2026-11-16"


# --- Fixed-width records, built from 1-based inclusive positions as the manuals print them --


def num(value, width):
    text = str(value)
    assert text.isdigit() and len(text) <= width, (value, width)
    return text.rjust(width, "0")


def alpha(value, width):
    assert len(value) <= width, (value, width)
    return value.ljust(width)


def ddmmyyyy(d):
    return d.strftime("%d%m%Y") if d else "00000000"


def ddmmyy(d):
    return d.strftime("%d%m%y") if d else "000000"


def record(width, fields):
    """A record of `width` characters: each {position: text} placed there, spaces elsewhere;
    fields may not overlap."""
    line = [" "] * width
    taken = [False] * width
    for pos, text in fields.items():
        assert pos >= 1 and pos - 1 + len(text) <= width, (pos, text)
        for i, c in enumerate(text, start=pos - 1):
            assert not taken[i], f"position {i + 1} written twice"
            taken[i] = True
            line[i] = c
    out = "".join(line)
    assert out.isascii() and len(out) == width
    return out


def crlf(lines):
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


# --- The nosso número as each bank writes it in its retorno ---------------------------------


def digits_dv(boleto):
    """(the nosso número's digits, its check digit or '') from the boleto document, whose
    nosso_numero is the two together and whose display separates them ("09/00000000002-P")."""
    display, whole = boleto["nosso_numero_display"], boleto["nosso_numero"]
    dv = display.rpartition("-")[2] if "-" in display else ""
    digits = whole[:len(whole) - len(dv)]
    assert whole == digits + dv and display.endswith(digits + ("-" + dv if dv else "")), boleto
    return digits, dv


# CNAB 240, segment T: where seu número, vencimento, valor, tarifa and motivos start (the
# nosso número's place and form are each bank's nosso_* below).
FEBRABAN_T = {"seu": 59, "due": 74, "amount": 82, "fee": 199, "reasons": 214}
SANTANDER_T = {"seu": 55, "due": 70, "amount": 78, "fee": 194, "reasons": 209}


def nosso_bb_240(digits, dv):
    # Convênio 7: the 17 digits (convênio + sequence), no DV, left-aligned in 38-57.
    assert dv == "" and len(digits) == 17
    return {38: alpha(digits, 20)}


def nosso_santander_240(digits, dv):
    # 41-53: nosso número (12) + DV; 54 carteira (santander-240-brcobranca.ret).
    return {41: num(digits, 12) + dv, 54: "5"}


def nosso_caixa_240(digits, dv):
    # 38-39 blank, 40-56 the 17 digits (14 + sequence), 57 DV (caixa-240-laravel.ret).
    assert len(digits) == 17
    return {40: digits + dv}


def nosso_sicoob_240(digits, dv):
    # numTitulo (10, the 7 digits and DV, zero-filled) + parcela 01 + modalidade 01 + tipo
    # de formulário 1 + 5 blanks (sicoob-240-brcobranca.ret, brcobranca #102).
    return {38: num(digits + dv, 10) + "01" + "01" + "1"}


def nosso_bb_400(digits, dv):
    # CBR643 (convênio 7, detail type 7): 64-80 the 17 digits, no DV.
    assert dv == "" and len(digits) == 17
    return {64: digits}


def nosso_bradesco_400(digits, dv):
    # 71-82: nosso número (11) + DV, which may be P (bradesco-400-brcobranca.ret).
    return {71: num(digits, 11) + dv}


def nosso_itau_400(digits, dv):
    # 63-70 the nosso número; 83-85 carteira, 86-93 nosso número, 94 DAC (itau-400-brcobranca.ret).
    return {63: num(digits, 8), 83: "109", 86: num(digits, 8) + dv}


# Per account: layout, the bank's codes for paid and rejected, its nosso número writer, a
# nosso número it never issued (digits, DV), and for CNAB 400 the type of the detail record,
# where its motivos go (position, how many codes of 2), its data de crédito and its tarifa
# (position, width).
BANKS = {
    "bb240": {"layout": 240, "bank": "001", "t": FEBRABAN_T, "nosso": nosso_bb_240, "paid": "06",
              "rejected": "03", "unknown": ("12345670000009999", "")},
    "santander": {"layout": 240, "bank": "033", "t": SANTANDER_T, "nosso": nosso_santander_240, "paid": "06",
                  "rejected": "03", "unknown": ("000000009999", "0")},
    "caixa": {"layout": 240, "bank": "104", "t": FEBRABAN_T, "nosso": nosso_caixa_240, "paid": "06",
              "rejected": "03", "unknown": ("14000000000009999", "0")},
    "sicoob": {"layout": 240, "bank": "756", "t": FEBRABAN_T, "nosso": nosso_sicoob_240, "paid": "06",
               "rejected": "03", "unknown": ("0009999", "0")},
    "bb400": {"layout": 400, "bank": "001", "nosso": nosso_bb_400, "type": "7", "paid": "06", "rejected": "03",
              "unknown": ("76543210000009999", ""), "reasons": (87, 1), "credit": 176, "fee": (182, 7)},
    "bradesco": {"layout": 400, "bank": "237", "nosso": nosso_bradesco_400, "type": "1", "paid": "06",
                 "rejected": "03", "unknown": ("00000009999", "0"), "reasons": (319, 5), "credit": 296,
                 "fee": (176, 13)},
    "itau": {"layout": 400, "bank": "341", "nosso": nosso_itau_400, "type": "1", "paid": "06", "rejected": "03",
             "unknown": ("00009999", "0"), "reasons": (378, 4), "credit": 296, "fee": (176, 13)},
}
assert set(BANKS) == set(ACCOUNTS)


def retorno_240(spec, titles, nsa):
    """FEBRABAN CNAB 240 retorno: file header, lote header, T+U per title, lote and file
    trailers. Santander's header and segment T are shifted (kind of inscription at 17)."""
    bank = spec["bank"]
    shifted = bank == "033"
    header = {1: bank, 4: "0000", 8: "0", 73: alpha("EMPRESA EXEMPLO", 30), 103: alpha("BANCO", 30), 143: "2",
              144: ddmmyyyy(CREDIT), 152: "060000", 158: num(nsa, 6), 164: "040"}
    header.update({17: "2", 18: num(COMPANY, 15)} if shifted else {18: "2", 19: num(COMPANY, 14)})
    lines = [record(240, header),
             record(240, {1: bank, 4: "0001", 8: "1", 9: "T", 10: "01", 14: "040", 18: "2", 19: num(COMPANY, 15)})]
    t = spec["t"]
    seq = 0
    for rec in titles:
        seq += 1
        fields = {1: bank, 4: "0001", 8: "3", 9: num(seq, 5), 14: "T", 16: rec["occurrence"],
                  t["seu"]: alpha(rec["seu"], 15), t["due"]: ddmmyyyy(rec["due"]),
                  t["amount"]: num(rec["amount"], 15), t["fee"]: num(rec["fee"], 15),
                  t["reasons"]: alpha("".join(rec["reasons"]), 10)}
        fields.update(spec["nosso"](*rec["nosso"]))
        fields[t["amount"] + 15] = bank  # banco cobrador
        lines.append(record(240, fields))
        seq += 1
        lines.append(record(240, {1: bank, 4: "0001", 8: "3", 9: num(seq, 5), 14: "U", 16: rec["occurrence"],
                                  18: num(rec["interest"], 15), 33: num(0, 15), 48: num(0, 15), 63: num(0, 15),
                                  78: num(rec["paid"], 15), 93: num(max(rec["paid"] - rec["fee"], 0), 15),
                                  108: num(0, 15), 123: num(0, 15), 138: ddmmyyyy(rec["date"]),
                                  146: ddmmyyyy(rec["credit"])}))
    lines.append(record(240, {1: bank, 4: "0001", 8: "5", 18: num(len(titles) * 2 + 2, 6)}))
    lines.append(record(240, {1: bank, 4: "9999", 8: "9", 18: num(1, 6), 24: num(len(lines) + 1, 6)}))
    return crlf(lines)


def retorno_400(spec, titles, nsa):
    """A bank's CNAB 400 retorno: header "02RETORNO01COBRANCA" (bank at 77-79), one detail
    per title (Banco do Brasil's CBR643 uses type 7), trailer type 9; sequence at 395-400."""
    bank = spec["bank"]
    header = {1: "02RETORNO01COBRANCA", 77: bank, 80: alpha("BANCO", 15), 95: ddmmyy(CREDIT), 395: num(1, 6)}
    header[101 if bank == "001" else 109] = num(nsa, 7 if bank == "001" else 5)
    lines = [record(400, header)]
    reason_pos, reason_count = spec["reasons"]
    fee_pos, fee_width = spec["fee"]
    for rec in titles:
        fields = {1: spec["type"], 2: "02", 4: num(COMPANY, 14), 109: rec["occurrence"],
                  111: ddmmyy(rec["date"]), 117: alpha(rec["seu"], 10), 147: ddmmyy(rec["due"]),
                  153: num(rec["amount"], 13), 166: bank, fee_pos: num(rec["fee"], fee_width),
                  241: num(0, 13), 254: num(rec["paid"], 13), 267: num(rec["interest"], 13),
                  spec["credit"]: ddmmyy(rec["credit"]),
                  reason_pos: alpha("".join(rec["reasons"]), 2 * reason_count), 395: num(len(lines) + 1, 6)}
        fields.update(spec["nosso"](*rec["nosso"]))
        lines.append(record(400, fields))
    lines.append(record(400, {1: "9201" + bank, 395: num(len(lines) + 1, 6)}))
    return crlf(lines)


# --- The scenario --------------------------------------------------------------------------


def cents(text):
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int(frac)


def money(value):
    return f"{value // 100}.{value % 100:02d}"


def setup(accounts=tuple(ACCOUNTS), per_account=PER_ACCOUNT):
    """A workspace whose accounts hold `per_account` issued boletos each, one customer per
    contract; returns (ws, {account: [boleto documents in sequence order]})."""
    ws = Workspace()
    text = ws.path("billrun.yaml").read_text(encoding="utf-8")
    start, end = text.index("  default_account: main"), text.index("\ndunning:")
    block = f"  default_account: {accounts[0]}\n  accounts:\n" + "".join(
        f"    - {{id: {name}, {ACCOUNTS[name]}}}\n" for name in accounts)
    edit_config(ws, text[start:end], block.rstrip("\n"))
    count = len(accounts) * per_account
    import_records(ws, "customers", [{"id": f"C{i:03d}", "name": f"Cliente {i}", "tax_id": cpf_digits(200000000 + i)}
                                     for i in range(count)])
    import_records(ws, "services", [{"id": "S", "description": "Serviço", "unit_price": "100,00"}])
    import_records(ws, "contracts", [
        {"id": f"K{i:03d}", "customer": f"C{i:03d}",
         "items": [{"service": "S", "price": f"{200 + 7 * i}.{i * 13 % 100:02d}"}],
         "start": ISSUE.isoformat(), "due_days": 10, "payment_method": "boleto",
         "bank_account": accounts[i // per_account]} for i in range(count)])
    r = ws.run("cycle", "--date", ISSUE.isoformat())
    assert r.code == 0, r
    r = ws.run("issue-boleto", "--date", ISSUE.isoformat(), "--no-pdf")
    assert r.code == 0, r
    docs = fast_docs(r.stdout)
    validate_all(docs)
    boletos = {}
    for d in docs:
        if d["kind"] == "boleto":
            boletos.setdefault(d["account"], []).append(d)
    assert {a: len(b) for a, b in boletos.items()} == {a: per_account for a in accounts}, boletos
    for account, docs_ in boletos.items():
        assert all(d["bank"] == BANKS[account]["bank"] for d in docs_), docs_
        docs_.sort(key=lambda d: d["key"])
    return ws, boletos


def title(doc, occurrence, paid, interest=0, fee=0, reasons=(), date=PAID, nosso=None):
    """One retorno record for the boleto `doc` (None: a title billrun never issued, `nosso`)."""
    return {"nosso": nosso or digits_dv(doc), "occurrence": occurrence, "seu": doc["invoice"] if doc else "X",
            "due": datetime.date.fromisoformat(doc["due_date"]) if doc else PAID,
            "amount": cents(doc["amount"]) if doc else 98765, "paid": paid, "interest": interest, "fee": fee,
            "reasons": list(reasons), "date": date, "credit": CREDIT if paid else None}


def titles_for(account, boletos):
    """The retorno records of one account and what each must do: (title, expected)."""
    spec = BANKS[account]
    full, partial, over, rejected, _untouched = boletos
    return [
        # Paid late, with juros: the juros are not principal, so no credit.
        (title(full, spec["paid"], cents(full["amount"]) + 187, interest=187, fee=245, date=LATE),
         {"status": "applied", "invoice": full["invoice"], "after": ("paid", 0), "credit": 0}),
        (title(partial, spec["paid"], cents(partial["amount"]) - 3000, fee=245),
         {"status": "applied", "invoice": partial["invoice"], "after": ("partly-paid", 3000), "credit": 0}),
        (title(over, spec["paid"], cents(over["amount"]) + 1234, fee=245),
         {"status": "applied", "invoice": over["invoice"], "after": ("paid", 0), "credit": 1234}),
        (title(rejected, spec["rejected"], 0, reasons=["09"]),
         {"status": "rejected", "invoice": rejected["invoice"], "after": ("issued", cents(rejected["amount"])),
          "credit": 0}),
        (title(None, spec["paid"], 98765, fee=245, nosso=spec["unknown"]),
         {"status": "unmatched", "invoice": None}),
    ]


def retorno(account, titles, nsa):
    spec = BANKS[account]
    data = (retorno_240 if spec["layout"] == 240 else retorno_400)(spec, titles, nsa)
    assert all(len(line) == spec["layout"] for line in data.split(b"\r\n")[:-1]), account
    return data


def invoice_state(ws, invoice_id):
    return ws.query("SELECT status, balance FROM invoices WHERE series || '-' || printf('%06d', number) = ?",
                    invoice_id)[0]


def invoice_customer(ws, invoice_id):
    return ws.query("SELECT customer FROM invoices WHERE series || '-' || printf('%06d', number) = ?",
                    invoice_id)[0][0]


def reconcile_docs(r):
    docs = fast_docs(r.stdout)
    validate_all(docs)
    payments = [d for d in docs if d["kind"] == "payment"]
    runs = [d for d in docs if d["kind"] == "run"]
    assert len(runs) == 1 and docs[-1] is runs[0], r
    return payments, runs[0]


@test
def retornos_of_six_banks_pay_part_pay_overpay_reject_and_report_the_unknown():
    ws, boletos = setup()
    with ws:
        files, expected = {}, {}
        for nsa, account in enumerate(ACCOUNTS, start=1):
            pairs = titles_for(account, boletos[account])
            name = f"{account}.ret"
            ws.write(name, retorno(account, [t for t, _ in pairs], nsa))
            files[name] = account
            expected[name] = pairs
        untouched = {docs[-1]["invoice"]: cents(docs[-1]["amount"]) for docs in boletos.values()}
        before = ws.dump()

        r = ws.run("reconcile", *files, "--date", RECONCILE)
        assert r.code == 1, r  # unmatched and rejected records need a look
        payments, run = reconcile_docs(r)
        assert len(payments) == sum(len(p) for p in expected.values()), r
        by_source = {}
        for p in payments:
            by_source.setdefault(p["source"], []).append(p)
        assert set(by_source) == set(files), by_source.keys()
        problems = []
        for name, pairs in expected.items():
            got = by_source[name]
            assert len(got) == len(pairs), (name, got)
            for (rec, want), doc in zip(pairs, got):
                where = f"{name} {rec['nosso']} ({want['status']})"
                if doc["status"] != want["status"] or doc["invoice"] != want["invoice"]:
                    problems.append(f"{where}: got {doc['status']} {doc['invoice']}: {doc['reason']}")
                    continue
                if want["status"] == "applied":
                    # Amounts and dates read from the bank's own positions.
                    fields = (doc["amount"], doc["interest"], doc["fee"], doc["date"], doc.get("credit_date"))
                    wanted = (money(rec["paid"]), money(rec["interest"]), money(rec["fee"]),
                              rec["date"].isoformat(), CREDIT.isoformat())
                    if fields != wanted:
                        problems.append(f"{where}: read {fields}, wrote {wanted}")
                if want["status"] == "rejected" and "09" not in (doc["reason"] or ""):
                    problems.append(f"{where}: reason {doc['reason']!r} lacks the motivo 09")
        assert not problems, "\n".join(problems)
        banks = len(files)
        assert run["counts"]["matched"] == 3 * banks and run["counts"]["rejected"] == banks, run
        assert run["counts"]["unmatched"] == banks and run["counts"]["files"] == banks, run

        # Every invoice: the records' effect, and nothing on the ones no record names.
        for pairs in expected.values():
            for _, want in pairs:
                if want["invoice"]:
                    state = invoice_state(ws, want["invoice"])
                    assert state == want["after"], (want, state)
        for invoice, amount in untouched.items():
            assert invoice_state(ws, invoice) == ("issued", amount), invoice
        credits = {c: a for c, a in ws.query("SELECT customer, sum(amount) FROM customer_credits GROUP BY customer")}
        assert credits == {invoice_customer(ws, want["invoice"]): want["credit"]
                           for pairs in expected.values() for _, want in pairs if want.get("credit")}, credits
        # Boletos follow: paid, partly paid, paid, rejected; the untouched one stays issued.
        for account, docs in boletos.items():
            statuses = [ws.query("SELECT b.status FROM boletos b JOIN invoices i ON i.id = b.invoice "
                                 "WHERE i.series || '-' || printf('%06d', i.number) = ? AND b.account = ?",
                                 d["invoice"], account)[0][0] for d in docs]
            assert statuses == ["paid", "partly-paid", "paid", "rejected", "issued"], (account, statuses)
        assert ws.query("SELECT status, count(*) FROM payments GROUP BY status ORDER BY status") == \
            [("applied", 3 * banks), ("rejected", banks), ("unmatched", banks)]
        assert ws.query("SELECT count(*) FROM reconciled_files") == [(banks,)]
        assert before != ws.dump()

        # The same files again: each recognised by its content, nothing changes.
        after = ws.dump()
        r = ws.run("reconcile", *files, "--date", "2026-11-17")
        assert r.code == 0, r
        for name in files:
            assert f"{name}: already reconciled" in r.stderr, (name, r.stderr)
        payments, run = reconcile_docs(r)
        assert payments == [] and run["counts"]["files_skipped"] == banks and run["counts"]["files"] == 0, run
        assert sorted(run["skipped"]) == sorted(files), run
        unchanged = lambda dump: {k: v for k, v in dump.items() if k not in ("runs", "events")}  # noqa: E731
        assert unchanged(ws.dump()) == unchanged(after)


@test
def a_check_digit_is_never_read_as_part_of_another_nosso_numero():
    """Santander, Bradesco, Itaú and Sicoob write the nosso número followed by its DV: boleto 1
    with DV 2 is "…12" in the file. With a dozen boletos in the account there is a boleto 12
    too; the record still pays boleto 1, and boleto 12's own record ("…12" + its DV) pays 12."""
    accounts = ("santander", "bradesco", "itau", "sicoob")
    ws, boletos = setup(accounts, per_account=20)
    with ws:
        expected = []
        for nsa, account in enumerate(accounts, start=1):
            docs = boletos[account]
            digits, dv = digits_dv(docs[0])
            twin = [d for d in docs if digits_dv(d)[0].lstrip("0") == digits.lstrip("0") + dv]
            assert len(twin) == 1, (account, docs[0]["nosso_numero_display"])  # 20 boletos: 1 + DV is among them
            chosen = [docs[0], twin[0]]
            name = f"{account}.ret"
            ws.write(name, retorno(account, [title(d, BANKS[account]["paid"], cents(d["amount"])) for d in chosen],
                                   nsa))
            expected += [(name, d["invoice"], "applied") for d in chosen]
        r = ws.run("reconcile", *(f"{a}.ret" for a in accounts), "--date", RECONCILE)
        assert r.code == 0, r
        payments, run = reconcile_docs(r)
        assert [(p["source"], p["invoice"], p["status"]) for p in payments] == expected, payments
        paid = {invoice for _, invoice, _ in expected}
        for docs in boletos.values():
            for d in docs:
                want = ("paid", 0) if d["invoice"] in paid else ("issued", cents(d["amount"]))
                assert invoice_state(ws, d["invoice"]) == want, (d["invoice"], d["nosso_numero_display"])
        assert ws.query("SELECT count(*) FROM customer_credits") == [(0,)]


if __name__ == "__main__":
    main()
