#pragma once
// The ledger's schema as an ordered list of migrations; PRAGMA user_version holds how many
// have been applied. A migration is never edited once released: add a new one.
#include <span>
#include <string_view>

namespace billrun::ledger {

std::span<const std::string_view> migrations();

}  // namespace billrun::ledger
