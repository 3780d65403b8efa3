#include "fields.hpp"

#include <fmt/format.h>

namespace billrun::ledger {

namespace {

std::string opt_money(const std::optional<Centavos>& value)
{
    return value ? format_money(*value) : std::string();
}

std::string opt_rate(const std::optional<Rate>& value)
{
    return value ? format_rate(*value) : std::string();
}

std::string yes_no(bool value)
{
    return value ? "yes" : "no";
}

}  // namespace

FieldList fields_of(const Customer& r)
{
    return {{"name", r.name},
            {"tax_id", r.tax_id},
            {"email", r.email},
            {"phone", r.phone},
            {"street", r.street},
            {"number", r.number},
            {"complement", r.complement},
            {"district", r.district},
            {"city", r.city},
            {"city_code", r.city_code},
            {"state", r.state},
            {"zip", r.zip},
            {"municipal_registration", r.municipal_registration},
            {"iss_withheld", yes_no(r.iss_withheld)},
            {"owner", r.owner}};
}

FieldList fields_of(const Service& r)
{
    return {{"description", r.description},
            {"unit_price", opt_money(r.unit_price)},
            {"service_code", r.service_code},
            {"iss_rate", opt_rate(r.iss_rate)}};
}

FieldList fields_of(const Contract& r)
{
    FieldList fields{{"customer", r.customer},
                     {"start", r.start.iso()},
                     {"start_time", r.start_time},
                     {"end", r.end ? r.end->iso() : std::string()},
                     {"cycle", r.cycle},
                     {"billing", r.billing},
                     {"due_days", r.due_days ? std::to_string(*r.due_days) : std::string()},
                     {"due_day", r.due_day ? std::to_string(*r.due_day) : std::string()},
                     {"series", r.series},
                     {"payment_method", r.payment_method},
                     {"auto_send", yes_no(r.auto_send)},
                     {"template", r.template_name},
                     {"bank_account", r.bank_account},
                     {"iss_withheld", r.iss_withheld ? yes_no(*r.iss_withheld) : std::string()}};
    std::string items;
    for (const auto& item : r.items) {
        if (!items.empty()) {
            items += ", ";
        }
        items += fmt::format("{} x{}", item.service, format_quantity(item.quantity));
        if (item.price) {
            items += fmt::format(" @{}", format_money(*item.price));
        }
    }
    fields.emplace_back("items", std::move(items));
    return fields;
}

std::int64_t content_hash(const FieldList& fields)
{
    std::uint64_t hash = 14695981039346656037ULL;
    auto mix = [&hash](unsigned char byte) {
        hash ^= byte;
        hash *= 1099511628211ULL;
    };
    for (const auto& [name, value] : fields) {
        for (char c : value) {
            mix(static_cast<unsigned char>(c));
        }
        mix(0x1f);
    }
    return static_cast<std::int64_t>(hash);
}

std::vector<std::string> diff_fields(const FieldList& before, const FieldList& after)
{
    std::vector<std::string> changes;
    for (std::size_t i = 0; i < after.size() && i < before.size(); ++i) {
        if (before[i].second != after[i].second) {
            changes.push_back(fmt::format("{}: '{}' -> '{}'", after[i].first, before[i].second,
                                          after[i].second));
        }
    }
    return changes;
}

std::string join_changes(const std::vector<std::string>& changes)
{
    return fmt::format("{}", fmt::join(changes, "; "));
}

}  // namespace billrun::ledger
