#include "remessa_files.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "online_steps.hpp"

namespace billrun::boleto {

namespace {

// A remessa's 6-digit record counters (and the banks' own limits) cap a file; more titles
// go to further files with the following NSAs.
constexpr std::int64_t k_max_titles_per_remessa = 200000;
// Boletos read from the ledger a page at a time when a remessa is written again.
constexpr int k_page = 5000;

cnab::Layout layout_of(std::string_view remessa)
{
    return remessa == "cnab400" ? cnab::Layout::cnab400 : cnab::Layout::cnab240;
}

// Into a title kept between boletos: its strings keep their buffers.
void fill_title(cnab::Title& t, const ledger::Boleto& b, cnab::Movement movement)
{
    t.movement = movement;
    t.nosso_numero = b.nosso_numero;
    t.nosso_numero_dv = b.nosso_numero_dv;
    t.seu_numero = b.invoice_id;
    t.issue_date = b.issue_date;
    t.due_date = b.due_date;
    t.amount = b.amount;
    t.fine_percent = b.fine_percent;
    t.interest_per_day = b.interest_per_day;
    const auto& p = b.payer;
    t.payer.name = p.name;
    t.payer.tax_id = p.tax_id;
    ledger::street_line_into(t.payer.address, p);
    t.payer.district = p.district;
    t.payer.zip = p.zip;
    t.payer.city = p.city;
    t.payer.state = p.state;
}

}  // namespace

RemessaFiles::RemessaFiles(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx)
    : m_ledger(ledger), m_config(config), m_ctx(ctx)
{
}

Result<void> RemessaFiles::check(const config::BankAccount& account) const
{
    const auto layout = layout_of(account.remessa);
    if (!cnab::supports(account.bank, layout)) {
        return fail(ErrorCode::config, fmt::format("{}: boleto account '{}': bank {} has no {} remessa here",
                                                   m_config.file.string(), account.id, account.bank,
                                                   account.remessa));
    }
    // The remessa writer checks what its layout needs of the account: found out now, before
    // any boleto is committed, not when the file is written.
    if (auto writer = cnab::make_remessa_writer(layout, header(account, 1, "000000")); !writer) {
        return fail(ErrorCode::config, fmt::format("{}: boleto account '{}': {}", m_config.file.string(), account.id,
                                                   writer.error().message));
    }
    return {};
}

cnab::RemessaHeader RemessaFiles::header(const config::BankAccount& account, std::int64_t sequence,
                                         const std::string& time) const
{
    cnab::RemessaHeader header;
    header.company_name = m_config.company.name;
    header.company_tax_id = m_config.company.tax_id;
    header.account = cnab::Account{account.bank,          account.agency,   account.agency_digit, account.account,
                                   account.account_digit, account.convenio, account.carteira};
    header.sequence = sequence;
    header.generated = m_ctx.business_date;
    header.generated_time = time;
    return header;
}

// The writer of a recorded remessa: its header from the ledger's row alone, so that a
// remessa written again by a later run is the same, byte for byte.
Result<std::unique_ptr<cnab::RemessaWriter>> RemessaFiles::writer_of(const ledger::Remessa& remessa) const
{
    const config::BankAccount* account = m_config.boleto.find_account(remessa.account);
    if (account == nullptr) {
        return fail(ErrorCode::config, fmt::format("remessa {}: account '{}' is no longer in billrun.yaml",
                                                   remessa.path, remessa.account));
    }
    cnab::RemessaHeader head = header(*account, remessa.sequence, remessa.generated_time);
    head.generated = parse_iso_date(remessa.generated).value_or(m_ctx.business_date);
    return cnab::make_remessa_writer(layout_of(remessa.layout), head);
}

// A remessa's file is "<prefix>-<NSA>.rem".
std::string RemessaFiles::path_prefix(const config::BankAccount& account) const
{
    return (m_config.output_dir / "remessa" / io::safe_file_name(account.id)).string();
}

// The time in a new remessa's header: HHMMSS now.
std::string RemessaFiles::time_now() const
{
    auto time = m_ctx.now();  // "YYYY-MM-DDTHH:MM:SS..."
    return time.size() >= 19 ? time.substr(11, 2) + time.substr(14, 2) + time.substr(17, 2) : std::string("000000");
}

Result<OpenRemessa*> RemessaFiles::open_for(const config::BankAccount& account, std::int64_t run)
{
    auto found = m_open.find(account.id);
    if (found != m_open.end()) {
        if (found->second.titles + found->second.uncommitted < k_max_titles_per_remessa) {
            return &found->second;
        }
        m_full.push_back(std::move(found->second));
        m_open.erase(found);
    }
    auto remessa = ledger::open_remessa(m_ledger, run, account.id, account.remessa, path_prefix(account),
                                        m_ctx.business_date.iso(), time_now());
    if (!remessa) {
        return tl::unexpected(remessa.error());
    }
    OpenRemessa open;
    open.remessa = std::move(*remessa);
    auto writer = writer_of(open.remessa);
    if (!writer) {
        return tl::unexpected(writer.error());
    }
    open.writer = std::move(*writer);
    std::filesystem::path path(open.remessa.path);
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    auto file = io::AtomicFile::create(path, 0644);
    if (!file) {
        return tl::unexpected(file.error());
    }
    open.file.emplace(std::move(*file));
    open.writer->header(open.text);
    return &m_open.emplace(account.id, std::move(open)).first->second;
}

void RemessaFiles::add(OpenRemessa& remessa, const ledger::Boleto& boleto, cnab::Movement movement)
{
    fill_title(m_title, boleto, movement);
    remessa.writer->title(m_title, remessa.text);
    ++remessa.uncommitted;
}

std::vector<OpenRemessa*> RemessaFiles::all_open()
{
    std::vector<OpenRemessa*> all;
    for (auto& [account, open] : m_open) {
        all.push_back(&open);
    }
    for (auto& open : m_full) {
        all.push_back(&open);
    }
    return all;
}

Result<void> RemessaFiles::count_titles()
{
    for (auto* open : all_open()) {
        if (open->uncommitted > 0) {
            if (auto r = ledger::add_remessa_titles(m_ledger, open->remessa.key, open->uncommitted); !r) {
                return r;
            }
        }
    }
    return {};
}

Result<void> RemessaFiles::committed()
{
    for (auto* open : all_open()) {
        if (auto w = open->file->write(open->text); !w) {
            return w;
        }
        open->text.clear();
        open->titles += open->uncommitted;
        open->uncommitted = 0;
    }
    return {};
}

// The trailer, the file durable under its final name, then the remessa marked written.
Result<void> RemessaFiles::close(OpenRemessa& open, std::vector<std::string>& written, std::int64_t run)
{
    std::string text;
    open.writer->trailer(text);
    if (auto w = open.file->write(text); !w) {
        return w;
    }
    if (auto c = open.file->commit(); !c) {
        return c;
    }
    const auto mark = [&] { return ledger::mark_remessa_written(m_ledger, run, open.remessa.key); };
    if (auto r = detail::in_own_transaction(m_ledger, mark); !r) {
        return r;
    }
    written.push_back(open.remessa.path);
    return {};
}

Result<void> RemessaFiles::close_full(std::vector<std::string>& written, std::int64_t run)
{
    auto full = std::move(m_full);
    m_full.clear();
    for (auto& open : full) {
        if (auto r = close(open, written, run); !r) {
            return r;
        }
    }
    return {};
}

Result<void> RemessaFiles::close_all(std::vector<std::string>& written, std::int64_t run)
{
    for (auto& [account, open] : m_open) {
        m_full.push_back(std::move(open));
    }
    m_open.clear();
    return close_full(written, run);
}

Result<void> RemessaFiles::record_pending(std::int64_t run)
{
    if (m_ctx.dry_run) {
        return {};  // nothing on disk in a dry run
    }
    for (const auto& account : m_config.boleto.accounts) {
        if (account.registration != "remessa") {
            continue;
        }
        for (bool more = true; more;) {
            auto r = detail::in_own_transaction(m_ledger, [&]() -> Result<void> {
                auto remessa = ledger::create_remessa(m_ledger, run, account.id, account.remessa,
                                                      path_prefix(account), m_ctx.business_date.iso(), time_now(),
                                                      k_max_titles_per_remessa);
                if (!remessa) {
                    return tl::unexpected(remessa.error());
                }
                more = remessa->has_value();
                return {};
            });
            if (!r) {
                return r;
            }
        }
    }
    return {};
}

Result<void> RemessaFiles::write_pending(std::vector<std::string>& written, std::int64_t run)
{
    if (m_ctx.dry_run) {
        return {};
    }
    auto pending = ledger::remessas_being_written(m_ledger);
    if (!pending) {
        return tl::unexpected(pending.error());
    }
    for (const auto& remessa : *pending) {
        if (auto r = write(remessa); !r) {
            return r;
        }
        const auto mark = [&] { return ledger::mark_remessa_written(m_ledger, run, remessa.key); };
        if (auto r = detail::in_own_transaction(m_ledger, mark); !r) {
            return r;
        }
        written.push_back(remessa.path);
    }
    return {};
}

Result<void> RemessaFiles::write(const ledger::Remessa& remessa)
{
    auto writer = writer_of(remessa);
    if (!writer) {
        return tl::unexpected(writer.error());
    }
    std::filesystem::path path(remessa.path);
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    auto file = io::AtomicFile::create(path, 0644);
    if (!file) {
        return tl::unexpected(file.error());
    }
    std::string text;
    (*writer)->header(text);
    // The pedidos de baixa first, then the entries: the order a run fills a remessa in.
    for (auto titles : {ledger::RemessaTitles::write_offs, ledger::RemessaTitles::entries}) {
        const auto movement =
            titles == ledger::RemessaTitles::write_offs ? cnab::Movement::write_off : cnab::Movement::entry;
        std::int64_t after = 0;
        while (true) {
            auto boletos = ledger::boletos_of_remessa(m_ledger, remessa.key, titles, after, k_page);
            if (!boletos) {
                return tl::unexpected(boletos.error());
            }
            if (boletos->empty()) {
                break;
            }
            after = boletos->back().key;
            for (const auto& b : *boletos) {
                fill_title(m_title, b, movement);
                (*writer)->title(m_title, text);
            }
            if (auto w = file->write(text); !w) {
                return w;
            }
            text.clear();
        }
    }
    (*writer)->trailer(text);
    if (auto w = file->write(text); !w) {
        return w;
    }
    return file->commit();
}

}  // namespace billrun::boleto
