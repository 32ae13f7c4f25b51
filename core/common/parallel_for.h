#pragma once
// parallelFor: runs fn(i) for i in [0, n) on `threads` threads (the calling one included) and
// stops handing out work after the first failure, which it returns. For I/O-and-hash loops over
// files; not a general task system.

#include "core/common/status.h"

#include <QMutex>
#include <QMutexLocker>

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace orrery::common {

inline Status parallelFor(int n, int threads, const std::function<Status(int)> &fn)
{
    std::atomic<int> next{0};
    std::atomic<bool> failed{false};
    Status first;
    QMutex mutex;
    const auto worker = [&] {
        for (int i = next.fetch_add(1); i < n && !failed.load(); i = next.fetch_add(1)) {
            Status s = fn(i);
            if (!s) {
                QMutexLocker lock(&mutex);
                if (!failed.exchange(true))
                    first = s;
                return;
            }
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < std::min(threads, n); ++t)
        pool.emplace_back(worker);
    worker();
    for (auto &t : pool)
        t.join();
    return failed.load() ? first : Status::ok();
}

} // namespace orrery::common
