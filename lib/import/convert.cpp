#include "convert.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include <billrun/core/periods.hpp>
#include <billrun/core/money.hpp>
#include <billrun/core/tax_id.hpp>
#include <billrun/core/text.hpp>

namespace billrun::import {

void Checker::add(const RawField& field, std::int64_t record_line, std::string message)
{
    m_failed = true;
    m_problems.push_back(Problem{m_file, field.line != 0 ? field.line : record_line, field.column,
                                 std::move(message)});
}

std::optional<bool> parse_yes_no(std::string_view text)
{
    std::string key = fold_key(text);
    if (key == "yes" || key == "y" || key == "sim" || key == "s" || key == "true" || key == "1" ||
        key == "x" || key == "verdadeiro") {
        return true;
    }
    if (key.empty() || key == "no" || key == "n" || key == "nao" || key == "false" || key == "0" ||
        key == "falso") {
        return false;
    }
    return std::nullopt;
}

namespace {

const std::string& text(const RawRecord& raw, Field f)
{
    return raw[f].value;
}

bool require(const RawRecord& raw, Field f, Checker& check)
{
    if (raw[f].value.empty()) {
        check.add(raw[f], raw.line, fmt::format("{} is required", field_name(f)));
        return false;
    }
    return true;
}

bool check_id(const RawRecord& raw, Field f, Checker& check)
{
    if (!require(raw, f, check)) {
        return false;
    }
    const std::string& id = raw[f].value;
    if (id.size() > 64) {
        check.add(raw[f], raw.line, fmt::format("{} '{}…' is longer than 64 characters", field_name(f), id.substr(0, 20)));
        return false;
    }
    for (char c : id) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            check.add(raw[f], raw.line, fmt::format("{} contains a control character", field_name(f)));
            return false;
        }
    }
    return true;
}

bool only_punctuation_and_digits(std::string_view s)
{
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ' ' || c == '/';
    });
}

bool valid_email(std::string_view e)
{
    auto at = e.find('@');
    if (at == 0 || at == std::string_view::npos || e.find('@', at + 1) != std::string_view::npos) {
        return false;
    }
    auto domain = e.substr(at + 1);
    auto dot = domain.find('.');
    if (dot == 0 || dot == std::string_view::npos || domain.back() == '.') {
        return false;
    }
    return std::none_of(e.begin(), e.end(), [](char c) {
        return c == ' ' || c == ',' || c == ';' || c == '<' || c == '>' || static_cast<unsigned char>(c) < 0x20;
    });
}

constexpr std::array<std::string_view, 27> k_states{
    "AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA",
    "PB", "PR", "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO"};

}  // namespace

std::optional<ledger::Customer> to_customer(const RawRecord& raw, Checker& check)
{
    ledger::Customer c;
    if (check_id(raw, Field::id, check)) {
        c.id = text(raw, Field::id);
    }
    if (require(raw, Field::name, check)) {
        c.name = text(raw, Field::name);
    }
    if (require(raw, Field::tax_id, check)) {
        std::string why;
        if (auto id = parse_tax_id(text(raw, Field::tax_id), &why)) {
            c.tax_id = id->value;
        } else {
            check.add(raw[Field::tax_id], raw.line, fmt::format("CPF/CNPJ '{}': {}", text(raw, Field::tax_id), why));
        }
    }
    if (const auto& emails = text(raw, Field::email); !emails.empty()) {
        std::string joined;
        std::size_t start = 0;
        while (start <= emails.size()) {
            auto end = emails.find_first_of(";,", start);
            auto one = trim(std::string_view(emails).substr(start, end == std::string::npos ? std::string::npos : end - start));
            if (!one.empty()) {
                if (!valid_email(one)) {
                    check.add(raw[Field::email], raw.line, fmt::format("e-mail '{}' is not an address", one));
                }
                if (!joined.empty()) {
                    joined += "; ";
                }
                joined += one;
            }
            if (end == std::string::npos) {
                break;
            }
            start = end + 1;
        }
        c.email = joined;
    }
    c.phone = text(raw, Field::phone);
    c.street = text(raw, Field::street);
    c.number = text(raw, Field::number);
    c.complement = text(raw, Field::complement);
    c.district = text(raw, Field::district);
    c.city = text(raw, Field::city);
    if (const auto& code = text(raw, Field::city_code); !code.empty()) {
        c.city_code = digits_only(code);
        if (c.city_code.size() != 7 || !only_punctuation_and_digits(code)) {
            check.add(raw[Field::city_code], raw.line, fmt::format("IBGE city code '{}' must have 7 digits", code));
        }
    }
    if (const auto& uf = text(raw, Field::state); !uf.empty()) {
        std::string upper;
        for (char ch : uf) {
            upper += (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 32) : ch;
        }
        if (std::find(k_states.begin(), k_states.end(), upper) == k_states.end()) {
            check.add(raw[Field::state], raw.line, fmt::format("'{}' is not a Brazilian state (UF)", uf));
        }
        c.state = upper;
    }
    if (const auto& cep = text(raw, Field::zip); !cep.empty()) {
        c.zip = digits_only(cep);
        if (c.zip.size() != 8 || !only_punctuation_and_digits(cep)) {
            check.add(raw[Field::zip], raw.line, fmt::format("CEP '{}' must have 8 digits", cep));
        }
    }
    c.municipal_registration = text(raw, Field::municipal_registration);
    if (auto withheld = parse_yes_no(text(raw, Field::iss_withheld))) {
        c.iss_withheld = *withheld;
    } else {
        check.add(raw[Field::iss_withheld], raw.line,
                  fmt::format("iss_withheld '{}' must be yes or no (sim/não)", text(raw, Field::iss_withheld)));
    }
    c.owner = text(raw, Field::owner);
    if (check.failed()) {
        return std::nullopt;
    }
    return c;
}

std::optional<ledger::Service> to_service(const RawRecord& raw, Checker& check)
{
    ledger::Service s;
    if (check_id(raw, Field::id, check)) {
        s.id = text(raw, Field::id);
    }
    if (require(raw, Field::description, check)) {
        s.description = text(raw, Field::description);
    }
    if (const auto& price = text(raw, Field::unit_price); !price.empty()) {
        auto value = parse_money(price);
        if (!value || *value < 0) {
            check.add(raw[Field::unit_price], raw.line,
                      fmt::format("unit_price '{}' is not an amount (write 1234,56 or 1234.56)", price));
        } else {
            s.unit_price = *value;
        }
    }
    if (const auto& code = text(raw, Field::service_code); !code.empty()) {
        s.service_code = digits_only(code);
        if (s.service_code.size() != 6 || !only_punctuation_and_digits(code)) {
            check.add(raw[Field::service_code], raw.line,
                      fmt::format("service_code '{}' must be the 6-digit national code (cTribNac)", code));
        }
    }
    if (const auto& rate = text(raw, Field::iss_rate); !rate.empty()) {
        auto value = parse_rate(rate);
        if (!value) {
            check.add(raw[Field::iss_rate], raw.line, fmt::format("iss_rate '{}' is not a percentage", rate));
        } else {
            s.iss_rate = *value;
        }
    }
    if (check.failed()) {
        return std::nullopt;
    }
    return s;
}

namespace {

std::optional<int> parse_small_int(std::string_view s, int min, int max)
{
    s = trim(s);
    if (s.empty() || s.size() > 6) {
        return std::nullopt;
    }
    int value = 0;
    for (char c : s) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    if (value < min || value > max) {
        return std::nullopt;
    }
    return value;
}

std::string time_part(std::string_view s)
{
    s = trim(s);
    auto sep = s.find_first_of("T ");
    if (sep == std::string_view::npos) {
        return {};
    }
    return std::string(trim(s.substr(sep + 1)));
}

}  // namespace

std::optional<ledger::Contract> to_contract_head(const RawRecord& raw, const config::Config& config, Checker& check)
{
    ledger::Contract c;
    if (check_id(raw, Field::id, check)) {
        c.id = text(raw, Field::id);
    }
    if (require(raw, Field::customer, check)) {
        c.customer = text(raw, Field::customer);
    }
    if (require(raw, Field::start, check)) {
        if (auto d = parse_date(text(raw, Field::start))) {
            c.start = *d;
            c.start_time = time_part(text(raw, Field::start));
        } else {
            check.add(raw[Field::start], raw.line,
                      fmt::format("start '{}' is not a date (dd/mm/yyyy or yyyy-mm-dd)", text(raw, Field::start)));
        }
    }
    if (const auto& end = text(raw, Field::end); !end.empty()) {
        if (auto d = parse_date(end)) {
            c.end = *d;
            if (*d < c.start) {
                check.add(raw[Field::end], raw.line, fmt::format("end {} is before start {}", d->iso(), c.start.iso()));
            }
        } else {
            check.add(raw[Field::end], raw.line, fmt::format("end '{}' is not a date (dd/mm/yyyy or yyyy-mm-dd)", end));
        }
    }
    if (const auto& cycle = text(raw, Field::cycle); !cycle.empty()) {
        if (auto parsed = parse_cycle(cycle)) {
            c.cycle = format_cycle(*parsed);
        } else {
            check.add(raw[Field::cycle], raw.line,
                      fmt::format("cycle '{}' is not one of weekly, monthly, quarterly, semiannual, annual, "
                                  "'every N days' (or semanal, mensal, trimestral, semestral, anual, 'a cada N dias')",
                                  cycle));
        }
    }
    if (const auto& mode = text(raw, Field::billing); !mode.empty()) {
        if (auto parsed = parse_billing_mode(mode)) {
            c.billing = *parsed == BillingMode::advance ? "advance" : "arrears";
        } else {
            check.add(raw[Field::billing], raw.line, fmt::format("billing '{}' must be advance or arrears", mode));
        }
    }
    const auto& due_days = text(raw, Field::due_days);
    const auto& due_day = text(raw, Field::due_day);
    if (!due_days.empty() && !due_day.empty()) {
        check.add(raw[Field::due_day], raw.line, "give due_days (N days after issue) or due_day (day of the month), not both");
    } else if (!due_days.empty()) {
        c.due_days = parse_small_int(due_days, 0, 365);
        if (!c.due_days) {
            check.add(raw[Field::due_days], raw.line, fmt::format("due_days '{}' must be a whole number from 0 to 365", due_days));
        }
    } else if (!due_day.empty()) {
        c.due_day = parse_small_int(due_day, 1, 31);
        if (!c.due_day) {
            check.add(raw[Field::due_day], raw.line, fmt::format("due_day '{}' must be a day of the month (1-31)", due_day));
        }
    } else {
        c.due_days = 10;  // documented default: due ten days after issue
    }
    c.series = text(raw, Field::series);
    if (c.series.size() > 5) {
        check.add(raw[Field::series], raw.line, fmt::format("series '{}' is longer than 5 characters", c.series));
    }
    if (const auto& method = text(raw, Field::payment_method); !method.empty()) {
        std::string key = fold_key(method);
        if (key == "boleto" || key == "boletobancario") {
            c.payment_method = "boleto";
        } else if (key == "pix") {
            c.payment_method = "pix";
        } else if (key == "other" || key == "outro" || key == "outros" || key == "outra") {
            c.payment_method = "other";
        } else {
            check.add(raw[Field::payment_method], raw.line,
                      fmt::format("payment_method '{}' must be boleto, pix or other", method));
        }
    }
    if (auto send = parse_yes_no(text(raw, Field::auto_send))) {
        c.auto_send = *send;
    } else {
        check.add(raw[Field::auto_send], raw.line,
                  fmt::format("auto_send '{}' must be yes or no (sim/não)", text(raw, Field::auto_send)));
    }
    c.template_name = text(raw, Field::template_name);
    if (!c.template_name.empty() && config.templates.find(c.template_name) == config.templates.end()) {
        check.add(raw[Field::template_name], raw.line,
                  fmt::format("template '{}' is not defined under templates: in the configuration", c.template_name));
    }
    c.bank_account = text(raw, Field::bank_account);
    if (!c.bank_account.empty() && config.boleto.find_account(c.bank_account) == nullptr) {
        check.add(raw[Field::bank_account], raw.line,
                  fmt::format("bank_account '{}' is not an account under boleto.accounts in the configuration",
                              c.bank_account));
    }
    if (const auto& withheld = text(raw, Field::iss_withheld); !withheld.empty()) {
        if (auto v = parse_yes_no(withheld)) {
            c.iss_withheld = *v;
        } else {
            check.add(raw[Field::iss_withheld], raw.line, fmt::format("iss_withheld '{}' must be yes or no", withheld));
        }
    }
    if (check.failed()) {
        return std::nullopt;
    }
    return c;
}

namespace {

std::optional<ledger::ContractItem> to_item(const RawField& service, const RawField& quantity, const RawField& price,
                                            std::int64_t line, Checker& check)
{
    ledger::ContractItem item;
    bool ok = true;
    if (service.value.empty()) {
        check.add(service, line, "service is required");
        ok = false;
    }
    item.service = service.value;
    if (!quantity.value.empty()) {
        auto q = parse_quantity(quantity.value);
        if (!q || *q <= 0) {
            check.add(quantity, line, fmt::format("quantity '{}' must be a positive number", quantity.value));
            ok = false;
        } else {
            item.quantity = *q;
        }
    }
    if (!price.value.empty()) {
        auto p = parse_money(price.value);
        if (!p || *p < 0) {
            check.add(price, line, fmt::format("price '{}' is not an amount (write 1234,56 or 1234.56)", price.value));
            ok = false;
        } else {
            item.price = *p;
        }
    }
    if (!ok) {
        return std::nullopt;
    }
    return item;
}

}  // namespace

std::vector<ledger::ContractItem> to_contract_items(const RawRecord& raw, Checker& check)
{
    std::vector<ledger::ContractItem> items;
    if (!raw.items.empty()) {
        for (const auto& item : raw.items) {
            if (auto converted = to_item(item.service, item.quantity, item.price, item.line, check)) {
                items.push_back(*converted);
            }
        }
        return items;
    }
    if (raw[Field::service].value.empty() && raw[Field::quantity].value.empty() && raw[Field::price].value.empty()) {
        return items;
    }
    if (auto converted = to_item(raw[Field::service], raw[Field::quantity], raw[Field::price], raw.line, check)) {
        items.push_back(*converted);
    }
    return items;
}

std::optional<ledger::Charge> to_charge(const RawRecord& raw, Checker& check)
{
    ledger::Charge c;
    if (!text(raw, Field::id).empty() && check_id(raw, Field::id, check)) {
        c.id = text(raw, Field::id);
    }
    if (require(raw, Field::customer, check)) {
        c.customer = text(raw, Field::customer);
    }
    c.contract = text(raw, Field::contract);
    if (require(raw, Field::date, check)) {
        if (auto d = parse_date(text(raw, Field::date))) {
            c.date = *d;
        } else {
            check.add(raw[Field::date], raw.line,
                      fmt::format("date '{}' is not a date (dd/mm/yyyy or yyyy-mm-dd)", text(raw, Field::date)));
        }
    }
    if (auto item = to_item(raw[Field::service], raw[Field::quantity], raw[Field::price], raw.line, check)) {
        c.service = item->service;
        c.quantity = item->quantity;
        c.price = item->price;
    }
    c.description = text(raw, Field::description);
    if (check.failed()) {
        return std::nullopt;
    }
    return c;
}

std::string derived_charge_id(const ledger::Charge& c)
{
    std::uint64_t hash = 14695981039346656037ULL;
    auto add = [&hash](std::string_view s) {
        for (char ch : s) {
            hash ^= static_cast<unsigned char>(ch);
            hash *= 1099511628211ULL;
        }
        hash ^= 0x1f;
        hash *= 1099511628211ULL;
    };
    add(c.customer);
    add(c.contract);
    add(c.date.iso());
    add(c.service);
    add(format_quantity(c.quantity));
    add(c.price ? format_money(*c.price) : std::string());
    add(c.description);
    return fmt::format("CH-{:012x}", hash & 0xffffffffffffULL);
}

}  // namespace billrun::import
