#include "content.hpp"

#include <fmt/format.h>

#include <billrun/core/money.hpp>
#include <billrun/core/text.hpp>

namespace billrun::nfse {

namespace {

std::string first_email(std::string_view list)
{
    auto end = list.find_first_of(";,");
    return dps_text(list.substr(0, end), 80);
}

std::string br_date(Date d)
{
    return fmt::format("{:02}/{:02}/{:04}", d.day(), d.month(), d.year());
}

// The lines, the period and the invoice's id, as the service description.
std::string description(const ledger::Invoice& inv)
{
    std::string text;
    for (const auto& line : inv.lines) {
        if (!text.empty()) {
            text += "; ";
        }
        text += line.description;
        if (line.quantity != 1000) {
            text += fmt::format(" ({} x {})", format_quantity(line.quantity), format_money_br(line.unit_price));
        }
    }
    if (inv.period_start && inv.period_end) {
        text += fmt::format(". Período: {} a {}", br_date(*inv.period_start), br_date(*inv.period_end));
    }
    text += fmt::format(". Fatura {}", inv.display_id());
    return text;
}

// The taker, cut to the layout's limits (ABRASF's name and complement are shorter).
Party taker(const ledger::Customer& c, bool abrasf)
{
    Party t;
    t.tax_id = c.tax_id;
    t.name = dps_text(c.name, abrasf ? 150 : 300);
    t.municipal_registration = dps_text(c.municipal_registration, 15);
    t.street = dps_text(c.street, 255);
    t.number = dps_text(c.number, 60);
    t.complement = dps_text(c.complement, abrasf ? 60 : 156);
    t.district = dps_text(c.district, 60);
    t.city_code = c.city_code;
    t.state = c.state;
    t.zip = c.zip;
    std::string phone = digits_only(c.phone);
    t.phone = phone.size() >= 6 && phone.size() <= 20 ? phone : std::string();
    t.email = first_email(c.email);
    return t;
}

}  // namespace

Result<Content> invoice_content(const ContentSource& source)
{
    const ledger::Invoice& inv = source.invoice;
    const config::Config& config = source.config;
    if (inv.lines.empty()) {
        return fail(ErrorCode::data_invalid, "the invoice has no lines");
    }
    // One DPS carries one service: the code of the largest line (the first of equals).
    const ledger::InvoiceLine* main = &inv.lines.front();
    for (const auto& line : inv.lines) {
        if (line.amount > main->amount) {
            main = &line;
        }
    }
    auto service = source.services.find(main->service);
    std::string code = service != source.services.end() ? service->second.service_code : std::string();
    if (code.empty()) {
        return fail(ErrorCode::data_invalid,
                    fmt::format("service '{}' has no service_code (cTribNac, 6 digits): import it with one",
                                main->service));
    }
    const bool abrasf = source.row.standard == "abrasf";
    Party provider;
    provider.tax_id = config.company.tax_id;
    provider.municipal_registration = dps_text(config.company.municipal_registration, 15);
    Content content;
    if (abrasf) {
        Rps r;
        r.series = source.row.dps_series;
        r.number = source.row.dps_number;
        r.issued = parse_iso_date(source.emitted_at.substr(0, 10)).value_or(source.business_date);
        r.competence = inv.period_start.value_or(inv.issue_date);
        r.city_code = config.company.city_code;
        r.provider = std::move(provider);
        r.simples = config.company.tax_regime == "simples" || config.company.tax_regime == "mei";
        r.mei = config.company.tax_regime == "mei";
        r.taker = taker(source.customer, true);
        r.service_item = service_item(code);
        r.description = dps_text(description(inv), 2000);
        r.amount = inv.gross;
        r.iss = inv.iss;
        r.iss_rate = service->second.iss_rate.value_or(config.invoicing.iss_rate);
        r.iss_withheld = inv.iss_withheld;
        r.pis = inv.pis;
        r.cofins = inv.cofins;
        r.csll = inv.csll;
        r.irrf = inv.irrf;
        r.inss = inv.inss;
        content.rps = std::move(r);
        return content;
    }
    Dps d;
    d.layout = config.nfse.layout;
    d.environment = config.nfse.environment == "production" ? 1 : 2;
    d.emitted_at = std::string(source.emitted_at);
    d.app_version = dps_text(source.app_version, 20);
    d.series = source.row.dps_series;
    d.number = source.row.dps_number;
    d.competence = inv.period_start.value_or(inv.issue_date);
    d.city_code = config.company.city_code;
    d.provider = std::move(provider);
    d.simples = simples_option(config.company.tax_regime);
    d.taker = taker(source.customer, false);
    d.service_code = code;
    d.description = dps_text(description(inv), 2000);
    d.amount = inv.gross;
    d.iss_withheld = inv.iss_withheld;
    d.iss = inv.iss;
    d.pis = inv.pis;
    d.cofins = inv.cofins;
    d.csll = inv.csll;
    d.irrf = inv.irrf;
    d.inss = inv.inss;
    d.pis_rate = config.invoicing.withholding.pis;
    d.cofins_rate = config.invoicing.withholding.cofins;
    content.dps = std::move(d);
    return content;
}

}  // namespace billrun::nfse
