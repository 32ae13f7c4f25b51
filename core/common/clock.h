#pragma once
// The clock is injected wherever time is recorded (audit entries, runs, monitoring windows), so
// tests can pin it. Times are UTC with millisecond precision.

#include <QDateTime>

namespace orrery::common {

class Clock {
public:
    virtual ~Clock() = default;
    virtual QDateTime now() const = 0;
    static const Clock &system();
};

// A clock that only moves when told to; for tests.
class ManualClock : public Clock {
public:
    explicit ManualClock(QDateTime start) : m_now(std::move(start)) {}
    QDateTime now() const override { return m_now; }
    void advanceMs(qint64 ms) { m_now = m_now.addMSecs(ms); }
    void set(QDateTime t) { m_now = std::move(t); }

private:
    QDateTime m_now;
};

// ISO 8601 UTC with milliseconds and a trailing Z, the one time format Orrery writes.
QString toIsoUtc(const QDateTime &t);

} // namespace orrery::common
