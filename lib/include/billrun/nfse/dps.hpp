#pragma once
// The national DPS (Declaração de Prestação de Serviço, layout 1.01 or 1.00 of the Sistema
// Nacional NFS-e; the elements billrun writes are the same in both): its data, its 45-character Id, and the XML, built without namespace prefixes and
// without formatting whitespace (Manual §6.1.1). Pure: no clock, no ledger, no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/core/money.hpp>

namespace billrun::nfse {

inline constexpr std::string_view k_nfse_namespace = "http://www.sped.fazenda.gov.br/nfse";

// A person of the DPS (the provider, prest, or the taker, toma). Empty fields are left out.
struct Party {
    std::string tax_id;  // CPF (11) or CNPJ (14), no punctuation
    std::string name;
    std::string municipal_registration;
    std::string street, number, complement, district;
    std::string city_code;  // IBGE, 7 digits
    std::string state;      // UF, 2 letters (ABRASF only)
    std::string zip;        // CEP, 8 digits
    std::string phone;      // digits only
    std::string email;
};

struct Dps {
    std::string layout = "1.01";  // versao: 1.01 | 1.00
    int environment = 2;          // tpAmb: 1 produção, 2 produção restrita
    std::string emitted_at;       // dhEmi, "YYYY-MM-DDThh:mm:ss±hh:mm"
    std::string app_version;      // verAplic, at most 20 characters
    std::string series;           // serie, 1 to 5 digits
    std::int64_t number = 0;      // nDPS
    Date competence;              // dCompet: when the service started (the period's start)
    std::string city_code;        // cLocEmi and cLocPrestacao: the provider's IBGE code
    Party provider;               // prest: tax id, IM and phone only (the rest comes from the CNC)
    int simples = 1;              // regTrib/opSimpNac: 1 não optante, 2 MEI, 3 ME/EPP
    std::optional<Party> taker;   // toma
    std::string service_code;     // cTribNac, 6 digits
    std::string description;      // xDescServ
    Centavos amount = 0;          // vServ
    bool iss_withheld = false;    // tpRetISSQN 2 (by the taker) instead of 1
    Centavos iss = 0;             // totTrib/vTotTrib/vTotTribMun (não optante only)
    Centavos pis = 0, cofins = 0, csll = 0, irrf = 0, inss = 0;  // federal withholdings
    Rate pis_rate = 0, cofins_rate = 0;
};

// "DPS" + cMun(7) + tpInsc(1: 1 CPF, 2 CNPJ) + inscrição(14, a CPF zero-padded) + serie(5) +
// nDPS(15). data_invalid when a part does not fit (a city code that is not 7 digits, a tax id
// of another length, a series of more than 5 digits, a number out of 1..10^15-1).
Result<std::string> dps_id(std::string_view city_code, std::string_view tax_id, std::string_view series,
                           std::int64_t number);

// tpRetPisCofins of layout 1.01 for which of PIS, COFINS and CSLL the taker withholds
// (0 none … 3 all; 4-9 the mixed cases).
int pis_cofins_retention(bool pis, bool cofins, bool csll);

// regTrib/opSimpNac for company.tax_regime: simples 3, mei 2, lucro-presumido/lucro-real 1.
int simples_option(std::string_view tax_regime);

// dhEmi from an ISO 8601 timestamp with offset ("2026-12-05T16:22:12-03:00"), moved back by
// `seconds` (so that a clock a little ahead of the authority's never gives E0008, "dhEmi
// after dhProc"), seconds kept, offset kept. data_invalid when the text is not such a time.
Result<std::string> emission_time(std::string_view now, int seconds_back);

// Text as the DPS accepts it: control characters and line breaks become spaces, runs of
// spaces one space, trimmed, cut to `max_chars` characters (UTF-8 aware).
std::string dps_text(std::string_view text, std::size_t max_chars);

// The unsigned DPS, UTF-8, with the XML declaration and no whitespace between tags.
std::string build_dps(const Dps& dps);

}  // namespace billrun::nfse
