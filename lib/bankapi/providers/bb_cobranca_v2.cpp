// Banco do Brasil, API Cobranças v2 (../shared/reference/bankapi/FACTS.md §1): OAuth2 with a
// Basic header, the app key as `gw-dev-app-key` in every query string, no client certificate.
// Convênio tipo 4 (7 digits): billrun chooses the number, numeroTituloCliente = "000" +
// convênio + sequence(10), the nosso número of the barcode with "000" in front. Dates
// dd.mm.aaaa, money as JSON numbers, numbers without leading zeros. An answer with error
// 4874915 ("Nosso Número já incluído anteriormente") means the boleto exists; an empty list is
// HTTP 404; lists page with indice/proximoIndice while indicadorContinuidade is "S".
#include <fmt/format.h>

#include <billrun/core/text.hpp>

#include "../json.hpp"
#include "../providers.hpp"

namespace billrun::bankapi {

namespace {

constexpr std::string_view k_duplicate = "4874915";

Remote read_remote(const YAML::Node& doc)
{
    Remote r;
    r.bank_id = first_of(doc, {"numero", "numeroTituloCliente", "numeroBoletoBB"});
    r.barcode = digits_only(first_of(doc, {"codigoBarraNumerico", "textoCodigoBarras", "codigoBarras"}));
    r.linha_digitavel = digits_only(first_of(doc, {"linhaDigitavel", "codigoLinhaDigitavel"}));
    r.state = text(doc, "codigoEstadoTituloCobranca");
    r.paid = r.state == "6";
    r.written_off = r.state == "7";
    r.paid_amount = parse_bank_money(first_of(doc, {"valorPagoSacado", "valorPago"})).value_or(0);
    r.paid_on = parse_bank_date(first_of(doc, {"dataRecebimentoTitulo", "dataMovimento"}));
    r.credit_date = parse_bank_date(first_of(doc, {"dataCreditoLiquidacao", "dataCredito"}));
    return r;
}

class BancoDoBrasil final : public Adapter {
public:
    BancoDoBrasil(const config::BankAccount& account, std::unique_ptr<Session> session, Endpoint endpoint)
        : m_account(account), m_session(std::move(session)), m_endpoint(std::move(endpoint))
    {
    }

    Result<RegisterAnswer> register_title(const Title& title) override
    {
        auto reply = m_session->call("POST", url("/boletos", {}), body(title), false);
        if (!reply) {
            return tl::unexpected(reply.error());
        }
        if (auto unsure = unsure_registration(*reply)) {
            return *unsure;
        }
        RegisterAnswer answer;
        if (reply->status == 200 || reply->status == 201) {
            auto doc = parse_json(reply->body);
            if (!doc || !doc->IsMap()) {
                answer.outcome = RegisterOutcome::unknown;  // created, perhaps: the lookup will tell
                answer.message = "POST /boletos: the answer is not JSON";
                return answer;
            }
            answer.outcome = RegisterOutcome::registered;
            answer.remote = read_remote(*doc);
            if (answer.remote.bank_id.empty()) {
                answer.remote.bank_id = numero_titulo_cliente(title.nosso_numero);
            }
            return answer;
        }
        BankErrors errors = read_errors(reply->body);
        answer.outcome = errors.has(k_duplicate) ? RegisterOutcome::already_registered : RegisterOutcome::rejected;
        answer.message = errors.summary(reply->status);
        return answer;
    }

    Result<std::optional<Remote>> query(std::string_view nosso_numero) override
    {
        const std::string id = numero_titulo_cliente(nosso_numero);
        auto reply = m_session->call("GET", url("/boletos/" + id, "numeroConvenio=" + json_number(m_account.convenio)),
                                     {}, true);
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
        if (reply->status != 200) {
            return fail(ErrorCode::data_invalid, fmt::format("GET /boletos/{}: {}", id, read_errors(reply->body).summary(reply->status)));
        }
        if (!doc || !doc->IsMap()) {
            return fail(ErrorCode::data_invalid, fmt::format("GET /boletos/{}: the answer is not a JSON object", id));
        }
        Remote remote = read_remote(*doc);
        remote.bank_id = id;
        return remote;
    }

    Result<void> write_off(std::string_view nosso_numero) override
    {
        const std::string id = numero_titulo_cliente(nosso_numero);
        auto reply = m_session->call("POST", url("/boletos/" + id + "/baixar", {}),
                                     fmt::format(R"({{"numeroConvenio":{}}})", json_number(m_account.convenio)), false);
        return command_done(reply, fmt::format("POST /boletos/{}/baixar", id));
    }

    Result<PaidPage> list_paid(Date from, Date to, std::string_view cursor) override
    {
        std::string query = fmt::format(
            "indicadorSituacao=B&codigoEstadoTituloCobranca=6&agenciaBeneficiario={}&contaBeneficiario={}"
            "&dataInicioMovimento={}&dataFimMovimento={}",
            json_number(m_account.agency), json_number(m_account.account), dd_mm_yyyy(from), dd_mm_yyyy(to));
        if (!cursor.empty()) {
            query += "&indice=" + url_encode(cursor);
        }
        auto reply = m_session->call("GET", url("/boletos", query), {}, true);
        if (!reply) {
            return tl::unexpected(reply.error());
        }
        PaidPage page;
        if (reply->status == 404) {
            return page;  // BB's "nothing found"
        }
        if (reply->status >= 500) {
            return fail(ErrorCode::unavailable, reply->failure);
        }
        if (reply->status != 200) {
            return fail(ErrorCode::data_invalid, fmt::format("GET /boletos: {}", read_errors(reply->body).summary(reply->status)));
        }
        auto doc = parse_json(reply->body);
        if (!doc || !doc->IsMap()) {
            return fail(ErrorCode::data_invalid, "GET /boletos: the answer is not a JSON object");
        }
        YAML::Node list = member(*doc, "boletos");
        if (list && list.IsSequence()) {
            std::size_t i = 0;
            for (const auto& item : list) {
                ++i;
                PaidTitle t;
                t.bank_id = text(item, "numeroBoletoBB");
                std::string digits = digits_only(t.bank_id);
                t.nosso_numero = digits.size() == 20 && digits.starts_with("000") ? digits.substr(3) : digits;
                t.state = text(item, "codigoEstadoTituloCobranca");
                auto amount = parse_bank_money(first_of(item, {"valorPago", "valorAtual", "valorOriginal"}));
                auto paid_on = parse_bank_date(first_of(item, {"dataMovimento", "dataCredito"}));
                if (t.bank_id.empty() || !amount || !paid_on) {
                    return fail(ErrorCode::data_invalid,
                                fmt::format("GET /boletos (page {}): item {}: numeroBoletoBB, valorPago or "
                                            "dataMovimento missing or unreadable",
                                            cursor.empty() ? std::string("1") : std::string(cursor), i));
                }
                t.amount = *amount;
                t.paid_on = *paid_on;
                t.credit_date = parse_bank_date(text(item, "dataCredito"));
                page.titles.push_back(std::move(t));
            }
        }
        if (text(*doc, "indicadorContinuidade") == "S") {
            page.next = text(*doc, "proximoIndice");
            if (page.next.empty() || page.next == cursor) {
                return fail(ErrorCode::data_invalid, "GET /boletos: indicadorContinuidade is S but proximoIndice does "
                                                     "not move on");
            }
        }
        return page;
    }

private:
    std::string url(const std::string& path, const std::string& query) const
    {
        std::string out = m_endpoint.base_url + path + "?gw-dev-app-key=" + url_encode(m_endpoint.app_key);
        if (!query.empty()) {
            out += "&" + query;
        }
        return out;
    }

    static std::string numero_titulo_cliente(std::string_view nosso_numero)
    {
        return "000" + std::string(nosso_numero);
    }

    std::string body(const Title& t) const
    {
        const auto& p = t.payer;
        const bool person = p.tax_id.size() == 11;
        std::string interest = t.interest_per_day > 0
                                   ? fmt::format(R"({{"tipo":1,"valor":{}}})", json_money(t.interest_per_day))
                                   : std::string(R"({"tipo":0})");
        std::string fine = t.fine_percent > 0 ? fmt::format(R"({{"tipo":2,"data":"{}","porcentagem":{}}})",
                                                            dd_mm_yyyy(t.due_date.add_days(1)),
                                                            format_rate(t.fine_percent))
                                              : std::string(R"({"tipo":0})");
        std::string tax_id = is_digits(p.tax_id) ? json_number(p.tax_id) : json_string(p.tax_id);
        std::string zip = is_digits(p.zip) ? json_number(p.zip) : std::string("0");
        return fmt::format(
            R"({{"numeroConvenio":{},"numeroCarteira":{},"numeroVariacaoCarteira":{},"codigoModalidade":1,)"
            R"("dataEmissao":"{}","dataVencimento":"{}","valorOriginal":{},"valorAbatimento":0,)"
            R"("quantidadeDiasProtesto":0,"indicadorAceiteTituloVencido":"S","numeroDiasLimiteRecebimento":{},)"
            R"("codigoAceite":"N","codigoTipoTitulo":2,"descricaoTipoTitulo":"DM",)"
            R"("indicadorPermissaoRecebimentoParcial":"N","numeroTituloBeneficiario":{},"numeroTituloCliente":{},)"
            R"("jurosMora":{},"multa":{},"pagador":{{"tipoInscricao":{},"numeroInscricao":{},"nome":{},)"
            R"("endereco":{},"cep":{},"cidade":{},"bairro":{},"uf":{},"email":{}}},"indicadorPix":"N"}})",
            json_number(m_account.convenio), json_number(m_account.carteira),
            json_number(m_account.api->variacao_carteira), dd_mm_yyyy(t.issue_date), dd_mm_yyyy(t.due_date),
            json_money(t.amount), k_days_payable_after_due, json_string(clip(t.seu_numero, 15)),
            json_string(numero_titulo_cliente(t.nosso_numero)), interest, fine, person ? 1 : 2, tax_id,
            json_string(clip(p.name, 60)), json_string(clip(p.address, 60)), zip, json_string(clip(p.city, 30)),
            json_string(clip(p.district, 30)), json_string(clip(p.state, 2)), json_string(p.email));
    }

    static constexpr int k_days_payable_after_due = 60;

    config::BankAccount m_account;
    std::unique_ptr<Session> m_session;
    Endpoint m_endpoint;
};

// The webhook of baixa operacional (FACTS.md §1.4): a JSON array of events (one object is
// taken as an array of one), each naming the boleto by `id` (numeroTituloCliente), with
// valorPagoSacado and dataLiquidacao ("25/03/202105:37:00", no space). The state's name
// changed in Nov/2024 (codigoEstadoBaixaOperacional, formerly codigoEstadoTituloCobranca);
// 10 is a baixa operacional cancelled.
Result<std::vector<WebhookHint>> parse_webhook(std::string_view payload)
{
    auto doc = read_json(payload);
    if (!doc) {
        return tl::unexpected(doc.error());
    }
    std::vector<YAML::Node> items;
    if (doc->IsSequence()) {
        for (const auto& item : *doc) {
            items.push_back(item);
        }
    } else if (doc->IsMap()) {
        items.push_back(*doc);
    } else {
        return fail(ErrorCode::data_invalid, "not a Banco do Brasil webhook: expected a JSON array of events");
    }
    std::vector<WebhookHint> out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const YAML::Node& item = items[i];
        WebhookHint hint;
        hint.place = fmt::format("item {}", i + 1);
        auto bad = [&](std::string_view what) { return fail(ErrorCode::data_invalid, fmt::format("{}: {}", hint.place, what)); };
        if (!item.IsMap()) {
            return bad("not a JSON object");
        }
        const std::string id = first_of(item, {"id", "numeroTituloCliente", "numero"});
        if (id.size() != 20 || !is_digits(id) || !id.starts_with("000")) {
            return bad(id.empty() ? std::string("id (the boleto's numeroTituloCliente) missing")
                                  : fmt::format("id '{}' is not a numeroTituloCliente (20 digits: 000, convênio, "
                                                "sequence)",
                                                id));
        }
        hint.nosso_numero = id.substr(3);
        hint.convenio = json_number(text(item, "numeroConvenio"));
        if (hint.convenio == "0") {
            hint.convenio.clear();
        }
        if (const std::string paid = text(item, "valorPagoSacado"); !paid.empty()) {
            hint.amount = parse_bank_money(paid);
            if (!hint.amount || *hint.amount < 0) {
                return bad(fmt::format("valorPagoSacado '{}' is not an amount", paid));
            }
        }
        if (const std::string when = first_of(item, {"dataLiquidacao", "dataPagamento"}); !when.empty()) {
            hint.paid_on = parse_bank_date(when);
            if (!hint.paid_on) {
                return bad(fmt::format("dataLiquidacao '{}' is not a date", when));
            }
        }
        hint.undone = first_of(item, {"codigoEstadoBaixaOperacional", "codigoEstadoTituloCobranca"}) == "10";
        out.push_back(std::move(hint));
    }
    return out;
}

Result<void> check(const config::BankAccount& a)
{
    if (a.convenio.size() != 7 || !is_digits(a.convenio)) {
        return fail(ErrorCode::config, fmt::format("convenio '{}': API Cobranças v2 registers boletos of a convênio "
                                                   "tipo 4 (7 digits), whose numbers billrun chooses",
                                                   a.convenio));
    }
    if (!is_digits(a.carteira)) {
        return fail(ErrorCode::config, fmt::format("carteira '{}': must be digits (17 for cobrança simples)", a.carteira));
    }
    if (!a.api || !is_digits(a.api->variacao_carteira)) {
        return fail(ErrorCode::config, "api.variacao_carteira: Banco do Brasil needs the carteira's variação (e.g. \"35\")");
    }
    if (!is_digits(a.agency) || !is_digits(a.account)) {
        return fail(ErrorCode::config, "agency and account must be digits (the list of paid boletos asks by them)");
    }
    return {};
}

std::unique_ptr<Adapter> make(const config::BankAccount& account, std::unique_ptr<Session> session, Endpoint endpoint)
{
    return std::make_unique<BancoDoBrasil>(account, std::move(session), std::move(endpoint));
}

}  // namespace

namespace providers {

extern const Provider bb_cobranca_v2;
const Provider bb_cobranca_v2{
    "bb-cobranca-v2",
    "001",
    "https://api.hm.bb.com.br/cobrancas/v2",
    "https://api.bb.com.br/cobrancas/v2",
    "https://oauth.hm.bb.com.br/oauth/token",  // sources disagree (oauth.sandbox...): api.token_url overrides
    "https://oauth.bb.com.br/oauth/token",
    "cobrancas.boletos-info cobrancas.boletos-requisicao",
    TokenAuth::basic,
    true,
    check,
    make,
    parse_webhook,
};

}  // namespace providers

}  // namespace billrun::bankapi
