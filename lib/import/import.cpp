#include <billrun/import/import.hpp>

#include <set>
#include <thread>

#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include <billrun/core/batch_queue.hpp>
#include <billrun/core/text.hpp>
#include <billrun/core/periods.hpp>
#include <billrun/io/files.hpp>
#include <billrun/ledger/billing.hpp>
#include <billrun/ledger/payments.hpp>

#include "convert.hpp"
#include "fields.hpp"
#include "source.hpp"

namespace billrun::import {

namespace {

// Readers report "file:line:column: message"; the report wants the parts.
Problem problem_from_message(const std::string& file, const std::string& message)
{
    Problem p{file, 0, 0, message};
    std::string_view rest(message);
    if (!rest.starts_with(file + ":")) {
        return p;
    }
    rest.remove_prefix(file.size() + 1);
    auto number = [&rest](std::int64_t& out) {
        std::size_t i = 0;
        std::int64_t value = 0;
        while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9' && i < 12) {
            value = value * 10 + (rest[i] - '0');
            ++i;
        }
        if (i == 0 || i >= rest.size() || rest[i] != ':') {
            return false;
        }
        out = value;
        rest.remove_prefix(i + 1);
        return true;
    };
    std::int64_t column = 0;
    if (number(p.line)) {
        if (number(column)) {
            p.column = static_cast<int>(column);
        }
    }
    p.message = std::string(trim(rest));
    return p;
}

// A record as the reading thread hands it over: what was read, the problems found so far and,
// for customers (which need nothing from the ledger to be checked), the converted record.
struct ReadRecord {
    RawRecord raw;
    std::vector<Problem> problems;
    bool failed = false;
    std::optional<ledger::Customer> customer;
};

constexpr std::size_t k_read_batch = 1024;
constexpr std::size_t k_read_batches_queued = 8;

// Runs on the reading thread: every record of the source, in order, in batches; a source
// that cannot go on ends the stream with its error (written before the queue is closed).
// Batches the writer is done with come back in `spent`, so records' buffers are reused rather
// than allocated here and freed there.
void read_records(Source& source, Kind kind, const std::string& file, BatchQueue<ReadRecord>& queue,
                  BatchQueue<ReadRecord>& spent, std::optional<Error>& error)
{
    try {
        std::vector<ReadRecord> recycled;
        std::size_t reuse = 0;
        auto next_batch = [&] {
            std::vector<ReadRecord> batch;
            if (auto back = spent.try_pop()) {
                recycled = std::move(*back);
            } else {
                recycled.clear();
            }
            reuse = 0;
            batch.reserve(k_read_batch);
            return batch;
        };
        std::vector<ReadRecord> batch = next_batch();
        while (true) {
            ReadRecord item;
            if (reuse < recycled.size()) {
                item = std::move(recycled[reuse++]);
                item.raw.clear();
                item.problems.clear();
                item.failed = false;
            }
            auto got = source.next(item.raw, item.problems);
            if (!got) {
                error = got.error();
                break;
            }
            if (!*got) {
                break;
            }
            item.failed = !item.problems.empty();
            if (kind == Kind::customers) {
                Checker check(file, item.problems);
                if (item.failed) {
                    check.mark_failed();
                }
                item.customer = to_customer(item.raw, check);
                item.failed = check.failed();
            }
            batch.push_back(std::move(item));
            if (batch.size() == k_read_batch) {
                if (!queue.push(std::move(batch))) {
                    return;  // the writer stopped
                }
                batch = next_batch();
            }
        }
        if (!batch.empty()) {
            queue.push(std::move(batch));
        }
    } catch (const std::exception& e) {
        error = Error{ErrorCode::internal, fmt::format("{}: {}", file, e.what())};
    }
    queue.close();
}

class Importer {
public:
    Importer(ledger::Ledger& ledger, const config::Config& config, const Options& options, std::int64_t run,
             const RunContext& ctx)
        : m_ledger(ledger), m_config(config), m_options(options), m_run(run), m_ctx(ctx) {}

    // Reads one file into the open transaction; problems land in the report.
    Result<void> import_file(io::Input& input, FileReport& report, std::vector<Problem>& warnings)
    {
        auto source = open_source(m_options.kind, input, warnings);
        if (!source) {
            if (source.error().code != ErrorCode::data_invalid) {
                return tl::unexpected(source.error());
            }
            // The file as a whole cannot be read: one problem, every record invalid.
            report.invalid += 1;
            report.errors.push_back(problem_from_message(input.name, source.error().message));
            return {};
        }
        // The file is read and its records converted on a second thread while this one writes
        // them to the ledger (on a million customers, reading and checking is a fifth of the work).
        BatchQueue<ReadRecord> queue(k_read_batches_queued);
        BatchQueue<ReadRecord> spent(k_read_batches_queued + 2);  // never full: fewer batches exist
        std::optional<Error> read_error;
        std::thread reader([&] { read_records(**source, m_options.kind, input.name, queue, spent, read_error); });
        ProducerStop<ReadRecord> stop(queue, reader);  // a reader still pushing is told to stop
        while (auto batch = queue.pop()) {
            for (auto& item : *batch) {
                Checker check(input.name, item.problems);
                if (item.failed) {
                    // Problems found while reading (an unknown YAML key) or converting fail the record.
                    check.mark_failed();
                }
                auto written = write_record(item, check, report);
                if (!written) {
                    return written;
                }
                if (++m_records % 10000 == 0) {
                    m_ctx.progress("records", m_records, 0);
                }
                if (check.failed()) {
                    report.invalid += 1;
                    for (auto& p : item.problems) {
                        if (report.errors.size() < k_max_reported) {
                            report.errors.push_back(std::move(p));
                        }
                    }
                }
            }
            spent.push(std::move(*batch));
        }
        queue.close();
        reader.join();
        if (read_error) {
            if (read_error->code != ErrorCode::data_invalid) {
                return tl::unexpected(*read_error);
            }
            // The rest of the file cannot be read: one more invalid record, and the reading stops.
            report.invalid += 1;
            report.errors.push_back(problem_from_message(input.name, read_error->message));
        }
        if (m_options.kind == Kind::contracts) {
            return flush_contracts(report);
        }
        return {};
    }

private:
    Result<void> write_record(const ReadRecord& item, Checker& check, FileReport& report)
    {
        const RawRecord& raw = item.raw;
        switch (m_options.kind) {
        case Kind::customers: {
            if (!item.customer || check.failed()) {
                return {};
            }
            return count(ledger::upsert_customer(m_ledger, m_run, *item.customer), raw, check, report);
        }
        case Kind::services: {
            auto record = to_service(raw, check);
            if (!record || check.failed()) {
                return {};
            }
            return count(ledger::upsert_service(m_ledger, m_run, *record), raw, check, report);
        }
        case Kind::contracts:
            collect_contract(raw, check);
            return {};
        case Kind::charges:
            return write_charge(raw, check, report);
        case Kind::payments:
            return write_payment(raw, check, report);
        }
        return {};
    }

    // Money received outside the bank files (cash, transfer): applied to its invoice like a
    // retorno's payment, once: re-importing the same rows finds them already applied.
    Result<void> write_payment(const RawRecord& raw, Checker& check, FileReport& report)
    {
        const std::string& invoice_id = raw[Field::invoice].value;
        const std::string& nosso = raw[Field::nosso_numero].value;
        if (invoice_id.empty() == nosso.empty()) {
            check.add(raw[Field::invoice], raw.line, "give the invoice (e.g. A-000123) or the nosso número, one of them");
        }
        auto date = parse_date(raw[Field::date].value);
        if (!date) {
            check.add(raw[Field::date], raw.line,
                      fmt::format("date '{}' is not a date (dd/mm/yyyy or yyyy-mm-dd)", raw[Field::date].value));
        }
        auto amount = parse_money(raw[Field::amount].value);
        if (!amount || *amount <= 0) {
            check.add(raw[Field::amount], raw.line,
                      fmt::format("amount '{}' is not a positive amount", raw[Field::amount].value));
        }
        if (check.failed()) {
            return {};
        }
        std::optional<ledger::PayableInvoice> invoice;
        std::optional<std::int64_t> boleto;
        if (!invoice_id.empty()) {
            auto found = ledger::payable_invoice_by_id(m_ledger, invoice_id);
            if (!found) {
                return tl::unexpected(found.error());
            }
            invoice = *found;
        } else {
            std::string digits;
            for (char c : nosso) {
                if (c >= '0' && c <= '9') {
                    digits += c;
                }
            }
            std::set<std::string> banks;
            for (const auto& account : m_config.boleto.accounts) {
                banks.insert(account.bank);
            }
            std::vector<ledger::BoletoMatch> found;
            for (const auto& bank : banks) {
                auto matches = ledger::boletos_by_nosso_numero(m_ledger, bank, digits);
                if (!matches) {
                    return tl::unexpected(matches.error());
                }
                found.insert(found.end(), matches->begin(), matches->end());
            }
            if (found.size() > 1) {
                std::vector<std::string> ids;
                for (const auto& m : found) {
                    ids.push_back(m.invoice.id);
                }
                check.add(raw[Field::nosso_numero], raw.line,
                          fmt::format("nosso número '{}' names more than one boleto ({}): give the invoice instead",
                                      nosso, fmt::join(ids, ", ")));
                return {};
            }
            if (found.size() == 1) {
                boleto = found.front().boleto;
                invoice = found.front().invoice;
            }
        }
        if (!invoice) {
            check.add(invoice_id.empty() ? raw[Field::nosso_numero] : raw[Field::invoice], raw.line,
                      fmt::format("no invoice '{}' in the ledger", invoice_id.empty() ? nosso : invoice_id));
            return {};
        }
        ledger::Payment p;
        std::string base = fmt::format("import:{}:{}:{}", invoice->key, date->iso(), *amount);
        p.source_key = fmt::format("{}:{}", base, ++m_payment_occurrences[base]);
        p.source = report.file;
        p.record = std::to_string(raw.line);
        p.invoice = invoice->key;
        p.boleto = boleto;
        p.nosso_numero = nosso;
        p.date = *date;
        p.amount = *amount;
        p.status = "applied";
        p.reason = raw[Field::description].value;
        auto seen = ledger::payment_seen(m_ledger, p.source_key);
        if (!seen) {
            return tl::unexpected(seen.error());
        }
        if (*seen) {
            ++report.unchanged;
            return {};
        }
        auto applied = ledger::apply_payment(m_ledger, m_run, p, *invoice);
        if (!applied) {
            return tl::unexpected(applied.error());
        }
        if (!*applied) {
            ++report.unchanged;
            return {};
        }
        ++report.created;
        return {};
    }

    // A charge without an id gets one derived from its content, with the occurrence number
    // of identical rows in this import: re-importing the same rows gives the same ids.
    Result<void> write_charge(const RawRecord& raw, Checker& check, FileReport& report)
    {
        auto charge = to_charge(raw, check);
        if (!charge || check.failed()) {
            return {};
        }
        if (charge->id.empty()) {
            auto base = derived_charge_id(*charge);
            int occurrence = ++m_charge_occurrences[base];
            charge->id = occurrence == 1 ? base : fmt::format("{}-{}", base, occurrence);
        }
        auto customer = ledger::customer_exists(m_ledger, charge->customer);
        if (!customer) {
            return tl::unexpected(customer.error());
        }
        if (!*customer) {
            check.add(raw[Field::customer], raw.line,
                      fmt::format("customer '{}' does not exist (import customers first)", charge->customer));
        }
        auto service = ledger::service_exists(m_ledger, charge->service);
        if (!service) {
            return tl::unexpected(service.error());
        }
        if (!*service) {
            check.add(raw[Field::service], raw.line,
                      fmt::format("service '{}' does not exist (import services first)", charge->service));
        }
        if (!charge->contract.empty()) {
            auto contract = ledger::find_contract(m_ledger, charge->contract);
            if (!contract) {
                return tl::unexpected(contract.error());
            }
            if (!*contract) {
                check.add(raw[Field::contract], raw.line, fmt::format("contract '{}' does not exist", charge->contract));
            } else if ((*contract)->customer != charge->customer) {
                check.add(raw[Field::contract], raw.line,
                          fmt::format("contract '{}' belongs to customer '{}', not '{}'", charge->contract,
                                      (*contract)->customer, charge->customer));
            }
        }
        if (check.failed()) {
            return {};
        }
        auto result = ledger::upsert_charge(m_ledger, m_run, *charge);
        if (result && result->outcome == ledger::UpsertOutcome::duplicate) {
            check.add(raw[Field::id], raw.line,
                      fmt::format("charge '{}' is already billed or appears twice in this import with other values",
                                  charge->id));
            return {};
        }
        return count(result, raw, check, report);
    }

    Result<void> count(const Result<ledger::UpsertResult>& result, const RawRecord& raw, Checker& check,
                       FileReport& report)
    {
        if (!result) {
            return tl::unexpected(result.error());
        }
        switch (result->outcome) {
        case ledger::UpsertOutcome::created: ++report.created; break;
        case ledger::UpsertOutcome::updated: ++report.updated; break;
        case ledger::UpsertOutcome::unchanged: ++report.unchanged; break;
        case ledger::UpsertOutcome::duplicate:
            check.add(raw[Field::id], raw.line,
                      fmt::format("id '{}' appears more than once in this import with different values",
                                  raw[Field::id].value));
            break;
        }
        return {};
    }

    // Contracts: CSV lists one item per row with the contract id repeated, so rows are
    // gathered by id (in first-seen order) and written once the file is read.
    struct PendingContract {
        ledger::Contract contract;
        RawRecord first;
        bool failed = false;
    };

    void collect_contract(const RawRecord& raw, Checker& check)
    {
        const std::string& id = raw[Field::id].value;
        auto found = id.empty() ? m_index.end() : m_index.find(id);
        if (found == m_index.end()) {
            auto head = to_contract_head(raw, m_config, check);
            auto items = to_contract_items(raw, check);
            PendingContract pending;
            pending.first = raw;
            pending.failed = check.failed();
            if (head) {
                pending.contract = *head;
            }
            pending.contract.items = items;
            if (!id.empty()) {
                m_index.emplace(id, m_pending.size());
            }
            m_pending.push_back(std::move(pending));
            return;
        }
        PendingContract& pending = m_pending[found->second];
        auto items = to_contract_items(raw, check);
        if (!raw.items.empty()) {
            check.add(raw[Field::id], raw.line,
                      fmt::format("contract '{}' appears twice (first at line {})", id, pending.first.line));
        }
        // A repeated row adds an item; contract-level cells, when filled, must agree.
        for (std::size_t f = 0; f < k_field_count; ++f) {
            auto field = static_cast<Field>(f);
            if (field == Field::service || field == Field::quantity || field == Field::price) {
                continue;
            }
            const RawField& mine = raw.fields[f];
            const RawField& theirs = pending.first.fields[f];
            if (!mine.value.empty() && mine.value != theirs.value) {
                check.add(mine, raw.line,
                          fmt::format("{} '{}' differs from '{}' on line {} for the same contract '{}'",
                                      field_name(field), mine.value, theirs.value, pending.first.line, id));
            }
        }
        for (auto& item : items) {
            pending.contract.items.push_back(std::move(item));
        }
        if (check.failed()) {
            pending.failed = true;
        }
    }

    // Once a contract has been billed, its schedule is history: changing its start, cycle or
    // billing mode would re-cut periods already invoiced. Its end, items and prices may change.
    Result<void> check_billed_schedule(const ledger::Contract& contract, const RawRecord& raw, Checker& check)
    {
        auto existing = ledger::find_contract(m_ledger, contract.id);
        if (!existing) {
            return tl::unexpected(existing.error());
        }
        if (!*existing) {
            return {};
        }
        const ledger::Contract& before = **existing;
        if (before.end && (!contract.end || *contract.end > *before.end)) {
            // Moving the end later once the period cut short by it is billed would leave the
            // rest of that period unbilled forever.
            auto cut = ledger::contract_period_billed(m_ledger, contract.id, before.end->iso());
            if (!cut) {
                return tl::unexpected(cut.error());
            }
            auto cycle = parse_cycle(before.cycle);
            bool partial = *cut && cycle && period_start(before.start, *cycle, **cut + 1) != before.end->add_days(1);
            if (partial) {
                check.add(raw[Field::end], raw.line,
                          fmt::format("contract '{}' ended on {} and that last period is billed: its end cannot "
                                      "move later (import a new contract for the extension)",
                                      contract.id, before.end->iso()));
                return {};
            }
        }
        if (before.start == contract.start && before.cycle == contract.cycle && before.billing == contract.billing) {
            return {};
        }
        auto billed = ledger::contract_billed(m_ledger, contract.id);
        if (!billed) {
            return tl::unexpected(billed.error());
        }
        if (*billed) {
            check.add(raw[Field::start], raw.line,
                      fmt::format("contract '{}' has been billed: its start, cycle and billing cannot change "
                                  "(give it an end date and import a new contract)",
                                  contract.id));
        }
        return {};
    }

    Result<void> flush_contracts(FileReport& report)
    {
        std::vector<Problem> problems;
        for (auto& pending : m_pending) {
            if (pending.failed) {
                continue;  // already counted and reported
            }
            problems.clear();
            Checker check(report.file, problems);
            const RawRecord& raw = pending.first;
            if (pending.contract.items.empty()) {
                check.add(raw[Field::service], raw.line, "a contract needs at least one item (service)");
            }
            auto exists = ledger::customer_exists(m_ledger, pending.contract.customer);
            if (!exists) {
                return tl::unexpected(exists.error());
            }
            if (!*exists) {
                check.add(raw[Field::customer], raw.line,
                          fmt::format("customer '{}' does not exist (import customers first)", pending.contract.customer));
            }
            for (const auto& item : pending.contract.items) {
                auto known = ledger::service_exists(m_ledger, item.service);
                if (!known) {
                    return tl::unexpected(known.error());
                }
                if (!*known) {
                    check.add(raw[Field::service], raw.line,
                              fmt::format("service '{}' does not exist (import services first)", item.service));
                }
            }
            if (!check.failed()) {
                if (auto r = check_billed_schedule(pending.contract, raw, check); !r) {
                    return r;
                }
            }
            if (!check.failed()) {
                if (auto counted = count(ledger::upsert_contract(m_ledger, m_run, pending.contract), raw, check, report);
                    !counted) {
                    return counted;
                }
            }
            if (check.failed()) {
                report.invalid += 1;
                for (auto& p : problems) {
                    if (report.errors.size() < k_max_reported) {
                        report.errors.push_back(std::move(p));
                    }
                }
            }
        }
        m_pending.clear();
        m_index.clear();
        return {};
    }

    ledger::Ledger& m_ledger;
    const config::Config& m_config;
    const Options& m_options;
    std::int64_t m_run;
    const RunContext& m_ctx;
    std::int64_t m_records = 0;  // read, for progress
    std::vector<PendingContract> m_pending;
    std::unordered_map<std::string, int> m_charge_occurrences;
    std::unordered_map<std::string, int> m_payment_occurrences;
    std::unordered_map<std::string, std::size_t> m_index;
};

std::string counts_json(const std::vector<FileReport>& reports)
{
    std::int64_t created = 0, updated = 0, unchanged = 0, invalid = 0;
    for (const auto& r : reports) {
        created += r.created;
        updated += r.updated;
        unchanged += r.unchanged;
        invalid += r.invalid;
    }
    return fmt::format(R"({{"created":{},"updated":{},"unchanged":{},"invalid":{}}})", created, updated, unchanged,
                       invalid);
}

}  // namespace

Result<Outcome> run_import(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                           const Options& options)
{
    // Every input must be readable before anything starts.
    std::vector<io::Input> inputs;
    for (const auto& file : options.files) {
        auto input = io::open_input(file);
        if (!input) {
            return tl::unexpected(input.error());
        }
        inputs.push_back(std::move(*input));
    }
    auto tx = ledger::WriteTransaction::begin(ledger);
    if (!tx) {
        return tl::unexpected(tx.error());
    }
    auto run = ledger::start_run(ledger, ledger::RunStart{fmt::format("import {}", kind_name(options.kind)),
                                                          ctx.business_date.iso(), ctx.now()});
    if (!run) {
        return tl::unexpected(run.error());
    }
    Outcome outcome;
    outcome.run = *run;
    Importer importer(ledger, config, options, *run, ctx);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        auto& input = inputs[i];
        FileReport report;
        report.file = options.files[i];  // as given: "-" for stdin
        if (auto done = importer.import_file(input, report, outcome.warnings); !done) {
            return tl::unexpected(done.error());
        }
        outcome.invalid += report.invalid;
        outcome.reports.push_back(std::move(report));
    }
    bool commit = !ctx.dry_run && (outcome.invalid == 0 || options.skip_invalid);
    if (!commit) {
        outcome.run.reset();
        return outcome;  // the transaction rolls back: nothing written
    }
    std::string status = outcome.invalid == 0 ? "ok" : "partial";
    if (auto finished = ledger::finish_run(ledger, *run, ctx.now(), status, counts_json(outcome.reports)); !finished) {
        return tl::unexpected(finished.error());
    }
    if (auto committed = tx->commit(); !committed) {
        return tl::unexpected(committed.error());
    }
    outcome.committed = true;
    return outcome;
}

}  // namespace billrun::import
