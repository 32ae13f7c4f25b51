#include "ui/common/stat_format.h"

#include <QDateTime>
#include <QLocale>

#include <cmath>

namespace orrery::ui::statformat {

QString count(qint64 n)
{
    return QLocale().toString(n);
}

QString number(double v)
{
    if (std::isnan(v))
        return {};
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("∞") : QStringLiteral("−∞");
    const double magnitude = std::fabs(v);
    if (magnitude == 0.0)
        return QStringLiteral("0");
    // Scientific only where fixed notation would be long or lose the figure entirely.
    if (magnitude >= 1e7 || magnitude < 1e-4)
        return QLocale().toString(v, 'g', 4);
    const int decimals = std::max(0, 3 - int(std::floor(std::log10(magnitude))));
    QString text = QLocale().toString(v, 'f', decimals);
    // 46.0400 says no more than 46.04: trailing zeros of the fraction go.
    if (decimals > 0) {
        const QChar point = QLocale().decimalPoint().at(0);
        while (text.endsWith(QLatin1Char('0')))
            text.chop(1);
        if (text.endsWith(point))
            text.chop(1);
    }
    return text;
}

QString percent(double fraction)
{
    if (std::isnan(fraction))
        return {};
    const double p = fraction * 100.0;
    if (p == 0.0)
        return QStringLiteral("0 %");
    if (p < 0.1)
        return QStringLiteral("<0.1 %");
    return QLocale().toString(p, 'f', p >= 10.0 || p == std::floor(p) ? 0 : 1) + QStringLiteral(" %");
}

QString bytes(qint64 n)
{
    if (n < 0)
        return {};
    return QLocale().formattedDataSize(n, 1, QLocale::DataSizeIecFormat);
}

QString timestamp(qint64 microseconds)
{
    return QDateTime::fromMSecsSinceEpoch(microseconds / 1000, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString signedCount(qint64 delta)
{
    if (delta == 0)
        return QStringLiteral("±0");
    return (delta > 0 ? QStringLiteral("+") : QStringLiteral("−")) + QLocale().toString(delta > 0 ? delta : -delta);
}

} // namespace orrery::ui::statformat
