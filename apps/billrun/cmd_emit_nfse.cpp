// billrun emit-nfse [FILE|-]: the NFS-e of issued invoices (DPS built, validated, signed, sent).
#include <cstdlib>

#include <fmt/format.h>

#include <billrun/io/artifacts.hpp>
#include <billrun/ledger/billing.hpp>
#include <billrun/nfse/emit.hpp>

#include "app.hpp"
#include "mail_out.hpp"

namespace billrun::app {

namespace {


struct EmitNfseCommand {
    std::string file;
};

Result<int> run_emit_nfse(AppContext& ctx, const EmitNfseCommand& cmd)
{
    auto stage = ctx.stage();
    if (!stage) {
        return tl::unexpected(stage.error());
    }
    nfse::EmitOptions options;
    options.app_version = std::string("billrun ") + BILLRUN_VERSION;
    const std::string& variable = stage->config->nfse.password_env;
    if (const char* password = std::getenv(variable.c_str()); password != nullptr) {
        options.password = password;
    }
    if (!cmd.file.empty()) {
        auto keys = invoices_in_stream(cmd.file, *stage->ledger);
        if (!keys) {
            return tl::unexpected(keys.error());
        }
        options.restrict_to = true;
        options.invoices = std::move(*keys);
    }
    nfse::NfseSink sink = [&](const io::Map& doc) { ctx.write_document(*stage->out, stage->format, doc); };
    auto summary = nfse::emit_nfse(*stage->ledger, *stage->config, stage->run, options, sink);
    if (!summary) {
        return tl::unexpected(summary.error());
    }
    ctx.write_document(*stage->out, stage->format, nfse::emit_run_document(*summary, stage->run));
    int status = summary->failures.empty() ? 0 : 1;
    if (summary->unavailable) {
        ctx.warn(fmt::format("the NFS-e service failed: {}", summary->unavailable_reason));
        status = exit_code(ErrorCode::unavailable);
    }
    auto mailed = send_queued_documents(ctx, *stage);
    if (!mailed) {
        return tl::unexpected(mailed.error());
    }
    return worse_exit(status, *mailed);
}

}  // namespace

void setup_emit_nfse(CLI::App& app, AppContext& ctx)
{
    auto cmd = std::make_shared<EmitNfseCommand>();
    auto* sub = app.add_subcommand("emit-nfse", "Build, validate, sign and send the NFS-e of issued invoices");
    sub->add_option("FILE", cmd->file, "Act only on the invoice documents of this stream ('-' = stdin)");
    sub->callback([&ctx, cmd] { ctx.action = [&ctx, cmd] { return run_emit_nfse(ctx, *cmd); }; });
}

}  // namespace billrun::app
