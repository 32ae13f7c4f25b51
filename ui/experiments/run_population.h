#pragma once
// RunPopulation: the params and metrics of many runs at once (the first runs of the table, in its
// order), for the scatter and the parallel coordinates. values of each row: params first (in
// paramKeys order, as text), then metrics (metricKeys order, as double).

#include "core/tracking/run_table_query.h"

#include <QStringList>
#include <QVector>

#include <optional>

namespace orrery::ui {

struct RunPopulation {
    QStringList paramKeys;
    QStringList metricKeys;
    QVector<tracking::RunRow> rows;
    int totalRuns = 0; // in the table; rows may hold fewer (a cap)

    int paramColumn(const QString &key) const { return int(paramKeys.indexOf(key)); }
    int metricColumn(const QString &key) const
    {
        const int i = int(metricKeys.indexOf(key));
        return i < 0 ? -1 : int(paramKeys.size()) + i;
    }
    // A value as a number: metrics as they are, params parsed (nullopt when missing or not a number).
    static std::optional<double> number(const QVariant &v)
    {
        if (!v.isValid())
            return std::nullopt;
        bool ok = false;
        const double d = v.typeId() == QMetaType::Double ? v.toDouble() : v.toString().toDouble(&ok);
        if (v.typeId() == QMetaType::Double)
            ok = true;
        if (!ok || d != d)
            return std::nullopt;
        return d;
    }
};

} // namespace orrery::ui
