// orrery-cli data schema | validate | stats: the data-quality subcommands (routed by
// data_command.cpp). Each reads a CSV file in one streaming pass through core/data.
//   data schema PATH [--output FILE]       infer the data tests into PATH's .schema.yaml
//   data validate PATH [--schema FILE]     run them: exit 0 passed, 1 violations, 2 error
//   data stats PATH                        per-column statistics
#include "app/cli/cli.h"
#include "app/cli/workspace_job.h"

#include "core/data/dataset_profile.h"
#include "core/data/null_values.h"
#include "core/data/schema.h"
#include "core/data/schema_inference.h"
#include "core/data/schema_validator.h"

#include <QFileInfo>
#include <QJsonObject>

#include <cmath>

namespace orrery::cli {
namespace {

// How to read the file: the options every data-quality subcommand that reads CSV without a
// schema shares (validate takes them from the schema instead).
void addCsvOptions(CommandParser &p)
{
    QCommandLineParser &c = p.parser();
    c.addOption({QStringLiteral("delimiter"), QStringLiteral("The field delimiter: one character, or 'tab' (default ',')."),
                 QStringLiteral("C"), QStringLiteral(",")});
    c.addOption({QStringLiteral("no-header"), QStringLiteral("The first line is data; columns are named column_1, column_2, …")});
    c.addOption({QStringLiteral("skip-lines"), QStringLiteral("Lines to ignore before the header (default 0)."), QStringLiteral("N"),
                 QStringLiteral("0")});
    c.addOption({QStringLiteral("null-values"),
                 QStringLiteral("Comma-separated cell texts that mean missing (default: empty, NA, N/A, null, NULL, NaN, nan)."),
                 QStringLiteral("LIST")});
    c.addOption({QStringLiteral("max-columns"), QStringLiteral("Refuse files with more columns (default 100000)."), QStringLiteral("N"),
                 QStringLiteral("100000")});
    c.addOption({QStringLiteral("max-record-bytes"), QStringLiteral("Refuse records longer than this (default 67108864, 64 MiB)."),
                 QStringLiteral("N"), QStringLiteral("67108864")});
}

// Fills `options` from the command line; false (after printing a usage error into *code) when a
// value is wrong.
bool csvOptionsFrom(const CommandParser &p, data::ProfileOptions *options, int *code)
{
    const QString d = p.value(QStringLiteral("delimiter"));
    const QByteArray delimiter = d == QLatin1String("tab") || d == QLatin1String("\\t") ? QByteArray("\t") : d.toUtf8();
    if (delimiter.size() != 1 || delimiter[0] == '"' || delimiter[0] == '\n' || delimiter[0] == '\r') {
        *code = p.usageError(QStringLiteral("--delimiter must be one character or 'tab', got '%1'").arg(d));
        return false;
    }
    options->csv.delimiter = delimiter[0];
    options->csv.hasHeader = !p.isSet(QStringLiteral("no-header"));
    bool ok = false;
    options->csv.skipLines = p.value(QStringLiteral("skip-lines")).toInt(&ok);
    if (!ok || options->csv.skipLines < 0) {
        *code = p.usageError(QStringLiteral("--skip-lines must be a whole number from 0, got '%1'").arg(p.value(QStringLiteral("skip-lines"))));
        return false;
    }
    options->csv.maxColumns = p.value(QStringLiteral("max-columns")).toInt(&ok);
    if (!ok || options->csv.maxColumns < 1) {
        *code = p.usageError(QStringLiteral("--max-columns must be a positive whole number, got '%1'").arg(p.value(QStringLiteral("max-columns"))));
        return false;
    }
    options->csv.maxRecordBytes = p.value(QStringLiteral("max-record-bytes")).toLongLong(&ok);
    if (!ok || options->csv.maxRecordBytes < 1) {
        *code = p.usageError(QStringLiteral("--max-record-bytes must be a positive whole number, got '%1'").arg(p.value(QStringLiteral("max-record-bytes"))));
        return false;
    }
    if (p.isSet(QStringLiteral("null-values")))
        options->nullValues = p.value(QStringLiteral("null-values")).split(QLatin1Char(','));
    return true;
}

// The one PATH argument, which must be a readable file.
bool dataPathFrom(const CommandParser &p, QString *path, int *code)
{
    if (p.positional().size() != 1) {
        *code = p.usageError(QStringLiteral("give exactly one CSV file"));
        return false;
    }
    *path = p.positional().first();
    const QFileInfo info(*path);
    if (!info.exists() || info.isDir()) {
        *code = fail(QStringLiteral("%1: %2").arg(*path, info.isDir() ? QStringLiteral("is a folder; give a CSV file")
                                                                    : QStringLiteral("no such file")));
        return false;
    }
    return true;
}

QString number(double v)
{
    return std::isfinite(v) ? QString::number(v, 'g', 6) : QStringLiteral("-");
}

QString percent(double fraction)
{
    return fraction == 0.0 ? QStringLiteral("0%") : QString::number(fraction * 100.0, 'g', 3) + QLatin1Char('%');
}

QString rulesOf(const data::ColumnRule &c)
{
    QStringList parts;
    if (c.min || c.max)
        parts << QStringLiteral("%1 … %2").arg(c.min ? c.boundText(*c.min) : QString(), c.max ? c.boundText(*c.max) : QString());
    if (c.allowedValues)
        parts << (c.allowedValues->size() <= 6 ? c.allowedValues->join(QStringLiteral(", "))
                                                : QStringLiteral("%1 values").arg(c.allowedValues->size()));
    if (c.unique)
        parts << QStringLiteral("unique");
    return parts.join(QStringLiteral("; "));
}

} // namespace

int runDataSchema(const Context &context)
{
    CommandParser p(context, QStringLiteral("schema"),
                    QStringLiteral("Infer the data tests of a CSV file: per column its type, range, allowed categories, missing\n"
                                   "share and uniqueness, written as a YAML schema beside the data (PATH without its extension +\n"
                                   ".schema.yaml) for `orrery-cli data validate`. Ranges and missing shares leave room for more data\n"
                                   "from the same source (the observed range widened by its width on each side, timestamps without\n"
                                   "a max, the missing share x 1.5 + 0.01, none stays none); edit the file where you know better."));
    p.parser().addPositionalArgument(QStringLiteral("PATH"), QStringLiteral("The CSV file."));
    p.parser().addOption({QStringLiteral("output"), QStringLiteral("Where to write the schema (default: beside the data)."), QStringLiteral("FILE")});
    p.parser().addOption({QStringLiteral("open-categories"),
                          QStringLiteral("Do not list the categories seen as the only allowed values (new ones may come).")});
    p.parser().addOption({QStringLiteral("max-categories"),
                          QStringLiteral("Text columns with at most this many distinct values become categories (default 50)."),
                          QStringLiteral("N"), QStringLiteral("50")});
    addCsvOptions(p);
    p.addJsonOption();
    int code = 0;
    QString path;
    data::ProfileOptions options;
    if (!p.parse(&code) || !dataPathFrom(p, &path, &code) || !csvOptionsFrom(p, &options, &code))
        return code;
    bool ok = false;
    options.maxCategories = p.value(QStringLiteral("max-categories")).toInt(&ok);
    if (!ok || options.maxCategories < 0)
        return p.usageError(QStringLiteral("--max-categories must be a whole number from 0, got '%1'").arg(p.value(QStringLiteral("max-categories"))));
    const QString output = p.isSet(QStringLiteral("output")) ? p.value(QStringLiteral("output")) : data::Schema::defaultPathFor(path);

    auto inferred = runJob(QStringLiteral("schema"), [&](common::JobContext &job) -> Result<data::Schema> {
        data::InferenceOptions inference;
        inference.openCategories = p.isSet(QStringLiteral("open-categories"));
        ORRERY_ASSIGN_OR_RETURN(data::Schema schema, data::inferSchema(path, options, &job, inference));
        ORRERY_TRY(schema.save(output));
        return schema;
    });
    if (!inferred)
        return fail(inferred.status());
    const data::Schema &schema = *inferred;
    if (p.json()) {
        printJson(QJsonObject{{QStringLiteral("path"), path}, {QStringLiteral("schema_path"), output}, {QStringLiteral("schema"), schema.toJson()}});
        return ExitOk;
    }
    out(QStringLiteral("Wrote %1: %2 columns, inferred from %3 rows of %4").arg(output).arg(schema.columns.size()).arg(schema.rows).arg(path));
    out(QStringLiteral("  %1 %2 %3 %4").arg(QStringLiteral("COLUMN"), -24).arg(QStringLiteral("TYPE"), -10).arg(QStringLiteral("NULLS"), -7).arg(QStringLiteral("RULES")));
    for (const data::ColumnRule &c : schema.columns)
        out(QStringLiteral("  %1 %2 %3 %4")
                .arg(c.name, -24)
                .arg(QLatin1String(data::columnTypeName(c.type)), -10)
                .arg(percent(c.maxNullFraction.value_or(0.0)), -7)
                .arg(rulesOf(c)));
    out(QStringLiteral("Check data against it with: %1 validate %2 --schema %3").arg(context.program, path, output));
    return ExitOk;
}

int runDataValidate(const Context &context)
{
    CommandParser p(context, QStringLiteral("validate"),
                    QStringLiteral("Run the data tests of a schema (see `data schema`) on a CSV file and list every violated rule:\n"
                                   "column, rule, how many rows and the first five of them. Exit status 0 when the file passes,\n"
                                   "1 when a rule is violated, 2 when the file or the schema cannot be read. How to read the CSV\n"
                                   "(delimiter, header, missing values) comes from the schema's csv section."));
    p.parser().addPositionalArgument(QStringLiteral("PATH"), QStringLiteral("The CSV file."));
    p.parser().addOption({QStringLiteral("schema"), QStringLiteral("The schema (default: PATH's .schema.yaml beside it)."), QStringLiteral("FILE")});
    p.addJsonOption();
    int code = 0;
    QString path;
    if (!p.parse(&code) || !dataPathFrom(p, &path, &code))
        return code;
    const QString schemaPath = p.isSet(QStringLiteral("schema")) ? p.value(QStringLiteral("schema")) : data::Schema::defaultPathFor(path);
    auto schema = data::Schema::load(schemaPath);
    if (!schema)
        return fail(schema.status());

    auto validated = runJob(QStringLiteral("validate"), [&](common::JobContext &job) { return data::validateCsv(path, *schema, &job); });
    if (!validated)
        return fail(validated.status());
    const data::ValidationReport &report = *validated;
    if (p.json()) {
        QJsonObject json = report.toJson();
        json.insert(QStringLiteral("schema_path"), schemaPath);
        printJson(json);
    } else {
        for (const QString &line : report.toText(schemaPath))
            out(line);
    }
    return report.passed() ? ExitOk : ExitProblem;
}

int runDataStats(const Context &context)
{
    CommandParser p(context, QStringLiteral("stats"),
                    QStringLiteral("Per-column statistics of a CSV file in one streaming pass: count, missing, distinct, mean,\n"
                                   "standard deviation, min, quantiles (p01 … p99, NumPy's linear method), max, a histogram and\n"
                                   "the most frequent values. Exact while the data fits the memory budget; --json says which\n"
                                   "figures are estimates and their error bounds."));
    p.parser().addPositionalArgument(QStringLiteral("PATH"), QStringLiteral("The CSV file."));
    p.parser().addOption({QStringLiteral("bins"), QStringLiteral("Histogram bins (default 20)."), QStringLiteral("N"), QStringLiteral("20")});
    p.parser().addOption({QStringLiteral("top"), QStringLiteral("How many frequent values to list (default 10)."), QStringLiteral("N"), QStringLiteral("10")});
    addCsvOptions(p);
    p.addJsonOption();
    int code = 0;
    QString path;
    data::ProfileOptions options;
    if (!p.parse(&code) || !dataPathFrom(p, &path, &code) || !csvOptionsFrom(p, &options, &code))
        return code;
    bool ok = false;
    options.histogramBins = p.value(QStringLiteral("bins")).toInt(&ok);
    if (!ok || options.histogramBins < 1 || options.histogramBins > 10000)
        return p.usageError(QStringLiteral("--bins must be a whole number from 1 to 10000, got '%1'").arg(p.value(QStringLiteral("bins"))));
    options.topValues = p.value(QStringLiteral("top")).toInt(&ok);
    if (!ok || options.topValues < 0 || options.topValues > 1000)
        return p.usageError(QStringLiteral("--top must be a whole number from 0 to 1000, got '%1'").arg(p.value(QStringLiteral("top"))));

    auto profiled = runJob(QStringLiteral("stats"), [&](common::JobContext &job) { return data::profileCsv(path, options, &job); });
    if (!profiled)
        return fail(profiled.status());
    const data::DatasetProfile &profile = *profiled;
    if (p.json()) {
        printJson(profile.toJson());
        return ExitOk;
    }
    out(QStringLiteral("%1: %2 rows, %3 columns").arg(path).arg(profile.rows).arg(profile.columns.size()));
    out(QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9 %10")
            .arg(QStringLiteral("COLUMN"), -22).arg(QStringLiteral("TYPE"), -10).arg(QStringLiteral("COUNT"), 9)
            .arg(QStringLiteral("NULLS"), 7).arg(QStringLiteral("DISTINCT"), 9).arg(QStringLiteral("MEAN"), 11)
            .arg(QStringLiteral("STD"), 11).arg(QStringLiteral("MIN"), 11).arg(QStringLiteral("P50"), 11).arg(QStringLiteral("MAX / TOP VALUES")));
    for (const data::ColumnStats &c : profile.columns) {
        QString distinct = QString::number(c.distinct);
        if (!c.distinctExact)
            distinct.prepend(QLatin1Char('~'));
        QString line = QStringLiteral("%1 %2 %3 %4 %5 ")
                           .arg(c.name, -22)
                           .arg(QLatin1String(data::columnTypeName(c.type)), -10)
                           .arg(c.count, 9)
                           .arg(percent(c.nullFraction()), 7)
                           .arg(distinct, 9);
        if (c.isNumeric()) {
            const double p50 = c.quantiles.size() > 3 ? c.quantiles[3].second : std::nan("");
            line += QStringLiteral("%1 %2 %3 %4 %5")
                        .arg(number(c.mean), 11)
                        .arg(number(c.std), 11)
                        .arg(number(c.min), 11)
                        .arg(number(p50), 11)
                        .arg(number(c.max));
        } else if (c.type == data::ColumnType::Timestamp && c.count > 0) {
            line += QStringLiteral("%1 … %2").arg(data::formatTimestamp(c.minTimestamp), data::formatTimestamp(c.maxTimestamp));
        } else if (c.isUnique()) {
            line += QStringLiteral("%1 %2").arg(QString(), 47).arg(QStringLiteral("(every value distinct)"));
        } else {
            QStringList top;
            for (size_t i = 0; i < c.top.size() && i < 5; ++i)
                top << QStringLiteral("%1 (%2%3)").arg(c.top[i].value.left(24), c.topExact ? QString() : QStringLiteral("≥")).arg(c.top[i].count);
            line += QStringLiteral("%1 %2").arg(QString(), 47).arg(top.join(QStringLiteral(", ")));
        }
        out(line.trimmed());
    }
    return ExitOk;
}

} // namespace orrery::cli
