// The NFS-e schemas, read by libxml2 from the XSD files compiled into the binary: a private
// URI scheme serves them ("billrun-xsd:/nfse/<folder>/<file>"), so the includes and imports
// between the files of one folder resolve without any file or network access.
#include <billrun/nfse/xsd.hpp>

#include <cstring>
#include <mutex>
#include <string>

#include <fmt/format.h>

#include <libxml/xmlIO.h>
#include <libxml/xmlschemas.h>

#include "xml.hpp"
#include "xsd_files.hpp"

namespace billrun::nfse {

namespace {

constexpr std::string_view k_scheme = "billrun-xsd:";

struct Reader {
    std::string_view text;
    std::size_t at = 0;
};

// The file named by the last two parts of the URI ("nacional-v1.01/DPS_v1.01.xsd").
const XsdFile* find_file(std::string_view uri)
{
    auto slash = uri.rfind('/');
    auto folder = slash == std::string_view::npos || slash == 0 ? std::string_view::npos : uri.rfind('/', slash - 1);
    if (folder == std::string_view::npos) {
        return nullptr;
    }
    std::string_view name = uri.substr(folder + 1);
    for (const auto& file : embedded_xsd()) {
        if (file.name == name) {
            return &file;
        }
    }
    return nullptr;
}

int match_embedded(const char* uri)
{
    return uri != nullptr && std::string_view(uri).starts_with(k_scheme) && find_file(uri) != nullptr ? 1 : 0;
}

void* open_embedded(const char* uri)
{
    const XsdFile* file = find_file(uri);
    return file != nullptr ? new Reader{file->text, 0} : nullptr;
}

int read_embedded(void* context, char* buffer, int len)
{
    auto* r = static_cast<Reader*>(context);
    std::size_t n = std::min(static_cast<std::size_t>(len), r->text.size() - r->at);
    std::memcpy(buffer, r->text.data() + r->at, n);
    r->at += n;
    return static_cast<int>(n);
}

int close_embedded(void* context)
{
    delete static_cast<Reader*>(context);
    return 0;
}

void register_embedded()
{
    static std::once_flag once;
    std::call_once(once, [] {
        init_xml();
        xmlRegisterInputCallbacks(match_embedded, open_embedded, read_embedded, close_embedded);
    });
}

// "infDPS/toma/end/xLgr" for a node of the DPS.
std::string path_of(const xmlNode* node)
{
    std::string path;
    for (; node != nullptr && node->type == XML_ELEMENT_NODE && node->parent != nullptr &&
           node->parent->type == XML_ELEMENT_NODE;
         node = node->parent) {
        path = path.empty() ? local_name(node) : local_name(node) + "/" + path;
    }
    return path;
}

struct Failure {
    std::string message;
};

void on_invalid(void* ctx, xmlErrorPtr error)
{
    auto* failure = static_cast<Failure*>(ctx);
    if (error == nullptr || error->level == XML_ERR_WARNING || !failure->message.empty()) {
        return;
    }
    std::string text = error->message != nullptr ? error->message : "invalid";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    // libxml2 writes "Element '{namespace}name': ..."; the namespace is the same everywhere.
    for (auto at = text.find("{http"); at != std::string::npos; at = text.find("{http", at)) {
        auto end = text.find('}', at);
        if (end == std::string::npos) {
            break;
        }
        text.erase(at, end + 1 - at);
    }
    auto* node = static_cast<const xmlNode*>(error->node);
    std::string where = node != nullptr && node->type == XML_ELEMENT_NODE ? path_of(node) : std::string();
    failure->message = where.empty() ? text : fmt::format("{}: {}", where, text);
}

}  // namespace

Result<std::shared_ptr<const DpsSchema>> DpsSchema::load(std::string_view layout)
{
    if (layout == "1.00") {
        return load_file("nacional-v1.00/DPS_v1.00.xsd", "DPS");
    }
    return load_file("nacional-v1.01/DPS_v1.01.xsd", "DPS");
}

Result<std::shared_ptr<const DpsSchema>> DpsSchema::load_event_request()
{
    return load_file("nacional-v1.01/pedRegEvento_v1.01.xsd", "event request");
}

Result<std::shared_ptr<const DpsSchema>> DpsSchema::load_abrasf()
{
    return load_file("abrasf-v2.04/nfse_v204.patched.xsd", "ABRASF lote");
}

Result<std::shared_ptr<const DpsSchema>> DpsSchema::load_file(const char* file, const char* what)
{
    register_embedded();
    XmlErrors errors;
    std::string uri = fmt::format("{}/nfse/{}", k_scheme, file);
    xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(uri.c_str());
    if (parser == nullptr) {
        return fail(ErrorCode::internal, fmt::format("the {} schema cannot be read", what));
    }
    xmlSchemaPtr schema = xmlSchemaParse(parser);
    xmlSchemaFreeParserCtxt(parser);
    if (schema == nullptr) {
        return fail(ErrorCode::internal, fmt::format("the {} schema does not compile: {}", what,
                                                     errors.any() ? errors.first() : "unknown error"));
    }
    std::shared_ptr<DpsSchema> out(new DpsSchema());
    out->m_schema = schema;
    out->m_what = what;
    return std::shared_ptr<const DpsSchema>(std::move(out));
}

DpsSchema::~DpsSchema()
{
    if (m_schema != nullptr) {
        xmlSchemaFree(static_cast<xmlSchemaPtr>(m_schema));
    }
}

Result<void> DpsSchema::validate(std::string_view xml) const
{
    auto doc = parse_xml(xml, m_what);
    if (!doc) {
        return tl::unexpected(doc.error());
    }
    return validate_document(doc->get());
}

Result<void> DpsSchema::validate_document(void* doc) const
{
    XmlErrors errors;
    Failure failure;
    xmlSchemaValidCtxtPtr ctxt = xmlSchemaNewValidCtxt(static_cast<xmlSchemaPtr>(m_schema));
    if (ctxt == nullptr) {
        return fail(ErrorCode::internal, "out of memory (schema validation)");
    }
    xmlSchemaSetValidStructuredErrors(ctxt, on_invalid, &failure);
    int rc = xmlSchemaValidateDoc(ctxt, static_cast<xmlDocPtr>(doc));
    xmlSchemaFreeValidCtxt(ctxt);
    if (rc == 0) {
        return {};
    }
    if (failure.message.empty()) {
        failure.message = errors.any() ? errors.first() : "does not match the schema";
    }
    return fail(ErrorCode::data_invalid, fmt::format("{} schema: {}", m_what, failure.message));
}

}  // namespace billrun::nfse
