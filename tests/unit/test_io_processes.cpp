// io::in_processes: parts in forked children, their errors brought back to the caller.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <fmt/format.h>

#include <billrun/io/processes.hpp>

using namespace billrun;

namespace {

std::filesystem::path fresh_dir(const std::string& name)
{
    auto dir = std::filesystem::temp_directory_path() / fmt::format("billrun-unit-{}-{}", name, ::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

}  // namespace

TEST_CASE("in_processes runs every part once, the others in other processes")
{
    const auto dir = fresh_dir("parts");
    const pid_t self = ::getpid();
    auto r = io::in_processes(3, [&](unsigned part, unsigned parts) -> Result<void> {
        std::ofstream(dir / fmt::format("{}-of-{}", part, parts)) << (::getpid() == self ? "parent" : "child");
        return {};
    });
    REQUIRE(r);
    auto read = [&](const char* name) {
        std::ifstream in(dir / name);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    CHECK(read("0-of-3") == "parent");
    CHECK(read("1-of-3") == "child");
    CHECK(read("2-of-3") == "child");
    CHECK(std::distance(std::filesystem::directory_iterator(dir), {}) == 3);
    std::filesystem::remove_all(dir);
}

TEST_CASE("in_processes returns the error of the lowest failing part, code and message")
{
    auto r = io::in_processes(3, [](unsigned part, unsigned) -> Result<void> {
        if (part == 0) {
            return {};
        }
        return fail(part == 1 ? ErrorCode::data_invalid : ErrorCode::no_input, fmt::format("part {} failed", part));
    });
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::data_invalid);
    CHECK(r.error().message == "part 1 failed");
}

TEST_CASE("in_processes reports a child that dies of a signal as an internal error")
{
    auto r = io::in_processes(2, [](unsigned part, unsigned) -> Result<void> {
        if (part == 1) {
            ::raise(SIGKILL);
        }
        return {};
    });
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::internal);
    CHECK(r.error().message.find("signal 9") != std::string::npos);
}

TEST_CASE("in_processes with one part runs it here")
{
    const pid_t self = ::getpid();
    pid_t ran = 0;
    REQUIRE(io::in_processes(1, [&](unsigned, unsigned) -> Result<void> {
        ran = ::getpid();
        return {};
    }));
    CHECK(ran == self);
}
