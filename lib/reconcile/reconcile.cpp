// billrun reconcile: read every file once to be sure it can be read (nothing written if not),
// then apply its records in one transaction.
#include <billrun/reconcile/reconcile.hpp>

#include <map>
#include <set>
#include <thread>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include <billrun/boleto/bank.hpp>
#include <billrun/core/batch_queue.hpp>
#include <billrun/cnab/retorno.hpp>
#include <billrun/core/late.hpp>
#include <billrun/io/files.hpp>
#include <billrun/ledger/payments.hpp>
#include <billrun/reconcile/statement.hpp>

#include "apply.hpp"
#include "records.hpp"

namespace billrun::reconcile {

namespace {

using detail::FileFacts;
using detail::Format;
using detail::Item;
using detail::RankCounter;
using detail::format_name;
using detail::inspect;
using detail::read_items;

// The banks whose nosso números carry a check digit in every account billrun.yaml lists for
// them (asked of the bank's own rule). Their retornos write the number followed by its DV, so
// "…0000012" is boleto 1 with DV 2 before it is boleto 12: reading it as 12 first pays the
// wrong invoice as soon as the account has a dozen boletos. Banco do Brasil's convênio 7 and
// 8 and its service 21 have no DV: there the whole field is the number.
std::set<std::string> banks_with_check_digit(const config::Config& config)
{
    std::map<std::string, bool> all_dv;
    for (const auto& a : config.boleto.accounts) {
        const boleto::Bank* bank = boleto::find_bank(a.bank);
        bool dv = false;
        if (bank != nullptr) {
            const boleto::Beneficiary who{a.bank,          a.agency,   a.agency_digit, a.account,
                                          a.account_digit, a.convenio, a.carteira};
            auto nosso = bank->nosso_numero(who, 1);
            dv = nosso && !nosso->dv.empty();
        }
        auto [it, added] = all_dv.emplace(a.bank, dv);
        if (!added) {
            it->second = it->second && dv;
        }
    }
    std::set<std::string> out;
    for (const auto& [bank, dv] : all_dv) {
        if (dv) {
            out.insert(bank);
        }
    }
    return out;
}

// Integer keys (the invoices a run changed): a bit each for the usual dense keys, a set for
// any beyond.
class KeySet {
public:
    void insert(std::int64_t key)
    {
        if (key < 0 || key >= k_bits) {
            m_far.insert(key);
            return;
        }
        const auto at = static_cast<std::size_t>(key);
        if (at >= m_bits.size()) {
            m_bits.resize(std::max(at + 1, m_bits.size() * 2));
        }
        m_bits[at] = true;
    }

    bool contains(std::int64_t key) const
    {
        if (key < 0 || key >= k_bits) {
            return m_far.contains(key);
        }
        const auto at = static_cast<std::size_t>(key);
        return at < m_bits.size() && m_bits[at];
    }

private:
    static constexpr std::int64_t k_bits = std::int64_t{1} << 28;  // at most 32 MiB of bits
    std::vector<bool> m_bits;
    std::unordered_set<std::int64_t> m_far;
};

class Reconciler {
public:
    Reconciler(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx, const PaymentSink& sink,
               std::set<std::string> dv_banks)
        : m_ledger(ledger), m_config(config), m_ctx(ctx), m_sink(sink), m_dv_banks(std::move(dv_banks))
    {
    }

    Counts counts;

    Result<void> apply(const FileFacts& f, Item& item, std::int64_t run)
    {
        m_run = run;
        if (f.name != m_source) {
            m_source = f.name;
            m_settlements = RankCounter{};
        }
        ledger::Payment p;
        p.source_key = item.key;
        p.source = f.name;
        p.record = item.record;
        if (item.cnab) {
            // A record seen before is found by its insert (the unique source key), not looked up.
            return apply_cnab(item, p);
        }
        auto seen = ledger::payment_seen(m_ledger, item.key);
        if (!seen) {
            return tl::unexpected(seen.error());
        }
        return apply_statement(item, p, *seen);
    }

    // Writes what the payments applied from records read ahead left held (see
    // ledger::PaymentBatch): before anything reads their invoices or boletos, and at the end.
    Result<void> flush() { return m_held.flush(m_ledger); }

    // A hint the bank did not confirm: shown, counted as unmatched, never recorded as a payment.
    void report_unconfirmed(const ledger::Payment& p)
    {
        ++counts.unmatched;
        ledger::Payment shown = p;
        emit(shown, "unmatched", {});
    }

private:
    // Hands the payment to the sink, which builds its document: moved, as the caller is done with it.
    void emit(ledger::Payment& p, std::string status, const std::string& invoice_id)
    {
        m_sink(PaymentOutcome{std::move(p), std::move(status), invoice_id});
    }

    Result<void> duplicate(ledger::Payment& p, const std::string& invoice_id,
                           std::string reason = "already applied (this bank record was reconciled before)")
    {
        ++counts.duplicate;
        p.reason = std::move(reason);
        emit(p, "duplicate", invoice_id);
        return {};
    }

    // A payment the ledger refused as one it holds already: by its bank record, or by its
    // settlement from another source.
    Result<void> duplicate_of(ledger::Payment& p, const std::string& invoice_id)
    {
        auto seen = ledger::payment_seen(m_ledger, p.source_key);
        if (!seen) {
            return tl::unexpected(seen.error());
        }
        if (!*seen && p.settlement) {
            auto before = ledger::settlement_applied(m_ledger, *p.settlement);
            if (!before) {
                return tl::unexpected(before.error());
            }
            if (*before) {
                return duplicate(p, invoice_id,
                                 fmt::format("already applied: the same payment of this boleto (date, amount) came "
                                             "from {}",
                                             **before));
            }
        }
        return duplicate(p, invoice_id);
    }

    // Records a payment that changes no invoice, counted in `count` and shown with
    // `invoice_id`; a duplicate (shown with `duplicate_invoice_id`) when its bank record was
    // recorded before.
    Result<void> record(ledger::Payment& p, std::int64_t& count, const std::string& invoice_id,
                        const std::string& duplicate_invoice_id)
    {
        if (p.boleto) {
            // The bank's word on a boleto changes its status unless it was paid: it reads it.
            if (auto written = flush(); !written) {
                return written;
            }
        }
        auto recorded = ledger::record_payment(m_ledger, m_run, p);
        if (!recorded) {
            return tl::unexpected(recorded.error());
        }
        if (!*recorded) {
            return duplicate_of(p, duplicate_invoice_id);
        }
        ++count;
        emit(p, p.status, invoice_id);
        return {};
    }

    // Boletos looked up ahead on the reading connection show their invoices as the run found
    // them: an invoice this run has changed since is read again, here, where its change is.
    Result<void> refresh(std::vector<ledger::BoletoMatch>& matches)
    {
        for (auto& m : matches) {
            if (!m_changed.contains(m.invoice.key)) {
                continue;
            }
            if (auto written = flush(); !written) {
                return written;
            }
            auto now = ledger::payable_invoice(m_ledger, m.invoice.key);
            if (!now) {
                return tl::unexpected(now.error());
            }
            if (*now) {
                m.invoice.status = (*now)->status;
                m.invoice.balance = (*now)->balance;
            }
        }
        return {};
    }

    Result<void> apply_cnab(Item& item, ledger::Payment& p)
    {
        const auto& r = item.ret;
        p.nosso_numero = r.nosso_numero;
        p.date = r.occurrence_date.value_or(r.credit_date.value_or(m_ctx.business_date));
        p.amount = r.amount_paid;
        p.interest = r.interest;
        p.fine = r.fine;
        p.fee = r.fee;
        p.credit_date = r.credit_date;
        if (r.occurrence == cnab::Occurrence::other) {
            ++counts.ignored;
            return {};
        }
        // The nosso número as the file carries it may include the check digit. Of the boletos it
        // may name, those matched as number + their own check digit come first for a bank whose
        // numbers have one, the whole-field ones first for the others. Two candidates left (two
        // accounts at one bank with the same number) are never guessed between.
        if (!item.looked_up) {
            auto found = ledger::boletos_by_nosso_numero_preferring(m_ledger, item.bank, r.nosso_numero,
                                                                    m_dv_banks.contains(item.bank));
            if (!found) {
                return tl::unexpected(found.error());
            }
            item.found = std::move(*found);
        } else if (auto fresh = refresh(item.found); !fresh) {
            return fresh;
        }
        const std::vector<ledger::BoletoMatch>& best = item.found;
        const ledger::BoletoMatch* match = best.size() == 1 ? &best.front() : nullptr;
        std::string invoice_id = match != nullptr ? match->invoice.id : std::string();
        if (match != nullptr && r.occurrence == cnab::Occurrence::paid) {
            // The same payment from any source (another retorno, the bank's API) is this one.
            const std::string same = fmt::format("{}:{}:{}", match->boleto, p.date.iso(), p.amount);
            p.settlement = ledger::settlement_key(match->boleto, p.date, p.amount, m_settlements.next(same));
        }
        if (best.size() > 1) {
            std::vector<std::string> ids;
            for (const auto& m : best) {
                ids.push_back(m.invoice.id);
            }
            p.status = "ambiguous";
            p.reason = fmt::format("nosso número {} names boletos of more than one account: candidates: {}",
                                   r.nosso_numero, fmt::join(ids, ", "));
            return record(p, counts.ambiguous, {}, invoice_id);
        }
        if (match != nullptr) {
            p.boleto = match->boleto;
            p.invoice = match->invoice.key;
        }
        switch (r.occurrence) {
        case cnab::Occurrence::paid:
            if (match == nullptr) {
                return unmatched(p, fmt::format("no boleto of bank {} with nosso número {}", item.bank, r.nosso_numero));
            }
            return applied(p, match->invoice, item.looked_up);
        case cnab::Occurrence::rejected:
            p.status = "rejected";
            p.reason = r.reasons.empty() ? fmt::format("entry rejected (occurrence {})", r.occurrence_code)
                                         : fmt::format("entry rejected (occurrence {}, reasons {})", r.occurrence_code,
                                                       fmt::join(r.reasons, ", "));
            return record(p, counts.rejected, invoice_id, invoice_id);
        case cnab::Occurrence::entry_confirmed:
            p.status = "confirmed";
            return record(p, counts.confirmed, invoice_id, invoice_id);
        case cnab::Occurrence::written_off:
            p.status = "written-off";
            return record(p, counts.written_off, invoice_id, invoice_id);
        case cnab::Occurrence::other:
            break;
        }
        return {};
    }

    Result<void> apply_statement(const Item& item, ledger::Payment& p, bool seen)
    {
        const auto& l = item.line;
        p.date = l.date;
        p.amount = l.amount;
        if (l.amount <= 0) {
            ++counts.ignored;  // debits are not payments to us
            return {};
        }
        if (seen) {
            return duplicate(p, {});
        }
        if (auto written = flush(); !written) {
            return written;
        }
        auto candidates = ledger::open_invoices_with_balance(m_ledger, l.amount, l.date, l.tax_id);
        if (!candidates) {
            return tl::unexpected(candidates.error());
        }
        if (candidates->empty() && !l.tax_id.empty()) {
            // Paid late, with the late charges as of the payment's day: the payer's open
            // invoices whose balance plus those charges is the amount.
            auto of_payer = ledger::open_invoices_of_payer(m_ledger, l.tax_id, l.date);
            if (!of_payer) {
                return tl::unexpected(of_payer.error());
            }
            for (const auto& c : *of_payer) {
                if (c.due_date < l.date && c.balance + late_on(c, l.date).total() == l.amount) {
                    candidates->push_back(c);
                }
            }
        }
        if (candidates->empty()) {
            return unmatched(p, fmt::format("no open invoice of {}{}", format_money(l.amount),
                                            l.tax_id.empty() ? std::string() : " for payer " + l.tax_id));
        }
        if (candidates->size() > 1) {
            // Never applied automatically: listed with its candidates.
            std::vector<std::string> ids;
            for (const auto& c : *candidates) {
                ids.push_back(c.id);
            }
            p.status = "ambiguous";
            p.reason = fmt::format("candidates: {}", fmt::join(ids, ", "));
            return record(p, counts.ambiguous, {}, {});
        }
        return applied(p, candidates->front(), false);
    }

    Result<void> unmatched(ledger::Payment& p, std::string reason)
    {
        p.status = "unmatched";
        p.reason = std::move(reason);
        return record(p, counts.unmatched, {}, {});
    }

    // The late charges (SPEC §7) an invoice had run up by the day it was paid.
    LateCharges late_on(const ledger::PayableInvoice& invoice, Date paid) const
    {
        return late_charges(invoice.net, invoice.due_date, paid, m_config.boleto.fine_percent,
                            m_config.boleto.interest_percent_month);
    }

    // `hold`: its invoice's and boleto's updates held back in m_held (the invoice was read ahead).
    Result<void> applied(ledger::Payment& p, const ledger::PayableInvoice& invoice, bool hold)
    {
        p.status = "applied";
        p.invoice = invoice.key;
        const Centavos reported_interest = p.interest;
        const Centavos reported_fine = p.fine;
        if (p.interest == 0 && p.fine == 0 && p.amount > invoice.balance &&
            (invoice.status == "issued" || invoice.status == "partly-paid")) {
            // Paid late with the charges the reminder showed, and the bank (or statement) did
            // not split them out: what exceeds the balance is fine and interest up to what was
            // due that day, not a credit.
            const LateCharges late = late_on(invoice, p.date);
            const Centavos charges = std::min(p.amount - invoice.balance, late.total());
            p.fine = std::min(charges, late.fine);
            p.interest = charges - p.fine;
        }
        auto applied =
            hold ? m_held.apply(m_ledger, m_run, p, invoice) : ledger::apply_payment(m_ledger, m_run, p, invoice);
        if (!applied) {
            return tl::unexpected(applied.error());
        }
        if (!*applied) {
            p.interest = reported_interest;
            p.fine = reported_fine;
            return duplicate_of(p, invoice.id);
        }
        m_changed.insert(invoice.key);
        const ledger::Applied* effect = &**applied;
        p.reason = invoice.status == "cancelled" || invoice.status == "draft"
                       ? fmt::format("invoice is {}: {} credited to customer {}", invoice.status,
                                     format_money(effect->credit), invoice.customer)
                   : effect->credit > 0
                       ? fmt::format("overpaid: {} credited to customer {}", format_money(effect->credit), invoice.customer)
                       : (effect->status == "paid" ? std::string("paid")
                                                   : fmt::format("partly paid: {} still open", format_money(effect->balance)));
        ++counts.applied;
        emit(p, p.status, invoice.id);
        return {};
    }

    ledger::Ledger& m_ledger;
    const config::Config& m_config;
    const RunContext& m_ctx;
    const PaymentSink& m_sink;
    std::set<std::string> m_dv_banks;
    std::int64_t m_run = 0;
    std::string m_source;                        // the file (or bank) of the records applied now
    RankCounter m_settlements;                   // of boleto:date:amount, in this source
    KeySet m_changed;                            // invoices this run applied payments to
    ledger::PaymentBatch m_held;                 // their updates not written yet
};

constexpr std::size_t k_batch_items = 512;
constexpr std::size_t k_batches_read_ahead = 4;

// The boletos each CNAB record of `batch` names, looked up in one read transaction of
// `reading`: what the ledger held when this run's transaction began.
Result<void> look_up(ledger::Ledger& reading, std::vector<Item>& batch, const std::set<std::string>& dv_banks)
{
    return ledger::in_read_transaction(reading, [&]() -> Result<void> {
        for (auto& item : batch) {
            item.looked_up = false;
            item.found.clear();
            if (!item.cnab || item.ret.occurrence == cnab::Occurrence::other) {
                continue;
            }
            auto found = ledger::boletos_by_nosso_numero_preferring(reading, item.bank, item.ret.nosso_numero,
                                                                    dv_banks.contains(item.bank));
            if (!found) {
                return tl::unexpected(found.error());
            }
            item.found = std::move(*found);
            item.looked_up = true;
        }
        return {};
    });
}

// Pass 2 of a file: its records read, keyed and looked up on a second thread, through a
// connection of its own, in batches, while this thread applies them (`apply`) and writes
// only to the ledger. The reading connection sees the ledger as this run's transaction
// found it (no other run writes while it is open); the applying side corrects what this run
// changed since (Reconciler::refresh). Errors: those of the reading, or of `apply`.
Result<std::int64_t> apply_file(ledger::Ledger& reading, const FileFacts& f, const config::Config& config,
                                const std::set<std::string>& dv_banks, const std::function<Result<void>(Item&)>& apply)
{
    BatchQueue<Item> queue(k_batches_read_ahead);
    BatchQueue<Item> spent(k_batches_read_ahead + 3);  // room for every batch there is: never waits
    std::optional<Error> read_error;
    std::int64_t count = 0;
    std::thread reader([&] {
        std::vector<Item> batch;
        std::size_t used = 0;
        bool stopped = false;
        const auto send = [&] {
            batch.resize(used);
            if (auto looked = look_up(reading, batch, dv_banks); !looked) {
                read_error = looked.error();
                return false;
            }
            if (!queue.push(std::move(batch))) {
                return false;  // the applying stopped
            }
            batch = spent.try_pop().value_or(std::vector<Item>());
            used = 0;
            return true;
        };
        auto read = read_items(f, config, [&](Item& item) -> Result<void> {
            if (used == batch.size()) {
                batch.resize(k_batch_items);
            }
            std::swap(batch[used++], item);
            if (used == k_batch_items && !send()) {
                stopped = true;
                return fail(ErrorCode::internal, "reading stopped");
            }
            return {};
        });
        if (read) {
            count = *read;
            if (used > 0) {
                send();
            }
        } else if (!stopped) {
            read_error = read.error();
        }
        queue.close();
    });
    const ProducerStop<Item> stop(queue, reader);
    while (auto batch = queue.pop()) {
        for (auto& item : *batch) {
            if (auto r = apply(item); !r) {
                return tl::unexpected(r.error());
            }
        }
        spent.push(std::move(*batch));
    }
    reader.join();
    if (read_error) {
        return tl::unexpected(*read_error);
    }
    return count;
}

}  // namespace

Result<Summary> run_reconcile(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                              const std::vector<std::string>& files, const PaymentSink& sink)
{
    Summary summary;
    summary.started = ctx.now();
    // Pass 1: every file readable, whole, before anything is applied.
    std::vector<FileFacts> facts;
    std::int64_t total = 0;
    for (const auto& name : files) {
        auto f = inspect(name);
        if (!f) {
            return tl::unexpected(f.error());
        }
        auto counted = read_items(*f, config, nullptr);
        if (!counted) {
            return tl::unexpected(counted.error());
        }
        total += *counted;
        facts.push_back(std::move(*f));
    }
    // Pass 2: one transaction for the whole run; the records read on a second connection, opened
    // before it.
    auto reading = ledger::Ledger::open(ledger.path(), ledger::OpenOptions{});
    if (!reading) {
        return tl::unexpected(reading.error());
    }
    if (auto small = ledger::use_for_reading_ahead(**reading); !small) {
        return tl::unexpected(small.error());
    }
    auto tx = ledger::WriteTransaction::begin(ledger);
    if (!tx) {
        return tl::unexpected(tx.error());
    }
    auto run = ledger::start_run(ledger, {"reconcile", ctx.business_date.iso(), summary.started});
    if (!run) {
        return tl::unexpected(run.error());
    }
    const std::set<std::string> dv_banks = banks_with_check_digit(config);
    Reconciler reconciler(ledger, config, ctx, sink, dv_banks);
    std::int64_t applied = 0;
    for (const auto& f : facts) {
        auto done = ledger::file_reconciled(ledger, f.hash);
        if (!done) {
            return tl::unexpected(done.error());
        }
        if (*done) {
            ctx.warn(fmt::format("{}: already reconciled (same content); skipped", f.name));
            summary.skipped.push_back(f.name);
            ++reconciler.counts.files_skipped;
            continue;
        }
        auto count = apply_file(**reading, f, config, dv_banks, [&](Item& item) {
            if (++applied % 1000 == 0) {
                ctx.progress("records", applied, total);
            }
            return reconciler.apply(f, item, *run);
        });
        if (!count) {
            return tl::unexpected(count.error());
        }
        if (auto written = reconciler.flush(); !written) {
            return tl::unexpected(written.error());
        }
        if (auto r = ledger::record_reconciled_file(ledger, *run, f.hash, f.name, format_name(f.format), *count); !r) {
            return tl::unexpected(r.error());
        }
        ++reconciler.counts.files;
    }
    summary.counts = reconciler.counts;
    summary.finished = ctx.now();
    const Counts& c = summary.counts;
    auto counts = fmt::format(
        R"({{"applied":{},"confirmed":{},"written_off":{},"unmatched":{},"ambiguous":{},"rejected":{},"duplicate":{},"files":{},"files_skipped":{}}})",
        c.applied, c.confirmed, c.written_off, c.unmatched, c.ambiguous, c.rejected, c.duplicate, c.files,
        c.files_skipped);
    if (auto r = ledger::finish_run(ledger, *run, summary.finished, ctx.dry_run ? "dry-run" : "ok", counts); !r) {
        return tl::unexpected(r.error());
    }
    if (!ctx.dry_run) {
        if (auto r = tx->commit(); !r) {
            return tl::unexpected(r.error());
        }
        summary.run = *run;
    }
    return summary;
}

Result<Counts> apply_bank_findings(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                   std::int64_t run, const BankFindings& findings, const PaymentSink& sink)
{
    Reconciler reconciler(ledger, config, ctx, sink, banks_with_check_digit(config));
    for (const auto& record : findings.records) {
        FileFacts source;
        source.name = record.source;
        source.format = Format::cnab;
        Item item;
        item.record = record.record;
        item.key = record.key;
        item.cnab = true;
        item.bank = record.bank;
        item.ret = record.ret;
        if (auto r = reconciler.apply(source, item, run); !r) {
            return tl::unexpected(r.error());
        }
    }
    for (const auto& p : findings.unconfirmed) {
        reconciler.report_unconfirmed(p);
    }
    reconciler.counts.ignored += findings.ignored;
    return reconciler.counts;
}

}  // namespace billrun::reconcile
