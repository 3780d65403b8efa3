// billrun report NAME: the names, the aging buckets, and one read snapshot per report.
#include <billrun/report/report.hpp>

#include <array>

#include <fmt/format.h>

#include <billrun/ledger/reports.hpp>

#include "reports.hpp"

namespace billrun::report {

namespace {

constexpr std::array<std::string_view, 5> k_names{"aging", "statement", "stages", "invoices", "runs"};

}  // namespace

std::span<const std::string_view> names()
{
    return k_names;
}

std::optional<Kind> parse_kind(std::string_view name)
{
    for (std::size_t i = 0; i < k_names.size(); ++i) {
        if (k_names[i] == name) {
            return static_cast<Kind>(i);
        }
    }
    return std::nullopt;
}

Bucket aging_bucket(std::int32_t days_past_due)
{
    if (days_past_due <= 0) {
        return Bucket::current;
    }
    if (days_past_due <= 30) {
        return Bucket::days_1_30;
    }
    if (days_past_due <= 60) {
        return Bucket::days_31_60;
    }
    if (days_past_due <= 90) {
        return Bucket::days_61_90;
    }
    return Bucket::days_over_90;
}

std::string_view bucket_key(Bucket bucket)
{
    switch (bucket) {
    case Bucket::current: return "current";
    case Bucket::days_1_30: return "1-30";
    case Bucket::days_31_60: return "31-60";
    case Bucket::days_61_90: return "61-90";
    case Bucket::days_over_90: return "90+";
    }
    return "";
}

io::Value header_money(Centavos value, io::Format format)
{
    return io::Value(format == io::Format::table ? format_money_br(value) : format_money(value));
}

Result<void> require_customer(ledger::Ledger& ledger, const std::string& customer)
{
    auto exists = ledger::customer_exists(ledger, customer);
    if (!exists) {
        return tl::unexpected(exists.error());
    }
    if (!*exists) {
        return fail(ErrorCode::data_invalid,
                    fmt::format("no customer with id '{}' in {}", customer, ledger.path().string()));
    }
    return {};
}

Result<void> write_report(ledger::Ledger& ledger, Kind kind, const Options& options, io::Format format,
                          std::ostream& out)
{
    if (options.from && options.to && *options.from > *options.to) {
        return fail(ErrorCode::usage, fmt::format("--from {} is after --to {}", options.from->iso(), options.to->iso()));
    }
    auto snapshot = ledger::ReadSnapshot::begin(ledger);
    if (!snapshot) {
        return tl::unexpected(snapshot.error());
    }
    switch (kind) {
    case Kind::aging: return write_aging(ledger, options, format, out);
    case Kind::statement: return write_statement(ledger, options, format, out);
    case Kind::stages: return write_stages(ledger, options, format, out);
    case Kind::invoices: return write_invoices(ledger, options, format, out);
    case Kind::runs: return write_runs(ledger, options, format, out);
    }
    return fail(ErrorCode::internal, "unknown report");
}

}  // namespace billrun::report
