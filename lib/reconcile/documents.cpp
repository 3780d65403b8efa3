// The documents reconcile prints (SPEC §12): a payment, and the run's summary.
#include <billrun/reconcile/reconcile.hpp>

namespace billrun::reconcile {

io::Map payment_document(const PaymentOutcome& outcome)
{
    const ledger::Payment& p = outcome.payment;
    const std::string& status = outcome.status;
    const std::string& invoice_id = outcome.invoice_id;
    io::Map doc{{"kind", "payment"},
                {"version", 1},
                {"source", p.source},
                {"record", p.record},
                {"invoice", invoice_id.empty() ? io::Value() : io::Value(invoice_id)},
                {"nosso_numero", p.nosso_numero.empty() ? io::Value() : io::Value(p.nosso_numero)},
                {"date", p.date.iso()},
                {"amount", io::Value::money(p.amount)},
                {"interest", io::Value::money(p.interest)},
                {"fine", io::Value::money(p.fine)},
                {"fee", io::Value::money(p.fee)},
                {"status", status},
                {"reason", p.reason.empty() ? io::Value() : io::Value(p.reason)}};
    if (p.credit_date) {
        doc.emplace_back("credit_date", p.credit_date->iso());
    }
    return doc;
}

io::Map reconcile_run_document(const Summary& s, const RunContext& ctx)
{
    io::List skipped;
    for (const auto& name : s.skipped) {
        skipped.emplace_back(name);
    }
    const Counts& c = s.counts;
    return io::Map{{"kind", "run"},
                   {"version", 1},
                   {"command", "reconcile"},
                   {"run", s.run == 0 ? io::Value() : io::Value(s.run)},
                   {"business_date", ctx.business_date.iso()},
                   {"started", s.started},
                   {"finished", s.finished},
                   {"dry_run", ctx.dry_run},
                   {"counts", io::Map{{"matched", c.applied},
                                      {"confirmed", c.confirmed},
                                      {"written_off", c.written_off},
                                      {"unmatched", c.unmatched},
                                      {"ambiguous", c.ambiguous},
                                      {"rejected", c.rejected},
                                      {"duplicate", c.duplicate},
                                      {"ignored", c.ignored},
                                      {"files", c.files},
                                      {"files_skipped", c.files_skipped}}},
                   {"skipped", std::move(skipped)}};
}

}  // namespace billrun::reconcile
