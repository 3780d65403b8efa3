// ABRASF 2.04: the RPS and lote Ids, the service item, the lote built and checked against the
// official schema (schemas/nfse/abrasf-v2.04) and against the reference sample's shape.
#include <billrun/nfse/abrasf.hpp>
#include <billrun/nfse/xsd.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace billrun;
using namespace billrun::nfse;

namespace {

Rps example_rps()
{
    Rps r;
    r.series = "1";
    r.number = 42;
    r.issued = *Date::from_ymd(2026, 12, 5);
    r.competence = *Date::from_ymd(2026, 11, 1);
    r.city_code = "3550308";
    r.provider.tax_id = "11222333000181";
    r.provider.municipal_registration = "48231905";
    r.simples = true;
    Party t;
    t.tax_id = "47291836000156";
    t.name = "Padaria & Confeitaria <São Jorge>";
    t.street = "Rua Teodoro Sampaio";
    t.district = "Pinheiros";
    t.city_code = "3550308";
    t.state = "SP";
    t.zip = "05406050";
    r.taker = t;
    r.service_item = service_item("010701");
    r.description = "Suporte técnico mensal";
    r.amount = 85000;
    r.iss = 1700;
    r.iss_rate = 200;
    return r;
}

bool has(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("nfse::rps_id")
{
    CHECK(rps_id("1", 42).value() == "RPS00001000000000000042");
    CHECK(rps_id("12345", 999999999999999LL).value() == "RPS12345999999999999999");
    CHECK_FALSE(rps_id("", 1));
    CHECK_FALSE(rps_id("123456", 1));
    CHECK_FALSE(rps_id("A", 1));
    CHECK_FALSE(rps_id("1", 0));
    CHECK_FALSE(rps_id("1", 1000000000000000LL));
}

TEST_CASE("nfse::lote_id")
{
    CHECK(lote_id("RPS00001000000000000042") == "LOTE00001000000000000042");
}

TEST_CASE("nfse::service_item")
{
    CHECK(service_item("010701") == "01.07");
    CHECK(service_item("171901") == "17.19");
    CHECK(service_item("0107") == "0107");  // left as it is: the schema names it
}

TEST_CASE("nfse::build_lote")
{
    auto schema = DpsSchema::load_abrasf();
    REQUIRE(schema);
    SECTION("one RPS in its lote, no prefixes, no whitespace, valid against the official XSD")
    {
        std::string xml = build_lote(example_rps());
        CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EnviarLoteRpsEnvio "
                        "xmlns=\"http://www.abrasf.org.br/nfse.xsd\"><LoteRps Id=\"LOTE00001000000000000042\" "
                        "versao=\"2.04\"><NumeroLote>42</NumeroLote><Prestador><CpfCnpj><Cnpj>11222333000181</Cnpj>"
                        "</CpfCnpj><InscricaoMunicipal>48231905</InscricaoMunicipal></Prestador>"
                        "<QuantidadeRps>1</QuantidadeRps><ListaRps><Rps><InfDeclaracaoPrestacaoServico "
                        "Id=\"RPS00001000000000000042\"><Rps><IdentificacaoRps><Numero>42</Numero><Serie>1</Serie>"
                        "<Tipo>1</Tipo></IdentificacaoRps><DataEmissao>2026-12-05</DataEmissao><Status>1</Status>"
                        "</Rps><Competencia>2026-11-01</Competencia>",
                        0) == 0);
        CHECK(xml.find('\n', xml.find('\n') + 1) == xml.size() - 1);
        CHECK(has(xml, "<Valores><ValorServicos>850.00</ValorServicos><ValorIss>17.00</ValorIss>"
                       "<Aliquota>2.00</Aliquota></Valores><IssRetido>2</IssRetido>"
                       "<ItemListaServico>01.07</ItemListaServico>"));
        CHECK(has(xml, "<RazaoSocial>Padaria &amp; Confeitaria &lt;São Jorge&gt;</RazaoSocial>"));
        CHECK(has(xml, "<Uf>SP</Uf><Cep>05406050</Cep></Endereco></TomadorServico>"
                       "<OptanteSimplesNacional>1</OptanteSimplesNacional><IncentivoFiscal>2</IncentivoFiscal>"
                       "</InfDeclaracaoPrestacaoServico></Rps></ListaRps></LoteRps></EnviarLoteRpsEnvio>"));
        CHECK((*schema)->validate(xml));
    }
    SECTION("ISS withheld by the taker, federal withholdings, MEI")
    {
        Rps r = example_rps();
        r.iss_withheld = true;
        r.pis = 650;
        r.cofins = 3000;
        r.csll = 1000;
        r.irrf = 1500;
        r.inss = 1100;
        r.mei = true;
        r.taker->tax_id = "11144477735";
        r.taker->state.clear();  // no complete address: left out
        r.taker->email = "maria@example.com.br";
        std::string xml = build_lote(r);
        CHECK(has(xml, "<ValorServicos>850.00</ValorServicos><ValorPis>6.50</ValorPis><ValorCofins>30.00"
                       "</ValorCofins><ValorInss>11.00</ValorInss><ValorIr>15.00</ValorIr><ValorCsll>10.00"
                       "</ValorCsll><ValorIss>17.00</ValorIss>"));
        CHECK(has(xml, "<IssRetido>1</IssRetido><ResponsavelRetencao>1</ResponsavelRetencao>"));
        CHECK(has(xml, "<IdentificacaoTomador><CpfCnpj><Cpf>11144477735</Cpf></CpfCnpj></IdentificacaoTomador>"));
        CHECK(has(xml, "</RazaoSocial><Contato><Email>maria@example.com.br</Email></Contato></TomadorServico>"));
        CHECK(has(xml, "<RegimeEspecialTributacao>5</RegimeEspecialTributacao>"));
        CHECK((*schema)->validate(xml));
    }
    SECTION("the schema names the element at fault, without its namespace")
    {
        Rps r = example_rps();
        r.service_item = service_item("990101");
        auto v = (*schema)->validate(build_lote(r));
        REQUIRE_FALSE(v);
        CHECK(has(v.error().message, "Servico/ItemListaServico"));
        CHECK_FALSE(has(v.error().message, "{http"));
    }
}
