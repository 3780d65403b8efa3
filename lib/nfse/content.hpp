#pragma once
// What an invoice's NFS-e says: the national DPS or the ABRASF RPS of a ledger invoice, from
// the invoice, its customer, the services and the configuration. Pure: no clock, no ledger.
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <billrun/config/config.hpp>
#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/ledger/nfse.hpp>
#include <billrun/ledger/records.hpp>
#include <billrun/nfse/abrasf.hpp>
#include <billrun/nfse/dps.hpp>

namespace billrun::nfse {

struct ContentSource {
    const ledger::NfseRecord& row;  // its standard, series and number
    const ledger::Invoice& invoice;
    const ledger::Customer& customer;
    const std::unordered_map<std::string, ledger::Service>& services;
    const config::Config& config;
    std::string_view emitted_at;  // dhEmi, from emission_time
    Date business_date;
    std::string_view app_version;
};

// One of the two, as the row's standard says.
struct Content {
    std::optional<Dps> dps;
    std::optional<Rps> rps;
};

// Errors: data_invalid, with why the invoice cannot have an NFS-e (no lines, a service
// without its code).
Result<Content> invoice_content(const ContentSource& source);

}  // namespace billrun::nfse
