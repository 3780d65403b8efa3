#pragma once
// Sicoob Cobrança Bancária v3: the pure mapping between billrun and the API's JSON, apart from
// the adapter so that unit tests reach it (sicoob_cobranca_v3.cpp says what the API is).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "../providers.hpp"

namespace billrun::bankapi::sicoob {

struct Beneficiario {
    std::string cooperativa;  // 4 digits
    std::string codigo;       // 7 digits
    std::string cliente;      // numeroCliente, no leading zeros
    std::string modalidade;   // codigoModalidade, no leading zeros
    std::string conta;        // numeroContaCorrente, with its digit
};

// The account's fields as Sicoob's API names them. Errors: config.
Result<Beneficiario> beneficiario(const config::BankAccount& account);
// The API's nossoNumero: billrun's 7 digits and their check digit, leading zeros dropped.
std::string numero(const Beneficiario& who, std::string_view nosso7);
// The body of POST /boletos.
std::string registration_body(const Beneficiario& who, const Title& title);
// A boleto as GET /boletos or POST /boletos describe it (their `resultado`).
Remote read_remote(const YAML::Node& resultado);
// The liquidações of one movement file (`arquivo`: base64 of a ZIP of JSON arrays). Errors:
// data_invalid, `where` in front.
Result<std::vector<PaidTitle>> read_movement_file(std::string_view arquivo, std::string_view where);
// "2019-05-7T00:00:00-03:00" (the day unpadded, as Sicoob's files write it), or any bank date.
std::optional<Date> movement_date(std::string_view text);

}  // namespace billrun::bankapi::sicoob
