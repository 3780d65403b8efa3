#include "pdf_draw.hpp"

#include <billrun/core/text.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <vector>

#include <fmt/format.h>

namespace billrun::boleto::detail {

namespace {

// Millimetres from the page's left edge.
constexpr double k_left = 10.0;
constexpr double k_right = 200.0;

// The ITF barcode: narrow module 0.254 mm, wide 3×, 13 mm tall, 12 mm from the left edge;
// 44 digits make 405 modules, 102.9 mm.
constexpr double k_itf_narrow = 0.254;
constexpr double k_itf_height = 13.0;
constexpr double k_itf_left = 12.0;

constexpr double k_qr_size = 38.0;  // including the 4-module quiet zone

// Font sizes in points.
constexpr double k_label_pt = 5.5;
constexpr double k_value_pt = 8.0;
constexpr double k_thin = 0.2;   // cell borders, mm
constexpr double k_thick = 0.6;  // the bank-code box and the header rule, mm

enum class Face { regular, bold, mono };  // the order of FontFaces
enum class Align { left, center, right };

double mm_from_pt(double pt)
{
    return pt / k_pt_per_mm;
}

// Valid UTF-8 without control characters: cairo puts its context in an error state on
// invalid UTF-8, which would end the whole document.
std::string printable(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const int length = utf8_sequence_length(text);
        if (length == 0) {
            out.push_back('?');
            text.remove_prefix(1);
            continue;
        }
        if (length == 1 && static_cast<unsigned char>(text[0]) < 0x20U) {
            out.push_back(' ');
        } else {
            out.append(text.substr(0, static_cast<std::size_t>(length)));
        }
        text.remove_prefix(static_cast<std::size_t>(length));
    }
    return out;
}

std::string format_date(Date date)
{
    return fmt::format("{:02}/{:02}/{:04}", date.day(), date.month(), date.year());
}

// "1.234,56"
std::string format_brl(Centavos value)
{
    const bool negative = value < 0;
    const auto raw = static_cast<std::uint64_t>(value);
    const std::uint64_t magnitude = negative ? 0 - raw : raw;
    const std::string units = std::to_string(magnitude / 100);
    std::string out = negative ? "-" : "";
    for (std::size_t i = 0; i < units.size(); ++i) {
        if (i > 0 && (units.size() - i) % 3 == 0) {
            out.push_back('.');
        }
        out.push_back(units[i]);
    }
    return fmt::format("{},{:02}", out, magnitude % 100);
}

// "00190.00009 01238.798977 77700.168188 3 37690000013500"; other lengths as given.
std::string format_linha_local(std::string_view linha)
{
    if (linha.size() != 47) {
        return std::string(linha);
    }
    return fmt::format("{}.{} {}.{} {}.{} {} {}", linha.substr(0, 5), linha.substr(5, 5), linha.substr(10, 5),
                       linha.substr(15, 6), linha.substr(21, 5), linha.substr(26, 6), linha.substr(32, 1),
                       linha.substr(33));
}

// Draws one layer on a cairo context whose matrix is in millimetres.
class Painter {
public:
    Painter(cairo_t* cr, const FontFaces& faces, Layer layer)
        : m_cr(cr), m_faces(faces), m_frame(layer == Layer::frame) {}

    bool frame() const { return m_frame; }

    // A boleto's value: text with its baseline at y, squeezed horizontally when wider than
    // max_width (> 0).
    void text(std::string_view utf8, double x, double y, double pt, Face face = Face::regular,
              Align align = Align::left, double max_width = 0) const
    {
        if (!m_frame) {
            show(utf8, x, y, pt, face, align, max_width);
        }
    }

    // Words of the frame.
    void fixed(std::string_view utf8, double x, double y, double pt, Face face = Face::regular,
               Align align = Align::left) const
    {
        if (m_frame) {
            show(utf8, x, y, pt, face, align, 0);
        }
    }

    // A bordered cell: a small label at the top left (frame), the value on the bottom line.
    void cell(double x, double y, double w, double h, std::string_view label, std::string_view value = {},
              Align align = Align::left, Face face = Face::regular) const
    {
        if (m_frame) {
            m_boxes.push_back({x, y, w, h});
            show(label, x + 0.8, y + 2.2, k_label_pt, Face::regular, Align::left, w - 1.6);
            return;
        }
        const double vx = align == Align::right ? x + w - 1.2 : x + 1.2;
        show(value, vx, y + h - 1.4, k_value_pt, face, align, w - 2.4);
    }

    // A bordered cell with the value on a first line and smaller text on a second.
    void two_lines(double x, double y, double w, double h, std::string_view label, std::string_view first,
                   std::string_view second) const
    {
        cell(x, y, w, h, label);
        text(first, x + 1.2, y + 5.4, k_value_pt, Face::regular, Align::left, w - 2.4);
        text(second, x + 1.2, y + h - 1.3, 6.5, Face::regular, Align::left, w - 2.4);
    }

    // Strokes the borders of the cells drawn since the last call, in one path: the grid's
    // lines, each shared edge once and each run of edges along a line as one segment (a
    // coordinate pair each end in the PDF, where rectangles took four corners each).
    // Square caps fill the corners as the rectangles' joins did.
    void stroke_cells(double width) const
    {
        if (!m_frame) {
            return;
        }
        std::vector<Edge> across;  // y, x from, x to
        std::vector<Edge> down;    // x, y from, y to
        for (const auto& box : m_boxes) {
            across.push_back({box.y, box.x, box.x + box.width});
            across.push_back({box.y + box.height, box.x, box.x + box.width});
            down.push_back({box.x, box.y, box.y + box.height});
            down.push_back({box.x + box.width, box.y, box.y + box.height});
        }
        m_boxes.clear();
        for (const auto& edge : merged(across)) {
            cairo_move_to(m_cr, edge.from, edge.at);
            cairo_line_to(m_cr, edge.to, edge.at);
        }
        for (const auto& edge : merged(down)) {
            cairo_move_to(m_cr, edge.at, edge.from);
            cairo_line_to(m_cr, edge.at, edge.to);
        }
        cairo_save(m_cr);
        cairo_set_line_cap(m_cr, CAIRO_LINE_CAP_SQUARE);
        cairo_set_line_width(m_cr, width);
        cairo_stroke(m_cr);
        cairo_restore(m_cr);
    }

    void line(double x0, double y0, double x1, double y1, double width) const
    {
        if (m_frame) {
            cairo_move_to(m_cr, x0, y0);
            cairo_line_to(m_cr, x1, y1);
            cairo_set_line_width(m_cr, width);
            cairo_stroke(m_cr);
        }
    }

    cairo_t* cr() const { return m_cr; }
    void fail() const { m_ok = false; }
    bool ok() const { return m_ok; }

private:
    // What cairo_text_extents and cairo_show_text do, with the text turned into glyphs once
    // instead of twice (each time a fontconfig lookup a character).
    void show(std::string_view utf8, double x, double y, double pt, Face face, Align align, double max_width) const
    {
        if (utf8.empty()) {
            return;
        }
        const std::string s = printable(utf8);
        cairo_set_font_face(m_cr, m_faces[static_cast<std::size_t>(face)]);
        cairo_set_font_size(m_cr, mm_from_pt(pt));
        cairo_scaled_font_t* font = cairo_get_scaled_font(m_cr);
        Glyphs run;
        if (!run.make(font, s)) {
            cairo_show_text(m_cr, s.c_str());  // puts cairo's error on the context
            return;
        }
        double width = 0;
        if (align != Align::left || max_width > 0) {
            cairo_text_extents_t extents;
            cairo_scaled_font_glyph_extents(font, run.glyphs, run.glyph_count, &extents);
            width = extents.x_advance;
        }
        double scale = 1.0;
        if (max_width > 0 && width > max_width) {
            scale = max_width / width;
            width = max_width;
        }
        if (align == Align::right) {
            x -= width;
        } else if (align == Align::center) {
            x -= width / 2;
        }
        if (scale < 1.0) {
            cairo_save(m_cr);
            cairo_translate(m_cr, x, y);
            cairo_scale(m_cr, scale, 1.0);
            run.show(m_cr, s);
            cairo_restore(m_cr);
        } else {
            run.move(x, y);
            run.show(m_cr, s);
        }
    }

    // A text's glyphs from its origin, and the clusters that map them back to its characters
    // (the PDF's text layer). Small texts fit the buffers here; cairo allocates for longer ones.
    struct Glyphs {
        static constexpr int k_buffered = 128;
        std::array<cairo_glyph_t, k_buffered> glyph_buffer;
        std::array<cairo_text_cluster_t, k_buffered> cluster_buffer;
        cairo_glyph_t* glyphs = glyph_buffer.data();
        cairo_text_cluster_t* clusters = cluster_buffer.data();
        int glyph_count = k_buffered;
        int cluster_count = k_buffered;
        cairo_text_cluster_flags_t flags = {};

        Glyphs() = default;
        Glyphs(const Glyphs&) = delete;
        Glyphs& operator=(const Glyphs&) = delete;
        ~Glyphs()
        {
            if (glyphs != glyph_buffer.data()) {
                cairo_glyph_free(glyphs);
            }
            if (clusters != cluster_buffer.data()) {
                cairo_text_cluster_free(clusters);
            }
        }

        void move(double dx, double dy)
        {
            for (int i = 0; i < glyph_count; ++i) {
                glyphs[i].x += dx;
                glyphs[i].y += dy;
            }
        }

        void show(cairo_t* cr, const std::string& utf8) const
        {
            cairo_show_text_glyphs(cr, utf8.data(), static_cast<int>(utf8.size()), glyphs, glyph_count, clusters,
                                   cluster_count, flags);
        }

        bool make(cairo_scaled_font_t* font, const std::string& utf8)
        {
            return cairo_scaled_font_text_to_glyphs(font, 0, 0, utf8.data(), static_cast<int>(utf8.size()), &glyphs,
                                                    &glyph_count, &clusters, &cluster_count, &flags)
                == CAIRO_STATUS_SUCCESS;
        }
    };

    cairo_t* m_cr;
    FontFaces m_faces;
    bool m_frame;
    mutable std::vector<cairo_rectangle_t> m_boxes;

    // A stretch of a grid line: from `from` to `to` along the line at `at`.
    struct Edge {
        double at;
        double from;
        double to;
    };

    // Edges on the same line that overlap or touch, joined. Coordinates are rounded to the
    // micrometre first: cell positions are sums of widths, equal only to rounding.
    static std::vector<Edge> merged(std::vector<Edge> edges)
    {
        const auto um = [](double mm) { return std::round(mm * 1000) / 1000; };
        for (auto& edge : edges) {
            edge = {um(edge.at), um(edge.from), um(edge.to)};
        }
        std::sort(edges.begin(), edges.end(),
                  [](const Edge& a, const Edge& b) { return std::tie(a.at, a.from) < std::tie(b.at, b.from); });
        std::vector<Edge> out;
        for (const auto& edge : edges) {
            if (!out.empty() && out.back().at == edge.at && edge.from <= out.back().to) {
                out.back().to = std::max(out.back().to, edge.to);
            } else {
                out.push_back(edge);
            }
        }
        return out;
    }
    mutable bool m_ok = true;
};

std::string party(std::string_view name, std::string_view tax_id)
{
    if (tax_id.empty()) {
        return std::string(name);
    }
    return fmt::format("{}   CPF/CNPJ: {}", name, tax_id);
}

std::string joined(const std::vector<std::string>& lines)
{
    std::string out;
    for (const auto& line : lines) {
        if (line.empty()) {
            continue;
        }
        if (!out.empty()) {
            out += " - ";
        }
        out += line;
    }
    return out;
}

// Bank name | bold code box | right-hand text, 10 mm tall, ruled underneath.
void draw_header(const Painter& p, const Slip& slip, double y, std::string_view right_text = {},
                 double right_pt = 0)
{
    p.text(slip.bank_name, k_left, y + 7.5, 10, Face::bold, Align::left, 40);
    p.line(52, y + 2.5, 52, y + 10, k_thick);
    p.line(72, y + 2.5, 72, y + 10, k_thick);
    p.text(slip.bank_code_dv, 62, y + 8.3, 14, Face::bold, Align::center, 18);
    p.text(right_text, k_right, y + 8.0, right_pt, Face::bold, Align::right, k_right - 74);
    p.line(k_left, y + 10, k_right, y + 10, k_thick);
}

// The QR code with its caption and the copia e cola text below, centred on cx.
void draw_pix(const Painter& p, const std::string& payload, double cx, double y)
{
    p.fixed("Pague com PIX", cx, y + 3.0, 9, Face::bold, Align::center);
    double line_y = y + 4.0 + k_qr_size + 2.5;
    p.fixed("PIX copia e cola:", cx - k_qr_size / 2 - 2, line_y, k_label_pt);
    if (!p.frame() && !draw_qr(p.cr(), payload, cx - k_qr_size / 2, y + 4.0, k_qr_size)) {
        p.fail();
    }
    constexpr std::size_t k_per_line = 40;
    for (std::size_t at = 0; at < payload.size() && at < 6 * k_per_line; at += k_per_line) {
        line_y += 2.1;
        p.text(std::string_view(payload).substr(at, k_per_line), cx - k_qr_size / 2 - 2, line_y, 5, Face::mono,
               Align::left, k_qr_size + 4);
    }
}

// The payer's receipt at the top of the page.
void draw_receipt(const Painter& p, const Slip& slip)
{
    double y = 10.0;
    draw_header(p, slip, y);
    p.fixed("Recibo do Pagador", k_right, y + 8.0, 10, Face::bold, Align::right);
    y += 10;

    const bool pix = !slip.pix_payload.empty();
    const double right = pix ? 152.0 : k_right;
    const double w = right - k_left;
    const double third = w / 3;

    p.two_lines(k_left, y, w, 11, "Beneficiário", party(slip.beneficiary_name, slip.beneficiary_tax_id),
                slip.beneficiary_address);
    y += 11;
    p.cell(k_left, y, third, 8, "Agência / Código do Beneficiário", slip.beneficiary_code);
    p.cell(k_left + third, y, third, 8, "Nosso número", slip.nosso_numero);
    p.cell(k_left + 2 * third, y, third, 8, "Nº do documento", slip.document_number);
    y += 8;
    p.cell(k_left, y, third, 8, "Vencimento", format_date(slip.due_date), Align::left, Face::bold);
    p.cell(k_left + third, y, third, 8, "Data do documento", format_date(slip.document_date));
    p.cell(k_left + 2 * third, y, third, 8, "(=) Valor do documento", format_brl(slip.amount), Align::right,
           Face::bold);
    y += 8;
    p.two_lines(k_left, y, w, 11, "Pagador", party(slip.payer_name, slip.payer_tax_id), joined(slip.payer_address));
    y += 11;
    p.cell(k_left, y, w, 8, "Linha digitável", format_linha_local(slip.linha_digitavel), Align::left, Face::bold);
    y += 8;
    p.stroke_cells(k_thin);
    p.fixed("Autenticação mecânica", right, y + 3.0, 6, Face::regular, Align::right);

    if (pix) {
        draw_pix(p, slip.pix_payload, (right + k_right) / 2 + 1, 20.5);
    }
}

void draw_cut_line(const Painter& p, double y)
{
    if (!p.frame()) {
        return;
    }
    cairo_t* cr = p.cr();
    p.fixed("Corte na linha pontilhada", k_right, y - 1.0, 6, Face::regular, Align::right);
    const std::array<double, 2> dash = {1.5, 1.0};
    cairo_set_dash(cr, dash.data(), static_cast<int>(dash.size()), 0);
    p.line(k_left - 4, y, k_right + 4, y, k_thin);
    cairo_set_dash(cr, nullptr, 0, 0);
}

// The ficha de compensação, FEBRABAN grid, ending with the barcode at the bottom.
void draw_ficha(const Painter& p, const Slip& slip, double y)
{
    draw_header(p, slip, y, format_linha_local(slip.linha_digitavel), 11);
    y += 10;

    constexpr double mid = 148.0;  // the right-hand column: 148..200
    constexpr double lw = mid - k_left;
    constexpr double rw = k_right - mid;

    p.cell(k_left, y, lw, 7.5, "Local de pagamento", slip.payment_place);
    p.cell(mid, y, rw, 7.5, "Vencimento", format_date(slip.due_date), Align::right, Face::bold);
    y += 7.5;

    p.two_lines(k_left, y, lw, 10, "Beneficiário", party(slip.beneficiary_name, slip.beneficiary_tax_id),
                slip.beneficiary_address);
    p.cell(mid, y, rw, 10, "Agência / Código do Beneficiário", slip.beneficiary_code, Align::right);
    y += 10;

    p.cell(k_left, y, 28, 7.5, "Data do documento", format_date(slip.document_date));
    p.cell(38, y, 40, 7.5, "Nº do documento", slip.document_number);
    p.cell(78, y, 20, 7.5, "Espécie doc.", slip.species);
    p.cell(98, y, 14, 7.5, "Aceite", "N");
    p.cell(112, y, mid - 112, 7.5, "Data processamento", format_date(slip.processing_date));
    p.cell(mid, y, rw, 7.5, "Nosso número", slip.nosso_numero, Align::right);
    y += 7.5;

    p.cell(k_left, y, 28, 7.5, "Uso do banco");
    p.cell(38, y, 22, 7.5, "Carteira", slip.carteira);
    p.cell(60, y, 18, 7.5, "Espécie", "R$");
    p.cell(78, y, 34, 7.5, "Quantidade");
    p.cell(112, y, mid - 112, 7.5, "Valor");
    p.cell(mid, y, rw, 7.5, "(=) Valor do documento", format_brl(slip.amount), Align::right, Face::bold);
    y += 7.5;

    static constexpr std::array<std::string_view, 5> k_deductions = {
        "(-) Desconto / Abatimento", "(-) Outras deduções", "(+) Mora / Multa", "(+) Outros acréscimos",
        "(=) Valor cobrado",
    };
    constexpr double row = 6.5;
    p.cell(k_left, y, lw, row * 5, "Instruções (texto de responsabilidade do beneficiário)");
    for (std::size_t i = 0; i < k_deductions.size(); ++i) {
        p.cell(mid, y + row * static_cast<double>(i), rw, row, k_deductions[i]);
    }
    double line_y = y + 5.5;
    for (std::size_t i = 0; i < slip.instructions.size() && i < 8; ++i) {
        p.text(slip.instructions[i], k_left + 1.2, line_y, 7.5, Face::regular, Align::left, lw - 2.4);
        line_y += 3.4;
    }
    y += row * 5;

    p.cell(k_left, y, k_right - k_left, 14, "Pagador");
    p.text(party(slip.payer_name, slip.payer_tax_id), k_left + 1.2, y + 5.4, k_value_pt, Face::regular,
           Align::left, k_right - k_left - 2.4);
    for (std::size_t i = 0; i < slip.payer_address.size() && i < 2; ++i) {
        p.text(slip.payer_address[i], k_left + 1.2, y + 8.8 + 3.3 * static_cast<double>(i), 7, Face::regular,
               Align::left, k_right - k_left - 2.4);
    }
    y += 14;
    p.stroke_cells(k_thin);
    p.fixed("Autenticação mecânica - Ficha de Compensação", k_right, y + 3.0, 6.5, Face::bold, Align::right);

    if (!p.frame() && detail::itf_encodable(slip.barcode)
        && !draw_itf(p.cr(), slip.barcode, k_itf_left, y + 1.5, k_itf_narrow, k_itf_height)) {
        p.fail();
    }
}

void draw_layer(const Painter& p, const Slip& slip)
{
    constexpr double ficha_top = 186.0;  // 103.5 mm tall, ending 7.5 mm above the bottom edge
    draw_receipt(p, slip);
    draw_cut_line(p, ficha_top - 4.0);
    draw_ficha(p, slip, ficha_top);
}

}  // namespace

bool draw_page(cairo_t* cr, const FontFaces& faces, Layer layer, const Slip& slip)
{
    const Painter painter(cr, faces, layer);
    draw_layer(painter, slip);
    return painter.ok();
}

}  // namespace billrun::boleto::detail
