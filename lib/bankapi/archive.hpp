#pragma once
// Files some banks hand over inside JSON (base64 text: core/base64): ZIP archives (stored or
// deflated), and binary that went through a Latin-1 to UTF-8 conversion.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace billrun::bankapi {

// The bytes of `text` when every character of the UTF-8 text is below U+0100: the undoing of
// binary data that went through a Latin-1 to UTF-8 conversion (Sicoob's movement files come so,
// as its specification's own example shows). nullopt when `text` is not such text.
std::optional<std::string> latin1_from_utf8(std::string_view text);

struct ZipEntry {
    std::string name;
    std::string data;
};

// The files of a ZIP archive held in memory, read through its central directory; entries
// stored or deflated, at most `limit` bytes each. nullopt when it is not a readable archive.
std::optional<std::vector<ZipEntry>> unzip(std::string_view zip, std::size_t limit = std::size_t{1} << 28);

}  // namespace billrun::bankapi
