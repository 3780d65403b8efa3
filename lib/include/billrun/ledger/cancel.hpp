#pragma once
// What `cancel` keeps: the NFS-e events sent to the authority (one row per NFS-e and event
// type, ever, with the signed request stored before it is sent and the returned event as it
// came), and the invoice's cancellation (its boleto marked for write-off, credit it used
// given back). Call inside a WriteTransaction; each state change also writes an event.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <billrun/core/error.hpp>
#include <billrun/core/money.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::ledger {

struct NfseEvent {
    std::int64_t key = 0;
    std::int64_t nfse = 0;
    std::string type;                // "101101"
    std::int64_t sequence = 1;       // numSeqEvento
    std::string request_id;          // PRE + chave + type
    std::string status = "signed";   // signed | registered | rejected
    int code = 0;                    // cMotivo
    std::string reason;              // xMotivo
    std::string signed_xml;          // exact bytes
    std::string xml_path;
    std::string event_path;
    std::string error_code;
    std::string error_message;
    std::int64_t attempts = 0;
};

// The event of a type of an NFS-e (signed bytes included), if any.
Result<std::optional<NfseEvent>> nfse_event(Ledger& ledger, std::int64_t nfse, std::string_view type);

// Stores a newly signed request: a new row, or a rejected one signed again (new bytes, same
// Id). False when the row exists in another state (another run got there first).
Result<bool> store_signed_event(Ledger& ledger, std::int64_t run, std::int64_t invoice, const NfseEvent& event);
// A transmission is about to be tried; only a signed row (false otherwise).
Result<bool> record_event_attempt(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::int64_t key);
Result<void> record_event_registered(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::int64_t key,
                                     std::string_view event_xml, std::string_view path, std::string_view how);
Result<void> record_event_rejected(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::int64_t key,
                                   std::string_view code, std::string_view message);
// No usable answer came: the row stays signed, the reason kept.
Result<void> record_event_unsent(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::int64_t key,
                                 std::string_view code, std::string_view message);

// Whether any payment was applied to the invoice.
Result<bool> invoice_has_payments(Ledger& ledger, std::int64_t invoice);

struct CancelEffects {
    bool cancelled = false;       // false: the invoice was not issued any more (nothing done)
    std::string boleto;           // the nosso número of the boleto marked for write-off, if any
    bool write_off_by_remessa = false;  // it waits for the pedido de baixa of its account's next remessa
    Centavos credit_returned = 0; // customer credit the invoice had used, given back
};

// Cancels an issued invoice: status 'cancelled', its boleto (if any, and not settled)
// 'write-off', credit it used given back to the customer; an event for each. A boleto that a
// remessa registered waits in remessa_write_offs for the pedido de baixa of the next one.
Result<CancelEffects> cancel_invoice_records(Ledger& ledger, std::int64_t run, std::int64_t invoice,
                                             std::string_view detail);

}  // namespace billrun::ledger
