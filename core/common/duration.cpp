#include "core/common/duration.h"

#include <QRegularExpression>

namespace orrery::common {

Result<qint64> parseDurationMs(const QString &text, qint64 maxMs)
{
    static const QRegularExpression re(QStringLiteral("^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|m|h|d)?\\s*$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return invalidArgument(QStringLiteral("'%1' is not a duration such as 60s, 5m, 1h or 250ms").arg(text));
    const double n = m.captured(1).toDouble();
    const QString unit = m.captured(2);
    const double scale = unit == QLatin1String("ms") ? 1
                         : unit == QLatin1String("m") ? 60'000
                         : unit == QLatin1String("h") ? 3'600'000
                         : unit == QLatin1String("d") ? 86'400'000
                                                      : 1000;
    const double ms = n * scale;
    if (ms > double(maxMs))
        return invalidArgument(QStringLiteral("duration '%1' is longer than %2").arg(text, maxMs % 3'600'000 == 0 ? QStringLiteral("%1 h").arg(maxMs / 3'600'000) : durationText(maxMs)));
    return qint64(ms);
}

QString durationText(qint64 ms)
{
    if (ms % 3'600'000 == 0 && ms > 0)
        return QStringLiteral("%1h").arg(ms / 3'600'000);
    if (ms % 60'000 == 0 && ms > 0)
        return QStringLiteral("%1m").arg(ms / 60'000);
    if (ms % 1000 == 0)
        return QStringLiteral("%1s").arg(ms / 1000);
    return QStringLiteral("%1ms").arg(ms);
}

} // namespace orrery::common
