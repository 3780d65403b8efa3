#pragma once
// Registrations through banks that choose the nosso número themselves (Banco Inter v3): one
// request per invoice, recorded before it leaves, with the count of requests sent and the
// bank's id of the request once it accepted it; the boleto row comes only when the bank has
// numbered it. Call inside a WriteTransaction.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::ledger {

struct BankRequest {
    std::int64_t invoice = 0;
    std::string account;
    std::string provider;
    Date issue_date;
    std::string status;  // pending | issued | rejected | mismatch
    std::int64_t attempts = 0;
    std::string bank_id;
};

// Records the request (status pending); nothing when the invoice has one already.
Result<void> insert_bank_request(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::string_view account,
                                 std::string_view provider, Date issue_date);
// Pending and rejected requests (a rejection is tried again once the data changed), invoice > after.
Result<std::vector<BankRequest>> bank_requests_to_send(Ledger& ledger, std::int64_t after, int limit);
// Counts one more request, before it is sent.
Result<void> count_bank_request_attempt(Ledger& ledger, std::int64_t run, std::int64_t invoice);
// The bank accepted the request under `bank_id`; it is still numbering it.
Result<void> set_bank_request_id(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::string_view bank_id);
// The bank numbered it: its boleto is `boleto`.
Result<void> mark_bank_request_issued(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::int64_t boleto);
// The bank's id of a registered boleto (boleto_registrations.bank_id; empty when it gave none):
// what banks that number boletos themselves know it by.
Result<std::string> registered_bank_id(Ledger& ledger, std::int64_t boleto);
// `status` rejected or mismatch, with why.
Result<void> mark_bank_request_failed(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::string_view status,
                                      std::string_view error);

}  // namespace billrun::ledger
