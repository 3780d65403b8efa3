#pragma once
// Each record as a list of named text fields: hashed to recognise an unchanged re-import,
// and diffed to log what an update changed.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/ledger/records.hpp>

namespace billrun::ledger {

using FieldList = std::vector<std::pair<std::string_view, std::string>>;

FieldList fields_of(const Customer& record);
FieldList fields_of(const Service& record);
FieldList fields_of(const Contract& record);

// An FNV-style 64-bit hash over the values, with a separator, as a signed 64-bit integer for SQLite.
std::int64_t content_hash(const FieldList& fields);
// The same hash straight from a customer, without building the list (the import hot path).
std::int64_t content_hash(const Customer& record);

// "name: old -> new" for each field that differs.
std::vector<std::string> diff_fields(const FieldList& before, const FieldList& after);

// The changes joined for an event's detail.
std::string join_changes(const std::vector<std::string>& changes);

}  // namespace billrun::ledger
