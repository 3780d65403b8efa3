#pragma once
// Base64 (RFC 4648) for the bytes APIs carry inside JSON: the NFS-e's gzipped XML, the banks'
// files.
#include <string>
#include <string_view>

#include <billrun/core/error.hpp>

namespace billrun {

std::string base64_encode(std::string_view bytes);  // one line, no line breaks
// data_invalid on characters outside the alphabet (the URL-safe one too; whitespace is
// skipped; padding optional).
Result<std::string> base64_decode(std::string_view text);

}  // namespace billrun
