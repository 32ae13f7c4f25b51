#include "core/serve/prediction_hook_queue.h"

namespace orrery::serve {

PredictionHookQueue::PredictionHookQueue(int capacity) : m_capacity(qMax(1, capacity)) {}

void PredictionHookQueue::setHook(std::shared_ptr<PredictionHook> hook)
{
    if (!hook || m_thread.joinable())
        return;
    m_hook = std::move(hook);
    m_thread = std::thread([this] { loop(); });
    m_active.store(true, std::memory_order_release);
}

PredictionHookQueue::~PredictionHookQueue()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void PredictionHookQueue::push(PredictionRecord record)
{
    std::unique_lock lock(m_mutex);
    if (int(m_records.size()) >= m_capacity) {
        m_dropped.fetch_add(1);
        return;
    }
    m_records.push_back(std::move(record));
    ++m_pushed;
    lock.unlock();
    m_wake.notify_one();
}

void PredictionHookQueue::loop()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [&] { return m_stop || !m_records.empty(); });
        if (m_records.empty())
            return; // stopping, nothing left
        PredictionRecord r = std::move(m_records.front());
        m_records.pop_front();
        lock.unlock();
        m_hook->record(r);
        lock.lock();
        ++m_handedOver;
        m_handed.notify_all();
    }
}

bool PredictionHookQueue::waitHandedOver(int timeoutMs)
{
    std::unique_lock lock(m_mutex);
    const quint64 target = m_pushed;
    return m_handed.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return m_handedOver >= target || !m_thread.joinable(); });
}

} // namespace orrery::serve
