#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <billrun/io/files.hpp>

namespace fs = std::filesystem;

namespace {

std::string read_all(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

unsigned mode_of(const fs::path& path)
{
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("billrun-files-" + std::to_string(::getpid()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("AtomicFile")
{
    TempDir dir;
    SECTION("the file gets exactly the mode asked for, whatever bits the umask would take")
    {
        for (unsigned mode : {0644U, 0600U, 0664U}) {
            const fs::path path = dir.path / ("m" + std::to_string(mode));
            auto file = billrun::io::AtomicFile::create(path, mode);
            REQUIRE(file);
            REQUIRE(file->write("data"));
            REQUIRE(file->commit(false));
            CHECK(mode_of(path) == mode);
            CHECK(read_all(path) == "data");
        }
    }
    SECTION("nothing under the final name before commit; a commit replaces a file that is there")
    {
        const fs::path path = dir.path / "a.eml";
        REQUIRE(billrun::io::write_file_atomic(path, "first"));
        auto file = billrun::io::AtomicFile::create(path, 0644);
        REQUIRE(file);
        REQUIRE(file->write("second, longer"));
        CHECK(read_all(path) == "first");
        REQUIRE(file->commit());
        CHECK(read_all(path) == "second, longer");
        CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
    }
    SECTION("a file never committed leaves nothing behind")
    {
        {
            auto file = billrun::io::AtomicFile::create(dir.path / "gone.eml", 0644);
            REQUIRE(file);
            REQUIRE(file->write("half"));
        }
        CHECK(fs::is_empty(dir.path));
    }
}
