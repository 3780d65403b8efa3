// The artifact streams `emit-nfse FILE|-` and `issue-boleto FILE|-` read: which invoices a
// YAML stream names (io::scan_documents).
#include <billrun/io/artifacts.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    auto in = billrun::fuzz::input("fuzz.yaml", billrun::fuzz::bytes(data, size));
    (void)billrun::io::scan_documents(in);
    return 0;
}
