#pragma once
// The canonical field names of SPEC §3 and their Portuguese aliases, per record kind.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/import/import.hpp>

namespace billrun::import {

enum class Field : std::uint8_t {
    id, name, tax_id, email, phone, street, number, complement, district, city, city_code,
    state, zip, municipal_registration, iss_withheld, owner,
    description, unit_price, service_code, iss_rate,
    customer, service, quantity, price, start, end, cycle, billing, due_days, due_day, series,
    payment_method, auto_send, template_name, bank_account,
    contract, date, invoice, nosso_numero, amount,
    count
};
inline constexpr std::size_t k_field_count = static_cast<std::size_t>(Field::count);

std::string_view field_name(Field field);

// Matches a column name or YAML key (ignoring case, accents, ' ', '_', '-', '/', '.')
// against the fields the kind has.
std::optional<Field> match_field(Kind kind, std::string_view header);

// The fields a record of this kind must have.
std::vector<Field> required_fields(Kind kind);

struct RawField {
    std::string value;
    std::int64_t line = 0;
    int column = 0;
    bool present = false;
};

struct RawItem {
    RawField service;
    RawField quantity;
    RawField price;
    std::int64_t line = 0;
};

struct RawRecord {
    std::int64_t line = 0;
    std::array<RawField, k_field_count> fields;
    std::vector<RawItem> items;  // YAML contracts that nest their items
    RawField& operator[](Field f) { return fields[static_cast<std::size_t>(f)]; }
    const RawField& operator[](Field f) const { return fields[static_cast<std::size_t>(f)]; }
    void clear();
};

}  // namespace billrun::import
