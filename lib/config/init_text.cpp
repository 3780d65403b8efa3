// What `billrun init` writes: the commented billrun.yaml and the e-mail templates it names.
// The values here are exactly default_config(); the unit tests load this text back to check.
#include <billrun/config/config.hpp>

namespace billrun::config {

namespace {

constexpr const char* k_config_text = R"yaml(# billrun.yaml: the settings of billrun, written by `billrun init`.
# Every key is optional: a key left out takes the value shown here. Unknown keys are an error.
# Money and percentages are decimal strings ("2.00"). Paths are relative to this file's folder.
# Secrets never live here: keys ending in _env name the environment variable that holds one.

company:                                # the company that bills (prestador)
  name: Empresa Exemplo Ltda            # razão social
  tax_id: 12.345.678/0001-95            # CNPJ (numeric or alphanumeric) or CPF
  municipal_registration: "123456"      # inscrição municipal
  city_code: "3550308"                  # IBGE code of the company's city (7 digits)
  tax_regime: simples                   # simples | mei | lucro-presumido | lucro-real
  timezone: America/Sao_Paulo           # time zone of the business date

invoicing:                              # how invoices are made
  default_series: A                     # invoice series when a contract names none
  approval: none                        # none | required (drafts wait for `billrun approve`)
  proration: none                       # none | daily (partial first/last periods)
  iss_rate: "2.00"                      # ISS percent, default when a service has none
  withholding:                          # retenções, applied to company (CNPJ) customers only
    pis: "0.65"                         # PIS percent
    cofins: "3.00"                      # COFINS percent
    csll: "1.00"                        # CSLL percent
    irrf: "1.50"                        # IRRF percent
    inss: "0.00"                        # INSS percent
    minimum: "10.00"                    # a withholding below this amount is not withheld

nfse:                                   # the electronic service invoice (NFS-e)
  standard: nacional                    # nacional | abrasf (ABRASF 2.04 lotes, signed offline)
  layout: "1.01"                        # national DPS layout: "1.01" | "1.00"
  environment: test                     # test (produção restrita) | production
  endpoint: ""                          # base URL; empty = offline (sign only)
  certificate: certs/a1.pfx             # PKCS#12 (A1) certificate
  password_env: BILLRUN_CERT_PASSWORD   # name of the variable holding its password
  ca_bundle: ""                         # extra CA file for the server's chain
  signature: rsa-sha1                   # rsa-sha1 | rsa-sha256
  dps_series: "1"                       # série of the DPS
  timeout_seconds: 60                   # per request
  retries: 3                            # attempts after the first failure

boleto:                                 # payment slips and the bank accounts they pay into
  default_account: main                 # id of the account boletos use unless told otherwise
  fine_percent: "2.00"                  # multa after the due date
  interest_percent_month: "1.00"        # juros de mora per month, pro rata die
  instructions: ["Não receber após 60 dias do vencimento"]  # lines printed on the boleto
  accounts:                             # bank accounts (beneficiário)
    - id: main                          # name used by default_account and --account
      bank: "001"                       # bank code (3 digits)
      agency: "1234"                    # agência
      agency_digit: "5"                 # dígito da agência
      account: "123456"                 # conta
      account_digit: "7"                # dígito da conta
      convenio: "1234567"               # BB convênio / Caixa and Santander beneficiary code / Sicoob client code
      carteira: "17"                    # carteira
      remessa: cnab240                  # cnab240 | cnab400
      next_nosso_numero: 1              # first nosso número billrun will use
      pix_key: ""                       # set to print a PIX QR code on the boleto
      registration: remessa             # remessa (CNAB file) | api (the bank's REST API)
      api:                              # only with registration: api
        provider: bb-cobranca-v2        # bb-cobranca-v2 | sicoob-cobranca-v3 | inter-cobranca-v3
        environment: sandbox            # sandbox | production
        base_url: ""                    # override of the API's base URL
        token_url: ""                   # override of the OAuth token URL
        timeout_seconds: 30             # per request
        retries: 3                      # attempts after a 429, a 5xx or a bank not reached
        backoff_ms: 500                 # first wait between attempts (doubles, to 8 s)
        client_id_env: BB_CLIENT_ID     # variable holding the OAuth client id
        client_secret_env: BB_CLIENT_SECRET  # variable holding the OAuth client secret
        app_key_env: BB_APP_KEY         # variable holding BB's gw-dev-app-key
        variacao_carteira: "35"         # BB: the carteira's variação
        certificate: ""                 # PKCS#12 for banks that demand mutual TLS
        password_env: ""                # variable holding that certificate's password
        ca_bundle: ""                   # extra CA file for the bank's chain

dunning:                                # what happens to late invoices (régua de cobrança)
  # offset: days from the due date (negative = before); action: reminder | final-notice |
  # collection; channel: email | letter | none; template: a name under templates (not for none)
  steps:                                # one step a line
    - {offset: -3, action: reminder, channel: email, template: before-due}
    - {offset: 1, action: reminder, channel: email, template: overdue}
    - {offset: 15, action: final-notice, channel: letter, template: final-notice}
    - {offset: 45, action: collection, channel: none}

mail:                                   # how reminders are sent
  smtp_url: ""                          # smtp://host:port or smtps://host:port; empty = .eml files in the outbox
  username_env: ""                      # variable holding the SMTP user name
  password_env: ""                      # variable holding the SMTP password
  from: "Cobrança <cobranca@example.com.br>"  # sender of reminders
  outbox: out/outbox                    # where .eml files go when smtp_url is empty
  ca_bundle: ""                         # extra CA file for the SMTP server's chain

templates:                              # name: {subject, body file}; fmt-style placeholders such as {invoice}
  before-due: {subject: "Fatura {invoice} vence em {due_date}", body: templates/before-due.txt}
  overdue: {subject: "Fatura {invoice} em atraso", body: templates/overdue.txt}
  final-notice: {subject: "Último aviso: fatura {invoice}", body: templates/final-notice.txt}

reconcile:                              # reading what the bank paid
  # CSV bank statements: column names for date, amount, description and payer tax id,
  # the date format (strftime style) and the decimal separator ("," or ".")
  csv: {date: data, amount: valor, description: historico, tax_id: documento, date_format: "%d/%m/%Y", decimal: ","}

output:                                 # where artifact files are written
  dir: out                              # artifacts' files go under this folder
)yaml";

constexpr const char* k_before_due = R"(Olá, {customer_name},

Este é um lembrete amigável: a fatura {invoice}, no valor de R$ {amount_due}, vence em {due_date}.

Para pagar pelo boleto, use a linha digitável:
{linha_digitavel}

Se preferir PIX, use o código copia e cola:
{pix}

Se o pagamento já foi feito, por favor desconsidere esta mensagem.

Atenciosamente,
{company_name}
)";

constexpr const char* k_overdue = R"(Olá, {customer_name},

Não identificamos o pagamento da fatura {invoice}, vencida em {due_date} ({days_overdue} dias de atraso).

O valor atualizado é R$ {amount_due}, já com multa de R$ {fine} e juros de R$ {interest}.

Linha digitável do boleto:
{linha_digitavel}

PIX copia e cola:
{pix}

Se o pagamento já foi feito, por favor desconsidere esta mensagem. Em caso de dúvida, é só responder este e-mail.

Atenciosamente,
{company_name}
)";

constexpr const char* k_final_notice = R"(Olá, {customer_name},

Este é o último aviso sobre a fatura {invoice}, vencida em {due_date}, com {days_overdue} dias de atraso.

O valor devido hoje é R$ {amount_due} (multa de R$ {fine} e juros de R$ {interest} incluídos).

Para evitar a cobrança externa, pedimos que regularize o pagamento o quanto antes:
{linha_digitavel}

PIX copia e cola:
{pix}

Se já pagou ou quer combinar uma forma de pagamento, responda este e-mail: teremos prazer em ajudar.

Atenciosamente,
{company_name}
)";

}  // namespace

std::string init_config_text()
{
    return k_config_text;
}

std::vector<std::pair<std::string, std::string>> init_template_files()
{
    return {
        {"templates/before-due.txt", k_before_due},
        {"templates/overdue.txt", k_overdue},
        {"templates/final-notice.txt", k_final_notice},
    };
}

}  // namespace billrun::config
