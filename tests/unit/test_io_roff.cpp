#include <catch2/catch.hpp>

#include <billrun/io/roff.hpp>

using billrun::io::render_man;

TEST_CASE("render_man")
{
    SECTION("header, headings, filled text and footer")
    {
        auto text = render_man(".TH BILLRUN\\-X 1 \"2026-11-23\" \"billrun 0.1.0\" \"User Commands\"\n"
                               ".SH NAME\nbillrun\\-x \\- one\ntwo\n.SH \"SEE ALSO\"\n.BR billrun (1)\n",
                               40);
        CHECK(text == "BILLRUN-X(1) User Commands  BILLRUN-X(1)\n"
                      "\n"
                      "NAME\n"
                      "       billrun-x - one two\n"
                      "\n"
                      "SEE ALSO\n"
                      "       billrun(1)\n"
                      "\n"
                      "billrun 0.1.0  2026-11-23   BILLRUN-X(1)\n");
    }
    SECTION("lines fill up to the width and break between words")
    {
        auto text = render_man(".SH A\naaa bbb ccc ddd\neee\n", 20);
        CHECK(text.find("       aaa bbb ccc\n       ddd eee\n") != std::string::npos);
    }
    SECTION("a short tag shares the body's first line, a long one stands alone; .TQ adds one")
    {
        auto text = render_man(".SH A\n.TP\n.B \\-q\nquiet\n.TP\n.BR \\-\\-format \" yaml\"\nformat\n.TQ\n.B x\nmore\n", 78);
        CHECK(text.find("       -q     quiet\n\n       --format yaml\n              format\n       x      more\n") !=
              std::string::npos);
    }
    SECTION("escapes, glyphs, fonts and joined lines")
    {
        auto text = render_man(".SH A\n\\fBn\\fP\\['u]mero \\(lqa\\(rq \\e \\(aqx\\(aq\\&.\nfoo\\c\nbar a\\ b\n", 78);
        CHECK(text.find("       número “a” \\ 'x'. foobar a b\n") != std::string::npos);
    }
    SECTION(".RS indents, .EX keeps lines as they are, .IP bullets")
    {
        auto text = render_man(".SH A\n.RS\n.EX\na   b\n  c\n.EE\n.RE\n.IP \\(bu 3\nitem\n", 78);
        CHECK(text.find("              a   b\n                c\n\n       •  item\n") != std::string::npos);
    }
    SECTION("comments and unknown requests print nothing")
    {
        auto text = render_man(".\\\" a comment\n.SH A\n.nh\nword \\\" trailing\n", 78);
        CHECK(text.find("comment") == std::string::npos);
        CHECK(text.find("       word\n") != std::string::npos);
    }
}
