#pragma once
// What `billrun show` finds besides the master data, invoices, boletos and NFS-e: the records
// other stages keep (run, payment, reminder, charge, remessa), each with its history.
#include <optional>
#include <string>
#include <string_view>

#include <billrun/core/error.hpp>
#include <billrun/io/document.hpp>
#include <billrun/ledger/ledger.hpp>
#include <billrun/ledger/records.hpp>

namespace billrun::app {

// An event as a history entry: at, run, command, action and detail.
io::Map history_entry(const ledger::Event& event);

// The kinds show_record prints.
bool is_record_kind(std::string_view kind);

// The record of that kind whole, its history included; nullopt when there is none.
//   run ID                  the run's id, with the events it wrote counted per kind and action
//   payment KEY|SOURCE_KEY  with its invoice's and boleto's events about it
//   reminder KEY|INVOICE:STEP  with the invoice's events about that step
//   charge ID, remessa KEY|ACCOUNT:SEQUENCE  with their own events
Result<std::optional<io::Map>> show_record(ledger::Ledger& ledger, std::string_view kind, const std::string& id);

}  // namespace billrun::app
