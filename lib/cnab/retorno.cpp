// Which retorno a stream holds, from its first non-blank line: a CNAB 400 header starts
// "02RETORNO" (a remessa's "01REMESSA"), bank at 77-79; a CNAB 240 file header is bank(3) +
// lote "0000" + record type 0. The bank picks the position table (retorno_banks.cpp).
#include <billrun/cnab/retorno.hpp>

#include "retorno_fields.hpp"

#include <algorithm>

#include <fmt/format.h>

#include <billrun/core/text.hpp>

namespace billrun::cnab {

namespace {

constexpr std::string_view k_retorno_400 = "02RETORNO";
constexpr std::string_view k_remessa_400 = "01REMESSA";

bool is_header_240(std::string_view line)
{
    return line.size() >= 8 && is_digits(line.substr(0, 3)) && line.substr(3, 5) == "00000";
}

std::string_view bank_400(std::string_view header)
{
    return header.size() >= 79 ? header.substr(76, 3) : std::string_view{};
}

}  // namespace

bool looks_like_retorno(std::string_view first_line)
{
    std::string_view line = first_line;
    if (line.starts_with("\xEF\xBB\xBF")) {
        line.remove_prefix(3);
    }
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
        line.remove_suffix(1);
    }
    if (line.size() > detail::k_max_line) {
        return false;
    }
    if (line.starts_with(k_retorno_400)) {
        return true;
    }
    return is_header_240(line) && (line.size() < 143 || line[142] != '1');
}

bool looks_like_cnab(std::string_view first_line)
{
    std::string_view line = first_line;
    if (line.starts_with("\xEF\xBB\xBF")) {
        line.remove_prefix(3);
    }
    return looks_like_retorno(first_line) || line.starts_with(k_remessa_400) ||
           (is_header_240(line) && line.size() <= detail::k_max_line);
}

Result<std::unique_ptr<RetornoReader>> open_retorno(std::istream& in, std::string name)
{
    detail::LineReader lines(in);
    std::string_view header;
    for (;;) {
        const detail::LineReader::Status status = lines.next(header);
        if (status == detail::LineReader::Status::end) {
            return tl::unexpected(detail::data_error(name, std::max<std::int64_t>(lines.line_number(), 1),
                                                     "empty file: not a CNAB retorno"));
        }
        if (status != detail::LineReader::Status::line) {
            return tl::unexpected(detail::line_error(name, lines.line_number(), status));
        }
        if (!detail::is_blank(header)) {
            break;
        }
    }
    const std::int64_t n = lines.line_number();
    const auto fail = [&](std::string_view message) { return tl::unexpected(detail::data_error(name, n, message)); };

    if (header.starts_with(k_remessa_400)) {
        return fail("a remessa, not a retorno (the header starts '01REMESSA')");
    }
    if (header.starts_with(k_retorno_400)) {
        const std::string_view bank = bank_400(header);
        if (!is_digits(bank)) {
            return fail(fmt::format("CNAB 400 header without a bank code at 77-79 ('{}')", bank));
        }
        const detail::Bank400* layout = detail::find_bank_400(bank);
        if (layout == nullptr) {
            return fail(fmt::format("unknown bank {}: no CNAB 400 retorno layout for it", bank));
        }
        return detail::make_reader_400(std::move(lines), std::move(name), *layout, header);
    }
    if (is_header_240(header)) {
        const std::string_view bank = header.substr(0, 3);
        const detail::Bank240* layout = detail::find_bank_240(bank);
        if (layout == nullptr) {
            return fail(fmt::format("unknown bank {}: no CNAB 240 retorno layout for it", bank));
        }
        return detail::make_reader_240(std::move(lines), std::move(name), *layout, header, n);
    }
    if (header.size() > 300) {
        return fail("not a CNAB 400 retorno: the header must start with '02RETORNO'");
    }
    return fail("not a CNAB retorno: the first line is neither a CNAB 240 file header nor a CNAB 400 retorno header");
}

}  // namespace billrun::cnab
