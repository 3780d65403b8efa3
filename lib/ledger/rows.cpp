#include "rows.hpp"

namespace billrun::ledger {

Contract read_contract_row(const sql::Statement& stmt, int first)
{
    auto at = [first](int i) { return first + i; };
    Contract c;
    c.id = stmt.column_text(at(0));
    c.customer = stmt.column_text(at(1));
    c.start = parse_iso_date(stmt.column_text(at(2))).value_or(Date());
    c.start_time = stmt.column_text(at(3));
    if (auto end = stmt.column_opt_text(at(4))) {
        c.end = parse_iso_date(*end);
    }
    c.cycle = stmt.column_text(at(5));
    c.billing = stmt.column_text(at(6));
    if (auto v = stmt.column_opt_int(at(7))) {
        c.due_days = static_cast<int>(*v);
    }
    if (auto v = stmt.column_opt_int(at(8))) {
        c.due_day = static_cast<int>(*v);
    }
    c.series = stmt.column_text(at(9));
    c.payment_method = stmt.column_text(at(10));
    c.auto_send = stmt.column_int(at(11)) != 0;
    c.template_name = stmt.column_text(at(12));
    c.bank_account = stmt.column_text(at(13));
    if (auto v = stmt.column_opt_int(at(14))) {
        c.iss_withheld = *v != 0;
    }
    return c;
}

Date date_of(const std::string& iso)
{
    return parse_iso_date(iso).value_or(Date());
}

std::optional<Date> opt_date_of(const std::optional<std::string>& iso)
{
    return iso ? parse_iso_date(*iso) : std::nullopt;
}

Payer read_payer_row(const sql::Statement& stmt, int first)
{
    Payer p;
    p.customer = stmt.column_text(first);
    p.name = stmt.column_text(first + 1);
    p.tax_id = stmt.column_text(first + 2);
    p.email = stmt.column_text(first + 3);
    p.street = stmt.column_text(first + 4);
    p.number = stmt.column_text(first + 5);
    p.complement = stmt.column_text(first + 6);
    p.district = stmt.column_text(first + 7);
    p.city = stmt.column_text(first + 8);
    p.state = stmt.column_text(first + 9);
    p.zip = stmt.column_text(first + 10);
    return p;
}

}  // namespace billrun::ledger
