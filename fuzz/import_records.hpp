#pragma once
// The import path of `billrun import KIND FILE` short of the ledger: the record source (CSV or
// YAML, by the file name) and the conversion of every record, for each of the five kinds.
#include <string>
#include <string_view>
#include <vector>

#include <billrun/config/config.hpp>
#include <billrun/core/date.hpp>
#include <billrun/core/money.hpp>

#include "fuzz_input.hpp"
#include "import/convert.hpp"
#include "import/source.hpp"

namespace billrun::fuzz {

inline void convert(import::Kind kind, const import::RawRecord& raw, import::Checker& check,
                    const config::Config& config)
{
    using import::Field;
    switch (kind) {
    case import::Kind::customers:
        (void)import::to_customer(raw, check);
        break;
    case import::Kind::services:
        (void)import::to_service(raw, check);
        break;
    case import::Kind::contracts:
        (void)import::to_contract_head(raw, config, check);
        (void)import::to_contract_items(raw, check);
        break;
    case import::Kind::charges:
        if (auto charge = import::to_charge(raw, check)) {
            (void)import::derived_charge_id(*charge);
        }
        break;
    case import::Kind::payments:  // the importer reads these two itself, then asks the ledger
        (void)parse_date(raw[Field::date].value);
        (void)parse_money(raw[Field::amount].value);
        break;
    }
}

inline void import_all_kinds(const std::string& name, std::string_view contents)
{
    static const config::Config config = config::default_config();
    for (auto kind : {import::Kind::customers, import::Kind::services, import::Kind::contracts,
                      import::Kind::charges, import::Kind::payments}) {
        io::Input in = input(name, contents);
        std::vector<import::Problem> warnings;
        auto source = import::open_source(kind, in, warnings);
        if (!source) {
            continue;
        }
        import::RawRecord raw;
        std::vector<import::Problem> problems;
        for (int n = 0; n < k_max_records; ++n) {
            problems.clear();
            auto got = (*source)->next(raw, problems);
            if (!got || !*got) {
                break;
            }
            import::Checker check(name, problems);
            convert(kind, raw, check, config);
            for (const auto& p : problems) {
                (void)p.text();
            }
        }
    }
}

}  // namespace billrun::fuzz
