#pragma once
// What issue-boleto's two registration passes (online.cpp, online_numbered.cpp) share: a ledger
// step in a transaction of its own, so that nothing is held while a bank is waited on, and the
// adapters of the run's accounts, each opened once.
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <fmt/format.h>

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

class Adapters {
public:
    Adapters(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx, std::int64_t run)
        : m_ledger(ledger), m_config(config), m_ctx(ctx), m_run(run)
    {
    }

    // Errors: those of bankapi::open_adapter, the config file's name in front.
    Result<bankapi::Adapter*> get(const config::BankAccount& account)
    {
        auto found = m_adapters.find(account.id);
        if (found != m_adapters.end()) {
            return found->second.get();
        }
        auto made = bankapi::open_adapter(account, bankapi::Circumstances{m_ledger, m_ctx, m_run});
        if (!made) {
            return fail(made.error().code, fmt::format("{}: {}", m_config.file.string(), made.error().message));
        }
        return m_adapters.emplace(account.id, std::move(*made)).first->second.get();
    }

private:
    ledger::Ledger& m_ledger;
    const config::Config& m_config;
    const RunContext& m_ctx;
    std::int64_t m_run;
    std::map<std::string, std::unique_ptr<bankapi::Adapter>> m_adapters;
};

}  // namespace billrun::boleto::detail
