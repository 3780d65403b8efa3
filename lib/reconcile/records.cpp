#include "records.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <map>
#include <memory>

#include <fmt/format.h>

namespace billrun::reconcile::detail {

namespace {

// Reads every record of `reader` into `into`, counting them; with `keyed`, calls key() after
// each (which names the record and calls the caller's `each`).
template <typename Reader, typename Record, typename Key>
Result<std::int64_t> each_record(Reader& reader, Record& into, bool keyed, Key key)
{
    std::int64_t count = 0;
    while (true) {
        auto got = reader.next(into);
        if (!got) {
            return tl::unexpected(got.error());
        }
        if (!*got) {
            return count;
        }
        ++count;
        if (keyed) {
            if (auto r = key(); !r) {
                return tl::unexpected(r.error());
            }
        }
    }
}

}  // namespace

std::string_view format_name(Format f)
{
    switch (f) {
    case Format::cnab: return "cnab";
    case Format::ofx: return "ofx";
    case Format::csv: return "csv";
    }
    return "?";
}

// Reads the file once: its SHA-256 and, from its start, its format.
Result<FileFacts> inspect(const std::string& name)
{
    std::ifstream in(name, std::ios::binary);
    if (!in) {
        return fail(ErrorCode::no_input, fmt::format("{}: cannot open", name));
    }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
    std::string head;
    std::vector<char> buffer(1 << 20);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        auto n = static_cast<std::size_t>(in.gcount());
        if (n == 0) {
            break;
        }
        if (head.size() < 4096) {
            head.append(buffer.data(), std::min(n, 4096 - head.size()));
        }
        EVP_DigestUpdate(md.get(), buffer.data(), n);
    }
    if (in.bad()) {
        return fail(ErrorCode::no_input, fmt::format("{}: read error", name));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(md.get(), digest, &length);
    FileFacts facts;
    facts.name = name;
    for (unsigned int i = 0; i < length; ++i) {
        facts.hash += fmt::format("{:02x}", digest[i]);
    }
    std::string_view first(head);
    if (first.starts_with("\xEF\xBB\xBF")) {
        first.remove_prefix(3);
    }
    auto eol = first.find_first_of("\r\n");
    std::string_view first_line = first.substr(0, eol);
    if (cnab::looks_like_cnab(first_line)) {
        facts.format = Format::cnab;
    } else if (looks_like_ofx(first)) {
        facts.format = Format::ofx;
    } else {
        facts.format = Format::csv;
    }
    return facts;
}

// Reads a file's records one by one into `item` and calls `each` (pass 2 applies); without
// `each`, only parses them (pass 1 counts them, and sees that the whole file reads).
// `each` may swap the item for another one (every field the record has is set again).
Result<std::int64_t> read_items(const FileFacts& f, const config::Config& config,
                                const std::function<Result<void>(Item&)>& each)
{
    std::ifstream in(f.name, std::ios::binary);
    if (!in) {
        return fail(ErrorCode::no_input, fmt::format("{}: cannot open", f.name));
    }
    Item item;
    if (f.format == Format::cnab) {
        auto reader = cnab::open_retorno(in, f.name);
        if (!reader) {
            return tl::unexpected(reader.error());
        }
        const std::string& bank = (*reader)->info().bank;
        RankCounter ranks;
        return each_record(**reader, item.ret, static_cast<bool>(each), [&]() -> Result<void> {
            const auto& r = item.ret;
            item.cnab = true;
            item.bank = bank;
            item.record = std::to_string(r.line);
            // Two identical records in one file are two payments: the rank among them is part
            // of the identity (the same file, or the same records in another file, match again).
            std::string base = fmt::format("cnab:{}:{}:{}:{}:{}", item.bank, r.nosso_numero, r.occurrence_code,
                                           r.occurrence_date ? r.occurrence_date->iso() : "", r.amount_paid);
            item.key = fmt::format("{}:{}", base, ranks.next(base));
            return each(item);
        });
    }
    auto reader = f.format == Format::ofx ? open_ofx(in, f.name) : open_csv_statement(in, f.name, config.reconcile_csv);
    if (!reader) {
        return tl::unexpected(reader.error());
    }
    std::map<std::string, int> seen;  // identical CSV lines in one file are distinct payments
    return each_record(**reader, item.line, static_cast<bool>(each), [&]() -> Result<void> {
        const auto& l = item.line;
        item.cnab = false;
        item.record = l.id.empty() ? std::to_string(l.line) : l.id;
        if (!l.id.empty()) {
            item.key = fmt::format("ofx:{}:{}:{}", l.id, l.date.iso(), l.amount);
        } else {
            std::string base = fmt::format("csv:{}:{}:{}:{}", l.date.iso(), l.amount, l.tax_id, l.description);
            item.key = fmt::format("{}:{}", base, ++seen[base]);
        }
        return each(item);
    });
}

}  // namespace billrun::reconcile::detail
