// Boletos, nosso número sequences and remessa files.
#include <billrun/ledger/boletos.hpp>
#include <billrun/ledger/bankapi.hpp>

#include <algorithm>
#include <iterator>
#include <limits>

#include <fmt/format.h>

#include "events.hpp"
#include "guard.hpp"
#include "rows.hpp"
#include "sqlite.hpp"

namespace billrun::ledger {

namespace {

// The invoice id ("A-000123") is put together in read_candidate, not by SQL's printf.
#define BILLRUN_CANDIDATE_SELECT                                                                              \
    "SELECT i.id, i.series, i.issue_date, i.due_date, i.balance, i.bank_account, i.number, " \
    "coalesce(k.auto_send, 0), " BILLRUN_PAYER_COLUMNS " "                                                     \
    "FROM invoices i JOIN customers c ON c.id = i.customer LEFT JOIN contracts k ON k.id = i.contract "

// A page of rows (LIMIT `limit`), room made for all of them at once: a boleto is two dozen
// strings, and moving them on every growth of the vector showed in the profile.
template <typename Row, typename Read>
std::vector<Row> read_page(sql::Statement& stmt, int limit, Read read)
{
    std::vector<Row> out;
    out.reserve(static_cast<std::size_t>(std::max(limit, 0)));
    while (stmt.step()) {
        out.push_back(read(stmt));
    }
    return out;
}

BoletoCandidate read_candidate(const sql::Statement& stmt)
{
    BoletoCandidate c;
    c.invoice = stmt.column_int(0);
    c.invoice_id = stmt.column_view(1);
    c.invoice_id += '-';
    fmt::format_to(std::back_inserter(c.invoice_id), "{:06}", stmt.column_int(6));  // printf('%06d')
    c.issue_date = parse_iso_date(stmt.column_view(2)).value_or(Date());
    c.due_date = parse_iso_date(stmt.column_view(3)).value_or(Date());
    c.amount = stmt.column_int(4);
    c.account = stmt.column_view(5);
    c.auto_send = stmt.column_int(7) != 0;
    c.payer = read_payer_row(stmt, 8);
    return c;
}

#define BILLRUN_BOLETO_SELECT                                                                                  \
    "SELECT b.id, b.invoice, i.series || '-' || printf('%06d', i.number), b.account, b.bank, b.sequence, "      \
    "b.nosso_numero, b.nosso_numero_dv, b.nosso_numero_display, b.issue_date, b.due_date, b.amount, "           \
    "b.fine_percent, b.interest_per_day, b.barcode, b.linha_digitavel, coalesce(b.pix, ''), coalesce(b.pdf, ''), " \
    "b.remessa, coalesce(r.path, ''), b.status, "                                                               \
    "coalesce((SELECT g.status FROM boleto_registrations g WHERE g.boleto = b.id), ''), "                       \
    BILLRUN_PAYER_COLUMNS " "                                                                                   \
    "FROM boletos b JOIN invoices i ON i.id = b.invoice JOIN customers c ON c.id = i.customer "                \
    "LEFT JOIN remessas r ON r.id = b.remessa "

Boleto read_boleto(const sql::Statement& stmt)
{
    Boleto b;
    b.key = stmt.column_int(0);
    b.invoice = stmt.column_int(1);
    b.invoice_id = stmt.column_text(2);
    b.account = stmt.column_text(3);
    b.bank = stmt.column_text(4);
    b.sequence = stmt.column_int(5);
    b.nosso_numero = stmt.column_text(6);
    b.nosso_numero_dv = stmt.column_text(7);
    b.nosso_numero_display = stmt.column_text(8);
    b.issue_date = date_of(stmt.column_text(9));
    b.due_date = date_of(stmt.column_text(10));
    b.amount = stmt.column_int(11);
    b.fine_percent = static_cast<Rate>(stmt.column_int(12));
    b.interest_per_day = stmt.column_int(13);
    b.barcode = stmt.column_text(14);
    b.linha_digitavel = stmt.column_text(15);
    b.pix = stmt.column_text(16);
    b.pdf = stmt.column_text(17);
    b.remessa = stmt.column_opt_int(18);
    b.remessa_path = stmt.column_text(19);
    b.status = stmt.column_text(20);
    b.registration = stmt.column_text(21);
    b.payer = read_payer_row(stmt, 22);
    return b;
}

Remessa read_remessa(const sql::Statement& stmt)
{
    return Remessa{stmt.column_int(0),  stmt.column_text(1), stmt.column_int(2),  stmt.column_text(3),
                   stmt.column_text(4), stmt.column_text(5), stmt.column_text(6), stmt.column_int(7),
                   stmt.column_text(8)};
}

// The account's next NSA taken, and a remessa row with it (status writing).
Remessa insert_remessa(Ledger& ledger, std::int64_t run, std::string_view account, std::string_view layout,
                       std::string_view path_prefix, std::string_view generated, std::string_view generated_time,
                       std::int64_t titles)
{
    std::int64_t nsa = 1;
    {
        auto& last = ledger.statement("SELECT last_remessa FROM bank_sequences WHERE account = ?");
        sql::ResetGuard reset(last);
        last.bind(1, account);
        if (last.step()) {
            nsa = last.column_int(0) + 1;
        }
    }
    auto& bump = ledger.statement(
        "INSERT INTO bank_sequences (account, last_nosso_numero, last_remessa) VALUES (?, 0, ?) "
        "ON CONFLICT(account) DO UPDATE SET last_remessa = excluded.last_remessa");
    bump.bind(1, account).bind(2, nsa).run();
    Remessa r;
    r.account = std::string(account);
    r.sequence = nsa;
    r.layout = std::string(layout);
    r.path = fmt::format("{}-{:06}.rem", path_prefix, nsa);
    r.generated = std::string(generated);
    r.generated_time = std::string(generated_time);
    r.titles = titles;
    r.status = "writing";
    auto& insert = ledger.statement(
        "INSERT INTO remessas (account, sequence, layout, path, generated, generated_time, titles, run) "
        "VALUES (?,?,?,?,?,?,?,?)");
    insert.bind(1, r.account).bind(2, r.sequence).bind(3, r.layout).bind(4, r.path).bind(5, r.generated);
    insert.bind(6, r.generated_time).bind(7, r.titles).bind(8, run).run();
    r.key = sqlite3_last_insert_rowid(ledger.db());
    return r;
}

}  // namespace

namespace {

// Candidates with after < key <= last, at most `limit` (-1: no limit).
std::vector<BoletoCandidate> candidates_between(Ledger& ledger, std::int64_t after, std::int64_t last, int limit)
{
    auto& stmt = ledger.statement(BILLRUN_CANDIDATE_SELECT
                                  "WHERE i.id > ? AND i.id <= ? AND i.status IN ('issued', 'partly-paid') AND "
                                  "i.payment_method = 'boleto' AND NOT EXISTS "
                                  "(SELECT 1 FROM boletos b WHERE b.invoice = i.id) ORDER BY i.id LIMIT ?");
    sql::ResetGuard reset(stmt);
    stmt.bind(1, after).bind(2, last).bind(3, static_cast<std::int64_t>(limit));
    const auto expected = std::min<std::int64_t>(last - after, limit < 0 ? 5000 : limit);
    return read_page<BoletoCandidate>(stmt, static_cast<int>(expected), read_candidate);
}

}  // namespace

Result<std::vector<BoletoCandidate>> boleto_candidates(Ledger& ledger, std::int64_t after, int limit)
{
    return guard([&] {
        return candidates_between(ledger, after, std::numeric_limits<std::int64_t>::max(), limit);
    });
}

Result<std::vector<BoletoCandidate>> boleto_candidates_through(Ledger& ledger, std::int64_t after, std::int64_t last)
{
    return guard([&] { return candidates_between(ledger, after, last, -1); });
}

Result<std::int64_t> data_version(Ledger& ledger)
{
    return guard([&] {
        auto& stmt = ledger.statement("PRAGMA data_version");
        sql::ResetGuard reset(stmt);
        stmt.step();
        return stmt.column_int(0);
    });
}

Result<std::optional<BoletoCandidate>> boleto_candidate(Ledger& ledger, std::int64_t invoice)
{
    return guard([&]() -> std::optional<BoletoCandidate> {
        auto& stmt = ledger.statement(BILLRUN_CANDIDATE_SELECT
                                      "WHERE i.id = ? AND i.status IN ('issued', 'partly-paid') AND "
                                      "i.payment_method = 'boleto' AND NOT EXISTS "
                                      "(SELECT 1 FROM boletos b WHERE b.invoice = i.id)");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, invoice);
        if (!stmt.step()) {
            return std::nullopt;
        }
        return read_candidate(stmt);
    });
}

Result<std::optional<std::int64_t>> last_nosso_numero(Ledger& ledger, std::string_view account)
{
    return guard([&]() -> std::optional<std::int64_t> {
        auto& stmt = ledger.statement("SELECT last_nosso_numero FROM bank_sequences WHERE account = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, account);
        if (!stmt.step()) {
            return std::nullopt;
        }
        return stmt.column_int(0);
    });
}

Result<void> store_last_nosso_numero(Ledger& ledger, std::string_view account, std::int64_t last)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "INSERT INTO bank_sequences (account, last_nosso_numero) VALUES (?, ?) "
            "ON CONFLICT(account) DO UPDATE SET last_nosso_numero = excluded.last_nosso_numero");
        stmt.bind(1, account).bind(2, last).run();
    });
}

Result<std::optional<std::int64_t>> insert_boleto(Ledger& ledger, std::int64_t run, const Boleto& b)
{
    return guard([&]() -> std::optional<std::int64_t> {
        auto& stmt = ledger.statement(
            "INSERT INTO boletos (invoice, account, bank, sequence, nosso_numero, nosso_numero_dv, "
            "nosso_numero_display, issue_date, due_date, amount, fine_percent, interest_per_day, barcode, "
            "linha_digitavel, pix, run, nosso_key, remessa) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(invoice) DO NOTHING");
        stmt.bind(1, b.invoice).bind(2, b.account).bind(3, b.bank).bind(4, b.sequence).bind(5, b.nosso_numero);
        stmt.bind(6, b.nosso_numero_dv).bind(7, b.nosso_numero_display).bind(8, b.issue_date.iso());
        stmt.bind(9, b.due_date.iso()).bind(10, b.amount).bind(11, static_cast<std::int64_t>(b.fine_percent));
        stmt.bind(12, b.interest_per_day).bind(13, b.barcode).bind(14, b.linha_digitavel);
        auto nonzero = b.nosso_numero.find_first_not_of('0');
        std::string key = nonzero == std::string::npos ? std::string() : b.nosso_numero.substr(nonzero);
        stmt.bind(15, b.pix.empty() ? std::nullopt : std::optional<std::string>(b.pix)).bind(16, run);
        stmt.bind(17, key).bind(18, b.remessa).run();
        if (sqlite3_changes(ledger.db()) == 0) {
            return std::nullopt;
        }
        return sqlite3_last_insert_rowid(ledger.db());
    });
}

Result<std::optional<Remessa>> create_remessa(Ledger& ledger, std::int64_t run, std::string_view account,
                                              std::string_view layout, std::string_view path_prefix,
                                              std::string_view generated, std::string_view generated_time,
                                              std::int64_t max_titles)
{
    return guard([&]() -> std::optional<Remessa> {
        // A boleto cancelled (write-off) before any remessa carried it never reaches the bank.
        std::int64_t pending = 0;
        {
            auto& count = ledger.statement("SELECT count(*) FROM boletos WHERE account = ? AND remessa IS NULL AND status != 'write-off'");
            sql::ResetGuard reset(count);
            count.bind(1, account);
            count.step();
            pending = count.column_int(0);
        }
        if (pending == 0) {
            return std::nullopt;
        }
        pending = std::min(pending, max_titles);
        Remessa r = insert_remessa(ledger, run, account, layout, path_prefix, generated, generated_time, pending);
        auto& assign = ledger.statement(
            "UPDATE boletos SET remessa = ? WHERE id IN (SELECT id FROM boletos WHERE account = ? AND remessa IS NULL "
            "AND status != 'write-off' ORDER BY id LIMIT ?)");
        assign.bind(1, r.key).bind(2, account).bind(3, pending).run();
        insert_event(ledger, run, "remessa", std::to_string(r.key), "created",
                     fmt::format("{} title(s), NSA {}", r.titles, r.sequence));
        return r;
    });
}

Result<Remessa> open_remessa(Ledger& ledger, std::int64_t run, std::string_view account, std::string_view layout,
                             std::string_view path_prefix, std::string_view generated, std::string_view generated_time)
{
    return guard([&] {
        Remessa r = insert_remessa(ledger, run, account, layout, path_prefix, generated, generated_time, 0);
        insert_event(ledger, run, "remessa", std::to_string(r.key), "created",
                     fmt::format("NSA {}, filled as its boletos are issued", r.sequence));
        return r;
    });
}

Result<void> add_remessa_titles(Ledger& ledger, std::int64_t remessa, std::int64_t titles)
{
    return guard([&] {
        auto& stmt = ledger.statement("UPDATE remessas SET titles = titles + ? WHERE id = ?");
        stmt.bind(1, titles).bind(2, remessa).run();
    });
}

Result<std::vector<Remessa>> remessas_being_written(Ledger& ledger)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT id, account, sequence, layout, path, generated, generated_time, titles, status FROM remessas "
            "WHERE status = 'writing' ORDER BY id");
        sql::ResetGuard reset(stmt);
        std::vector<Remessa> out;
        while (stmt.step()) {
            out.push_back(read_remessa(stmt));
        }
        return out;
    });
}

Result<std::vector<Boleto>> boletos_of_remessa(Ledger& ledger, std::int64_t remessa, RemessaTitles titles,
                                               std::int64_t after, int limit)
{
    return guard([&] {
        auto& stmt = titles == RemessaTitles::entries
                         ? ledger.statement(BILLRUN_BOLETO_SELECT "WHERE b.remessa = ? AND b.id > ? ORDER BY b.id LIMIT ?")
                         : ledger.statement(BILLRUN_BOLETO_SELECT "JOIN remessa_write_offs w ON w.boleto = b.id "
                                                                  "WHERE w.remessa = ? AND b.id > ? ORDER BY b.id LIMIT ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, remessa).bind(2, after).bind(3, limit);
        return read_page<Boleto>(stmt, limit, read_boleto);
    });
}

Result<std::vector<Boleto>> write_offs_for_remessa(Ledger& ledger, std::string_view account, std::int64_t after,
                                                   int limit)
{
    return guard([&] {
        // From the waiting rows (through remessa_write_offs_by_remessa), not the boletos.
        auto& stmt = ledger.statement(BILLRUN_BOLETO_SELECT
                                      "JOIN remessa_write_offs w ON w.boleto = b.id WHERE w.remessa IS NULL "
                                      "AND b.account = ? AND b.status = 'write-off' AND b.id > ? "
                                      "ORDER BY b.id LIMIT ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, account).bind(2, after).bind(3, limit);
        return read_page<Boleto>(stmt, limit, read_boleto);
    });
}

Result<std::vector<std::pair<std::string, std::int64_t>>> write_offs_waiting(Ledger& ledger)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT b.account, count(*) FROM remessa_write_offs w JOIN boletos b ON b.id = w.boleto "
            "WHERE w.remessa IS NULL AND b.status = 'write-off' GROUP BY b.account ORDER BY b.account");
        sql::ResetGuard reset(stmt);
        std::vector<std::pair<std::string, std::int64_t>> out;
        while (stmt.step()) {
            out.emplace_back(stmt.column_text(0), stmt.column_int(1));
        }
        return out;
    });
}

Result<bool> add_write_off_to_remessa(Ledger& ledger, std::int64_t run, std::int64_t boleto, const Remessa& remessa)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE remessa_write_offs SET remessa = ?, run = ? WHERE boleto = ? AND remessa IS NULL");
        stmt.bind(1, remessa.key).bind(2, run).bind(3, boleto).run();
        if (sqlite3_changes(ledger.db()) == 0) {
            return false;
        }
        insert_event(ledger, run, "boleto", std::to_string(boleto), "write-off-in-remessa",
                     fmt::format("pedido de baixa in remessa NSA {} ({})", remessa.sequence, remessa.path));
        return true;
    });
}

Result<void> mark_remessa_written(Ledger& ledger, std::int64_t run, std::int64_t remessa)
{
    return guard([&] {
        auto& stmt = ledger.statement("UPDATE remessas SET status = 'written' WHERE id = ?");
        stmt.bind(1, remessa).run();
        insert_event(ledger, run, "remessa", std::to_string(remessa), "written");
    });
}

Result<std::vector<Boleto>> boletos_without_pdf(Ledger& ledger, std::int64_t after, int limit)
{
    return guard([&] {
        auto& stmt = ledger.statement(BILLRUN_BOLETO_SELECT
                                      "WHERE b.pdf IS NULL AND b.id > ? AND NOT EXISTS (SELECT 1 FROM "
                                      "boleto_registrations g WHERE g.boleto = b.id AND g.status != 'registered') "
                                      "ORDER BY b.id LIMIT ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, after).bind(2, limit);
        return read_page<Boleto>(stmt, limit, read_boleto);
    });
}

Result<void> set_boleto_pdf(Ledger& ledger, std::int64_t boleto, std::string_view path)
{
    return guard([&] {
        auto& stmt = ledger.statement("UPDATE boletos SET pdf = ? WHERE id = ?");
        stmt.bind(1, path).bind(2, boleto).run();
    });
}

Result<std::vector<Boleto>> boletos_of_run(Ledger& ledger, std::int64_t run, std::int64_t after, int limit)
{
    return guard([&] {
        auto& stmt = ledger.statement(BILLRUN_BOLETO_SELECT "WHERE b.run = ? AND b.id > ? ORDER BY b.id LIMIT ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, run).bind(2, after).bind(3, limit);
        return read_page<Boleto>(stmt, limit, read_boleto);
    });
}

Result<std::optional<Boleto>> boleto_of_invoice(Ledger& ledger, std::int64_t invoice)
{
    return guard([&]() -> std::optional<Boleto> {
        auto& stmt = ledger.statement(BILLRUN_BOLETO_SELECT "WHERE b.invoice = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, invoice);
        if (!stmt.step()) {
            return std::nullopt;
        }
        return read_boleto(stmt);
    });
}

Result<std::optional<Boleto>> find_boleto(Ledger& ledger, std::string_view id)
{
    return guard([&]() -> std::optional<Boleto> {
        auto& stmt = ledger.statement(BILLRUN_BOLETO_SELECT
                                      "WHERE CAST(b.id AS TEXT) = ?1 OR b.nosso_numero = ?1 OR "
                                      "(b.nosso_numero || b.nosso_numero_dv) = ?1 OR b.nosso_numero_display = ?1 OR "
                                      "(i.series || '-' || printf('%06d', i.number)) = ?1 ORDER BY b.id LIMIT 1");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, id);
        if (!stmt.step()) {
            return std::nullopt;
        }
        return read_boleto(stmt);
    });
}

void street_line_into(std::string& line, const Payer& p)
{
    line = p.street;
    if (!p.number.empty()) {
        line.append(", ").append(p.number);
    }
    if (!p.complement.empty()) {
        line.append(" ").append(p.complement);
    }
}

std::string street_line(const Payer& p)
{
    std::string line;
    street_line_into(line, p);
    return line;
}

// --- Registration through bank APIs (ledger/bankapi.hpp) ---------------------------------

Result<void> insert_registration(Ledger& ledger, std::int64_t run, std::int64_t boleto, std::string_view account,
                                 std::string_view provider)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "INSERT INTO boleto_registrations (boleto, account, provider, status, run, last_run) "
            "VALUES (?, ?, ?, 'pending', ?, ?)");
        stmt.bind(1, boleto).bind(2, account).bind(3, provider).bind(4, run).bind(5, run).run();
    });
}

Result<std::vector<Registration>> registrations_to_send(Ledger& ledger, std::int64_t after, int limit)
{
    return guard([&] {
        std::vector<Registration> out;
        {
            auto& stmt = ledger.statement(BILLRUN_BOLETO_SELECT
                                          "JOIN boleto_registrations g ON g.boleto = b.id "
                                          "WHERE g.status IN ('pending', 'rejected') AND b.id > ? ORDER BY b.id LIMIT ?");
            sql::ResetGuard reset(stmt);
            stmt.bind(1, after).bind(2, limit);
            while (stmt.step()) {
                Registration r;
                r.boleto = read_boleto(stmt);
                out.push_back(std::move(r));
            }
        }
        auto& detail = ledger.statement(
            "SELECT provider, status, attempts, coalesce(error, '') FROM boleto_registrations WHERE boleto = ?");
        for (auto& r : out) {
            sql::ResetGuard reset(detail);
            detail.bind(1, r.boleto.key);
            if (detail.step()) {
                r.provider = detail.column_text(0);
                r.status = detail.column_text(1);
                r.attempts = detail.column_int(2);
                r.error = detail.column_text(3);
            }
        }
        return out;
    });
}

Result<void> count_registration_attempt(Ledger& ledger, std::int64_t run, std::int64_t boleto)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE boleto_registrations SET attempts = attempts + 1, last_run = ? WHERE boleto = ?");
        stmt.bind(1, run).bind(2, boleto).run();
        insert_event(ledger, run, "boleto", std::to_string(boleto), "registration-sent");
    });
}

Result<void> mark_registered(Ledger& ledger, std::int64_t run, std::int64_t boleto, std::string_view bank_id,
                             std::string_view how)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE boleto_registrations SET status = 'registered', bank_id = ?, error = NULL, last_run = ? "
            "WHERE boleto = ?");
        stmt.bind(1, bank_id).bind(2, run).bind(3, boleto).run();
        insert_event(ledger, run, "boleto", std::to_string(boleto), "registered", how);
    });
}

Result<void> mark_registration_failed(Ledger& ledger, std::int64_t run, std::int64_t boleto, std::string_view status,
                                      std::string_view error)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE boleto_registrations SET status = ?, error = ?, last_run = ? WHERE boleto = ?");
        stmt.bind(1, status).bind(2, error).bind(3, run).bind(4, boleto).run();
        insert_event(ledger, run, "boleto", std::to_string(boleto), fmt::format("registration-{}", status), error);
    });
}

Result<std::vector<Boleto>> write_offs_to_send(Ledger& ledger, std::int64_t after, int limit)
{
    return guard([&] {
        auto& stmt = ledger.statement(BILLRUN_BOLETO_SELECT
                                      "JOIN boleto_registrations g ON g.boleto = b.id "
                                      "WHERE b.status = 'write-off' AND g.status = 'registered' AND b.id > ? "
                                      "ORDER BY b.id LIMIT ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, after).bind(2, limit);
        return read_page<Boleto>(stmt, limit, read_boleto);
    });
}

Result<void> record_write_off_sending(Ledger& ledger, std::int64_t run, std::int64_t boleto)
{
    return guard([&] { insert_event(ledger, run, "boleto", std::to_string(boleto), "write-off-sent"); });
}

Result<void> record_write_off_outcome(Ledger& ledger, std::int64_t run, std::int64_t boleto, std::string_view status,
                                      std::string_view how)
{
    return guard([&] {
        auto& stmt = ledger.statement("UPDATE boletos SET status = ? WHERE id = ? AND status = 'write-off'");
        stmt.bind(1, status).bind(2, boleto).run();
        insert_event(ledger, run, "boleto", std::to_string(boleto), status, how);
    });
}

Result<std::optional<ApiToken>> api_token(Ledger& ledger, std::string_view key)
{
    return guard([&]() -> std::optional<ApiToken> {
        auto& stmt = ledger.statement("SELECT access_token, expires_at FROM api_tokens WHERE key = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, key);
        if (!stmt.step()) {
            return std::nullopt;
        }
        return ApiToken{stmt.column_text(0), stmt.column_int(1)};
    });
}

Result<void> store_api_token(Ledger& ledger, std::int64_t run, std::string_view key, const ApiToken& token)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "INSERT INTO api_tokens (key, access_token, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE "
            "SET access_token = excluded.access_token, expires_at = excluded.expires_at");
        stmt.bind(1, key).bind(2, token.access_token).bind(3, token.expires_at).run();
        insert_event(ledger, run, "api-token", key, "renewed", fmt::format("expires at {} (unix time)", token.expires_at));
    });
}

}  // namespace billrun::ledger
