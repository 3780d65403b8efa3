// billrun cycle: a named pass a line, one batch of contracts per transaction.
#include <billrun/billing/cycle.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <thread>
#include <unordered_set>

#include <fmt/format.h>

#include <billrun/billing/taxes.hpp>
#include <billrun/core/batch_queue.hpp>
#include <billrun/core/periods.hpp>
#include <billrun/ledger/billing.hpp>
#include <billrun/ledger/payments.hpp>

namespace billrun::billing {

namespace {

constexpr int k_batch_contracts = 2000;
constexpr std::size_t k_batches_read_ahead = 2;

Date due_date_for(const ledger::Contract& contract, Date issue)
{
    if (contract.due_day) {
        int year = issue.year();
        int month = issue.month() + 1;
        if (month > 12) {
            month = 1;
            ++year;
        }
        int day = std::min(*contract.due_day, days_in_month(year, month));
        return Date::from_ymd(year, month, day).value_or(issue);
    }
    return issue.add_days(contract.due_days.value_or(10));
}

WithholdingRates withholding_rates(const config::Withholding& w)
{
    return WithholdingRates{w.pis, w.cofins, w.csll, w.irrf, w.inss, w.minimum};
}

// Fills the totals of an invoice from its lines.
void total(ledger::Invoice& inv, bool company_customer, const config::Config& config)
{
    std::vector<TaxLine> lines;
    lines.reserve(inv.lines.size());
    for (const auto& l : inv.lines) {
        lines.push_back(TaxLine{l.amount, l.iss_rate});
    }
    Totals t = compute_totals(lines, inv.iss_withheld, company_customer,
                              withholding_rates(config.invoicing.withholding));
    for (auto& l : inv.lines) {
        l.iss = apply_rate(l.amount, l.iss_rate);
    }
    inv.gross = t.gross;
    inv.iss = t.iss;
    inv.pis = t.pis;
    inv.cofins = t.cofins;
    inv.csll = t.csll;
    inv.irrf = t.irrf;
    inv.inss = t.inss;
    inv.withheld = t.withheld;
    inv.net = t.net;
    inv.balance = t.net;
}

// An invoice worked out, not yet numbered, with its columns' text.
struct PlannedInvoice {
    ledger::Invoice invoice;
    ledger::InvoiceText text;
};

struct ContractPlan {
    std::vector<PlannedInvoice> invoices;
    std::optional<std::string> set_aside;  // why it is not billed
};

// A contract and, unless its charges are read under the write lock, what it comes to.
struct PlannedContract {
    ledger::BillableContract contract;
    std::optional<ContractPlan> plan;
};

class Cycle {
public:
    Cycle(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx, const InvoiceSink& sink)
        : m_ledger(ledger), m_config(config), m_ctx(ctx), m_sink(sink), m_as_of(ctx.business_date.iso())
    {
    }

    Result<CycleSummary> run()
    {
        m_summary.started = m_ctx.now();
        if (auto r = start(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = bill_contracts(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = bill_loose_charges(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = finish(); !r) {
            return tl::unexpected(r.error());
        }
        return m_summary;
    }

private:
    // In a dry run one transaction holds everything and is rolled back at the end.
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
        m_numbers.clear();  // re-read under the lock: another run may have numbered meanwhile
        return {};
    }

    Result<void> commit()
    {
        if (m_batch_first != 0) {
            // One event for the batch: its invoices have consecutive keys (we hold the lock).
            std::string detail = fmt::format("{} invoice(s)", m_batch_last - m_batch_first + 1);
            if (!m_batch_first_id.empty()) {
                detail += fmt::format(", {} to {}", m_batch_first_id,
                                      ledger::Invoice::display_id(m_batch_last_series, m_batch_last_number));
            }
            auto r = ledger::append_range_event(m_ledger, m_run, "invoice", m_batch_first, m_batch_last,
                                                m_config.invoicing.approval_required ? "drafted" : "issued", detail);
            if (!r) {
                return r;
            }
            m_batch_first = m_batch_last = 0;
            m_batch_first_id.clear();
        }
        for (const auto& [series, last] : m_numbers) {
            if (auto r = ledger::store_series_number(m_ledger, series, last); !r) {
                return r;
            }
        }
        if (m_ctx.dry_run) {
            return {};
        }
        auto r = m_tx->commit();
        m_tx.reset();
        if (r) {
            for (auto& [invoice, provisional] : m_pending_output) {
                m_sink(std::move(invoice), provisional);
            }
        }
        m_pending_output.clear();
        return r;
    }

    Result<void> start()
    {
        auto services = ledger::all_services(m_ledger);
        if (!services) {
            return tl::unexpected(services.error());
        }
        m_services = std::move(*services);
        if (auto r = begin(); !r) {
            return r;
        }
        auto run = ledger::start_run(m_ledger, {"cycle", m_as_of, m_summary.started});
        if (!run) {
            return tl::unexpected(run.error());
        }
        m_run = *run;
        auto pending = ledger::contracts_with_unbilled_charges(m_ledger, m_as_of);
        if (!pending) {
            return tl::unexpected(pending.error());
        }
        m_contracts_with_charges.insert(pending->begin(), pending->end());
        auto credited = ledger::customers_with_credit(m_ledger);
        if (!credited) {
            return tl::unexpected(credited.error());
        }
        m_customers_with_credit.insert(credited->begin(), credited->end());
        return commit();
    }

    // The contracts are read on a second thread, through a connection of its own, and worked
    // out there into their invoices (periods, prices, taxes: everything but the number), while
    // this one numbers and writes them (a fifth of this thread's instructions moved). Each
    // batch is read in a short read transaction of its own (no snapshot pins the WAL). That the
    // reading connection does not see this run's invoices does not matter: each contract comes
    // once, before this run bills it. A run at the same moment may bill a contract between its
    // read and our insert: the unique (contract, period) still refuses ours, as it did before,
    // so nothing is billed twice. A contract with charges waiting is worked out on this thread
    // instead, its charges read under the write lock.
    Result<void> bill_contracts()
    {
        auto reading = ledger::Ledger::open(m_ledger.path(), ledger::OpenOptions{});
        if (!reading) {
            return tl::unexpected(reading.error());
        }
        BatchQueue<PlannedContract> queue(k_batches_read_ahead);
        // Batches billed come back to be freed on the thread that allocated them: freed on
        // this one, glibc returns each block to the other thread's arena under its lock, and
        // that thread's allocations no longer come from its own cache (a fifth more CPU).
        BatchQueue<PlannedContract> spent(k_batches_read_ahead + 3);  // never full: fewer batches exist
        std::optional<Error> read_error;
        std::thread reader([&] {
            try {
                std::string after;
                while (true) {
                    auto batch = ledger::contracts_after(**reading, after, k_batch_contracts);
                    if (!batch) {
                        read_error = batch.error();
                        break;
                    }
                    if (batch->empty()) {
                        break;
                    }
                    after = batch->back().contract.id;
                    while (spent.try_pop()) {
                    }
                    std::vector<PlannedContract> planned;
                    planned.reserve(batch->size());
                    for (auto& bc : *batch) {
                        PlannedContract pc{std::move(bc), std::nullopt};
                        if (m_contracts_with_charges.count(pc.contract.contract.id) == 0) {
                            pc.plan = plan(pc.contract, {});
                        }
                        planned.push_back(std::move(pc));
                    }
                    if (!queue.push(std::move(planned))) {
                        break;  // the billing stopped
                    }
                }
            } catch (const std::exception& e) {
                read_error = Error{ErrorCode::internal, fmt::format("reading the contracts: {}", e.what())};
            }
            queue.close();
        });
        ProducerStop<PlannedContract> stop(queue, reader);
        while (auto batch = queue.pop()) {
            if (auto r = begin(); !r) {
                return r;
            }
            for (auto& contract : *batch) {
                if (auto r = bill_contract(contract); !r) {
                    return r;
                }
            }
            spent.push(std::move(*batch));
            if (auto r = commit(); !r) {
                return r;
            }
            m_ctx.progress("contracts", m_summary.contracts, 0);
        }
        reader.join();
        if (read_error) {
            return tl::unexpected(*read_error);
        }
        return {};
    }

    Result<std::int64_t> next_number(const std::string& series)
    {
        auto found = m_numbers.find(series);
        if (found == m_numbers.end()) {
            auto last = ledger::last_series_number(m_ledger, series);
            if (!last) {
                return tl::unexpected(last.error());
            }
            found = m_numbers.emplace(series, *last).first;
        }
        return found->second + 1;
    }

    // Prices every item, or says why the contract cannot be billed.
    std::optional<std::string> price_lines(const ledger::Contract& contract, std::vector<ledger::InvoiceLine>& lines) const
    {
        for (const auto& item : contract.items) {
            auto service = m_services.find(item.service);
            if (service == m_services.end()) {
                return fmt::format("service '{}' does not exist", item.service);
            }
            auto price = item.price ? item.price : service->second.unit_price;
            if (!price) {
                return fmt::format("service '{}' has no price (set unit_price, or a price on the contract item)",
                                   item.service);
            }
            ledger::InvoiceLine line;
            line.service = item.service;
            line.description = service->second.description;
            line.quantity = item.quantity;
            line.unit_price = *price;
            line.amount = line_amount(item.quantity, *price);
            line.iss_rate = service->second.iss_rate.value_or(m_config.invoicing.iss_rate);
            lines.push_back(std::move(line));
        }
        return std::nullopt;
    }

    std::optional<std::string> charge_lines(const std::vector<ledger::Charge>& charges,
                                            std::vector<ledger::InvoiceLine>& lines) const
    {
        for (const auto& charge : charges) {
            auto service = m_services.find(charge.service);
            if (service == m_services.end()) {
                return fmt::format("charge '{}': service '{}' does not exist", charge.id, charge.service);
            }
            auto price = charge.price ? charge.price : service->second.unit_price;
            if (!price) {
                return fmt::format("charge '{}': service '{}' has no price", charge.id, charge.service);
            }
            ledger::InvoiceLine line;
            line.service = charge.service;
            line.description = charge.description.empty() ? service->second.description : charge.description;
            line.quantity = charge.quantity;
            line.unit_price = *price;
            line.amount = line_amount(charge.quantity, *price);
            line.iss_rate = service->second.iss_rate.value_or(m_config.invoicing.iss_rate);
            line.charge = charge.id;
            lines.push_back(std::move(line));
        }
        return std::nullopt;
    }

    void set_aside(const std::string& contract, std::string reason)
    {
        m_ctx.warn(fmt::format("contract '{}' set aside: {}", contract, reason));
        m_summary.set_aside.push_back(SetAside{contract, std::move(reason)});
    }

    // What a contract comes to as of the business date, from its row, the services and the
    // given charges alone: its invoices, not yet numbered, in period order (the first carries
    // the charges), or why it is set aside. Reads only what does not change during the run, so
    // the reading thread may call it.
    ContractPlan plan(const ledger::BillableContract& bc, const std::vector<ledger::Charge>& charges) const
    {
        ContractPlan out;
        const ledger::Contract& contract = bc.contract;
        auto cycle = parse_cycle(contract.cycle);
        auto mode = parse_billing_mode(contract.billing);
        if (!cycle || !mode) {
            out.set_aside = fmt::format("cycle '{}' or billing '{}' not understood", contract.cycle, contract.billing);
            return out;
        }
        std::int64_t first = bc.last_period ? *bc.last_period + 1 : 0;
        // Every due period, however many: dates are bounded (1900-2999), so is the count.
        auto periods = due_periods(contract.start, *cycle, *mode, contract.end, first, m_ctx.business_date);
        bool ended = !period_at(contract.start, *cycle, first + static_cast<std::int64_t>(periods.size()),
                                contract.end);
        if (periods.empty() && (charges.empty() || !ended)) {
            return out;  // nothing due; charges wait for the contract's next invoice
        }
        std::vector<ledger::InvoiceLine> item_lines;
        if (auto why = price_lines(contract, item_lines)) {
            out.set_aside = std::move(why);
            return out;
        }
        std::vector<ledger::InvoiceLine> extra_lines;
        if (auto why = charge_lines(charges, extra_lines)) {
            out.set_aside = std::move(why);
            return out;
        }
        bool company = bc.customer_tax_id.size() == 14;
        bool iss_withheld = contract.iss_withheld.value_or(bc.customer_iss_withheld);
        if (periods.empty()) {
            // The contract has ended: its last charges get an invoice of their own.
            out.invoices.push_back(make_invoice(contract, std::nullopt, {}, std::move(extra_lines), company, iss_withheld));
            return out;
        }
        out.invoices.reserve(periods.size());
        for (std::size_t i = 0; i < periods.size(); ++i) {
            auto lines = item_lines;
            const Period& p = periods[i];
            if (p.partial() && m_config.invoicing.proration_daily) {
                for (auto& line : lines) {
                    line.amount = prorate(line.amount, p.days_served(), p.days_full());
                    line.description += fmt::format(" (pro rata {}/{} dias)", p.days_served(), p.days_full());
                }
            }
            out.invoices.push_back(make_invoice(contract, p, std::move(lines),
                                                i == 0 ? std::move(extra_lines) : std::vector<ledger::InvoiceLine>{},
                                                company, iss_withheld));
        }
        return out;
    }

    // Writes what a contract comes to; works it out first when its charges had to be read.
    Result<void> bill_contract(PlannedContract& pc)
    {
        ++m_summary.contracts;
        std::vector<ledger::Charge> charges;
        if (!pc.plan) {
            auto pending = ledger::unbilled_charges_of_contract(m_ledger, pc.contract.contract.id, m_as_of);
            if (!pending) {
                return tl::unexpected(pending.error());
            }
            charges = std::move(*pending);
            pc.plan = plan(pc.contract, charges);
        }
        if (pc.plan->set_aside) {
            set_aside(pc.contract.contract.id, std::move(*pc.plan->set_aside));
            return {};
        }
        static const std::vector<ledger::Charge> none;
        for (std::size_t i = 0; i < pc.plan->invoices.size(); ++i) {
            if (auto r = store(std::move(pc.plan->invoices[i]), i == 0 ? charges : none); !r) {
                return r;
            }
        }
        return {};
    }

    PlannedInvoice make_invoice(const ledger::Contract& contract, std::optional<Period> period,
                                 std::vector<ledger::InvoiceLine> lines, std::vector<ledger::InvoiceLine> extra,
                                 bool company, bool iss_withheld) const
    {
        ledger::Invoice inv;
        inv.series = contract.series.empty() ? m_config.invoicing.default_series : contract.series;
        inv.customer = contract.customer;
        inv.contract = contract.id;
        if (period) {
            inv.period_index = period->index;
            inv.period_start = period->start;
            inv.period_end = period->end;
        }
        inv.issue_date = m_ctx.business_date;
        inv.due_date = due_date_for(contract, inv.issue_date);
        inv.lines = std::move(lines);
        for (auto& l : extra) {
            inv.lines.push_back(std::move(l));
        }
        inv.iss_withheld = iss_withheld;
        inv.payment_method = contract.payment_method;
        inv.bank_account = contract.bank_account.empty() ? m_config.boleto.default_account : contract.bank_account;
        total(inv, company, m_config);
        auto text = ledger::invoice_text(inv);
        return PlannedInvoice{std::move(inv), std::move(text)};
    }

    // Numbers (or drafts) the invoice and writes it with its charges in the open transaction.
    Result<void> store(PlannedInvoice&& planned, const std::vector<ledger::Charge>& charges)
    {
        ledger::Invoice& inv = planned.invoice;
        if (m_config.invoicing.approval_required) {
            inv.status = "draft";
        } else {
            auto number = next_number(inv.series);
            if (!number) {
                return tl::unexpected(number.error());
            }
            inv.number = *number;
            inv.status = "issued";
        }
        Centavos credit_used = 0;
        if (m_customers_with_credit.count(inv.customer) != 0) {
            // An earlier overpayment pays this invoice first (SPEC §8).
            auto credit = ledger::customer_credit(m_ledger, inv.customer);
            if (!credit) {
                return tl::unexpected(credit.error());
            }
            credit_used = std::min(*credit, inv.net);
            inv.balance = inv.net - credit_used;
            if (credit_used > 0 && inv.balance == 0 && inv.status == "issued") {
                inv.status = "paid";
            }
        }
        auto key = ledger::insert_invoice(m_ledger, m_run, inv, planned.text);
        if (!key) {
            return tl::unexpected(key.error());
        }
        if (!*key) {
            return {};  // already billed by another run: nothing to do, no number used
        }
        inv.key = **key;
        if (credit_used > 0) {
            if (auto r = ledger::use_customer_credit(m_ledger, m_run, inv.customer, inv.key, credit_used); !r) {
                return r;
            }
        }
        if (m_batch_first == 0) {
            m_batch_first = inv.key;
            m_batch_first_id = inv.display_id();
        }
        m_batch_last = inv.key;
        m_batch_last_series = inv.series;  // its id is put together once, at the commit
        m_batch_last_number = inv.number;
        if (inv.number) {
            m_numbers[inv.series] = *inv.number;
        }
        for (const auto& charge : charges) {
            if (auto r = ledger::mark_charge_billed(m_ledger, charge.id, inv.key); !r) {
                return r;
            }
        }
        ++m_summary.invoices;
        m_summary.drafts += inv.status == "draft" ? 1 : 0;
        m_summary.charges += static_cast<std::int64_t>(charges.size());
        m_summary.gross += inv.gross;
        m_summary.net += inv.net;
        if (m_ctx.dry_run) {
            m_sink(std::move(inv), true);
        } else {
            m_pending_output.emplace_back(std::move(inv), false);
        }
        return {};
    }

    // Charges without a contract: one invoice per customer with all of them.
    Result<void> bill_loose_charges()
    {
        if (auto r = begin(); !r) {
            return r;
        }
        auto charges = ledger::unbilled_loose_charges(m_ledger, m_as_of);
        if (!charges) {
            return tl::unexpected(charges.error());
        }
        std::size_t i = 0;
        while (i < charges->size()) {
            std::size_t j = i;
            while (j < charges->size() && (*charges)[j].customer == (*charges)[i].customer) {
                ++j;
            }
            std::vector<ledger::Charge> group((*charges).begin() + static_cast<std::ptrdiff_t>(i),
                                              (*charges).begin() + static_cast<std::ptrdiff_t>(j));
            if (auto r = bill_customer_charges(group); !r) {
                return r;
            }
            i = j;
        }
        return commit();
    }

    Result<void> bill_customer_charges(const std::vector<ledger::Charge>& charges)
    {
        const std::string& customer = charges.front().customer;
        auto facts = ledger::customer_tax_facts(m_ledger, customer);
        if (!facts) {
            return tl::unexpected(facts.error());
        }
        std::vector<ledger::InvoiceLine> lines;
        if (auto why = charge_lines(charges, lines)) {
            set_aside(fmt::format("(charges of customer {})", customer), *why);
            return {};
        }
        ledger::Contract defaults;  // no contract: default series, due rule, account
        defaults.customer = customer;
        ledger::Invoice inv;
        inv.series = m_config.invoicing.default_series;
        inv.customer = customer;
        inv.issue_date = m_ctx.business_date;
        inv.due_date = due_date_for(defaults, inv.issue_date);
        inv.lines = std::move(lines);
        inv.iss_withheld = facts->second;
        inv.payment_method = "boleto";
        inv.bank_account = m_config.boleto.default_account;
        total(inv, facts->first.size() == 14, m_config);
        auto text = ledger::invoice_text(inv);
        return store(PlannedInvoice{std::move(inv), std::move(text)}, charges);
    }

    Result<void> finish()
    {
        if (auto r = begin(); !r) {
            return r;
        }
        m_summary.finished = m_ctx.now();
        std::string status = m_ctx.dry_run ? "dry-run" : (m_summary.set_aside.empty() ? "ok" : "partial");
        auto counts = fmt::format(R"({{"contracts":{},"invoices":{},"drafts":{},"charges":{},"set_aside":{}}})",
                                  m_summary.contracts, m_summary.invoices, m_summary.drafts, m_summary.charges,
                                  m_summary.set_aside.size());
        if (auto r = ledger::finish_run(m_ledger, m_run, m_summary.finished, status, counts); !r) {
            return r;
        }
        m_summary.run = m_ctx.dry_run ? 0 : m_run;
        auto r = commit();
        m_tx.reset();  // a dry run's single transaction rolls back here
        return r;
    }

    ledger::Ledger& m_ledger;
    const config::Config& m_config;
    const RunContext& m_ctx;
    const InvoiceSink& m_sink;
    std::string m_as_of;
    std::optional<ledger::WriteTransaction> m_tx;
    std::unordered_map<std::string, ledger::Service> m_services;
    std::unordered_set<std::string> m_contracts_with_charges;
    std::unordered_set<std::string> m_customers_with_credit;
    std::map<std::string, std::int64_t> m_numbers;
    std::vector<std::pair<ledger::Invoice, bool>> m_pending_output;
    std::int64_t m_run = 0;
    std::int64_t m_batch_first = 0;  // keys of the invoices created in the open transaction
    std::int64_t m_batch_last = 0;
    std::string m_batch_first_id;  // "A-000001" (empty for drafts)
    std::string m_batch_last_series;
    std::optional<std::int64_t> m_batch_last_number;
    CycleSummary m_summary;
};

}  // namespace

Result<CycleSummary> run_cycle(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                               const InvoiceSink& sink)
{
    Cycle cycle(ledger, config, ctx, sink);
    return cycle.run();
}

}  // namespace billrun::billing
