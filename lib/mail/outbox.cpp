// The outbox: each message as <outbox>/<stem>.eml, written atomically.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include <billrun/io/files.hpp>
#include <billrun/mail/mail.hpp>

namespace billrun::mail {

namespace {

class OutboxSender final : public Sender {
public:
    OutboxSender(std::filesystem::path outbox, bool batch) : m_outbox(std::move(outbox)), m_batch(batch) {}

    Result<std::string> send(const Message& message, const std::string& rendered, const std::string& file_stem) override
    {
        if (auto checked = check_message(message); !checked) {
            return tl::unexpected(checked.error());
        }
        if (!m_created) {
            std::error_code ec;
            std::filesystem::create_directories(m_outbox, ec);
            if (ec) {
                return fail(ErrorCode::internal,
                            fmt::format("{}: cannot create the outbox folder: {}", m_outbox.string(), ec.message()));
            }
            m_created = true;  // a folder removed later makes the file's creation fail, with its reason
        }
        std::filesystem::path path = m_outbox / (io::safe_file_name(file_stem) + ".eml");
        auto file = io::AtomicFile::create(path, 0644);
        if (!file) {
            return tl::unexpected(file.error());
        }
        if (auto written = file->write(rendered); !written) {
            return tl::unexpected(written.error());
        }
        if (auto committed = file->commit(!m_batch); !committed) {
            return tl::unexpected(committed.error());
        }
        m_pending = m_pending || m_batch;
        return path.string();
    }

    Result<void> flush() override
    {
        if (!m_pending) {
            return {};
        }
        // One syncfs for the batch: the files' data and their names in the folder.
        int fd = ::open(m_outbox.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || ::syncfs(fd) != 0) {
            std::string reason = std::strerror(errno);
            if (fd >= 0) {
                ::close(fd);
            }
            return fail(ErrorCode::internal, fmt::format("{}: cannot sync the outbox: {}", m_outbox.string(), reason));
        }
        ::close(fd);
        m_pending = false;
        return {};
    }

private:
    std::filesystem::path m_outbox;
    bool m_batch;
    bool m_pending = false;
    bool m_created = false;
};

}  // namespace

std::unique_ptr<Sender> outbox_sender(std::filesystem::path outbox, bool batch)
{
    return std::make_unique<OutboxSender>(std::move(outbox), batch);
}

}  // namespace billrun::mail
