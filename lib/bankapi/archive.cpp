#include "archive.hpp"

#include <cstdint>

#include <zlib.h>

namespace billrun::bankapi {

namespace {

std::uint32_t le(std::string_view bytes, std::size_t at, int n)
{
    std::uint32_t v = 0;
    for (int i = n - 1; i >= 0; --i) {
        v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
    }
    return v;
}

std::optional<std::string> inflate_raw(std::string_view in, std::size_t size)
{
    if (size == 0) {
        return std::string();
    }
    std::string out(size, '\0');
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) {
        return std::nullopt;
    }
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_FINISH);
    const bool whole = rc == Z_STREAM_END && z.total_out == size;
    inflateEnd(&z);
    return whole ? std::optional<std::string>(std::move(out)) : std::nullopt;
}

}  // namespace

std::optional<std::string> latin1_from_utf8(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if ((c == 0xC2 || c == 0xC3) && i + 1 < text.size() &&
                   (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
            out += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F));
            ++i;
        } else {
            return std::nullopt;
        }
    }
    return out;
}

std::optional<std::vector<ZipEntry>> unzip(std::string_view zip, std::size_t limit)
{
    constexpr std::size_t k_end_size = 22;
    if (zip.size() < k_end_size) {
        return std::nullopt;
    }
    // The end of central directory record: last, followed by a comment of at most 64 KiB.
    std::size_t end = std::string_view::npos;
    const std::size_t lowest = zip.size() > k_end_size + 0xFFFF ? zip.size() - k_end_size - 0xFFFF : 0;
    for (std::size_t at = zip.size() - k_end_size + 1; at-- > lowest;) {
        if (le(zip, at, 4) == 0x06054b50) {
            end = at;
            break;
        }
    }
    if (end == std::string_view::npos) {
        return std::nullopt;
    }
    const std::size_t count = le(zip, end + 10, 2);
    std::size_t at = le(zip, end + 16, 4);
    std::vector<ZipEntry> out;
    for (std::size_t i = 0; i < count; ++i) {
        if (at + 46 > end || le(zip, at, 4) != 0x02014b50) {
            return std::nullopt;
        }
        const std::uint32_t method = le(zip, at + 10, 2);
        const std::size_t packed = le(zip, at + 20, 4);
        const std::size_t size = le(zip, at + 24, 4);
        const std::size_t name_size = le(zip, at + 28, 2);
        const std::size_t skip = name_size + le(zip, at + 30, 2) + le(zip, at + 32, 2);
        const std::size_t local = le(zip, at + 42, 4);
        if (at + 46 + name_size > end || local + 30 > zip.size() || le(zip, local, 4) != 0x04034b50 || size > limit) {
            return std::nullopt;
        }
        ZipEntry entry;
        entry.name = std::string(zip.substr(at + 46, name_size));
        const std::size_t data = local + 30 + le(zip, local + 26, 2) + le(zip, local + 28, 2);
        if (data + packed > zip.size()) {
            return std::nullopt;
        }
        std::string_view bytes = zip.substr(data, packed);
        if (method == 0 && packed == size) {
            entry.data = std::string(bytes);
        } else if (method == 8) {
            auto inflated = inflate_raw(bytes, size);
            if (!inflated) {
                return std::nullopt;
            }
            entry.data = std::move(*inflated);
        } else {
            return std::nullopt;
        }
        out.push_back(std::move(entry));
        at += 46 + skip;
    }
    return out;
}

}  // namespace billrun::bankapi
