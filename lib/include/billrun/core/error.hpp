#pragma once
// The one error type of the library. `main` alone turns an ErrorCode into an exit code.
#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace billrun {

// Mirrors the exit codes of SPEC §1 (sysexits).
enum class ErrorCode {
    partial = 1,        // finished, but some records failed or were set aside
    usage = 64,         // command-line usage error
    data_invalid = 65,  // invalid input data, nothing written
    no_input = 66,      // input file missing or unreadable
    unavailable = 69,   // remote service failed after retries
    internal = 70,      // internal error (a bug, an I/O failure on our side)
    busy = 75,          // the ledger is busy with another run
    config = 78,        // configuration or certificate error
};

struct Error {
    ErrorCode code = ErrorCode::internal;
    std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(ErrorCode code, std::string message)
{
    return tl::unexpected<Error>(Error{code, std::move(message)});
}

inline int exit_code(ErrorCode code) { return static_cast<int>(code); }

}  // namespace billrun
