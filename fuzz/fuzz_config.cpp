// billrun.yaml: the YAML, every key's validation with its place, the dunning steps and the
// template files the config names (written once next to the fuzzed file, as `init` does).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <billrun/config/config.hpp>

#include "fuzz_input.hpp"

namespace {

std::filesystem::path g_file;

void remove_dir()
{
    std::error_code ec;
    std::filesystem::remove_all(g_file.parent_path(), ec);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    std::string pattern = (std::filesystem::temp_directory_path() / "billrun-fuzz-config-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        std::abort();
    }
    std::filesystem::path dir(pattern);
    for (const auto& [path, text] : billrun::config::init_template_files()) {
        std::filesystem::create_directories((dir / path).parent_path());
        std::ofstream(dir / path, std::ios::binary) << text;
    }
    g_file = dir / "billrun.yaml";
    std::atexit(remove_dir);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    {
        std::ofstream out(g_file, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    (void)billrun::config::load_config(g_file);
    return 0;
}
