// Thread pool: every task runs exactly once for any thread count and task count (chunks above
// 65535 included), under thousands of back-to-back jobs (the way layers follow each other), after
// workers went to sleep, and a task held up on one thread never stops the others from taking the
// rest (dynamic claiming: a preempted thread costs only the task it holds).
// Usage: threadpool_test. Exit code 1 on any failure.
#include <atomic>
#include <cstddef>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "runtime/threadpool.h"

namespace {

size_t g_failures = 0;

void check(bool ok, const char* what, size_t a = 0, size_t b = 0) {
  if (!ok) {
    g_failures++;
    std::printf("FAIL %s (%zu, %zu)\n", what, a, b);
  }
}

void exactly_once(size_t threads, size_t n, size_t jobs) {
  mn::ThreadPool pool(threads);
  std::vector<std::atomic<uint32_t>> hits(n);
  for (size_t j = 0; j < jobs; j++) {
    pool.parallel_for(n, [&](size_t i) { hits[i].fetch_add(1, std::memory_order_relaxed); });
  }
  for (size_t i = 0; i < n; i++) check(hits[i].load() == jobs, "a task ran other than once per job", i, hits[i].load());
}

}  // namespace

int main() {
  using clk = std::chrono::steady_clock;
  for (size_t threads : {1, 2, 3, 4, 8})
    for (size_t n : {1, 2, 3, 7, 16, 64, 1000}) exactly_once(threads, n, 2000);
  exactly_once(3, 70000, 3);  // more tasks than one job word holds: run in chunks

  // Workers asleep (idle longer than their spin) still take part when the next job comes.
  {
    mn::ThreadPool pool(3);
    for (int round = 0; round < 5; round++) {
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
      std::vector<std::atomic<uint32_t>> hits(50);
      pool.parallel_for(50, [&](size_t i) { hits[i]++; });
      for (auto& h : hits) check(h.load() == 1, "task lost after the workers slept", (size_t)round, h.load());
    }
  }

  // Task 0 blocks until every other task is done (as a thread preempted mid-task would hold it):
  // the other threads must take all the rest meanwhile. With a static split the stalled thread
  // would own tasks nobody else may take, and this would time out. No timing is asserted.
  for (size_t threads : {2, 3, 4}) {
    mn::ThreadPool pool(threads);
    for (int round = 0; round < 20; round++) {
      const size_t n = 64;
      std::atomic<size_t> others{0};
      std::atomic<bool> timed_out{false};
      std::thread::id staller;
      pool.parallel_for(n, [&](size_t i) {
        if (i == 0) {
          staller = std::this_thread::get_id();
          const auto give_up = clk::now() + std::chrono::seconds(20);
          while (others.load() != n - 1)
            if (clk::now() > give_up) { timed_out = true; break; } else std::this_thread::yield();
          return;
        }
        others++;
      });
      check(!timed_out.load(), "the other threads did not take the tasks a stalled thread left", threads, (size_t)round);
      check(others.load() == n - 1, "not every task ran", threads, others.load());
    }
  }
  std::printf("threadpool_test: %zu failures\n", g_failures);
  return g_failures ? 1 : 0;
}
