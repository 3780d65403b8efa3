#include <billrun/boleto/pdf.hpp>

#include <billrun/io/files.hpp>

#include "pdf_draw.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <zlib.h>

#include <array>
#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace billrun::boleto {

namespace {

using detail::k_page_height;
using detail::k_page_width;
using detail::k_pt_per_mm;
using detail::Layer;

constexpr std::size_t k_write_chunk = 1 << 16;

// The zlib level of the streams cairo deflates on this thread now: see deflateInit_ below.
thread_local int t_deflate_level = Z_DEFAULT_COMPRESSION;

class DeflateLevel {
public:
    explicit DeflateLevel(int level) : m_previous(t_deflate_level) { t_deflate_level = level; }
    ~DeflateLevel() { t_deflate_level = m_previous; }
    DeflateLevel(const DeflateLevel&) = delete;
    DeflateLevel& operator=(const DeflateLevel&) = delete;

private:
    int m_previous;
};

// A page's content streams (text operators and coordinates) shrink to a third at zlib's
// fastest level, which costs a third less than its default; the font programs (glyph
// outlines, 25 KiB a file) shrink by only 30 % at any level and cost two thirds of the
// deflating, so they are stored (still FlateDecode streams, of stored blocks).
constexpr int k_content_level = Z_BEST_SPEED;
constexpr int k_font_level = Z_NO_COMPRESSION;

// The faces and font options every document of this process draws with, made on first use and
// kept for the life of the process: a toy face is resolved through fontconfig's matching, and
// a face that stays alive keeps cairo's FreeType face, its scaled fonts and their glyphs
// cached, where faces made per document were matched, opened and measured again every time.
struct Fonts {
    detail::FontFaces faces;
    cairo_font_options_t* options;
};

const Fonts& fonts()
{
    static const Fonts made = [] {
        cairo_font_options_t* options = cairo_font_options_create();
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
        return Fonts{
            detail::FontFaces{
                cairo_toy_font_face_create("DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL),
                cairo_toy_font_face_create("DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD),
                cairo_toy_font_face_create("DejaVu Sans Mono", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL),
            },
            options,
        };
    }();
    return made;
}

class CairoPdfDocument final : public PdfDocument {
public:
    CairoPdfDocument(std::filesystem::path path, io::AtomicFile file)
        : m_path(std::move(path)), m_file(std::move(file)) {}

    ~CairoPdfDocument() override
    {
        m_discard = true;  // not closed: whatever cairo still writes goes nowhere
        release();
        // m_file's destructor removes the temp file unless it was committed.
    }

    CairoPdfDocument(const CairoPdfDocument&) = delete;
    CairoPdfDocument& operator=(const CairoPdfDocument&) = delete;

    Result<void> open()
    {
        m_surface = cairo_pdf_surface_create_for_stream(&CairoPdfDocument::write_chunk, this,
                                                        k_page_width * k_pt_per_mm, k_page_height * k_pt_per_mm);
        if (auto ok = check(); !ok) {
            return ok;
        }
        cairo_pdf_surface_set_metadata(m_surface, CAIRO_PDF_METADATA_TITLE, "Boleto");
        cairo_pdf_surface_set_metadata(m_surface, CAIRO_PDF_METADATA_CREATOR, "billrun");
        m_cr = cairo_create(m_surface);
        return check();
    }

    Result<void> add(const Slip& slip) override
    {
        const DeflateLevel level(k_content_level);  // show_page writes the page's streams
        if (m_closed) {
            return fail(ErrorCode::internal, fmt::format("{}: the PDF is already closed", m_path.string()));
        }
        if (auto ok = check(); !ok) {
            return ok;
        }
        if (!detail::itf_encodable(slip.barcode) || slip.barcode.size() != 44) {
            return fail(ErrorCode::data_invalid,
                        fmt::format("{}: the barcode must be 44 digits, not \"{}\"", m_path.string(), slip.barcode));
        }
        if (m_pages == 0) {
            // The document's date is the first boleto's processing date: the output does
            // not depend on the clock.
            const std::string date = slip.processing_date.iso() + "T00:00:00";
            cairo_pdf_surface_set_metadata(m_surface, CAIRO_PDF_METADATA_CREATE_DATE, date.c_str());
            cairo_pdf_surface_set_metadata(m_surface, CAIRO_PDF_METADATA_MOD_DATE, date.c_str());
        }
        // The first page draws its frame itself; the next ones refer to the frame recorded
        // then. Recording it and replaying it into the file costs more than drawing it, so a
        // file of one page (one per boleto) does without.
        if (m_pages > 0) {
            auto frame = frame_for(!slip.pix_payload.empty());
            if (!frame) {
                return tl::unexpected(frame.error());
            }
            cairo_set_source_surface(m_cr, *frame, 0, 0);
            cairo_paint(m_cr);
        }
        cairo_save(m_cr);
        start_drawing(m_cr);
        if (m_pages == 0) {
            detail::draw_page(m_cr, fonts().faces, Layer::frame, slip);
        }
        const bool drawn = detail::draw_page(m_cr, fonts().faces, Layer::values, slip);
        cairo_restore(m_cr);
        if (!drawn) {
            // The page is half drawn: the document cannot go on.
            m_error = Error{ErrorCode::internal,
                            fmt::format("{}: cannot make the PIX QR code or the barcode image", m_path.string())};
            return tl::unexpected(*m_error);
        }
        cairo_show_page(m_cr);
        ++m_pages;
        return check();
    }

    Result<void> close() override
    {
        if (m_closed) {
            return fail(ErrorCode::internal, fmt::format("{}: the PDF is already closed", m_path.string()));
        }
        m_closed = true;
        if (auto ok = check(); !ok) {
            return ok;
        }
        const DeflateLevel level(k_font_level);  // finishing writes the font subsets
        cairo_destroy(m_cr);
        m_cr = nullptr;
        cairo_surface_finish(m_surface);
        if (auto ok = check(); !ok) {
            return ok;
        }
        release();
        if (auto ok = flush(); !ok) {
            return ok;
        }
        return m_file.commit(false);  // a PDF can be rendered again from the ledger: no fsync
    }

private:
    void start_drawing(cairo_t* cr) const
    {
        cairo_set_font_options(cr, fonts().options);
        cairo_scale(cr, k_pt_per_mm, k_pt_per_mm);
        cairo_set_source_rgb(cr, 0, 0, 0);
    }

    // The page's frame, recorded on first use: the PDF holds it once and every page refers to it.
    Result<cairo_surface_t*> frame_for(bool pix)
    {
        cairo_surface_t*& frame = m_frames[pix ? 1 : 0];
        if (frame != nullptr) {
            return frame;
        }
        const cairo_rectangle_t page = {0, 0, k_page_width * k_pt_per_mm, k_page_height * k_pt_per_mm};
        frame = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &page);
        cairo_t* cr = cairo_create(frame);
        start_drawing(cr);
        Slip blank;
        if (pix) {
            blank.pix_payload.push_back('-');  // any text: the frame only asks whether there is one
        }
        detail::draw_page(cr, fonts().faces, Layer::frame, blank);
        cairo_status_t status = cairo_status(cr);
        cairo_destroy(cr);
        if (status == CAIRO_STATUS_SUCCESS) {
            status = cairo_surface_status(frame);
        }
        if (status != CAIRO_STATUS_SUCCESS) {
            m_error = render_error(status);
            return tl::unexpected(*m_error);
        }
        return frame;
    }

    static cairo_status_t write_chunk(void* closure, const unsigned char* data, unsigned int length)
    {
        auto* self = static_cast<CairoPdfDocument*>(closure);
        if (self->m_discard) {
            return CAIRO_STATUS_SUCCESS;
        }
        if (self->m_error) {
            return CAIRO_STATUS_WRITE_ERROR;
        }
        self->m_buffer.append(reinterpret_cast<const char*>(data), length);
        if (self->m_buffer.size() >= k_write_chunk && !self->flush()) {
            return CAIRO_STATUS_WRITE_ERROR;
        }
        return CAIRO_STATUS_SUCCESS;
    }

    Result<void> flush()
    {
        if (m_error) {
            return tl::unexpected(*m_error);
        }
        auto written = m_file.write(m_buffer);
        m_buffer.clear();
        if (!written) {
            m_error = written.error();
        }
        return written;
    }

    // The first error: ours (writing, the QR code), the context's or the surface's.
    Result<void> check()
    {
        if (m_error) {
            return tl::unexpected(*m_error);
        }
        cairo_status_t status = m_cr != nullptr ? cairo_status(m_cr) : CAIRO_STATUS_SUCCESS;
        if (status == CAIRO_STATUS_SUCCESS && m_surface != nullptr) {
            status = cairo_surface_status(m_surface);
        }
        if (status != CAIRO_STATUS_SUCCESS) {
            return tl::unexpected(render_error(status));
        }
        return {};
    }

    Error render_error(cairo_status_t status) const
    {
        return Error{ErrorCode::internal,
                     fmt::format("{}: cannot render the PDF: {}", m_path.string(), cairo_status_to_string(status))};
    }

    void release()
    {
        if (m_cr != nullptr) {
            cairo_destroy(m_cr);
            m_cr = nullptr;
        }
        for (auto*& frame : m_frames) {
            if (frame != nullptr) {
                cairo_surface_destroy(frame);
                frame = nullptr;
            }
        }
        if (m_surface != nullptr) {
            cairo_surface_destroy(m_surface);
            m_surface = nullptr;
        }
    }

    std::filesystem::path m_path;
    io::AtomicFile m_file;
    std::string m_buffer;
    std::optional<Error> m_error;
    cairo_surface_t* m_surface = nullptr;
    cairo_t* m_cr = nullptr;
    std::array<cairo_surface_t*, 2> m_frames = {};  // without and with the PIX panel
    int m_pages = 0;
    bool m_closed = false;
    bool m_discard = false;
};

}  // namespace

Result<std::unique_ptr<PdfDocument>> PdfDocument::create(const std::filesystem::path& path)
{
    auto file = io::AtomicFile::create(path);
    if (!file) {
        return tl::unexpected(file.error());
    }
    auto document = std::make_unique<CairoPdfDocument>(path, std::move(*file));
    if (auto ok = document->open(); !ok) {
        return tl::unexpected(ok.error());
    }
    return std::unique_ptr<PdfDocument>(std::move(document));
}

void PdfDocument::load_fonts()
{
    const Fonts& loaded = fonts();
    cairo_matrix_t identity;
    cairo_matrix_init_identity(&identity);
    for (cairo_font_face_t* face : loaded.faces) {
        // A scaled font resolves the face: fontconfig's match and the FreeType face behind it.
        cairo_scaled_font_destroy(cairo_scaled_font_create(face, &identity, &identity, loaded.options));
    }
}

}  // namespace billrun::boleto

// cairo 1.16 deflates every stream of a PDF at zlib's default level, with no way to choose
// another: it starts each with deflateInit_, which this definition answers before libz's (the
// dynamic linker finds the executable's symbols first). A caller that asks for the default
// level gets the one the PDF code set on its thread (DeflateLevel above), which is zlib's
// default everywhere else; the rest is what zlib's own deflateInit_ does.
extern "C" int deflateInit_(z_streamp strm, int level, const char* version, int stream_size)
{
    if (level == Z_DEFAULT_COMPRESSION) {
        level = billrun::boleto::t_deflate_level;
    }
    // Stored blocks need no match finder: its smallest hash table spares clearing 64 KiB each
    // stream (the blocks stay as large).
    constexpr int k_zlib_default_mem_level = 8;  // zlib's DEF_MEM_LEVEL
    const int mem_level = level == Z_NO_COMPRESSION ? 1 : k_zlib_default_mem_level;
    return deflateInit2_(strm, level, Z_DEFLATED, MAX_WBITS, mem_level, Z_DEFAULT_STRATEGY, version, stream_size);
}
