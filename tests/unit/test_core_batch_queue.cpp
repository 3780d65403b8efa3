#include <catch2/catch.hpp>

#include <numeric>
#include <thread>
#include <vector>

#include <billrun/core/batch_queue.hpp>

using billrun::BatchQueue;

TEST_CASE("batch queue: every batch arrives once and in order, then the end", "[core][batch_queue]")
{
    BatchQueue<int> queue(2);  // smaller than what goes through: the producer must wait
    bool all_taken = true;     // Catch's assertions are not for other threads
    std::thread producer([&] {
        for (int b = 0; b < 100; ++b) {
            all_taken = queue.push(std::vector<int>{b * 3, b * 3 + 1, b * 3 + 2}) && all_taken;
        }
        queue.close();
    });
    std::vector<int> got;
    while (auto batch = queue.pop()) {
        got.insert(got.end(), batch->begin(), batch->end());
    }
    producer.join();
    CHECK(all_taken);
    std::vector<int> expected(300);
    std::iota(expected.begin(), expected.end(), 0);
    CHECK(got == expected);
    CHECK_FALSE(queue.pop());  // closed and empty stays so
}

TEST_CASE("batch queue: a consumer that stops releases a waiting producer", "[core][batch_queue]")
{
    BatchQueue<int> queue(1);
    int refused_at = -1;
    std::thread producer([&] {
        for (int b = 0; b < 1000; ++b) {
            if (!queue.push(std::vector<int>{b})) {
                refused_at = b;
                return;
            }
        }
    });
    auto first = queue.pop();
    REQUIRE(first);
    CHECK(first->front() == 0);
    queue.close();  // the consumer gives up: the producer, blocked on a full queue, must return
    producer.join();
    CHECK(refused_at > 0);
    CHECK(refused_at < 1000);
}

TEST_CASE("batch queue: try_pop does not wait", "[core][batch_queue]")
{
    BatchQueue<int> queue(4);
    CHECK_FALSE(queue.try_pop());
    REQUIRE(queue.push({7, 8}));
    auto batch = queue.try_pop();
    REQUIRE(batch);
    CHECK(*batch == std::vector<int>{7, 8});
    CHECK_FALSE(queue.try_pop());
}
