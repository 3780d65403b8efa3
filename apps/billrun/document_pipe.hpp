#pragma once
// Formats and writes a stage's documents on a second thread while the ledger work goes on in
// the first: on a million-record cycle or issue-boleto the YAML is a sixth to a third of the
// work, and there are two cores. The queue is bounded, so memory stays flat however fast the
// ledger side runs.
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <billrun/core/batch_queue.hpp>

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
            m_queue.push(std::move(m_filling));
            m_filling = {};
            m_filling.reserve(k_batch);
        }
    }

    // Writes what is queued and stops the thread; call before writing anything else.
    void finish()
    {
        if (!m_thread.joinable()) {
            return;
        }
        if (!m_filling.empty()) {
            m_queue.push(std::move(m_filling));
            m_filling = {};
        }
        m_queue.close();
        m_thread.join();
    }

private:
    static constexpr std::size_t k_batch = 512;
    static constexpr std::size_t k_max_queued = 8;

    void work()
    {
        std::string text;
        while (auto batch = m_queue.pop()) {
            text.clear();
            for (const auto& item : *batch) {
                m_format(text, item);
            }
            m_out.write(text.data(), static_cast<std::streamsize>(text.size()));
        }
    }

    std::ostream& m_out;
    Format m_format;
    std::vector<T> m_filling;
    BatchQueue<T> m_queue{k_max_queued};
    std::thread m_thread;  // last: starts once everything it uses exists
};

}  // namespace billrun::app
