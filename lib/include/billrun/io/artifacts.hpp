#pragma once
// Reading back the artifact streams billrun writes, for `stage FILE|-` pipelines: which
// records a stream names. Streams can hold a million documents, so this scans top-level
// "key: value" lines document by document instead of building a YAML tree, in flat memory.
#include <cstdint>
#include <string>
#include <vector>

#include <billrun/core/error.hpp>
#include <billrun/io/files.hpp>

namespace billrun::io {

struct DocumentRef {
    std::int64_t line = 0;  // where the document starts
    std::string kind;
    std::string id;         // top-level `id:` (unquoted), may be empty
    std::int64_t key = 0;   // top-level `key:`, 0 when absent
    std::string invoice;    // top-level `invoice:` (an nfse or boleto names its invoice), may be empty
};

// Every document of the stream with its kind, id, key and invoice. A document without `kind:` or a
// stream that is not a YAML artifact stream: data_invalid naming the file and line.
Result<std::vector<DocumentRef>> scan_documents(Input& input);

}  // namespace billrun::io
