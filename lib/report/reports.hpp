#pragma once
// The reports of lib/report, one file each; report.cpp picks one.
#include <ostream>

#include <billrun/core/error.hpp>
#include <billrun/io/document.hpp>
#include <billrun/io/tabular.hpp>
#include <billrun/ledger/ledger.hpp>
#include <billrun/report/report.hpp>

namespace billrun::report {

Result<void> write_aging(ledger::Ledger& ledger, const Options& options, io::Format format, std::ostream& out);
Result<void> write_statement(ledger::Ledger& ledger, const Options& options, io::Format format, std::ostream& out);
Result<void> write_stages(ledger::Ledger& ledger, const Options& options, io::Format format, std::ostream& out);
Result<void> write_invoices(ledger::Ledger& ledger, const Options& options, io::Format format, std::ostream& out);
Result<void> write_runs(ledger::Ledger& ledger, const Options& options, io::Format format, std::ostream& out);

// A figure in a report's header: "1234.50", or "1.234,50" in the table.
io::Value header_money(Centavos value, io::Format format);
// data_invalid when the customer is not in the ledger.
Result<void> require_customer(ledger::Ledger& ledger, const std::string& customer);

}  // namespace billrun::report
