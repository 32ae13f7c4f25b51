// orrery-cli monitor drift --reference A.csv --current B.csv [--test ks|psi|chisquare|jensenshannon|wasserstein|hellinger]
//                          [--columns a,b] [--label COL] [--json] [--html FILE]
//
// The batch drift report (core/monitor/drift_report.h has the tests, thresholds, correction and
// the handling of missing values and categories). Exit 0: no drift; 1: drift in at least one
// feature; 2: an error (a missing file, no column in common, a column numeric in one file and
// text in the other). The live half of `monitor` (status, feedback) comes with the serving
// process's monitoring.

#include "app/cli/cli.h"

#include "core/common/atomic_file.h"
#include "core/monitor/drift_csv.h"
#include "core/monitor/drift_report.h"
#include "core/monitor/drift_report_html.h"

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

int runMonitor(const Context &context)
{
    const QString sub = context.args.value(0);
    if (sub == QLatin1String("drift")) {
        Context rest = context;
        rest.args.removeFirst();
        return drift(rest);
    }
    if (sub.isEmpty() || sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        out(QStringLiteral("Usage: %1 monitor drift --reference A.csv --current B.csv [--test T] [--columns a,b] [--label COL] [--json] [--html FILE]").arg(context.program));
        return sub.isEmpty() ? ExitError : ExitOk;
    }
    return fail(QStringLiteral("monitor: unknown subcommand '%1' (expected drift)").arg(sub));
}

} // namespace orrery::cli
