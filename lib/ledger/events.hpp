#pragma once
// The one place events are written.
#include <cstdint>
#include <optional>
#include <string_view>

#include <billrun/ledger/ledger.hpp>

namespace billrun::ledger {

// Throws sql::SqliteError; public functions wrap it in guard().
void insert_event(Ledger& ledger, std::int64_t run, std::string_view entity, std::string_view entity_id,
                  std::string_view action, std::string_view detail = {},
                  std::optional<std::int64_t> key_from = std::nullopt, std::optional<std::int64_t> key_to = std::nullopt);

}  // namespace billrun::ledger
