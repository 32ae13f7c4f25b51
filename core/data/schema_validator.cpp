#include "core/data/schema_validator.h"

#include "core/common/job.h"
#include "core/data/csv_reader.h"
#include "core/data/hash_set64.h"
#include "core/data/null_values.h"

#include <QJsonArray>

#include <unordered_set>

namespace orrery::data {
namespace {

constexpr size_t kExamples = 5;
constexpr int kMaxValueChars = 200;

struct Tally {
    qint64 count = 0;
    std::vector<ViolationExample> examples;

    void hit(qint64 line, std::string_view text)
    {
        ++count;
        if (examples.size() < kExamples) {
            QString value = QString::fromUtf8(text.data(), qsizetype(text.size()));
            if (value.size() > kMaxValueChars)
                value = value.left(kMaxValueChars - 1) + QChar(0x2026);
            examples.push_back({line, value});
        }
    }
};

// The checks of one schema column that the header has.
struct ColumnCheck {
    int index = 0;
    const ColumnRule *rule = nullptr;
    Tally type, below, above, notAllowed, repeated, nulls;
    HashSet64 seen;
    std::unordered_set<std::uint64_t> allowed; // by value hash (see hashCell): 1 matches 1.0

    void check(std::string_view cell, qint64 line, const NullValues &nullValues)
    {
        const std::string_view text = trimmedView(cell);
        if (nullValues.contains(text)) {
            nulls.hit(line, text);
            return;
        }
        CellValue v;
        const CellKind kind = classifyCell(text, &v);
        bool typeOk = true;
        switch (rule->type) {
        case ColumnType::Int: typeOk = kind == CellKind::Int; break;
        case ColumnType::Float: typeOk = kind == CellKind::Int || kind == CellKind::Float; break;
        case ColumnType::Bool: typeOk = kind == CellKind::Bool; break;
        case ColumnType::Timestamp: typeOk = kind == CellKind::Timestamp; break;
        case ColumnType::Category:
        case ColumnType::String: break;
        }
        if (!typeOk) {
            type.hit(line, text); // the other rules cannot judge a value of the wrong type
            return;
        }
        if (rule->min && lessThan(kind, v, *rule->min))
            below.hit(line, text);
        if (rule->max && lessThan(kind, v, *rule->max, true))
            above.hit(line, text);
        const std::uint64_t hash = hashCell(kind, v, text);
        if (rule->allowedValues && allowed.count(hash) == 0)
            notAllowed.hit(line, text);
        if (rule->unique && !seen.insert(hash))
            repeated.hit(line, text);
    }

    // value < bound, or with `reversed` bound < value.
    bool lessThan(CellKind kind, const CellValue &v, const SchemaBound &b, bool reversed = false) const
    {
        if (rule->type == ColumnType::Timestamp || (kind == CellKind::Int && b.isInteger))
            return reversed ? b.integer < v.integer : v.integer < b.integer;
        const double x = v.real;
        const double y = b.asDouble();
        return reversed ? y < x : x < y;
    }
};

QString percent(double fraction)
{
    return QString::number(fraction * 100.0, 'g', 3) + QLatin1Char('%');
}

QString listed(const QStringList &values)
{
    QStringList shown = values.mid(0, 10);
    for (QString &v : shown)
        v = QLatin1Char('\'') + v + QLatin1Char('\'');
    return shown.join(QStringLiteral(", ")) + (values.size() > 10 ? QStringLiteral(", … (%1 in all)").arg(values.size()) : QString());
}

void add(std::vector<Violation> *out, const QString &column, const char *rule, const QString &expected, const Tally &t,
         const QString &detail)
{
    if (t.count == 0)
        return;
    out->push_back({column, QLatin1String(rule), expected, t.count, detail, t.examples});
}

} // namespace

Result<ValidationReport> validateCsv(const QString &csvPath, const Schema &schema, common::JobContext *job)
{
    CsvReader reader(schema.csv);
    ORRERY_TRY(reader.open(csvPath));
    const NullValues nullValues = schema.nullValues.isEmpty() ? NullValues() : NullValues(schema.nullValues);
    ValidationReport report;
    report.path = csvPath;
    const QStringList header = reader.columnNames();

    std::vector<ColumnCheck> checks;
    checks.reserve(schema.columns.size());
    for (const ColumnRule &rule : schema.columns) {
        const int index = int(header.indexOf(rule.name));
        if (index < 0) {
            if (rule.required)
                report.violations.push_back({rule.name, QStringLiteral("required"), QStringLiteral("the column is present"), 1,
                                             QStringLiteral("the header has no column '%1'").arg(rule.name), {}});
            continue;
        }
        ColumnCheck c;
        c.index = index;
        c.rule = &rule;
        if (rule.allowedValues) {
            for (const QString &value : *rule.allowedValues) {
                const QByteArray utf8 = value.trimmed().toUtf8();
                const std::string_view text(utf8.constData(), size_t(utf8.size()));
                CellValue v;
                const CellKind kind = classifyCell(text, &v);
                c.allowed.insert(hashCell(kind, v, text));
            }
        }
        checks.push_back(std::move(c));
    }
    if (!schema.allowExtraColumns) {
        for (int i = 0; i < header.size(); ++i) {
            if (!schema.column(header[i]))
                report.violations.push_back({header[i], QStringLiteral("unexpected_column"),
                                             QStringLiteral("only the schema's columns (or allow_extra_columns: true)"), 1,
                                             QStringLiteral("column %1 ('%2') is not in the schema").arg(i + 1).arg(header[i]), {}});
        }
    }
    report.columnsChecked = int(checks.size());

    while (reader.next()) {
        const std::vector<std::string_view> &fields = reader.fields();
        const qint64 line = reader.line();
        for (ColumnCheck &c : checks) {
            if (size_t(c.index) < fields.size())
                c.check(fields[size_t(c.index)], line, nullValues);
            else
                c.nulls.hit(line, {}); // a short record (allowRaggedRows): the cell is missing
        }
        if (job && (reader.recordCount() & 0xfff) == 0) {
            if (job->isCancelled())
                return job->cancelledStatus();
            job->setProgress(reader.bytesRead(), reader.totalBytes(), QStringLiteral("validating %1").arg(csvPath));
        }
    }
    ORRERY_TRY(reader.status());
    report.rows = reader.recordCount();

    for (const ColumnCheck &c : checks) {
        const ColumnRule &r = *c.rule;
        const QString type = QLatin1String(columnTypeName(r.type));
        add(&report.violations, r.name, "type", type, c.type, QStringLiteral("%1 value%2 not %3").arg(c.type.count).arg(c.type.count == 1 ? " is" : "s are", type));
        if (r.min)
            add(&report.violations, r.name, "min", QStringLiteral(">= %1").arg(r.boundText(*r.min)), c.below,
                QStringLiteral("%1 value%2 below %3").arg(c.below.count).arg(c.below.count == 1 ? " is" : "s are", r.boundText(*r.min)));
        if (r.max)
            add(&report.violations, r.name, "max", QStringLiteral("<= %1").arg(r.boundText(*r.max)), c.above,
                QStringLiteral("%1 value%2 above %3").arg(c.above.count).arg(c.above.count == 1 ? " is" : "s are", r.boundText(*r.max)));
        if (r.allowedValues)
            add(&report.violations, r.name, "allowed_values", QStringLiteral("one of %1").arg(listed(*r.allowedValues)), c.notAllowed,
                QStringLiteral("%1 value%2 not in the list").arg(c.notAllowed.count).arg(c.notAllowed.count == 1 ? " is" : "s are"));
        if (r.unique)
            add(&report.violations, r.name, "unique", QStringLiteral("no value twice"), c.repeated,
                QStringLiteral("%1 value%2 an earlier one").arg(c.repeated.count).arg(c.repeated.count == 1 ? " repeats" : "s repeat"));
        if (r.maxNullFraction && report.rows > 0) {
            const double fraction = double(c.nulls.count) / double(report.rows);
            if (fraction > *r.maxNullFraction)
                add(&report.violations, r.name, "max_null_fraction", QStringLiteral("at most %1 missing").arg(percent(*r.maxNullFraction)),
                    c.nulls, QStringLiteral("%1 missing (%2 of %3 rows)").arg(percent(fraction)).arg(c.nulls.count).arg(report.rows));
        }
    }
    if (job)
        job->setProgress(reader.bytesRead(), reader.bytesRead(), QStringLiteral("validated %1 rows").arg(report.rows));
    return report;
}

QJsonObject ValidationReport::toJson() const
{
    QJsonArray list;
    for (const Violation &v : violations) {
        QJsonArray rows;
        for (const ViolationExample &e : v.examples)
            rows.append(QJsonObject{{QStringLiteral("line"), e.line}, {QStringLiteral("value"), e.value}});
        list.append(QJsonObject{{QStringLiteral("column"), v.column},
                                {QStringLiteral("rule"), v.rule},
                                {QStringLiteral("expected"), v.expected},
                                {QStringLiteral("count"), v.count},
                                {QStringLiteral("detail"), v.detail},
                                {QStringLiteral("first_rows"), rows}});
    }
    return {{QStringLiteral("path"), path},
            {QStringLiteral("rows"), rows},
            {QStringLiteral("columns_checked"), columnsChecked},
            {QStringLiteral("passed"), passed()},
            {QStringLiteral("violations"), list}};
}

QStringList ValidationReport::toText(const QString &schemaPath) const
{
    QStringList out;
    if (passed()) {
        out << QStringLiteral("%1 passes %2: %3 rows, %4 columns checked, no violations.").arg(path, schemaPath).arg(rows).arg(columnsChecked);
        return out;
    }
    out << QStringLiteral("%1 fails %2: %3 violation%4 in %5 rows (%6 columns checked)")
               .arg(path, schemaPath)
               .arg(violations.size())
               .arg(violations.size() == 1 ? "" : "s")
               .arg(rows)
               .arg(columnsChecked);
    for (const Violation &v : violations) {
        out << QStringLiteral("  %1: %2 — %3 (expected %4)").arg(v.column, v.rule, v.detail, v.expected);
        for (const ViolationExample &e : v.examples)
            out << QStringLiteral("      line %1: %2").arg(e.line).arg(e.value.isEmpty() ? QStringLiteral("(missing)") : e.value);
        if (v.count > qint64(v.examples.size()) && !v.examples.empty())
            out << QStringLiteral("      … and %1 more").arg(v.count - qint64(v.examples.size()));
    }
    return out;
}

} // namespace orrery::data
