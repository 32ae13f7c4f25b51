#pragma once
// PredictionHookQueue: hands prediction records to a PredictionHook on a consumer thread of its
// own, through a bounded queue, so the answering path never waits on the hook: a full queue drops
// the record and counts it. Shared by every version a server runs.

#include "core/serve/prediction_hook.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace orrery::serve {

class PredictionHookQueue {
public:
    explicit PredictionHookQueue(int capacity);
    ~PredictionHookQueue(); // hands over what is queued, then joins

    // Once, before traffic: starts the consumer thread. Until then active() is false and the
    // answering path builds no records at all.
    void setHook(std::shared_ptr<PredictionHook> hook);
    bool active() const { return m_active.load(std::memory_order_acquire); }
    void push(PredictionRecord record); // never blocks on the hook
    // Waits (up to timeoutMs) until every record pushed before the call was handed to the hook:
    // a delayed label that follows its answer by microseconds must find the prediction
    // (FeedbackStore asks before matching). True when they all were.
    bool waitHandedOver(int timeoutMs);
    quint64 dropped() const { return m_dropped.load(); }

private:
    void loop();

    std::shared_ptr<PredictionHook> m_hook;
    int m_capacity;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<PredictionRecord> m_records;
    quint64 m_pushed = 0, m_handedOver = 0; // guarded by m_mutex
    std::condition_variable m_handed;
    bool m_stop = false;
    std::atomic<quint64> m_dropped{0};
    std::atomic<bool> m_active{false};
    std::thread m_thread;
};

} // namespace orrery::serve
