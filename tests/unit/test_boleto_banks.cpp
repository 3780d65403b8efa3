// The six banks' nosso número and campo livre against shared/reference/boleto/vectors.yaml:
// every boleto vector of 001, 033, 104, 237, 341 and 756 is rebuilt from its inputs mapped onto
// billrun.yaml's account fields, and every nosso_numero_dv vector is checked.
#include <billrun/boleto/bank.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <billrun/boleto/febraban.hpp>
#include <billrun/core/date.hpp>
#include <billrun/core/money.hpp>

#include "../../lib/boleto/banks/common.hpp"

using namespace billrun;
using namespace billrun::boleto;

namespace {

const YAML::Node& vectors()
{
    static const YAML::Node root = YAML::LoadFile(BILLRUN_REFERENCE_DIR "/boleto/vectors.yaml");
    return root;
}

std::string text(const YAML::Node& node)
{
    return node && !node.IsNull() ? node.as<std::string>() : std::string();
}

std::string digits_of(std::string_view s)
{
    std::string out;
    for (const char c : s) {
        if (c >= '0' && c <= '9') {
            out += c;
        }
    }
    return out;
}

std::string zero_filled(std::string_view s, std::size_t width)
{
    return std::string(width > s.size() ? width - s.size() : 0, '0') + std::string(s);
}

Beneficiary account(std::string bank, std::string agency, std::string account_number, std::string convenio,
                    std::string carteira)
{
    Beneficiary out;
    out.bank = std::move(bank);
    out.agency = std::move(agency);
    out.account = std::move(account_number);
    out.convenio = std::move(convenio);
    out.carteira = std::move(carteira);
    return out;
}

const Bank& bank_of(std::string_view code)
{
    const Bank* bank = find_bank(code);
    REQUIRE(bank != nullptr);
    return *bank;
}

NossoNumero nosso_of(const Beneficiary& beneficiary, std::int64_t sequence)
{
    const Result<NossoNumero> nosso = bank_of(beneficiary.bank).nosso_numero(beneficiary, sequence);
    INFO((nosso ? std::string() : nosso.error().message));
    REQUIRE(nosso);
    return *nosso;
}

std::string campo_of(const Beneficiary& beneficiary, const NossoNumero& nosso)
{
    const Result<std::string> campo = bank_of(beneficiary.bank).campo_livre(beneficiary, nosso);
    INFO((campo ? std::string() : campo.error().message));
    REQUIRE(campo);
    return *campo;
}

std::string config_error(const Beneficiary& beneficiary)
{
    const Result<void> checked = check_account(beneficiary);
    REQUIRE_FALSE(checked);
    CHECK(checked.error().code == ErrorCode::config);
    return checked.error().message;
}

// "0278-0" -> agency 0278, digit 0.
void split_digit(const std::string& value, std::string& number, std::string& digit)
{
    const std::size_t dash = value.find('-');
    number = value.substr(0, dash);
    digit = dash == std::string::npos ? std::string() : value.substr(dash + 1);
}

// A boleto vector's inputs as a billrun.yaml account plus the account sequence that yields its
// nosso número. nullopt for Caixa's legacy SICOB vectors (carteira SR), a layout Caixa retired.
struct Mapped {
    Beneficiary account;
    std::int64_t sequence = 0;
    std::string seu_numero;  // Itaú special carteiras, when the anchor chose one
};

std::optional<Mapped> map_inputs(const std::string& bank, const YAML::Node& in)
{
    const auto get = [&](const char* key) { return text(in[key]); };
    const auto first = [&](std::initializer_list<const char*> keys) {
        for (const char* key : keys) {
            if (!get(key).empty()) {
                return get(key);
            }
        }
        return std::string();
    };
    Mapped out;
    out.account.bank = bank;
    split_digit(get("agencia"), out.account.agency, out.account.agency_digit);
    split_digit(first({"conta_corrente", "conta"}), out.account.account, out.account.account_digit);
    out.account.carteira = get("carteira");
    const std::string nosso = first({"nosso_numero", "sequencial"});
    if (bank == "001") {
        out.account.convenio = get("convenio");
        if (get("codigo_servico") == "true") {
            out.account.carteira += "/21";
        }
    } else if (bank == "033") {
        out.account.convenio = first({"convenio_codigo_cliente", "conta_codigo_cliente", "codigo_cedente"});
    } else if (bank == "104") {
        if (out.account.carteira == "SR") {
            return std::nullopt;
        }
        out.account.carteira = "RG";
        out.account.convenio = first({"convenio_beneficiario", "conta_beneficiario"});
    } else if (bank == "237") {
        if (!get("codigo_cedente").empty()) {
            out.account.account = get("codigo_cedente");
        }
    } else if (bank == "341") {
        out.account.convenio = first({"convenio_codigo_cliente", "convenio"});
        out.seu_numero = get("seu_numero");
    } else if (bank == "756") {
        out.account.convenio = first({"convenio", "codigo_beneficiario"});
        const std::string modalidade = first({"modalidade_variacao", "modalidade"});
        if (modalidade != "0" + out.account.carteira) {
            out.account.carteira += "/" + modalidade;  // "1/05"; the default ("1" is 1/01) otherwise
        }
    }
    out.sequence = std::stoll(nosso);
    return out;
}

// The boleto vectors of one bank with expect_valid true, rebuilt through the Bank functions.
// Returns how many were rebuilt and counts the SICOB ones it could not.
std::size_t rebuild_vectors(const std::string& code, std::size_t& legacy)
{
    std::size_t rebuilt = 0;
    const Bank& bank = bank_of(code);
    for (const YAML::Node& v : vectors()["boletos"]) {
        if (text(v["bank"]) != code || !v["expect_valid"].as<bool>() || text(v["inputs"]["barcode_only"]) == "true") {
            continue;
        }
        const std::string expected_barcode = text(v["expected_barcode"]);
        INFO(code << " " << text(v["source"]) << " " << expected_barcode << text(v["expected_campo_livre"]));
        const std::optional<Mapped> mapped = map_inputs(code, v["inputs"]);
        if (!mapped) {
            ++legacy;
            continue;
        }
        const Result<void> checked = check_account(mapped->account);
        INFO((checked ? std::string() : checked.error().message));
        REQUIRE(checked);
        const NossoNumero nosso = nosso_of(mapped->account, mapped->sequence);
        std::string campo = campo_of(mapped->account, nosso);
        if (!mapped->seu_numero.empty() && zero_filled(mapped->seu_numero, 7) != nosso.number.substr(1)) {
            // The anchor picked a seu número other than the nosso número: the same layout, explicit.
            campo = detail::itau_special_campo_livre(mapped->account.carteira, nosso.number,
                                                     zero_filled(mapped->seu_numero, 7),
                                                     zero_filled(mapped->account.convenio, 5));
        }
        if (const std::string expected = text(v["expected_campo_livre"]); !expected.empty()) {
            CHECK(campo == expected);
        }
        if (!expected_barcode.empty()) {
            const YAML::Node& in = v["inputs"];
            const std::string centavos = text(in["valor_centavos"]);
            const std::optional<Centavos> amount = centavos.empty() ? parse_money(text(in["valor"]))
                                                                    : std::optional<Centavos>(std::stoll(centavos));
            const std::optional<Date> due = parse_iso_date(text(in["vencimento"]));
            REQUIRE(amount);
            REQUIRE(due);
            const Result<std::string> barcode = make_barcode(bank.code, *due, *amount, campo);
            REQUIRE(barcode);
            CHECK(*barcode == expected_barcode);
            CHECK(linha_digitavel(*barcode) == digits_of(text(v["expected_linha_digitavel"])));
        }
        // What the anchor says of the nosso número, where it says something checkable.
        const std::string said = text(v["expected_nosso_numero"]);
        const std::size_t dv_at = said.find("dv=");
        if (dv_at != std::string::npos && (dv_at == 0 || said[dv_at - 1] == ' ')) {  // not "convenio_dv="
            // BB convênio 8 carries no DV (17 digits, like convênio 7); brcobranca computes one anyway.
            const std::string dv = nosso.dv.empty() ? std::string(1, detail::dv_mod11_9_to_2(nosso.number)) : nosso.dv;
            CHECK(dv == said.substr(dv_at + 3, 1));
        } else if (const std::size_t at2 = said.find("dv_nosso_numero="); at2 != std::string::npos) {
            CHECK(nosso.dv == said.substr(at2 + 16, 1));
        } else if (said.starts_with("POST-2025 RESET: fator ")) {
            CHECK(expected_barcode.substr(5, 4) == said.substr(23, 4));
        } else if (!said.empty() && said.find_first_not_of("0123456789/-") == said.find(' ')) {
            CHECK(nosso.display == said.substr(0, said.find(' ')));  // "14000000000000001-4 (convenio_dv=0)"
        }
        if (const std::size_t at = said.find("convenio_dv="); at != std::string::npos) {
            CHECK(bank.beneficiary_code(mapped->account).ends_with("-" + said.substr(at + 12, 1)));
        }
        if (const std::size_t at = said.find("dv_agencia_conta="); at != std::string::npos) {
            CHECK(bank.beneficiary_code(mapped->account).ends_with("-" + said.substr(at + 17, 1)));
        }
        ++rebuilt;
    }
    return rebuilt;
}

// "ag 0810 cc 53678 cart 175 nosso 00015448" -> {ag: 0810, cc: 53678, cart: 175, nosso: 00015448}
std::map<std::string, std::string> keyed(const std::string& line)
{
    std::map<std::string, std::string> out;
    std::istringstream words(line);
    std::string word;
    std::string key;
    while (words >> word) {
        if (!key.empty()) {
            out[key] = word;
            key.clear();
        } else if (word == "ag" || word == "agencia" || word == "cc" || word == "conta" || word == "cart" ||
                   word == "nosso" || word == "convenio" || word == "beneficiario") {
            key = word;
        }
    }
    return out;
}

}  // namespace

TEST_CASE("find_bank")
{
    const char* const codes[] = {"001", "033", "104", "237", "341", "756"};
    for (const char* code : codes) {
        const Bank* bank = find_bank(code);
        REQUIRE(bank != nullptr);
        CHECK(bank->code == code);
        CHECK(bank->code_dv.starts_with(code));
        CHECK(!bank->name.empty());
        CHECK((bank->cnab240 || bank->cnab400));
        CHECK(bank->nosso_numero != nullptr);
        CHECK(bank->campo_livre != nullptr);
        CHECK(bank->beneficiary_code != nullptr);
    }
    CHECK(find_bank("001")->code_dv == "001-9");
    CHECK(find_bank("341")->name == "Itaú Unibanco S.A.");
    CHECK(find_bank("399") == nullptr);
    CHECK(find_bank("1") == nullptr);
    CHECK(find_bank("") == nullptr);
}

TEST_CASE("all_banks")
{
    const auto banks = all_banks();
    REQUIRE(banks.size() == 7);
    for (std::size_t i = 1; i < banks.size(); ++i) {
        CHECK(banks[i - 1]->code < banks[i]->code);
    }
}

TEST_CASE("check_account")
{
    SECTION("the account billrun init writes")
    {
        CHECK(check_account(account("001", "1234", "123456", "1234567", "17")));
    }
    SECTION("an unknown bank")
    {
        CHECK_THAT(config_error(account("399", "1234", "123456", "1234567", "17")),
                   Catch::Contains("bank '399' is not supported") && Catch::Contains("001, 033, 077, 104, 237, 341, 756"));
    }
    SECTION("Banco do Brasil")
    {
        CHECK(check_account(account("001", "4042", "61900", "1238", "18")));
        CHECK(check_account(account("001", "4042", "61900", "123879", "16/21")));
        CHECK(check_account(account("001", "4042", "61900", "12387989", "18")));
        CHECK(config_error(account("001", "1234", "123456", "123", "17")) ==
              "Banco do Brasil convênio '123' must have 4, 6, 7 or 8 digits");
        CHECK_THAT(config_error(account("001", "1234", "123456", "12345", "17")), Catch::Contains("convênio '12345'"));
        CHECK_THAT(config_error(account("001", "1234", "123456", "12a4567", "17")), Catch::Contains("convênio"));
        CHECK_THAT(config_error(account("001", "1234", "123456", "1234567", "19")), Catch::Contains("carteira '19'"));
        CHECK_THAT(config_error(account("001", "1234", "123456", "1234567", "7")), Catch::Contains("carteira '7'"));
        CHECK_THAT(config_error(account("001", "1234", "123456", "1234567", "18/21")),
                   Catch::Contains("needs a convênio of 6 digits"));
        CHECK_THAT(config_error(account("001", "1234", "123456", "123456", "17/21")),
                   Catch::Contains("carteira '17/21'"));
        CHECK_THAT(config_error(account("001", "12345", "123456", "1234567", "17")), Catch::Contains("agency '12345'"));
        CHECK_THAT(config_error(account("001", "1234", "", "1234567", "17")), Catch::Contains("account ''"));
        Beneficiary digit = account("001", "1234", "123456", "1234567", "17");
        digit.account_digit = "X";
        CHECK(check_account(digit));
        digit.agency_digit = "55";
        CHECK_THAT(config_error(digit), Catch::Contains("agency_digit '55'"));
    }
    SECTION("Santander")
    {
        CHECK(check_account(account("033", "0059", "013000123", "1899775", "102")));
        CHECK(check_account(account("033", "0059", "", "469", "101")));
        // node-boleto's negative vector: carteira 25 gives a 43-digit barcode there.
        CHECK(config_error(account("033", "1229", "", "469", "25")) ==
              "Santander carteira '25' must be 101, 102 or 201");
        CHECK_THAT(config_error(account("033", "0059", "", "12345678", "102")),
                   Catch::Contains("código do beneficiário (convenio) '12345678'"));
        CHECK_THAT(config_error(account("033", "", "", "1899775", "102")), Catch::Contains("agency ''"));
    }
    SECTION("Caixa")
    {
        CHECK(check_account(account("104", "1825", "", "245274", "RG")));
        CHECK(check_account(account("104", "3454", "", "1242119", "1")));
        CHECK(check_account(account("104", "3454", "", "1100000", "14")));
        CHECK_THAT(config_error(account("104", "3454", "", "1099999", "RG")),
                   Catch::Contains("'1099999' must have up to 6 digits, or 7 digits from 1100000 up"));
        CHECK_THAT(config_error(account("104", "3454", "", "0245274", "RG")), Catch::Contains("'0245274'"));
        CHECK_THAT(config_error(account("104", "3454", "", "245274", "SR")), Catch::Contains("carteira 'SR'"));
    }
    SECTION("Bradesco")
    {
        CHECK(check_account(account("237", "1172", "0403005", "", "06")));
        CHECK(check_account(account("237", "1", "469", "", "9")));
        CHECK_THAT(config_error(account("237", "1172", "12345678", "", "06")), Catch::Contains("account '12345678'"));
        CHECK_THAT(config_error(account("237", "1172", "0403005", "", "00")), Catch::Contains("carteira '00'"));
        CHECK_THAT(config_error(account("237", "1172", "0403005", "", "106")), Catch::Contains("carteira '106'"));
    }
    SECTION("Itaú")
    {
        CHECK(check_account(account("341", "0810", "53678", "", "175")));
        Beneficiary dac = account("341", "1547", "85547", "", "109");
        dac.account_digit = "6";  // agência + conta DAC (nosso_numero_dv vector)
        CHECK(check_account(dac));
        dac.account_digit = "5";
        CHECK_THAT(config_error(dac), Catch::Contains("account_digit '5' does not match") && Catch::Contains("is 6"));
        CHECK(check_account(account("341", "0810", "53678", "12345", "196")));
        CHECK_THAT(config_error(account("341", "0810", "53678", "", "196")),
                   Catch::Contains("código do cliente (convenio) ''") && Catch::Contains("carteira 196"));
        CHECK_THAT(config_error(account("341", "0810", "536789", "", "175")), Catch::Contains("account '536789'"));
        CHECK_THAT(config_error(account("341", "0810", "53678", "", "1750")), Catch::Contains("carteira '1750'"));
    }
    SECTION("Sicoob")
    {
        CHECK(check_account(account("756", "4327", "", "229385", "1")));
        CHECK(check_account(account("756", "4134", "", "148180", "1/05")));
        CHECK(check_account(account("756", "3069", "84725", "225", "3")));
        CHECK_THAT(config_error(account("756", "4327", "", "229385", "2")), Catch::Contains("carteira '2'"));
        CHECK_THAT(config_error(account("756", "4327", "", "229385", "1/00")), Catch::Contains("carteira '1/00'"));
        CHECK_THAT(config_error(account("756", "4327", "", "229385", "1/123")), Catch::Contains("carteira '1/123'"));
        CHECK_THAT(config_error(account("756", "43270", "", "229385", "1")),
                   Catch::Contains("cooperativa (agency) '43270'"));
        CHECK_THAT(config_error(account("756", "4327", "", "12345678", "1")),
                   Catch::Contains("código do beneficiário (convenio) '12345678'"));
    }
}

TEST_CASE("Bank::nosso_numero")
{
    const auto data_error = [](const Beneficiary& beneficiary, std::int64_t sequence) {
        const Result<NossoNumero> nosso = bank_of(beneficiary.bank).nosso_numero(beneficiary, sequence);
        REQUIRE_FALSE(nosso);
        CHECK(nosso.error().code == ErrorCode::data_invalid);
        return nosso.error().message;
    };
    SECTION("Banco do Brasil")
    {
        const NossoNumero c7 = nosso_of(account("001", "1545", "10403005", "1234567", "18"), 1);
        CHECK(c7.number == "12345670000000001");
        CHECK(c7.dv.empty());
        CHECK(c7.display == "12345670000000001");
        const NossoNumero c6 = nosso_of(account("001", "1545", "10403005", "123456", "18"), 1);
        CHECK(c6.number == "12345600001");
        CHECK(c6.display == "12345600001-7");
        CHECK(nosso_of(account("001", "1545", "10403005", "1234", "18"), 1).display == "12340000001-1");
        CHECK(nosso_of(account("001", "1545", "10403005", "12387989", "18"), 777700168).number == "12387989777700168");
        CHECK(nosso_of(account("001", "1545", "10403005", "123879", "16/21"), 1).number == "00000000000000001");
        CHECK(nosso_of(account("001", "1545", "10403005", "123456", "18"), 99999).number == "12345699999");
        CHECK_THAT(data_error(account("001", "1545", "10403005", "123456", "18"), 100000), Catch::Contains("5 digits"));
        CHECK(nosso_of(account("001", "1545", "10403005", "1234567", "18"), 9999999999).number == "12345679999999999");
        CHECK_THAT(data_error(account("001", "1545", "10403005", "1234567", "18"), 10000000000),
                   Catch::Contains("10 digits"));
        CHECK_THAT(data_error(account("001", "1545", "10403005", "1234567", "18"), 0), Catch::Contains("from 1"));
        // an 'X' check digit: remainder 10
        bool seen_x = false;
        for (std::int64_t s = 1; s < 100 && !seen_x; ++s) {
            const NossoNumero n = nosso_of(account("001", "1545", "10403005", "123456", "18"), s);
            seen_x = n.dv == "X";
            if (seen_x) {
                CHECK(n.display == n.number + "-X");
            }
        }
        CHECK(seen_x);
    }
    SECTION("Santander")
    {
        const NossoNumero n = nosso_of(account("033", "1333", "", "0707077", "102"), 1234567);
        CHECK(n.number == "000001234567");
        CHECK(n.dv == "9");
        CHECK(n.display == "000001234567-9");
        CHECK_THAT(data_error(account("033", "1333", "", "0707077", "102"), 1'000'000'000'000),
                   Catch::Contains("12 digits"));
    }
    SECTION("Caixa")
    {
        const NossoNumero n = nosso_of(account("104", "1825", "", "245274", "RG"), 1);
        CHECK(n.number == "14000000000000001");
        CHECK(n.dv == "4");
        CHECK(n.display == "14000000000000001-4");
        CHECK(nosso_of(account("104", "1825", "", "245274", "RG"), 999'999'999'999'999).number == "14999999999999999");
        CHECK_THAT(data_error(account("104", "1825", "", "245274", "RG"), 1'000'000'000'000'000),
                   Catch::Contains("15 digits"));
    }
    SECTION("Bradesco")
    {
        const NossoNumero n = nosso_of(account("237", "1172", "0403005", "", "06"), 525);
        CHECK(n.number == "00000000525");
        CHECK(n.dv == "P");
        CHECK(n.display == "06/00000000525-P");
        CHECK(nosso_of(account("237", "1172", "0403005", "", "9"), 1).display == "09/00000000001-1");
        CHECK_THAT(data_error(account("237", "1172", "0403005", "", "09"), 100'000'000'000),
                   Catch::Contains("11 digits"));
    }
    SECTION("Itaú")
    {
        const NossoNumero n = nosso_of(account("341", "0810", "53678", "", "175"), 12345678);
        CHECK(n.number == "12345678");
        CHECK(n.dv == "4");
        CHECK(n.display == "175/12345678-4");
        // DAC exception carteiras: mod10(carteira + nosso) only
        const NossoNumero exception = nosso_of(account("341", "0810", "53678", "", "126"), 12345678);
        CHECK(exception.dv == std::to_string(mod10("12612345678")));
        CHECK(exception.dv != std::to_string(mod10("08105367812612345678")));
        CHECK_THAT(data_error(account("341", "0810", "53678", "", "175"), 100'000'000), Catch::Contains("8 digits"));
        // special carteiras: the seu número is the sequence too, so 7 digits
        CHECK(nosso_of(account("341", "0810", "53678", "12345", "196"), 9'999'999).number == "09999999");
        CHECK_THAT(data_error(account("341", "0810", "53678", "12345", "196"), 10'000'000),
                   Catch::Contains("7 digits"));
    }
    SECTION("Sicoob")
    {
        const NossoNumero n = nosso_of(account("756", "4327", "", "229385", "1"), 2);
        CHECK(n.number == "0000002");
        CHECK(n.dv == "4");
        CHECK(n.display == "0000002-4");
        CHECK_THAT(data_error(account("756", "4327", "", "229385", "1"), 10'000'000), Catch::Contains("7 digits"));
    }
    SECTION("a bad account is a config error")
    {
        const Result<NossoNumero> nosso = bank_of("001").nosso_numero(account("001", "1234", "1", "123", "17"), 1);
        REQUIRE_FALSE(nosso);
        CHECK(nosso.error().code == ErrorCode::config);
    }
}

TEST_CASE("nosso número check digits: every nosso_numero_dv vector")
{
    std::map<std::string, std::size_t> checked;
    for (const YAML::Node& v : vectors()["nosso_numero_dv"]) {
        const std::string code = text(v["bank"]);
        const std::string inputs = text(v["inputs"]);
        const std::string expected = text(v["expected_dv"]);
        INFO(code << " " << inputs << " -> " << expected);
        std::map<std::string, std::string> fields = keyed(inputs);
        if (code == "001") {
            // Over 17 digits (convênio + nosso), agência or conta: the rule, not a layout.
            const std::size_t equals = inputs.find('=');
            const std::string digits = equals != std::string::npos ? inputs.substr(equals + 1) : digits_of(inputs);
            CHECK(std::string(1, detail::dv_mod11_9_to_2(digits)) == expected);
        } else if (code == "341" && fields.count("nosso") != 0) {
            const std::string composed = fields["ag"] + fields["cc"] + fields["cart"] + fields["nosso"];
            CHECK(std::to_string(mod10(composed)) == expected);
            const Beneficiary itau = account("341", fields["ag"], fields["cc"], "12345", fields["cart"]);
            if (fields["cart"] != "143") {  // special: an 8-digit nosso número is no sequence there
                CHECK(nosso_of(itau, std::stoll(fields["nosso"])).dv == expected);
            }
        } else if (code == "341") {  // "agencia+conta DV 1547/85547"
            const std::string ag_cc = digits_of(inputs);
            CHECK(std::to_string(mod10(ag_cc)) == expected);
            Beneficiary itau = account("341", ag_cc.substr(0, 4), ag_cc.substr(4), "", "109");
            itau.account_digit = expected;
            CHECK(check_account(itau));
        } else if (code == "237") {
            const Beneficiary bradesco = account("237", "1172", "403005", "", fields["cart"]);
            const NossoNumero n = nosso_of(bradesco, std::stoll(fields["nosso"]));
            CHECK(n.dv == expected);
        } else if (code == "104" && fields.count("beneficiario") != 0) {
            CHECK(std::string(1, detail::dv_mod11_high_zero(fields["beneficiario"])) == expected);
            const Beneficiary caixa = account("104", "1825", "", fields["beneficiario"], "RG");
            CHECK(bank_of("104").beneficiary_code(caixa) == "1825 / " + fields["beneficiario"] + "-" + expected);
        } else if (code == "104") {
            const std::string& nn = fields["nosso"];
            CHECK(std::string(1, detail::dv_mod11_high_zero(nn)) == expected);
            if (nn.starts_with("14")) {
                CHECK(nosso_of(account("104", "1825", "", "245274", "RG"), std::stoll(nn.substr(2))).dv == expected);
            }
        } else if (code == "033") {
            const NossoNumero n = nosso_of(account("033", "0059", "", "1899775", "102"), std::stoll(fields["nosso"]));
            CHECK(n.dv == expected);
        } else if (code == "756") {
            const Beneficiary sicoob = account("756", fields["ag"], "", fields["convenio"], "1");
            CHECK(nosso_of(sicoob, std::stoll(fields["nosso"])).dv == expected);
        } else {
            FAIL("a nosso_numero_dv vector of a bank this test does not know: " << code);
        }
        ++checked[code];
    }
    CHECK(checked["001"] == 6);
    CHECK(checked["341"] == 6);
    CHECK(checked["237"] == 5);
    CHECK(checked["104"] == 5);
    CHECK(checked["033"] == 5);
    CHECK(checked["756"] == 15);
}

TEST_CASE("Bank::campo_livre")
{
    std::size_t legacy = 0;
    SECTION("Banco do Brasil vectors")
    {
        CHECK(rebuild_vectors("001", legacy) == 10);
    }
    SECTION("Santander vectors")
    {
        CHECK(rebuild_vectors("033", legacy) == 3);
    }
    SECTION("Caixa vectors (SIGCB; the two legacy SICOB ones are not issued any more)")
    {
        CHECK(rebuild_vectors("104", legacy) == 2);
        CHECK(legacy == 2);
    }
    SECTION("Bradesco vectors")
    {
        CHECK(rebuild_vectors("237", legacy) == 6);
    }
    SECTION("Itaú vectors")
    {
        CHECK(rebuild_vectors("341", legacy) == 7);
    }
    SECTION("Sicoob vectors")
    {
        CHECK(rebuild_vectors("756", legacy) == 3);
    }
    SECTION("Itaú special carteira: the seu número comes from the nosso número")
    {
        const Beneficiary special = account("341", "0810", "53678", "12345", "196");
        CHECK(campo_of(special, nosso_of(special, 258281)) ==
              detail::itau_special_campo_livre("196", "00258281", "0258281", "12345"));
        CHECK(campo_of(special, nosso_of(special, 258281)).substr(0, 23) == "19600258281025828112345");
    }
    SECTION("a nosso número that does not fit")
    {
        const auto data_error = [](const Beneficiary& beneficiary, const NossoNumero& nosso) {
            const Result<std::string> campo = bank_of(beneficiary.bank).campo_livre(beneficiary, nosso);
            REQUIRE_FALSE(campo);
            CHECK(campo.error().code == ErrorCode::data_invalid);
            return campo.error().message;
        };
        const Beneficiary bb = account("001", "1545", "10403005", "1234567", "18");
        CHECK_THAT(data_error(bb, NossoNumero{"1234567000000001", "", ""}), Catch::Contains("17 digits"));
        CHECK_THAT(data_error(bb, NossoNumero{"76543210000000001", "", ""}), Catch::Contains("convênio 1234567"));
        CHECK_THAT(data_error(bb, NossoNumero{"12345670000000001", "4", ""}), Catch::Contains("no check digit"));
        const Beneficiary bb6 = account("001", "1545", "10403005", "123456", "18");
        CHECK(campo_of(bb6, NossoNumero{"12345600001", "7", ""}) == "1234560000115451040300518");
        CHECK_THAT(data_error(bb6, NossoNumero{"12345600001", "6", ""}), Catch::Contains("should be 7"));
        const Beneficiary santander = account("033", "0059", "", "1899775", "102");
        CHECK_THAT(data_error(santander, NossoNumero{"000009000026", "8", ""}), Catch::Contains("should be 9"));
        CHECK(campo_of(santander, NossoNumero{"000009000026", "", ""}) == "9189977500000900002690102");
        const Beneficiary caixa = account("104", "1825", "", "245274", "RG");
        CHECK_THAT(data_error(caixa, NossoNumero{"84000000000000001", "", ""}), Catch::Contains("start with 14"));
        const Beneficiary itau = account("341", "0810", "53678", "12345", "196");
        CHECK_THAT(data_error(itau, NossoNumero{"12345678", "", ""}), Catch::Contains("seu número"));
        CHECK_THAT(data_error(itau, NossoNumero{"1234567", "", ""}), Catch::Contains("8 digits"));
    }
}

TEST_CASE("Bank::beneficiary_code")
{
    Beneficiary bb = account("001", "1234", "123456", "1234567", "17");
    bb.agency_digit = "5";
    bb.account_digit = "7";
    CHECK(bank_of("001").beneficiary_code(bb) == "1234-5 / 123456-7");
    CHECK(bank_of("033").beneficiary_code(account("033", "0059", "", "469", "102")) == "0059 / 0000469");
    CHECK(bank_of("104").beneficiary_code(account("104", "1825", "", "245274", "RG")) == "1825 / 245274-0");
    CHECK(bank_of("104").beneficiary_code(account("104", "3454", "", "1242119", "RG")) == "3454 / 1242119");
    Beneficiary bradesco = account("237", "0278", "0039232", "", "06");
    bradesco.agency_digit = "0";
    bradesco.account_digit = "4";
    CHECK(bank_of("237").beneficiary_code(bradesco) == "0278-0 / 0039232-4");
    CHECK(bank_of("341").beneficiary_code(account("341", "0293", "01328", "", "109")) == "0293 / 01328-0");
    CHECK(bank_of("756").beneficiary_code(account("756", "4327", "", "229385", "1")) == "4327 / 229385");
}

TEST_CASE("Banco Inter numbers its boletos itself")
{
    const Bank* inter = find_bank("077");
    REQUIRE(inter != nullptr);
    CHECK(inter->numbers_itself);
    const Beneficiary who = account("077", "0001", "1234567", "7654321", "112");
    CHECK(check_account(who));
    CHECK(inter->nosso_numero(who, 1).error().code == ErrorCode::config);
    // Campo livre: agência 0001, carteira 112, operação, the bank's nosso número with its DV last.
    auto campo = inter->campo_livre(who, NossoNumero{"0000000041", "4", ""});
    REQUIRE(campo);
    CHECK(*campo == "0001112765432100000000414");
    auto barcode = make_barcode("077", *Date::from_ymd(2026, 12, 3), 200000, *campo);
    REQUIRE(barcode);
    CHECK(barcode->substr(0, 4) == "0779");
    CHECK_FALSE(inter->campo_livre(who, NossoNumero{"41", "4", ""}));
    CHECK_FALSE(inter->campo_livre(account("077", "0001", "1", "123456789", "112"), NossoNumero{"0000000041", "4", ""}));
}
