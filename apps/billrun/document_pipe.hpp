#pragma once
// Formats and writes a stage's documents on a second thread while the ledger work goes on in
// the first: on a million-record cycle or issue-boleto the YAML is a sixth to a third of the
// work, and there are two cores. The queue is bounded, so memory stays flat however fast the
// ledger side runs.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace billrun::app {

template <typename T>
class DocumentPipe {
public:
    // `format` appends one item's document to the text; it runs on the pipe's thread.
    using Format = std::function<void(std::string& text, const T& item)>;

    DocumentPipe(std::ostream& out, Format format)
        : m_out(out), m_format(std::move(format)), m_thread([this] { work(); })
    {
        m_filling.reserve(k_batch);
    }
    ~DocumentPipe() { finish(); }
    DocumentPipe(const DocumentPipe&) = delete;
    DocumentPipe& operator=(const DocumentPipe&) = delete;

    void push(T item)
    {
        m_filling.push_back(std::move(item));
        if (m_filling.size() >= k_batch) {
            hand_over();
        }
    }

    // Writes what is queued and stops the thread; call before writing anything else.
    void finish()
    {
        if (!m_thread.joinable()) {
            return;
        }
        if (!m_filling.empty()) {
            hand_over();
        }
        {
            std::lock_guard lock(m_mutex);
            m_done = true;
        }
        m_changed.notify_all();
        m_thread.join();
    }

private:
    static constexpr std::size_t k_batch = 512;
    static constexpr std::size_t k_max_queued = 8;

    void hand_over()
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return m_queue.size() < k_max_queued; });
        m_queue.push_back(std::move(m_filling));
        m_filling = {};
        m_filling.reserve(k_batch);
        m_changed.notify_all();
    }

    void work()
    {
        std::string text;
        while (true) {
            std::vector<T> batch;
            {
                std::unique_lock lock(m_mutex);
                m_changed.wait(lock, [this] { return !m_queue.empty() || m_done; });
                if (m_queue.empty()) {
                    return;
                }
                batch = std::move(m_queue.front());
                m_queue.pop_front();
                m_changed.notify_all();
            }
            text.clear();
            for (const auto& item : batch) {
                m_format(text, item);
            }
            m_out.write(text.data(), static_cast<std::streamsize>(text.size()));
        }
    }

    std::ostream& m_out;
    Format m_format;
    std::vector<T> m_filling;
    std::deque<std::vector<T>> m_queue;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_done = false;
    std::thread m_thread;
};

}  // namespace billrun::app
