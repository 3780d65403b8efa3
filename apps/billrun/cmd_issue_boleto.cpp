// billrun issue-boleto [FILE|-]: boletos for issued invoices (numbers, barcode, PDF, remessa).
#include <sstream>

#include <fmt/format.h>

#include <billrun/boleto/issue.hpp>
#include <billrun/io/artifacts.hpp>
#include <billrun/ledger/billing.hpp>
#include <billrun/ledger/stage_lock.hpp>

#include "app.hpp"
#include "document_pipe.hpp"
#include "mail_out.hpp"

namespace billrun::app {

namespace {

struct IssueBoletoCommand {
    std::string file;
    bool no_pdf = false;
    bool one_pdf = false;
};

Result<int> run_issue_boleto(AppContext& ctx, const IssueBoletoCommand& cmd)
{
    auto stage = ctx.stage();
    if (!stage) {
        return tl::unexpected(stage.error());
    }
    boleto::IssueOptions options;
    options.pdf = !cmd.no_pdf;
    options.one_pdf = cmd.one_pdf;
    if (!cmd.file.empty()) {
        auto keys = invoices_in_stream(cmd.file, *stage->ledger);
        if (!keys) {
            return tl::unexpected(keys.error());
        }
        options.restrict_to = true;
        options.invoices = std::move(*keys);
    }
    const io::Format format = stage->format;
    DocumentPipe<ledger::Boleto> pipe(*stage->out, [&ctx, format](std::string& text, const ledger::Boleto& b) {
        if (format == io::Format::yaml) {
            boleto::append_boleto_yaml(text, b);
            return;
        }
        std::ostringstream one;
        ctx.write_document(one, format, boleto::boleto_document(b));
        text += one.str();
    });
    boleto::BoletoSink sink = [&pipe](ledger::Boleto&& b) { pipe.push(std::move(b)); };
    Result<boleto::IssueSummary> summary;
    {
        // One issue-boleto at a time per ledger: a remessa it finds being written belongs to
        // a dead run (this run fills its own as it issues, see boleto/issue.cpp).
        auto lock = ledger::StageLock::acquire(*stage->ledger, "issue-boleto", ctx.busy_timeout_ms());
        if (!lock) {
            return tl::unexpected(lock.error());
        }
        summary = boleto::issue_boletos(*stage->ledger, *stage->config, stage->run, options, sink);
    }
    pipe.finish();
    if (!summary) {
        return tl::unexpected(summary.error());
    }
    ctx.write_document(*stage->out, stage->format, boleto::issue_run_document(*summary, stage->run));
    for (const auto& path : summary->remessas) {
        ctx.info(fmt::format("remessa written: {}", path));
    }
    int status = summary->set_aside.empty() ? 0 : 1;
    if (!summary->unavailable.empty()) {
        ctx.warn(fmt::format("the bank's API failed: {}", summary->unavailable));
        status = exit_code(ErrorCode::unavailable);
    }
    auto mailed = send_queued_documents(ctx, *stage);
    if (!mailed) {
        return tl::unexpected(mailed.error());
    }
    return worse_exit(status, *mailed);
}

}  // namespace

void setup_issue_boleto(CLI::App& app, AppContext& ctx)
{
    auto cmd = std::make_shared<IssueBoletoCommand>();
    auto* sub = app.add_subcommand("issue-boleto", "Boletos for issued invoices: numbers, barcode, PDF, CNAB remessa");
    sub->add_option("FILE", cmd->file, "Act only on the invoice documents of this stream ('-' = stdin)");
    sub->add_flag("--no-pdf", cmd->no_pdf, "Skip rendering the PDFs");
    sub->add_flag("--one-pdf", cmd->one_pdf, "Put the run's boletos in one PDF file");
    sub->callback([&ctx, cmd] { ctx.action = [&ctx, cmd] { return run_issue_boleto(ctx, *cmd); }; });
}

}  // namespace billrun::app
