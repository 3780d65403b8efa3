// `billrun reconcile x.ofx`: OFX 1.x (SGML) and 2.x (XML) statements through billrun's own
// tokenizer.
#include <sstream>
#include <string>

#include <billrun/reconcile/statement.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string contents(billrun::fuzz::bytes(data, size));
    (void)billrun::reconcile::looks_like_ofx(contents);
    std::istringstream in(contents);
    auto reader = billrun::reconcile::open_ofx(in, "fuzz.ofx");
    if (!reader) {
        return 0;
    }
    billrun::reconcile::StatementLine line;
    billrun::fuzz::drain(**reader, line);
    return 0;
}
