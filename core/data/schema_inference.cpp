#include "core/data/schema_inference.h"

#include <QFileInfo>

#include <algorithm>
#include <cmath>

namespace orrery::data {

Schema schemaFromProfile(const DatasetProfile &profile)
{
    Schema s;
    s.source = QFileInfo(profile.path).fileName();
    s.rows = profile.rows;
    s.csv = profile.csv;
    s.nullValues = profile.nullValues;
    for (const ColumnStats &stats : profile.columns) {
        ColumnRule c;
        c.name = stats.name;
        c.type = stats.type;
        if (stats.count > 0) {
            if (stats.type == ColumnType::Int) {
                c.min = SchemaBound{true, stats.minInt, 0.0};
                c.max = SchemaBound{true, stats.maxInt, 0.0};
            } else if (stats.type == ColumnType::Float) {
                c.min = SchemaBound{false, 0, stats.min};
                c.max = SchemaBound{false, 0, stats.max};
            } else if (stats.type == ColumnType::Timestamp) {
                c.min = SchemaBound{true, stats.minTimestamp, 0.0};
                c.max = SchemaBound{true, stats.maxTimestamp, 0.0};
            }
        }
        if (stats.type == ColumnType::Category) {
            QStringList values;
            for (const ValueCount &v : stats.categories)
                values << v.value;
            values.sort(); // a stable order reads better in a diff than frequency order
            c.allowedValues = values;
        }
        // Rounded up, so that the data it came from passes.
        c.maxNullFraction = std::ceil(stats.nullFraction() * 1e4) / 1e4;
        c.unique = (stats.type == ColumnType::Int || stats.type == ColumnType::String) && stats.isUnique();
        s.columns.push_back(std::move(c));
    }
    return s;
}

Result<Schema> inferSchema(const QString &csvPath, ProfileOptions options, common::JobContext *job)
{
    options.keepValues = false;
    options.distinctBudget = std::max<qint64>(options.distinctBudget, qint64(16) << 20);
    auto profile = profileCsv(csvPath, options, job);
    if (!profile)
        return profile.status();
    return schemaFromProfile(*profile);
}

} // namespace orrery::data
