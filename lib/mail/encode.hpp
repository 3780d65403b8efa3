#pragma once
// Transfer encodings for mail: base64, quoted-printable, RFC 2047 encoded-words and RFC 2231
// parameter values. Internal to lib/mail.
#include <string>
#include <string_view>
#include <vector>

namespace billrun::mail::detail {

// Base64 (RFC 4648); with wrap > 0, lines of `wrap` characters each ended by CRLF.
std::string base64(std::string_view data, std::size_t wrap = 0);

// The lines of `text` (ended by LF, CRLF or CR; a last line without one counts too).
std::vector<std::string_view> split_lines(std::string_view text);

// Quoted-printable (RFC 2045) of the given lines, each ended by CRLF, no line over 76
// characters. A '.' starting a line and the 'F' of a leading "From " are encoded too, so the
// text survives SMTP and mbox files untouched.
std::string quoted_printable(const std::vector<std::string_view>& lines);

// RFC 2047 "B" encoded-words holding `utf8`, each at most 64 characters, never splitting a
// UTF-8 character.
std::vector<std::string> encoded_words(std::string_view utf8);

// RFC 2231 extended parameter `name*=UTF-8''...` (or `name*0*=...; name*1*=...` when long),
// as the tokens of a header line: every token but the last ends with ';'.
std::vector<std::string> rfc2231_parameter(std::string_view name, std::string_view utf8);

}  // namespace billrun::mail::detail
