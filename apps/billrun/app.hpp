#pragma once
// The CLI layer's context: global options, and the few things every command needs from
// them (the configuration, the ledger, the business date, the artifact stream). The clock
// is read here and nowhere below.
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include <billrun/config/config.hpp>
#include <billrun/core/context.hpp>
#include <billrun/core/error.hpp>
#include <billrun/io/document.hpp>
#include <billrun/ledger/ledger.hpp>

#include "progress.hpp"

namespace billrun::app {

struct GlobalOptions {
    std::string ledger;
    std::string config;
    std::string date;
    std::string out;
    std::string format;
    bool dry_run = false;
    bool quiet = false;
    bool verbose = false;
};

// What a stage command needs before it calls into the library.
struct Stage {
    io::Format format = io::Format::yaml;
    const config::Config* config = nullptr;
    RunContext run;
    std::unique_ptr<ledger::Ledger> ledger;
    std::ostream* out = nullptr;
};

class AppContext {
public:
    GlobalOptions options;

    // The configuration (loaded once); ErrorCode::config when missing or invalid.
    Result<const config::Config*> config();
    std::string config_path() const;
    std::string ledger_path() const;

    // Opens the ledger; `create` for init. ErrorCode::no_input when missing.
    Result<std::unique_ptr<ledger::Ledger>> open_ledger(bool create = false);
    // How long to wait for another run (BILLRUN_BUSY_TIMEOUT_MS, default 5000).
    int busy_timeout_ms() const;

    // The business date (from --date, else today in the configured time zone), the clock
    // and the warning sink, for the library.
    Result<RunContext> run_context(const std::string& timezone);

    // The artifact stream: stdout, or the --out file.
    Result<std::ostream*> out();
    Result<void> finish_output();
    Result<io::Format> format(io::Format fallback) const;
    void write_document(std::ostream& out, io::Format format, const io::Map& doc) const;

    void warn(std::string_view message) const;
    void info(std::string_view message) const;  // suppressed by -q

    // The format, configuration, business date, ledger and artifact stream, in that order,
    // so usage and configuration errors come before the ledger is touched, and an unwritable
    // --out fails before anything commits.
    Result<Stage> stage();

    // Set by the chosen subcommand; run after parsing.
    std::function<Result<int>()> action;

    // Erases the progress line (before other messages, and when the run ends).
    void clear_progress() const;

private:
    std::optional<config::Config> m_config;
    std::unique_ptr<ProgressLine> m_progress;
    std::unique_ptr<std::ofstream> m_out_file;
};

// One per subcommand, each in its own cmd_<name>.cpp.
void setup_init(CLI::App& app, AppContext& ctx);
void setup_import(CLI::App& app, AppContext& ctx);
void setup_show(CLI::App& app, AppContext& ctx);
void setup_cycle(CLI::App& app, AppContext& ctx);
void setup_approve(CLI::App& app, AppContext& ctx);
void setup_emit_nfse(CLI::App& app, AppContext& ctx);
void setup_issue_boleto(CLI::App& app, AppContext& ctx);
void setup_reconcile(CLI::App& app, AppContext& ctx);
void setup_remind(CLI::App& app, AppContext& ctx);
void setup_cancel(CLI::App& app, AppContext& ctx);
void setup_report(CLI::App& app, AppContext& ctx);
void setup_help(CLI::App& app, AppContext& ctx);

// The invoices a YAML document stream names (FILE or - for stdin): invoice documents by key,
// or by id for hand-written streams; nfse and boleto documents by their `invoice`; other
// documents pass. For `cycle | emit-nfse - | issue-boleto -`.
Result<std::vector<std::int64_t>> invoices_in_stream(const std::string& file, ledger::Ledger& ledger);

// Today's date and an ISO 8601 timestamp in a time zone (CLI layer only).
Result<Date> today_in(const std::string& timezone);
std::string now_iso8601(const std::string& timezone);

}  // namespace billrun::app
