// billrun init: the ledger and a commented billrun.yaml (with its templates) when missing.
#include <filesystem>

#include <fmt/format.h>

#include <billrun/io/files.hpp>

#include "app.hpp"

namespace billrun::app {

namespace {

Result<int> run_init(AppContext& ctx)
{
    std::filesystem::path config_path = ctx.config_path();
    std::error_code ec;
    if (ctx.options.dry_run) {
        ctx.info(fmt::format("would create {} and {} (dry run: nothing written)", ctx.ledger_path(),
                             config_path.string()));
        return 0;
    }
    if (std::filesystem::exists(config_path, ec)) {
        ctx.info(fmt::format("{} exists; left as it is", config_path.string()));
    } else {
        auto dir = config_path.parent_path();
        if (!dir.empty()) {
            std::filesystem::create_directories(dir, ec);
        }
        for (const auto& [relative, text] : config::init_template_files()) {
            auto path = dir / relative;
            if (std::filesystem::exists(path, ec)) {
                continue;
            }
            std::filesystem::create_directories(path.parent_path(), ec);
            if (auto written = io::write_file_atomic(path, text); !written) {
                return tl::unexpected(written.error());
            }
        }
        if (auto written = io::write_file_atomic(config_path, config::init_config_text()); !written) {
            return tl::unexpected(written.error());
        }
        ctx.info(fmt::format("wrote {} (edit the company, bank and NFS-e settings before billing)",
                             config_path.string()));
    }
    auto ledger = ctx.open_ledger(true);
    if (!ledger) {
        return tl::unexpected(ledger.error());
    }
    ctx.info(fmt::format("ledger {} ready (schema v{})", ctx.ledger_path(), (*ledger)->schema_version()));
    return 0;
}

}  // namespace

void setup_init(CLI::App& app, AppContext& ctx)
{
    auto* cmd = app.add_subcommand("init", "Create the ledger and a commented billrun.yaml");
    cmd->callback([&ctx] { ctx.action = [&ctx] { return run_init(ctx); }; });
}

}  // namespace billrun::app
