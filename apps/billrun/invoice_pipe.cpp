#include "invoice_pipe.hpp"
#include <sstream>

namespace billrun::app {

namespace {
constexpr std::size_t k_batch = 512;
constexpr std::size_t k_max_queued = 8;
}  // namespace

InvoicePipe::InvoicePipe(const AppContext& ctx, std::ostream& out, io::Format format)
    : m_ctx(ctx), m_out(out), m_format(format), m_thread([this] { work(); })
{
}

InvoicePipe::~InvoicePipe()
{
    finish();
}

billing::InvoiceSink InvoicePipe::sink()
{
    return [this](ledger::Invoice invoice, bool provisional) {
        m_filling.emplace_back(std::move(invoice), provisional);
        if (m_filling.size() >= k_batch) {
            push(std::move(m_filling));
            m_filling = {};
        }
    };
}

void InvoicePipe::push(Batch batch)
{
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return m_queue.size() < k_max_queued; });
    m_queue.push_back(std::move(batch));
    m_changed.notify_all();
}

void InvoicePipe::finish()
{
    if (!m_thread.joinable()) {
        return;
    }
    if (!m_filling.empty()) {
        push(std::move(m_filling));
        m_filling = {};
    }
    {
        std::lock_guard lock(m_mutex);
        m_done = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

void InvoicePipe::work()
{
    std::string text;
    while (true) {
        Batch batch;
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
        for (const auto& [invoice, provisional] : batch) {
            if (m_format == io::Format::yaml) {
                billing::append_invoice_yaml(text, invoice, provisional);
            } else {
                std::ostringstream one;
                m_ctx.write_document(one, m_format, billing::invoice_document(invoice, provisional));
                text += one.str();
            }
        }
        m_out.write(text.data(), static_cast<std::streamsize>(text.size()));
    }
}

}  // namespace billrun::app
