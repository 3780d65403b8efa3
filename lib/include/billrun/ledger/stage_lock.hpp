#pragma once
// A lock that one stage of one ledger holds for a whole run, beside the ledger's own:
// `<ledger>.<stage>.lock`, taken with flock(2), so the kernel lets it go when the process
// dies however it dies. A stage that sends messages outside the ledger (remind) needs to
// know that a row left 'pending' belongs to a run that is gone, not to one still sending.
#include <filesystem>
#include <string_view>

#include <billrun/core/error.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::ledger {

class StageLock {
public:
    // Waits up to timeout_ms for the lock; ErrorCode::busy after that.
    static Result<StageLock> acquire(const Ledger& ledger, std::string_view stage, int timeout_ms);
    StageLock(StageLock&& other) noexcept;
    StageLock& operator=(StageLock&&) = delete;
    StageLock(const StageLock&) = delete;
    ~StageLock();

private:
    explicit StageLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

}  // namespace billrun::ledger
