#include "fields.hpp"

#include <fmt/format.h>

#include <billrun/core/text.hpp>

namespace billrun::import {

std::optional<Kind> parse_kind(std::string_view text)
{
    std::string key = fold_key(text);
    if (key == "customers" || key == "customer" || key == "clientes") {
        return Kind::customers;
    }
    if (key == "services" || key == "service" || key == "servicos") {
        return Kind::services;
    }
    if (key == "contracts" || key == "contract" || key == "contratos") {
        return Kind::contracts;
    }
    if (key == "charges" || key == "charge" || key == "cobrancas" || key == "avulsos" || key == "lancamentos") {
        return Kind::charges;
    }
    if (key == "payments" || key == "payment" || key == "pagamentos" || key == "recebimentos") {
        return Kind::payments;
    }
    return std::nullopt;
}

std::string_view kind_name(Kind kind)
{
    switch (kind) {
    case Kind::customers: return "customers";
    case Kind::services: return "services";
    case Kind::contracts: return "contracts";
    case Kind::charges: return "charges";
    case Kind::payments: return "payments";
    }
    return "?";
}

std::string Problem::text() const
{
    if (column > 0) {
        return fmt::format("{}:{}:{}: {}", file, line, column, message);
    }
    return fmt::format("{}:{}: {}", file, line, message);
}

namespace {

struct Alias {
    std::string_view folded;
    Field field;
};

// Folded spellings (see fold_key). Shared by every kind; kinds filter what they have.
constexpr std::array k_aliases{
    Alias{"id", Field::id}, Alias{"codigo", Field::id}, Alias{"cod", Field::id},
    Alias{"name", Field::name}, Alias{"nome", Field::name}, Alias{"razaosocial", Field::name},
    Alias{"taxid", Field::tax_id}, Alias{"cpf", Field::tax_id}, Alias{"cnpj", Field::tax_id},
    Alias{"cpfcnpj", Field::tax_id}, Alias{"cnpjcpf", Field::tax_id}, Alias{"documento", Field::tax_id},
    Alias{"email", Field::email}, Alias{"emails", Field::email},
    Alias{"phone", Field::phone}, Alias{"telefone", Field::phone}, Alias{"fone", Field::phone},
    Alias{"street", Field::street}, Alias{"logradouro", Field::street}, Alias{"endereco", Field::street},
    Alias{"number", Field::number}, Alias{"numero", Field::number}, Alias{"no", Field::number},
    Alias{"complement", Field::complement}, Alias{"complemento", Field::complement},
    Alias{"district", Field::district}, Alias{"bairro", Field::district},
    Alias{"city", Field::city}, Alias{"cidade", Field::city}, Alias{"municipio", Field::city},
    Alias{"citycode", Field::city_code}, Alias{"codigoibge", Field::city_code},
    Alias{"ibge", Field::city_code}, Alias{"codigomunicipio", Field::city_code},
    Alias{"state", Field::state}, Alias{"uf", Field::state}, Alias{"estado", Field::state},
    Alias{"zip", Field::zip}, Alias{"cep", Field::zip},
    Alias{"municipalregistration", Field::municipal_registration},
    Alias{"inscricaomunicipal", Field::municipal_registration}, Alias{"im", Field::municipal_registration},
    Alias{"isswithheld", Field::iss_withheld}, Alias{"issretido", Field::iss_withheld},
    Alias{"retemiss", Field::iss_withheld},
    Alias{"owner", Field::owner}, Alias{"responsavel", Field::owner},
    Alias{"description", Field::description}, Alias{"descricao", Field::description},
    Alias{"unitprice", Field::unit_price}, Alias{"preco", Field::unit_price},
    Alias{"valor", Field::unit_price}, Alias{"valorunitario", Field::unit_price},
    Alias{"precounitario", Field::unit_price},
    Alias{"servicecode", Field::service_code}, Alias{"codigoservico", Field::service_code},
    Alias{"ctribnac", Field::service_code},
    Alias{"issrate", Field::iss_rate}, Alias{"aliquotaiss", Field::iss_rate}, Alias{"aliquota", Field::iss_rate},
    Alias{"customer", Field::customer}, Alias{"cliente", Field::customer},
    Alias{"service", Field::service}, Alias{"servico", Field::service},
    Alias{"quantity", Field::quantity}, Alias{"quantidade", Field::quantity}, Alias{"qtd", Field::quantity},
    Alias{"qtde", Field::quantity},
    Alias{"price", Field::price}, Alias{"preco", Field::price}, Alias{"valor", Field::price},
    Alias{"start", Field::start}, Alias{"inicio", Field::start},
    Alias{"end", Field::end}, Alias{"fim", Field::end}, Alias{"termino", Field::end},
    Alias{"cycle", Field::cycle}, Alias{"ciclo", Field::cycle}, Alias{"periodicidade", Field::cycle},
    Alias{"billing", Field::billing}, Alias{"cobranca", Field::billing}, Alias{"faturamento", Field::billing},
    Alias{"duedays", Field::due_days}, Alias{"diasvencimento", Field::due_days},
    Alias{"prazo", Field::due_days},
    Alias{"dueday", Field::due_day}, Alias{"diavencimento", Field::due_day},
    Alias{"series", Field::series}, Alias{"serie", Field::series},
    Alias{"paymentmethod", Field::payment_method}, Alias{"formadepagamento", Field::payment_method},
    Alias{"formapagamento", Field::payment_method},
    Alias{"autosend", Field::auto_send}, Alias{"envioautomatico", Field::auto_send},
    Alias{"template", Field::template_name}, Alias{"modelo", Field::template_name},
    Alias{"bankaccount", Field::bank_account}, Alias{"conta", Field::bank_account},
    Alias{"contabancaria", Field::bank_account},
    Alias{"contract", Field::contract}, Alias{"contrato", Field::contract},
    Alias{"date", Field::date}, Alias{"data", Field::date},
    Alias{"invoice", Field::invoice}, Alias{"fatura", Field::invoice}, Alias{"nota", Field::invoice},
    Alias{"nossonumero", Field::nosso_numero},
    Alias{"amount", Field::amount}, Alias{"valor", Field::amount}, Alias{"valorpago", Field::amount},
    Alias{"datapagamento", Field::date},
};

constexpr std::array<std::string_view, k_field_count> k_names{
    "id", "name", "tax_id", "email", "phone", "street", "number", "complement", "district", "city",
    "city_code", "state", "zip", "municipal_registration", "iss_withheld", "owner",
    "description", "unit_price", "service_code", "iss_rate",
    "customer", "service", "quantity", "price", "start", "end", "cycle", "billing", "due_days",
    "due_day", "series", "payment_method", "auto_send", "template", "bank_account", "contract", "date", "invoice", "nosso_numero", "amount"};

bool kind_has(Kind kind, Field field)
{
    auto f = static_cast<int>(field);
    switch (kind) {
    case Kind::customers:
        return f <= static_cast<int>(Field::owner);
    case Kind::services:
        return field == Field::id ||
               (f >= static_cast<int>(Field::description) && f <= static_cast<int>(Field::iss_rate));
    case Kind::contracts:
        return field == Field::id || field == Field::iss_withheld ||
               (f >= static_cast<int>(Field::customer) && f <= static_cast<int>(Field::bank_account));
    case Kind::charges:
        return field == Field::id || field == Field::customer || field == Field::contract || field == Field::date ||
               field == Field::service || field == Field::quantity || field == Field::price ||
               field == Field::description;
    case Kind::payments:
        return field == Field::invoice || field == Field::nosso_numero || field == Field::date ||
               field == Field::amount || field == Field::description;
    }
    return false;
}

}  // namespace

std::string_view field_name(Field field)
{
    return k_names[static_cast<std::size_t>(field)];
}

std::optional<Field> match_field(Kind kind, std::string_view header)
{
    std::string key = fold_key(header);
    for (const auto& alias : k_aliases) {
        if (alias.folded == key && kind_has(kind, alias.field)) {
            return alias.field;
        }
    }
    return std::nullopt;
}

std::vector<Field> required_fields(Kind kind)
{
    switch (kind) {
    case Kind::customers:
        return {Field::id, Field::name, Field::tax_id};
    case Kind::services:
        return {Field::id, Field::description};
    case Kind::contracts:
        return {Field::id, Field::customer, Field::start};
    case Kind::charges:
        return {Field::customer, Field::date, Field::service};
    case Kind::payments:
        return {Field::date, Field::amount};
    }
    return {};
}

void RawRecord::clear()
{
    line = 0;
    for (auto& f : fields) {
        f.value.clear();
        f.present = false;
        f.line = 0;
        f.column = 0;
    }
    items.clear();
}

}  // namespace billrun::import
