#pragma once
// Hands batches of work from one thread to another through a bounded queue: the producer
// waits while `capacity` batches are queued (memory stays flat however fast it runs), the
// consumer waits while none is. Either side may close it: the consumer then drains what is
// left and gets nothing more; a producer pushing after the consumer closed it is told so and
// stops instead of waiting forever.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace billrun {

template <typename T>
class BatchQueue {
public:
    explicit BatchQueue(std::size_t capacity) : m_capacity(capacity) {}

    // False when the queue was closed (nobody will take the batch).
    bool push(std::vector<T> batch)
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return m_queue.size() < m_capacity || m_closed; });
        if (m_closed) {
            return false;
        }
        m_queue.push_back(std::move(batch));
        m_changed.notify_all();
        return true;
    }

    // The next batch, or nothing once the queue is closed and empty.
    std::optional<std::vector<T>> pop()
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return !m_queue.empty() || m_closed; });
        return take_front();
    }

    // A queued batch if there is one, without waiting.
    std::optional<std::vector<T>> try_pop()
    {
        std::lock_guard lock(m_mutex);
        return take_front();
    }

    void close()
    {
        {
            std::lock_guard lock(m_mutex);
            m_closed = true;
        }
        m_changed.notify_all();
    }

private:
    // Called with the mutex held.
    std::optional<std::vector<T>> take_front()
    {
        if (m_queue.empty()) {
            return std::nullopt;
        }
        std::vector<T> batch = std::move(m_queue.front());
        m_queue.pop_front();
        m_changed.notify_all();  // a producer may be waiting for room
        return batch;
    }

    std::size_t m_capacity;
    std::deque<std::vector<T>> m_queue;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_closed = false;
};

// Closes the queue and joins its producer's thread when the consumer leaves its scope, by
// the end or early (an error): the producer is told to stop and waited for.
template <typename T>
class ProducerStop {
public:
    ProducerStop(BatchQueue<T>& queue, std::thread& producer) : m_queue(queue), m_producer(producer) {}
    ~ProducerStop()
    {
        m_queue.close();
        if (m_producer.joinable()) {
            m_producer.join();
        }
    }
    ProducerStop(const ProducerStop&) = delete;
    ProducerStop& operator=(const ProducerStop&) = delete;

private:
    BatchQueue<T>& m_queue;
    std::thread& m_producer;
};

}  // namespace billrun
