#pragma once
// The remessa files of an issue-boleto run (private to lib/boleto). Each account that
// registers through remessas has one open remessa, recorded in the ledger (status writing)
// in the transaction that puts its first title in; its titles wait in memory until their
// transaction commits, then go to the file (an unnamed temporary one), which gets its
// trailer and final name when the remessa is full or the run ends, and the remessa is marked
// written. A remessa recorded but never written (a killed run) is written again from the
// ledger by the next run: the same bytes, unless a payer's data changed in between (the
// titles take the customer as the ledger has it).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <billrun/cnab/remessa.hpp>
#include <billrun/config/config.hpp>
#include <billrun/core/context.hpp>
#include <billrun/core/error.hpp>
#include <billrun/io/files.hpp>
#include <billrun/ledger/boletos.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::boleto {

// A remessa being filled by this run: the titles of the open transaction wait in `text` and
// go to the temporary file once it commits.
struct OpenRemessa {
    ledger::Remessa remessa;
    std::unique_ptr<cnab::RemessaWriter> writer;
    std::optional<io::AtomicFile> file;
    std::string text;
    std::int64_t titles = 0;       // committed, in the file
    std::int64_t uncommitted = 0;  // in `text`
};

class RemessaFiles {
public:
    RemessaFiles(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx);

    // What the account's layout needs of it, checked before any boleto is committed. Errors:
    // config, naming billrun.yaml and the account.
    Result<void> check(const config::BankAccount& account) const;

    // In the open transaction of `run`: the account's open remessa, recorded in it when it is
    // the first, a new one when the last is full.
    Result<OpenRemessa*> open_for(const config::BankAccount& account, std::int64_t run);
    // The boleto's title, as an entrada or a pedido de baixa, into the remessa's waiting text.
    void add(OpenRemessa& remessa, const ledger::Boleto& boleto, cnab::Movement movement);
    // In the open transaction, just before it commits: the remessas' counts of titles.
    Result<void> count_titles();
    // After the commit: the waiting titles to their files.
    Result<void> committed();
    // The remessas that are full closed (their paths appended to `written`).
    Result<void> close_full(std::vector<std::string>& written, std::int64_t run);
    // Every remessa this run filled closed (all their titles are committed by now).
    Result<void> close_all(std::vector<std::string>& written, std::int64_t run);

    // A remessa (each its own transaction) for the boletos of remessa accounts in none yet,
    // then every remessa recorded but not written, written from the ledger. Nothing in a dry
    // run.
    Result<void> record_pending(std::int64_t run);
    Result<void> write_pending(std::vector<std::string>& written, std::int64_t run);

private:
    cnab::RemessaHeader header(const config::BankAccount& account, std::int64_t sequence,
                               const std::string& time) const;
    Result<std::unique_ptr<cnab::RemessaWriter>> writer_of(const ledger::Remessa& remessa) const;
    Result<void> close(OpenRemessa& open, std::vector<std::string>& written, std::int64_t run);
    Result<void> write(const ledger::Remessa& remessa);
    std::vector<OpenRemessa*> all_open();
    std::string path_prefix(const config::BankAccount& account) const;
    std::string time_now() const;

    ledger::Ledger& m_ledger;
    const config::Config& m_config;
    const RunContext& m_ctx;
    std::map<std::string, OpenRemessa> m_open;  // by account
    std::vector<OpenRemessa> m_full;            // closed once the open transaction commits
    cnab::Title m_title;                        // kept between titles: its strings keep their buffers
};

}  // namespace billrun::boleto
