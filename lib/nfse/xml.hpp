#pragma once
// libxml2 for lib/nfse only: an owned document, safe parsing (no network, no external
// entities, no DTD loading), serialisation that adds nothing, and libxml2's messages caught
// per thread instead of printed.
#include <memory>
#include <string>
#include <string_view>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <billrun/core/error.hpp>

namespace billrun::nfse {

struct DocFree {
    void operator()(xmlDocPtr doc) const { xmlFreeDoc(doc); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

// Initialises libxml2 once per process (call from the main thread before any worker starts).
void init_xml();

// Parses bytes; data_invalid with libxml2's first message when they are not well-formed XML.
Result<DocPtr> parse_xml(std::string_view bytes, std::string_view what);

// The document as UTF-8 bytes, with the XML declaration and no added whitespace.
std::string dump_document(xmlDocPtr doc);

// A document in one namespace (default, no prefix; the national NFS-e's unless told) built
// element by element, for the DPS, the event requests and the ABRASF lote.
class XmlBuilder {
public:
    explicit XmlBuilder(const char* root_name, std::string_view ns = {});
    xmlNodePtr root() const { return m_root; }
    xmlDocPtr doc() const { return m_doc.get(); }
    xmlNodePtr group(xmlNodePtr parent, const char* name);
    void text(xmlNodePtr parent, const char* name, std::string_view value);
    void optional(xmlNodePtr parent, const char* name, std::string_view value);  // left out when empty

private:
    DocPtr m_doc;
    xmlNsPtr m_ns = nullptr;
    xmlNodePtr m_root = nullptr;
};

// Collects libxml2's messages on this thread while alive (nested captures restore the outer).
class XmlErrors {
public:
    XmlErrors();
    ~XmlErrors();
    XmlErrors(const XmlErrors&) = delete;
    XmlErrors& operator=(const XmlErrors&) = delete;
    const std::string& first() const { return m_first; }
    bool any() const { return !m_first.empty(); }
    void add(std::string message);

private:
    std::string m_first;
    void* m_saved_ctx = nullptr;
    xmlStructuredErrorFunc m_saved = nullptr;
};

// The element's name without its namespace ("xLgr"), for messages.
std::string local_name(const xmlNode* node);

// The first child element of `parent` named `name` (any namespace), or nullptr.
xmlNodePtr child_element(xmlNodePtr parent, std::string_view name);

// The first element named `name` (any namespace) in `root` and below, depth first, or nullptr.
xmlNodePtr find_element(xmlNodePtr root, std::string_view name);

// Text of an element (empty when none).
std::string node_text(const xmlNode* node);

}  // namespace billrun::nfse
