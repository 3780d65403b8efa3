#include <billrun/config/yaml.hpp>

#include <algorithm>
#include <sstream>
#include <string_view>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <billrun/core/text.hpp>

namespace billrun::config {

namespace {

// Every document consumes at least one token; one that starts where the last one started
// consumed none, and the parser is stuck on that token.
class StallCheck final : public YAML::EventHandler {
public:
    explicit StallCheck(const std::string& text) : m_text(text) {}

    void OnDocumentStart(const YAML::Mark& mark) override
    {
        if (m_started && mark.pos == m_last) {
            const auto at = static_cast<std::size_t>(mark.pos);
            std::string what = at < m_text.size() ? fmt::format("'{}'", m_text[at]) : std::string("end of input");
            throw YAML::ParserException(mark,
                                        fmt::format("unexpected {} (a ',' belongs inside [...] or {{...}})", what));
        }
        m_started = true;
        m_last = mark.pos;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}

private:
    const std::string& m_text;
    bool m_started = false;
    int m_last = -1;
};

YAML::Mark mark_at(const std::string& text, std::size_t at)
{
    YAML::Mark mark;
    mark.pos = static_cast<int>(at);
    const std::size_t line_start = at == 0 ? 0 : text.rfind('\n', at - 1) + 1;  // npos + 1 == 0
    const auto lines = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(line_start), '\n');
    mark.line = static_cast<int>(lines);
    mark.column = static_cast<int>(at - line_start);
    return mark;
}

// yaml-cpp takes any bytes: a Windows-1252 file would put invalid UTF-8 into the ledger, and
// everything after a NUL byte is silently dropped. UTF-16 and UTF-32 (with their BOM) it
// decodes itself.
void check_bytes(const std::string& text)
{
    const std::string_view utf32_be("\0\0\xFE\xFF", 4);
    if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF") || text.starts_with(utf32_be)) {
        return;
    }
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte == 0) {
            throw YAML::ParserException(mark_at(text, i), "binary data (a NUL byte): not a YAML text file");
        }
        if (byte < 0x80) {
            ++i;
            continue;
        }
        const int length = utf8_sequence_length(std::string_view(text).substr(i, 4));
        if (length == 0) {
            throw YAML::ParserException(mark_at(text, i),
                                        fmt::format("invalid UTF-8 byte 0x{:02X} (save the file as UTF-8)", byte));
        }
        i += static_cast<std::size_t>(length);
    }
}

}  // namespace

std::vector<YAML::Node> load_all_yaml(const std::string& text)
{
    check_bytes(text);
    {
        std::istringstream in(text);
        YAML::Parser parser(in);
        StallCheck check(text);
        try {
            while (parser.HandleNextDocument(check)) {
            }
        } catch (const YAML::DeepRecursion& e) {
            // yaml-cpp says only "bad file" here.
            throw YAML::ParserException(e.mark, fmt::format("nested deeper than {} levels", e.depth() - 1));
        }
    }
    return YAML::LoadAll(text);
}

}  // namespace billrun::config
