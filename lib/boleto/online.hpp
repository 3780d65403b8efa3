#pragma once
// issue-boleto's pass for accounts with `registration: api` (SPEC §6a): each boleto billrun
// numbered is registered through the bank's API, never twice.
#include <cstdint>
#include <string>
#include <vector>

#include <billrun/boleto/issue.hpp>
#include <billrun/boleto/write_off.hpp>

namespace billrun::boleto {

struct OnlineOutcome {
    std::int64_t registered = 0;
    std::vector<SetAsideInvoice> set_aside;  // rejected, or the bank's barcode differs
    std::string unavailable;                 // why some stay pending (the bank did not answer)
    WriteOffOutcome write_offs;              // write-offs of cancelled invoices' boletos, retried here
};

// Registers every pending registration (this run's and any an earlier run left), each
// counted in the ledger before its request leaves; after a request that may have arrived
// unanswered, or an "already registered" answer, the boleto is looked up, not sent again.
// The bank's barcode and linha digitável must equal billrun's. Then the write-offs a cancel
// left pending (boleto/write_off.hpp). Errors: config (credentials,
// provider), busy, internal; a bank that does not answer is reported in `unavailable`.
Result<OnlineOutcome> register_online(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                      std::int64_t run);

}  // namespace billrun::boleto
