#pragma once
// Record sources: a CSV file (header mapped to fields) or a YAML file (a stream of documents,
// or one document holding a list), both yielding RawRecords with line and column of each value.
#include <memory>
#include <string>
#include <vector>

#include <billrun/io/files.hpp>

#include "fields.hpp"

namespace billrun::import {

class Source {
public:
    virtual ~Source() = default;
    // Fills `out` with the next record; false at end. Problems of a record (an unknown YAML
    // key) are appended to `problems` and the record still returned; a problem that makes
    // the rest of the file unreadable is returned as an error (data_invalid).
    virtual Result<bool> next(RawRecord& out, std::vector<Problem>& problems) = 0;
};

// Detects the format from the extension (.yaml/.yml vs anything else) or, for stdin, from
// the first line. Header-level problems (a required column missing) come back as an error;
// ignored columns as `warnings`.
Result<std::unique_ptr<Source>> open_source(Kind kind, io::Input& input,
                                            std::vector<Problem>& warnings);

}  // namespace billrun::import
