// The cancellation event request (pedRegEvento 1.01, e101101): Id, field rules, the XML
// checked against the generated reference sample and the official schema.
#include <billrun/nfse/event.hpp>
#include <billrun/nfse/sefin.hpp>
#include <billrun/nfse/xsd.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

using namespace billrun;
using namespace billrun::nfse;

namespace {

// The access key of the reference sample (generated/billrun__pedRegEvento_v1.01_*).
constexpr const char* k_key = "15054862231305199000190000000000000225121645026250";

std::string sample(const std::string& path)
{
    std::ifstream in(std::string(BILLRUN_REFERENCE_DIR) + "/nfse/samples/" + path, std::ios::binary);
    REQUIRE(in);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

CancelEvent sample_event()
{
    CancelEvent e;
    e.environment = 2;
    e.app_version = "billrun-0.1";
    e.time = "2026-01-20T10:15:00-03:00";
    e.author = "31305199000190";
    e.access_key = k_key;
    e.code = 1;
    e.reason = "Erro na emissao: valor do servico incorreto";
    return e;
}

}  // namespace

TEST_CASE("nfse::event_request_id")
{
    SECTION("PRE + the access key + the event type: 59 characters")
    {
        auto id = event_request_id(k_key);
        REQUIRE(id);
        CHECK(*id == std::string("PRE") + k_key + "101101");
        CHECK(id->size() == 59);
        CHECK(*event_request_id(k_key, "105102") == std::string("PRE") + k_key + "105102");
    }
    SECTION("a key that is not 50 digits, or a type that is not 6, is refused")
    {
        CHECK_FALSE(event_request_id(std::string(k_key).substr(1)));
        CHECK_FALSE(event_request_id(std::string(k_key) + "0"));
        CHECK_FALSE(event_request_id(std::string(k_key).replace(10, 1, "A")));
        CHECK_FALSE(event_request_id(""));
        auto bad = event_request_id(k_key, "10110");
        REQUIRE_FALSE(bad);
        CHECK(bad.error().code == ErrorCode::data_invalid);
    }
}

TEST_CASE("nfse::valid_cancel_code")
{
    CHECK(valid_cancel_code(1));
    CHECK(valid_cancel_code(2));
    CHECK(valid_cancel_code(9));
    for (int code : {-1, 0, 3, 4, 8, 10, 101101}) {
        CHECK_FALSE(valid_cancel_code(code));
    }
}

TEST_CASE("nfse::cancel_reason")
{
    SECTION("15 to 255 characters (TSMotivo), counted as characters, not bytes")
    {
        CHECK_FALSE(cancel_reason(std::string(14, 'x')));
        CHECK(*cancel_reason(std::string(15, 'x')) == std::string(15, 'x'));
        CHECK(cancel_reason(std::string(255, 'x')));
        auto long_one = cancel_reason(std::string(256, 'x'));
        REQUIRE_FALSE(long_one);
        CHECK(long_one.error().code == ErrorCode::usage);
        CHECK(long_one.error().message.find("15 to 255") != std::string::npos);
        // "serviço não pres" is 16 characters but 18 bytes; 14 accented letters are 28 bytes.
        CHECK(cancel_reason("serviço não pres"));
        CHECK_FALSE(cancel_reason("ççççççççççççãã"));
        std::string accented;
        for (int i = 0; i < 255; ++i) {
            accented += "ã";
        }
        CHECK(cancel_reason(accented));
        CHECK_FALSE(cancel_reason(accented + "ã"));
    }
    SECTION("line breaks, tabs and runs of spaces become one space; both ends trimmed; then counted")
    {
        CHECK(*cancel_reason("  Serviço\n\tnão   prestado  ") == "Serviço não prestado");
        CHECK_FALSE(cancel_reason("   a       b     c          "));
    }
    SECTION("only Latin-1 (TSString)")
    {
        auto r = cancel_reason("Serviço não prestado ✓");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::usage);
        CHECK(cancel_reason("Preço errado: R$ 10,00 ÿ"));
    }
}

TEST_CASE("nfse::event_time")
{
    SECTION("the run's clock, one minute back, the offset kept, no fractions")
    {
        CHECK(*event_time("2026-12-05T16:22:12-03:00", 60) == "2026-12-05T16:21:12-03:00");
        CHECK(*event_time("2026-12-05T00:00:30-03:00", 60) == "2026-12-04T23:59:30-03:00");
        CHECK(*event_time("2026-12-05T16:22:12.75-03:00", 0) == "2026-12-05T16:22:12-03:00");
        CHECK(*event_time("2027-01-01T00:00:00+00:00", 1) == "2026-12-31T23:59:59+00:00");
    }
    SECTION("not a time with an offset, or an offset of part of an hour (TSDateTimeUTC)")
    {
        CHECK_FALSE(event_time("2026-12-05T16:22:12Z", 0));
        CHECK_FALSE(event_time("2026-12-05 16:22:12-03:00", 0));
        CHECK_FALSE(event_time("2026-13-05T16:22:12-03:00", 0));
        CHECK_FALSE(event_time("2026-12-05T16:22:12+05:30", 0));
    }
}

TEST_CASE("nfse::build_cancel_event")
{
    SECTION("byte for byte the generated reference sample")
    {
        CHECK(build_cancel_event(sample_event()) ==
              sample("generated/billrun__pedRegEvento_v1.01_cancelamento_unsigned.xml"));
    }
    SECTION("valid against the official pedRegEvento 1.01 schema; a CPF author is CPFAutor")
    {
        auto schema = DpsSchema::load_event_request();
        REQUIRE(schema);
        CancelEvent e = sample_event();
        e.environment = 1;
        e.code = 9;
        e.reason = "Cliente & fornecedor <acordo> desfeito";
        CHECK((*schema)->validate(build_cancel_event(e)));
        e.author = "11144477735";
        std::string xml = build_cancel_event(e);
        CHECK(xml.find("<CPFAutor>11144477735</CPFAutor>") != std::string::npos);
        CHECK(xml.find("&amp; fornecedor &lt;acordo&gt;") != std::string::npos);
        CHECK((*schema)->validate(xml));
    }
    SECTION("the schema names what is wrong")
    {
        auto schema = DpsSchema::load_event_request();
        REQUIRE(schema);
        CancelEvent e = sample_event();
        e.reason = "curto";
        auto r = (*schema)->validate(build_cancel_event(e));
        REQUIRE_FALSE(r);
        CHECK(r.error().message.find("xMotivo") != std::string::npos);
        e = sample_event();
        e.code = 3;
        CHECK_FALSE((*schema)->validate(build_cancel_event(e)));
        e = sample_event();
        e.time = "2026-01-20T10:15:00Z";
        CHECK_FALSE((*schema)->validate(build_cancel_event(e)));
    }
    SECTION("the signed reference sample passes the schema too")
    {
        auto schema = DpsSchema::load_event_request();
        REQUIRE(schema);
        CHECK((*schema)->validate(sample("generated/billrun__pedRegEvento_v1.01_cancelamento_signed-sha1.xml")));
    }
}

TEST_CASE("nfse::event_post_body")
{
    std::string xml = build_cancel_event(sample_event());
    std::string body = event_post_body(xml);
    const std::string prefix = R"({"pedidoRegistroEventoXmlGZipB64":")";
    REQUIRE(body.starts_with(prefix));
    REQUIRE(body.ends_with("\"}"));
    auto raw = base64_decode(body.substr(prefix.size(), body.size() - prefix.size() - 2));
    REQUIRE(raw);
    auto back = gunzip(*raw);
    REQUIRE(back);
    CHECK(*back == xml);
}

TEST_CASE("nfse::parse_answer of an event")
{
    std::string event = "<evento/>";
    std::string body = R"({"tipoAmbiente":2,"eventoXmlGZipB64":")" + base64_encode(gzip(event)) + "\"}";
    auto a = parse_answer(201, body);
    REQUIRE(a);
    CHECK(a->event_xml == event);
    CHECK(a->nfse_xml.empty());
    auto e = parse_answer(400, R"({"erro":{"Codigo":"E1800","Descricao":"Prazo de cancelamento expirado"}})");
    REQUIRE(e);
    CHECK(e->error_summary() == "E1800: Prazo de cancelamento expirado");
    CHECK_FALSE(parse_answer(201, R"({"eventoXmlGZipB64":"not gzip"})"));
}
