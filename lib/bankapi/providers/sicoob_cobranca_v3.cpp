// Sicoob, Cobrança Bancária v3 (../shared/reference/bankapi/specs/sicoob-cobranca-bancaria-v3.swagger.json,
// FACTS.md §2): OAuth2 client credentials with the client_id alone in the form (the client
// certificate, mutual TLS on every call, token call included, proves who calls), the client_id
// header on every API call. One boleto per POST /boletos; billrun sends its own nossoNumero.
//
// Account fields as lib/boleto/banks/sicoob.cpp reads them: agency = cooperativa, convenio =
// código do beneficiário (the API's numeroCliente), carteira "1", "3" or "1/02" (the modalidade,
// codigoModalidade), account + account_digit = numeroContaCorrente. The API's nossoNumero is
// billrun's 7-digit number followed by its check digit, as an integer (the barcode's campo livre
// carries the same eight digits; the spec's movement example: numTitulo 3516 for nosso número
// 0000351-6).
//
// Errors come as {"mensagens":[{"codigo","mensagem"}]} with 400/406. The spec names no code for
// "nosso número already registered": a refused registration is therefore looked up, and when the
// bank has a boleto of that number the answer counts as "already registered" (the lookup then
// decides, as for any duplicate). A query of an unknown boleto is 204 (no content).
//
// Paid boletos: the API has no paid list. It has the asynchronous "movimentação" flow, which is
// what list_paid follows: POST /boletos/movimentacoes {tipoMovimento 5 = Liquidação, dataInicial,
// dataFinal} for at most 2 days at a time -> codigoSolicitacao; GET /boletos/movimentacoes polls
// it (204 while it is being prepared) until it names its files (idArquivos); GET
// /boletos/movimentacoes/download gives each file as base64 of a ZIP holding one JSON array. The
// spec's own example is base64 of a ZIP that went through a Latin-1 to UTF-8 conversion, so that
// form is undone when met. The spec documents the records' fields (numeroTitulo, seuNumero,
// dataLiquidacao, valorLiquido...) while its example file writes some abbreviated (numTitulo,
// descSeuNumero) and dates with unpadded days ("2019-05-7T00:00:00-03:00"): both are read.
// Each file is one page; the cursor says which window, which request and which files are left.
#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include <billrun/core/base64.hpp>
#include <billrun/core/check_digits.hpp>
#include <billrun/core/text.hpp>

#include "sicoob_cobranca_v3.hpp"

#include "../archive.hpp"
#include "../json.hpp"

namespace billrun::bankapi {

namespace {

constexpr int k_window_days = 2;  // the movement requests' longest period
constexpr int k_polls = 8;        // of one movement request, the waits doubling from the session's backoff
constexpr int k_days_payable_after_due = 60;

}  // namespace

namespace sicoob {

Result<Beneficiario> beneficiario(const config::BankAccount& a)
{
    Beneficiario out;
    if (!is_digits(a.agency) || a.agency.size() > 4) {
        return fail(ErrorCode::config, fmt::format("agency '{}': the Sicoob cooperativa has 1 to 4 digits", a.agency));
    }
    if (!is_digits(a.convenio) || a.convenio.size() > 7) {
        return fail(ErrorCode::config,
                    fmt::format("convenio '{}': the Sicoob código do beneficiário (numeroCliente) has 1 to 7 digits",
                                a.convenio));
    }
    const auto slash = a.carteira.find('/');
    const std::string carteira = a.carteira.substr(0, slash);
    const std::string modalidade = slash == std::string::npos ? carteira : a.carteira.substr(slash + 1);
    if ((carteira != "1" && carteira != "3") || !is_digits(modalidade) || modalidade.size() > 2) {
        return fail(ErrorCode::config,
                    fmt::format("carteira '{}': must be 1 or 3, optionally carteira/modalidade (1/02)", a.carteira));
    }
    if (!is_digits(a.account) || (!a.account_digit.empty() && !is_digits(a.account_digit))) {
        return fail(ErrorCode::config, "account and account_digit: the Sicoob conta corrente (numeroContaCorrente), "
                                       "digits");
    }
    out.cooperativa = std::string(4 - a.agency.size(), '0') + a.agency;
    out.codigo = std::string(7 - a.convenio.size(), '0') + a.convenio;
    out.cliente = json_number(a.convenio);
    out.modalidade = json_number(modalidade);
    out.conta = json_number(a.account + a.account_digit);
    return out;
}

// "2019-05-7T00:00:00-03:00", "2019-05-07" or "07/05/2019".
std::optional<Date> movement_date(std::string_view text)
{
    text = text.substr(0, text.find('T'));
    int part[3] = {0, 0, 0};
    int index = 0;
    for (char c : text) {
        if (c == '-') {
            if (++index > 2) {
                return std::nullopt;
            }
        } else if (c >= '0' && c <= '9' && part[index] < 10000) {
            part[index] = part[index] * 10 + (c - '0');
        } else {
            return parse_bank_date(text);
        }
    }
    return index == 2 ? Date::from_ymd(part[0], part[1], part[2]) : std::nullopt;
}

// The files a movement request left: JSON arrays of records.
Result<std::vector<PaidTitle>> read_movement_file(std::string_view arquivo, std::string_view where)
{
    auto bytes = base64_decode(arquivo);
    if (!bytes) {
        return fail(ErrorCode::data_invalid, fmt::format("{}: arquivo is not base64", where));
    }
    auto files = unzip(*bytes);
    if (!files) {
        if (auto raw = latin1_from_utf8(*bytes)) {
            files = unzip(*raw);
        }
    }
    if (!files) {
        return fail(ErrorCode::data_invalid, fmt::format("{}: arquivo is not a ZIP archive", where));
    }
    std::vector<PaidTitle> out;
    for (const auto& file : *files) {
        auto doc = parse_json(file.data);
        if (!doc || !doc->IsSequence()) {
            return fail(ErrorCode::data_invalid, fmt::format("{}: {} is not a JSON array", where, file.name));
        }
        std::size_t i = 0;
        for (const auto& item : *doc) {
            ++i;
            const std::string sigla = first_of(item, {"siglaMovimento"});
            if (!sigla.empty() && sigla != "LIQUI") {
                continue;
            }
            PaidTitle t;
            t.bank_id = digits_only(first_of(item, {"numeroTitulo", "numTitulo", "nossoNumero"}));
            auto amount = parse_bank_money(first_of(item, {"valorLiquido", "valorLiq", "valorPago"}));
            auto paid_on = movement_date(first_of(item, {"dataLiquidacao", "dataMovimentoLiquidacao",
                                                         "dataMovLiquidacao"}));
            if (t.bank_id.size() < 2 || t.bank_id.size() > 8 || !amount || !paid_on) {
                return fail(ErrorCode::data_invalid,
                            fmt::format("{}: {} record {}: numeroTitulo, valorLiquido or dataLiquidacao missing or "
                                        "unreadable",
                                        where, file.name, i));
            }
            // numeroTitulo = nosso número (7) + its check digit, leading zeros dropped: given on as
            // a retorno writes it, number and DV (reconcile checks the DV against the boleto's).
            t.nosso_numero = std::string(8 - t.bank_id.size(), '0') + t.bank_id;
            t.amount = *amount;
            t.interest = parse_bank_money(first_of(item, {"valorMora"})).value_or(0);
            t.fee = parse_bank_money(first_of(item, {"valorTarifaMovimento"})).value_or(0);
            t.paid_on = *paid_on;
            t.credit_date = movement_date(first_of(item, {"dataPrevisaoCredito"}));
            t.state = sigla.empty() ? std::string("LIQUI") : sigla;
            out.push_back(std::move(t));
        }
    }
    return out;
}

Remote read_remote(const YAML::Node& boleto)
{
    Remote r;
    r.bank_id = text(boleto, "nossoNumero");
    r.barcode = digits_only(text(boleto, "codigoBarras"));
    r.linha_digitavel = digits_only(text(boleto, "linhaDigitavel"));
    r.state = text(boleto, "situacaoBoleto");
    const std::string state = fold_key(r.state);
    r.paid = state.find("liquidado") != std::string::npos;
    r.written_off = state.find("baixado") != std::string::npos;
    return r;
}

std::string numero(const Beneficiario& who, std::string_view nosso7)
{
    std::string digits = who.cooperativa + "000" + who.codigo + std::string(nosso7);
    return json_number(std::string(nosso7) + dv_3197(digits));
}

std::string registration_body(const Beneficiario& who, const Title& t)
{
    const auto& p = t.payer;
    std::string fine = t.fine_percent > 0 ? fmt::format(R"("tipoMulta":2,"dataMulta":"{}","valorMulta":{})",
                                                        t.due_date.add_days(1).iso(), format_rate(t.fine_percent))
                                          : std::string(R"("tipoMulta":0)");
    std::string interest = t.interest_per_day > 0
                               ? fmt::format(R"("tipoJurosMora":1,"dataJurosMora":"{}","valorJurosMora":{})",
                                             t.due_date.add_days(1).iso(), json_money(t.interest_per_day))
                               : std::string(R"("tipoJurosMora":3)");
    const std::string tax_id = digits_only(p.tax_id).empty() ? p.tax_id : digits_only(p.tax_id);
    return fmt::format(
        R"({{"numeroCliente":{},"codigoModalidade":{},"numeroContaCorrente":{},"codigoEspecieDocumento":"DS",)"
        R"("dataEmissao":"{}","nossoNumero":{},"seuNumero":{},"identificacaoBoletoEmpresa":{},)"
        R"("identificacaoEmissaoBoleto":2,"identificacaoDistribuicaoBoleto":2,"valor":{},"dataVencimento":"{}",)"
        R"("dataLimitePagamento":"{}","valorAbatimento":0,"tipoDesconto":0,{},{},"numeroParcela":1,)"
        R"("aceite":false,"pagador":{{"numeroCpfCnpj":{},"nome":{},"endereco":{},"bairro":{},"cidade":{},)"
        R"("cep":{},"uf":{},"email":{}}},"gerarPdf":false,"codigoCadastrarPIX":2}})",
        who.cliente, who.modalidade, who.conta, t.issue_date.iso(), numero(who, t.nosso_numero),
        json_string(clip(t.seu_numero, 18)), json_string(clip(t.seu_numero, 25)), json_money(t.amount),
        t.due_date.iso(), t.due_date.add_days(k_days_payable_after_due).iso(), fine, interest, json_string(tax_id),
        json_string(clip(p.name, 50)), json_string(clip(p.address, 40)), json_string(clip(p.district, 30)),
        json_string(clip(p.city, 40)), json_string(digits_only(p.zip)), json_string(clip(p.state, 2)),
        json_string(p.email));
}

}  // namespace sicoob

namespace {

using namespace sicoob;

class Sicoob final : public Adapter {
public:
    Sicoob(Beneficiario who, std::unique_ptr<Session> session, Endpoint endpoint)
        : m_who(std::move(who)), m_session(std::move(session)), m_endpoint(std::move(endpoint))
    {
    }

    Result<RegisterAnswer> register_title(const Title& title) override
    {
        auto reply = call("POST", "/boletos", registration_body(m_who, title), false);
        if (!reply) {
            return tl::unexpected(reply.error());
        }
        if (auto unsure = unsure_registration(*reply)) {
            return *unsure;
        }
        RegisterAnswer answer;
        if (reply->status == 200 || reply->status == 201) {
            auto doc = parse_json(reply->body);
            YAML::Node resultado = doc ? member(*doc, "resultado") : YAML::Node();
            if (!resultado || !resultado.IsMap()) {
                answer.outcome = RegisterOutcome::unknown;  // created, perhaps: the lookup will tell
                answer.message = "POST /boletos: the answer has no resultado";
                return answer;
            }
            answer.outcome = RegisterOutcome::registered;
            answer.remote = read_remote(resultado);
            if (answer.remote.bank_id.empty()) {
                answer.remote.bank_id = numero(title.nosso_numero);
            }
            return answer;
        }
        answer.message = read_errors(reply->body).summary(reply->status);
        // No documented "already registered" code: the bank's own records decide.
        auto existing = query(title.nosso_numero);
        const bool exists = existing && existing->has_value();
        answer.outcome = exists ? RegisterOutcome::already_registered : RegisterOutcome::rejected;
        return answer;
    }

    Result<std::optional<Remote>> query(std::string_view nosso_numero) override
    {
        const std::string nn = numero(nosso_numero);
        auto reply = call("GET", "/boletos?" + client_query() + "&codigoModalidade=" + m_who.modalidade +
                                     "&nossoNumero=" + nn,
                          {}, true);
        if (!reply) {
            return tl::unexpected(reply.error());
        }
        if (reply->status == 204 || reply->status == 404) {
            return std::nullopt;
        }
        if (reply->status >= 500) {
            return fail(ErrorCode::unavailable, reply->failure);
        }
        if (reply->status != 200) {
            return fail(ErrorCode::data_invalid,
                        fmt::format("GET /boletos (nossoNumero {}): {}", nn, read_errors(reply->body).summary(reply->status)));
        }
        auto doc = parse_json(reply->body);
        YAML::Node resultado = doc ? member(*doc, "resultado") : YAML::Node();
        if (!resultado || !resultado.IsMap()) {
            return fail(ErrorCode::data_invalid, fmt::format("GET /boletos (nossoNumero {}): no resultado", nn));
        }
        Remote remote = read_remote(resultado);
        remote.bank_id = nn;
        return remote;
    }

    Result<void> write_off(std::string_view nosso_numero) override
    {
        const std::string nn = numero(nosso_numero);
        auto reply = call("POST", "/boletos/" + nn + "/baixar",
                          fmt::format(R"({{"numeroCliente":{},"codigoModalidade":{}}})", m_who.cliente, m_who.modalidade),
                          false);
        return command_done(reply, fmt::format("POST /boletos/{}/baixar", nn));
    }

    // Cursor: "" (the first window), "WINDOW" (a window not yet asked for, ISO date), or
    // "WINDOW|SOLICITACAO|ID,ID..." (files of that request still to download).
    Result<PaidPage> list_paid(Date from, Date to, std::string_view cursor) override
    {
        std::string rest(cursor);
        std::string window_text = rest.substr(0, rest.find('|'));
        auto window = window_text.empty() ? std::optional<Date>(from) : parse_iso_date(window_text);
        if (!window) {
            return fail(ErrorCode::internal, fmt::format("Sicoob paid list: bad cursor '{}'", rest));
        }
        std::string solicitacao;
        std::vector<std::string> files;
        if (auto bar = rest.find('|'); bar != std::string::npos) {
            auto second = rest.find('|', bar + 1);
            solicitacao = rest.substr(bar + 1, second - bar - 1);
            for (std::size_t at = second + 1; second != std::string::npos && at < rest.size();) {
                auto comma = std::min(rest.find(',', at), rest.size());
                files.push_back(rest.substr(at, comma - at));
                at = comma + 1;
            }
        } else {
            auto asked = request_movement(*window, std::min(window->add_days(k_window_days - 1), to));
            if (!asked) {
                return tl::unexpected(asked.error());
            }
            solicitacao = std::move(asked->first);
            files = std::move(asked->second);
        }
        PaidPage page;
        if (!files.empty()) {
            auto got = download(solicitacao, files.front());
            if (!got) {
                return tl::unexpected(got.error());
            }
            page.titles = std::move(*got);
            files.erase(files.begin());
        }
        if (!files.empty()) {
            page.next = fmt::format("{}|{}|{}", window->iso(), solicitacao, fmt::join(files, ","));
        } else if (window->add_days(k_window_days - 1) < to) {
            page.next = window->add_days(k_window_days).iso();
        }
        return page;
    }

private:
    std::string client_query() const { return "numeroCliente=" + m_who.cliente; }

    Result<Reply> call(const char* method, const std::string& path, std::string_view body, bool repeatable)
    {
        return m_session->call(method, m_endpoint.base_url + path, body, repeatable,
                               {"client_id: " + m_session->settings().client_id});
    }

    std::string numero(std::string_view nosso7) const { return sicoob::numero(m_who, nosso7); }

    // Asks for the liquidações of [first, last] and waits until the bank has prepared them:
    // the request's code and its files' ids (none when nothing was paid).
    Result<std::pair<std::string, std::vector<std::string>>> request_movement(Date first, Date last)
    {
        auto reply = call("POST", "/boletos/movimentacoes",
                          fmt::format(R"({{"numeroCliente":{},"tipoMovimento":5,"dataInicial":"{}","dataFinal":"{}"}})",
                                      m_who.cliente, first.iso(), last.iso()),
                          true);
        if (!reply) {
            return tl::unexpected(reply.error());
        }
        const std::string where = fmt::format("POST /boletos/movimentacoes ({} to {})", first.iso(), last.iso());
        if (reply->status >= 500) {
            return fail(ErrorCode::unavailable, reply->failure);
        }
        auto doc = parse_json(reply->body);
        YAML::Node resultado = doc ? member(*doc, "resultado") : YAML::Node();
        std::string solicitacao = resultado ? text(resultado, "codigoSolicitacao") : std::string();
        if (reply->status != 200 || !is_digits(solicitacao)) {
            return fail(ErrorCode::data_invalid, fmt::format("{}: {}", where, reply->status == 200
                                                                                  ? "no codigoSolicitacao"
                                                                                  : read_errors(reply->body).summary(reply->status)));
        }
        auto wait = m_session->settings().backoff;
        for (int poll = 0; poll < k_polls; ++poll) {
            auto status = call("GET", "/boletos/movimentacoes?" + client_query() + "&codigoSolicitacao=" + solicitacao,
                               {}, true);
            if (!status) {
                return tl::unexpected(status.error());
            }
            if (status->status == 204) {  // still being prepared
                std::this_thread::sleep_for(wait);
                wait = std::min<std::chrono::milliseconds>(wait * 2, std::chrono::seconds(8));
                continue;
            }
            if (status->status >= 500) {
                return fail(ErrorCode::unavailable, status->failure);
            }
            auto answer = parse_json(status->body);
            YAML::Node result = answer ? member(*answer, "resultado") : YAML::Node();
            if (status->status != 200 || !result || !result.IsMap()) {
                return fail(ErrorCode::data_invalid,
                            fmt::format("GET /boletos/movimentacoes ({}): {}", solicitacao,
                                        read_errors(status->body).summary(status->status)));
            }
            std::vector<std::string> ids;
            YAML::Node list = member(result, "idArquivos");
            if (list && list.IsSequence()) {
                for (const auto& id : list) {
                    if (!id.IsScalar() || !is_digits(id.Scalar())) {
                        return fail(ErrorCode::data_invalid,
                                    fmt::format("GET /boletos/movimentacoes ({}): idArquivos holds a non-number",
                                                solicitacao));
                    }
                    ids.push_back(id.Scalar());
                }
            }
            return std::make_pair(std::move(solicitacao), std::move(ids));
        }
        return fail(ErrorCode::unavailable,
                    fmt::format("{}: the bank was still preparing request {} after {} polls; run again later", where,
                                solicitacao, k_polls));
    }

    Result<std::vector<PaidTitle>> download(const std::string& solicitacao, const std::string& file)
    {
        const std::string where = fmt::format("GET /boletos/movimentacoes/download ({}, file {})", solicitacao, file);
        auto reply = call("GET",
                          "/boletos/movimentacoes/download?" + client_query() + "&codigoSolicitacao=" + solicitacao +
                              "&idArquivo=" + file,
                          {}, true);
        if (!reply) {
            return tl::unexpected(reply.error());
        }
        if (reply->status >= 500) {
            return fail(ErrorCode::unavailable, reply->failure);
        }
        auto doc = parse_json(reply->body);
        YAML::Node resultado = doc ? member(*doc, "resultado") : YAML::Node();
        if (reply->status != 200 || !resultado || text(resultado, "arquivo").empty()) {
            return fail(ErrorCode::data_invalid,
                        fmt::format("{}: {}", where, read_errors(reply->body).summary(reply->status)));
        }
        return read_movement_file(text(resultado, "arquivo"), where);
    }

    Beneficiario m_who;
    std::unique_ptr<Session> m_session;
    Endpoint m_endpoint;
};

Result<void> check(const config::BankAccount& a)
{
    auto who = beneficiario(a);
    return who ? Result<void>() : tl::unexpected(who.error());
}

std::unique_ptr<Adapter> make(const config::BankAccount& account, std::unique_ptr<Session> session, Endpoint endpoint)
{
    return std::make_unique<Sicoob>(*beneficiario(account), std::move(session), std::move(endpoint));
}

}  // namespace

namespace providers {

extern const Provider sicoob_cobranca_v3;
const Provider sicoob_cobranca_v3{
    .name = "sicoob-cobranca-v3",
    .bank = "756",
    .sandbox_base_url = "https://sandbox.sicoob.com.br/sicoob/sandbox/cobranca-bancaria/v3",
    .production_base_url = "https://api.sicoob.com.br/cobranca-bancaria/v3",
    // One host for both (ACBr); the sandbox itself takes a fixed token from the portal instead.
    .sandbox_token_url = "https://auth.sicoob.com.br/auth/realms/cooperado/protocol/openid-connect/token",
    .production_token_url = "https://auth.sicoob.com.br/auth/realms/cooperado/protocol/openid-connect/token",
    .scope = "cobranca_boletos_consultar cobranca_boletos_incluir cobranca_boletos_baixa",
    .auth = TokenAuth::client_id_only,
    .app_key = false,
    .check = check,
    .make = make,
    .client_certificate = true,
};

}  // namespace providers

}  // namespace billrun::bankapi
