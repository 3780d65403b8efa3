// report stages: count and amount of open invoices per owner and collection stage.
#include <algorithm>
#include <map>

#include <billrun/ledger/reminders.hpp>
#include <billrun/ledger/reports.hpp>

#include "reports.hpp"

namespace billrun::report {

Result<void> write_stages(ledger::Ledger& ledger, const Options& options, io::Format format, std::ostream& out)
{
    auto totals = ledger::stage_totals(ledger, options.owner);
    if (!totals) {
        return tl::unexpected(totals.error());
    }
    auto rank = [](const std::string& stage) {
        int r = ledger::stage_rank(stage);
        return r < 0 ? 1000 : r;
    };
    std::sort(totals->begin(), totals->end(), [&](const auto& a, const auto& b) {
        return a.owner != b.owner ? a.owner < b.owner : rank(a.stage) < rank(b.stage);
    });

    io::TabularSpec spec;
    spec.kind = "report-stages";
    if (!options.owner.empty()) {
        spec.header.emplace_back("owner", options.owner);
    }
    spec.columns = {{"owner", true, true, 10}, {"stage"}, {"count"}, {"amount"}};
    auto writer = io::make_tabular_writer(format, out, std::move(spec));

    std::map<std::pair<int, std::string>, ledger::StageTotal> per_stage;
    ledger::StageTotal all{"TOTAL", "all", 0, 0};
    for (const auto& t : *totals) {
        writer->row({t.owner, t.stage, io::Cell::integer(t.count), io::Cell::money(t.amount)});
        auto& stage = per_stage[{rank(t.stage), t.stage}];
        stage.stage = t.stage;
        stage.count += t.count;
        stage.amount += t.amount;
        all.count += t.count;
        all.amount += t.amount;
    }
    bool first = true;
    for (const auto& [key, t] : per_stage) {
        writer->row({"TOTAL", t.stage, io::Cell::integer(t.count), io::Cell::money(t.amount)}, first);
        first = false;
    }
    writer->row({all.owner, all.stage, io::Cell::integer(all.count), io::Cell::money(all.amount)}, first);
    writer->finish();
    return {};
}

}  // namespace billrun::report
