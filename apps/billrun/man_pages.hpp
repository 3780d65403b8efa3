#pragma once
// The man pages (man/*.1, man/*.5) compiled into the binary for `billrun help`, generated
// by cmake/embed_files.cmake at build time, so help needs no installed file.
#include <span>
#include <string_view>

namespace billrun::app {

struct ManPage {
    std::string_view name;  // "billrun-report.1"
    std::string_view text;  // its roff source
};

std::span<const ManPage> embedded_man_pages();

}  // namespace billrun::app
