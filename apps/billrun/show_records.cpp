#include "show_records.hpp"

#include <charconv>
#include <functional>

#include <fmt/format.h>

#include <billrun/core/money.hpp>
#include <billrun/ledger/billing.hpp>
#include <billrun/ledger/lookup.hpp>

namespace billrun::app {

namespace {

io::Value text_or_null(const std::string& text)
{
    return text.empty() ? io::Value() : io::Value(text);
}

// The events of a record that `keep` accepts, as history entries.
Result<io::List> history_of(ledger::Ledger& ledger, std::string_view entity, const std::string& id,
                            const std::function<bool(const ledger::Event&)>& keep)
{
    auto events = ledger::events_for(ledger, entity, id);
    if (!events) {
        return tl::unexpected(events.error());
    }
    io::List history;
    for (const auto& e : *events) {
        if (keep(e)) {
            history.emplace_back(history_entry(e));
        }
    }
    return history;
}

bool every_event(const ledger::Event&)
{
    return true;
}

Result<std::optional<io::Map>> show_run(ledger::Ledger& ledger, const std::string& id)
{
    auto key = ledger::key_of(id);
    auto found = key ? ledger::find_run(ledger, *key) : Result<std::optional<ledger::RunRecord>>();
    if (!found || !*found) {
        return found ? Result<std::optional<io::Map>>() : tl::unexpected(found.error());
    }
    const auto& run = (*found)->run;
    auto counted = ledger::events_of_run(ledger, run.id);
    if (!counted) {
        return tl::unexpected(counted.error());
    }
    io::Map counts;
    for (const auto& [name, value] : (*found)->counts) {
        counts.emplace_back(name, value);
    }
    io::List events;
    for (const auto& e : *counted) {
        events.emplace_back(io::Map{{"entity", e.entity}, {"action", e.action}, {"count", e.count}, {"first", e.first}});
    }
    return io::Map{{"kind", "run"},
                   {"version", 1},
                   {"id", run.id},
                   {"command", run.command},
                   {"business_date", run.business_date},
                   {"started", run.started},
                   {"finished", run.finished ? io::Value(*run.finished) : io::Value()},
                   {"status", run.status},
                   {"counts", std::move(counts)},
                   {"events", std::move(events)}};
}

Result<std::optional<io::Map>> show_payment(ledger::Ledger& ledger, const std::string& id)
{
    auto found = ledger::find_payment(ledger, id);
    if (!found || !*found) {
        return found ? Result<std::optional<io::Map>>() : tl::unexpected(found.error());
    }
    const auto& r = **found;
    const auto& p = r.payment;
    io::List history;
    if (p.invoice) {
        // apply_payment's event on the invoice names the payment by its key.
        auto prefix = fmt::format("payment {} of ", r.key);
        auto entries = history_of(ledger, "invoice", std::to_string(*p.invoice),
                                  [&](const ledger::Event& e) { return e.detail.starts_with(prefix); });
        if (!entries) {
            return tl::unexpected(entries.error());
        }
        history = std::move(*entries);
    }
    if (p.boleto) {
        auto entries = history_of(ledger, "boleto", std::to_string(*p.boleto),
                                  [&](const ledger::Event& e) { return e.run == r.run && e.action == p.status; });
        if (!entries) {
            return tl::unexpected(entries.error());
        }
        history.insert(history.end(), entries->begin(), entries->end());
    }
    return io::Map{{"kind", "payment"},
                   {"version", 1},
                   {"key", r.key},
                   {"source", p.source},
                   {"record", p.record},
                   {"source_key", p.source_key},
                   {"invoice", text_or_null(r.invoice_id)},
                   {"nosso_numero", text_or_null(p.nosso_numero)},
                   {"date", p.date.iso()},
                   {"amount", io::Value::money(p.amount)},
                   {"interest", io::Value::money(p.interest)},
                   {"fine", io::Value::money(p.fine)},
                   {"fee", io::Value::money(p.fee)},
                   {"credit_date", p.credit_date ? io::Value(p.credit_date->iso()) : io::Value()},
                   {"status", p.status},
                   {"reason", text_or_null(p.reason)},
                   {"run", r.run},
                   {"history", std::move(history)}};
}

Result<std::optional<ledger::ReminderRecord>> find_reminder(ledger::Ledger& ledger, const std::string& id)
{
    auto colon = id.rfind(':');
    if (colon == std::string::npos) {
        auto key = ledger::key_of(id);
        return key ? ledger::find_reminder(ledger, *key) : Result<std::optional<ledger::ReminderRecord>>();
    }
    int step = 0;
    auto text = std::string_view(id).substr(colon + 1);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), step);
    auto invoice = ledger::find_invoice_by_reference(ledger, std::string_view(id).substr(0, colon));
    if (!invoice || !*invoice || ec != std::errc() || end != text.data() + text.size()) {
        return invoice ? Result<std::optional<ledger::ReminderRecord>>() : tl::unexpected(invoice.error());
    }
    return ledger::find_reminder_of(ledger, (*invoice)->key, step);
}

Result<std::optional<io::Map>> show_reminder(ledger::Ledger& ledger, const std::string& id)
{
    auto found = find_reminder(ledger, id);
    if (!found || !*found) {
        return found ? Result<std::optional<io::Map>>() : tl::unexpected(found.error());
    }
    const auto& r = **found;
    const auto& m = r.reminder;
    // remind's events on the invoice name the step: "step -3 (reminder, email): ...", or, for a
    // step skipped with the outcome of a later one, "step 1 (...): ...; skipped step -3 (...)".
    auto prefix = fmt::format("step {} (", m.step);
    auto skipped = "; skipped " + prefix;
    auto history = history_of(ledger, "invoice", std::to_string(m.invoice), [&](const ledger::Event& e) {
        return (e.action == "reminded" || e.action.starts_with("reminder-")) &&
               (e.detail.starts_with(prefix) || e.detail.find(skipped) != std::string::npos);
    });
    if (!history) {
        return tl::unexpected(history.error());
    }
    return io::Map{{"kind", "reminder"},
                   {"version", 1},
                   {"key", r.key},
                   {"invoice", r.invoice_id},
                   {"step", m.step},
                   {"action", m.action},
                   {"channel", m.channel},
                   {"status", m.status},
                   {"business_date", m.business_date.iso()},
                   {"amount_due", io::Value::money(m.amount_due)},
                   {"fine", io::Value::money(m.fine)},
                   {"interest", io::Value::money(m.interest)},
                   {"message", text_or_null(m.message)},
                   {"error", text_or_null(m.error)},
                   {"attempts", r.attempts},
                   {"run", r.run},
                   {"history", std::move(*history)}};
}

Result<std::optional<io::Map>> show_charge(ledger::Ledger& ledger, const std::string& id)
{
    auto found = ledger::find_charge(ledger, id);
    if (!found || !*found) {
        return found ? Result<std::optional<io::Map>>() : tl::unexpected(found.error());
    }
    const auto& c = (*found)->charge;
    auto history = history_of(ledger, "charge", c.id, every_event);
    if (!history) {
        return tl::unexpected(history.error());
    }
    io::Value invoice;
    if ((*found)->invoice) {
        invoice = (*found)->invoice_id.empty() ? io::Value(std::to_string(*(*found)->invoice))
                                               : io::Value((*found)->invoice_id);
    }
    return io::Map{{"kind", "charge"},
                   {"id", c.id},
                   {"customer", c.customer},
                   {"contract", text_or_null(c.contract)},
                   {"date", c.date.iso()},
                   {"service", c.service},
                   {"quantity", format_quantity(c.quantity)},
                   {"price", c.price ? io::Value::money(*c.price) : io::Value()},
                   {"description", c.description},
                   {"invoice", std::move(invoice)},
                   {"history", std::move(*history)}};
}

Result<std::optional<io::Map>> show_remessa(ledger::Ledger& ledger, const std::string& id)
{
    auto found = ledger::find_remessa(ledger, id);
    if (!found || !*found) {
        return found ? Result<std::optional<io::Map>>() : tl::unexpected(found.error());
    }
    const auto& r = (*found)->remessa;
    auto history = history_of(ledger, "remessa", std::to_string(r.key), every_event);
    if (!history) {
        return tl::unexpected(history.error());
    }
    return io::Map{{"kind", "remessa"},
                   {"key", r.key},
                   {"account", r.account},
                   {"sequence", r.sequence},
                   {"layout", r.layout},
                   {"path", r.path},
                   {"generated", r.generated},
                   {"titles", r.titles},
                   {"status", r.status},
                   {"run", (*found)->run},
                   {"history", std::move(*history)}};
}

}  // namespace

io::Map history_entry(const ledger::Event& e)
{
    io::Map entry{{"at", e.at}, {"run", e.run}, {"command", e.command}, {"action", e.action}};
    if (!e.detail.empty()) {
        entry.emplace_back("detail", e.detail);
    }
    return entry;
}

bool is_record_kind(std::string_view kind)
{
    return kind == "run" || kind == "payment" || kind == "reminder" || kind == "charge" || kind == "remessa";
}

Result<std::optional<io::Map>> show_record(ledger::Ledger& ledger, std::string_view kind, const std::string& id)
{
    if (kind == "run") {
        return show_run(ledger, id);
    }
    if (kind == "payment") {
        return show_payment(ledger, id);
    }
    if (kind == "reminder") {
        return show_reminder(ledger, id);
    }
    if (kind == "charge") {
        return show_charge(ledger, id);
    }
    return show_remessa(ledger, id);
}

}  // namespace billrun::app
