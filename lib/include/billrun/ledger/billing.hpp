#pragma once
// What `cycle` and `approve` read and write: contracts due for billing, invoices with their
// lines, one-off charges, and each series' gapless counter. Call inside a WriteTransaction.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <billrun/core/error.hpp>
#include <billrun/ledger/ledger.hpp>
#include <billrun/ledger/records.hpp>

namespace billrun::ledger {

// A contract as `cycle` needs it: the contract, its customer's tax facts, and the index of
// the last period billed (none yet = nullopt).
struct BillableContract {
    Contract contract;
    std::string customer_tax_id;
    bool customer_iss_withheld = false;
    std::optional<std::int64_t> last_period;
};

// Up to `limit` contracts with id > `after`, in id order, with their items.
Result<std::vector<BillableContract>> contracts_after(Ledger& ledger, std::string_view after, int limit);

Result<std::unordered_map<std::string, Service>> all_services(Ledger& ledger);

// The next number of a series (last + 1) without reserving it; store_series_number keeps it.
Result<std::int64_t> last_series_number(Ledger& ledger, std::string_view series);
Result<void> store_series_number(Ledger& ledger, std::string_view series, std::int64_t last);

// The invoice's columns that are text made from its other fields: the dates in ISO form (empty
// for none) and the lines as `invoices.lines` keeps them. Made apart from insert_invoice so
// that a thread other than the writing one can make it (cycle's reading thread does).
struct InvoiceText {
    std::string period_start;
    std::string period_end;
    std::string issue_date;
    std::string due_date;
    std::string lines;
};
InvoiceText invoice_text(const Invoice& invoice);

// Inserts an invoice and its lines (`text` is invoice_text(invoice)). Returns its key, or
// nullopt when the contract period is already billed (the uniqueness rule refused it). The
// caller appends the event: one per batch (append_range_event), as a run creates invoices
// with consecutive keys.
Result<std::optional<std::int64_t>> insert_invoice(Ledger& ledger, std::int64_t run, const Invoice& invoice,
                                                   const InvoiceText& text);

// Unbilled charges dated on or before `as_of`: of one contract, or (contract empty) those of
// every customer without a contract, ordered by customer, date and id.
Result<std::vector<Charge>> unbilled_charges_of_contract(Ledger& ledger, std::string_view contract,
                                                         std::string_view as_of);
Result<std::vector<Charge>> unbilled_loose_charges(Ledger& ledger, std::string_view as_of);
// Contracts that have unbilled charges dated on or before `as_of`.
Result<std::vector<std::string>> contracts_with_unbilled_charges(Ledger& ledger, std::string_view as_of);
// A customer's tax id and whether it withholds ISS.
Result<std::pair<std::string, bool>> customer_tax_facts(Ledger& ledger, std::string_view customer);
Result<void> mark_charge_billed(Ledger& ledger, std::string_view charge, std::int64_t invoice);

Result<UpsertResult> upsert_charge(Ledger& ledger, std::int64_t run, const Charge& record);
Result<bool> contract_exists(Ledger& ledger, std::string_view id);
// Whether any invoice bills a period of this contract.
Result<bool> contract_billed(Ledger& ledger, std::string_view id);
// The index of the billed period of this contract that ends on `period_end`, if any.
Result<std::optional<std::int64_t>> contract_period_billed(Ledger& ledger, std::string_view id,
                                                           std::string_view period_end);

// Lookups for show and approve.
Result<std::optional<Invoice>> find_invoice_by_key(Ledger& ledger, std::int64_t key);
Result<std::optional<Invoice>> find_invoice(Ledger& ledger, std::string_view series, std::int64_t number);
Result<std::vector<std::int64_t>> draft_keys(Ledger& ledger);
// Gives a draft its number and makes it issued; false when it is not a draft.
Result<bool> issue_draft(Ledger& ledger, std::int64_t run, std::int64_t key, std::int64_t number);

}  // namespace billrun::ledger
