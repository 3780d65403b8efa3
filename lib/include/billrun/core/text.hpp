#pragma once
// Text helpers: UTF-8 checks, Windows-1252 decoding, and the folding used to match headers.
#include <string>
#include <string_view>

namespace billrun {

// Length of the valid UTF-8 sequence starting at s[0] (1..4), or 0 when invalid/truncated.
int utf8_sequence_length(std::string_view s);
bool is_valid_utf8(std::string_view s);

// Decodes Windows-1252 bytes into UTF-8. Returns false when a byte is undefined in 1252
// (0x81, 0x8D, 0x8F, 0x90, 0x9D); the output then holds U+FFFD in its place.
bool append_cp1252_as_utf8(std::string_view in, std::string& out);

// The key used to match column names: lower case, accents removed (UTF-8 Latin-1 range),
// and ' ', '_', '-', '/', '.' dropped. "Razão Social" -> "razaosocial", "CPF/CNPJ" -> "cpfcnpj".
std::string fold_key(std::string_view utf8);

// Trims ASCII spaces, tabs, CR and LF at both ends.
std::string_view trim(std::string_view s);

// `s` made safe to print on a terminal: control characters (C0 but newline and tab, DEL, C1)
// and bytes that are not UTF-8 are written as \xNN, so that a message echoing input can
// neither move the cursor nor change the terminal's state.
std::string for_terminal(std::string_view s);

// Appends `s` escaped for the inside of a double-quoted string: '"', '\\', newline, CR and tab
// by their backslash letters, other control characters as \u00NN (json) or \xNN (YAML);
// UTF-8 as it is.
void append_escaped(std::string& out, std::string_view s, bool json);
// Appends `s` as a JSON string, quotes included.
void append_json_string(std::string& out, std::string_view s);

// True when `s` is not empty and all ASCII digits.
bool is_digits(std::string_view s);

// The ASCII digits of `s`, in order ("01.001-000" -> "01001000").
std::string digits_only(std::string_view s);

}  // namespace billrun
