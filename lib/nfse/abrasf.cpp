// ABRASF 2.04: the lote of one RPS, built with libxml2 in the ABRASF namespace.
#include <billrun/nfse/abrasf.hpp>

#include <algorithm>

#include <fmt/format.h>

#include <billrun/core/text.hpp>

#include "xml.hpp"

namespace billrun::nfse {

namespace {

void person(XmlBuilder& b, xmlNodePtr parent, const char* name, const Party& p)
{
    xmlNodePtr who = b.group(parent, name);
    b.text(b.group(who, "CpfCnpj"), p.tax_id.size() == 11 ? "Cpf" : "Cnpj", p.tax_id);
    b.optional(who, "InscricaoMunicipal", p.municipal_registration);
}

void taker(XmlBuilder& b, xmlNodePtr inf, const Party& p)
{
    xmlNodePtr toma = b.group(inf, "TomadorServico");
    person(b, toma, "IdentificacaoTomador", p);
    b.text(toma, "RazaoSocial", p.name);
    // The address needs every part but the complement; without them it is left out.
    if (!p.street.empty() && !p.district.empty() && !p.city_code.empty() && !p.state.empty() && !p.zip.empty()) {
        xmlNodePtr end = b.group(toma, "Endereco");
        b.text(end, "Endereco", p.street);
        b.text(end, "Numero", p.number.empty() ? std::string_view("S/N") : std::string_view(p.number));
        b.optional(end, "Complemento", p.complement);
        b.text(end, "Bairro", p.district);
        b.text(end, "CodigoMunicipio", p.city_code);
        b.text(end, "Uf", p.state);
        b.text(end, "Cep", p.zip);
    }
    if (!p.phone.empty() || !p.email.empty()) {
        xmlNodePtr contato = b.group(toma, "Contato");
        b.optional(contato, "Telefone", p.phone);
        b.optional(contato, "Email", p.email);
    }
}

void positive(XmlBuilder& b, xmlNodePtr parent, const char* name, Centavos value)
{
    if (value > 0) {
        b.text(parent, name, format_money(value));
    }
}

void service(XmlBuilder& b, xmlNodePtr inf, const Rps& r)
{
    xmlNodePtr serv = b.group(inf, "Servico");
    xmlNodePtr valores = b.group(serv, "Valores");
    b.text(valores, "ValorServicos", format_money(r.amount));
    positive(b, valores, "ValorPis", r.pis);
    positive(b, valores, "ValorCofins", r.cofins);
    positive(b, valores, "ValorInss", r.inss);
    positive(b, valores, "ValorIr", r.irrf);
    positive(b, valores, "ValorCsll", r.csll);
    b.text(valores, "ValorIss", format_money(r.iss));
    b.text(valores, "Aliquota", format_rate(r.iss_rate));
    b.text(serv, "IssRetido", r.iss_withheld ? "1" : "2");
    if (r.iss_withheld) {
        b.text(serv, "ResponsavelRetencao", "1");  // the taker
    }
    b.text(serv, "ItemListaServico", r.service_item);
    b.text(serv, "Discriminacao", r.description);
    b.text(serv, "CodigoMunicipio", r.city_code);
    b.text(serv, "ExigibilidadeISS", "1");  // exigível
}

}  // namespace

Result<std::string> rps_id(std::string_view series, std::int64_t number)
{
    if (series.size() > 5 || !is_digits(series)) {
        return fail(ErrorCode::data_invalid, fmt::format("RPS series '{}' is not 1 to 5 digits", series));
    }
    if (number < 1 || number > 999999999999999LL) {
        return fail(ErrorCode::data_invalid, fmt::format("RPS number {} is out of range", number));
    }
    return fmt::format("RPS{:0>5}{:015}", series, number);
}

std::string lote_id(std::string_view rps_id)
{
    return fmt::format("LOTE{}", rps_id.substr(std::min<std::size_t>(3, rps_id.size())));
}

std::string service_item(std::string_view code)
{
    if (code.size() != 6 || !is_digits(code)) {
        return std::string(code);
    }
    return fmt::format("{}.{}", code.substr(0, 2), code.substr(2, 2));
}

std::string build_lote(const Rps& r)
{
    auto id = rps_id(r.series, r.number);
    // An Id that cannot be formed is written as far as it goes: the schema names the fault.
    std::string rps = id ? *id : fmt::format("RPS{}{}", r.series, r.number);
    XmlBuilder b("EnviarLoteRpsEnvio", k_abrasf_namespace);
    xmlNodePtr lote = b.group(b.root(), "LoteRps");
    xmlNewProp(lote, BAD_CAST "Id", BAD_CAST lote_id(rps).c_str());
    xmlNewProp(lote, BAD_CAST "versao", BAD_CAST "2.04");
    b.text(lote, "NumeroLote", std::to_string(r.number));
    person(b, lote, "Prestador", r.provider);
    b.text(lote, "QuantidadeRps", "1");
    xmlNodePtr list = b.group(lote, "ListaRps");
    xmlNodePtr inf = b.group(b.group(list, "Rps"), "InfDeclaracaoPrestacaoServico");
    xmlNewProp(inf, BAD_CAST "Id", BAD_CAST rps.c_str());
    xmlNodePtr info = b.group(inf, "Rps");
    xmlNodePtr ident = b.group(info, "IdentificacaoRps");
    b.text(ident, "Numero", std::to_string(r.number));
    b.text(ident, "Serie", r.series);
    b.text(ident, "Tipo", "1");  // RPS
    b.text(info, "DataEmissao", r.issued.iso());
    b.text(info, "Status", "1");  // normal
    b.text(inf, "Competencia", r.competence.iso());
    service(b, inf, r);
    person(b, inf, "Prestador", r.provider);
    if (r.taker) {
        taker(b, inf, *r.taker);
    }
    if (r.mei) {
        b.text(inf, "RegimeEspecialTributacao", "5");  // MEI
    }
    b.text(inf, "OptanteSimplesNacional", r.simples ? "1" : "2");
    b.text(inf, "IncentivoFiscal", "2");
    return dump_document(b.doc());
}

}  // namespace billrun::nfse
