#include "core/monitor/drift_csv.h"

#include "core/data/csv_reader.h"
#include "core/data/csv_value.h"
#include "core/data/dataset_profile.h"
#include "core/data/null_values.h"

#include <QFileInfo>

#include <cmath>
#include <map>

namespace orrery::monitor {

namespace {

constexpr int kMaxCategories = 50; // data's ProfileOptions::maxCategories

bool isNumeric(data::ColumnType t) { return t == data::ColumnType::Int || t == data::ColumnType::Float; }
bool isText(data::ColumnType t)
{
    return t == data::ColumnType::Bool || t == data::ColumnType::Category || t == data::ColumnType::String;
}

struct Column {
    int index = -1;
    FeatureKind kind = FeatureKind::Numeric;
    std::vector<double> values;
    std::map<QString, qint64> counts;
    qint64 missing = 0;
};

// One pass over a file, collecting the chosen columns (by name) of the given kinds.
Result<qint64> collect(const QString &path, const std::vector<std::pair<QString, FeatureKind>> &wanted, std::vector<Column> *out)
{
    data::CsvReader reader;
    if (Status s = reader.open(path); !s.isOk())
        return s;
    out->clear();
    for (const auto &[name, kind] : wanted) {
        Column c;
        c.index = int(reader.columnNames().indexOf(name));
        c.kind = kind;
        out->push_back(std::move(c));
    }
    const data::NullValues nulls;
    while (reader.next()) {
        for (Column &c : *out) {
            const std::string_view cell = data::trimmedView(reader.field(c.index));
            if (nulls.contains(cell)) {
                ++c.missing;
                if (c.kind == FeatureKind::Numeric)
                    c.values.push_back(std::nan(""));
                continue;
            }
            if (c.kind == FeatureKind::Numeric) {
                double v = 0;
                if (!data::parseFiniteDouble(cell, &v))
                    return reader.errorAt(reader.line(), c.index + 1, QStringLiteral("'%1' is not a number in numeric column '%2'").arg(QString::fromUtf8(cell.data(), int(cell.size())), reader.columnNames()[c.index]));
                c.values.push_back(v);
            } else {
                ++c.counts[QString::fromUtf8(cell.data(), int(cell.size()))];
            }
        }
    }
    ORRERY_TRY(reader.status());
    return reader.recordCount();
}

} // namespace

Result<DriftInputs> readDriftInputs(const QString &referencePath, const QString &currentPath, const QStringList &only, const QString &label)
{
    for (const QString &p : {referencePath, currentPath})
        if (!QFileInfo(p).isFile())
            return notFound(QStringLiteral("%1: no such file").arg(p));
    data::ProfileOptions options;
    options.keepValues = false;
    ORRERY_ASSIGN_OR_RETURN(const data::DatasetProfile ref, data::profileCsv(referencePath, options));
    ORRERY_ASSIGN_OR_RETURN(const data::DatasetProfile cur, data::profileCsv(currentPath, options));
    auto find = [](const data::DatasetProfile &p, const QString &name) -> const data::ColumnStats * {
        for (const auto &c : p.columns)
            if (c.name == name)
                return &c;
        return nullptr;
    };
    QStringList refNames, curNames;
    for (const auto &c : ref.columns)
        refNames << c.name;
    for (const auto &c : cur.columns)
        curNames << c.name;

    QStringList names;
    QStringList requested = only;
    if (!label.isEmpty() && !requested.isEmpty() && !requested.contains(label))
        requested << label;
    if (!requested.isEmpty()) {
        for (const QString &n : requested) {
            if (!refNames.contains(n))
                return invalidArgument(QStringLiteral("column '%1' is not in the reference %2 (its columns: %3)").arg(n, referencePath, refNames.join(QStringLiteral(", "))));
            if (!curNames.contains(n))
                return invalidArgument(QStringLiteral("column '%1' is not in the current %2 (its columns: %3)").arg(n, currentPath, curNames.join(QStringLiteral(", "))));
            names << n;
        }
    } else {
        for (const QString &n : refNames)
            if (curNames.contains(n))
                names << n;
        if (names.isEmpty())
            return invalidArgument(QStringLiteral("no column in common: the reference %1 has %2; the current %3 has %4")
                                       .arg(referencePath, refNames.join(QStringLiteral(", ")), currentPath, curNames.join(QStringLiteral(", "))));
        if (!label.isEmpty() && !names.contains(label))
            return invalidArgument(QStringLiteral("--label '%1' is not a column of both %2 and %3").arg(label, referencePath, currentPath));
    }

    DriftInputs inputs;
    inputs.referencePath = referencePath;
    inputs.currentPath = currentPath;
    inputs.referenceRows = ref.rows;
    inputs.currentRows = cur.rows;
    std::vector<std::pair<QString, FeatureKind>> wanted;
    for (const QString &n : names) {
        const data::ColumnStats *r = find(ref, n), *c = find(cur, n);
        if (r->type == data::ColumnType::Timestamp || c->type == data::ColumnType::Timestamp) {
            inputs.skipped << QStringLiteral("%1: timestamps (time always moves; not compared)").arg(n);
            continue;
        }
        // A side with no values has no type to disagree with.
        const bool bothHaveValues = r->count > 0 && c->count > 0;
        if (bothHaveValues && isNumeric(r->type) != isNumeric(c->type))
            return invalidArgument(QStringLiteral("column '%1' is %2 in the reference %3 but %4 in the current %5: fix the column or leave it out with --columns")
                                       .arg(n, isNumeric(r->type) ? QStringLiteral("numeric") : QStringLiteral("text"), referencePath,
                                            isNumeric(c->type) ? QStringLiteral("numeric") : QStringLiteral("text"), currentPath));
        const data::ColumnStats *typed = r->count > 0 ? r : c;
        FeatureKind kind = FeatureKind::Numeric;
        if (isText(typed->type)) {
            kind = FeatureKind::Categorical;
            if (r->count > 0 && (!r->distinctExact || r->distinct > kMaxCategories)) {
                inputs.skipped << QStringLiteral("%1: text with %2 distinct values (more than %3: ids or free text, not categories)").arg(n).arg(r->distinct).arg(kMaxCategories);
                continue;
            }
        }
        wanted.emplace_back(n, kind);
    }
    std::vector<Column> refColumns, curColumns;
    ORRERY_ASSIGN_OR_RETURN(const qint64 refRows, collect(referencePath, wanted, &refColumns));
    ORRERY_ASSIGN_OR_RETURN(const qint64 curRows, collect(currentPath, wanted, &curColumns));
    inputs.referenceRows = refRows;
    inputs.currentRows = curRows;
    for (size_t i = 0; i < wanted.size(); ++i) {
        DriftColumn d;
        d.name = wanted[i].first;
        d.kind = wanted[i].second;
        if (d.name == label)
            d.role = QStringLiteral("label");
        auto sample = [&](Column &c) {
            return std::make_unique<FeatureSample>(c.kind == FeatureKind::Numeric ? FeatureSample::numeric(std::move(c.values))
                                                                                  : FeatureSample::categorical(c.counts, c.missing));
        };
        d.reference = sample(refColumns[i]);
        d.current = sample(curColumns[i]);
        inputs.columns.push_back(std::move(d));
    }
    return inputs;
}

} // namespace orrery::monitor
