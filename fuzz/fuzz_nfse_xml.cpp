// The XML the authority returns: an NFS-e (its number read by emit-nfse and cancel) and a
// registered event (cancel checks its root), parsed without DTDs or external entities.
#include <string>

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
    auto xml = billrun::fuzz::bytes(data, size);
    (void)billrun::nfse::nfse_number(xml);
    auto doc = billrun::nfse::parse_xml(xml, "event returned by the authority");
    if (doc) {
        (void)billrun::nfse::local_name(xmlDocGetRootElement(doc->get()));
    }
    return 0;
}
