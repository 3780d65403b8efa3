// The documents issue-boleto prints (SPEC §12): a boleto, and the run's summary.
#include <fmt/format.h>

#include <billrun/boleto/issue.hpp>
#include <billrun/io/document.hpp>

namespace billrun::boleto {

io::Map boleto_document(const ledger::Boleto& b)
{
    io::Map doc{{"kind", "boleto"},
                {"version", 1},
                {"invoice", b.invoice_id},
                {"bank", b.bank},
                {"account", b.account},
                {"nosso_numero", b.nosso_numero + b.nosso_numero_dv},
                {"nosso_numero_display", b.nosso_numero_display},
                {"issue_date", b.issue_date.iso()},
                {"due_date", b.due_date.iso()},
                {"amount", io::Value::money(b.amount)},
                {"fine_percent", format_rate(b.fine_percent)},
                {"interest_per_day", io::Value::money(b.interest_per_day)},
                {"barcode", b.barcode},
                {"linha_digitavel", b.linha_digitavel}};
    if (!b.pix.empty()) {
        doc.emplace_back("pix", b.pix);
    }
    if (!b.registration.empty()) {
        doc.emplace_back("registration", b.registration);
    }
    doc.emplace_back("pdf", b.pdf.empty() ? io::Value() : io::Value(b.pdf));
    doc.emplace_back("remessa", b.remessa_path.empty() ? io::Value() : io::Value(b.remessa_path));
    doc.emplace_back("key", b.key);
    return doc;
}

// issue-boleto writes a million of these: building the io::Map (two dozen strings and
// variants) and walking it cost more than the text itself.
void append_boleto_yaml(std::string& text, const ledger::Boleto& b)
{
    const auto scalar = [&text](std::string_view key, std::string_view value) {
        text += key;
        io::append_yaml_scalar(text, value);
        text += '\n';
    };
    text += "---\nkind: boleto\nversion: 1\n";
    scalar("invoice: ", b.invoice_id);
    scalar("bank: ", b.bank);
    scalar("account: ", b.account);
    thread_local std::string nosso;
    nosso.assign(b.nosso_numero).append(b.nosso_numero_dv);
    scalar("nosso_numero: ", nosso);
    scalar("nosso_numero_display: ", b.nosso_numero_display);
    scalar("issue_date: ", b.issue_date.iso());
    scalar("due_date: ", b.due_date.iso());
    scalar("amount: ", format_money(b.amount));
    scalar("fine_percent: ", format_rate(b.fine_percent));
    scalar("interest_per_day: ", format_money(b.interest_per_day));
    scalar("barcode: ", b.barcode);
    scalar("linha_digitavel: ", b.linha_digitavel);
    if (!b.pix.empty()) {
        scalar("pix: ", b.pix);
    }
    if (!b.registration.empty()) {
        scalar("registration: ", b.registration);
    }
    const auto nullable = [&](std::string_view key, const std::string& value) {
        if (value.empty()) {
            text += key;
            text += "null\n";
        } else {
            scalar(key, value);
        }
    };
    nullable("pdf: ", b.pdf);
    nullable("remessa: ", b.remessa_path);
    const auto key = fmt::format_int(b.key);
    text += "key: ";
    text.append(key.data(), key.size());
    text += '\n';
}

io::Map issue_run_document(const IssueSummary& s, const RunContext& ctx)
{
    io::List remessas;
    for (const auto& path : s.remessas) {
        remessas.emplace_back(path);
    }
    io::List set_aside;
    for (const auto& item : s.set_aside) {
        set_aside.emplace_back(io::Map{{"invoice", item.invoice}, {"reason", item.reason}});
    }
    return io::Map{{"kind", "run"},
                   {"version", 1},
                   {"command", "issue-boleto"},
                   {"run", s.run == 0 ? io::Value() : io::Value(s.run)},
                   {"business_date", ctx.business_date.iso()},
                   {"started", s.started},
                   {"finished", s.finished},
                   {"dry_run", ctx.dry_run},
                   {"counts", io::Map{{"boletos", s.issued},
                                      {"registered", s.registered},
                                      {"pdfs", s.pdfs},
                                      {"remessas", static_cast<std::int64_t>(s.remessas.size())},
                                      {"write_offs", s.write_offs},
                                      {"set_aside", static_cast<std::int64_t>(s.set_aside.size())}}},
                   {"remessas", std::move(remessas)},
                   {"set_aside", std::move(set_aside)}};
}

}  // namespace billrun::boleto
