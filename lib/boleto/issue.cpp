// billrun issue-boleto: a named pass a line. Boletos are numbered in batches, each its own
// transaction; each boleto goes into its account's remessa as it is inserted, the remessa
// recorded (status writing) in the same transaction and its title added to the remessa's
// temporary file once that commits, so a remessa is in the ledger before its file has its
// final name, and a killed run's is rewritten from the ledger by the next. PDFs come last.
#include <billrun/boleto/issue.hpp>

#include <algorithm>
#include <future>
#include <thread>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include <billrun/bankapi/bankapi.hpp>
#include <billrun/boleto/bank.hpp>
#include <billrun/boleto/febraban.hpp>
#include <billrun/boleto/pdf.hpp>
#include <billrun/core/late.hpp>
#include <billrun/boleto/pix.hpp>
#include <billrun/cnab/remessa.hpp>
#include <billrun/core/tax_id.hpp>
#include <billrun/ledger/deliveries.hpp>
#include <billrun/io/files.hpp>
#include <billrun/io/processes.hpp>
#include <billrun/ledger/bank_requests.hpp>
#include <billrun/ledger/bankapi.hpp>

#include "online.hpp"
#include "online_numbered.hpp"
#include "remessa_files.hpp"

namespace billrun::boleto {

namespace {

constexpr int k_batch = 5000;

Beneficiary beneficiary_of(const config::BankAccount& a)
{
    return Beneficiary{a.bank, a.agency, a.agency_digit, a.account, a.account_digit, a.convenio, a.carteira};
}

std::string pix_txid(std::string_view invoice_id, std::string_view nosso)
{
    std::string txid = "BR";
    for (char ch : invoice_id) {
        if ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')) {
            txid += ch;
        }
    }
    txid += nosso;
    return txid.substr(0, 25);
}

Slip slip_of(const ledger::Boleto& b, const config::Config& config)
{
    const config::BankAccount* account = config.boleto.find_account(b.account);
    const Bank* bank = find_bank(b.bank);
    Slip s;
    s.bank_code_dv = bank != nullptr ? std::string(bank->code_dv) : b.bank;
    s.bank_name = bank != nullptr ? std::string(bank->name) : b.bank;
    s.linha_digitavel = b.linha_digitavel;
    s.barcode = b.barcode;
    s.beneficiary_name = config.company.name;
    s.beneficiary_tax_id = format_tax_id(TaxId{config.company.tax_id.size() == 11 ? TaxIdKind::cpf : TaxIdKind::cnpj,
                                               config.company.tax_id});
    if (account != nullptr && bank != nullptr) {
        s.beneficiary_code = bank->beneficiary_code(beneficiary_of(*account));
        s.carteira = account->carteira;
    }
    s.nosso_numero = b.nosso_numero_display;
    s.document_number = b.invoice_id;
    s.document_date = b.issue_date;
    s.processing_date = b.issue_date;
    s.due_date = b.due_date;
    s.amount = b.amount;
    if (b.fine_percent > 0) {
        s.instructions.push_back(
            fmt::format("Após o vencimento, multa de {}%.", format_money_br(b.fine_percent)));
    }
    if (b.interest_per_day > 0) {
        s.instructions.push_back(
            fmt::format("Juros de mora de R$ {} por dia de atraso.", format_money_br(b.interest_per_day)));
    }
    for (const auto& line : config.boleto.instructions) {
        s.instructions.push_back(line);
    }
    const auto& p = b.payer;
    s.payer_name = p.name;
    s.payer_tax_id = format_tax_id(TaxId{p.tax_id.size() == 11 ? TaxIdKind::cpf : TaxIdKind::cnpj, p.tax_id});
    std::string line1 = p.street;
    if (!p.number.empty()) {
        line1 += ", " + p.number;
    }
    if (!p.complement.empty()) {
        line1 += " - " + p.complement;
    }
    std::string line2 = p.district;
    if (!p.city.empty()) {
        line2 += (line2.empty() ? "" : " - ") + p.city + (p.state.empty() ? "" : "/" + p.state);
    }
    if (!p.zip.empty()) {
        line2 += " CEP " + p.zip;
    }
    s.payer_address = {line1, line2};
    s.pix_payload = b.pix;
    return s;
}

std::filesystem::path pdf_dir(const config::Config& config)
{
    return config.output_dir / "boletos";
}

// A boleto's own file (the one-file-per-boleto rendering, and what an e-mail attaches).
std::filesystem::path own_pdf_path(const ledger::Boleto& b, const config::Config& config)
{
    return pdf_dir(config) / (io::safe_file_name(b.invoice_id) + ".pdf");
}

class Issuer {
public:
    Issuer(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx, const IssueOptions& options)
        : m_ledger(ledger), m_config(config), m_ctx(ctx), m_options(options), m_remessas(ledger, config, ctx)
    {
        m_emit_early = !options.pdf && std::none_of(config.boleto.accounts.begin(), config.boleto.accounts.end(),
                                                    [](const auto& a) { return a.registration == "api"; });
        if (m_emit_early) {
            m_issued.reserve(k_batch);
        }
    }

    Result<IssueSummary> run(const BoletoSink& sink)
    {
        m_sink = &sink;
        m_summary.started = m_ctx.now();
        if (auto r = check_accounts(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = start(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = check_credentials(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = queue_write_offs(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = issue(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = m_remessas.close_all(m_summary.remessas, m_run); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = register_online(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = m_remessas.record_pending(m_run); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = m_remessas.write_pending(m_summary.remessas, m_run); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = render_pdfs(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = emit(sink); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = finish(); !r) {
            return tl::unexpected(r.error());
        }
        return m_summary;
    }

private:
    Result<void> check_accounts()
    {
        for (const auto& account : m_config.boleto.accounts) {
            if (auto r = check_account(beneficiary_of(account)); !r) {
                return fail(ErrorCode::config, fmt::format("{}: boleto account '{}': {}", m_config.file.string(),
                                                           account.id, r.error().message));
            }
            if (account.registration == "api") {
                if (auto r = bankapi::check_account(account, m_ctx); !r) {
                    return fail(ErrorCode::config, fmt::format("{}: {}", m_config.file.string(), r.error().message));
                }
                continue;  // no remessa
            }
            if (auto r = m_remessas.check(account); !r) {
                return r;
            }
        }
        return {};
    }

    // Credentials a bank refuses stop the run before any boleto is numbered. A bank that does
    // not answer does not: the boletos are numbered, their registrations stay pending, and the
    // registration pass (then the next run) finds out.
    Result<void> check_credentials()
    {
        if (m_ctx.dry_run) {
            return {};
        }
        for (const auto& account : m_config.boleto.accounts) {
            if (account.registration != "api") {
                continue;
            }
            auto r = bankapi::authenticate(account, bankapi::Circumstances{m_ledger, m_ctx, m_run});
            if (!r && r.error().code != ErrorCode::unavailable) {
                return fail(r.error().code, fmt::format("{}: {}", m_config.file.string(), r.error().message));
            }
        }
        return {};
    }

    Result<void> begin()
    {
        if (m_ctx.dry_run && m_tx) {
            return {};
        }
        auto tx = ledger::WriteTransaction::begin(m_ledger);
        if (!tx) {
            return tl::unexpected(tx.error());
        }
        m_tx.emplace(std::move(*tx));
        m_sequences.clear();  // re-read under the lock
        return {};
    }

    Result<void> commit()
    {
        for (const auto& [account, last] : m_sequences) {
            if (auto r = ledger::store_last_nosso_numero(m_ledger, account, last); !r) {
                return r;
            }
        }
        if (m_batch_first != 0) {
            auto r = ledger::append_range_event(m_ledger, m_run, "boleto", m_batch_first, m_batch_last, "issued",
                                                fmt::format("{} boleto(s)", m_batch_last - m_batch_first + 1));
            if (!r) {
                return r;
            }
            m_batch_first = m_batch_last = 0;
        }
        if (auto r = m_remessas.count_titles(); !r) {
            return r;
        }
        if (!m_ctx.dry_run) {
            auto r = m_tx->commit();
            m_tx.reset();
            if (!r) {
                return r;
            }
        }
        return committed();
    }

    // After a commit: the batch's titles go to their remessas' files, the batch's documents
    // out, and the remessas that are full are closed.
    Result<void> committed()
    {
        if (auto r = m_remessas.committed(); !r) {
            return r;
        }
        for (auto& b : m_issued) {
            (*m_sink)(std::move(b));
        }
        m_issued.clear();
        return m_remessas.close_full(m_summary.remessas, m_run);
    }

    Result<void> start()
    {
        if (auto r = begin(); !r) {
            return r;
        }
        auto run = ledger::start_run(m_ledger, {"issue-boleto", m_ctx.business_date.iso(), m_summary.started});
        if (!run) {
            return tl::unexpected(run.error());
        }
        m_run = *run;
        return commit();
    }

    void set_aside(const ledger::BoletoCandidate& c, std::string reason)
    {
        m_ctx.warn(fmt::format("invoice {} set aside: {}", c.invoice_id, reason));
        m_summary.set_aside.push_back(SetAsideInvoice{c.invoice_id, std::move(reason)});
    }

    Result<std::int64_t> next_sequence(const config::BankAccount& account)
    {
        auto found = m_sequences.find(account.id);
        if (found == m_sequences.end()) {
            auto last = ledger::last_nosso_numero(m_ledger, account.id);
            if (!last) {
                return tl::unexpected(last.error());
            }
            std::int64_t start = last->value_or(0);
            // The configured next number is where a new account starts (or jumps ahead to).
            start = std::max(start, account.next_nosso_numero - 1);
            found = m_sequences.emplace(account.id, start).first;
        }
        return found->second + 1;
    }

    // The pedidos de baixa that cancels left for accounts registering through remessas: each
    // boleto's title again, movement 02, at the head of this run's remessa of its account
    // (the same file as its new boletos), put in the ledger with the remessa that carries it in
    // the transaction that adds its title to the remessa's count. A dry run only counts them.
    Result<void> queue_write_offs()
    {
        // Those of an account gone from billrun.yaml, or registering through the API now, wait
        // for a remessa that no run writes: said at every run. A dry run counts the others here.
        auto waiting = ledger::write_offs_waiting(m_ledger);
        if (!waiting) {
            return tl::unexpected(waiting.error());
        }
        for (const auto& [id, count] : *waiting) {
            const config::BankAccount* account = m_config.boleto.find_account(id);
            if (account == nullptr || account->registration != "remessa") {
                m_ctx.warn(fmt::format("{} pedido(s) de baixa of cancelled invoices' boletos wait for a remessa of "
                                       "account '{}', which {} billrun.yaml: ask the bank to write them off",
                                       count, id,
                                       account == nullptr ? "is no longer in" : "registers through the API in"));
            } else if (m_ctx.dry_run) {
                m_summary.write_offs += count;  // what a run would put into its remessas
            }
        }
        if (m_ctx.dry_run) {
            return {};
        }
        for (const auto& account : m_config.boleto.accounts) {
            if (account.registration != "remessa") {
                continue;
            }
            std::int64_t after = 0;
            while (true) {
                if (auto r = begin(); !r) {
                    return r;
                }
                auto due = ledger::write_offs_for_remessa(m_ledger, account.id, after, k_batch);
                if (!due) {
                    return tl::unexpected(due.error());
                }
                if (due->empty()) {
                    if (auto r = commit(); !r) {
                        return r;
                    }
                    break;
                }
                after = due->back().key;
                for (const auto& b : *due) {
                    auto open = m_remessas.open_for(account, m_run);
                    if (!open) {
                        return tl::unexpected(open.error());
                    }
                    auto added = ledger::add_write_off_to_remessa(m_ledger, m_run, b.key, (*open)->remessa);
                    if (!added) {
                        return tl::unexpected(added.error());
                    }
                    if (*added) {
                        m_remessas.add(**open, b, cnab::Movement::write_off);
                        ++m_summary.write_offs;
                    }
                }
                if (auto r = commit(); !r) {
                    return r;
                }
            }
        }
        return {};
    }

    // Takes the candidate's strings (moved into the boleto).
    Result<void> issue_one(ledger::BoletoCandidate& c)
    {
        const config::BankAccount* account =
            m_config.boleto.find_account(c.account.empty() ? m_config.boleto.default_account : c.account);
        if (account == nullptr) {
            set_aside(c, fmt::format("bank account '{}' is not in billrun.yaml", c.account));
            return {};
        }
        const Bank* bank = find_bank(account->bank);
        if (bank == nullptr) {
            set_aside(c, fmt::format("bank {} is not supported", account->bank));
            return {};
        }
        if (c.amount <= 0) {
            set_aside(c, "nothing to pay (net is zero)");
            return {};
        }
        if (bank->numbers_itself) {
            // The bank chooses the number: a request now, the boleto once the bank numbered it.
            return ledger::insert_bank_request(m_ledger, m_run, c.invoice, account->id, account->api->provider,
                                               m_ctx.business_date);
        }
        auto sequence = next_sequence(*account);
        if (!sequence) {
            return tl::unexpected(sequence.error());
        }
        Beneficiary who = beneficiary_of(*account);
        auto nosso = bank->nosso_numero(who, *sequence);
        if (!nosso) {
            set_aside(c, nosso.error().message);
            return {};
        }
        auto campo = bank->campo_livre(who, *nosso);
        if (!campo) {
            set_aside(c, campo.error().message);
            return {};
        }
        auto barcode = make_barcode(bank->code, c.due_date, c.amount, *campo);
        if (!barcode) {
            set_aside(c, barcode.error().message);
            return {};
        }
        ledger::Boleto b;
        b.invoice = c.invoice;
        b.invoice_id = std::move(c.invoice_id);
        b.account = account->id;
        b.bank = account->bank;
        b.sequence = *sequence;
        b.nosso_numero = nosso->number;
        b.nosso_numero_dv = nosso->dv;
        b.nosso_numero_display = nosso->display;
        b.issue_date = m_ctx.business_date;
        b.due_date = c.due_date;
        b.amount = c.amount;
        b.fine_percent = m_config.boleto.fine_percent;
        b.interest_per_day = interest_per_day(c.amount, m_config.boleto.interest_percent_month);
        b.barcode = std::move(*barcode);
        b.linha_digitavel = linha_digitavel(b.barcode);
        b.payer = std::move(c.payer);
        if (!account->pix_key.empty()) {
            b.pix = pix_payload(PixCharge{account->pix_key, c.amount, m_config.company.name, "BRASIL",
                                          pix_txid(b.invoice_id, nosso->number)});
        }
        OpenRemessa* remessa = nullptr;
        if (account->registration == "remessa" && !m_ctx.dry_run) {
            auto open = m_remessas.open_for(*account, m_run);
            if (!open) {
                return tl::unexpected(open.error());
            }
            remessa = *open;
            b.remessa = remessa->remessa.key;
            b.remessa_path = remessa->remessa.path;
        }
        auto key = ledger::insert_boleto(m_ledger, m_run, b);
        if (!key) {
            return tl::unexpected(key.error());
        }
        if (!*key) {
            return {};  // another run gave this invoice its boleto meanwhile
        }
        b.key = **key;
        if (remessa != nullptr) {
            m_remessas.add(*remessa, b, cnab::Movement::entry);
        }
        m_sequences[account->id] = *sequence;
        if (account->registration == "api") {
            // Recorded before any request leaves; e-mailed once the bank has it.
            if (auto r = ledger::insert_registration(m_ledger, m_run, **key, account->id, account->api->provider); !r) {
                return r;
            }
        } else if (c.auto_send) {
            if (auto queued = ledger::queue_delivery(m_ledger, m_run, c.invoice, "boleto"); !queued) {
                return tl::unexpected(queued.error());
            }
        }
        if (m_batch_first == 0) {
            m_batch_first = **key;
        }
        m_batch_last = **key;
        ++m_summary.issued;
        if (m_emit_early) {
            m_issued.push_back(std::move(b));
        }
        return {};
    }

    Result<void> issue()
    {
        if (m_options.restrict_to) {
            return issue_given();
        }
        return issue_all();
    }

    Result<void> issue_batch(std::vector<ledger::BoletoCandidate>& batch)
    {
        for (auto& candidate : batch) {
            if (auto r = issue_one(candidate); !r) {
                return r;
            }
        }
        if (auto r = commit(); !r) {
            return r;
        }
        m_ctx.progress("boletos", m_summary.issued, 0);
        return {};
    }

    // The invoices of a FILE, one by one.
    Result<void> issue_given()
    {
        std::size_t next_given = 0;
        std::vector<std::int64_t> given = m_options.invoices;
        std::sort(given.begin(), given.end());
        while (true) {
            if (auto r = begin(); !r) {
                return r;
            }
            std::vector<ledger::BoletoCandidate> batch;
            for (; next_given < given.size() && batch.size() < static_cast<std::size_t>(k_batch); ++next_given) {
                auto one = ledger::boleto_candidate(m_ledger, given[next_given]);
                if (!one) {
                    return tl::unexpected(one.error());
                }
                if (*one) {
                    batch.push_back(std::move(**one));
                }
            }
            if (batch.empty() && next_given >= given.size()) {
                return commit();
            }
            if (auto r = issue_batch(batch); !r) {
                return r;
            }
        }
    }

    // Every candidate, in key order. The next batch is read on a second thread, through a
    // connection of its own, while this one issues the current batch: reading an invoice with
    // its payer is a fifth of the work. The batch read ahead is the ledger as it was at some
    // moment after this connection took the write lock for the current batch (the read starts
    // then). If no other connection has committed by the time this one takes the lock again
    // (SQLite's data_version has not moved), the ledger differs from what was read only by the
    // current batch's boletos, of lower keys: the batch is what reading it now would give.
    // Otherwise it is read again here, under the lock, as it always was before the read ahead.
    Result<void> issue_all()
    {
        auto reading = ledger::Ledger::open(m_ledger.path(), ledger::OpenOptions{});
        if (!reading) {
            return tl::unexpected(reading.error());
        }
        ledger::Ledger& reader = **reading;
        std::future<Result<std::vector<ledger::BoletoCandidate>>> ahead;  // waited for if left
        std::int64_t ahead_version = 0;
        std::int64_t after = 0;
        while (true) {
            if (auto r = begin(); !r) {
                return r;
            }
            auto version = ledger::data_version(m_ledger);
            if (!version) {
                return tl::unexpected(version.error());
            }
            Result<std::vector<ledger::BoletoCandidate>> found;
            if (ahead.valid()) {
                found = ahead.get();
                if (found && *version != ahead_version) {
                    found = found->empty() ? ledger::boleto_candidates(m_ledger, after, k_batch)
                                           : ledger::boleto_candidates_through(m_ledger, after, found->back().invoice);
                }
            } else {
                found = ledger::boleto_candidates(m_ledger, after, k_batch);
            }
            if (!found) {
                return tl::unexpected(found.error());
            }
            if (found->empty()) {
                return commit();
            }
            after = found->back().invoice;
            ahead_version = *version;
            ahead = std::async(std::launch::async,
                               [&reader, after] { return ledger::boleto_candidates(reader, after, k_batch); });
            if (auto r = issue_batch(*found); !r) {
                return r;
            }
        }
    }

    // Boletos of accounts with `registration: api` go to their banks (none in a dry run:
    // nothing changes remotely either).
    Result<void> register_online()
    {
        if (m_ctx.dry_run) {
            return {};
        }
        auto outcome = boleto::register_online(m_ledger, m_config, m_ctx, m_run);
        if (!outcome) {
            return tl::unexpected(outcome.error());
        }
        auto numbered = boleto::register_bank_numbered(m_ledger, m_config, m_ctx, m_run);
        if (!numbered) {
            return tl::unexpected(numbered.error());
        }
        outcome->registered += numbered->registered;
        if (outcome->unavailable.empty()) {
            outcome->unavailable = numbered->unavailable;
        }
        for (auto& item : numbered->set_aside) {
            outcome->set_aside.push_back(std::move(item));
        }
        m_summary.registered = outcome->registered;
        m_summary.unavailable = outcome->unavailable;
        for (auto& item : outcome->set_aside) {
            m_summary.set_aside.push_back(std::move(item));
        }
        const auto& w = outcome->write_offs;
        for (const auto* list : {&w.refused, &w.pending}) {
            for (const auto& item : *list) {
                m_ctx.warn(fmt::format("invoice {} (cancelled): {}", item.invoice, item.reason));
            }
        }
        if (w.unavailable && m_summary.unavailable.empty()) {
            m_summary.unavailable = "a write-off of a cancelled invoice's boleto was not answered";
        }
        return {};
    }

    std::filesystem::path pdf_dir() const { return boleto::pdf_dir(m_config); }

    Result<void> render_pdfs()
    {
        if (m_ctx.dry_run || !m_options.pdf) {
            return {};
        }
        std::error_code ec;
        std::filesystem::create_directories(pdf_dir(), ec);
        std::unique_ptr<PdfDocument> shared;
        std::filesystem::path shared_path = pdf_dir() / fmt::format("run-{}.pdf", m_run);
        std::vector<std::pair<std::int64_t, std::string>> done;
        std::int64_t after = 0;
        while (true) {
            auto batch = ledger::boletos_without_pdf(m_ledger, after, 500);
            if (!batch) {
                return tl::unexpected(batch.error());
            }
            if (batch->empty()) {
                break;
            }
            after = batch->back().key;
            if (m_options.one_pdf) {
                for (const auto& b : *batch) {
                    if (!shared) {
                        auto created = PdfDocument::create(shared_path);
                        if (!created) {
                            return tl::unexpected(created.error());
                        }
                        shared = std::move(*created);
                    }
                    if (auto r = shared->add(slip_of(b, m_config)); !r) {
                        return r;
                    }
                    done.emplace_back(b.key, shared_path.string());
                }
            } else if (auto r = render_files(*batch, done); !r) {
                return r;
            }
            if (!m_options.one_pdf) {
                if (auto r = store_pdfs(done); !r) {
                    return r;
                }
            }
        }
        if (shared) {
            if (auto r = shared->close(); !r) {
                return r;
            }
        }
        return store_pdfs(done);
    }

    // One file per boleto, rendered on every core. By processes, not threads: cairo 1.16's
    // shared font caches are not safe under threads drawing text (io/processes.hpp).
    Result<void> render_files(const std::vector<ledger::Boleto>& batch,
                              std::vector<std::pair<std::int64_t, std::string>>& done)
    {
        std::vector<Slip> slips;
        std::vector<std::filesystem::path> paths;
        slips.reserve(batch.size());
        for (const auto& b : batch) {
            slips.push_back(slip_of(b, m_config));
            paths.push_back(own_pdf_path(b, m_config));
        }
        // A few PDFs are not worth a process.
        constexpr std::size_t k_per_worker = 64;
        const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
        const auto parts = static_cast<unsigned>(
            std::clamp<std::size_t>(slips.size() / k_per_worker, 1, cores));
        PdfDocument::load_fonts();
        auto rendered = io::in_processes(parts, [&](unsigned part, unsigned n) -> Result<void> {
            for (std::size_t i = part; i < slips.size(); i += n) {
                auto doc = PdfDocument::create(paths[i]);
                if (!doc) {
                    return tl::unexpected(doc.error());
                }
                if (auto r = (*doc)->add(slips[i]); !r) {
                    return r;
                }
                if (auto r = (*doc)->close(); !r) {
                    return r;
                }
            }
            return {};
        });
        if (!rendered) {
            return rendered;
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
            done.emplace_back(batch[i].key, paths[i].string());
        }
        return {};
    }

    Result<void> store_pdfs(std::vector<std::pair<std::int64_t, std::string>>& done)
    {
        if (done.empty()) {
            return {};
        }
        if (auto r = begin(); !r) {
            return r;
        }
        for (const auto& [key, path] : done) {
            if (auto r = ledger::set_boleto_pdf(m_ledger, key, path); !r) {
                return r;
            }
        }
        m_summary.pdfs += static_cast<std::int64_t>(done.size());
        m_ctx.progress("PDFs", m_summary.pdfs, 0);
        done.clear();
        return commit();
    }

    Result<void> emit(const BoletoSink& sink)
    {
        if (m_emit_early) {
            return {};  // printed batch by batch
        }
        std::int64_t after = 0;
        while (true) {
            auto batch = ledger::boletos_of_run(m_ledger, m_run, after, 2000);
            if (!batch) {
                return tl::unexpected(batch.error());
            }
            if (batch->empty()) {
                return {};
            }
            after = batch->back().key;
            for (auto& b : *batch) {
                sink(std::move(b));
            }
        }
    }

    Result<void> finish()
    {
        if (auto r = begin(); !r) {
            return r;
        }
        m_summary.finished = m_ctx.now();
        auto counts = fmt::format(
            R"({{"issued":{},"registered":{},"pdfs":{},"remessas":{},"write_offs":{},"set_aside":{}}})",
            m_summary.issued, m_summary.registered, m_summary.pdfs, m_summary.remessas.size(), m_summary.write_offs,
            m_summary.set_aside.size());
        std::string status = m_ctx.dry_run ? "dry-run"
                             : !m_summary.unavailable.empty() ? "failed"
                             : (m_summary.set_aside.empty() ? "ok" : "partial");
        if (auto r = ledger::finish_run(m_ledger, m_run, m_summary.finished, status, counts); !r) {
            return r;
        }
        m_summary.run = m_ctx.dry_run ? 0 : m_run;
        auto r = commit();
        m_tx.reset();
        return r;
    }

    ledger::Ledger& m_ledger;
    const config::Config& m_config;
    const RunContext& m_ctx;
    const IssueOptions& m_options;
    std::optional<ledger::WriteTransaction> m_tx;
    std::map<std::string, std::int64_t> m_sequences;
    std::int64_t m_run = 0;
    std::int64_t m_batch_first = 0;
    std::int64_t m_batch_last = 0;
    IssueSummary m_summary;
    const BoletoSink* m_sink = nullptr;
    RemessaFiles m_remessas;
    // A boleto's document is whole once its batch commits, unless a PDF or a bank's API is to
    // come: then it is printed at the end, read back from the ledger.
    bool m_emit_early = false;
    std::vector<ledger::Boleto> m_issued;  // this batch's, printed once it commits
};

}  // namespace

Result<IssueSummary> issue_boletos(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                   const IssueOptions& options, const BoletoSink& sink)
{
    Issuer issuer(ledger, config, ctx, options);
    return issuer.run(sink);
}

Result<std::filesystem::path> own_pdf(const ledger::Boleto& boleto, const config::Config& config)
{
    const auto path = own_pdf_path(boleto, config);
    std::error_code ec;
    if (boleto.pdf == path.string() && std::filesystem::is_regular_file(path, ec)) {
        return path;
    }
    // No PDF (--no-pdf), or a page of a file shared by the run's boletos (--one-pdf), which
    // must not reach this payer: its own file, rendered now.
    std::filesystem::create_directories(path.parent_path(), ec);
    auto doc = PdfDocument::create(path);
    if (!doc) {
        return tl::unexpected(doc.error());
    }
    if (auto r = (*doc)->add(slip_of(boleto, config)); !r) {
        return tl::unexpected(r.error());
    }
    if (auto r = (*doc)->close(); !r) {
        return tl::unexpected(r.error());
    }
    return path;
}

}  // namespace billrun::boleto
