#include "core/data/dataset_profile.h"

#include "core/common/job.h"
#include "core/data/column_profiler.h"
#include "core/data/null_values.h"

#include <QJsonArray>

#include <algorithm>

namespace orrery::data {
namespace {

ColumnProfileLimits limitsFor(const ProfileOptions &o, qint64 columns)
{
    columns = std::max<qint64>(columns, 1);
    ColumnProfileLimits l;
    l.keepValues = o.keepValues;
    const qint64 values = o.exactValueBudget / columns;
    l.sampleSize = int(std::clamp<qint64>(values, 1024, 1 << 16));
    l.exactValues = std::max<qint64>(values, l.sampleSize);
    l.exactDistinct = std::max<qint64>(o.distinctBudget / columns, 1024);
    // HyperLogLog registers: 16 KiB a column up to 4,096 columns, fewer past that (64 MiB in all).
    int precision = 14;
    while (precision > 8 && (qint64(1) << precision) * columns > (qint64(64) << 20))
        --precision;
    l.distinctPrecision = precision;
    l.frequentCapacity = int(std::clamp<qint64>(o.frequentBudget / columns, o.maxCategories + 1, 1024));
    return l;
}

} // namespace

QJsonObject DatasetProfile::toJson() const
{
    QJsonArray cols;
    for (const ColumnStats &c : columns)
        cols.append(c.toJson());
    return {{QStringLiteral("path"), path},
            {QStringLiteral("rows"), rows},
            {QStringLiteral("bytes"), bytes},
            {QStringLiteral("null_values"), QJsonArray::fromStringList(nullValues)},
            {QStringLiteral("columns"), cols}};
}

Result<DatasetProfile> profileCsv(const QString &path, const ProfileOptions &options, common::JobContext *job)
{
    CsvReader reader(options.csv);
    ORRERY_TRY(reader.open(path));
    const NullValues nulls = options.nullValues.isEmpty() ? NullValues() : NullValues(options.nullValues);
    const int columns = reader.columnCount();
    const ColumnProfileLimits limits = limitsFor(options, columns);
    std::vector<ColumnProfiler> profilers;
    profilers.reserve(size_t(columns));
    for (int i = 0; i < columns; ++i)
        profilers.emplace_back(limits, 0x5eedULL + quint64(i));

    while (reader.next()) {
        const std::vector<std::string_view> &fields = reader.fields();
        const size_t n = std::min(fields.size(), profilers.size());
        for (size_t i = 0; i < n; ++i)
            profilers[i].add(fields[i], nulls);
        for (size_t i = n; i < profilers.size(); ++i) // a short record (allowRaggedRows): missing
            profilers[i].addMissing();
        if (job && (reader.recordCount() & 0xfff) == 0) {
            if (job->isCancelled())
                return job->cancelledStatus();
            job->setProgress(reader.bytesRead(), reader.totalBytes(), QStringLiteral("profiling %1").arg(path));
        }
    }
    ORRERY_TRY(reader.status());

    DatasetProfile profile;
    profile.path = path;
    profile.rows = reader.recordCount();
    profile.bytes = reader.bytesRead();
    profile.csv = options.csv;
    profile.nullValues = nulls.tokens();
    profile.columns.reserve(size_t(columns));
    for (int i = 0; i < columns; ++i)
        profile.columns.push_back(profilers[size_t(i)].finish(reader.columnNames().at(i), options.maxCategories,
                                                              options.histogramBins, options.topValues));
    if (job)
        job->setProgress(profile.bytes, profile.bytes, QStringLiteral("profiled %1 rows").arg(profile.rows));
    return profile;
}

} // namespace orrery::data
