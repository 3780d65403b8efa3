#pragma once
// Banco Inter Cobrança v3: the pure mapping between billrun and the API's JSON, apart from the
// adapter so that unit tests reach it (inter_cobranca_v3.cpp says what the API is).
#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "../providers.hpp"

namespace billrun::bankapi::inter {

// The body of POST /cobranca/v3/cobrancas.
std::string registration_body(const Title& title);
// A cobrança as GET /cobrancas/{codigoSolicitacao} or an item of the list describes it
// ({cobranca, boleto, pix}); bank_id = codigoSolicitacao, nosso_numero = the bank's.
Remote read_remote(const YAML::Node& item);
// A paid cobrança of the list; nullopt when the item is not one (another situação).
// Errors: data_invalid (a paid item without its amount or date).
Result<std::optional<PaidTitle>> read_paid(const YAML::Node& item);
// The situações that mean the boleto is not issued yet or never will be.
bool still_issuing(std::string_view situacao);
bool failed(std::string_view situacao);

}  // namespace billrun::bankapi::inter
