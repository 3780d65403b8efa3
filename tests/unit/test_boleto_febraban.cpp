// FEBRABAN arithmetic against every vector of shared/reference/boleto/vectors.yaml (all banks:
// the barcode, linha and factor rules do not depend on the bank).
#include <billrun/boleto/febraban.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <billrun/core/date.hpp>
#include <billrun/core/money.hpp>

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

Date ymd(int year, int month, int day)
{
    const auto date = Date::from_ymd(year, month, day);
    REQUIRE(date);
    return *date;
}

Date iso(const std::string& s)
{
    const auto date = parse_iso_date(s);
    REQUIRE(date);
    return *date;
}

struct BoletoVector {
    std::string bank;
    std::string barcode;     // as written (the negative vector has 43 digits)
    std::string linha;       // digits only
    std::string linha_text;  // as written
    bool valid = true;
    YAML::Node inputs;
};

// The boleto vectors that carry a barcode (all but the Caixa campo-livre-only one).
const std::vector<BoletoVector>& boletos()
{
    static const std::vector<BoletoVector> list = [] {
        std::vector<BoletoVector> out;
        for (const YAML::Node& v : vectors()["boletos"]) {
            if (text(v["expected_barcode"]).empty()) {
                continue;
            }
            out.push_back(BoletoVector{text(v["bank"]), text(v["expected_barcode"]),
                                       digits_of(text(v["expected_linha_digitavel"])),
                                       text(v["expected_linha_digitavel"]), v["expect_valid"].as<bool>(), v["inputs"]});
        }
        return out;
    }();
    return list;
}

std::vector<const BoletoVector*> valid_boletos()
{
    std::vector<const BoletoVector*> out;
    for (const BoletoVector& v : boletos()) {
        if (v.valid) {
            out.push_back(&v);
        }
    }
    return out;
}

const BoletoVector& negative_boleto()
{
    for (const BoletoVector& v : boletos()) {
        if (!v.valid) {
            return v;
        }
    }
    FAIL("vectors.yaml has no negative boleto vector");
    return boletos().front();
}

constexpr std::size_t k_valid_barcodes = 41;  // 43 boleto vectors, less the campo-only one and the negative one

}  // namespace

TEST_CASE("vectors.yaml loads in full")
{
    const YAML::Node& root = vectors();
    CHECK(root["boletos"].size() == root["meta"]["counts"]["boleto_vectors"].as<std::size_t>());
    CHECK(root["fator_vencimento"].size() == root["meta"]["counts"]["fator_vectors"].as<std::size_t>());
    CHECK(root["nosso_numero_dv"].size() == root["meta"]["counts"]["nosso_numero_dv_vectors"].as<std::size_t>());
    CHECK(valid_boletos().size() == k_valid_barcodes);
    CHECK(boletos().size() == k_valid_barcodes + 1);
}

TEST_CASE("mod10")
{
    SECTION("known values")
    {
        CHECK(mod10("") == 0);
        CHECK(mod10("0") == 0);
        CHECK(mod10("9") == 1);  // 9 * 2 = 18 -> 1 + 8 = 9
        CHECK(mod10("001900000") == 9);
        CHECK(mod10("0123879897") == 7);
        CHECK(mod10("154785547") == 6);  // Itaú agência + conta DAC
    }
    SECTION("the three field DVs of every valid linha")
    {
        std::size_t checked = 0;
        for (const BoletoVector* v : valid_boletos()) {
            INFO(v->linha_text);
            REQUIRE(v->linha.size() == 47);
            CHECK(mod10(v->linha.substr(0, 9)) == v->linha[9] - '0');
            CHECK(mod10(v->linha.substr(10, 10)) == v->linha[20] - '0');
            CHECK(mod10(v->linha.substr(21, 10)) == v->linha[31] - '0');
            ++checked;
        }
        CHECK(checked == k_valid_barcodes);
    }
}

TEST_CASE("barcode_dv")
{
    SECTION("every valid barcode")
    {
        std::size_t checked = 0;
        for (const BoletoVector* v : valid_boletos()) {
            INFO(v->barcode);
            CHECK(barcode_dv(v->barcode.substr(0, 4) + v->barcode.substr(5)) == v->barcode[4] - '0');
            ++checked;
        }
        CHECK(checked == k_valid_barcodes);
    }
    SECTION("0, 10 and 11 become 1")
    {
        CHECK(barcode_dv(std::string(43, '0')) == 1);           // r = 0 -> 11
        CHECK(barcode_dv(std::string(42, '0') + "6") == 1);     // 6 * 2 = 12, r = 1 -> 10
        CHECK(barcode_dv(std::string(42, '0') + "5") == 1);     // 5 * 2 = 10, r = 10 -> 1
        CHECK(barcode_dv(std::string(42, '0') + "1") == 9);     // r = 2
        CHECK(barcode_dv(std::string(41, '0') + "10") == 8);    // weight 3: r = 3
    }
}

TEST_CASE("due_factor")
{
    SECTION("every fator_vencimento vector")
    {
        std::size_t checked = 0;
        for (const YAML::Node& v : vectors()["fator_vencimento"]) {
            INFO(text(v["date"]));
            CHECK(due_factor(iso(text(v["date"]))) == v["fator"].as<int>());
            ++checked;
        }
        CHECK(checked == 16);
    }
    SECTION("the resets of 2025-02-22 and 2049-10-14")
    {
        CHECK(due_factor(ymd(2000, 7, 3)) == 1000);
        CHECK(due_factor(ymd(2025, 2, 21)) == 9999);
        CHECK(due_factor(ymd(2025, 2, 22)) == 1000);
        CHECK(due_factor(ymd(2049, 10, 13)) == 9999);
        CHECK(due_factor(ymd(2049, 10, 14)) == 1000);
        CHECK(due_factor(ymd(2074, 6, 4)) == 9999);
        CHECK(due_factor(ymd(2074, 6, 5)) == 1000);
    }
    SECTION("always four digits")
    {
        const Date end = ymd(2100, 1, 1);
        for (Date d = ymd(2000, 7, 3); d < end; d = d.add_days(1)) {
            const std::optional<int> factor = due_factor(d);
            if (!factor || *factor < 1000 || *factor > 9999) {
                FAIL("factor out of 1000..9999 on " << d.iso());
            }
        }
    }
    SECTION("no factor before 2000-07-03")
    {
        CHECK_FALSE(due_factor(ymd(2000, 7, 2)));
        CHECK_FALSE(due_factor(ymd(1997, 10, 7)));
        CHECK_FALSE(due_factor(ymd(1990, 1, 1)));
    }
    SECTION("the factor inside every dated barcode vector")
    {
        std::size_t checked = 0;
        for (const BoletoVector* v : valid_boletos()) {
            const std::string due = text(v->inputs["vencimento"]);
            if (due.empty()) {
                continue;
            }
            INFO(v->barcode);
            CHECK(due_factor(iso(due)) == std::stoi(v->barcode.substr(5, 4)));
            ++checked;
        }
        CHECK(checked == k_valid_barcodes - 1);  // all but laravel's barcode-only vector
    }
}

TEST_CASE("date_from_factor")
{
    SECTION("every fator_vencimento vector, from the window's edges")
    {
        std::size_t checked = 0;
        for (const YAML::Node& v : vectors()["fator_vencimento"]) {
            const Date date = iso(text(v["date"]));
            const int factor = v["fator"].as<int>();
            INFO(date.iso());
            CHECK(date_from_factor(factor, date) == date);
            CHECK(date_from_factor(factor, date.add_days(3000)) == date);
            CHECK(date_from_factor(factor, date.add_days(-5500)) == date);
            ++checked;
        }
        CHECK(checked == 16);
    }
    SECTION("across the resets")
    {
        CHECK(date_from_factor(1000, ymd(2025, 2, 1)) == ymd(2025, 2, 22));
        CHECK(date_from_factor(9999, ymd(2025, 3, 1)) == ymd(2025, 2, 21));
        CHECK(date_from_factor(1000, ymd(2049, 10, 1)) == ymd(2049, 10, 14));
        CHECK(date_from_factor(9999, ymd(2049, 11, 1)) == ymd(2049, 10, 13));
        CHECK(date_from_factor(1000, ymd(2000, 1, 1)) == ymd(2000, 7, 3));
        CHECK(date_from_factor(1000, ymd(2024, 1, 1)) == ymd(2025, 2, 22));  // 418 days ahead
        CHECK(date_from_factor(2548, ymd(2026, 1, 1)) == ymd(2029, 5, 20));
    }
    SECTION("round trip for every day to 2080, reference anywhere in the window")
    {
        std::size_t checked = 0;
        std::string first_miss;
        const Date end = ymd(2080, 1, 1);
        for (Date d = ymd(2000, 7, 3); d < end; d = d.add_days(1)) {
            const int factor = *due_factor(d);
            for (const std::int32_t back : {-5500, -1, 0, 1, 2999, 3000}) {
                const Date reference = d.add_days(back);
                if (date_from_factor(factor, reference) != d && first_miss.empty()) {
                    first_miss = d.iso() + " from " + reference.iso();
                }
                ++checked;
            }
        }
        CHECK(first_miss.empty());
        CHECK(checked > 170000);
    }
    SECTION("outside the window, the nearer candidate")
    {
        const Date reference = ymd(2025, 2, 22);
        const Date later = reference.add_days(5600);   // 100 days past the window; the other is 400 before
        CHECK(date_from_factor(*due_factor(later), reference) == later);
        const Date farther = reference.add_days(5900);  // 400 days past; the other is 100 before
        CHECK(date_from_factor(*due_factor(farther), reference) == farther.add_days(-9000));
    }
}

TEST_CASE("make_barcode")
{
    SECTION("every dated vector, from its campo livre")
    {
        std::size_t checked = 0;
        for (const BoletoVector* v : valid_boletos()) {
            const std::string due = text(v->inputs["vencimento"]);
            if (due.empty()) {
                continue;
            }
            const std::string centavos = text(v->inputs["valor_centavos"]);
            const std::optional<Centavos> amount = centavos.empty() ? parse_money(text(v->inputs["valor"]))
                                                                    : std::optional<Centavos>(std::stoll(centavos));
            REQUIRE(amount);
            INFO(v->barcode);
            const Result<std::string> barcode = make_barcode(v->bank, iso(due), *amount, v->barcode.substr(19));
            REQUIRE(barcode);
            CHECK(*barcode == v->barcode);
            ++checked;
        }
        CHECK(checked == k_valid_barcodes - 1);  // all but laravel's barcode-only vector
    }
    SECTION("44 digits at the resets")
    {
        const std::string campo(25, '0');
        const Result<std::string> reset2025 = make_barcode("001", ymd(2025, 2, 22), 100, campo);
        REQUIRE(reset2025);
        CHECK(reset2025->size() == 44);
        CHECK(reset2025->substr(5, 4) == "1000");
        const Result<std::string> reset2049 = make_barcode("001", ymd(2049, 10, 14), 100, campo);
        REQUIRE(reset2049);
        CHECK(reset2049->size() == 44);
        CHECK(reset2049->substr(5, 14) == "10000000000100");
        CHECK(valid_barcode(*reset2049));
        const Result<std::string> most = make_barcode("237", ymd(2049, 10, 13), 9'999'999'999, campo);
        REQUIRE(most);
        CHECK(most->substr(5, 14) == "99999999999999");
    }
    SECTION("errors")
    {
        const std::string campo(25, '1');
        const Date due = ymd(2026, 1, 15);
        const auto error_of = [](const Result<std::string>& r) {
            REQUIRE_FALSE(r);
            CHECK(r.error().code == ErrorCode::data_invalid);
            return r.error().message;
        };
        CHECK_THAT(error_of(make_barcode("001", due, 100, campo.substr(1))), Catch::Contains("25 digits"));
        CHECK_THAT(error_of(make_barcode("001", due, 100, campo.substr(1) + "x")), Catch::Contains("25 digits"));
        CHECK_THAT(error_of(make_barcode("01", due, 100, campo)), Catch::Contains("3 digits"));
        CHECK_THAT(error_of(make_barcode("001", due, -1, campo)), Catch::Contains("99.999.999,99"));
        CHECK_THAT(error_of(make_barcode("001", due, 10'000'000'000, campo)), Catch::Contains("99.999.999,99"));
        CHECK_THAT(error_of(make_barcode("001", ymd(2000, 7, 2), 100, campo)), Catch::Contains("2000-07-03"));
    }
}

TEST_CASE("linha_digitavel")
{
    std::size_t checked = 0;
    for (const BoletoVector* v : valid_boletos()) {
        INFO(v->barcode);
        CHECK(linha_digitavel(v->barcode) == v->linha);
        ++checked;
    }
    CHECK(checked == k_valid_barcodes);
    SECTION("not a barcode")
    {
        CHECK(linha_digitavel(negative_boleto().barcode).empty());  // 43 digits
        CHECK(linha_digitavel(std::string(43, '1') + "x").empty());
    }
}

TEST_CASE("barcode_from_linha")
{
    std::size_t checked = 0;
    for (const BoletoVector* v : valid_boletos()) {
        INFO(v->linha_text);
        CHECK(barcode_from_linha(v->linha) == v->barcode);
        CHECK(linha_digitavel(*barcode_from_linha(v->linha)) == v->linha);
        ++checked;
    }
    CHECK(checked == k_valid_barcodes);
    SECTION("not a linha")
    {
        CHECK_FALSE(barcode_from_linha(negative_boleto().linha));  // 46 digits
        CHECK_FALSE(barcode_from_linha(negative_boleto().linha_text));
        CHECK_FALSE(barcode_from_linha(valid_boletos().front()->linha_text));  // punctuation is not stripped here
    }
}

TEST_CASE("format_linha")
{
    std::size_t checked = 0;
    for (const BoletoVector* v : valid_boletos()) {
        CHECK(format_linha(v->linha) == v->linha_text);
        ++checked;
    }
    CHECK(checked == k_valid_barcodes);
    CHECK(format_linha("00190000090123879897777700168188337690000013500") ==
          "00190.00009 01238.798977 77700.168188 3 37690000013500");
    CHECK(format_linha("123") == "123");
}

TEST_CASE("valid_barcode")
{
    std::size_t checked = 0;
    for (const BoletoVector* v : valid_boletos()) {
        INFO(v->barcode);
        CHECK(valid_barcode(v->barcode));
        for (char dv = '0'; dv <= '9'; ++dv) {
            if (dv != v->barcode[4]) {
                std::string wrong = v->barcode;
                wrong[4] = dv;
                CHECK_FALSE(valid_barcode(wrong));
            }
        }
        ++checked;
    }
    CHECK(checked == k_valid_barcodes);
    SECTION("the negative vector (node-boleto's unpadded Santander carteira)")
    {
        const BoletoVector& negative = negative_boleto();
        CHECK(negative.barcode.size() == 43);
        CHECK_FALSE(valid_barcode(negative.barcode));
        CHECK_FALSE(valid_barcode(negative.barcode + "0"));
        CHECK_FALSE(valid_barcode(""));
    }
}

TEST_CASE("valid_linha")
{
    std::size_t checked = 0;
    std::size_t altered = 0;
    for (const BoletoVector* v : valid_boletos()) {
        INFO(v->linha_text);
        CHECK(valid_linha(v->linha));
        // Any one digit changed in fields 1 to 4 is caught (mod 10 of its field, or the barcode DV).
        for (std::size_t i = 0; i < 33; ++i) {
            std::string wrong = v->linha;
            wrong[i] = static_cast<char>('0' + (wrong[i] - '0' + 1) % 10);
            if (valid_linha(wrong)) {
                FAIL("altered digit " << i << " accepted");
            }
            ++altered;
        }
        ++checked;
    }
    CHECK(checked == k_valid_barcodes);
    CHECK(altered == k_valid_barcodes * 33);
    SECTION("the negative vector (46 digits)")
    {
        const BoletoVector& negative = negative_boleto();
        CHECK(negative.linha.size() == 46);
        CHECK_FALSE(valid_linha(negative.linha));
        CHECK_FALSE(valid_linha(negative.linha + "0"));
    }
}
