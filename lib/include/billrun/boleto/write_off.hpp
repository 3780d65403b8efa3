#pragma once
// Write-off (baixa) through bank APIs (SPEC §6a): the boleto of a cancelled invoice, at an
// account with `registration: api`, is written off at the bank. The intent is in the ledger
// before any request (the boleto marked 'write-off' when its invoice was cancelled, an event
// before each request); an answer that is lost or refused is resolved by asking the bank:
// 'written-off' only when the bank confirmed it, 'write-off-refused' when it cannot (the
// boleto was paid there); otherwise the write-off stays pending and the next cancel or
// issue-boleto run tries again.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/boleto/issue.hpp>
#include <billrun/config/config.hpp>
#include <billrun/core/context.hpp>
#include <billrun/core/error.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::boleto {

struct WriteOffOutcome {
    std::vector<std::string> written_off;  // invoice ids whose boleto the bank wrote off
    std::vector<SetAsideInvoice> refused;  // the bank cannot write it off (paid there): final
    std::vector<SetAsideInvoice> pending;  // the bank said no for now, or did not answer: tried again later
    bool unavailable = false;              // some bank did not answer

    // Whether the invoice's boleto is among those the run acted on.
    bool concerns(std::string_view invoice) const;
};

// Every pending write-off of accounts with registration: api, within `run`. Nothing in a dry
// run. Errors: config (credentials, provider), busy, internal.
Result<WriteOffOutcome> write_off_online(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                         std::int64_t run);

// The same in a run of its own ("write-off"), for billrun cancel.
Result<WriteOffOutcome> write_off_online_run(ledger::Ledger& ledger, const config::Config& config,
                                             const RunContext& ctx);

}  // namespace billrun::boleto
