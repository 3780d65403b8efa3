// The invoice and run documents of SPEC §12.
#include <billrun/billing/cycle.hpp>

#include <fmt/format.h>

namespace billrun::billing {

io::Map invoice_document(const ledger::Invoice& inv, bool provisional)
{
    io::List lines;
    for (const auto& l : inv.lines) {
        io::Map line{{"service", l.service},
                     {"description", l.description},
                     {"quantity", format_quantity(l.quantity)},
                     {"unit_price", io::Value::money(l.unit_price)},
                     {"amount", io::Value::money(l.amount)},
                     {"iss_rate", format_rate(l.iss_rate)}};
        if (!l.charge.empty()) {
            line.emplace_back("charge", l.charge);
        }
        lines.emplace_back(std::move(line));
    }
    io::Map period;
    if (inv.period_start && inv.period_end) {
        period = io::Map{{"start", inv.period_start->iso()}, {"end", inv.period_end->iso()}};
    }
    std::string id = inv.display_id();
    io::Map doc{{"kind", "invoice"},
                {"version", 1},
                {"id", id.empty() ? io::Value() : io::Value(id)},
                {"series", inv.series},
                {"number", inv.number ? io::Value(*inv.number) : io::Value()},
                {"status", inv.status},
                {"customer", inv.customer},
                {"contract", inv.contract.empty() ? io::Value() : io::Value(inv.contract)},
                {"period", period.empty() ? io::Value() : io::Value(std::move(period))},
                {"issue_date", inv.issue_date.iso()},
                {"due_date", inv.due_date.iso()},
                {"currency", "BRL"},
                {"lines", std::move(lines)},
                {"totals", io::Map{{"gross", io::Value::money(inv.gross)},
                                   {"iss", io::Value::money(inv.iss)},
                                   {"withheld", io::Value::money(inv.withheld)},
                                   {"net", io::Value::money(inv.net)}}},
                {"withholding", io::Map{{"iss_withheld", inv.iss_withheld},
                                        {"pis", io::Value::money(inv.pis)},
                                        {"cofins", io::Value::money(inv.cofins)},
                                        {"csll", io::Value::money(inv.csll)},
                                        {"irrf", io::Value::money(inv.irrf)},
                                        {"inss", io::Value::money(inv.inss)}}},
                {"payment_method", inv.payment_method},
                {"bank_account", inv.bank_account},
                {"balance", io::Value::money(inv.balance)},
                {"key", inv.key}};
    if (provisional) {
        doc.emplace_back("provisional", true);
    }
    return doc;
}

namespace {

void money_field(std::string& out, std::string_view indent_key, Centavos value)
{
    out += indent_key;
    out += ": \"";
    append_money(out, value);
    out += "\"\n";
}

void int_field(std::string& out, std::string_view key, std::int64_t value)
{
    const auto digits = fmt::format_int(value);
    out += key;
    out += ": ";
    out.append(digits.data(), digits.size());
    out += '\n';
}

void text_field(std::string& out, std::string_view indent_key, std::string_view value)
{
    out += indent_key;
    out += ": ";
    io::append_yaml_scalar(out, value);
    out += '\n';
}

}  // namespace

void append_invoice_yaml(std::string& out, const ledger::Invoice& inv, bool provisional)
{
    out += "---\nkind: invoice\nversion: 1\n";
    if (inv.number) {
        text_field(out, "id", inv.display_id());
    } else {
        out += "id: null\n";
    }
    text_field(out, "series", inv.series);
    if (inv.number) {
        int_field(out, "number", *inv.number);
    } else {
        out += "number: null\n";
    }
    text_field(out, "status", inv.status);
    text_field(out, "customer", inv.customer);
    if (inv.contract.empty()) {
        out += "contract: null\n";
    } else {
        text_field(out, "contract", inv.contract);
    }
    if (inv.period_start && inv.period_end) {
        out += "period:\n  start: \"";
        inv.period_start->append_iso(out);
        out += "\"\n  end: \"";
        inv.period_end->append_iso(out);
        out += "\"\n";
    } else {
        out += "period: null\n";
    }
    out += "issue_date: \"";
    inv.issue_date.append_iso(out);
    out += "\"\ndue_date: \"";
    inv.due_date.append_iso(out);
    out += "\"\ncurrency: BRL\n";
    if (inv.lines.empty()) {
        out += "lines: []\n";
    } else {
        out += "lines:\n";
        for (const auto& l : inv.lines) {
            text_field(out, "  - service", l.service);
            text_field(out, "    description", l.description);
            text_field(out, "    quantity", format_quantity(l.quantity));
            money_field(out, "    unit_price", l.unit_price);
            money_field(out, "    amount", l.amount);
            text_field(out, "    iss_rate", format_rate(l.iss_rate));
            if (!l.charge.empty()) {
                text_field(out, "    charge", l.charge);
            }
        }
    }
    out += "totals:\n";
    money_field(out, "  gross", inv.gross);
    money_field(out, "  iss", inv.iss);
    money_field(out, "  withheld", inv.withheld);
    money_field(out, "  net", inv.net);
    out += inv.iss_withheld ? "withholding:\n  iss_withheld: true\n" : "withholding:\n  iss_withheld: false\n";
    money_field(out, "  pis", inv.pis);
    money_field(out, "  cofins", inv.cofins);
    money_field(out, "  csll", inv.csll);
    money_field(out, "  irrf", inv.irrf);
    money_field(out, "  inss", inv.inss);
    text_field(out, "payment_method", inv.payment_method);
    text_field(out, "bank_account", inv.bank_account);
    money_field(out, "balance", inv.balance);
    int_field(out, "key", inv.key);
    if (provisional) {
        out += "provisional: true\n";
    }
}

io::Map cycle_run_document(const CycleSummary& s, const RunContext& ctx, const std::string& command)
{
    io::List set_aside;
    for (const auto& item : s.set_aside) {
        set_aside.emplace_back(io::Map{{"contract", item.contract}, {"reason", item.reason}});
    }
    return io::Map{{"kind", "run"},
                   {"version", 1},
                   {"command", command},
                   {"run", s.run == 0 ? io::Value() : io::Value(s.run)},
                   {"business_date", ctx.business_date.iso()},
                   {"started", s.started},
                   {"finished", s.finished},
                   {"dry_run", ctx.dry_run},
                   {"counts", io::Map{{"contracts", s.contracts},
                                      {"invoices", s.invoices},
                                      {"drafts", s.drafts},
                                      {"charges", s.charges},
                                      {"set_aside", static_cast<std::int64_t>(s.set_aside.size())}}},
                   {"totals", io::Map{{"gross", io::Value::money(s.gross)}, {"net", io::Value::money(s.net)}}},
                   {"set_aside", std::move(set_aside)}};
}

}  // namespace billrun::billing
