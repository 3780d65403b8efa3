#pragma once
// ABRASF 2.04, the municipal NFS-e layout (schemas/nfse/abrasf-v2.04): the RPS of an invoice
// (InfDeclaracaoPrestacaoServico) inside an EnviarLoteRpsEnvio holding one RPS, its Ids, and
// the XML, built without namespace prefixes and without formatting whitespace. Pure: no
// clock, no ledger, no I/O. billrun signs the lote and leaves it to be sent to the
// municipality's own web service: ABRASF transmission differs from city to city.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/core/money.hpp>
#include <billrun/nfse/dps.hpp>

namespace billrun::nfse {

inline constexpr std::string_view k_abrasf_namespace = "http://www.abrasf.org.br/nfse.xsd";

struct Rps {
    std::string series;          // Serie (1 to 5 digits here: nfse.dps_series)
    std::int64_t number = 0;     // Numero; also NumeroLote, one RPS per lote
    Date issued;                 // DataEmissao
    Date competence;             // Competencia: when the service started (the period's start)
    std::string city_code;       // CodigoMunicipio: the provider's IBGE code
    Party provider;              // CpfCnpj and InscricaoMunicipal only
    bool simples = false;        // OptanteSimplesNacional 1 (simples, mei) or 2
    bool mei = false;            // RegimeEspecialTributacao 5
    std::optional<Party> taker;  // TomadorServico
    std::string service_item;    // ItemListaServico, "01.07" (LC 116)
    std::string description;     // Discriminacao
    Centavos amount = 0;         // ValorServicos
    Centavos iss = 0;            // ValorIss
    Rate iss_rate = 0;           // Aliquota, in percent
    bool iss_withheld = false;   // IssRetido 1 and ResponsavelRetencao 1 (the taker)
    Centavos pis = 0, cofins = 0, csll = 0, irrf = 0, inss = 0;  // federal withholdings
};

// "RPS" + Serie (5, zero-padded) + Numero (15): the Id of InfDeclaracaoPrestacaoServico, and
// what the ledger keeps as the document's id. data_invalid when the series is not 1 to 5
// digits or the number is out of 1..10^15-1.
Result<std::string> rps_id(std::string_view series, std::int64_t number);
// "LOTE" + the same 20 digits: the Id of LoteRps.
std::string lote_id(std::string_view rps_id);

// ItemListaServico from the national service code: "010701" (cTribNac) -> "01.07"; the code
// as it is when it is not 6 digits (the schema then names it).
std::string service_item(std::string_view service_code);

// The unsigned EnviarLoteRpsEnvio (versao 2.04), UTF-8, with the XML declaration and no
// whitespace between tags.
std::string build_lote(const Rps& rps);

}  // namespace billrun::nfse
