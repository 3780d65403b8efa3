#pragma once
// What `issue-boleto` keeps: boletos (one per invoice, ever), each account's nosso número
// sequence, and remessa files with their NSA. Call inside a WriteTransaction.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/core/money.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::ledger {

struct Payer {
    std::string customer;
    std::string name;
    std::string tax_id;
    std::string email;
    std::string street, number, complement, district, city, state, zip;
};

// Street, number and complement on one line ("Rua Um, 10 Sala 2"), as remessas and bank APIs want it.
std::string street_line(const Payer& payer);
// The same into `line` (replacing what it held, keeping its buffer).
void street_line_into(std::string& line, const Payer& payer);

// An issued invoice that should get a boleto, with what the slip prints of its customer.
struct BoletoCandidate {
    std::int64_t invoice = 0;  // key
    std::string invoice_id;    // "A-000123"
    Date issue_date;
    Date due_date;
    Centavos amount = 0;       // the invoice's balance: its net, less credit it used
    std::string account;       // the invoice's bank account id
    bool auto_send = false;    // its contract e-mails the boleto to the customer
    Payer payer;
};

struct Boleto {
    std::int64_t key = 0;
    std::int64_t invoice = 0;
    std::string invoice_id;
    std::string account;
    std::string bank;
    std::int64_t sequence = 0;
    std::string nosso_numero;
    std::string nosso_numero_dv;
    std::string nosso_numero_display;
    Date issue_date;
    Date due_date;
    Centavos amount = 0;
    Rate fine_percent = 0;
    Centavos interest_per_day = 0;
    std::string barcode;
    std::string linha_digitavel;
    std::string pix;
    std::string pdf;
    std::optional<std::int64_t> remessa;
    std::string remessa_path;
    std::string status = "issued";
    std::string registration;  // through a bank API: pending | registered | rejected | mismatch; empty: remessa
    Payer payer;
};

struct Remessa {
    std::int64_t key = 0;
    std::string account;
    std::int64_t sequence = 0;  // NSA
    std::string layout;         // cnab240 | cnab400
    std::string path;
    std::string generated;      // ISO date
    std::string generated_time; // HHMMSS
    std::int64_t titles = 0;
    std::string status;         // writing | written
};

// Issued invoices paid by boleto without one, key > after, in key order; `only` restricts
// to the given keys (a FILE of invoice documents) when not empty.
Result<std::vector<BoletoCandidate>> boleto_candidates(Ledger& ledger, std::int64_t after, int limit);
// The same with after < key <= last, however many.
Result<std::vector<BoletoCandidate>> boleto_candidates_through(Ledger& ledger, std::int64_t after, std::int64_t last);
// SQLite's data_version of this connection: it changes when another connection commits.
Result<std::int64_t> data_version(Ledger& ledger);
Result<std::optional<BoletoCandidate>> boleto_candidate(Ledger& ledger, std::int64_t invoice);

// The last sequence number used by an account (nullopt: none yet).
Result<std::optional<std::int64_t>> last_nosso_numero(Ledger& ledger, std::string_view account);
Result<void> store_last_nosso_numero(Ledger& ledger, std::string_view account, std::int64_t last);

// Inserts a boleto (in its remessa, when `remessa` is set); its key, or nullopt when the
// invoice already has one.
Result<std::optional<std::int64_t>> insert_boleto(Ledger& ledger, std::int64_t run, const Boleto& boleto);

// Records a remessa (next NSA) for up to `max_titles` of the account's boletos not yet in
// one, oldest first, assigning them to it; nullopt when there are none. Its file is
// "<path_prefix>-<NSA, 6 digits>.rem".
Result<std::optional<Remessa>> create_remessa(Ledger& ledger, std::int64_t run, std::string_view account,
                                              std::string_view layout, std::string_view path_prefix,
                                              std::string_view generated, std::string_view generated_time,
                                              std::int64_t max_titles);
// Records an empty remessa (next NSA, status writing) that boletos are put into as they are
// inserted; its titles are counted with add_remessa_titles().
Result<Remessa> open_remessa(Ledger& ledger, std::int64_t run, std::string_view account, std::string_view layout,
                             std::string_view path_prefix, std::string_view generated, std::string_view generated_time);
Result<void> add_remessa_titles(Ledger& ledger, std::int64_t remessa, std::int64_t titles);
Result<std::vector<Remessa>> remessas_being_written(Ledger& ledger);
// What a remessa carries for a boleto: its entrada, or its pedido de baixa.
enum class RemessaTitles { entries, write_offs };
// The boletos whose entries (or pedidos de baixa) a remessa carries, key > after, in key order
// (read in pages: a remessa may hold a million).
Result<std::vector<Boleto>> boletos_of_remessa(Ledger& ledger, std::int64_t remessa, RemessaTitles titles,
                                               std::int64_t after, int limit);
// The pedido de baixa of a cancelled invoice's boleto that a remessa registered (the cancel
// left it waiting): the boletos of `account` still 'write-off' whose baixa no remessa carries
// yet, key > after, in key order.
Result<std::vector<Boleto>> write_offs_for_remessa(Ledger& ledger, std::string_view account, std::int64_t after,
                                                   int limit);
// How many pedidos de baixa wait, by account.
Result<std::vector<std::pair<std::string, std::int64_t>>> write_offs_waiting(Ledger& ledger);
// Puts the boleto's waiting pedido de baixa into `remessa` (its titles are counted by the
// caller with add_remessa_titles); false, nothing written, when a remessa already carries it
// (once per boleto, ever: one row a boleto).
Result<bool> add_write_off_to_remessa(Ledger& ledger, std::int64_t run, std::int64_t boleto, const Remessa& remessa);
Result<void> mark_remessa_written(Ledger& ledger, std::int64_t run, std::int64_t remessa);

Result<std::vector<Boleto>> boletos_without_pdf(Ledger& ledger, std::int64_t after, int limit);
Result<void> set_boleto_pdf(Ledger& ledger, std::int64_t boleto, std::string_view path);

// The boletos a run issued, key > after, in key order.
Result<std::vector<Boleto>> boletos_of_run(Ledger& ledger, std::int64_t run, std::int64_t after, int limit);

// The boleto of an invoice (by the invoice's key), if it has one.
Result<std::optional<Boleto>> boleto_of_invoice(Ledger& ledger, std::int64_t invoice);

// A boleto by its key, its invoice's key, or its nosso número.
Result<std::optional<Boleto>> find_boleto(Ledger& ledger, std::string_view id);

}  // namespace billrun::ledger
