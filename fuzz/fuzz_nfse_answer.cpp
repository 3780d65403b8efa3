// What the Sefin Nacional API answers: the JSON body (errors in any of their shapes, keys in
// any case), the gzipped base64 NFS-e or event inside it, and the NFS-e number in that XML.
#include <billrun/nfse/sefin.hpp>

#include "fuzz_input.hpp"
#include "nfse/xml.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    billrun::nfse::init_xml();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    for (long status : {200L, 400L}) {
        auto answer = billrun::nfse::parse_answer(status, billrun::fuzz::bytes(data, size));
        if (!answer) {
            continue;
        }
        (void)answer->error_summary();
        if (!answer->nfse_xml.empty()) {
            (void)billrun::nfse::nfse_number(answer->nfse_xml);
        }
    }
    return 0;
}
