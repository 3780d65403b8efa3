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
