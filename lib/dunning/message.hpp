#pragma once
// What the customer's messages share, whether remind or auto-send writes them: dates and
// the linha digitável as people read them, the template placeholders, the templates' text
// and the boleto attachment.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <billrun/config/config.hpp>
#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/core/late.hpp>
#include <billrun/dunning/remind.hpp>
#include <billrun/ledger/reminders.hpp>
#include <billrun/mail/mail.hpp>

namespace billrun::dunning {

std::string br_date(Date d);  // 05/12/2026

// "00190000090123456700400000001174900000000081175" -> "00190.00009 01234.567004 00000.001174 9 00000000081175"
std::string linha_for_people(const std::string& linha);

// The domain of the From address: Message-IDs end in it.
std::string domain_of(const std::string& from);

// The facts a message is written from.
struct MessageFacts {
    const config::Config& config;
    const ledger::DunningDetail& detail;
    LateCharges late;
    Centavos amount_due = 0;
};

// The value of a template placeholder (SPEC §2a list); empty for an unknown one (templates
// are checked when the config loads).
std::string placeholder(std::string_view name, const MessageFacts& facts);

struct TemplateText {
    std::string subject;
    std::string body;
};

// Template texts read once per run. Errors: ErrorCode::config naming the template or file.
class Templates {
public:
    explicit Templates(const config::Config& config) : m_config(config) {}
    Result<const TemplateText*> get(const std::string& name);

private:
    const config::Config& m_config;
    std::map<std::string, TemplateText> m_texts;
};

// The boleto of an invoice as a PDF attachment (its own file, see Delivery::boleto_pdf).
// nullopt when the invoice has no boleto. Errors: internal (the PDF cannot be made or read).
Result<std::optional<mail::Attachment>> boleto_attachment(const Delivery& delivery, const ledger::DunningDetail& d);

}  // namespace billrun::dunning
