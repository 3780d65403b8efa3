// The cancellation event request (pedRegEvento 1.01, e101101): Id, field rules and the XML.
#include <billrun/nfse/event.hpp>

#include <algorithm>

#include <fmt/format.h>

#include <billrun/nfse/dps.hpp>

#include "xml.hpp"

namespace billrun::nfse {

namespace {

bool all_digits(std::string_view s, std::size_t size)
{
    return s.size() == size && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Characters of valid UTF-8 text (dps_text's output is), and whether all are in Latin-1.
std::size_t characters(std::string_view text, bool& latin1)
{
    std::size_t n = 0;
    latin1 = true;
    for (unsigned char c : text) {
        if ((c & 0xC0) == 0x80) {
            continue;  // a continuation byte
        }
        ++n;
        if (c >= 0x80 && c != 0xC2 && c != 0xC3) {
            latin1 = false;  // U+0100 and above
        }
    }
    return n;
}

}  // namespace

Result<std::string> event_request_id(std::string_view access_key, std::string_view type)
{
    if (!all_digits(access_key, 50)) {
        return fail(ErrorCode::data_invalid,
                    fmt::format("access key '{}' is not 50 digits: no event can name it", access_key));
    }
    if (!all_digits(type, 6)) {
        return fail(ErrorCode::data_invalid, fmt::format("event type '{}' is not 6 digits", type));
    }
    return fmt::format("PRE{}{}", access_key, type);
}

bool valid_cancel_code(int code)
{
    return code == 1 || code == 2 || code == 9;
}

Result<std::string> cancel_reason(std::string_view text)
{
    std::string reason = dps_text(text, text.size() + 1);
    bool latin1 = true;
    std::size_t n = characters(reason, latin1);
    if (n < k_reason_min || n > k_reason_max) {
        return fail(ErrorCode::usage, fmt::format("--reason must hold {} to {} characters (xMotivo of the national "
                                                  "layout); it holds {}",
                                                  k_reason_min, k_reason_max, n));
    }
    if (!latin1) {
        return fail(ErrorCode::usage, "--reason holds a character the national layout does not accept (only "
                                      "Latin-1 letters, digits and punctuation)");
    }
    return reason;
}

Result<std::string> event_time(std::string_view now, int seconds_back)
{
    auto time = emission_time(now, seconds_back);
    if (!time) {
        return time;
    }
    if (!time->ends_with(":00")) {
        return fail(ErrorCode::data_invalid,
                    fmt::format("'{}': the national layout takes only offsets of whole hours", now));
    }
    return time;
}

std::string build_cancel_event(const CancelEvent& e)
{
    XmlBuilder b("pedRegEvento");
    xmlNewProp(b.root(), BAD_CAST "versao", BAD_CAST "1.01");
    xmlNodePtr inf = b.group(b.root(), "infPedReg");
    auto id = event_request_id(e.access_key);
    // An Id that cannot be formed is written as far as it goes: the schema names the fault.
    std::string id_text = id ? *id : fmt::format("PRE{}{}", e.access_key, k_event_cancel);
    xmlNewProp(inf, BAD_CAST "Id", BAD_CAST id_text.c_str());
    b.text(inf, "tpAmb", std::to_string(e.environment));
    b.text(inf, "verAplic", e.app_version);
    b.text(inf, "dhEvento", e.time);
    b.text(inf, e.author.size() == 11 ? "CPFAutor" : "CNPJAutor", e.author);
    b.text(inf, "chNFSe", e.access_key);
    xmlNodePtr cancel = b.group(inf, "e101101");
    b.text(cancel, "xDesc", "Cancelamento de NFS-e");
    b.text(cancel, "cMotivo", std::to_string(e.code));
    b.text(cancel, "xMotivo", e.reason);
    return dump_document(b.doc());
}

}  // namespace billrun::nfse
