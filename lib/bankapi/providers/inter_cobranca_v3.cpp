// Banco Inter, Cobrança v3 (FACTS.md §2 and §3.2.4; no official OpenAPI file was found, so the
// fields follow the clients FACTS.md cites): OAuth2 client credentials with client_id and
// client_secret in the form and the scopes "boleto-cobranca.read boleto-cobranca.write", mutual
// TLS on every call (token call included), `x-conta-corrente` naming the account.
//
// Registration is asynchronous and the bank numbers the boleto: POST /cobrancas answers only
// {codigoSolicitacao}; the nosso número, barcode and linha digitável come later from GET
// /cobrancas/{codigoSolicitacao} (situação EM_PROCESSAMENTO meanwhile, FALHA_EMISSAO when it
// failed). register_title() asks once right after the POST: a boleto already issued comes back
// `registered`, one still being issued `pending` with the codigoSolicitacao, which the caller
// keeps and hands back in Title::bank_id to find() on the next run: never a second POST. Inter
// has no idempotency key and does not refuse a repeated seuNumero, so after an unknown outcome
// find() without a codigoSolicitacao lists the cobranças issued around the title's issue date
// with billrun's seuNumero (the invoice id): the identity billrun chose; two of them is an error
// for a person to settle, never a guess.
//
// Numbering: billrun cannot choose Inter's nosso número, so "the bank's barcode equals billrun's"
// means, for this bank, that billrun recomputes the barcode from the nosso número Inter chose
// (campo livre: agência 0001, carteira 112, operação = convenio (7), nosso número (11)) with its
// own FEBRABAN arithmetic, and the bank's barcode and linha must equal that, amount and due date
// included: see numbers_itself() and lib/boleto's registration pass.
//
// Write-off is POST /cobrancas/{codigoSolicitacao}/cancelar: write_off() takes that id (what
// billrun records as the boleto's bank_id for Inter). Paid boletos: GET /cobrancas filtered by
// payment date and situação RECEBIDO, pages of paginacao.paginaAtual (0-based) until ultimaPagina.
#include <cstdlib>

#include <fmt/format.h>

#include <billrun/core/text.hpp>

#include "inter_cobranca_v3.hpp"

#include "../json.hpp"

namespace billrun::bankapi {

namespace {

constexpr int k_days_payable_after_due = 60;
constexpr int k_page_size = 100;
constexpr int k_issue_window_days = 31;  // find(): cobranças issued from the title's issue date on

}  // namespace

namespace inter {

bool still_issuing(std::string_view situacao)
{
    return situacao == "EM_PROCESSAMENTO";
}

bool failed(std::string_view situacao)
{
    return situacao == "FALHA_EMISSAO";
}

std::string registration_body(const Title& t)
{
    const auto& p = t.payer;
    const std::string tax_id = digits_only(p.tax_id).empty() ? p.tax_id : digits_only(p.tax_id);
    std::string fine = t.fine_percent > 0
                           ? fmt::format(R"({{"codigo":"PERCENTUAL","taxa":{}}})", format_rate(t.fine_percent))
                           : std::string(R"({"codigo":"NAOTEMMULTA","taxa":0,"valor":0})");
    std::string interest = t.interest_per_day > 0
                               ? fmt::format(R"({{"codigo":"VALORDIA","valor":{}}})", json_money(t.interest_per_day))
                               : std::string(R"({"codigo":"ISENTO","taxa":0,"valor":0})");
    return fmt::format(R"({{"seuNumero":{},"valorNominal":{},"dataVencimento":"{}","numDiasAgenda":{},)"
                       R"("pagador":{{"cpfCnpj":{},"tipoPessoa":"{}","nome":{},"endereco":{},"bairro":{},)"
                       R"("cidade":{},"uf":{},"cep":{},"email":{}}},"multa":{},"mora":{}}})",
                       json_string(clip(t.seu_numero, 15)), json_money(t.amount), t.due_date.iso(),
                       k_days_payable_after_due, json_string(tax_id), tax_id.size() == 11 ? "FISICA" : "JURIDICA",
                       json_string(clip(p.name, 100)), json_string(clip(p.address, 100)),
                       json_string(clip(p.district, 60)), json_string(clip(p.city, 60)), json_string(clip(p.state, 2)),
                       json_string(digits_only(p.zip)), json_string(clip(p.email, 50)), fine, interest);
}

Remote read_remote(const YAML::Node& item)
{
    YAML::Node cobranca = member(item, "cobranca");
    YAML::Node boleto = member(item, "boleto");
    Remote r;
    r.bank_id = first_of(cobranca, {"codigoSolicitacao"});
    if (r.bank_id.empty()) {
        r.bank_id = text(item, "codigoSolicitacao");
    }
    r.nosso_numero = digits_only(text(boleto, "nossoNumero"));
    r.barcode = digits_only(text(boleto, "codigoBarras"));
    r.linha_digitavel = digits_only(text(boleto, "linhaDigitavel"));
    r.state = text(cobranca, "situacao");
    r.paid = r.state == "RECEBIDO";
    r.written_off = r.state == "CANCELADO" || r.state == "EXPIRADO";
    if (r.paid) {
        r.paid_amount = parse_bank_money(text(cobranca, "valorTotalRecebido")).value_or(0);
        r.paid_on = parse_bank_date(text(cobranca, "dataSituacao"));
    }
    return r;
}

Result<std::optional<PaidTitle>> read_paid(const YAML::Node& item)
{
    YAML::Node cobranca = member(item, "cobranca");
    const std::string situacao = text(cobranca, "situacao");
    if (situacao != "RECEBIDO") {
        return std::nullopt;  // MARCADO_RECEBIDO is a mark made by hand, not money the bank received
    }
    PaidTitle t;
    t.bank_id = text(cobranca, "codigoSolicitacao");
    // Inter's nosso número (DV last) zero-filled to 11; billrun keeps the 10 digits before the DV.
    std::string nosso = digits_only(text(member(item, "boleto"), "nossoNumero"));
    if (!nosso.empty() && nosso.size() <= 11) {
        nosso.insert(0, 11 - nosso.size(), '0');
        t.nosso_numero = nosso.substr(0, 10);
    }
    auto amount = parse_bank_money(text(cobranca, "valorTotalRecebido"));
    auto paid_on = parse_bank_date(text(cobranca, "dataSituacao"));
    if (t.bank_id.empty() || t.nosso_numero.empty() || !amount || !paid_on) {
        return fail(ErrorCode::data_invalid,
                    "a RECEBIDO cobrança without codigoSolicitacao, nossoNumero, valorTotalRecebido or dataSituacao");
    }
    t.amount = *amount;
    t.paid_on = *paid_on;
    const std::string origin = text(cobranca, "origemRecebimento");
    t.state = origin.empty() ? situacao : situacao + "/" + origin;
    return t;
}

}  // namespace inter

namespace {

using namespace inter;

class Inter final : public Adapter {
public:
    Inter(const config::BankAccount& account, std::unique_ptr<Session> session, Endpoint endpoint)
        : m_account(account.account + account.account_digit), m_session(std::move(session)),
          m_endpoint(std::move(endpoint))
    {
    }

    bool numbers_itself() const override { return true; }

    Result<RegisterAnswer> register_title(const Title& title) override
    {
        auto reply = call("POST", "/cobrancas", registration_body(title), false);
        if (!reply) {
            return tl::unexpected(reply.error());
        }
        if (auto unsure = unsure_registration(*reply)) {
            return *unsure;
        }
        RegisterAnswer answer;
        if (reply->status < 200 || reply->status > 202) {
            answer.outcome = RegisterOutcome::rejected;
            answer.message = read_errors(reply->body).summary(reply->status);
            return answer;
        }
        auto doc = parse_json(reply->body);
        const std::string request = doc ? text(*doc, "codigoSolicitacao") : std::string();
        if (request.empty()) {
            answer.outcome = RegisterOutcome::unknown;  // accepted, perhaps: found by seuNumero later
            answer.message = "POST /cobrancas: the answer has no codigoSolicitacao";
            return answer;
        }
        // Accepted: from here on the request's id is what identifies it, never a second POST.
        answer.outcome = RegisterOutcome::pending;
        answer.remote.bank_id = request;
        Title asked = title;
        asked.bank_id = request;
        auto issued = find(asked);
        if (!issued || !*issued) {
            answer.message = issued ? "not listed yet" : issued.error().message;
            return answer;
        }
        answer.remote = std::move(**issued);
        answer.remote.bank_id = request;
        if (failed(answer.remote.state)) {
            answer.outcome = RegisterOutcome::rejected;
            answer.message = fmt::format("cobrança {}: situação {}", request, answer.remote.state);
        } else if (!still_issuing(answer.remote.state) && !answer.remote.barcode.empty()) {
            answer.outcome = RegisterOutcome::registered;
        }
        return answer;
    }

    Result<std::optional<Remote>> find(const Title& title) override
    {
        if (!title.bank_id.empty()) {
            auto reply = call("GET", "/cobrancas/" + url_encode(title.bank_id), {}, true);
            if (!reply) {
                return tl::unexpected(reply.error());
            }
            if (reply->status == 404) {
                return std::nullopt;
            }
            if (reply->status >= 500) {
                return fail(ErrorCode::unavailable, reply->failure);
            }
            auto doc = parse_json(reply->body);
            if (reply->status != 200 || !doc || !doc->IsMap()) {
                return fail(ErrorCode::data_invalid, fmt::format("GET /cobrancas/{}: {}", title.bank_id,
                                                                 read_errors(reply->body).summary(reply->status)));
            }
            Remote remote = read_remote(*doc);
            remote.bank_id = title.bank_id;
            return remote;
        }
        const std::string query = fmt::format(
            "dataInicial={}&dataFinal={}&filtrarDataPor=EMISSAO&seuNumero={}&paginacao.itensPorPagina={}",
            title.issue_date.add_days(-1).iso(), title.issue_date.add_days(k_issue_window_days).iso(),
            url_encode(clip(title.seu_numero, 15)), k_page_size);
        auto page = list("/cobrancas?" + query);
        if (!page) {
            return tl::unexpected(page.error());
        }
        std::optional<Remote> found;
        for (const auto& item : member(*page, "cobrancas")) {
            if (text(member(item, "cobranca"), "seuNumero") != clip(title.seu_numero, 15)) {
                continue;
            }
            Remote remote = read_remote(item);
            if (failed(remote.state)) {
                continue;
            }
            if (found) {
                return fail(ErrorCode::data_invalid,
                            fmt::format("Inter lists two cobranças with seuNumero {} ({} and {}): cancel the extra "
                                        "one at the bank",
                                        title.seu_numero, found->bank_id, remote.bank_id));
            }
            found = std::move(remote);
        }
        return found;
    }

    // Inter knows a boleto by its request (codigoSolicitacao), never by the nosso número.
    Result<std::optional<Remote>> query(std::string_view request) override
    {
        Title asked;
        asked.bank_id = std::string(request);
        return find(asked);
    }

    Result<void> write_off(std::string_view request) override
    {
        const std::string path = "/cobrancas/" + url_encode(request) + "/cancelar";
        return command_done(call("POST", path, R"({"motivoCancelamento":"APEDIDODOCLIENTE"})", false), "POST " + path);
    }

    Result<PaidPage> list_paid(Date from, Date to, std::string_view cursor) override
    {
        const std::string number = cursor.empty() ? std::string("0") : std::string(cursor);
        auto doc = list(fmt::format("/cobrancas?dataInicial={}&dataFinal={}&filtrarDataPor=PAGAMENTO&situacao=RECEBIDO"
                                    "&paginacao.paginaAtual={}&paginacao.itensPorPagina={}",
                                    from.iso(), to.iso(), url_encode(number), k_page_size));
        if (!doc) {
            return tl::unexpected(doc.error());
        }
        PaidPage page;
        std::size_t i = 0;
        for (const auto& item : member(*doc, "cobrancas")) {
            ++i;
            auto paid = read_paid(item);
            if (!paid) {
                return fail(ErrorCode::data_invalid,
                            fmt::format("GET /cobrancas (page {}): item {}: {}", number, i, paid.error().message));
            }
            if (*paid) {
                page.titles.push_back(std::move(**paid));
            }
        }
        const std::string last = text(*doc, "ultimaPagina");
        const long total = std::strtol(text(*doc, "totalPaginas").c_str(), nullptr, 10);
        const long next = std::strtol(number.c_str(), nullptr, 10) + 1;
        if (last == "false" && (total <= 0 || next < total)) {
            page.next = std::to_string(next);
        }
        return page;
    }

private:
    Result<Reply> call(const char* method, const std::string& path, std::string_view body, bool repeatable)
    {
        std::vector<std::string> headers;
        if (!m_account.empty()) {
            headers.push_back("x-conta-corrente: " + m_account);
        }
        return m_session->call(method, m_endpoint.base_url + path, body, repeatable, std::move(headers));
    }

    // A list (find's or the paid one): an object with `cobrancas`.
    Result<YAML::Node> list(const std::string& path_and_query)
    {
        const std::string shown = path_and_query.substr(0, path_and_query.find('?'));
        auto reply = call("GET", path_and_query, {}, true);
        if (!reply) {
            return tl::unexpected(reply.error());
        }
        if (reply->status >= 500) {
            return fail(ErrorCode::unavailable, reply->failure);
        }
        auto doc = parse_json(reply->body);
        if (reply->status != 200 || !doc || !doc->IsMap()) {
            return fail(ErrorCode::data_invalid,
                        fmt::format("GET {}: {}", shown, read_errors(reply->body).summary(reply->status)));
        }
        YAML::Node items = member(*doc, "cobrancas");
        if (items && !items.IsSequence()) {
            return fail(ErrorCode::data_invalid, fmt::format("GET {}: cobrancas is not a list", shown));
        }
        return *doc;
    }

    std::string m_account;
    std::unique_ptr<Session> m_session;
    Endpoint m_endpoint;
};

Result<void> check(const config::BankAccount& a)
{
    if (!is_digits(a.convenio) || a.convenio.size() > 7) {
        return fail(ErrorCode::config, fmt::format("convenio '{}': Banco Inter's operação (the code in its boletos' "
                                                   "campo livre) has 1 to 7 digits",
                                                   a.convenio));
    }
    if (!is_digits(a.account)) {
        return fail(ErrorCode::config, "account: the Inter conta corrente (x-conta-corrente), digits");
    }
    return {};
}

std::unique_ptr<Adapter> make(const config::BankAccount& account, std::unique_ptr<Session> session, Endpoint endpoint)
{
    return std::make_unique<Inter>(account, std::move(session), std::move(endpoint));
}

}  // namespace

namespace providers {

extern const Provider inter_cobranca_v3;
const Provider inter_cobranca_v3{
    .name = "inter-cobranca-v3",
    .bank = "077",
    .sandbox_base_url = "https://cdpj-sandbox.partners.uatinter.co/cobranca/v3",
    .production_base_url = "https://cdpj.partners.bancointer.com.br/cobranca/v3",
    .sandbox_token_url = "https://cdpj-sandbox.partners.uatinter.co/oauth/v2/token",
    .production_token_url = "https://cdpj.partners.bancointer.com.br/oauth/v2/token",
    .scope = "boleto-cobranca.read boleto-cobranca.write",
    .auth = TokenAuth::form,
    .app_key = false,
    .check = check,
    .make = make,
    .client_certificate = true,
};

}  // namespace providers

}  // namespace billrun::bankapi
