#pragma once
// `billrun issue-boleto` (SPEC §6): a boleto for each issued invoice paid by boleto, exactly
// once: nosso número from the account's sequence, barcode and linha digitável, PIX when the
// account has a key, a PDF, and one CNAB remessa per account per run.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <billrun/config/config.hpp>
#include <billrun/core/context.hpp>
#include <billrun/core/error.hpp>
#include <billrun/io/document.hpp>
#include <billrun/ledger/boletos.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::boleto {

struct IssueOptions {
    bool pdf = true;           // --no-pdf skips rendering
    bool one_pdf = false;      // all of the run's boletos in one file
    bool restrict_to = false;  // act only on `invoices` (the documents of a FILE)
    std::vector<std::int64_t> invoices;
};

struct SetAsideInvoice {
    std::string invoice;
    std::string reason;
};

struct IssueSummary {
    std::int64_t run = 0;
    std::int64_t issued = 0;
    std::int64_t registered = 0;        // through bank APIs, by this run
    std::string unavailable;            // a bank API that did not answer (exit 69): why
    std::int64_t pdfs = 0;
    std::vector<std::string> remessas;  // paths written by this run
    std::int64_t write_offs = 0;        // pedidos de baixa put into this run's remessas
    std::vector<SetAsideInvoice> set_aside;
    std::string started;
    std::string finished;
};

// Takes each boleto once; it may keep it (moved from: the issuer is done with it).
using BoletoSink = std::function<void(ledger::Boleto&& boleto)>;

// Errors: busy, internal, config (an account its bank cannot use).
Result<IssueSummary> issue_boletos(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                   const IssueOptions& options, const BoletoSink& sink);

// The boleto's own PDF, out/boletos/<invoice>.pdf: what an e-mail to its payer attaches.
// Rendered now when the issuing run made none (--no-pdf) or put the boleto on a page of a
// file shared by the run's boletos (--one-pdf), which must not reach this payer.
Result<std::filesystem::path> own_pdf(const ledger::Boleto& boleto, const config::Config& config);

// The `boleto` document of SPEC §12.
io::Map boleto_document(const ledger::Boleto& boleto);
// The same document as YAML ("---\n" then the map), appended to `text` without building the
// map: byte for byte what io::append_yaml_document(text, boleto_document(boleto)) appends.
void append_boleto_yaml(std::string& text, const ledger::Boleto& boleto);
io::Map issue_run_document(const IssueSummary& summary, const RunContext& ctx);

}  // namespace billrun::boleto
