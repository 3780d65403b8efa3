// billrun approve: turn draft invoices into issued ones (with invoicing.approval: required).
#include <charconv>

#include <fmt/format.h>

#include <billrun/billing/cycle.hpp>

#include "app.hpp"

namespace billrun::app {

namespace {

struct ApproveCommand {
    std::vector<std::string> ids;
    bool all = false;
};

Result<int> run_approve(AppContext& ctx, const ApproveCommand& cmd)
{
    if (cmd.all && !cmd.ids.empty()) {
        return fail(ErrorCode::usage, "give the drafts' keys or --all, not both");
    }
    if (!cmd.all && cmd.ids.empty()) {
        return fail(ErrorCode::usage, "give the keys of the drafts to approve (the 'key' of each draft invoice), or --all");
    }
    std::vector<std::int64_t> keys;
    for (const auto& id : cmd.ids) {
        std::int64_t key = 0;
        auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), key);
        if (ec != std::errc() || end != id.data() + id.size() || key <= 0) {
            return fail(ErrorCode::usage, fmt::format("'{}' is not a draft key (the 'key' of a draft invoice)", id));
        }
        keys.push_back(key);
    }
    auto stage = ctx.stage();
    if (!stage) {
        return tl::unexpected(stage.error());
    }
    billing::InvoiceSink sink = [&](ledger::Invoice invoice, bool provisional) {
        ctx.write_document(*stage->out, stage->format, billing::invoice_document(invoice, provisional));
    };
    auto summary = billing::approve(*stage->ledger, stage->run, keys, cmd.all, sink);
    if (!summary) {
        return tl::unexpected(summary.error());
    }
    ctx.info(fmt::format("{} invoice(s) issued{}", summary->issued, ctx.options.dry_run ? " (dry run: nothing written)" : ""));
    return 0;
}

}  // namespace

void setup_approve(CLI::App& app, AppContext& ctx)
{
    auto cmd = std::make_shared<ApproveCommand>();
    auto* sub = app.add_subcommand("approve", "Turn draft invoices into issued ones (approval: required)");
    sub->add_option("ID", cmd->ids, "Draft keys (the 'key' field of a draft invoice)");
    sub->add_flag("--all", cmd->all, "Approve every draft");
    sub->callback([&ctx, cmd] { ctx.action = [&ctx, cmd] { return run_approve(ctx, *cmd); }; });
}

}  // namespace billrun::app
