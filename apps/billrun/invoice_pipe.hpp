#pragma once
// Formats and writes invoice documents on a second thread while the ledger work goes on in
// the first: on a million-invoice cycle the YAML is a third of the work, and there are two
// cores. The queue is bounded, so memory stays flat however fast the ledger side runs.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <ostream>
#include <thread>
#include <vector>

#include <billrun/billing/cycle.hpp>

#include "app.hpp"

namespace billrun::app {

class InvoicePipe {
public:
    InvoicePipe(const AppContext& ctx, std::ostream& out, io::Format format);
    ~InvoicePipe();
    InvoicePipe(const InvoicePipe&) = delete;
    InvoicePipe& operator=(const InvoicePipe&) = delete;

    // The sink to hand to the billing stage.
    billing::InvoiceSink sink();
    // Writes what is queued and stops the thread; call before writing anything else.
    void finish();

private:
    using Batch = std::vector<std::pair<ledger::Invoice, bool>>;
    void push(Batch batch);
    void work();

    const AppContext& m_ctx;
    std::ostream& m_out;
    io::Format m_format;
    Batch m_filling;
    std::deque<Batch> m_queue;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_done = false;
    std::thread m_thread;
};

}  // namespace billrun::app
