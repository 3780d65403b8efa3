#pragma once
// `billrun cycle` and `billrun approve` (SPEC §4): every contract period due up to the
// business date billed exactly once, numbered gaplessly per series, to the centavo.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <billrun/config/config.hpp>
#include <billrun/core/context.hpp>
#include <billrun/core/error.hpp>
#include <billrun/io/document.hpp>
#include <billrun/ledger/ledger.hpp>
#include <billrun/ledger/records.hpp>

namespace billrun::billing {

struct SetAside {
    std::string contract;
    std::string reason;
};

struct CycleSummary {
    std::int64_t run = 0;  // 0 in a dry run
    std::int64_t contracts = 0;
    std::int64_t invoices = 0;
    std::int64_t drafts = 0;
    std::int64_t charges = 0;
    Centavos gross = 0;
    Centavos net = 0;
    std::vector<SetAside> set_aside;
    std::string started;
    std::string finished;
};

// Called for each invoice as soon as it is committed (or computed, in a dry run, where
// `provisional` is true: its number is what it would get).
using InvoiceSink = std::function<void(ledger::Invoice invoice, bool provisional)>;

// Bills in batches, each its own transaction: a run killed at any instant leaves every
// invoice whole, and the next run goes on where it stopped. Errors: busy, internal.
Result<CycleSummary> run_cycle(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                               const InvoiceSink& sink);

struct ApproveSummary {
    std::int64_t run = 0;
    std::int64_t issued = 0;
};

// Numbers the given drafts (by their key; all of them when `keys` is empty and `all`), in key
// order, in one transaction. An unknown key or one that is not a draft: data_invalid, nothing
// issued.
Result<ApproveSummary> approve(ledger::Ledger& ledger, const RunContext& ctx, const std::vector<std::int64_t>& keys,
                               bool all, const InvoiceSink& sink);

// The `invoice` document of SPEC §12.
io::Map invoice_document(const ledger::Invoice& invoice, bool provisional = false);
// The same document written straight as YAML (the hot path of a million-invoice cycle);
// byte for byte what write_yaml_document(invoice_document(...)) writes.
void append_invoice_yaml(std::string& out, const ledger::Invoice& invoice, bool provisional = false);
io::Map cycle_run_document(const CycleSummary& summary, const RunContext& ctx, const std::string& command);

}  // namespace billrun::billing
