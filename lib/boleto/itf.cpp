#include "pdf_draw.hpp"

#include <array>

namespace billrun::boleto::detail {

namespace {

// Widths of the five elements of each digit: 'w' wide, 'n' narrow.
constexpr std::array<std::string_view, 10> k_patterns = {
    "nnwwn", "wnnnw", "nwnnw", "wwnnn", "nnwnw", "wnwnn", "nwwnn", "nnnww", "wnnwn", "nwnwn",
};
constexpr double k_wide_ratio = 3.0;

}  // namespace

bool itf_encodable(std::string_view digits)
{
    if (digits.empty() || digits.size() % 2 != 0) {
        return false;
    }
    for (const char c : digits) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

void draw_itf(cairo_t* cr, std::string_view digits, double x, double y, double narrow, double height)
{
    const double wide = k_wide_ratio * narrow;
    // Two passes over the same elements: narrow bars, then wide bars.
    for (const bool wide_pass : {false, true}) {
        double at = x;
        auto element = [&](bool bar, bool is_wide) {
            const double width = is_wide ? wide : narrow;
            if (bar && is_wide == wide_pass) {
                cairo_move_to(cr, at + width / 2, y);
                cairo_line_to(cr, at + width / 2, y + height);
            }
            at += width;
        };
        for (int i = 0; i < 2; ++i) {
            element(true, false);
            element(false, false);
        }
        for (std::size_t i = 0; i + 1 < digits.size(); i += 2) {
            const std::string_view bars = k_patterns[static_cast<std::size_t>(digits[i] - '0')];
            const std::string_view spaces = k_patterns[static_cast<std::size_t>(digits[i + 1] - '0')];
            for (std::size_t e = 0; e < 5; ++e) {
                element(true, bars[e] == 'w');
                element(false, spaces[e] == 'w');
            }
        }
        element(true, true);
        element(false, false);
        element(true, false);
        cairo_set_line_width(cr, wide_pass ? wide : narrow);
        cairo_stroke(cr);
    }
}

}  // namespace billrun::boleto::detail
