#pragma once
// `billrun emit-nfse` (SPEC §5): for each issued invoice without an NFS-e, a DPS number
// (once, ever), the DPS built, validated against the official XSD, signed, written, and
// sent when an endpoint is configured. Never twice: a retry or a re-run reuses the DPS.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <billrun/config/config.hpp>
#include <billrun/core/context.hpp>
#include <billrun/core/error.hpp>
#include <billrun/io/document.hpp>
#include <billrun/ledger/ledger.hpp>
#include <billrun/ledger/nfse.hpp>

namespace billrun::nfse {

struct EmitOptions {
    std::optional<std::string> password;  // the certificate's (from nfse.password_env); nullopt: unset
    std::string app_version = "billrun";  // verAplic
    bool restrict_to = false;             // act only on `invoices` (the documents of a FILE)
    std::vector<std::int64_t> invoices;
    int threads = 0;                      // signing threads; 0 = one per core
    int backoff_ms = 500;                 // first wait before a retry
};

struct EmitFailure {
    std::string invoice;
    std::string code;
    std::string reason;
};

struct EmitSummary {
    std::int64_t run = 0;
    std::int64_t allocated = 0;   // DPS numbers given
    std::int64_t signed_ = 0;     // DPS signed (and written)
    std::int64_t authorized = 0;
    std::int64_t rejected = 0;    // by the authority
    std::int64_t invalid = 0;     // could not be built or failed the schema
    bool unavailable = false;     // the authority could not be reached: the rest stays signed
    std::string unavailable_reason;
    std::vector<EmitFailure> failures;
    std::string started;
    std::string finished;
};

// One document per NFS-e the run acted on, in key order.
using NfseSink = std::function<void(const io::Map& document)>;

// Errors: config (standard, series, certificate, password, endpoint, ca_bundle; checked before
// the ledger changes), busy, internal. Per-invoice failures are in the summary, not errors.
Result<EmitSummary> emit_nfse(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                              const EmitOptions& options, const NfseSink& sink);

// The `nfse` document of SPEC §12 for a row of the ledger.
io::Map nfse_document(const ledger::NfseRecord& record, bool dry_run);
io::Map emit_run_document(const EmitSummary& summary, const RunContext& ctx);

}  // namespace billrun::nfse
