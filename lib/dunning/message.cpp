// What the customer's messages share (see message.hpp).
#include "message.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include <billrun/io/files.hpp>

namespace billrun::dunning {

std::string br_date(Date d)
{
    return fmt::format("{:02}/{:02}/{:04}", d.day(), d.month(), d.year());
}

std::string linha_for_people(const std::string& l)
{
    if (l.size() != 47) {
        return l;
    }
    return fmt::format("{}.{} {}.{} {}.{} {} {}", l.substr(0, 5), l.substr(5, 5), l.substr(10, 5), l.substr(15, 6),
                       l.substr(21, 5), l.substr(26, 6), l.substr(32, 1), l.substr(33));
}

std::string domain_of(const std::string& from)
{
    auto at = from.rfind('@');
    if (at == std::string::npos) {
        return "billrun.invalid";
    }
    std::string domain = from.substr(at + 1);
    auto end = domain.find_first_of("> \t");
    return end == std::string::npos ? domain : domain.substr(0, end);
}

std::string placeholder(std::string_view name, const MessageFacts& facts)
{
    const auto& d = facts.detail;
    if (name == "company_name") return facts.config.company.name;
    if (name == "customer_name") return d.customer.name;
    if (name == "invoice") return d.invoice_id;
    if (name == "issue_date") return br_date(d.issue_date);
    if (name == "due_date") return br_date(d.due_date);
    if (name == "amount") return format_money_br(d.net);
    if (name == "amount_due") return format_money_br(facts.amount_due);
    if (name == "fine") return format_money_br(facts.late.fine);
    if (name == "interest") return format_money_br(facts.late.interest);
    if (name == "days_overdue") return std::to_string(facts.late.days_overdue);
    if (name == "linha_digitavel") return linha_for_people(d.linha_digitavel);
    if (name == "pix") return d.pix;
    if (name == "nfse_number") return d.nfse_number;
    return {};
}

Result<const TemplateText*> Templates::get(const std::string& name)
{
    if (auto found = m_texts.find(name); found != m_texts.end()) {
        return &found->second;
    }
    auto t = m_config.templates.find(name);
    if (t == m_config.templates.end()) {
        return fail(ErrorCode::config, fmt::format("no template named '{}' under templates in the config", name));
    }
    std::ifstream in(t->second.body, std::ios::binary);
    if (!in) {
        return fail(ErrorCode::config, fmt::format("{}: cannot read template '{}'", t->second.body.string(), name));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return &m_texts.emplace(name, TemplateText{t->second.subject, text.str()}).first->second;
}

Result<std::optional<mail::Attachment>> boleto_attachment(const Delivery& delivery, const ledger::DunningDetail& d)
{
    if (d.linha_digitavel.empty() || !delivery.boleto_pdf) {
        return std::nullopt;
    }
    auto path = delivery.boleto_pdf(d.invoice);
    if (!path) {
        return tl::unexpected(path.error());
    }
    if (!*path) {
        return std::nullopt;
    }
    std::ifstream in(**path, std::ios::binary);
    if (!in) {
        return fail(ErrorCode::internal, fmt::format("{}: cannot read the boleto's PDF", (*path)->string()));
    }
    std::ostringstream pdf;
    pdf << in.rdbuf();
    return mail::Attachment{io::safe_file_name(d.invoice_id) + ".pdf", "application/pdf", pdf.str()};
}

}  // namespace billrun::dunning
