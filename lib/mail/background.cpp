#include <billrun/mail/background.hpp>

namespace billrun::mail {

BackgroundSender::BackgroundSender(Sender& sender) : m_sender(sender), m_thread([this] { work(); }) {}

BackgroundSender::~BackgroundSender()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

void BackgroundSender::submit(std::vector<Outgoing> batch)
{
    {
        std::lock_guard lock(m_mutex);
        m_todo.push_back(std::move(batch));
        ++m_in_flight;
    }
    m_changed.notify_all();
}

SentBatch BackgroundSender::wait()
{
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_done.empty(); });
    SentBatch batch = std::move(m_done.front());
    m_done.pop_front();
    --m_in_flight;
    return batch;
}

void BackgroundSender::work()
{
    while (true) {
        std::vector<Outgoing> batch;
        {
            std::unique_lock lock(m_mutex);
            m_changed.wait(lock, [this] { return !m_todo.empty() || m_stop; });
            if (m_todo.empty()) {
                return;
            }
            batch = std::move(m_todo.front());
            m_todo.pop_front();
        }
        for (auto& out : batch) {
            out.outcome = m_sender.send(out.message, render(out.message), out.file_stem);
        }
        SentBatch done{std::move(batch), m_sender.flush()};
        {
            std::lock_guard lock(m_mutex);
            m_done.push_back(std::move(done));
        }
        m_changed.notify_all();
    }
}

}  // namespace billrun::mail
