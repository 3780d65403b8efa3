#pragma once
// What reconcile (and import payments) keep: payments, each bank record applied once ever
// (a unique source key), files already reconciled (by content hash), customer credits.
// Call inside a WriteTransaction.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/core/money.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::ledger {

struct Payment {
    std::string source_key;  // identity of the bank record ("cnab:001:<nosso>:06:2026-12-03:142695", "ofx:<fitid>"...)
    std::string source;      // the file
    std::string record;      // line or id in it
    std::optional<std::int64_t> invoice;
    std::optional<std::int64_t> boleto;
    std::string nosso_numero;
    Date date;
    Centavos amount = 0;     // what was paid (interest and fine included)
    Centavos interest = 0;
    Centavos fine = 0;
    Centavos fee = 0;
    std::optional<Date> credit_date;
    std::string status;      // applied | confirmed | written-off | unmatched | ambiguous | rejected
    std::string reason;
    // An applied boleto payment's identity whatever its source ("boleto:<key>:<date>:<amount>:<n>",
    // see settlement_key): unique in the ledger, so no source applies it a second time.
    std::optional<std::string> settlement;
};

// The settlement identity of the n-th payment (1 for the first) of `amount` paid on `date` to
// boleto `boleto`, as a source reports it.
std::string settlement_key(std::int64_t boleto, Date date, Centavos amount, int n);

struct PayableInvoice {
    std::int64_t key = 0;
    std::string id;          // "A-000123"
    std::string customer;
    std::string customer_tax_id;
    std::string status;
    Date issue_date;
    Date due_date;
    Centavos net = 0;
    Centavos balance = 0;
};

Result<bool> file_reconciled(Ledger& ledger, std::string_view hash);
Result<void> record_reconciled_file(Ledger& ledger, std::int64_t run, std::string_view hash, std::string_view name,
                                    std::string_view format, std::int64_t records);
Result<bool> payment_seen(Ledger& ledger, std::string_view source_key);
// Where a settlement was applied before ("bank:main record 000123...", "ret.ret line 3"), or
// nullopt when it never was.
Result<std::optional<std::string>> settlement_applied(Ledger& ledger, std::string_view settlement);

// The boletos of a bank that a nosso número field as a bank writes it may name (leading
// zeros ignored): the field whole, or the field as number + check digit, where the digit
// is the boleto's own (`dv_checked`). Two accounts at one bank may both match.
struct BoletoMatch {
    std::int64_t boleto = 0;
    PayableInvoice invoice;
    bool dv_checked = false;  // matched as number + its own check digit
};
Result<std::vector<BoletoMatch>> boletos_by_nosso_numero(Ledger& ledger, std::string_view bank, std::string_view field);
// The boletos boletos_by_nosso_numero finds in one of its two readings, tried in turn: as
// number + check digit first when `dv_first`, else the whole field first; the other reading
// only when the first finds none. Their invoices' customer_tax_id is left empty.
Result<std::vector<BoletoMatch>> boletos_by_nosso_numero_preferring(Ledger& ledger, std::string_view bank,
                                                                    std::string_view field, bool dv_first);
// Makes a connection opened to read ahead for the writing one use a small page cache of its
// own: it reads each page about once, and the writer keeps the 64 MiB.
Result<void> use_for_reading_ahead(Ledger& ledger);

// Calls `reads` inside one read transaction, on a connection of a reading thread that writes
// nothing: its statements then share one snapshot instead of starting one each.
Result<void> in_read_transaction(Ledger& ledger, const std::function<Result<void>()>& reads);

Result<std::optional<PayableInvoice>> payable_invoice(Ledger& ledger, std::int64_t key);
Result<std::optional<PayableInvoice>> payable_invoice_by_id(Ledger& ledger, std::string_view id);
// Open invoices (issued or partly paid) with exactly this balance, issued on or before `date`,
// of the customer with this tax id when one is given.
// The open invoices of the customers with this tax id issued on or before `date` (at most 200).
Result<std::vector<PayableInvoice>> open_invoices_of_payer(Ledger& ledger, std::string_view tax_id, Date date);
Result<std::vector<PayableInvoice>> open_invoices_with_balance(Ledger& ledger, Centavos balance, Date date,
                                                               std::string_view tax_id);

struct Applied {
    std::string status;       // the invoice's new status: paid | partly-paid
    Centavos balance = 0;     // what stays open
    Centavos credit = 0;      // the excess, now a customer credit
};

// Records an applied payment and its effect on the invoice: the balance goes down by what
// was paid less interest and fine; paid when nothing stays open; an excess becomes a
// credit of the customer. Each change an event. nullopt, and nothing written, when the
// ledger already holds the payment's source key or its settlement (see payment_seen and
// settlement_applied for which).
Result<std::optional<Applied>> apply_payment(Ledger& ledger, std::int64_t run, const Payment& payment,
                                             const PayableInvoice& invoice);
// Payments applied as apply_payment applies them, with the invoices' and boletos' updates
// and the invoices' events held back and written by flush(), many rows to a statement. The
// payment row is inserted at once (its unique keys decide whether it is new), and so is a
// credit. Until flush() the ledger shows the held payments' invoices and boletos as they
// were: flush before reading any of them (and so before applying a second payment to one),
// and before the transaction ends. It writes them itself when it holds k_held_at_most. An
// event keeps the place in the ledger's order it had when its payment was applied.
class PaymentBatch {
public:
    static constexpr std::size_t k_held_at_most = 1024;

    Result<std::optional<Applied>> apply(Ledger& ledger, std::int64_t run, const Payment& payment,
                                         const PayableInvoice& invoice);
    Result<void> flush(Ledger& ledger);

private:
    void write(Ledger& ledger);  // throws sql::SqliteError

    struct InvoiceChange {
        std::int64_t invoice = 0;
        Centavos balance = 0;
        std::string status;
    };
    struct BoletoChange {
        std::int64_t boleto = 0;
        std::string status;
    };
    struct InvoiceEvent {
        std::int64_t run = 0;
        std::int64_t seq = 0;
        std::string invoice;
        std::string action;
        std::string detail;
    };
    std::vector<InvoiceChange> m_invoices;
    std::vector<BoletoChange> m_boletos;
    std::vector<InvoiceEvent> m_events;
};

// Records a payment that changes no invoice (unmatched, ambiguous, rejected, confirmed,
// written-off), and the boleto's new status when the bank said so. false, and nothing
// written, when the ledger already holds the payment's source key.
Result<bool> record_payment(Ledger& ledger, std::int64_t run, const Payment& payment);

// Customers with credit they have not used yet.
Result<std::vector<std::string>> customers_with_credit(Ledger& ledger);
// Credit a customer has not used yet, and its use by an invoice (negative row).
Result<Centavos> customer_credit(Ledger& ledger, std::string_view customer);
Result<void> use_customer_credit(Ledger& ledger, std::int64_t run, std::string_view customer, std::int64_t invoice,
                                 Centavos amount);

}  // namespace billrun::ledger
