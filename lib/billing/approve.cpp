// billrun approve: drafts become issued invoices, numbered gaplessly in key order.
#include <billrun/billing/cycle.hpp>

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include <billrun/ledger/billing.hpp>

namespace billrun::billing {

Result<ApproveSummary> approve(ledger::Ledger& ledger, const RunContext& ctx, const std::vector<std::int64_t>& keys,
                               bool all, const InvoiceSink& sink)
{
    auto tx = ledger::WriteTransaction::begin(ledger);
    if (!tx) {
        return tl::unexpected(tx.error());
    }
    std::vector<std::int64_t> chosen = keys;
    if (all) {
        auto drafts = ledger::draft_keys(ledger);
        if (!drafts) {
            return tl::unexpected(drafts.error());
        }
        chosen = *drafts;
    }
    std::sort(chosen.begin(), chosen.end());
    chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
    std::vector<ledger::Invoice> drafts;
    for (std::int64_t key : chosen) {
        auto inv = ledger::find_invoice_by_key(ledger, key);
        if (!inv) {
            return tl::unexpected(inv.error());
        }
        if (!*inv) {
            return fail(ErrorCode::data_invalid, fmt::format("no invoice with key {}", key));
        }
        if ((*inv)->status != "draft") {
            return fail(ErrorCode::data_invalid, fmt::format("invoice {} ({}) is not a draft", key, (*inv)->display_id()));
        }
        drafts.push_back(std::move(**inv));
    }
    ApproveSummary summary;
    auto run = ledger::start_run(ledger, {"approve", ctx.business_date.iso(), ctx.now()});
    if (!run) {
        return tl::unexpected(run.error());
    }
    summary.run = *run;
    std::map<std::string, std::int64_t> numbers;
    for (auto& inv : drafts) {
        auto found = numbers.find(inv.series);
        if (found == numbers.end()) {
            auto last = ledger::last_series_number(ledger, inv.series);
            if (!last) {
                return tl::unexpected(last.error());
            }
            found = numbers.emplace(inv.series, *last).first;
        }
        std::int64_t number = found->second + 1;
        auto issued = ledger::issue_draft(ledger, *run, inv.key, number);
        if (!issued) {
            return tl::unexpected(issued.error());
        }
        found->second = number;
        inv.number = number;
        inv.status = "issued";
        ++summary.issued;
    }
    for (const auto& [series, last] : numbers) {
        if (auto r = ledger::store_series_number(ledger, series, last); !r) {
            return tl::unexpected(r.error());
        }
    }
    auto counts = fmt::format(R"({{"issued":{}}})", summary.issued);
    if (auto r = ledger::finish_run(ledger, *run, ctx.now(), ctx.dry_run ? "dry-run" : "ok", counts); !r) {
        return tl::unexpected(r.error());
    }
    if (!ctx.dry_run) {
        if (auto r = tx->commit(); !r) {
            return tl::unexpected(r.error());
        }
    }
    for (const auto& inv : drafts) {
        sink(inv, ctx.dry_run);
    }
    return summary;
}

}  // namespace billrun::billing
