#include "pdf_draw.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace billrun::boleto::detail {

namespace {

// Widths of the five elements of each digit: 'w' wide, 'n' narrow.
constexpr std::array<std::string_view, 10> k_patterns = {
    "nnwwn", "wnnnw", "nwnnw", "wwnnn", "nnwnw", "wnwnn", "nwwnn", "nnnww", "wnnwn", "nwnwn",
};
constexpr std::size_t k_wide_modules = 3;  // wide = 3 × narrow

struct SurfaceFree {
    void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};

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

bool draw_itf(cairo_t* cr, std::string_view digits, double x, double y, double narrow, double height)
{
    // The modules, left to right: true for a bar.
    std::vector<bool> modules;
    modules.reserve(9 * digits.size() + 8);
    auto element = [&](bool bar, bool is_wide) { modules.insert(modules.end(), is_wide ? k_wide_modules : 1, bar); };
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

    const auto width = static_cast<int>(modules.size());
    const std::unique_ptr<cairo_surface_t, SurfaceFree> image(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, 1));
    if (cairo_surface_status(image.get()) != CAIRO_STATUS_SUCCESS) {
        return false;
    }
    cairo_surface_flush(image.get());
    auto* row = reinterpret_cast<std::uint32_t*>(cairo_image_surface_get_data(image.get()));
    for (int px = 0; px < width; ++px) {
        row[px] = modules[static_cast<std::size_t>(px)] ? 0x000000U : 0xFFFFFFU;
    }
    cairo_surface_mark_dirty(image.get());

    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, narrow, height);
    cairo_set_source_surface(cr, image.get(), 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_rectangle(cr, 0, 0, width, 1);
    cairo_fill(cr);
    cairo_restore(cr);
    return true;
}

}  // namespace billrun::boleto::detail
