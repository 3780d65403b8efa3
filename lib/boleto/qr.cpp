#include "pdf_draw.hpp"

#include <qrencode.h>

#include <cstdint>
#include <memory>

namespace billrun::boleto::detail {

namespace {

constexpr int k_quiet_modules = 4;

struct QrFree {
    void operator()(QRcode* code) const { QRcode_free(code); }
};

struct SurfaceFree {
    void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};

}  // namespace

bool draw_qr(cairo_t* cr, const std::string& text, double x, double y, double size)
{
    const std::unique_ptr<QRcode, QrFree> code(QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
    if (!code) {
        return false;
    }
    const int n = code->width;
    const int pixels = n + 2 * k_quiet_modules;  // one pixel per module
    const std::unique_ptr<cairo_surface_t, SurfaceFree> image(
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, pixels, pixels));
    if (cairo_surface_status(image.get()) != CAIRO_STATUS_SUCCESS) {
        return false;
    }
    cairo_surface_flush(image.get());
    unsigned char* data = cairo_image_surface_get_data(image.get());
    const int stride = cairo_image_surface_get_stride(image.get());
    for (int py = 0; py < pixels; ++py) {
        auto* row = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(py) * stride);
        const int my = py - k_quiet_modules;
        for (int px = 0; px < pixels; ++px) {
            const int mx = px - k_quiet_modules;
            const bool dark = my >= 0 && my < n && mx >= 0 && mx < n
                && (code->data[static_cast<std::ptrdiff_t>(my) * n + mx] & 1U) != 0;
            row[px] = dark ? 0x000000U : 0xFFFFFFU;
        }
    }
    cairo_surface_mark_dirty(image.get());

    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, size / pixels, size / pixels);
    cairo_set_source_surface(cr, image.get(), 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_rectangle(cr, 0, 0, pixels, pixels);
    cairo_fill(cr);
    cairo_restore(cr);
    return true;
}

}  // namespace billrun::boleto::detail
