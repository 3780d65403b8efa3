#include <billrun/core/text.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace billrun;

TEST_CASE("utf8_sequence_length")
{
    SECTION("valid sequences")
    {
        CHECK(utf8_sequence_length("a") == 1);
        CHECK(utf8_sequence_length(std::string_view("\0", 1)) == 1);
        CHECK(utf8_sequence_length("\xC3\xA7") == 2);          // ç
        CHECK(utf8_sequence_length("\xC2\x80") == 2);          // U+0080
        CHECK(utf8_sequence_length("\xDF\xBF") == 2);          // U+07FF
        CHECK(utf8_sequence_length("\xE0\xA0\x80") == 3);      // U+0800
        CHECK(utf8_sequence_length("\xE2\x82\xAC") == 3);      // €
        CHECK(utf8_sequence_length("\xED\x9F\xBF") == 3);      // U+D7FF
        CHECK(utf8_sequence_length("\xEE\x80\x80") == 3);      // U+E000
        CHECK(utf8_sequence_length("\xEF\xBF\xBF") == 3);      // U+FFFF
        CHECK(utf8_sequence_length("\xF0\x90\x80\x80") == 4);  // U+10000
        CHECK(utf8_sequence_length("\xF0\x9F\x98\x80") == 4);  // emoji
        CHECK(utf8_sequence_length("\xF4\x8F\xBF\xBF") == 4);  // U+10FFFF
        CHECK(utf8_sequence_length("\xC3\xA7rest") == 2);
    }
    SECTION("empty and truncated")
    {
        CHECK(utf8_sequence_length("") == 0);
        CHECK(utf8_sequence_length("\xC3") == 0);
        CHECK(utf8_sequence_length("\xE2\x82") == 0);
        CHECK(utf8_sequence_length("\xF0\x9F\x98") == 0);
        CHECK(utf8_sequence_length("\xC3" "a") == 0);
        CHECK(utf8_sequence_length("\xE2\x82" "a") == 0);
    }
    SECTION("stray bytes")
    {
        CHECK(utf8_sequence_length("\x80") == 0);
        CHECK(utf8_sequence_length("\xBF") == 0);
        CHECK(utf8_sequence_length("\xFE") == 0);
        CHECK(utf8_sequence_length("\xFF") == 0);
    }
    SECTION("overlongs")
    {
        CHECK(utf8_sequence_length("\xC0\xAF") == 0);
        CHECK(utf8_sequence_length("\xC1\xBF") == 0);
        CHECK(utf8_sequence_length("\xE0\x80\xAF") == 0);
        CHECK(utf8_sequence_length("\xE0\x9F\xBF") == 0);
        CHECK(utf8_sequence_length("\xF0\x80\x80\xAF") == 0);
        CHECK(utf8_sequence_length("\xF0\x8F\xBF\xBF") == 0);
    }
    SECTION("surrogates")
    {
        CHECK(utf8_sequence_length("\xED\xA0\x80") == 0);  // U+D800
        CHECK(utf8_sequence_length("\xED\xBF\xBF") == 0);  // U+DFFF
    }
    SECTION("beyond U+10FFFF")
    {
        CHECK(utf8_sequence_length("\xF4\x90\x80\x80") == 0);
        CHECK(utf8_sequence_length("\xF5\x80\x80\x80") == 0);
        CHECK(utf8_sequence_length("\xF7\xBF\xBF\xBF") == 0);
    }
}

TEST_CASE("is_valid_utf8")
{
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain ascii"));
    CHECK(is_valid_utf8("Raz\xC3\xA3o Social \xE2\x82\xAC \xF0\x9F\x98\x80"));
    CHECK_FALSE(is_valid_utf8("Raz\xE3o"));  // Windows-1252 ã
    CHECK_FALSE(is_valid_utf8("abc\xC3"));
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));
    CHECK_FALSE(is_valid_utf8("ok\xC0\x80"));
}

TEST_CASE("append_cp1252_as_utf8")
{
    SECTION("ASCII passes through and output is appended")
    {
        std::string out = "x";
        CHECK(append_cp1252_as_utf8("abc,123", out));
        CHECK(out == "xabc,123");
    }
    SECTION("Latin-1 range")
    {
        std::string out;
        CHECK(append_cp1252_as_utf8("Raz\xE3o \xC7\xE9", out));
        CHECK(out == "Raz\xC3\xA3o \xC3\x87\xC3\xA9");
        out.clear();
        CHECK(append_cp1252_as_utf8("\xA0\xFF", out));
        CHECK(out == "\xC2\xA0\xC3\xBF");
    }
    SECTION("the 0x80..0x9F table")
    {
        const std::string in =
            "\x80\x82\x83\x84\x85\x86\x87\x88\x89\x8A\x8B\x8C\x8E"
            "\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9A\x9B\x9C\x9E\x9F";
        std::string out;
        CHECK(append_cp1252_as_utf8(in, out));
        CHECK(out ==
              "\xE2\x82\xAC"    // € U+20AC
              "\xE2\x80\x9A"    // ‚ U+201A
              "\xC6\x92"        // ƒ U+0192
              "\xE2\x80\x9E"    // „ U+201E
              "\xE2\x80\xA6"    // … U+2026
              "\xE2\x80\xA0"    // † U+2020
              "\xE2\x80\xA1"    // ‡ U+2021
              "\xCB\x86"        // ˆ U+02C6
              "\xE2\x80\xB0"    // ‰ U+2030
              "\xC5\xA0"        // Š U+0160
              "\xE2\x80\xB9"    // ‹ U+2039
              "\xC5\x92"        // Œ U+0152
              "\xC5\xBD"        // Ž U+017D
              "\xE2\x80\x98"    // ' U+2018
              "\xE2\x80\x99"    // ' U+2019
              "\xE2\x80\x9C"    // " U+201C
              "\xE2\x80\x9D"    // " U+201D
              "\xE2\x80\xA2"    // • U+2022
              "\xE2\x80\x93"    // – U+2013
              "\xE2\x80\x94"    // — U+2014
              "\xCB\x9C"        // ˜ U+02DC
              "\xE2\x84\xA2"    // ™ U+2122
              "\xC5\xA1"        // š U+0161
              "\xE2\x80\xBA"    // › U+203A
              "\xC5\x93"        // œ U+0153
              "\xC5\xBE"        // ž U+017E
              "\xC5\xB8");      // Ÿ U+0178
        CHECK(is_valid_utf8(out));
    }
    SECTION("every byte decodes to valid UTF-8")
    {
        std::string all;
        for (int b = 0; b < 256; ++b) {
            all.push_back(static_cast<char>(b));
        }
        std::string out;
        CHECK_FALSE(append_cp1252_as_utf8(all, out));
        CHECK(is_valid_utf8(out));
    }
    SECTION("undefined bytes")
    {
        for (const char* undefined : {"\x81", "\x8D", "\x8F", "\x90", "\x9D"}) {
            std::string out;
            CHECK_FALSE(append_cp1252_as_utf8(std::string("a") + undefined + "b", out));
            CHECK(out == "a\xEF\xBF\xBD" "b");
        }
    }
}

TEST_CASE("fold_key")
{
    SECTION("documented examples")
    {
        CHECK(fold_key("Raz\xC3\xA3o Social") == "razaosocial");
        CHECK(fold_key("CPF/CNPJ") == "cpfcnpj");
    }
    SECTION("case and dropped punctuation")
    {
        CHECK(fold_key("E-mail") == "email");
        CHECK(fold_key("unit_price") == "unitprice");
        CHECK(fold_key("Nosso N\xC3\xBAmero") == "nossonumero");
        CHECK(fold_key("Qtd.") == "qtd");
        CHECK(fold_key(" Valor  Unit\xC3\xA1rio ") == "valorunitario");
        CHECK(fold_key("C\xC3\xB3" "digo IBGE") == "codigoibge");
        CHECK(fold_key("") == "");
    }
    SECTION("accents of the Latin-1 range, both cases")
    {
        CHECK(fold_key("\xC3\xA1\xC3\xA0\xC3\xA2\xC3\xA3\xC3\xA4\xC3\xA5") == "aaaaaa");
        CHECK(fold_key("\xC3\x81\xC3\x80\xC3\x82\xC3\x83\xC3\x84\xC3\x85") == "aaaaaa");
        CHECK(fold_key("\xC3\xA7\xC3\x87") == "cc");
        CHECK(fold_key("\xC3\xA9\xC3\xA8\xC3\xAA\xC3\xAB\xC3\x89\xC3\x8A") == "eeeeee");
        CHECK(fold_key("\xC3\xAD\xC3\xAC\xC3\xAE\xC3\xAF\xC3\x8D") == "iiiii");
        CHECK(fold_key("\xC3\xB3\xC3\xB4\xC3\xB5\xC3\xB6\xC3\xB2\xC3\xB8"
                       "\xC3\x93\xC3\x94\xC3\x95") == "ooooooooo");
        CHECK(fold_key("\xC3\xBA\xC3\xB9\xC3\xBB\xC3\xBC\xC3\x9A\xC3\x9C") == "uuuuuu");
        CHECK(fold_key("\xC3\xB1\xC3\x91") == "nn");
        CHECK(fold_key("\xC3\xBD\xC3\xBF\xC3\x9D") == "yyy");
        CHECK(fold_key("INSCRI\xC3\x87\xC3\x83O MUNICIPAL") == "inscricaomunicipal");
    }
    SECTION("letters without a plain form are lower-cased and kept")
    {
        CHECK(fold_key("\xC3\x86") == "\xC3\xA6");  // Æ -> æ
        CHECK(fold_key("\xC3\x9E") == "\xC3\xBE");  // Þ -> þ
        CHECK(fold_key("\xC3\x9F") == "\xC3\x9F");  // ß
        CHECK(fold_key("\xC3\x97\xC3\xB7") == "\xC3\x97\xC3\xB7");  // × ÷
    }
    SECTION("byte order mark and no-break space are dropped")
    {
        CHECK(fold_key("\xEF\xBB\xBFid") == "id");
        CHECK(fold_key("Raz\xC3\xA3o\xC2\xA0Social") == "razaosocial");
    }
    SECTION("other characters are kept as they are")
    {
        CHECK(fold_key("a\xE2\x82\xAC" "b") == "a\xE2\x82\xAC" "b");
        CHECK(fold_key("valor (R$)") == "valor(r$)");
        CHECK(fold_key("\xC2\xBA") == "\xC2\xBA");  // º
        CHECK(fold_key("\xC3") == "\xC3");          // truncated byte passes through
        CHECK(fold_key("\xE3o") == "\xE3o");        // not UTF-8: unchanged
    }
}

TEST_CASE("trim")
{
    CHECK(trim("  a b  ") == "a b");
    CHECK(trim("\t\r\nvalue\r\n") == "value");
    CHECK(trim("") == "");
    CHECK(trim(" \t\r\n ") == "");
    CHECK(trim("x") == "x");
    CHECK(trim("\xC2\xA0x") == "\xC2\xA0x");  // only ASCII blanks
}

TEST_CASE("for_terminal")
{
    CHECK(for_terminal("plain: Raz\xC3\xA3o \xE2\x82\xAC 10\n\tnext") == "plain: Raz\xC3\xA3o \xE2\x82\xAC 10\n\tnext");
    CHECK(for_terminal("a\x1b[2Jb") == "a\\x1b[2Jb");           // ESC: no screen clearing
    CHECK(for_terminal(std::string_view("\0\r\x7f", 3)) == "\\x00\\x0d\\x7f");
    CHECK(for_terminal("\xC2\x9B" "31m") == "\\xc2\\x9b31m");     // C1 CSI
    CHECK(for_terminal("\xC2\xA0") == "\xC2\xA0");               // no-break space is text
    CHECK(for_terminal("\xE3o") == "\\xe3o");                    // Latin-1 byte, not UTF-8
    CHECK(for_terminal("\xF0\x9F") == "\\xf0\\x9f");             // truncated sequence
    CHECK(for_terminal("C:\\dir") == "C:\\dir");
}

TEST_CASE("is_digits")
{
    CHECK(is_digits("0123456789"));
    CHECK_FALSE(is_digits(""));
    CHECK_FALSE(is_digits("12 3"));
    CHECK_FALSE(is_digits("12a"));
    CHECK_FALSE(is_digits("\xD9\xA3"));  // an Arabic-Indic digit is not ASCII
}
