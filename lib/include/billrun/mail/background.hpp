#pragma once
// Renders and delivers batches of messages on a second thread, so that the files of one batch
// are written while the caller does the ledger work of the next (remind to the outbox: the
// kernel's file creation was a third of the run). A batch comes back whole, after the sender's
// flush(), with each message's outcome: what send() returned.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <billrun/core/error.hpp>
#include <billrun/mail/mail.hpp>

namespace billrun::mail {

struct Outgoing {
    Message message;
    std::string file_stem;
    std::size_t tag = 0;          // the caller's: which of its items this message is
    Result<std::string> outcome;  // set by the thread: where the message went, or why not
};

struct SentBatch {
    std::vector<Outgoing> messages;
    Result<void> flushed;  // the sender's flush() after the batch: only then are the outcomes lasting
};

class BackgroundSender {
public:
    // `sender` is used by the thread alone from now on, until this object is destroyed.
    explicit BackgroundSender(Sender& sender);
    // Finishes the batches handed over (their files are then in place, as after a kill of a
    // run that had written them: the ledger does not say they were sent), then stops.
    ~BackgroundSender();
    BackgroundSender(const BackgroundSender&) = delete;
    BackgroundSender& operator=(const BackgroundSender&) = delete;

    // Hands a batch over; batches are sent in the order given.
    void submit(std::vector<Outgoing> batch);
    // Waits for the oldest batch handed over and not yet waited for (there must be one).
    SentBatch wait();
    // Batches handed over and not yet waited for.
    std::size_t in_flight() const { return m_in_flight; }

private:
    void work();

    Sender& m_sender;
    std::deque<std::vector<Outgoing>> m_todo;
    std::deque<SentBatch> m_done;
    std::size_t m_in_flight = 0;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_stop = false;
    std::thread m_thread;
};

}  // namespace billrun::mail
