// An ordered parallel map with a bounded window: items 0..count-1 are worked on by a few threads
// and handed to the calling thread strictly in index order. This is how a bulk load prepares
// documents (read, extract, normalize, sketch, hash, compress) on other threads while the caller
// writes them one by one, in input order, so that what it prints, what it refuses and the ids it
// gives are those of a sequential run.
//
// Memory is bounded whatever the number of items: at most `max_items` items are in flight (started
// and not yet consumed), and together their costs (what the caller says each item will hold, in
// bytes: e.g. its input file's size) stay within `max_bytes`. The next item to consume is always
// let in: an item larger than the cap then goes through alone (nothing else is in flight), so
// in-flight bytes never exceed max(max_bytes, the largest single cost). A cost may instead be
// settled once the item is worked (`settle`: what its result holds, when finding it beforehand
// would cost the caller's thread more than the work's): an item then counts its estimate while
// being worked, so that the settled costs exceed `max_bytes` by at most what the items being
// worked hold beyond their estimates, one item per thread, the caller's included.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace leitong {

struct PipelineLimits {
  // Worker threads besides the caller (0: none, the caller works each item itself, in order).
  int threads = 2;
  std::size_t max_items = 256;  // items started and not yet consumed, at most
  std::size_t max_bytes = std::size_t(64)
                          << 20;  // their summed costs, at most (plus the next one's)
};

// What ordered_parallel_map reports of a run, for tests and tuning.
struct PipelineStats {
  std::size_t peak_items = 0;  // the most items in flight at once
  std::size_t peak_bytes = 0;  // the largest sum of in-flight costs
  std::size_t consumed = 0;    // items handed to `consume`
};

// Calls work(i) for every i in [0, count) on worker threads (or on the caller when it would
// otherwise wait for the next item nobody has started), and consume(i, result) on the calling
// thread for i = 0, 1, 2, … in order. `cost(i)` is called on any thread with an internal lock held:
// keep it cheap (a look-up in a precomputed vector). `settle(i, result)`, if given, is called on the
// thread that worked item i, without the lock, and replaces its cost; an exception it throws is
// item i's, as one thrown by work(i). `work` must be safe to run concurrently with itself and with
// `consume`.
// consume returns false to stop: no further item is started or consumed, the items in progress
// are finished and dropped, and the call returns. An exception thrown by work(i) is rethrown from
// this call when item i's turn to be consumed comes (the items before it are consumed first); one
// thrown by consume propagates at once. Either way every worker thread has been joined before it
// returns.
template <class Result>
PipelineStats ordered_parallel_map(std::size_t count,
                                   const std::function<std::size_t(std::size_t)>& cost,
                                   const std::function<Result(std::size_t)>& work,
                                   const std::function<bool(std::size_t, Result&&)>& consume,
                                   const PipelineLimits& limits = {},
                                   const std::function<std::size_t(std::size_t, const Result&)>& settle = {}) {
  struct Done {
    std::optional<Result> result;
    std::exception_ptr error;
  };
  std::mutex mutex;
  std::condition_variable ready_cv;  // the consumer waits for its next item
  std::condition_variable room_cv;   // workers wait for room in the window
  std::size_t next_start = 0, next_consume = 0, bytes = 0;
  bool stopping = false;
  std::map<std::size_t, Done> done;          // finished, not consumed yet
  std::map<std::size_t, std::size_t> costs;  // cost of every started, unconsumed item
  PipelineStats stats;
  const std::size_t max_items = std::max<std::size_t>(limits.max_items, 1);

  // With the lock held: may item next_start begin now?
  auto may_start = [&] {
    if (next_start >= count) return false;
    if (next_start == next_consume) return true;  // the head always goes
    if (next_start - next_consume >= max_items) return false;
    return bytes + cost(next_start) <= limits.max_bytes;
  };
  auto claim = [&] {  // with the lock held, may_start() true
    const std::size_t i = next_start++;
    const std::size_t c = cost(i);
    costs[i] = c;
    bytes += c;
    stats.peak_items = std::max(stats.peak_items, next_start - next_consume);
    stats.peak_bytes = std::max(stats.peak_bytes, bytes);
    return i;
  };
  // Works item i without the lock; returns its settled cost (its estimate when not settled).
  auto run_one = [&](std::size_t i, Done& d) -> std::optional<std::size_t> {
    try {
      d.result.emplace(work(i));
      if (settle) return settle(i, *d.result);
    } catch (...) {
      d.error = std::current_exception();
    }
    return std::nullopt;
  };
  auto settle_cost = [&](std::size_t i, std::optional<std::size_t> settled) {  // with the lock held
    if (!settled) return;
    std::size_t& c = costs.at(i);
    const bool room_made = *settled < c;
    bytes = bytes - c + *settled;
    c = *settled;
    stats.peak_bytes = std::max(stats.peak_bytes, bytes);
    if (room_made) room_cv.notify_all();
  };

  auto worker = [&] {
    std::unique_lock lock(mutex);
    for (;;) {
      room_cv.wait(lock, [&] { return stopping || next_start >= count || may_start(); });
      if (stopping || next_start >= count) return;
      const std::size_t i = claim();
      lock.unlock();
      Done d;
      const std::optional<std::size_t> settled = run_one(i, d);
      lock.lock();
      settle_cost(i, settled);
      done.emplace(i, std::move(d));
      if (i == next_consume) ready_cv.notify_one();
    }
  };

  std::vector<std::thread> threads;
  auto finish = [&] {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    room_cv.notify_all();
    for (std::thread& t : threads) t.join();
    threads.clear();
  };
  try {
    const int n = count > 1 ? std::max(limits.threads, 0) : 0;
    for (int t = 0; t < n && std::size_t(t) < count; ++t) {
      try {
        threads.emplace_back(worker);
      } catch (const std::system_error&) {
        break;  // no more threads to be had: the caller does what no worker starts
      }
    }
    for (std::size_t i = 0; i < count; ++i) {
      Done d;
      {
        std::unique_lock lock(mutex);
        if (next_start == i) {  // nobody has started it: the caller does
          claim();
          lock.unlock();
          const std::optional<std::size_t> settled = run_one(i, d);
          lock.lock();
          settle_cost(i, settled);
        } else {
          ready_cv.wait(lock, [&] { return done.count(i) != 0; });
          d = std::move(done.at(i));
          done.erase(i);
        }
      }
      if (d.error) std::rethrow_exception(d.error);
      const bool more = consume(i, std::move(*d.result));
      {
        std::lock_guard lock(mutex);
        bytes -= costs.at(i);
        costs.erase(i);
        next_consume = i + 1;
        ++stats.consumed;
        stopping = !more;  // stopped: no item starts after it
      }
      if (!more) break;
      room_cv.notify_all();
    }
  } catch (...) {
    finish();
    throw;
  }
  finish();
  return stats;
}

}  // namespace leitong
