#pragma once
// What issue-boleto's two registration passes (online.cpp, online_numbered.cpp) share: a ledger
// step in a transaction of its own, so that nothing is held while a bank is waited on (the
// remessa files use it too), and the adapters of the run's accounts, each opened once.
#include <cstdint>

#include <billrun/bankapi/bankapi.hpp>
#include <billrun/config/config.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::boleto::detail {

template <typename F>
Result<void> in_own_transaction(ledger::Ledger& ledger, F&& body)
{
    auto tx = ledger::WriteTransaction::begin(ledger);
    if (!tx) {
        return tl::unexpected(tx.error());
    }
    if (auto r = body(); !r) {
        return r;
    }
    return tx->commit();
}

// The run's adapters, each opened once.
class Adapters : public bankapi::AdapterCache {
public:
    Adapters(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx, std::int64_t run)
        : AdapterCache(config, bankapi::Circumstances{ledger, ctx, run})
    {
    }
};

}  // namespace billrun::boleto::detail
