// `billrun reconcile x.ret`: format detection and the CNAB 240/400 retorno readers of every
// bank, record by record.
#include <sstream>
#include <string>

#include <billrun/cnab/retorno.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string contents(billrun::fuzz::bytes(data, size));
    std::string_view first(contents);
    first = first.substr(0, first.find_first_of("\r\n"));
    (void)billrun::cnab::looks_like_retorno(first);
    (void)billrun::cnab::looks_like_cnab(first);

    std::istringstream in(contents);
    auto reader = billrun::cnab::open_retorno(in, "fuzz.ret");
    if (!reader) {
        return 0;
    }
    billrun::cnab::RetornoRecord record;
    billrun::fuzz::drain(**reader, record);
    return 0;
}
