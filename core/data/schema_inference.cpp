#include "core/data/schema_inference.h"

#include <QFileInfo>

#include <algorithm>
#include <cmath>

namespace orrery::data {
namespace {

// Of the observed range, on each side: the next sample's extremes pass (heavy-tailed columns such as
// amounts reach past a quarter-range margin about one sample in seven), while a unit mistake (x100)
// or a sign error still fails.
constexpr double kRangeMargin = 1.0;
constexpr double kNullShareFactor = 1.5;
constexpr double kNullShareSlack = 0.01;

qint64 widenedDown(qint64 lo, qint64 hi, bool keepNonNegative)
{
    const qint64 margin = qint64(std::ceil(double(hi - lo) * kRangeMargin));
    const qint64 widened = lo - margin;
    return keepNonNegative && lo >= 0 ? std::max<qint64>(0, widened) : widened;
}

qint64 widenedUp(qint64 lo, qint64 hi)
{
    return hi + qint64(std::ceil(double(hi - lo) * kRangeMargin));
}

double roundedUp4(double share)
{
    return std::ceil(share * 1e4) / 1e4;
}

} // namespace

Schema schemaFromProfile(const DatasetProfile &profile, const InferenceOptions &inference)
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
            if (stats.type == ColumnType::Int && stats.maxInt - stats.minInt <= 1) {
                // A 0/1 flag (or a constant) keeps its bounds: a label of 2 is an error, not room.
                c.min = SchemaBound{true, stats.minInt, 0.0};
                c.max = SchemaBound{true, stats.maxInt, 0.0};
            } else if (stats.type == ColumnType::Int) {
                c.min = SchemaBound{true, widenedDown(stats.minInt, stats.maxInt, true), 0.0};
                c.max = SchemaBound{true, widenedUp(stats.minInt, stats.maxInt), 0.0};
            } else if (stats.type == ColumnType::Float) {
                // Rounded outward to hundredths: a bound a person reads, never tighter than the rule.
                const double margin = (stats.max - stats.min) * kRangeMargin;
                const double lo = std::floor((stats.min - margin) * 100.0) / 100.0;
                c.min = SchemaBound{false, 0, stats.min >= 0.0 ? std::max(0.0, lo) : lo};
                c.max = SchemaBound{false, 0, std::ceil((stats.max + margin) * 100.0) / 100.0};
            } else if (stats.type == ColumnType::Timestamp) {
                c.min = SchemaBound{true, widenedDown(stats.minTimestamp, stats.maxTimestamp, false), 0.0};
            }
        }
        if (stats.type == ColumnType::Category && !inference.openCategories) {
            QStringList values;
            for (const ValueCount &v : stats.categories)
                values << v.value;
            values.sort(); // a stable order reads better in a diff than frequency order
            c.allowedValues = values;
        }
        const double nulls = stats.nullFraction();
        c.maxNullFraction = nulls > 0.0 ? std::min(1.0, roundedUp4(nulls * kNullShareFactor + kNullShareSlack)) : 0.0;
        c.unique = (stats.type == ColumnType::Int || stats.type == ColumnType::String) && stats.isUnique();
        s.columns.push_back(std::move(c));
    }
    return s;
}

Result<Schema> inferSchema(const QString &csvPath, ProfileOptions options, common::JobContext *job, const InferenceOptions &inference)
{
    options.keepValues = false;
    options.distinctBudget = std::max<qint64>(options.distinctBudget, qint64(16) << 20);
    ORRERY_ASSIGN_OR_RETURN(auto profile, profileCsv(csvPath, options, job));
    return schemaFromProfile(profile, inference);
}

} // namespace orrery::data
