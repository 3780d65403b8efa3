// The national DPS, layouts 1.01 and 1.00: the Id, the pure helpers, and the XML built with libxml2.
#include <billrun/nfse/dps.hpp>

#include <cctype>

#include <fmt/format.h>

#include <billrun/core/text.hpp>

#include "xml.hpp"

namespace billrun::nfse {

namespace {

bool all_digits(std::string_view s)
{
    for (char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return !s.empty();
}

int two(std::string_view s, std::size_t at)
{
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
}


using Builder = XmlBuilder;

void tax_id(Builder& b, xmlNodePtr parent, const std::string& id)
{
    b.text(parent, id.size() == 11 ? "CPF" : "CNPJ", id);
}

void address(Builder& b, xmlNodePtr parent, const Party& p)
{
    // The group needs the street, the district, the city and the CEP; without them it is
    // left out (it is optional for the taker).
    if (p.street.empty() || p.district.empty() || p.city_code.empty() || p.zip.empty()) {
        return;
    }
    xmlNodePtr end = b.group(parent, "end");
    xmlNodePtr nac = b.group(end, "endNac");
    b.text(nac, "cMun", p.city_code);
    b.text(nac, "CEP", p.zip);
    b.text(end, "xLgr", p.street);
    b.text(end, "nro", p.number.empty() ? std::string_view("S/N") : std::string_view(p.number));
    b.optional(end, "xCpl", p.complement);
    b.text(end, "xBairro", p.district);
}

void taker(Builder& b, xmlNodePtr inf, const Party& p)
{
    xmlNodePtr toma = b.group(inf, "toma");
    tax_id(b, toma, p.tax_id);
    b.optional(toma, "IM", p.municipal_registration);
    b.text(toma, "xNome", p.name);
    address(b, toma, p);
    b.optional(toma, "fone", p.phone);
    b.optional(toma, "email", p.email);
}

void federal(Builder& b, xmlNodePtr trib, const Dps& d)
{
    if (d.pis == 0 && d.cofins == 0 && d.csll == 0 && d.irrf == 0 && d.inss == 0) {
        return;
    }
    xmlNodePtr fed = b.group(trib, "tribFed");
    if (d.pis > 0 || d.cofins > 0 || d.csll > 0) {
        xmlNodePtr pc = b.group(fed, "piscofins");
        b.text(pc, "CST", "01");
        b.text(pc, "vBCPisCofins", format_money(d.amount));
        if (d.pis > 0) {
            b.text(pc, "pAliqPis", format_rate(d.pis_rate));
        }
        if (d.cofins > 0) {
            b.text(pc, "pAliqCofins", format_rate(d.cofins_rate));
        }
        if (d.pis > 0) {
            b.text(pc, "vPis", format_money(d.pis));
        }
        if (d.cofins > 0) {
            b.text(pc, "vCofins", format_money(d.cofins));
        }
        b.text(pc, "tpRetPisCofins", std::to_string(pis_cofins_retention(d.pis > 0, d.cofins > 0, d.csll > 0)));
    }
    if (d.inss > 0) {
        b.text(fed, "vRetCP", format_money(d.inss));
    }
    if (d.irrf > 0) {
        b.text(fed, "vRetIRRF", format_money(d.irrf));
    }
    if (d.csll > 0) {
        b.text(fed, "vRetCSLL", format_money(d.csll));
    }
}

void values(Builder& b, xmlNodePtr inf, const Dps& d)
{
    xmlNodePtr valores = b.group(inf, "valores");
    b.text(b.group(valores, "vServPrest"), "vServ", format_money(d.amount));
    xmlNodePtr trib = b.group(valores, "trib");
    xmlNodePtr mun = b.group(trib, "tribMun");
    b.text(mun, "tribISSQN", "1");
    b.text(mun, "tpRetISSQN", d.iss_withheld ? "2" : "1");
    federal(b, trib, d);
    xmlNodePtr tot = b.group(trib, "totTrib");
    if (d.simples == 1) {
        // A não optante must state the taxes (E0713 forbids indTotTrib to it).
        xmlNodePtr v = b.group(tot, "vTotTrib");
        b.text(v, "vTotTribFed", "0.00");
        b.text(v, "vTotTribEst", "0.00");
        b.text(v, "vTotTribMun", format_money(d.iss));
    } else {
        b.text(tot, "indTotTrib", "0");  // Decreto 8.264/2014: no estimate
    }
}

}  // namespace

Result<std::string> dps_id(std::string_view city_code, std::string_view tax_id, std::string_view series,
                           std::int64_t number)
{
    if (city_code.size() != 7 || !all_digits(city_code)) {
        return fail(ErrorCode::data_invalid, fmt::format("city code '{}' is not 7 digits", city_code));
    }
    if (tax_id.size() != 11 && tax_id.size() != 14) {
        return fail(ErrorCode::data_invalid, fmt::format("tax id '{}' is neither a CPF nor a CNPJ", tax_id));
    }
    if (series.empty() || series.size() > 5 || !all_digits(series)) {
        return fail(ErrorCode::data_invalid, fmt::format("DPS series '{}' is not 1 to 5 digits", series));
    }
    if (number < 1 || number > 999999999999999LL) {
        return fail(ErrorCode::data_invalid, fmt::format("DPS number {} is out of range", number));
    }
    return fmt::format("DPS{}{}{:0>14}{:0>5}{:015}", city_code, tax_id.size() == 11 ? '1' : '2', tax_id, series,
                       number);
}

int pis_cofins_retention(bool pis, bool cofins, bool csll)
{
    if (pis && cofins) {
        return csll ? 3 : 4;
    }
    if (pis) {
        return csll ? 9 : 5;
    }
    if (cofins) {
        return csll ? 7 : 6;
    }
    return csll ? 8 : 0;
}

int simples_option(std::string_view tax_regime)
{
    if (tax_regime == "simples") {
        return 3;
    }
    if (tax_regime == "mei") {
        return 2;
    }
    return 1;
}

Result<std::string> emission_time(std::string_view now, int seconds_back)
{
    // YYYY-MM-DDThh:mm:ss±hh:mm (fractions of a second are dropped)
    auto bad = [&] { return fail(ErrorCode::data_invalid, fmt::format("'{}' is not a time with an offset", now)); };
    if (now.size() < 25 || now[10] != 'T' || now[13] != ':' || now[16] != ':') {
        return bad();
    }
    std::string_view offset = now.substr(now.size() - 6);
    if ((offset[0] != '+' && offset[0] != '-') || offset[3] != ':') {
        return bad();
    }
    auto date = parse_iso_date(now.substr(0, 10));
    for (std::size_t i : {11U, 12U, 14U, 15U, 17U, 18U}) {
        if (!std::isdigit(static_cast<unsigned char>(now[i]))) {
            return bad();
        }
    }
    if (!date) {
        return bad();
    }
    long seconds = two(now, 11) * 3600L + two(now, 14) * 60L + two(now, 17) - seconds_back;
    Date day = *date;
    while (seconds < 0) {
        seconds += 86400;
        day = day.add_days(-1);
    }
    while (seconds >= 86400) {
        seconds -= 86400;
        day = day.add_days(1);
    }
    return fmt::format("{}T{:02}:{:02}:{:02}{}", day.iso(), seconds / 3600, (seconds % 3600) / 60, seconds % 60,
                       offset);
}

std::string dps_text(std::string_view text, std::size_t max_chars)
{
    std::string out;
    out.reserve(text.size());
    bool space = false;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f || c == ' ') {
            space = !out.empty();
            ++i;
            continue;
        }
        int len = utf8_sequence_length(text.substr(i));
        if (len == 0) {
            ++i;  // not UTF-8: dropped
            continue;
        }
        if (space) {
            if (chars + 1 >= max_chars) {
                break;
            }
            out += ' ';
            ++chars;
            space = false;
        }
        if (chars >= max_chars) {
            break;
        }
        out.append(text.substr(i, static_cast<std::size_t>(len)));
        ++chars;
        i += static_cast<std::size_t>(len);
    }
    return out;
}

std::string build_dps(const Dps& d)
{
    Builder b("DPS");
    xmlNewProp(b.root(), BAD_CAST "versao", BAD_CAST d.layout.c_str());
    xmlNodePtr inf = b.group(b.root(), "infDPS");
    auto id = dps_id(d.city_code, d.provider.tax_id, d.series, d.number);
    // An Id that cannot be formed is written as far as it goes: the schema names the fault.
    std::string id_text = id ? *id : fmt::format("DPS{}{}{}", d.city_code, d.provider.tax_id, d.number);
    xmlNewProp(inf, BAD_CAST "Id", BAD_CAST id_text.c_str());
    b.text(inf, "tpAmb", std::to_string(d.environment));
    b.text(inf, "dhEmi", d.emitted_at);
    b.text(inf, "verAplic", d.app_version);
    b.text(inf, "serie", d.series);
    b.text(inf, "nDPS", std::to_string(d.number));
    b.text(inf, "dCompet", d.competence.iso());
    b.text(inf, "tpEmit", "1");
    b.text(inf, "cLocEmi", d.city_code);

    xmlNodePtr prest = b.group(inf, "prest");
    tax_id(b, prest, d.provider.tax_id);
    b.optional(prest, "IM", d.provider.municipal_registration);
    b.optional(prest, "fone", d.provider.phone);
    b.optional(prest, "email", d.provider.email);
    xmlNodePtr reg = b.group(prest, "regTrib");
    b.text(reg, "opSimpNac", std::to_string(d.simples));
    if (d.simples == 3) {
        b.text(reg, "regApTribSN", "1");  // federal and municipal taxes within the Simples
    }
    b.text(reg, "regEspTrib", "0");

    if (d.taker) {
        taker(b, inf, *d.taker);
    }

    xmlNodePtr serv = b.group(inf, "serv");
    b.text(b.group(serv, "locPrest"), "cLocPrestacao", d.city_code);
    xmlNodePtr cserv = b.group(serv, "cServ");
    b.text(cserv, "cTribNac", d.service_code);
    b.text(cserv, "xDescServ", d.description);

    values(b, inf, d);
    return dump_document(b.doc());
}

}  // namespace billrun::nfse
