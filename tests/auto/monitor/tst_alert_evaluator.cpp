// The alert evaluator (core/monitor/alert_evaluator.h) on a stepped clock: `for` and
// `keep_firing_for` to the millisecond, pending that clears, resolution, one alert per series, a
// series that vanishes, annotations, rules that change, a restart that continues — and the same
// states as Prometheus itself: random series evaluated by both, Prometheus through
// `promtool test rules` (Debian's prometheus package), which fails unless every firing alert,
// its labels and its annotations match what the evaluator said at each minute.
#include "core/monitor/alert_evaluator.h"
#include "core/monitor/alert_template.h"
#include "core/monitor/metrics_samples.h"
#include "tests/support/test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace orrery;
using namespace orrery::monitor;

namespace {

constexpr qint64 kStart = 1'800'000'000'000LL;

AlertRule rule(const QString &name, const QString &metric, CompareOp op, double threshold, qint64 forMs = 0, qint64 keepMs = 0)
{
    AlertRule r;
    r.name = name;
    r.metric = metric;
    r.op = op;
    r.threshold = threshold;
    r.forMs = forMs;
    r.keepFiringForMs = keepMs;
    r.summary = QStringLiteral("{{ $labels.endpoint }} at {{ $value }}");
    return r;
}

MetricSample sample(const QString &name, QMap<QString, QString> labels, double value) { return {name, std::move(labels), value}; }

QVector<MetricSample> errorRatio(double fraud, std::optional<double> other = std::nullopt)
{
    QVector<MetricSample> s{sample(QStringLiteral("orrery_window_error_ratio"), {{QStringLiteral("endpoint"), QStringLiteral("fraud")}}, fraud)};
    if (other)
        s.append(sample(QStringLiteral("orrery_window_error_ratio"), {{QStringLiteral("endpoint"), QStringLiteral("other")}}, *other));
    return s;
}

QString describe(const QVector<AlertTransition> &ts)
{
    QStringList out;
    for (const auto &t : ts)
        out << QStringLiteral("%1 %2 %3->%4").arg(t.alert.rule, t.alert.labels.value(QStringLiteral("endpoint")), alertStateName(t.from), alertStateName(t.to));
    return out.join(QStringLiteral(", "));
}

} // namespace

class TstAlertEvaluator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pendingForThenFiringThenResolved()
    {
        AlertEvaluator e({rule(QStringLiteral("HighErrorRatio"), QStringLiteral("orrery_window_error_ratio"), CompareOp::Greater, 0.05, 120'000)});
        auto r = e.evaluate(errorRatio(0.01), kStart);
        QVERIFY(r.transitions.isEmpty() && r.active.isEmpty());
        r = e.evaluate(errorRatio(0.1), kStart + 10'000);
        QCOMPARE(describe(r.transitions), QStringLiteral("HighErrorRatio fraud inactive->pending"));
        QCOMPARE(r.active.size(), 1);
        QCOMPARE(r.active[0].activeSince, kStart + 10'000);
        QCOMPARE(r.active[0].firedAt, 0);
        // 1 ms short of `for`: still pending.
        r = e.evaluate(errorRatio(0.2), kStart + 10'000 + 119'999);
        QVERIFY(r.transitions.isEmpty());
        QCOMPARE(r.active[0].state, AlertState::Pending);
        QCOMPARE(r.updated.size(), 1); // the value changed
        QCOMPARE(r.updated[0].value, 0.2);
        r = e.evaluate(errorRatio(0.2), kStart + 130'000);
        QCOMPARE(describe(r.transitions), QStringLiteral("HighErrorRatio fraud pending->firing"));
        QVERIFY(r.transitions[0].fired());
        QCOMPARE(r.active[0].firedAt, kStart + 130'000);
        QCOMPARE(r.active[0].activeSince, kStart + 10'000);
        r = e.evaluate(errorRatio(0.2), kStart + 135'000);
        QVERIFY(r.transitions.isEmpty() && r.updated.isEmpty()); // nothing changed
        r = e.evaluate(errorRatio(0.05), kStart + 140'000); // not > 0.05
        QCOMPARE(describe(r.transitions), QStringLiteral("HighErrorRatio fraud firing->inactive"));
        QVERIFY(r.transitions[0].resolved());
        QCOMPARE(r.transitions[0].alert.resolvedAt, kStart + 140'000);
        QCOMPARE(r.transitions[0].alert.firedAt, kStart + 130'000);
        QVERIFY(r.active.isEmpty());
        // Satisfied again: a new alert, its own activeSince.
        r = e.evaluate(errorRatio(0.3), kStart + 150'000);
        QCOMPARE(describe(r.transitions), QStringLiteral("HighErrorRatio fraud inactive->pending"));
        QCOMPARE(r.active[0].activeSince, kStart + 150'000);
    }

    void pendingThatClearsNeverFires()
    {
        AlertEvaluator e({rule(QStringLiteral("R"), QStringLiteral("orrery_window_error_ratio"), CompareOp::Greater, 0.05, 60'000)});
        e.evaluate(errorRatio(0.1), kStart);
        auto r = e.evaluate(errorRatio(0.0), kStart + 30'000);
        QCOMPARE(describe(r.transitions), QStringLiteral("R fraud pending->inactive"));
        QVERIFY(!r.transitions[0].resolved() && !r.transitions[0].fired());
        QCOMPARE(r.transitions[0].alert.resolvedAt, 0);
        // Back on: `for` counts from the new start.
        e.evaluate(errorRatio(0.1), kStart + 40'000);
        r = e.evaluate(errorRatio(0.1), kStart + 90'000);
        QVERIFY(r.transitions.isEmpty());
        r = e.evaluate(errorRatio(0.1), kStart + 100'000);
        QCOMPARE(describe(r.transitions), QStringLiteral("R fraud pending->firing"));
    }

    void forZeroFiresInTheSameEvaluation()
    {
        AlertEvaluator e({rule(QStringLiteral("R"), QStringLiteral("orrery_window_error_ratio"), CompareOp::Greater, 0.05)});
        auto r = e.evaluate(errorRatio(0.1), kStart);
        QCOMPARE(describe(r.transitions), QStringLiteral("R fraud inactive->firing"));
        QCOMPARE(r.active[0].firedAt, kStart);
        QCOMPARE(r.active[0].activeSince, kStart);
    }

    void keepFiringForAfterTheConditionClears()
    {
        AlertEvaluator e({rule(QStringLiteral("R"), QStringLiteral("orrery_window_error_ratio"), CompareOp::Greater, 0.05, 0, 60'000)});
        e.evaluate(errorRatio(0.1), kStart);
        auto r = e.evaluate(errorRatio(0.0), kStart + 10'000); // clears: keeps firing from here
        QVERIFY(r.transitions.isEmpty());
        QCOMPARE(r.active[0].state, AlertState::Firing);
        QCOMPARE(r.active[0].keepFiringSince, kStart + 10'000);
        QCOMPARE(r.active[0].value, 0.1); // the last satisfied sample's
        r = e.evaluate(errorRatio(0.0), kStart + 10'000 + 59'999);
        QVERIFY(r.transitions.isEmpty());
        // Satisfied again inside the window: the clock stops.
        r = e.evaluate(errorRatio(0.2), kStart + 80'000);
        QVERIFY(r.transitions.isEmpty());
        QCOMPARE(r.active[0].keepFiringSince, 0);
        r = e.evaluate(errorRatio(0.0), kStart + 90'000);
        QVERIFY(r.transitions.isEmpty());
        r = e.evaluate(errorRatio(0.0), kStart + 149'999);
        QVERIFY(r.transitions.isEmpty());
        r = e.evaluate(errorRatio(0.0), kStart + 150'000); // 60 s after it cleared the second time
        QCOMPARE(describe(r.transitions), QStringLiteral("R fraud firing->inactive"));
        QCOMPARE(r.transitions[0].alert.resolvedAt, kStart + 150'000);
    }

    void oneAlertPerSeriesAndAVanishedSeriesIsFalse()
    {
        AlertRule drift = rule(QStringLiteral("FeatureDrift"), QStringLiteral("orrery_feature_drift"), CompareOp::Greater, 0);
        drift.where = {{QStringLiteral("endpoint"), QStringLiteral("fraud")}};
        drift.severity = QStringLiteral("critical");
        drift.summary = QStringLiteral("{{ $labels.feature }} drifted on {{ $labels.endpoint }}");
        drift.description = QStringLiteral("value {{ $value }}, {{ printf \"%.1f\" $value }}, {{ humanizePercentage $value }}, missing '{{ $labels.nothing }}'");
        AlertEvaluator e({drift});
        auto series = [](const QString &endpoint, const QString &feature, double v) {
            return sample(QStringLiteral("orrery_feature_drift"),
                          {{QStringLiteral("endpoint"), endpoint}, {QStringLiteral("feature"), feature}, {QStringLiteral("severity"), QStringLiteral("series-own")}}, v);
        };
        auto r = e.evaluate({series(QStringLiteral("fraud"), QStringLiteral("amount"), 1), series(QStringLiteral("fraud"), QStringLiteral("channel"), 0),
                             series(QStringLiteral("fraud"), QStringLiteral("hour"), 1), series(QStringLiteral("churn"), QStringLiteral("amount"), 1),
                             sample(QStringLiteral("orrery_feature_drift_effect"), {{QStringLiteral("endpoint"), QStringLiteral("fraud")}}, 9)},
                            kStart);
        QCOMPARE(r.active.size(), 2);
        QCOMPARE(r.transitions.size(), 2);
        QMap<QString, Alert> byFeature;
        for (const Alert &a : r.active)
            byFeature.insert(a.labels.value(QStringLiteral("feature")), a);
        QCOMPARE(byFeature.keys(), (QStringList{QStringLiteral("amount"), QStringLiteral("hour")}));
        const Alert amount = byFeature[QStringLiteral("amount")];
        // The rule's alertname and severity over the series' own.
        QCOMPARE(amount.labels, (QMap<QString, QString>{{QStringLiteral("alertname"), QStringLiteral("FeatureDrift")},
                                                        {QStringLiteral("endpoint"), QStringLiteral("fraud")},
                                                        {QStringLiteral("feature"), QStringLiteral("amount")},
                                                        {QStringLiteral("severity"), QStringLiteral("critical")}}));
        QCOMPARE(amount.fingerprint, alertFingerprint(amount.labels));
        QVERIFY(amount.fingerprint != byFeature[QStringLiteral("hour")].fingerprint);
        QCOMPARE(amount.annotations.value(QStringLiteral("summary")), QStringLiteral("amount drifted on fraud"));
        QCOMPARE(amount.annotations.value(QStringLiteral("description")), QStringLiteral("value 1, 1.0, 100%, missing ''"));
        // "hour" vanishes from /metrics: its alert resolves; "amount" stays, unchanged.
        r = e.evaluate({series(QStringLiteral("fraud"), QStringLiteral("amount"), 1)}, kStart + 5000);
        QCOMPARE(r.transitions.size(), 1);
        QVERIFY(r.transitions[0].resolved());
        QCOMPARE(r.transitions[0].alert.labels.value(QStringLiteral("feature")), QStringLiteral("hour"));
        QCOMPARE(r.active.size(), 1);
        // An empty scrape: everything resolves.
        r = e.evaluate({}, kStart + 10'000);
        QCOMPARE(r.transitions.size(), 1);
        QVERIFY(r.active.isEmpty());
    }

    void annotationsFollowTheValue()
    {
        AlertEvaluator e({rule(QStringLiteral("R"), QStringLiteral("orrery_window_error_ratio"), CompareOp::Greater, 0.05)});
        auto r = e.evaluate(errorRatio(0.25), kStart);
        QCOMPARE(r.active[0].annotations.value(QStringLiteral("summary")), QStringLiteral("fraud at 0.25"));
        QVERIFY(!r.active[0].annotations.contains(QStringLiteral("description"))); // none given
        r = e.evaluate(errorRatio(1234567), kStart + 1000);
        QCOMPARE(r.updated.size(), 1);
        QCOMPARE(r.updated[0].annotations.value(QStringLiteral("summary")), QStringLiteral("fraud at 1.234567e+06"));
        // Go's %v spellings, which Prometheus' templates print.
        QCOMPARE(goFloatText(0.5), QStringLiteral("0.5"));
        QCOMPARE(goFloatText(100000), QStringLiteral("100000"));
        QCOMPARE(goFloatText(1e6), QStringLiteral("1e+06"));
        QCOMPARE(goFloatText(0.0001), QStringLiteral("0.0001"));
        QCOMPARE(goFloatText(0.00001), QStringLiteral("1e-05"));
        QCOMPARE(goFloatText(0.1 + 0.2), QStringLiteral("0.30000000000000004"));
        QCOMPARE(goFloatText(-2.5e-300), QStringLiteral("-2.5e-300"));
        QCOMPARE(goFloatText(std::nan("")), QStringLiteral("NaN"));
        QCOMPARE(goFloatText(-INFINITY), QStringLiteral("-Inf"));
    }

    void rulesThatChangeKeepOrEndTheirAlerts()
    {
        const AlertRule a = rule(QStringLiteral("A"), QStringLiteral("orrery_window_error_ratio"), CompareOp::Greater, 0.05);
        const AlertRule b = rule(QStringLiteral("B"), QStringLiteral("orrery_window_error_ratio"), CompareOp::Greater, 0.05, 60'000);
        AlertEvaluator e({a, b});
        auto r = e.evaluate(errorRatio(0.1), kStart);
        QCOMPARE(describe(r.transitions), QStringLiteral("A fraud inactive->firing, B fraud inactive->pending"));
        // A's threshold changes (it stays firing, no new transition); B goes: its pending alert ends.
        AlertRule a2 = a;
        a2.threshold = 0.01;
        e.setRules({a2});
        r = e.evaluate(errorRatio(0.1), kStart + 1000);
        QCOMPARE(describe(r.transitions), QStringLiteral("B fraud pending->inactive"));
        QCOMPARE(r.active.size(), 1);
        QCOMPARE(r.active[0].firedAt, kStart);
        // A goes too: its firing alert resolves at once, keep_firing_for or not.
        a2.keepFiringForMs = 3'600'000;
        e.setRules({});
        r = e.evaluate(errorRatio(0.1), kStart + 2000);
        QCOMPARE(describe(r.transitions), QStringLiteral("A fraud firing->inactive"));
        QVERIFY(r.active.isEmpty());
    }

    void aRestoredEvaluatorContinuesWithoutFiringTwice()
    {
        const QVector<AlertRule> rules{rule(QStringLiteral("Fast"), QStringLiteral("orrery_window_error_ratio"), CompareOp::Greater, 0.05),
                                       rule(QStringLiteral("Slow"), QStringLiteral("orrery_window_error_ratio"), CompareOp::Greater, 0.05, 60'000)};
        AlertEvaluator first(rules);
        first.evaluate(errorRatio(0.1), kStart);
        const QVector<Alert> saved = first.active();
        QCOMPARE(saved.size(), 2);
        // A new process: the same alerts, no transition while the condition holds.
        AlertEvaluator second(rules);
        second.restore(saved);
        auto r = second.evaluate(errorRatio(0.1), kStart + 30'000);
        QVERIFY2(r.transitions.isEmpty(), qPrintable(describe(r.transitions)));
        // The pending one fires when its `for` (counted from before the restart) is over.
        r = second.evaluate(errorRatio(0.1), kStart + 60'000);
        QCOMPARE(describe(r.transitions), QStringLiteral("Slow fraud pending->firing"));
        r = second.evaluate(errorRatio(0.0), kStart + 70'000);
        QCOMPARE(describe(r.transitions), QStringLiteral("Fast fraud firing->inactive, Slow fraud firing->inactive"));
    }

    // Prometheus decides the same: random series, four `for` × `keep_firing_for` rules, one
    // evaluation a minute for 40 minutes, every firing alert (labels, annotations) at every
    // minute checked by promtool test rules against Prometheus' own rule engine.
    void statesMatchPrometheus()
    {
        QTemporaryDir dir;
        const QList<double> values{0, 0.1, 0.25, 0.5, 1, 1234567, 0.1 + 0.2, 1e21, 2.5e-7, 123456.5};
        QRandomGenerator random(17);
        const int minutes = 40;
        const QStringList features{QStringLiteral("amount"), QStringLiteral("hour"), QStringLiteral("channel")};
        QMap<QString, QVector<double>> series;
        for (const QString &f : features)
            for (int t = 0; t < minutes; ++t)
                series[f].append(values[int(random.bounded(int(values.size())))]);
        series[QStringLiteral("nan")] = QVector<double>(minutes, 0);
        for (int t = 0; t < minutes; t += 3)
            series[QStringLiteral("nan")][t] = std::nan("");

        QVector<AlertRule> rules;
        for (qint64 forMs : {0LL, 120'000LL})
            for (qint64 keepMs : {0LL, 180'000LL}) {
                AlertRule r = rule(QStringLiteral("Drift_for%1_keep%2").arg(forMs / 60'000).arg(keepMs / 60'000), QStringLiteral("orrery_feature_drift"),
                                   CompareOp::Greater, 0.2, forMs, keepMs);
                r.where = {{QStringLiteral("endpoint"), QStringLiteral("fraud")}};
                r.summary = QStringLiteral("{{ $labels.feature }} on {{ $labels.endpoint }} is {{ $value }}");
                r.description = QStringLiteral("{{ printf \"%.2f\" $value }} / {{ humanizePercentage $value }} / {{ .Labels.feature }} {{ .Value }}");
                rules.append(r);
            }
        AlertRule notZero = rule(QStringLiteral("NotZero"), QStringLiteral("orrery_feature_drift_p_value"), CompareOp::NotEqual, 0, 60'000);
        notZero.severity = QStringLiteral("info");
        rules.append(notZero);

        // Prometheus' side: the rules as PromQL, the series in promtool's notation.
        QJsonArray promRules;
        for (const AlertRule &r : rules) {
            QJsonObject annotations{{QStringLiteral("summary"), r.summary}};
            if (!r.description.isEmpty())
                annotations.insert(QStringLiteral("description"), r.description);
            promRules.append(QJsonObject{{QStringLiteral("alert"), r.name},
                                         {QStringLiteral("expr"), r.expression()},
                                         {QStringLiteral("for"), QStringLiteral("%1s").arg(r.forMs / 1000)},
                                         {QStringLiteral("keep_firing_for"), QStringLiteral("%1s").arg(r.keepFiringForMs / 1000)},
                                         {QStringLiteral("labels"), QJsonObject{{QStringLiteral("severity"), r.severity}}},
                                         {QStringLiteral("annotations"), annotations}});
        }
        const QString rulesFile = testing::writeFile(dir.filePath(QStringLiteral("rules.json")),
                                                     QJsonDocument(QJsonObject{{QStringLiteral("groups"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("orrery")},
                                                                                                                               {QStringLiteral("rules"), promRules}}}}})
                                                         .toJson());
        QJsonArray inputSeries;
        for (auto it = series.cbegin(); it != series.cend(); ++it) {
            QStringList text;
            for (double v : it.value())
                text << (std::isnan(v) ? QStringLiteral("NaN") : QString::number(v, 'g', 17));
            const bool nan = it.key() == QLatin1String("nan");
            inputSeries.append(QJsonObject{{QStringLiteral("series"), nan ? QStringLiteral("orrery_feature_drift_p_value{endpoint=\"fraud\",feature=\"nan\"}")
                                                                         : QStringLiteral("orrery_feature_drift{endpoint=\"fraud\",feature=\"%1\"}").arg(it.key())},
                                           {QStringLiteral("values"), text.join(QLatin1Char(' '))}});
        }
        // Another endpoint's drift, never selected.
        inputSeries.append(QJsonObject{{QStringLiteral("series"), QStringLiteral("orrery_feature_drift{endpoint=\"churn\",feature=\"amount\"}")},
                                       {QStringLiteral("values"), QStringLiteral("1x%1").arg(minutes - 1)}});

        // Orrery's side, minute by minute; its firing alerts are what promtool must find.
        AlertEvaluator e(rules);
        QJsonArray alertTests;
        int firingSeen = 0, keptSeen = 0;
        for (int t = 0; t < minutes; ++t) {
            QVector<MetricSample> samples;
            for (auto it = series.cbegin(); it != series.cend(); ++it) {
                const bool nan = it.key() == QLatin1String("nan");
                samples.append(sample(nan ? QStringLiteral("orrery_feature_drift_p_value") : QStringLiteral("orrery_feature_drift"),
                                      {{QStringLiteral("endpoint"), QStringLiteral("fraud")}, {QStringLiteral("feature"), it.key()}}, it.value()[t]));
            }
            samples.append(sample(QStringLiteral("orrery_feature_drift"), {{QStringLiteral("endpoint"), QStringLiteral("churn")}, {QStringLiteral("feature"), QStringLiteral("amount")}}, 1));
            const AlertEvaluation r = e.evaluate(samples, kStart + t * 60'000LL);
            for (const AlertRule &rl : rules) {
                QJsonArray expected;
                for (const Alert &a : r.active) {
                    if (a.rule != rl.name || a.state != AlertState::Firing)
                        continue;
                    ++firingSeen;
                    if (a.keepFiringSince)
                        ++keptSeen;
                    QJsonObject labels;
                    for (auto l = a.labels.cbegin(); l != a.labels.cend(); ++l)
                        if (l.key() != QLatin1String("alertname"))
                            labels.insert(l.key(), l.value());
                    QJsonObject annotations;
                    for (auto n = a.annotations.cbegin(); n != a.annotations.cend(); ++n)
                        annotations.insert(n.key(), n.value());
                    expected.append(QJsonObject{{QStringLiteral("exp_labels"), labels}, {QStringLiteral("exp_annotations"), annotations}});
                }
                alertTests.append(QJsonObject{{QStringLiteral("eval_time"), QStringLiteral("%1m").arg(t)}, {QStringLiteral("alertname"), rl.name}, {QStringLiteral("exp_alerts"), expected}});
            }
        }
        QVERIFY2(firingSeen > 50 && keptSeen > 5, qPrintable(QStringLiteral("%1 firing, %2 kept: the series test too little").arg(firingSeen).arg(keptSeen)));
        const QString testFile = testing::writeFile(
            dir.filePath(QStringLiteral("test.json")),
            QJsonDocument(QJsonObject{{QStringLiteral("rule_files"), QJsonArray{rulesFile}},
                                      {QStringLiteral("evaluation_interval"), QStringLiteral("1m")},
                                      {QStringLiteral("tests"), QJsonArray{QJsonObject{{QStringLiteral("interval"), QStringLiteral("1m")},
                                                                                       {QStringLiteral("input_series"), inputSeries},
                                                                                       {QStringLiteral("alert_rule_test"), alertTests}}}}})
                .toJson());
        QVERIFY2(QFile::exists(QStringLiteral("/usr/bin/promtool")), "promtool is missing: run packaging/setup.sh --test (Debian's prometheus package)");
        const testing::ProcessResult check = testing::run(QStringLiteral("/usr/bin/promtool"), {QStringLiteral("test"), QStringLiteral("rules"), testFile});
        QVERIFY2(check.ok(), qPrintable(check.describe().replace(QRegularExpression(QStringLiteral("\\n\\s*\\n")), QStringLiteral("\n")).left(8000)));
    }
};

QTEST_GUILESS_MAIN(TstAlertEvaluator)
#include "tst_alert_evaluator.moc"
