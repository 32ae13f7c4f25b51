// load, validate and split: the data half of the built-in stages.
#include "core/stages/builtin_stages.h"
#include "core/stages/csv_table.h"
#include "core/stages/stage_output.h"
#include "core/stages/stage_types.h"

#include "core/common/random.h"
#include "core/data/schema.h"
#include "core/data/schema_validator.h"
#include "core/pipeline/stage_type.h"

#include <QDateTime>
#include <QJsonDocument>

#include <algorithm>
#include <map>

namespace orrery::stages {

using pipeline::ParamKind;
using pipeline::ParamType;
using pipeline::StageContext;
using pipeline::StageType;

StageType loadStageType()
{
    StageType t;
    t.name = QStringLiteral("load");
    t.summary = QStringLiteral("Load a CSV source into the pipeline's working copy.");
    t.docs = QStringLiteral("Reads the source (usually a file versioned with `orrery-cli data add`) as strict CSV — a malformed "
                            "record stops the stage with file:line:column — and writes the selected columns to --output, atomically.");
    t.params = {
        {QStringLiteral("source"), ParamKind::Input, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("the CSV file to read")},
        {QStringLiteral("output"), ParamKind::Output, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("where the working copy goes")},
        {QStringLiteral("columns"), ParamKind::Setting, ParamType::String, QString(), false, {}, {}, {}, QStringLiteral("comma-separated columns to keep (default: all)")},
        {QStringLiteral("max-rows"), ParamKind::Setting, ParamType::Int, QString(), false, 1.0, {}, {}, QStringLiteral("keep at most this many rows (default: all)")},
    };
    return t;
}

Status runLoadStage(StageContext &ctx)
{
    ORRERY_ASSIGN_OR_RETURN(auto table, CsvTable::read(ctx.path(QStringLiteral("source")), ctx.isCancelled));
    std::vector<int> subset;
    if (ctx.args.has(QStringLiteral("columns"))) {
        for (const QString &c : ctx.args.text(QStringLiteral("columns")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            ORRERY_ASSIGN_OR_RETURN(auto idx, table.requireColumn(c.trimmed(), QStringLiteral("load --columns")));
            subset.push_back(idx);
        }
    }
    std::vector<size_t> indices;
    const bool limit = ctx.args.has(QStringLiteral("max-rows"));
    if (limit)
        for (size_t i = 0; i < table.rows.size() && qint64(i) < ctx.args.integer(QStringLiteral("max-rows")); ++i)
            indices.push_back(i);
    ORRERY_TRY(table.write(ctx.path(QStringLiteral("output")), limit ? &indices : nullptr, subset.empty() ? nullptr : &subset));
    ctx.log(QStringLiteral("loaded %1 rows × %2 columns from %3 into %4")
                .arg(limit ? qint64(indices.size()) : qint64(table.rows.size()))
                .arg(subset.empty() ? table.columns.size() : qsizetype(subset.size()))
                .arg(ctx.args.text(QStringLiteral("source")), ctx.args.text(QStringLiteral("output"))));
    ctx.metrics.append({QStringLiteral("rows"), double(limit ? indices.size() : table.rows.size())});
    return Status::ok();
}

StageType validateStageType()
{
    StageType t;
    t.name = QStringLiteral("validate");
    t.summary = QStringLiteral("Data tests: check a CSV file against its schema.");
    t.docs = QStringLiteral("Checks every rule of the schema (types, ranges, allowed values, null fractions, uniqueness, required and "
                            "unexpected columns; see `orrery-cli data schema`). Writes the report as JSON. Any violated rule fails the "
                            "stage as a check (exit status 1), listing column, rule, count and the first offending lines.");
    t.params = {
        {QStringLiteral("input"), ParamKind::Input, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("the CSV file to test")},
        {QStringLiteral("schema"), ParamKind::Input, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("its schema (data/x.schema.yaml)")},
        {QStringLiteral("report"), ParamKind::Output, ParamType::Path, QString(), false, {}, {}, {}, QStringLiteral("where the JSON report goes")},
    };
    return t;
}

Status runValidateStage(StageContext &ctx)
{
    ORRERY_ASSIGN_OR_RETURN(auto schema, data::Schema::load(ctx.path(QStringLiteral("schema"))));
    ORRERY_ASSIGN_OR_RETURN(auto report, data::validateCsv(ctx.path(QStringLiteral("input")), schema));
    if (ctx.args.has(QStringLiteral("report")))
        ORRERY_TRY(writeJsonFile(ctx.path(QStringLiteral("report")), QJsonDocument(report.toJson())));
    for (const QString &line : report.toText(ctx.args.text(QStringLiteral("schema"))))
        ctx.log(line);
    for (const auto &v : report.violations) {
        QString f = QStringLiteral("data test: %1 column '%2' breaks '%3' (expected %4) in %5 row(s)")
                        .arg(ctx.args.text(QStringLiteral("input")), v.column, v.rule, v.expected)
                        .arg(v.count);
        if (!v.detail.isEmpty())
            f += QStringLiteral(": ") + v.detail;
        if (!v.examples.empty())
            f += QStringLiteral(" (first at line %1: '%2')").arg(v.examples.front().line).arg(v.examples.front().value);
        ctx.addFinding(f);
    }
    ctx.metrics.append({QStringLiteral("rows"), double(report.rows)});
    ctx.metrics.append({QStringLiteral("violations"), double(report.violations.size())});
    return Status::ok();
}

StageType splitStageType()
{
    StageType t;
    t.name = QStringLiteral("split");
    t.summary = QStringLiteral("Split rows into train and test sets: random, stratified or by time; seeded.");
    t.docs = QStringLiteral("random: a seeded shuffle, the first --test-fraction of rows to test. stratified: the same within each value "
                            "of --label, so both sets keep its proportions. time: rows ordered by --time-column (ISO 8601), the latest "
                            "--test-fraction to test (no future rows in training). The same seed gives the same split everywhere.");
    t.params = {
        {QStringLiteral("input"), ParamKind::Input, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("the CSV file to split")},
        {QStringLiteral("train"), ParamKind::Output, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("the training rows")},
        {QStringLiteral("test"), ParamKind::Output, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("the test rows")},
        {QStringLiteral("method"), ParamKind::Setting, ParamType::Choice, QStringLiteral("random"), false, {}, {},
         {QStringLiteral("random"), QStringLiteral("stratified"), QStringLiteral("time")}, QStringLiteral("how rows are assigned")},
        {QStringLiteral("test-fraction"), ParamKind::Setting, ParamType::Float, QStringLiteral("0.2"), false, 0.0, 1.0, {}, QStringLiteral("share of rows for testing")},
        {QStringLiteral("seed"), ParamKind::Setting, ParamType::Int, QStringLiteral("42"), false, 0.0, {}, {}, QStringLiteral("random seed")},
        {QStringLiteral("label"), ParamKind::Setting, ParamType::String, QString(), false, {}, {}, {}, QStringLiteral("the label column (stratified)")},
        {QStringLiteral("time-column"), ParamKind::Setting, ParamType::String, QString(), false, {}, {}, {}, QStringLiteral("the time column (time)")},
    };
    return t;
}

Status runSplitStage(StageContext &ctx)
{
    ORRERY_ASSIGN_OR_RETURN(auto table, CsvTable::read(ctx.path(QStringLiteral("input")), ctx.isCancelled));
    const QString method = ctx.args.text(QStringLiteral("method"));
    const double fraction = ctx.args.real(QStringLiteral("test-fraction"));
    common::Random rng(quint64(ctx.args.integer(QStringLiteral("seed"))));
    const size_t n = table.rows.size();
    std::vector<size_t> train, test;
    auto shuffled = [&](std::vector<size_t> idx) {
        for (size_t i = idx.size(); i > 1; --i)
            std::swap(idx[i - 1], idx[size_t(rng.nextU64() % i)]);
        return idx;
    };
    auto take = [&](const std::vector<size_t> &idx) {
        const size_t k = size_t(double(idx.size()) * fraction + 0.5);
        test.insert(test.end(), idx.begin(), idx.begin() + qint64(k));
        train.insert(train.end(), idx.begin() + qint64(k), idx.end());
    };
    if (method == QLatin1String("random")) {
        std::vector<size_t> all(n);
        for (size_t i = 0; i < n; ++i)
            all[i] = i;
        take(shuffled(all));
    } else if (method == QLatin1String("stratified")) {
        if (!ctx.args.has(QStringLiteral("label")))
            return invalidArgument(QStringLiteral("split --method stratified needs --label COLUMN"));
        ORRERY_ASSIGN_OR_RETURN(auto col, table.requireColumn(ctx.args.text(QStringLiteral("label")), QStringLiteral("split --label")));
        std::map<std::string, std::vector<size_t>> groups;
        for (size_t i = 0; i < n; ++i)
            groups[table.rows[i][size_t(col)]].push_back(i);
        for (auto &[value, idx] : groups)
            take(shuffled(idx));
    } else {
        if (!ctx.args.has(QStringLiteral("time-column")))
            return invalidArgument(QStringLiteral("split --method time needs --time-column COLUMN"));
        ORRERY_ASSIGN_OR_RETURN(
            auto col, table.requireColumn(ctx.args.text(QStringLiteral("time-column")), QStringLiteral("split --time-column")));
        std::vector<std::pair<qint64, size_t>> keyed;
        keyed.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            const QString text = QString::fromStdString(table.rows[i][size_t(col)]);
            const QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
            if (!t.isValid())
                return invalidArgument(QStringLiteral("%1:%2: '%3' in column '%4' is not an ISO 8601 time")
                                           .arg(ctx.args.text(QStringLiteral("input")))
                                           .arg(table.lines[i])
                                           .arg(text, ctx.args.text(QStringLiteral("time-column"))));
            keyed.push_back({t.toMSecsSinceEpoch(), i});
        }
        std::stable_sort(keyed.begin(), keyed.end());
        const size_t k = size_t(double(n) * fraction + 0.5);
        for (size_t j = 0; j < n; ++j)
            (j < n - k ? train : test).push_back(keyed[j].second);
    }
    std::sort(train.begin(), train.end());
    std::sort(test.begin(), test.end());
    if (ctx.isCancelled())
        return cancelled();
    ORRERY_TRY(table.write(ctx.path(QStringLiteral("train")), &train));
    ORRERY_TRY(table.write(ctx.path(QStringLiteral("test")), &test));
    ctx.log(QStringLiteral("split %1 rows (%2, seed %3): %4 train, %5 test")
                .arg(n).arg(method).arg(ctx.args.integer(QStringLiteral("seed"))).arg(train.size()).arg(test.size()));
    ctx.metrics.append({QStringLiteral("train_rows"), double(train.size())});
    ctx.metrics.append({QStringLiteral("test_rows"), double(test.size())});
    return Status::ok();
}

} // namespace orrery::stages
