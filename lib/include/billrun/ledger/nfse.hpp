#pragma once
// What `emit-nfse` keeps: one NFS-e row per invoice, ever (its DPS number allocated once
// from the series' counter), the signed DPS bytes, the authority's answer, and the events.
// Call inside a WriteTransaction.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/core/error.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::ledger {

struct NfseRecord {
    std::int64_t key = 0;
    std::int64_t invoice = 0;
    std::string invoice_id;  // "A-000123"
    std::string standard;    // nacional | abrasf
    std::string dps_series;
    std::int64_t dps_number = 0;
    std::string dps_id;
    std::string status = "pending";  // pending | signed | authorized | rejected | cancelled |
                                     // authorized-after-cancel
    std::string signed_xml;          // exact bytes (loaded only where said)
    std::string xml_path;
    std::string access_key;
    std::string number;              // the NFS-e number the authority gave
    std::string authorized_path;
    std::string error_code;
    std::string error_message;
    std::int64_t attempts = 0;
};

// Invoices that need an NFS-e and have none: status issued, partly-paid or paid, key > after,
// in key order. `nfse_candidate` answers for one invoice.
Result<std::vector<std::int64_t>> nfse_candidates(Ledger& ledger, std::int64_t after, int limit);
Result<bool> nfse_candidate(Ledger& ledger, std::int64_t invoice);

// The last DPS number of a series (0: none yet), and storing it.
Result<std::int64_t> last_dps_number(Ledger& ledger, std::string_view series);
Result<void> store_last_dps_number(Ledger& ledger, std::string_view series, std::int64_t last);

// Records the NFS-e of an invoice with its allocated DPS (status pending) and an event; its
// key, or nullopt when the invoice already has one (another run got there first).
Result<std::optional<std::int64_t>> insert_nfse(Ledger& ledger, std::int64_t run, const NfseRecord& record);

// Rows to build and sign: pending or rejected, key > after, in key order (no XML loaded).
Result<std::vector<NfseRecord>> nfse_to_sign(Ledger& ledger, std::int64_t after, int limit);
// National rows signed and not yet answered, key > after, with their signed bytes (ABRASF
// lotes are never sent by billrun).
Result<std::vector<NfseRecord>> nfse_to_send(Ledger& ledger, std::int64_t after, int limit);
// The NFS-e of an invoice (signed bytes included), if any.
Result<std::optional<NfseRecord>> nfse_of_invoice(Ledger& ledger, std::int64_t invoice);
// The NFS-e whose DPS Id or access key is `id` (signed bytes included), if any.
Result<std::optional<NfseRecord>> find_nfse(Ledger& ledger, std::string_view id);

// State changes; each writes an event on the invoice and marks the row as the run's. Those
// returning bool change only a row still in the state they expect (false: another run
// moved it meanwhile, nothing done).
Result<bool> store_signed_dps(Ledger& ledger, std::int64_t run, std::int64_t key, std::string_view bytes,
                              std::string_view path);
// The DPS could not be built or failed the schema: it stays pending with the reason.
Result<bool> record_nfse_invalid(Ledger& ledger, std::int64_t run, std::int64_t key, std::string_view code,
                                 std::string_view message);
// A transmission is about to be tried (counted before sending); only a signed row.
Result<bool> record_nfse_attempt(Ledger& ledger, std::int64_t run, std::int64_t key);
enum class Authorization {
    recorded,      // signed -> authorized
    after_cancel,  // the row was cancelled meanwhile (billrun cancel): 'authorized-after-cancel'
    unchanged,     // another run recorded it, or the row is in no state to take it
};
// The authority's NFS-e for a signed row. Never makes the NFS-e of a cancelled invoice
// 'authorized' (a condition here and a trigger in the schema): such a row keeps the NFS-e
// as 'authorized-after-cancel', with an event, for billrun cancel to cancel at the authority.
Result<Authorization> record_nfse_authorized(Ledger& ledger, std::int64_t run, std::int64_t key,
                                             std::string_view access_key, std::string_view number,
                                             std::string_view xml, std::string_view path, std::string_view how);
Result<void> record_nfse_rejected(Ledger& ledger, std::int64_t run, std::int64_t key, std::string_view code,
                                  std::string_view message);
// The authority could not be reached or gave no usable answer: stays signed, reason kept.
Result<void> record_nfse_unsent(Ledger& ledger, std::int64_t run, std::int64_t key, std::string_view code,
                                std::string_view message);

// An NFS-e never authorized (pending, signed or rejected) whose invoice is cancelled: it
// becomes 'cancelled' (its DPS number stays used) only while its status and attempts are
// still those given (false: another run moved it meanwhile, nothing done).
Result<bool> cancel_unauthorized_nfse(Ledger& ledger, std::int64_t run, std::int64_t key,
                                      std::string_view status, std::int64_t attempts);
// An authorized (or authorized-after-cancel) NFS-e whose cancellation event the authority
// registered; false when it is neither (any more).
Result<bool> record_nfse_cancelled(Ledger& ledger, std::int64_t run, std::int64_t key, std::string_view detail);

// The rows a run acted on last, key > after, in key order (no XML loaded).
Result<std::vector<NfseRecord>> nfse_of_run(Ledger& ledger, std::int64_t run, std::int64_t after, int limit);

}  // namespace billrun::ledger
