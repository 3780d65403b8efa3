// A dunning letter as an A4 PDF, drawn with cairo's text API in DejaVu Sans.
#include <billrun/dunning/letter.hpp>

#include <cairo-pdf.h>
#include <cairo.h>

#include <system_error>

#include <fmt/format.h>

namespace billrun::dunning {

namespace {

constexpr double k_pt_per_mm = 72.0 / 25.4;
constexpr double k_width = 210.0;
constexpr double k_height = 297.0;
constexpr double k_margin = 25.0;
constexpr double k_line = 5.2;  // mm between body lines

class Page {
public:
    explicit Page(cairo_t* cr) : m_cr(cr) {}

    void font(bool bold, double size_pt)
    {
        cairo_select_font_face(m_cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(m_cr, size_pt / k_pt_per_mm);
    }

    double width_of(const std::string& text)
    {
        cairo_text_extents_t e;
        cairo_text_extents(m_cr, text.c_str(), &e);
        return e.x_advance;
    }

    // One line at the cursor; a new page when the cursor passes the bottom margin.
    void line(const std::string& text, double x = k_margin)
    {
        if (m_y > k_height - k_margin) {
            cairo_show_page(m_cr);
            m_y = k_margin;
        }
        cairo_move_to(m_cr, x, m_y);
        cairo_show_text(m_cr, text.c_str());
        m_y += k_line;
    }

    // A paragraph wrapped at word boundaries to the text width.
    void paragraph(const std::string& text)
    {
        const double max = k_width - 2 * k_margin;
        if (text.empty()) {
            line("");
            return;
        }
        std::string current;
        std::size_t i = 0;
        while (i <= text.size()) {
            std::size_t end = text.find(' ', i);
            if (end == std::string::npos) {
                end = text.size();
            }
            std::string word = text.substr(i, end - i);
            std::string candidate = current.empty() ? word : current + " " + word;
            if (!current.empty() && width_of(candidate) > max) {
                line(current);
                current = word;
            } else {
                current = std::move(candidate);
            }
            i = end + 1;
        }
        line(current);
    }

    void skip(double mm) { m_y += mm; }
    void right(const std::string& text)
    {
        cairo_move_to(m_cr, k_width - k_margin - width_of(text), m_y);
        cairo_show_text(m_cr, text.c_str());
        m_y += k_line;
    }

private:
    cairo_t* m_cr;
    double m_y = k_margin;
};

}  // namespace

Result<void> write_letter(const std::filesystem::path& path, const Letter& letter)
{
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    const std::filesystem::path temp = path.string() + ".tmp";
    cairo_surface_t* surface =
        cairo_pdf_surface_create(temp.c_str(), k_width * k_pt_per_mm, k_height * k_pt_per_mm);
    cairo_t* cr = cairo_create(surface);
    cairo_scale(cr, k_pt_per_mm, k_pt_per_mm);
    cairo_set_source_rgb(cr, 0, 0, 0);
    Page page(cr);
    page.font(true, 13);
    page.line(letter.sender);
    page.font(false, 10);
    page.skip(8);
    page.right(letter.place_and_date);
    page.skip(10);
    for (const auto& l : letter.addressee) {
        page.line(l);
    }
    page.skip(12);
    page.font(true, 11);
    page.paragraph(letter.subject);
    page.skip(4);
    page.font(false, 10);
    std::size_t start = 0;
    while (start <= letter.body.size()) {
        std::size_t end = letter.body.find('\n', start);
        if (end == std::string::npos) {
            end = letter.body.size();
        }
        page.paragraph(letter.body.substr(start, end - start));
        start = end + 1;
    }
    cairo_show_page(cr);
    const cairo_status_t status = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    const cairo_status_t surface_status = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS || surface_status != CAIRO_STATUS_SUCCESS) {
        std::filesystem::remove(temp, ec);
        return fail(ErrorCode::internal,
                    fmt::format("{}: cannot write the letter: {}", path.string(),
                                cairo_status_to_string(status != CAIRO_STATUS_SUCCESS ? status : surface_status)));
    }
    std::filesystem::rename(temp, path, ec);
    if (ec) {
        return fail(ErrorCode::internal, fmt::format("{}: cannot write the letter: {}", path.string(), ec.message()));
    }
    return {};
}

}  // namespace billrun::dunning
