#pragma once
// The records the ledger keeps, as the stages see them. Values are already validated and
// normalised (tax ids without punctuation, money in centavos, dates civil).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/core/date.hpp>
#include <billrun/core/money.hpp>

namespace billrun::ledger {

struct Customer {
    std::string id;
    std::string name;
    std::string tax_id;  // 11 (CPF) or 14 (CNPJ) characters
    std::string email;   // one or more addresses separated by "; "
    std::string phone;
    std::string street;
    std::string number;
    std::string complement;
    std::string district;
    std::string city;
    std::string city_code;  // IBGE, 7 digits, or empty
    std::string state;      // UF, 2 letters, or empty
    std::string zip;        // CEP, 8 digits, or empty
    std::string municipal_registration;
    bool iss_withheld = false;
    std::string owner;
    bool operator==(const Customer&) const = default;
};

struct Service {
    std::string id;
    std::string description;
    std::optional<Centavos> unit_price;  // a service without a price cannot be billed
    std::string service_code;            // cTribNac, 6 digits, or empty
    std::optional<Rate> iss_rate;        // none = the company default
    bool operator==(const Service&) const = default;
};

struct ContractItem {
    std::string service;
    Quantity quantity = 1000;
    std::optional<Centavos> price;  // none = the service's unit price
    bool operator==(const ContractItem&) const = default;
};

struct Contract {
    std::string id;
    std::string customer;
    std::vector<ContractItem> items;
    Date start;
    std::string start_time;  // "HH:MM[:SS]" when the start had a time, else empty
    std::optional<Date> end;
    std::string cycle = "monthly";     // canonical: weekly, monthly, quarterly, semiannual,
                                       // annual, "every N days", "every N months"
    std::string billing = "advance";   // advance | arrears
    std::optional<int> due_days;       // N days after issue
    std::optional<int> due_day;        // day D of the month following issue
    std::string series;                // empty = invoicing.default_series
    std::string payment_method = "boleto";  // boleto | pix | other
    bool auto_send = false;
    std::string template_name;
    std::string bank_account;          // empty = boleto.default_account
    std::optional<bool> iss_withheld;  // none = as the customer says
    bool operator==(const Contract&) const = default;
};

// A one-off amount (setup fee, extra hours, usage), billed once: on its contract's next
// invoice, or on an invoice of its own when it has no contract.
struct Charge {
    std::string id;        // given, or derived from the row's content (see import)
    std::string customer;
    std::string contract;  // empty = none
    Date date;
    std::string service;
    Quantity quantity = 1000;
    std::optional<Centavos> price;  // none = the service's unit price
    std::string description;
    bool operator==(const Charge&) const = default;
};

struct InvoiceLine {
    std::string service;
    std::string description;
    Quantity quantity = 1000;
    Centavos unit_price = 0;
    Centavos amount = 0;
    Rate iss_rate = 0;
    Centavos iss = 0;
    std::string charge;  // the charge this line bills, if any
};

struct Invoice {
    std::int64_t key = 0;            // the ledger's internal id (what `approve` takes for drafts)
    std::string series;
    std::optional<std::int64_t> number;  // none while a draft
    std::string status = "issued";   // draft | issued | paid | partly-paid | cancelled
    std::string customer;
    std::string contract;            // empty for an invoice of one-off charges
    std::optional<std::int64_t> period_index;
    std::optional<Date> period_start;
    std::optional<Date> period_end;
    Date issue_date;
    Date due_date;
    std::vector<InvoiceLine> lines;
    Centavos gross = 0;
    Centavos iss = 0;
    bool iss_withheld = false;
    Centavos pis = 0, cofins = 0, csll = 0, irrf = 0, inss = 0;
    Centavos withheld = 0;
    Centavos net = 0;
    Centavos balance = 0;
    std::string payment_method = "boleto";
    std::string bank_account;
    std::string display_id() const;  // "A-000123", or empty for a draft
    static std::string display_id(std::string_view series, std::optional<std::int64_t> number);
};

struct Event {
    std::int64_t run = 0;
    std::int64_t seq = 0;
    std::string command;  // the run's command
    std::string at;       // the run's start time (ISO 8601)
    std::string entity;
    std::string entity_id;
    std::string action;
    std::string detail;
};

}  // namespace billrun::ledger
