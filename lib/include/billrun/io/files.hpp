#pragma once
// Opening inputs ('-' is stdin) and writing outputs atomically: an unnamed file (O_TMPFILE)
// or a temp file in the target's folder, a checked close, and a link or rename on commit; the
// temp file is removed otherwise, so a half-written file never exists under its final name.
#include <filesystem>
#include <fstream>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

#include <billrun/core/error.hpp>

namespace billrun::io {

struct Input {
    std::string name;  // the path as given, or "<stdin>"
    std::istream* stream = nullptr;
    std::unique_ptr<std::istream> owned;
};

// Reads the first line of `input` (to sniff its format) and returns it, leaving the input
// readable from its very first byte again (stdin included: the line is replayed).
std::string peek_first_line(Input& input);

// ErrorCode::no_input when the file is missing or unreadable (a directory included).
Result<Input> open_input(const std::string& path);

class AtomicFile {
public:
    // `mode` is the final file's permission bits (e.g. 0644, 0600).
    static Result<AtomicFile> create(const std::filesystem::path& path, unsigned mode = 0644);
    AtomicFile(AtomicFile&& other) noexcept;
    AtomicFile& operator=(AtomicFile&&) = delete;
    AtomicFile(const AtomicFile&) = delete;
    ~AtomicFile();

    Result<void> write(std::string_view data);
    // Flushes, fsyncs (unless !durable: for files that can be made again from the ledger,
    // like PDFs), closes (checked) and renames over the final path.
    Result<void> commit(bool durable = true);

private:
    Result<void> commit_unnamed(bool durable);
    // `temp` empty: an unnamed file (O_TMPFILE).
    AtomicFile(std::filesystem::path path, std::filesystem::path temp, int fd)
        : m_path(std::move(path)), m_temp(std::move(temp)), m_fd(fd) {}
    std::filesystem::path m_path;
    std::filesystem::path m_temp;
    int m_fd = -1;
};

// A record id as a file name that stays in its folder: letters, digits, '-', '_' and '.'
// kept, anything else '_', and never a leading '.' ("../x" -> "_.._x").
std::string safe_file_name(std::string_view id);

// Writes a whole file atomically.
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view data,
                               unsigned mode = 0644);

}  // namespace billrun::io
