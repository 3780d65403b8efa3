// `billrun reconcile extrato.csv`: CSV bank statements with the configured column map, once
// with the default map (dd/mm/yyyy, decimal comma) and once with ISO dates and a decimal dot.
#include <sstream>
#include <string>

#include <billrun/config/config.hpp>
#include <billrun/reconcile/statement.hpp>

#include "fuzz_input.hpp"

namespace {

void read_all(const std::string& contents, const billrun::config::CsvStatementMap& map)
{
    std::istringstream in(contents);
    auto reader = billrun::reconcile::open_csv_statement(in, "fuzz.csv", map);
    if (!reader) {
        return;
    }
    billrun::reconcile::StatementLine line;
    billrun::fuzz::drain(**reader, line);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const billrun::config::CsvStatementMap brazilian = billrun::config::default_config().reconcile_csv;
    static const billrun::config::CsvStatementMap iso = [] {
        auto map = brazilian;
        map.date_format = "%Y-%m-%d";
        map.decimal = ".";
        return map;
    }();
    std::string contents(billrun::fuzz::bytes(data, size));
    read_all(contents, brazilian);
    read_all(contents, iso);
    return 0;
}
