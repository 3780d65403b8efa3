#pragma once
// Reading records back from statement rows whose columns follow a fixed order.
#include <optional>
#include <string>

#include <billrun/core/date.hpp>
#include <billrun/ledger/boletos.hpp>
#include <billrun/ledger/records.hpp>

#include "sqlite.hpp"

namespace billrun::ledger {

// The contract columns, in the order read_contract_row expects them (prefix each with an
// alias in a join).
#define BILLRUN_CONTRACT_COLUMNS(p)                                                                 \
    p "id, " p "customer, " p "start, " p "start_time, " p "end_date, " p "cycle, " p "billing, " p \
      "due_days, " p "due_day, " p "series, " p "payment_method, " p "auto_send, " p "template, " p  \
      "bank_account, " p "iss_withheld"
inline constexpr int k_contract_column_count = 15;

// A stored ISO date (columns the ledger wrote itself: a bad one reads as Date()).
Date date_of(const std::string& iso);
std::optional<Date> opt_date_of(const std::optional<std::string>& iso);

// A contract from columns [first, first + k_contract_column_count); items left empty.
Contract read_contract_row(const sql::Statement& stmt, int first = 0);

// The customer columns a payer is read from, with `c` the customers table's alias.
#define BILLRUN_PAYER_COLUMNS "c.id, c.name, c.tax_id, c.email, c.street, c.number, c.complement, c.district, c.city, c.state, c.zip"
Payer read_payer_row(const sql::Statement& stmt, int first);

}  // namespace billrun::ledger
