#pragma once
// Shared by the fuzz targets: the fuzzer's bytes as an io::Input (what the readers take) and
// a bound on how many records one input may yield, so a target never loops for long.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include <billrun/io/files.hpp>

namespace billrun::fuzz {

inline constexpr int k_max_records = 100000;

inline std::string_view bytes(const std::uint8_t* data, std::size_t size)
{
    return {reinterpret_cast<const char*>(data), size};
}

// `name` matters: the import sources pick CSV or YAML by its extension.
inline io::Input input(std::string name, std::string_view contents)
{
    io::Input in;
    in.name = std::move(name);
    in.owned = std::make_unique<std::istringstream>(std::string(contents));
    in.stream = in.owned.get();
    return in;
}

// Reads every record a reader yields (RetornoReader, StatementReader), up to k_max_records.
template <class Reader, class Record>
void drain(Reader& reader, Record& record)
{
    for (int n = 0; n < k_max_records; ++n) {
        auto got = reader.next(record);
        if (!got || !*got) {
            return;
        }
    }
}

}  // namespace billrun::fuzz
