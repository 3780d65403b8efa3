// Strings in YAML and JSON documents: escaped where they must be, copied whole elsewhere.
#include <catch2/catch.hpp>

#include <billrun/io/document.hpp>

using namespace billrun;

TEST_CASE("io::json_string")
{
    SECTION("nothing to escape")
    {
        CHECK(io::json_string("") == R"("")");
        CHECK(io::json_string("00190000090123456700000000117") == R"("00190000090123456700000000117")");
        CHECK(io::json_string("São Paulo") == "\"São Paulo\"");
    }
    SECTION("escapes at the start, in the middle, at the end and next to each other")
    {
        CHECK(io::json_string("\"a\"") == R"("\"a\"")");
        CHECK(io::json_string("a\\b") == R"("a\\b")");
        CHECK(io::json_string("\n\r\t") == R"("\n\r\t")");
        CHECK(io::json_string("linha\n2\x01") == R"("linha\n2\u0001")");
        CHECK(io::json_string(std::string_view("a\0b\x7f", 4)) == R"("a\u0000b\u007f")");
    }
}

TEST_CASE("io::yaml_scalar")
{
    CHECK(io::yaml_scalar("\tab\t") == R"("\tab\t")");
    CHECK(io::yaml_scalar("linha\n2\x01\"x\\") == R"("linha\n2\x01\"x\\")");
    CHECK(io::yaml_scalar("Rua das Acácias\n") == "\"Rua das Acácias\\n\"");
}
