#include <billrun/ledger/stage_lock.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

namespace billrun::ledger {

Result<StageLock> StageLock::acquire(const Ledger& ledger, std::string_view stage, int timeout_ms)
{
    const std::string path = fmt::format("{}.{}.lock", ledger.path().string(), stage);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        return fail(ErrorCode::internal, fmt::format("{}: cannot open the {} lock: {}", path, stage, std::strerror(errno)));
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            const int saved = errno;
            ::close(fd);
            return fail(ErrorCode::internal, fmt::format("{}: cannot lock: {}", path, std::strerror(saved)));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            ::close(fd);
            return fail(ErrorCode::busy,
                        fmt::format("another `billrun {}` is running on this ledger ({}); try again later", stage, path));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return StageLock(fd);
}

StageLock::StageLock(StageLock&& other) noexcept : m_fd(other.m_fd)
{
    other.m_fd = -1;
}

StageLock::~StageLock()
{
    if (m_fd >= 0) {
        ::close(m_fd);  // releases the flock
    }
}

}  // namespace billrun::ledger
