// orrery-cli monitor drift --reference A.csv --current B.csv [--test ks|psi|chisquare|jensenshannon|wasserstein|hellinger]
//                          [--columns a,b] [--label COL] [--json] [--html FILE]
//
// The batch drift report (core/monitor/drift_report.h has the tests, thresholds, correction and
// the handling of missing values and categories). Exit 0: no drift; 1: drift in at least one
// feature; 2: an error (a missing file, no column in common, a column numeric in one file and
// text in the other). `monitor feedback import` stores delayed labels from a CSV (below); the
// live windows (`monitor status`) come with the serving process's monitoring.

#include "app/cli/monitor_alerts_command.h"
#include "app/cli/monitor_command.h"

#include "core/common/atomic_file.h"
#include "core/monitor/drift_csv.h"
#include "core/monitor/drift_report.h"
#include "core/monitor/drift_report_html.h"
#include "core/monitor/feedback_store.h"
#include "core/data/csv_reader.h"
#include "core/workspace/workspace.h"

#include <QJsonArray>

namespace orrery::cli {

namespace {

QString fixed(double v)
{
    return std::isfinite(v) ? QString::number(v, 'g', 4) : QStringLiteral("inf");
}

int drift(const Context &context)
{
    CommandParser p(context, QStringLiteral("monitor drift"),
                    QStringLiteral("Compare a current CSV with a reference CSV, feature by feature. Exit 1 when any feature drifted.\n"
                                   "Default test by type and the reference's size: KS (numeric) or chi-squared (categorical) up to\n"
                                   "1,000 values, Wasserstein normed by the reference's std or Jensen-Shannon above. p-values are\n"
                                   "Bonferroni-corrected; a test needs an effect size >= 0.1 as well to report drift."));
    p.parser().addOption({QStringLiteral("reference"), QStringLiteral("The reference CSV (training data)."), QStringLiteral("FILE")});
    p.parser().addOption({QStringLiteral("current"), QStringLiteral("The current CSV (recent data)."), QStringLiteral("FILE")});
    p.parser().addOption({QStringLiteral("test"), QStringLiteral("One test for every feature: ks, psi, chisquare, jensenshannon, wasserstein, hellinger."), QStringLiteral("TEST")});
    p.parser().addOption({QStringLiteral("columns"), QStringLiteral("Only these columns (comma-separated)."), QStringLiteral("A,B")});
    p.parser().addOption({QStringLiteral("label"), QStringLiteral("The label column (reported as the label's drift)."), QStringLiteral("COL")});
    p.parser().addOption({QStringLiteral("html"), QStringLiteral("Also write the report as one self-contained HTML file."), QStringLiteral("FILE")});
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    if (!p.positional().isEmpty())
        return p.usageError(QStringLiteral("unexpected argument '%1'").arg(p.positional().first()));
    const QString reference = p.value(QStringLiteral("reference")), current = p.value(QStringLiteral("current"));
    if (reference.isEmpty() || current.isEmpty())
        return p.usageError(QStringLiteral("give both --reference FILE and --current FILE"));
    monitor::DriftOptions options;
    if (p.isSet(QStringLiteral("test"))) {
        const auto test = monitor::parseDriftTest(p.value(QStringLiteral("test")));
        if (!test || *test == monitor::DriftTest::Auto)
            return p.usageError(QStringLiteral("--test '%1': give ks, psi, chisquare, jensenshannon, wasserstein or hellinger").arg(p.value(QStringLiteral("test"))));
        options.test = *test;
    }
    QStringList columns;
    if (p.isSet(QStringLiteral("columns")))
        for (const QString &c : p.value(QStringLiteral("columns")).split(QLatin1Char(','), Qt::SkipEmptyParts))
            columns << c.trimmed();

    auto inputs = monitor::readDriftInputs(reference, current, columns, p.value(QStringLiteral("label")));
    if (!inputs)
        return fail(inputs.status());
    std::vector<monitor::FeatureInput> features;
    for (const auto &c : inputs->columns)
        features.push_back({c.name, c.role, c.reference.get(), c.current.get()});
    const monitor::DriftReport report = monitor::compareFeatures(features, options);

    if (p.isSet(QStringLiteral("html"))) {
        monitor::DriftHtmlInput html{inputs->referencePath, inputs->currentPath, inputs->referenceRows, inputs->currentRows, &report, {}, inputs->skipped};
        for (const auto &c : inputs->columns)
            html.samples.emplace_back(c.reference.get(), c.current.get());
        if (Status s = common::writeFileAtomically(p.value(QStringLiteral("html")), monitor::driftReportHtml(html)); !s.isOk())
            return fail(s);
    }

    if (p.json()) {
        QJsonObject o = report.toJson();
        o[QStringLiteral("reference")] = QJsonObject{{QStringLiteral("path"), inputs->referencePath}, {QStringLiteral("rows"), double(inputs->referenceRows)}};
        o[QStringLiteral("current")] = QJsonObject{{QStringLiteral("path"), inputs->currentPath}, {QStringLiteral("rows"), double(inputs->currentRows)}};
        o[QStringLiteral("skipped")] = QJsonArray::fromStringList(inputs->skipped);
        printJson(o);
    } else {
        // Columns as wide as their widest entry, so long feature names keep the table straight.
        int nameWidth = 7, effectWidth = 6;
        for (const auto &f : report.features) {
            nameWidth = qMax(nameWidth, int(f.name.size()) + (f.role == QLatin1String("label") ? 8 : 0));
            effectWidth = qMax(effectWidth, int(QStringLiteral("%1 %2 (>= %3)").arg(fixed(f.effectSize), f.effectMeasure, fixed(f.effectThreshold)).size()));
        }
        out(QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8")
                .arg(QStringLiteral("FEATURE"), -nameWidth).arg(QStringLiteral("TEST"), -13).arg(QStringLiteral("STATISTIC"), -10)
                .arg(QStringLiteral("P (ADJ.)"), -10).arg(QStringLiteral("THRESHOLD"), -9).arg(QStringLiteral("EFFECT"), -effectWidth)
                .arg(QStringLiteral("MISSING"), -8).arg(QStringLiteral("VERDICT")));
        for (const auto &f : report.features) {
            const bool noData = f.status == QLatin1String("no_data");
            const QString pText = f.pValue ? QStringLiteral("%1").arg(fixed(*f.pValueAdjusted)) : QStringLiteral("-");
            const QString effect = noData ? QStringLiteral("-") : QStringLiteral("%1 %2 (>= %3)").arg(fixed(f.effectSize), f.effectMeasure, fixed(f.effectThreshold));
            out(QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8")
                    .arg(f.role == QLatin1String("label") ? f.name + QStringLiteral(" (label)") : f.name, -nameWidth)
                    .arg(QLatin1String(monitor::driftTestName(f.test)), -13)
                    .arg(noData ? QStringLiteral("-") : fixed(f.statistic), -10).arg(pText, -10).arg(fixed(f.threshold), -9)
                    .arg(effect, -effectWidth).arg(QStringLiteral("%1%").arg(fixed(100 * f.currentMissingShare)), -8)
                    .arg(noData ? QStringLiteral("no data") : f.drift ? QStringLiteral("DRIFT") : QStringLiteral("ok")));
            if (!f.unseenCategories.isEmpty())
                out(QStringLiteral("    unseen categories (%1% of current): %2").arg(fixed(100 * f.unseenShare), f.unseenCategories.mid(0, 10).join(QStringLiteral(", "))));
            if (!f.vanishedCategories.isEmpty())
                out(QStringLiteral("    vanished categories: %1").arg(f.vanishedCategories.mid(0, 10).join(QStringLiteral(", "))));
        }
        for (const QString &s : inputs->skipped)
            out(QStringLiteral("skipped %1").arg(s));
        out(report.drift ? QStringLiteral("Drift in %1 of %2 features: %3 (p-values Bonferroni-corrected over %4 tests).")
                               .arg(report.driftedFeatures.size()).arg(report.features.size()).arg(report.driftedFeatures.join(QStringLiteral(", "))).arg(report.testsCorrected)
                         : QStringLiteral("No drift in %1 features.").arg(report.features.size()));
    }
    return report.drift ? ExitProblem : ExitOk;
}

} // namespace

// monitor feedback import FILE --endpoint E: delayed labels from a CSV with the columns
// request_id and label (and row, default 0), stored as POST …/feedback stores them
// (core/monitor/feedback_store.h): matched to the prediction log, unknown ids stored and named.
// The whole file is read and checked first: a bad line (file:line:column) stores nothing.
int feedbackImport(const Context &context)
{
    CommandParser p(context, QStringLiteral("monitor feedback import"),
                    QStringLiteral("Import true labels for earlier answers from a CSV with the columns request_id, label and optionally\n"
                                   "row (a request's row, default 0); labels are numbers or class names. They are matched to the\n"
                                   "prediction log of --endpoint; ids it does not have are stored unmatched and reported."));
    p.parser().addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The labels CSV."));
    p.parser().addOption({QStringLiteral("endpoint"), QStringLiteral("The endpoint the answers came from."), QStringLiteral("E")});
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    if (p.positional().size() != 1 || p.value(QStringLiteral("endpoint")).isEmpty())
        return p.usageError(QStringLiteral("give the CSV and --endpoint E: monitor feedback import labels.csv --endpoint fraud"));
    data::CsvReader reader;
    if (Status s = reader.open(p.positional().first()); !s)
        return fail(s);
    const int idColumn = int(reader.columnNames().indexOf(QStringLiteral("request_id")));
    const int labelColumn = int(reader.columnNames().indexOf(QStringLiteral("label")));
    const int rowColumn = int(reader.columnNames().indexOf(QStringLiteral("row")));
    if (idColumn < 0 || labelColumn < 0)
        return fail(QStringLiteral("%1: needs the columns request_id and label (it has %2)").arg(reader.name(), reader.columnNames().join(QStringLiteral(", "))));
    QVector<monitor::Label> labels;
    while (reader.next()) {
        monitor::Label l;
        l.requestId = QString::fromUtf8(reader.field(idColumn).data(), qsizetype(reader.field(idColumn).size()));
        if (l.requestId.isEmpty())
            return fail(reader.errorAt(reader.line(), idColumn + 1, QStringLiteral("the request id is empty")));
        const QString label = QString::fromUtf8(reader.field(labelColumn).data(), qsizetype(reader.field(labelColumn).size()));
        if (label.isEmpty())
            return fail(reader.errorAt(reader.line(), labelColumn + 1, QStringLiteral("the label is empty")));
        bool number = false;
        l.number = label.toDouble(&number);
        l.isNumber = number && std::isfinite(l.number);
        if (!l.isNumber)
            l.text = label;
        if (rowColumn >= 0 && !reader.field(rowColumn).empty()) {
            bool ok = false;
            l.row = QString::fromUtf8(reader.field(rowColumn).data(), qsizetype(reader.field(rowColumn).size())).toInt(&ok);
            if (!ok || l.row < 0)
                return fail(reader.errorAt(reader.line(), rowColumn + 1, QStringLiteral("the row is not a whole number from 0")));
        }
        labels.append(l);
    }
    if (!reader.status())
        return fail(reader.status());
    if (labels.isEmpty())
        return fail(QStringLiteral("%1: no labels in it").arg(reader.name()));
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    const QString databasePath = (*ws)->databasePath();
    ws->reset(); // the store opens its own connection
    auto store = monitor::FeedbackStore::open(databasePath);
    if (!store)
        return fail(store.status());
    auto result = (*store)->store(p.value(QStringLiteral("endpoint")), labels);
    if (!result)
        return fail(result.status());
    if (p.json()) {
        printJson(QJsonObject{{QStringLiteral("accepted"), result->accepted}, {QStringLiteral("matched"), result->matched},
                              {QStringLiteral("unknown"), int(result->unknownIds.size())},
                              {QStringLiteral("unknown_ids"), QJsonArray::fromStringList(result->unknownIds.mid(0, 100))}});
        return ExitOk;
    }
    out(QStringLiteral("%1 labels stored for endpoint %2: %3 matched to logged answers, %4 not (unknown or expired request ids%5)")
            .arg(result->accepted).arg(p.value(QStringLiteral("endpoint"))).arg(result->matched).arg(result->unknownIds.size())
            .arg(result->unknownIds.isEmpty() ? QString() : QStringLiteral(", e.g. ") + result->unknownIds.mid(0, 5).join(QStringLiteral(", "))));
    return ExitOk;
}

int runMonitor(const Context &context)
{
    const QString sub = context.args.value(0);
    Context rest = context;
    if (!rest.args.isEmpty())
        rest.args.removeFirst();
    if (sub == QLatin1String("drift"))
        return drift(rest);
    if (sub == QLatin1String("status"))
        return monitorStatus(rest);
    if (sub == QLatin1String("profile"))
        return monitorProfile(rest);
    if (sub == QLatin1String("reference"))
        return monitorReference(rest);
    if (sub == QLatin1String("alerts"))
        return runMonitorAlerts(rest);
    if (sub == QLatin1String("feedback") && rest.args.value(0) == QLatin1String("import")) {
        rest.args.removeFirst();
        return feedbackImport(rest);
    }
    if (sub.isEmpty() || sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        out(QStringLiteral("Usage: %1 monitor drift --reference A.csv --current B.csv [--test T] [--columns a,b] [--label COL] [--json] [--html FILE]\n"
                           "       %1 monitor status [ENDPOINT] [--recent N] [--json]\n"
                           "       %1 monitor profile NAME --version V --data CSV [--scores CSV] [--score-column COL]\n"
                           "       %1 monitor reference ENDPOINT model | window FROM TO | rolling DURATION\n"
                           "       %1 monitor feedback import LABELS.csv --endpoint E [--json]\n"
                           "       %1 monitor alerts [--all] | check [FILE] | ack ID | silence ID --for D [--json]").arg(context.program));
        return sub.isEmpty() ? ExitError : ExitOk;
    }
    return fail(QStringLiteral("monitor: unknown subcommand '%1' (expected drift, status, profile, reference, feedback import or alerts)").arg(context.args.join(QLatin1Char(' '))));
}

} // namespace orrery::cli
