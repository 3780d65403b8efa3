// The defaults of SPEC §2a: what a key left out of billrun.yaml means.
#include <billrun/config/config.hpp>

namespace billrun::config {

const BankAccount* Boleto::find_account(const std::string& id) const
{
    for (const BankAccount& account : accounts) {
        if (account.id == id) {
            return &account;
        }
    }
    return nullptr;
}

namespace {

BankAccount example_account()
{
    BankAccount account;
    account.id = "main";
    account.bank = "001";
    account.agency = "1234";
    account.agency_digit = "5";
    account.account = "123456";
    account.account_digit = "7";
    account.convenio = "1234567";
    account.carteira = "17";
    account.remessa = "cnab240";
    account.next_nosso_numero = 1;
    account.registration = "remessa";
    account.api = BankApi{};  // written out by `billrun init`, unused while registration is remessa
    return account;
}

}  // namespace

Config default_config()
{
    Config config;
    config.boleto.accounts.push_back(example_account());
    config.dunning = {
        DunningStep{-3, "reminder", "email", "before-due"},
        DunningStep{1, "reminder", "email", "overdue"},
        DunningStep{15, "final-notice", "letter", "final-notice"},
        DunningStep{45, "collection", "none", ""},
    };
    config.templates = {
        {"before-due", Template{"Fatura {invoice} vence em {due_date}", "templates/before-due.txt"}},
        {"overdue", Template{"Fatura {invoice} em atraso", "templates/overdue.txt"}},
        {"final-notice", Template{"Último aviso: fatura {invoice}", "templates/final-notice.txt"}},
    };
    return config;
}

}  // namespace billrun::config
