// billrun show KIND ID: one record, whole, with its history from the event table.
#include <fmt/format.h>

#include <billrun/billing/cycle.hpp>
#include <billrun/boleto/issue.hpp>
#include <billrun/ledger/boletos.hpp>
#include <billrun/core/tax_id.hpp>
#include <billrun/ledger/billing.hpp>
#include <billrun/ledger/cancel.hpp>
#include <billrun/ledger/lookup.hpp>
#include <billrun/ledger/nfse.hpp>
#include <billrun/nfse/cancel.hpp>
#include <billrun/nfse/event.hpp>

#include "app.hpp"
#include "show_records.hpp"

namespace billrun::app {

namespace {

struct ShowCommand {
    std::string kind;
    std::string id;
};

std::string formatted_tax_id(const std::string& value)
{
    TaxId id{value.size() == 11 ? TaxIdKind::cpf : TaxIdKind::cnpj, value};
    return format_tax_id(id);
}

io::Value optional_money(const std::optional<Centavos>& value)
{
    return value ? io::Value::money(*value) : io::Value();
}

io::Map customer_document(const ledger::Customer& c)
{
    return {{"kind", "customer"},
            {"id", c.id},
            {"name", c.name},
            {"tax_id", formatted_tax_id(c.tax_id)},
            {"email", c.email},
            {"phone", c.phone},
            {"address", io::Map{{"street", c.street},
                                {"number", c.number},
                                {"complement", c.complement},
                                {"district", c.district},
                                {"city", c.city},
                                {"city_code", c.city_code},
                                {"state", c.state},
                                {"zip", c.zip}}},
            {"municipal_registration", c.municipal_registration},
            {"iss_withheld", c.iss_withheld},
            {"owner", c.owner}};
}

io::Map service_document(const ledger::Service& s)
{
    return {{"kind", "service"},
            {"id", s.id},
            {"description", s.description},
            {"unit_price", optional_money(s.unit_price)},
            {"service_code", s.service_code},
            {"iss_rate", s.iss_rate ? io::Value(format_rate(*s.iss_rate)) : io::Value()}};
}

io::Map contract_document(const ledger::Contract& c)
{
    io::List items;
    for (const auto& item : c.items) {
        items.emplace_back(io::Map{{"service", item.service},
                                   {"quantity", format_quantity(item.quantity)},
                                   {"price", optional_money(item.price)}});
    }
    io::Map due;
    if (c.due_days) {
        due.emplace_back("days_after_issue", *c.due_days);
    }
    if (c.due_day) {
        due.emplace_back("day_of_month", *c.due_day);
    }
    return {{"kind", "contract"},
            {"id", c.id},
            {"customer", c.customer},
            {"items", std::move(items)},
            {"start", c.start.iso()},
            {"end", c.end ? io::Value(c.end->iso()) : io::Value()},
            {"cycle", c.cycle},
            {"billing", c.billing},
            {"due", std::move(due)},
            {"series", c.series},
            {"payment_method", c.payment_method},
            {"auto_send", c.auto_send},
            {"template", c.template_name},
            {"bank_account", c.bank_account},
            {"iss_withheld", c.iss_withheld ? io::Value(*c.iss_withheld) : io::Value()}};
}

// An NFS-e by its invoice's id or key, its DPS Id or its access key.
Result<std::optional<io::Map>> find_nfse_document(ledger::Ledger& ledger, std::string& id)
{
    auto row = ledger::find_nfse(ledger, id);
    if (row && !*row) {
        auto invoice = ledger::find_invoice_by_reference(ledger, id);
        if (!invoice) {
            return tl::unexpected(invoice.error());
        }
        row = *invoice ? ledger::nfse_of_invoice(ledger, (*invoice)->key) : row;
    }
    if (!row) {
        return tl::unexpected(row.error());
    }
    if (!*row) {
        return std::optional<io::Map>();
    }
    auto event = ledger::nfse_event(ledger, (*row)->key, nfse::k_event_cancel);
    if (!event) {
        return tl::unexpected(event.error());
    }
    id = std::to_string((*row)->invoice);  // its events are the invoice's
    return std::optional<io::Map>(nfse::nfse_full_document(**row, *event, false));
}

// The events an NFS-e's history shows, of those of its invoice.
bool nfse_action(const std::string& action)
{
    return action.starts_with("dps-") || action.starts_with("nfse-");
}

Result<std::optional<io::Map>> find_document(ledger::Ledger& ledger, const std::string& kind, std::string& id)
{
    if (kind == "nfse") {
        return find_nfse_document(ledger, id);
    }
    if (kind == "boleto") {
        auto found = ledger::find_boleto(ledger, id);
        if (!found) {
            return tl::unexpected(found.error());
        }
        if (!*found) {
            return std::optional<io::Map>();
        }
        id = std::to_string((*found)->key);
        return std::optional<io::Map>(boleto::boleto_document(**found));
    }
    if (kind == "invoice") {
        auto found = ledger::find_invoice_by_reference(ledger, id);
        if (!found) {
            return tl::unexpected(found.error());
        }
        if (!*found) {
            return std::optional<io::Map>();
        }
        id = std::to_string((*found)->key);  // the events name invoices by key
        return std::optional<io::Map>(billing::invoice_document(**found));
    }
    if (kind == "customer") {
        auto found = ledger::find_customer(ledger, id);
        if (!found) {
            return tl::unexpected(found.error());
        }
        return *found ? std::optional<io::Map>(customer_document(**found)) : std::nullopt;
    }
    if (kind == "service") {
        auto found = ledger::find_service(ledger, id);
        if (!found) {
            return tl::unexpected(found.error());
        }
        return *found ? std::optional<io::Map>(service_document(**found)) : std::nullopt;
    }
    auto found = ledger::find_contract(ledger, id);
    if (!found) {
        return tl::unexpected(found.error());
    }
    return *found ? std::optional<io::Map>(contract_document(**found)) : std::nullopt;
}

constexpr std::string_view k_kinds =
    "customer, service, contract, charge, invoice, boleto, nfse, remessa, payment, reminder or run";

// The record with its history: master data, invoices, boletos and NFS-e here, the rest in
// show_records.
Result<std::optional<io::Map>> find_shown(ledger::Ledger& ledger, const std::string& kind, const std::string& id)
{
    if (is_record_kind(kind)) {
        return show_record(ledger, kind, id);
    }
    std::string event_id = id;
    auto doc = find_document(ledger, kind, event_id);
    if (!doc || !*doc) {
        return doc;
    }
    auto events = ledger::events_for(ledger, kind == "nfse" ? "invoice" : kind, event_id);
    if (!events) {
        return tl::unexpected(events.error());
    }
    io::List history;
    for (const auto& e : *events) {
        if (kind != "nfse" || nfse_action(e.action)) {
            history.emplace_back(history_entry(e));
        }
    }
    (*doc)->emplace_back("history", std::move(history));
    return doc;
}

Result<int> run_show(AppContext& ctx, const ShowCommand& cmd)
{
    std::string kind = cmd.kind;
    if (kind.ends_with("s")) {
        kind.pop_back();
    }
    if (kind != "customer" && kind != "service" && kind != "contract" && kind != "invoice" && kind != "boleto" &&
        kind != "nfse" && !is_record_kind(kind)) {
        return fail(ErrorCode::usage, fmt::format("cannot show '{}': expected {}", cmd.kind, k_kinds));
    }
    auto format = ctx.format(io::Format::yaml);
    if (!format) {
        return tl::unexpected(format.error());
    }
    auto ledger = ctx.open_ledger();
    if (!ledger) {
        return tl::unexpected(ledger.error());
    }
    auto doc = find_shown(**ledger, kind, cmd.id);
    if (!doc) {
        return tl::unexpected(doc.error());
    }
    if (!*doc) {
        return fail(ErrorCode::data_invalid, fmt::format("no {} with id '{}' in {}", kind, cmd.id, ctx.ledger_path()));
    }
    auto out = ctx.out();
    if (!out) {
        return tl::unexpected(out.error());
    }
    ctx.write_document(**out, *format, **doc);
    return 0;
}

}  // namespace

void setup_show(CLI::App& app, AppContext& ctx)
{
    auto cmd = std::make_shared<ShowCommand>();
    auto* sub = app.add_subcommand("show", "Show one record of the ledger, whole, with its history");
    sub->add_option("KIND", cmd->kind,
                    "customer | service | contract | charge | invoice | boleto | nfse | remessa | payment | reminder | run")
        ->required();
    sub->add_option("ID", cmd->id,
                    "The record's id (an invoice or boleto: A-000123, or its key; a boleto also by nosso numero; an nfse "
                    "also by DPS Id or access key; a payment, reminder, remessa or run: its key; a reminder also "
                    "INVOICE:STEP, a remessa ACCOUNT:SEQUENCE)")
        ->required();
    sub->callback([&ctx, cmd] { ctx.action = [&ctx, cmd] { return run_show(ctx, *cmd); }; });
}

}  // namespace billrun::app
