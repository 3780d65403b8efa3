#include <billrun/io/processes.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <cstdlib>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

namespace billrun::io {

namespace {

struct Child {
    pid_t pid = -1;
    int from = -1;  // read end of the pipe the child reports its error on
    unsigned part = 0;
};

void write_all(int fd, const std::string& data)
{
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        done += static_cast<std::size_t>(n);
    }
}

std::string read_all(int fd)
{
    std::string out;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return out;
        }
        out.append(buffer, static_cast<std::size_t>(n));
    }
}

[[noreturn]] void run_child(int to, unsigned part, unsigned parts, pid_t parent,
                            const std::function<Result<void>(unsigned, unsigned)>& work)
{
    // A killed run takes its children with it: they must not go on writing files while the
    // next run starts.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
        ::_exit(1);
    }
    int status = 0;
    try {
        if (auto r = work(part, parts); !r) {
            // "<exit code> <message>": the parent rebuilds the Error.
            write_all(to, fmt::format("{} {}", exit_code(r.error().code), r.error().message));
            status = 1;
        }
    } catch (const std::exception& e) {
        write_all(to, fmt::format("{} {}", exit_code(ErrorCode::internal), e.what()));
        status = 1;
    } catch (...) {
        status = 1;
    }
    ::close(to);
    ::_exit(status);
}

// The child's report: its error, if any.
std::optional<Error> collect(const Child& child)
{
    const std::string report = read_all(child.from);
    ::close(child.from);
    int status = 0;
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return std::nullopt;
    }
    if (const auto space = report.find(' '); WIFEXITED(status) && space != std::string::npos) {
        const int code = std::atoi(report.substr(0, space).c_str());
        return Error{static_cast<ErrorCode>(code), report.substr(space + 1)};
    }
    if (WIFSIGNALED(status)) {
        return Error{ErrorCode::internal,
                     fmt::format("worker {} died of signal {} ({})", child.part, WTERMSIG(status), strsignal(WTERMSIG(status)))};
    }
    return Error{ErrorCode::internal, fmt::format("worker {} failed without a message", child.part)};
}

}  // namespace

Result<void> in_processes(unsigned parts, const std::function<Result<void>(unsigned part, unsigned parts)>& work)
{
    if (parts <= 1) {
        return work(0, 1);
    }
    const pid_t self = ::getpid();
    std::vector<Child> children;
    std::vector<unsigned> own_parts{0};
    for (unsigned part = 1; part < parts; ++part) {
        // A part that cannot get a process of its own is done here, after part 0.
        int pipe_fds[2];
        if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
            own_parts.push_back(part);
            continue;
        }
        const pid_t pid = ::fork();
        if (pid < 0) {
            ::close(pipe_fds[0]);
            ::close(pipe_fds[1]);
            own_parts.push_back(part);
            continue;
        }
        if (pid == 0) {
            ::close(pipe_fds[0]);
            for (const auto& c : children) {
                ::close(c.from);
            }
            run_child(pipe_fds[1], part, parts, self, work);
        }
        ::close(pipe_fds[1]);
        children.push_back(Child{pid, pipe_fds[0], part});
    }
    std::optional<std::pair<unsigned, Error>> first;
    auto keep = [&](unsigned part, Error e) {
        if (!first || part < first->first) {
            first.emplace(part, std::move(e));
        }
    };
    for (unsigned part : own_parts) {
        if (auto r = work(part, parts); !r) {
            keep(part, r.error());
        }
    }
    for (const auto& child : children) {
        if (auto e = collect(child); e) {
            keep(child.part, std::move(*e));
        }
    }
    if (first) {
        return tl::unexpected(std::move(first->second));
    }
    return {};
}

}  // namespace billrun::io
