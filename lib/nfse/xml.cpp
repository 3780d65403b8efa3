#include "xml.hpp"

#include <mutex>

#include <fmt/format.h>

#include <libxml/globals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>

#include <billrun/nfse/dps.hpp>

namespace billrun::nfse {

namespace {

void collect(void* ctx, xmlErrorPtr error)
{
    if (ctx == nullptr || error == nullptr || error->level == XML_ERR_WARNING) {
        return;
    }
    std::string message = error->message != nullptr ? error->message : "unknown XML error";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
    }
    if (error->line > 0) {
        message = fmt::format("line {}: {}", error->line, message);
    }
    static_cast<XmlErrors*>(ctx)->add(std::move(message));
}

void ignore_generic(void*, const char*, ...) {}

}  // namespace

void init_xml()
{
    static std::once_flag once;
    std::call_once(once, [] { xmlInitParser(); });
}

XmlErrors::XmlErrors()
    : m_saved_ctx(xmlStructuredErrorContext), m_saved(xmlStructuredError)
{
    xmlSetStructuredErrorFunc(this, collect);
    xmlSetGenericErrorFunc(nullptr, ignore_generic);
}

XmlErrors::~XmlErrors()
{
    xmlSetStructuredErrorFunc(m_saved_ctx, m_saved);
}

void XmlErrors::add(std::string message)
{
    if (m_first.empty()) {
        m_first = std::move(message);
    }
}

Result<DocPtr> parse_xml(std::string_view bytes, std::string_view what)
{
    XmlErrors errors;
    DocPtr doc(xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), nullptr, nullptr,
                             XML_PARSE_NONET | XML_PARSE_NOWARNING));
    if (!doc || xmlDocGetRootElement(doc.get()) == nullptr) {
        return fail(ErrorCode::data_invalid,
                    fmt::format("{}: not well-formed XML ({})", what, errors.any() ? errors.first() : "empty"));
    }
    return doc;
}

std::string dump_document(xmlDocPtr doc)
{
    xmlChar* mem = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
    std::string out(reinterpret_cast<const char*>(mem), static_cast<std::size_t>(size));
    xmlFree(mem);
    return out;
}

XmlBuilder::XmlBuilder(const char* root_name, std::string_view ns)
    : m_doc(xmlNewDoc(BAD_CAST "1.0"))
{
    m_root = xmlNewDocNode(m_doc.get(), nullptr, BAD_CAST root_name, nullptr);
    xmlDocSetRootElement(m_doc.get(), m_root);
    std::string uri(ns.empty() ? k_nfse_namespace : ns);
    m_ns = xmlNewNs(m_root, BAD_CAST uri.c_str(), nullptr);
    xmlSetNs(m_root, m_ns);
}

xmlNodePtr XmlBuilder::group(xmlNodePtr parent, const char* name)
{
    return xmlNewChild(parent, m_ns, BAD_CAST name, nullptr);
}

void XmlBuilder::text(xmlNodePtr parent, const char* name, std::string_view value)
{
    std::string copy(value);
    xmlNewTextChild(parent, m_ns, BAD_CAST name, BAD_CAST copy.c_str());
}

void XmlBuilder::optional(xmlNodePtr parent, const char* name, std::string_view value)
{
    if (!value.empty()) {
        text(parent, name, value);
    }
}

std::string local_name(const xmlNode* node)
{
    return node != nullptr && node->name != nullptr ? reinterpret_cast<const char*>(node->name) : "";
}

xmlNodePtr child_element(xmlNodePtr parent, std::string_view name)
{
    for (xmlNodePtr c = parent != nullptr ? parent->children : nullptr; c != nullptr; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && local_name(c) == name) {
            return c;
        }
    }
    return nullptr;
}

xmlNodePtr find_element(xmlNodePtr root, std::string_view name)
{
    if (root == nullptr || root->type != XML_ELEMENT_NODE) {
        return nullptr;
    }
    if (local_name(root) == name) {
        return root;
    }
    for (xmlNodePtr c = root->children; c != nullptr; c = c->next) {
        if (xmlNodePtr found = find_element(c, name)) {
            return found;
        }
    }
    return nullptr;
}

std::string node_text(const xmlNode* node)
{
    if (node == nullptr) {
        return {};
    }
    xmlChar* content = xmlNodeGetContent(node);
    std::string out = content != nullptr ? reinterpret_cast<const char*>(content) : "";
    xmlFree(content);
    return out;
}

}  // namespace billrun::nfse
