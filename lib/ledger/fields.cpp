#include "fields.hpp"

#include <cstring>

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

namespace {

class Fnv {
public:
    void add(std::string_view value)
    {
        // Eight bytes a step, then the tail byte by byte, then the length as a separator.
        std::size_t i = 0;
        for (; i + 8 <= value.size(); i += 8) {
            std::uint64_t word = 0;
            std::memcpy(&word, value.data() + i, 8);
            mix64(word);
        }
        for (; i < value.size(); ++i) {
            mix64(static_cast<unsigned char>(value[i]));
        }
        mix64(0x1f00 + value.size());
    }
    std::int64_t value() const { return static_cast<std::int64_t>(m_hash); }

private:
    void mix64(std::uint64_t word)
    {
        m_hash ^= word;
        m_hash *= 1099511628211ULL;
        m_hash ^= m_hash >> 29;
    }
    std::uint64_t m_hash = 14695981039346656037ULL;
};

}  // namespace

std::int64_t content_hash(const Customer& r)
{
    Fnv h;
    for (const std::string* s : {&r.name, &r.tax_id, &r.email, &r.phone, &r.street, &r.number, &r.complement,
                                 &r.district, &r.city, &r.city_code, &r.state, &r.zip, &r.municipal_registration}) {
        h.add(*s);
    }
    h.add(r.iss_withheld ? "yes" : "no");
    h.add(r.owner);
    return h.value();
}

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
    Fnv h;
    for (const auto& field : fields) {
        h.add(field.second);
    }
    return h.value();
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
