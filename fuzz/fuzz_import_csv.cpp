// `billrun import KIND x.csv`: the CSV reader (encodings, delimiters, quotes), the header
// mapping and every kind's field conversion.
#include "import_records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    billrun::fuzz::import_all_kinds("fuzz.csv", billrun::fuzz::bytes(data, size));
    return 0;
}
