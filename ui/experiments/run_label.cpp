#include "ui/experiments/run_label.h"

#include "ui/common/stat_format.h"
#include "ui/experiments/run_population.h"

#include <QSet>

namespace orrery::ui::runlabel {

QString shortId(const QString &runId)
{
    return runId.left(kShortIdLength);
}

QString nameWithId(const QString &name, const QString &runId)
{
    if (name.isEmpty())
        return shortId(runId);
    return name + QLatin1Char(' ') + shortId(runId);
}

QString paramText(const QString &raw)
{
    // Integers ("64", "1000") stay as written: statformat would group or round them.
    if (!raw.contains(QLatin1Char('.')) && !raw.contains(QLatin1Char('e')) && !raw.contains(QLatin1Char('E')))
        return raw;
    bool ok = false;
    const double v = raw.trimmed().toDouble(&ok);
    if (!ok)
        return raw;
    return statformat::number(v);
}

QHash<QString, QStringList> differingParams(const RunPopulation &population, const QStringList &runIds)
{
    QHash<QString, int> rowOf;
    for (int r = 0; r < population.rows.size(); ++r)
        rowOf.insert(population.rows[r].info.runId, r);
    QVector<int> rows;
    for (const QString &id : runIds)
        if (auto it = rowOf.constFind(id); it != rowOf.constEnd())
            rows << *it;
    QHash<QString, QStringList> out;
    for (const int r : std::as_const(rows))
        out.insert(population.rows[r].info.runId, {});
    if (rows.size() < 2)
        return out;
    for (int k = 0; k < population.paramKeys.size(); ++k) {
        QSet<QString> values;
        for (const int r : std::as_const(rows)) {
            const QVariant v = population.rows[r].values.value(k);
            values.insert(v.isValid() ? v.toString() : QStringLiteral("\x01missing"));
        }
        if (values.size() < 2)
            continue;
        for (const int r : std::as_const(rows)) {
            const QVariant v = population.rows[r].values.value(k);
            out[population.rows[r].info.runId] << population.paramKeys[k] + QLatin1Char('=') + (v.isValid() ? paramText(v.toString()) : QStringLiteral("—"));
        }
    }
    return out;
}

QString legendLabel(const QString &name, const QString &runId, const QStringList &params)
{
    QString label = nameWithId(name, runId);
    for (int i = 0; i < params.size() && i < kMaxParamsInLabel; ++i)
        label += QStringLiteral(" · ") + params[i];
    if (params.size() > kMaxParamsInLabel)
        label += QStringLiteral(" · …");
    return label;
}

} // namespace orrery::ui::runlabel
