#pragma once
// What registration through bank APIs keeps (SPEC §6a): one registration per boleto, the
// count of requests sent (each counted before it leaves), the bank's answer; and the OAuth
// tokens between runs. Call inside a WriteTransaction.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/core/error.hpp>
#include <billrun/ledger/boletos.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::ledger {

struct Registration {
    Boleto boleto;
    std::string provider;
    std::string status;       // pending | registered | rejected | mismatch
    std::int64_t attempts = 0;
    std::string error;
};

// Records that a boleto is to be registered through `provider` (status pending).
Result<void> insert_registration(Ledger& ledger, std::int64_t run, std::int64_t boleto, std::string_view account,
                                 std::string_view provider);
// Pending and rejected registrations (a rejection is tried again once the data changed), key > after.
Result<std::vector<Registration>> registrations_to_send(Ledger& ledger, std::int64_t after, int limit);
// Counts one more registration request, before it is sent.
Result<void> count_registration_attempt(Ledger& ledger, std::int64_t run, std::int64_t boleto);
// The bank has the boleto: registered, with its identity; `how` goes into the event.
Result<void> mark_registered(Ledger& ledger, std::int64_t run, std::int64_t boleto, std::string_view bank_id,
                             std::string_view how);
// `status` rejected or mismatch, with why.
Result<void> mark_registration_failed(Ledger& ledger, std::int64_t run, std::int64_t boleto, std::string_view status,
                                      std::string_view error);

// Write-off (baixa) through the API of a cancelled invoice's boleto: the boleto is marked
// 'write-off' when the invoice is cancelled (the intent); each request gets an event before
// it leaves; the outcome is 'written-off' only when the bank confirmed it (its answer, or a
// query showing the boleto written off), 'write-off-refused' when the bank cannot (paid there).
// Boletos marked 'write-off' whose registration the bank has, key > after.
Result<std::vector<Boleto>> write_offs_to_send(Ledger& ledger, std::int64_t after, int limit);
Result<void> record_write_off_sending(Ledger& ledger, std::int64_t run, std::int64_t boleto);
// `status` written-off or write-off-refused; `how` goes into the event.
Result<void> record_write_off_outcome(Ledger& ledger, std::int64_t run, std::int64_t boleto, std::string_view status,
                                      std::string_view how);

struct ApiToken {
    std::string access_token;
    std::int64_t expires_at = 0;  // unix seconds
};
Result<std::optional<ApiToken>> api_token(Ledger& ledger, std::string_view key);
// Keeps a token; the event says when it expires, never what it is.
Result<void> store_api_token(Ledger& ledger, std::int64_t run, std::string_view key, const ApiToken& token);

}  // namespace billrun::ledger
