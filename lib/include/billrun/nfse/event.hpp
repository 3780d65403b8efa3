#pragma once
// The national NFS-e event request (pedRegEvento, layout 1.01) for a cancellation (event
// 101101, e101101): its 59-character Id, the rules its fields must meet (XSD 1.01
// tiposEventos/tiposSimples), and the unsigned XML. Pure: no clock, no ledger, no I/O.
#include <string>
#include <string_view>

#include <billrun/core/error.hpp>

namespace billrun::nfse {

inline constexpr std::string_view k_event_cancel = "101101";  // tipoEvento: cancelamento
inline constexpr std::size_t k_reason_min = 15;               // TSMotivo, in characters
inline constexpr std::size_t k_reason_max = 255;

struct CancelEvent {
    int environment = 2;       // tpAmb: 1 produção, 2 produção restrita
    std::string app_version;   // verAplic, at most 20 characters
    std::string time;          // dhEvento, "YYYY-MM-DDThh:mm:ss±hh:00"
    std::string author;        // CNPJAutor (14 digits) or CPFAutor (11): the company
    std::string access_key;    // chNFSe, 50 digits
    int code = 0;              // cMotivo: 1 erro na emissão, 2 serviço não prestado, 9 outros
    std::string reason;        // xMotivo, as cancel_reason returns it
};

// "PRE" + chave de acesso (50 digits) + tipoEvento (6 digits): 59 characters.
// data_invalid when the key is not 50 digits or the type not 6.
Result<std::string> event_request_id(std::string_view access_key, std::string_view type = k_event_cancel);

// True for the cMotivo codes of a cancellation (TSCodJustCanc): 1, 2 and 9.
bool valid_cancel_code(int code);

// xMotivo from free text: control characters and line breaks become spaces, runs of spaces
// one, both ends trimmed; then it must hold 15 to 255 characters (TSMotivo), each within
// Latin-1 (TSString). usage naming the rule broken otherwise.
Result<std::string> cancel_reason(std::string_view text);

// dhEvento from the run's clock ("2026-12-05T16:22:12-03:00", fractions dropped), moved
// back `seconds_back` as dhEmi is; data_invalid when it is not such a time or its offset
// is not whole hours (TSDateTimeUTC).
Result<std::string> event_time(std::string_view now, int seconds_back);

// The unsigned pedRegEvento, UTF-8, with the XML declaration and no whitespace between tags.
std::string build_cancel_event(const CancelEvent& event);

}  // namespace billrun::nfse
