#pragma once
// The clock is injected wherever time is recorded (audit entries, runs, monitoring windows), so
// tests can pin it. Times are UTC with millisecond precision.
//
// The compressed clock (docs/architecture.md, "Processes"): a scenario runs every process on one
// clock that goes faster than real time. Two environment variables set it, and every Orrery
// process reads them when it first asks for Clock::system():
//
//   ORRERY_CLOCK_SCALE   a decimal number from 0.001 to 10000 (60: a clock minute per real second)
//   ORRERY_CLOCK_ANCHOR  the real time where the clock starts to run faster, in milliseconds since
//                        the epoch (date +%s%3N); needed with any scale but 1
//
//   clock now = anchor + (real now − anchor) × scale        (rounded down to the millisecond)
//
// so processes that share both values agree to the millisecond whenever each of them started.
// A scale without an anchor is an error, not "from this process's start": a second process
// started later would run on another timeline. Unset or empty variables mean real time. Bad
// values are an error that names the variable, the value and the fix: main() calls
// checkClockEnvironment() first and exits 2 with it; Clock::system() itself never falls back to
// real time (it stops the process with the same message).
//
// What follows the scale: every time recorded or compared with recorded times (Clock::now()),
// and every duration that means clock time — a monitoring window, `for:`, a canary's pause, a
// replay's --duration — which a loop turns into its real wait with Clock::realMs(). What stays
// real: polling cadences, timeouts of requests and processes, measured latencies, and the
// liveness of processes (a heartbeat's age is compared with Clock::clockMs(real limit)).

#include "core/common/status.h"

#include <QDateTime>
#include <QProcessEnvironment>

#include <functional>

namespace orrery::common {

inline constexpr char kClockScaleVariable[] = "ORRERY_CLOCK_SCALE";
inline constexpr char kClockAnchorVariable[] = "ORRERY_CLOCK_ANCHOR";

class Clock {
public:
    virtual ~Clock() = default;
    virtual QDateTime now() const = 0;
    qint64 nowMs() const { return now().toMSecsSinceEpoch(); }
    // The real wait that lets `clockMs` of this clock's time pass (rounded up, so a wait never
    // ends early); a clock that is not compressed returns clockMs.
    virtual qint64 realMs(qint64 clockMs) const { return clockMs; }
    // How much of this clock's time passes in `realMs` of real time (for real limits, such as a
    // process's heartbeat age, compared with recorded times).
    virtual qint64 clockMs(qint64 realMs) const { return realMs; }
    // The process's clock: real time, or compressed as ORRERY_CLOCK_SCALE / _ANCHOR say.
    static const Clock &system();
};

// The compressed clock's setting: a scale and the real time it starts from.
struct ClockScale {
    double scale = 1.0;
    qint64 anchorMs = 0; // real ms since the epoch; unused at scale 1

    bool compressed() const { return scale != 1.0; }
    qint64 clockAt(qint64 realNowMs) const;
    qint64 realMs(qint64 clockMs) const;
    qint64 clockMs(qint64 realMs) const;
    // "60× from 2026-03-01T10:00:00.000Z", or "real time".
    QString describe() const;

    // Read from an environment (the process's: QProcessEnvironment::systemEnvironment()). An
    // InvalidArgument names the variable, its value and what it should be. `realNowMs` is the
    // real time now, for the check that the anchor is not in the future.
    static Result<ClockScale> fromEnvironment(const QProcessEnvironment &env, qint64 realNowMs);
    // A clock `scale` times faster from now on: what a scenario hands to all of its processes.
    static ClockScale startingNow(double scale);
    // The process's own setting, as Clock::system() uses it.
    static const ClockScale &system();

    // Sets both variables in `env` for a child process (removes them at scale 1), so the child
    // runs on this clock: QProcess::setProcessEnvironment(env).
    void exportTo(QProcessEnvironment &env) const;
};

// A clock running `scale` times faster than real time from its anchor. `realNowMs` reads real
// time (default: the system's); tests pass their own.
class ScaledClock final : public Clock {
public:
    explicit ScaledClock(ClockScale scale, std::function<qint64()> realNowMs = {});
    QDateTime now() const override;
    qint64 realMs(qint64 clockMs) const override { return m_scale.realMs(clockMs); }
    qint64 clockMs(qint64 realMs) const override { return m_scale.clockMs(realMs); }
    const ClockScale &scale() const { return m_scale; }

private:
    ClockScale m_scale;
    std::function<qint64()> m_realNowMs;
};

// What main() calls before anything else: Ok, or the error to print (then exit 2) when
// ORRERY_CLOCK_SCALE or ORRERY_CLOCK_ANCHOR has a bad value.
Status checkClockEnvironment();

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
