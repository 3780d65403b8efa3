#include "app.hpp"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>

#include <unistd.h>

#include <fmt/format.h>

#include <billrun/core/text.hpp>
#include <billrun/io/artifacts.hpp>
#include <billrun/ledger/billing.hpp>

namespace billrun::app {

namespace {

std::string env_or(const char* name, const char* fallback)
{
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

bool zone_exists(const std::string& timezone)
{
    if (timezone == "UTC") {
        return true;
    }
    if (timezone.find("..") != std::string::npos || timezone.empty() || timezone.front() == '/') {
        return false;
    }
    std::error_code ec;
    return std::filesystem::is_regular_file(std::filesystem::path("/usr/share/zoneinfo") / timezone, ec);
}

struct LocalTime {
    std::tm tm{};
    long offset_seconds = 0;
};

LocalTime local_time(const std::string& timezone)
{
    // TZ for this process only; the CLI is the one place that reads the clock.
    ::setenv("TZ", timezone.c_str(), 1);
    ::tzset();
    std::time_t now = std::time(nullptr);
    LocalTime lt;
    ::localtime_r(&now, &lt.tm);
    lt.offset_seconds = lt.tm.tm_gmtoff;
    return lt;
}

}  // namespace

Result<Date> today_in(const std::string& timezone)
{
    if (!zone_exists(timezone)) {
        return fail(ErrorCode::config, fmt::format("unknown time zone '{}' (company.timezone)", timezone));
    }
    auto lt = local_time(timezone);
    auto date = Date::from_ymd(lt.tm.tm_year + 1900, lt.tm.tm_mon + 1, lt.tm.tm_mday);
    if (!date) {
        return fail(ErrorCode::internal, "the system clock gives an invalid date");
    }
    return *date;
}

std::string now_iso8601(const std::string& timezone)
{
    auto lt = local_time(zone_exists(timezone) ? timezone : "UTC");
    long off = lt.offset_seconds;
    char sign = off < 0 ? '-' : '+';
    off = off < 0 ? -off : off;
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", lt.tm.tm_year + 1900, lt.tm.tm_mon + 1,
                       lt.tm.tm_mday, lt.tm.tm_hour, lt.tm.tm_min, lt.tm.tm_sec, sign, off / 3600, (off % 3600) / 60);
}

std::string AppContext::config_path() const
{
    return options.config.empty() ? env_or("BILLRUN_CONFIG", "billrun.yaml") : options.config;
}

std::string AppContext::ledger_path() const
{
    return options.ledger.empty() ? env_or("BILLRUN_LEDGER", "billrun.db") : options.ledger;
}

Result<const config::Config*> AppContext::config()
{
    if (!m_config) {
        auto loaded = config::load_config(config_path());
        if (!loaded) {
            return tl::unexpected(loaded.error());
        }
        m_config = std::move(*loaded);
    }
    return &*m_config;
}

int AppContext::busy_timeout_ms() const
{
    if (const char* timeout = std::getenv("BILLRUN_BUSY_TIMEOUT_MS"); timeout != nullptr && *timeout != '\0') {
        return std::atoi(timeout);
    }
    return ledger::OpenOptions{}.busy_timeout_ms;
}

Result<std::unique_ptr<ledger::Ledger>> AppContext::open_ledger(bool create)
{
    ledger::OpenOptions open_options;
    open_options.create = create;
    open_options.busy_timeout_ms = busy_timeout_ms();
    return ledger::Ledger::open(ledger_path(), open_options);
}

Result<RunContext> AppContext::run_context(const std::string& timezone)
{
    RunContext ctx;
    if (!options.date.empty()) {
        auto date = parse_iso_date(options.date);
        if (!date) {
            return fail(ErrorCode::usage,
                        fmt::format("--date '{}' is not a valid date (YYYY-MM-DD)", options.date));
        }
        ctx.business_date = *date;
    } else {
        auto today = today_in(timezone);
        if (!today) {
            return tl::unexpected(today.error());
        }
        ctx.business_date = *today;
    }
    ctx.now = [timezone] { return now_iso8601(timezone); };
    ctx.unix_time = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
    ctx.secret = [](std::string_view name) -> std::optional<std::string> {
        const char* value = name.empty() ? nullptr : std::getenv(std::string(name).c_str());
        if (value == nullptr || *value == '\0') {
            return std::nullopt;
        }
        return std::string(value);
    };
    ctx.warn = [this](std::string_view message) { warn(message); };
    // A progress line only for a person at a terminal: never under cron, in a log, or with -q.
    m_progress = std::make_unique<ProgressLine>(std::cerr, !options.quiet && isatty(STDERR_FILENO) == 1);
    ctx.progress = [this](std::string_view what, std::int64_t done, std::int64_t total) {
        m_progress->update(what, done, total);
    };
    ctx.dry_run = options.dry_run;
    ctx.verbosity = options.quiet ? -1 : (options.verbose ? 1 : 0);
    return ctx;
}

Result<Stage> AppContext::stage()
{
    Stage stage;
    auto chosen = format(io::Format::yaml);
    if (!chosen) {
        return tl::unexpected(chosen.error());
    }
    stage.format = *chosen;
    auto loaded = config();
    if (!loaded) {
        return tl::unexpected(loaded.error());
    }
    stage.config = *loaded;
    auto run = run_context(stage.config->company.timezone);
    if (!run) {
        return tl::unexpected(run.error());
    }
    stage.run = std::move(*run);
    auto opened = open_ledger();
    if (!opened) {
        return tl::unexpected(opened.error());
    }
    stage.ledger = std::move(*opened);
    auto stream = out();
    if (!stream) {
        return tl::unexpected(stream.error());
    }
    stage.out = *stream;
    return stage;
}

Result<std::ostream*> AppContext::out()
{
    if (options.out.empty() || options.out == "-") {
        return &std::cout;
    }
    if (!m_out_file) {
        m_out_file = std::make_unique<std::ofstream>(options.out, std::ios::binary | std::ios::trunc);
        if (!m_out_file->is_open()) {
            return fail(ErrorCode::no_input, fmt::format("{}: cannot write the output file", options.out));
        }
    }
    return m_out_file.get();
}

Result<void> AppContext::finish_output()
{
    clear_progress();
    std::cout.flush();
    if (m_out_file) {
        m_out_file->close();
        if (m_out_file->fail()) {
            return fail(ErrorCode::internal, fmt::format("{}: error writing the output file", options.out));
        }
    } else if (!std::cout) {
        return fail(ErrorCode::internal, "error writing to standard output");
    }
    return {};
}

Result<io::Format> AppContext::format(io::Format fallback) const
{
    const std::string& f = options.format;
    if (f.empty()) {
        if (options.out.ends_with(".json")) {
            return io::Format::json;
        }
        if (options.out.ends_with(".csv")) {
            return io::Format::csv;
        }
        return fallback;
    }
    if (f == "yaml") {
        return io::Format::yaml;
    }
    if (f == "json") {
        return io::Format::json;
    }
    if (f == "csv") {
        return io::Format::csv;
    }
    if (f == "table") {
        return io::Format::table;
    }
    return fail(ErrorCode::usage, fmt::format("--format '{}': expected yaml, json, csv or table", f));
}

void AppContext::write_document(std::ostream& out, io::Format fmt_, const io::Map& doc) const
{
    switch (fmt_) {
    case io::Format::json:
        io::write_json_line(out, doc);
        break;
    case io::Format::table:
    case io::Format::csv:
        io::write_table(out, doc);
        out << '\n';
        break;
    case io::Format::yaml:
        io::write_yaml_document(out, doc);
        break;
    }
}

void AppContext::clear_progress() const
{
    if (m_progress) {
        m_progress->clear();
    }
}

void AppContext::warn(std::string_view message) const
{
    clear_progress();
    if (!options.quiet) {
        std::cerr << "billrun: warning: " << for_terminal(message) << '\n';
    }
}

void AppContext::info(std::string_view message) const
{
    clear_progress();
    if (!options.quiet) {
        std::cerr << "billrun: " << for_terminal(message) << '\n';
    }
}

// The invoices a stream of documents names (by key, or by id for hand-written streams).
Result<std::vector<std::int64_t>> invoices_in_stream(const std::string& file, ledger::Ledger& ledger)
{
    auto input = io::open_input(file);
    if (!input) {
        return tl::unexpected(input.error());
    }
    auto docs = io::scan_documents(*input);
    if (!docs) {
        return tl::unexpected(docs.error());
    }
    std::vector<std::int64_t> keys;
    for (const auto& doc : *docs) {
        // An invoice by its key or id; an nfse or boleto document by the invoice it names, so
        // that `cycle | emit-nfse - | issue-boleto -` carries the cycle's invoices through.
        const bool about_invoice = doc.kind == "nfse" || doc.kind == "boleto";
        if (doc.kind != "invoice" && !(about_invoice && !doc.invoice.empty())) {
            continue;  // run documents and others pass through
        }
        if (doc.kind == "invoice" && doc.key > 0) {
            keys.push_back(doc.key);
            continue;
        }
        const std::string& id = about_invoice ? doc.invoice : doc.id;
        auto dash = id.rfind('-');
        std::int64_t number = 0;
        if (dash != std::string::npos) {
            number = std::atoll(id.c_str() + dash + 1);
        }
        auto found = number > 0 ? ledger::find_invoice(ledger, id.substr(0, dash), number)
                                : Result<std::optional<ledger::Invoice>>(std::nullopt);
        if (!found) {
            return tl::unexpected(found.error());
        }
        if (!*found) {
            return fail(ErrorCode::data_invalid,
                        fmt::format("{}:{}: no invoice '{}' in the ledger", input->name, doc.line, id));
        }
        keys.push_back((*found)->key);
    }
    return keys;
}

}  // namespace billrun::app
