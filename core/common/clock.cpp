#include "core/common/clock.h"

#include <QLocale>
#include <QRegularExpression>

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace orrery::common {
namespace {

constexpr double kMinScale = 0.001;
constexpr double kMaxScale = 10'000;
// Anchors before 2000 are almost surely seconds given for milliseconds (`date +%s`).
constexpr qint64 kEarliestAnchorMs = 946'684'800'000;  // 2000-01-01T00:00:00Z
constexpr qint64 kLatestAnchorMs = 253'402'300'799'999; // 9999-12-31T23:59:59.999Z
// An anchor this far ahead of real time is a mistake, not clock skew between processes.
constexpr qint64 kAnchorFutureSlackMs = 60'000;

qint64 realNow() { return QDateTime::currentMSecsSinceEpoch(); }

QString fixText()
{
    return QStringLiteral("set %1 to a number from 0.001 to 10000 (e.g. 60: a clock minute per real second) and %2 to the real time "
                          "it starts from in milliseconds since the epoch (e.g. $(date +%s%3N)), the same two values in every process "
                          "of the scenario; unset both for real time")
        .arg(QLatin1String(kClockScaleVariable), QLatin1String(kClockAnchorVariable));
}

} // namespace

qint64 ClockScale::clockAt(qint64 realNowMs) const
{
    if (!compressed())
        return realNowMs;
    // Rounded down: the same real millisecond gives the same clock millisecond in every process.
    return anchorMs + qint64(std::floor(double(realNowMs - anchorMs) * scale));
}

qint64 ClockScale::realMs(qint64 clockMs) const
{
    if (!compressed() || clockMs <= 0)
        return clockMs;
    return qint64(std::ceil(double(clockMs) / scale));
}

qint64 ClockScale::clockMs(qint64 realMs) const
{
    if (!compressed() || realMs <= 0)
        return realMs;
    return qint64(std::floor(double(realMs) * scale));
}

QString ClockScale::describe() const
{
    if (!compressed())
        return QStringLiteral("real time");
    return QStringLiteral("%1× from %2").arg(QString::number(scale, 'f', QLocale::FloatingPointShortest),
                                             toIsoUtc(QDateTime::fromMSecsSinceEpoch(anchorMs, Qt::UTC)));
}

Result<ClockScale> ClockScale::fromEnvironment(const QProcessEnvironment &env, qint64 realNowMs)
{
    const QString scaleName = QLatin1String(kClockScaleVariable);
    const QString anchorName = QLatin1String(kClockAnchorVariable);
    const QString scaleText = env.value(scaleName).trimmed();
    const QString anchorText = env.value(anchorName).trimmed();
    ClockScale s;

    if (!scaleText.isEmpty()) {
        static const QRegularExpression number(QStringLiteral("^[0-9]+(\\.[0-9]+)?$"));
        bool ok = number.match(scaleText).hasMatch();
        const double value = ok ? scaleText.toDouble(&ok) : 0.0;
        if (!ok || !(value >= kMinScale && value <= kMaxScale))
            return invalidArgument(QStringLiteral("%1='%2' is not a clock scale: it must be a decimal number from 0.001 to 10000 "
                                                  "(how many times faster than real time the clock runs, e.g. 60); %3")
                                       .arg(scaleName, env.value(scaleName), fixText()));
        s.scale = value;
    }
    if (!anchorText.isEmpty()) {
        static const QRegularExpression digits(QStringLiteral("^[0-9]{1,16}$"));
        bool ok = digits.match(anchorText).hasMatch();
        const qint64 value = ok ? anchorText.toLongLong(&ok) : 0;
        if (!ok || value > kLatestAnchorMs)
            return invalidArgument(QStringLiteral("%1='%2' is not a time: it must be whole milliseconds since the epoch (e.g. $(date +%s%3N)); %3")
                                       .arg(anchorName, env.value(anchorName), fixText()));
        if (value < kEarliestAnchorMs)
            return invalidArgument(QStringLiteral("%1='%2' is %3, before 2000: it takes milliseconds since the epoch, not seconds "
                                                  "(date +%s%3N, not date +%s); %4")
                                       .arg(anchorName, env.value(anchorName), toIsoUtc(QDateTime::fromMSecsSinceEpoch(value, Qt::UTC)), fixText()));
        if (value > realNowMs + kAnchorFutureSlackMs)
            return invalidArgument(QStringLiteral("%1='%2' is %3, in the future (it is %4 now): the anchor is the real time the "
                                                  "compressed clock started from; %5")
                                       .arg(anchorName, env.value(anchorName), toIsoUtc(QDateTime::fromMSecsSinceEpoch(value, Qt::UTC)),
                                            toIsoUtc(QDateTime::fromMSecsSinceEpoch(realNowMs, Qt::UTC)), fixText()));
        s.anchorMs = value;
    } else if (s.compressed()) {
        return invalidArgument(QStringLiteral("%1='%2' needs %3, the real time the compressed clock starts from in milliseconds since "
                                              "the epoch (e.g. %3=$(date +%s%3N)): without it, processes started at different times "
                                              "would not agree on the time; give every process of the scenario the same two values")
                                   .arg(scaleName, env.value(scaleName), anchorName));
    }
    return s;
}

ClockScale ClockScale::startingNow(double scale)
{
    ClockScale s;
    s.scale = scale;
    s.anchorMs = realNow();
    return s;
}

void ClockScale::exportTo(QProcessEnvironment &env) const
{
    if (!compressed()) {
        env.remove(QLatin1String(kClockScaleVariable));
        env.remove(QLatin1String(kClockAnchorVariable));
        return;
    }
    // The shortest digits that read back as the same double, never an exponent (which the
    // variable does not take): every process gets exactly the parent's scale.
    env.insert(QLatin1String(kClockScaleVariable), QString::number(scale, 'f', QLocale::FloatingPointShortest));
    env.insert(QLatin1String(kClockAnchorVariable), QString::number(anchorMs));
}

const ClockScale &ClockScale::system()
{
    static const ClockScale scale = [] {
        auto s = fromEnvironment(QProcessEnvironment::systemEnvironment(), realNow());
        if (!s) {
            // main() checks first (checkClockEnvironment), so only a program that skipped the
            // check gets here; running it on real time instead would split the scenario's clock.
            std::fprintf(stderr, "orrery: %s\n", qPrintable(s.status().message()));
            std::fflush(stderr);
            std::abort();
        }
        return *s;
    }();
    return scale;
}

ScaledClock::ScaledClock(ClockScale scale, std::function<qint64()> realNowMs)
    : m_scale(scale), m_realNowMs(realNowMs ? std::move(realNowMs) : std::function<qint64()>(realNow))
{
}

QDateTime ScaledClock::now() const
{
    return QDateTime::fromMSecsSinceEpoch(m_scale.clockAt(m_realNowMs()), Qt::UTC);
}

const Clock &Clock::system()
{
    static const ScaledClock clock(ClockScale::system());
    return clock;
}

Status checkClockEnvironment()
{
    return ClockScale::fromEnvironment(QProcessEnvironment::systemEnvironment(), realNow()).status();
}

QString toIsoUtc(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

} // namespace orrery::common
