#pragma once
// Private to lib/boleto: drawing the boleto page with cairo. pdf.cpp owns the document;
// pdf_layout.cpp lays out the page; itf.cpp and qr.cpp draw the two machine-read symbols.
#include <billrun/boleto/pdf.hpp>

#include <cairo.h>

#include <array>
#include <string>
#include <string_view>

namespace billrun::boleto::detail {

// A4 in millimetres; drawing code scales the cairo matrix so that one unit is 1 mm.
constexpr double k_pt_per_mm = 72.0 / 25.4;
constexpr double k_page_width = 210.0;
constexpr double k_page_height = 297.0;

using FontFaces = std::array<cairo_font_face_t*, 3>;  // regular, bold, monospace

// A page is its frame (rules, labels, fixed words: the same on every page, so the document
// records it once and every page refers to it) under the values of one boleto. The frame
// depends only on whether the slip has a PIX payload. cr's matrix is in millimetres. False
// when the QR code or the barcode image could not be made; cairo's own errors stay in cr's status.
enum class Layer { frame, values };
bool draw_page(cairo_t* cr, const FontFaces& faces, Layer layer, const Slip& slip);

// Interleaved 2 of 5 (FEBRABAN): an even number of digits, start 1010 (narrow bar, narrow
// space, twice), the pairs (first digit in the bars, second in the spaces), stop: wide bar,
// narrow space, narrow bar. Wide = 3 × narrow, so 44 digits take 405 × narrow. Drawn as an
// image one pixel tall with one pixel per narrow module, black bars on white, scaled without
// interpolation to `narrow` a pixel and `height` tall: one small image in the PDF instead of
// 114 bars of formatted coordinates. False when cairo cannot make the image.
bool itf_encodable(std::string_view digits);
bool draw_itf(cairo_t* cr, std::string_view digits, double x, double y, double narrow, double height);

// A QR code (level M, 8-bit) of `size` × `size` including a 4-module quiet zone, top left at
// (x, y): a one-bit image, one pixel per module, scaled without interpolation (one small
// image costs far less in the PDF than hundreds of rectangles). False when libqrencode
// cannot encode the text (too long, out of memory) or cairo cannot make the image.
bool draw_qr(cairo_t* cr, const std::string& text, double x, double y, double size);

}  // namespace billrun::boleto::detail
