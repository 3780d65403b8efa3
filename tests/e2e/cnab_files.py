"""CNAB files as banks write them, for the tests that reconcile them."""


def field(n, width):
    return str(n).rjust(width, "0")[-width:]


def text(s, width):
    return s.ljust(width)[:width]


def record(parts, width=240):
    line = "".join(parts)
    assert len(line) <= width, len(line)
    return line.ljust(width)


def retorno_240(bank, titles, company="11222333000181", nsa=1):
    """A FEBRABAN CNAB 240 retorno: header, lote header, T+U per title, trailers.
    titles: dicts with nosso, occurrence, due (DDMMAAAA), amount, paid, interest, fee, date."""
    lines = [record([bank, "0000", "0", " " * 9, "2", field(company, 14), " " * 20, " " * 20, " " * 30,
                     text("BANCO", 30), " " * 10, "2", "01122026", "120000", field(nsa, 6), "083"])]
    lines.append(record([bank, "0001", "1", "T", "01", "  ", "040", " ", "2", field(company, 15)]))
    seq = 0
    for t in titles:
        seq += 1
        lines.append(record([bank, "0001", "3", field(seq, 5), "T", " ", t["occurrence"], " " * 20,
                             text(t["nosso"], 20), "1", text(t.get("seu", ""), 15), t["due"], field(t["amount"], 15),
                             bank, "00000", " ", " " * 25, "00", "2", field("11144477735", 15), text("PAGADOR", 40),
                             " " * 10, field(t.get("fee", 0), 15), text(t.get("reasons", ""), 10)]))
        seq += 1
        lines.append(record([bank, "0001", "3", field(seq, 5), "U", " ", t["occurrence"], field(t.get("interest", 0), 15),
                             field(0, 15), field(0, 15), field(0, 15), field(t["paid"], 15), field(t["paid"], 15),
                             field(0, 15), field(0, 15), t["date"], t["date"]]))
    lines.append(record([bank, "0001", "5", " " * 9, field(len(titles) * 2 + 2, 6)]))
    lines.append(record([bank, "9999", "9", " " * 9, "000001", field(len(lines) + 1, 6)]))
    return ("\r\n".join(lines) + "\r\n").encode("ascii")
