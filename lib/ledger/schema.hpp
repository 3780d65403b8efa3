#pragma once
// The ledger's schema as an ordered list of migrations; PRAGMA user_version holds how many
// have been applied. A migration is never edited once released: add a new one.
#include <span>
#include <string_view>

namespace billrun::ledger {

struct Migration {
    std::string_view sql;
    // A query that answers 1 when the ledger already has what `sql` makes; empty when running
    // `sql` twice is harmless. A ledger's user_version can fall behind its schema (set back by
    // hand, or by the tests that rebuild an older layout): a change such as ADD COLUMN cannot
    // be made twice, and the ledger must still open.
    std::string_view present = {};
};

std::span<const Migration> migrations();

}  // namespace billrun::ledger
