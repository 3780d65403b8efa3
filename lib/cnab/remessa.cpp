#include <billrun/cnab/remessa.hpp>

#include <array>

#include "banks.hpp"
#include "fields.hpp"

namespace billrun::cnab {

namespace {

struct Offer {
    std::string_view bank;
    Layout layout;
    detail::MakeWriter make;
};

// The layouts each bank offers; a new bank or layout is one line here and one file.
constexpr std::array k_offers = {
    Offer{"001", Layout::cnab240, &detail::make_bb_240},
    Offer{"001", Layout::cnab400, &detail::make_bb_400},
    Offer{"033", Layout::cnab240, &detail::make_santander_240},
    Offer{"033", Layout::cnab400, &detail::make_santander_400},
    Offer{"104", Layout::cnab240, &detail::make_caixa_240},
    Offer{"237", Layout::cnab400, &detail::make_bradesco_400},
    Offer{"341", Layout::cnab400, &detail::make_itau_400},
    Offer{"756", Layout::cnab240, &detail::make_sicoob_240},
    Offer{"756", Layout::cnab400, &detail::make_sicoob_400},
};

const Offer* find_offer(std::string_view bank, Layout layout)
{
    for (const Offer& offer : k_offers) {
        if (offer.bank == bank && offer.layout == layout) {
            return &offer;
        }
    }
    return nullptr;
}

std::string_view layout_name(Layout layout)
{
    return layout == Layout::cnab240 ? "CNAB 240" : "CNAB 400";
}

}  // namespace

std::string_view movement_code(Movement movement)
{
    return movement == Movement::write_off ? "02" : "01";
}

bool supports(std::string_view bank, Layout layout)
{
    return find_offer(bank, layout) != nullptr;
}

Result<std::unique_ptr<RemessaWriter>> make_remessa_writer(Layout layout, const RemessaHeader& header)
{
    const Offer* offer = find_offer(header.account.bank, layout);
    if (offer == nullptr) {
        return fail(ErrorCode::config, "bank " + header.account.bank + " has no " +
                                           std::string(layout_name(layout)) + " remessa");
    }
    return offer->make(header);
}

namespace detail {

AccountCheck::AccountCheck(std::string_view what, const RemessaHeader& header)
    : m_what(what), m_header(header)
{
}

AccountCheck& AccountCheck::digits(std::string_view field, std::string_view value,
                                   std::size_t max_len, bool required)
{
    const bool ok = all_digits(value) && value.size() <= max_len && (!required || !value.empty());
    return require(ok, std::string(field) + " must be " + (required ? "1" : "0") + " to " +
                           std::to_string(max_len) + " digits, not \"" + std::string(value) +
                           "\"");
}

AccountCheck& AccountCheck::dv(std::string_view field, std::string_view value)
{
    const bool ok = value.empty() || (value.size() == 1 && clean_tax_id(value).size() == 1);
    return require(ok, std::string(field) + " must be one letter or digit, not \"" +
                           std::string(value) + "\"");
}

AccountCheck& AccountCheck::require(bool ok, std::string_view message)
{
    if (!ok && m_problem.empty()) {
        m_problem = message;
    }
    return *this;
}

Result<void> AccountCheck::result()
{
    const std::string id = clean_tax_id(m_header.company_tax_id);
    require(id.size() == 11 || id.size() == 14,
            "the company's CPF/CNPJ must have 11 or 14 letters and digits, not \"" +
                m_header.company_tax_id + "\"");
    require(!cnab_text(m_header.company_name).empty(), "the company's name is empty");
    require(m_header.generated_time.size() == 6 && all_digits(m_header.generated_time),
            "the generation time must be HHMMSS, not \"" + m_header.generated_time + "\"");
    require(m_header.sequence > 0, "the remessa sequence (NSA) must be 1 or more");
    if (!m_problem.empty()) {
        return fail(ErrorCode::config, "remessa " + m_what + ": " + m_problem);
    }
    return {};
}

}  // namespace detail

}  // namespace billrun::cnab
