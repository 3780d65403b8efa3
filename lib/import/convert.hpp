#pragma once
// Turning raw text fields into validated records, with a Problem for each bad value.
#include <optional>
#include <string>
#include <vector>

#include <billrun/config/config.hpp>
#include <billrun/ledger/records.hpp>

#include "fields.hpp"

namespace billrun::import {

// Collects the problems of one record; `file` names the source in each.
class Checker {
public:
    Checker(std::string file, std::vector<Problem>& problems) : m_file(std::move(file)), m_problems(problems) {}
    void add(const RawField& field, std::int64_t record_line, std::string message);
    void mark_failed() { m_failed = true; }
    bool failed() const { return m_failed; }
    const std::string& file() const { return m_file; }

private:
    std::string m_file;
    std::vector<Problem>& m_problems;
    bool m_failed = false;
};

std::optional<ledger::Customer> to_customer(const RawRecord& raw, Checker& check);
std::optional<ledger::Service> to_service(const RawRecord& raw, Checker& check);

// The contract-level fields of a row (items left empty), and its item(s): one per CSV row,
// or the nested list of a YAML contract.
std::optional<ledger::Contract> to_contract_head(const RawRecord& raw, const config::Config& config,
                                                 Checker& check);
std::vector<ledger::ContractItem> to_contract_items(const RawRecord& raw, Checker& check);

// A one-off charge; its id stays empty when the row gives none (see derived_charge_id).
std::optional<ledger::Charge> to_charge(const RawRecord& raw, Checker& check);
// "CH-" and 12 hex digits of a hash over the charge's content.
std::string derived_charge_id(const ledger::Charge& charge);

// Parses yes/no as spreadsheets write it: yes/no, sim/não, s/n, true/false, 1/0, x/empty.
std::optional<bool> parse_yes_no(std::string_view text);

}  // namespace billrun::import
