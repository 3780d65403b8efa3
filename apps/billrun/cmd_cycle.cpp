// billrun cycle: bill every contract period due up to the business date.
#include <sstream>

#include <fmt/format.h>

#include <billrun/billing/cycle.hpp>

#include "app.hpp"
#include "document_pipe.hpp"

namespace billrun::app {

namespace {

Result<int> run_cycle(AppContext& ctx)
{
    auto stage = ctx.stage();
    if (!stage) {
        return tl::unexpected(stage.error());
    }
    using Item = std::pair<ledger::Invoice, bool>;  // the invoice, and whether it is provisional
    const io::Format format = stage->format;
    DocumentPipe<Item> pipe(*stage->out, [&ctx, format](std::string& text, const Item& item) {
        if (format == io::Format::yaml) {
            billing::append_invoice_yaml(text, item.first, item.second);
            return;
        }
        std::ostringstream one;
        ctx.write_document(one, format, billing::invoice_document(item.first, item.second));
        text += one.str();
    });
    billing::InvoiceSink sink = [&pipe](ledger::Invoice invoice, bool provisional) {
        pipe.push(Item{std::move(invoice), provisional});
    };
    auto summary = billing::run_cycle(*stage->ledger, *stage->config, stage->run, sink);
    pipe.finish();
    if (!summary) {
        return tl::unexpected(summary.error());
    }
    ctx.write_document(*stage->out, stage->format, billing::cycle_run_document(*summary, stage->run, "cycle"));
    if (ctx.options.dry_run) {
        ctx.info(fmt::format("dry run: {} invoice(s) would be created; nothing was written", summary->invoices));
    }
    return summary->set_aside.empty() ? 0 : 1;
}

}  // namespace

void setup_cycle(CLI::App& app, AppContext& ctx)
{
    auto* sub = app.add_subcommand("cycle", "Bill every contract period due up to the business date");
    sub->callback([&ctx] { ctx.action = [&ctx] { return run_cycle(ctx); }; });
}

}  // namespace billrun::app
