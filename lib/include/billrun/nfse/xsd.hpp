#pragma once
// The official schemas (compiled into the binary from schemas/nfse/): the national DPS
// (layout 1.01 or 1.00), the event request (pedRegEvento 1.01), and the ABRASF 2.04 messages;
// loaded once per run and shared by every thread that validates.
#include <memory>
#include <string_view>

#include <billrun/core/error.hpp>

namespace billrun::nfse {

class DpsSchema {
public:
    // Errors: internal (the embedded schema does not compile: a build problem).
    static Result<std::shared_ptr<const DpsSchema>> load(std::string_view layout = "1.01");
    // The same for pedRegEvento_v1.01.xsd (the event requests, such as a cancellation).
    static Result<std::shared_ptr<const DpsSchema>> load_event_request();
    // nfse_v204.patched.xsd: EnviarLoteRpsEnvio and the other ABRASF 2.04 messages.
    static Result<std::shared_ptr<const DpsSchema>> load_abrasf();
    ~DpsSchema();
    DpsSchema(const DpsSchema&) = delete;
    DpsSchema& operator=(const DpsSchema&) = delete;

    // data_invalid naming the element at fault and why ("element 'xLgr': [facet 'pattern']
    // the value ' Rua' is not accepted ..."), or not well-formed XML. Thread-safe.
    Result<void> validate(std::string_view xml) const;
    // The same on a parsed libxml2 document (an xmlDocPtr), for lib/nfse.
    Result<void> validate_document(void* doc) const;

private:
    DpsSchema() = default;
    static Result<std::shared_ptr<const DpsSchema>> load_file(const char* file, const char* what);
    void* m_schema = nullptr;  // xmlSchemaPtr
    const char* m_what = "DPS";
};

}  // namespace billrun::nfse
