// `billrun import KIND x.yaml`: a stream of documents or one list of records, nested
// contract items, and every kind's field conversion.
#include "import_records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    billrun::fuzz::import_all_kinds("fuzz.yaml", billrun::fuzz::bytes(data, size));
    return 0;
}
