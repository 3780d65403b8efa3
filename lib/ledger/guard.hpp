#pragma once
// Turns the wrapper's SqliteError into the library's Result at each public ledger function.
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include <billrun/core/error.hpp>

#include "sqlite.hpp"

namespace billrun::ledger {

inline Error sqlite_to_error(const sql::SqliteError& e)
{
    if (e.busy()) {
        return Error{ErrorCode::busy,
                     fmt::format("the ledger is busy with another run ({}); try again later", e.what())};
    }
    return Error{ErrorCode::internal, fmt::format("ledger: {}", e.what())};
}

template <typename F>
auto guard(F&& body) -> Result<std::invoke_result_t<F>>
{
    using T = std::invoke_result_t<F>;
    try {
        if constexpr (std::is_void_v<T>) {
            std::forward<F>(body)();
            return {};
        } else {
            return std::forward<F>(body)();
        }
    } catch (const sql::SqliteError& e) {
        return tl::unexpected<Error>(sqlite_to_error(e));
    }
}

}  // namespace billrun::ledger
