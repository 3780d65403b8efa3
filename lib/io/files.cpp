#include <billrun/io/files.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>

#include <fmt/format.h>

namespace billrun::io {

Result<Input> open_input(const std::string& path)
{
    Input input;
    if (path == "-") {
        input.name = "<stdin>";
        input.stream = &std::cin;
        return input;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        return fail(ErrorCode::no_input, fmt::format("{}: is a directory", path));
    }
    auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!file->is_open()) {
        return fail(ErrorCode::no_input, fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    }
    input.name = path;
    input.stream = file.get();
    input.owned = std::move(file);
    return input;
}

namespace {

// Replays a prefix already read from a stream, then reads on from the stream itself.
class PrefixedBuffer final : public std::streambuf {
public:
    PrefixedBuffer(std::string prefix, std::streambuf* rest) : m_prefix(std::move(prefix)), m_rest(rest)
    {
        setg(m_prefix.data(), m_prefix.data(), m_prefix.data() + m_prefix.size());
    }

protected:
    int_type underflow() override
    {
        if (gptr() < egptr()) {
            return traits_type::to_int_type(*gptr());
        }
        std::streamsize n = m_rest->sgetn(m_chunk, sizeof m_chunk);
        if (n <= 0) {
            return traits_type::eof();
        }
        setg(m_chunk, m_chunk, m_chunk + n);
        return traits_type::to_int_type(*gptr());
    }

private:
    std::string m_prefix;
    std::streambuf* m_rest;
    char m_chunk[65536];
};

// An istream over a PrefixedBuffer that also owns the stream it reads on from.
class ChainedStream final : public std::istream {
public:
    ChainedStream(std::unique_ptr<std::streambuf> buffer, std::unique_ptr<std::istream> rest)
        : std::istream(buffer.get()), m_rest(std::move(rest)), m_buffer(std::move(buffer)) {}

private:
    std::unique_ptr<std::istream> m_rest;    // destroyed after m_buffer, which reads from it
    std::unique_ptr<std::streambuf> m_buffer;
};

}  // namespace

std::string peek_first_line(Input& input)
{
    std::string line;
    std::getline(*input.stream, line);
    std::string replay = input.stream->eof() ? line : line + "\n";
    input.stream->clear();
    auto buffer = std::make_unique<PrefixedBuffer>(std::move(replay), input.stream->rdbuf());
    auto chained = std::make_unique<ChainedStream>(std::move(buffer), std::move(input.owned));
    input.stream = chained.get();
    input.owned = std::move(chained);
    return line;
}

namespace {

// Whether an unnamed file can be linked in by its /proc/self/fd name (linkat(2)).
bool can_link_unnamed()
{
    static const bool proc = ::access("/proc/self/fd", X_OK) == 0;
    return proc;
}

// The process's umask, read once from /proc (umask(2) cannot read it without setting it, which
// would race with other threads creating files); nullopt when /proc does not say.
std::optional<mode_t> process_umask()
{
    static const std::optional<mode_t> mask = []() -> std::optional<mode_t> {
        std::ifstream status("/proc/self/status");
        std::string line;
        while (std::getline(status, line)) {
            if (line.starts_with("Umask:")) {
                return static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8));
            }
        }
        return std::nullopt;
    }();
    return mask;
}

// Gives the new file exactly `mode`: created with it, only a umask that took bits away needs
// a chmod (one syscall less per outbox file in the usual case).
void set_mode(int fd, unsigned mode)
{
    const auto mask = process_umask();
    if (!mask || (static_cast<mode_t>(mode) & *mask) != 0) {
        ::fchmod(fd, static_cast<mode_t>(mode));
    }
}

// linkat(2) of an open file by the descriptor itself (AT_EMPTY_PATH), which Linux allows an
// unprivileged process since 6.10 for a file it opened; else false with errno set, and
// after a refusal the /proc name is used from then on.
bool link_by_descriptor(int fd, const char* path)
{
    static std::atomic<bool> refused{false};
    if (refused.load(std::memory_order_relaxed)) {
        errno = ENOENT;
        return false;
    }
    if (::linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH) == 0) {
        return true;
    }
    if (errno == ENOENT || errno == EPERM || errno == EINVAL) {
        refused.store(true, std::memory_order_relaxed);
    }
    return false;
}

}  // namespace

Result<AtomicFile> AtomicFile::create(const std::filesystem::path& path, unsigned mode)
{
    std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
    // An unnamed file in the folder (O_TMPFILE), given its name on commit: one directory
    // entry instead of a temporary name and a rename (a sixth less kernel time per file in
    // the outbox), and nothing left behind when the process dies. Where the file system or
    // /proc does not offer it, a named temporary file.
    if (can_link_unnamed()) {
        int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, static_cast<mode_t>(mode & 0777));
        if (fd >= 0) {
            set_mode(fd, mode);
            return AtomicFile(path, std::filesystem::path(), fd);
        }
        if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
            return fail(ErrorCode::internal,
                        fmt::format("{}: cannot create a temporary file: {}", path.string(), std::strerror(errno)));
        }
    }
    std::string pattern = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
    int fd = ::mkstemp(pattern.data());
    if (fd < 0) {
        return fail(ErrorCode::internal,
                    fmt::format("{}: cannot create a temporary file: {}", path.string(), std::strerror(errno)));
    }
    ::fchmod(fd, static_cast<mode_t>(mode));
    return AtomicFile(path, pattern, fd);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : m_path(std::move(other.m_path)), m_temp(std::move(other.m_temp)), m_fd(other.m_fd)
{
    other.m_fd = -1;
    other.m_temp.clear();
}

AtomicFile::~AtomicFile()
{
    if (m_fd >= 0) {
        ::close(m_fd);
    }
    if (!m_temp.empty()) {
        std::error_code ec;
        std::filesystem::remove(m_temp, ec);
    }
}

Result<void> AtomicFile::write(std::string_view data)
{
    while (!data.empty()) {
        ssize_t n = ::write(m_fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail(ErrorCode::internal,
                        fmt::format("{}: write failed: {}", m_path.string(), std::strerror(errno)));
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

Result<void> AtomicFile::commit(bool durable)
{
    if (m_temp.empty() && m_fd >= 0) {
        return commit_unnamed(durable);
    }
    if ((durable && ::fsync(m_fd) != 0) || ::close(m_fd) != 0) {
        m_fd = -1;
        return fail(ErrorCode::internal,
                    fmt::format("{}: cannot write: {}", m_path.string(), std::strerror(errno)));
    }
    m_fd = -1;
    if (::rename(m_temp.c_str(), m_path.c_str()) != 0) {
        return fail(ErrorCode::internal,
                    fmt::format("{}: cannot rename into place: {}", m_path.string(), std::strerror(errno)));
    }
    m_temp.clear();
    return {};
}

// An O_TMPFILE file: linked in under its final name. linkat(2) does not replace a file that
// is there: then it is linked under a temporary name and renamed over it.
Result<void> AtomicFile::commit_unnamed(bool durable)
{
    const auto failed = [&](std::string_view what) {
        std::string reason = std::strerror(errno);
        ::close(m_fd);
        m_fd = -1;
        return fail(ErrorCode::internal, fmt::format("{}: {}: {}", m_path.string(), what, reason));
    };
    if (durable && ::fsync(m_fd) != 0) {
        return failed("cannot write");
    }
    const std::string proc = fmt::format("/proc/self/fd/{}", m_fd);
    bool linked = link_by_descriptor(m_fd, m_path.c_str());
    if (!linked && errno != EEXIST) {
        linked = ::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, m_path.c_str(), AT_SYMLINK_FOLLOW) == 0;
    }
    if (!linked) {
        if (errno != EEXIST) {
            return failed("cannot link into place");
        }
        std::filesystem::path dir = m_path.parent_path().empty() ? "." : m_path.parent_path();
        for (int attempt = 0;; ++attempt) {
            std::string name = (dir / fmt::format(".{}.tmp-{:06}", m_path.filename().string(),
                                                  (static_cast<unsigned>(::getpid()) * 7919U + attempt) % 1000000))
                                   .string();
            if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0) {
                if (::rename(name.c_str(), m_path.c_str()) != 0) {
                    ::unlink(name.c_str());
                    return failed("cannot rename into place");
                }
                break;
            }
            if (errno != EEXIST || attempt >= 100) {
                return failed("cannot link into place");
            }
        }
    }
    if (::close(m_fd) != 0) {
        m_fd = -1;
        return fail(ErrorCode::internal, fmt::format("{}: cannot write: {}", m_path.string(), std::strerror(errno)));
    }
    m_fd = -1;
    return {};
}

Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view data, unsigned mode)
{
    auto file = AtomicFile::create(path, mode);
    if (!file) {
        return tl::unexpected(file.error());
    }
    if (auto written = file->write(data); !written) {
        return written;
    }
    return file->commit();
}

std::string safe_file_name(std::string_view id)
{
    std::string name;
    for (char c : id) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_' || c == '.';
        name += ok ? c : '_';
    }
    if (name.empty() || name.front() == '.') {
        name.insert(name.begin(), '_');
    }
    return name;
}

}  // namespace billrun::io
