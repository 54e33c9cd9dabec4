#include "threadpool.h"

#include <chrono>
#include <cstdlib>
#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MN_PAUSE() _mm_pause()
#elif defined(__aarch64__) || defined(__arm__)
#define MN_PAUSE() __asm__ __volatile__("yield")
#else
#define MN_PAUSE() ((void)0)
#endif

namespace mn {

namespace {
// Workers spin this long for the next layer before sleeping: layers follow each other within
// microseconds during an inference, but an idle robot loop must not burn its cores.
constexpr auto kWorkerSpin = std::chrono::microseconds(200);
// The caller spins this long for tasks other threads hold, then sleeps: a task that takes longer
// is most likely held by a preempted thread, and sleeping lets the scheduler run it on this core.
constexpr auto kCallerSpin = std::chrono::microseconds(50);

uint32_t gen_of(uint64_t job) { return (uint32_t)(job >> 32); }
}  // namespace

ThreadPool::ThreadPool(size_t threads) : ranges_(new Range[threads < 1 ? 1 : threads]) {
  for (size_t i = 1; i < threads; i++) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true);
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::claim_all(uint32_t gen, size_t self) {
  const size_t threads = workers_.size() + 1;
  for (size_t k = 0; k < threads; k++) {
    // Own range first, from its front; then the others', from their backs (the rows their owner reaches last).
    std::atomic<uint64_t>& range = ranges_[(self + k) % threads].word;
    uint64_t word = range.load(std::memory_order_acquire);
    for (;;) {
      const size_t front = (size_t)(word >> 16) & kMaxTasks, back = (size_t)word & kMaxTasks;
      if (gen_of(word) != gen) return;  // a newer job: this one is finished
      if (front >= back) break;
      const uint64_t claimed = k == 0 ? word + ((uint64_t)1 << 16) : word - 1;
      if (!range.compare_exchange_weak(word, claimed, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      fn_(ctx_, base_ + (k == 0 ? front : back - 1));
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == n_) {
        std::lock_guard<std::mutex> lock(mutex_);  // the caller may be asleep in idle_
        idle_.notify_one();
      }
      word = range.load(std::memory_order_acquire);
    }
  }
}

void ThreadPool::run(size_t n, void (*fn)(void*, size_t), void* ctx) {
  if (n == 0) return;
  if (workers_.empty() || n == 1) {
    for (size_t i = 0; i < n; i++) fn(ctx, i);
    return;
  }
  fn_ = fn;
  ctx_ = ctx;
  for (size_t base = 0; base < n; base += kMaxTasks) {
    base_ = base;
    run_chunk(std::min(kMaxTasks, n - base));
  }
}

void ThreadPool::run_chunk(size_t n) {
  done_.store(0, std::memory_order_relaxed);
  n_ = n;
  const uint32_t gen = ++generation_;
  const size_t threads = workers_.size() + 1;
  for (size_t i = 0; i < threads; i++)
    ranges_[i].word.store(((uint64_t)gen << 32) | ((uint64_t)(i * n / threads) << 16) | (uint64_t)((i + 1) * n / threads),
                          std::memory_order_relaxed);
  job_.store((uint64_t)gen << 32, std::memory_order_seq_cst);  // publishes the ranges
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  claim_all(gen, 0);
  if (done_.load(std::memory_order_acquire) == n) return;
  const auto spin_until = std::chrono::steady_clock::now() + kCallerSpin;
  for (unsigned spins = 1; done_.load(std::memory_order_acquire) != n; spins++) {
    MN_PAUSE();
    if ((spins & 255) == 0 && std::chrono::steady_clock::now() > spin_until) {
      std::unique_lock<std::mutex> lock(mutex_);
      idle_.wait(lock, [&] { return done_.load(std::memory_order_acquire) == n; });
      break;
    }
  }
}

void ThreadPool::worker_loop(size_t self) {
#if defined(__linux__)
  // MOBILENET_POOL_NICE (measurement only): niceness of pool workers relative to the process.
  if (const char* nice = std::getenv("MOBILENET_POOL_NICE")) setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), std::atoi(nice));
#endif
  uint32_t seen = 0;
  for (;;) {
    const auto spin_until = std::chrono::steady_clock::now() + kWorkerSpin;
    unsigned spins = 0;
    while (gen_of(job_.load(std::memory_order_acquire)) == seen && !stop_.load(std::memory_order_acquire)) {
      MN_PAUSE();
      if ((++spins & 1023) == 0 && std::chrono::steady_clock::now() > spin_until) {
        std::unique_lock<std::mutex> lock(mutex_);
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        wake_.wait(lock, [&] {
          return gen_of(job_.load(std::memory_order_seq_cst)) != seen || stop_.load(std::memory_order_acquire);
        });
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
        break;
      }
    }
    if (stop_.load(std::memory_order_acquire)) return;
    seen = gen_of(job_.load(std::memory_order_acquire));
    claim_all(seen, self);
  }
}

}  // namespace mn
