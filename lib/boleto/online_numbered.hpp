#pragma once
// issue-boleto's pass for banks that choose the nosso número themselves (Banco Inter v3): the
// request recorded per invoice is sent once, the bank's request id kept as soon as it accepted
// it, and the boleto written only when the bank has numbered it and its barcode equals the one
// billrun computes from that number (SPEC §6a, the numbering rule as it applies to such banks).
#include <cstdint>

#include <billrun/boleto/issue.hpp>

#include "online.hpp"

namespace billrun::boleto {

// Every pending request: an earlier one is looked up (by the bank's request id, or by the seu
// número when the answer was lost) before anything is sent again; a request the bank is still
// issuing stays pending for the next run. Errors: config, busy, internal; a bank that does not
// answer is reported in `unavailable`.
Result<OnlineOutcome> register_bank_numbered(ledger::Ledger& ledger, const config::Config& config,
                                             const RunContext& ctx, std::int64_t run);

}  // namespace billrun::boleto
