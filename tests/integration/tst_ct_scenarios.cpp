// The continuous-training scenarios as a user runs them: `orrery-cli demo DIR --scenario drift` and
// `--scenario bad-challenger`, each with its real processes (orrery-cli serve → orrery-serve with
// LibTorch, ct run, demo replay) on one compressed clock. Asserted: each step happened, in its order,
// within its bounds counted in monitoring windows (never in seconds: a loaded machine only stretches
// real time); and afterwards, what the workspace says — the registry's champion, the endpoint's
// deployment, the iteration's steps and reasons, the user's git branch and working tree untouched.
#include "tests/support/test_support.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using Run = testing::ProcessResult;

namespace {

QJsonObject json(const Run &r)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(r.out.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        qWarning("not JSON (%s): %s", qPrintable(error.errorString()), qPrintable(r.describe().right(4000)));
    return doc.object();
}

// The index of the first event of `kind` whose text contains `text`, from `from` on (-1: none).
int eventIndex(const QJsonArray &events, const QString &kind, const QString &text = QString(), int from = 0)
{
    for (int i = qMax(0, from); i < events.size(); ++i) {
        const QJsonObject e = events[i].toObject();
        if (e.value(QStringLiteral("kind")).toString() == kind && e.value(QStringLiteral("text")).toString().contains(text))
            return i;
    }
    return -1;
}

} // namespace

class TstCtScenarios : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

    Run scenario(const QString &name, const QString &dir)
    {
        testing::ProcessOptions options;
        options.timeoutMs = 12 * 60'000;
        return testing::runCli({QStringLiteral("demo"), dir, QStringLiteral("--scenario"), name, QStringLiteral("--json")}, options);
    }

    QJsonObject cliJson(const QString &dir, const QStringList &args)
    {
        const Run r = testing::runCli(args, dir);
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
        return json(r);
    }

    // What every scenario leaves in the workspace: the user's branch and tree as the scenario's set-up
    // committed them, the iteration's worktree gone and its branch kept as the record.
    void checkGitUntouched(const QString &dir, int iteration)
    {
        QCOMPARE(testing::git(dir, {QStringLiteral("status"), QStringLiteral("--porcelain")}).trimmed(), QString());
        const QString branch = testing::git(dir, {QStringLiteral("rev-parse"), QStringLiteral("--abbrev-ref"), QStringLiteral("HEAD")}).trimmed();
        QVERIFY2(!branch.isEmpty() && !branch.startsWith(QStringLiteral("orrery/")), qPrintable(branch));
        QVERIFY(!QFileInfo::exists(dir + QStringLiteral("/.orrery/worktrees/ct-%1").arg(iteration)));
        const QString log = testing::git(dir, {QStringLiteral("log"), QStringLiteral("--format=%s"), QStringLiteral("orrery/ct/%1").arg(iteration)});
        QVERIFY2(log.contains(QStringLiteral("ct iteration %1: data/transactions.csv with").arg(iteration)), qPrintable(log));
        // The user's branch never got the iteration's commit.
        QVERIFY(!testing::git(dir, {QStringLiteral("log"), QStringLiteral("--format=%s"), QStringLiteral("HEAD")}).contains(QStringLiteral("ct iteration")));
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    void driftEndsWithTheChallengerPromoted()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("drift"));
        const Run r = scenario(QStringLiteral("drift"), dir);
        QVERIFY2(r.ok(), qPrintable(r.describe().right(6000)));
        const QJsonObject result = json(r);
        QCOMPARE(result.value(QStringLiteral("outcome")).toString(), QStringLiteral("promoted"));
        QVERIFY(result.value(QStringLiteral("as_designed")).toBool());
        const int iteration = result.value(QStringLiteral("iteration")).toInt();
        QVERIFY(iteration >= 1);

        // The story, in its order: the shift, drift in a window, the alert, the iteration started by
        // the alert, its steps, the canary's steps, promotion.
        const QJsonArray events = result.value(QStringLiteral("events")).toArray();
        const int shift = eventIndex(events, QStringLiteral("shift"));
        // A window of the unshifted world may read as drift by chance (a test at each window for
        // each feature); what must hold is the shift's drift and alert, after it.
        const int driftWindow = eventIndex(events, QStringLiteral("window"), QStringLiteral("drift in amount"), shift);
        const int alert = eventIndex(events, QStringLiteral("alert"), QStringLiteral("feature=\"amount\""), shift);
        const int started = eventIndex(events, QStringLiteral("iteration"), QStringLiteral("started by alert"));
        const int data = eventIndex(events, QStringLiteral("step"), QStringLiteral("step data succeeded"));
        const int pipeline = eventIndex(events, QStringLiteral("step"), QStringLiteral("step pipeline succeeded"));
        const int gate = eventIndex(events, QStringLiteral("step"), QStringLiteral("step gate succeeded"));
        const int canaryStarted = eventIndex(events, QStringLiteral("rollout"), QStringLiteral("fraud started"));
        const int canary = eventIndex(events, QStringLiteral("step"), QStringLiteral("step canary succeeded"));
        const int end = eventIndex(events, QStringLiteral("end"), QStringLiteral("promoted"));
        const QString all = QString::fromUtf8(QJsonDocument(events).toJson());
        for (int i : {shift, driftWindow, alert, started, data, pipeline, gate, canaryStarted, canary, end})
            QVERIFY2(i >= 0, qPrintable(all));
        QVERIFY2(shift < driftWindow && driftWindow < alert, qPrintable(all));
        QVERIFY2(alert < started && started < data && data < pipeline && pipeline < gate && gate < canaryStarted && canaryStarted < canary && canary < end,
                 qPrintable(all));
        // Nothing before the shift drifted in the features the shift moves.
        for (int i = 0; i < shift; ++i)
            QVERIFY2(!events[i].toObject().value(QStringLiteral("text")).toString().contains(QStringLiteral("drift in amount")), qPrintable(all));

        // Bounds, in windows: drift shows in the first window after the shift that holds shifted
        // traffic, FeatureDrift fires after its `for: 1m` — within four windows of the shift.
        const int toAlert = result.value(QStringLiteral("windows_to_alert")).toInt();
        QVERIFY2(toAlert >= 1 && toAlert <= 4, qPrintable(QString::number(toAlert)));
        QVERIFY(result.value(QStringLiteral("windows_to_end")).toInt() > toAlert);

        // Afterwards: the challenger is champion and serves; the iteration records every step.
        const QJsonObject model = cliJson(dir, {QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("fraud"), QStringLiteral("--json")});
        const QJsonObject it = cliJson(dir, {QStringLiteral("ct"), QStringLiteral("show"), QString::number(iteration), QStringLiteral("--json")});
        const int challenger = it.value(QStringLiteral("model_version")).toInt();
        QCOMPARE(challenger, 2);
        QCOMPARE(it.value(QStringLiteral("champion_version")).toInt(), 1);
        QVERIFY(it.value(QStringLiteral("deploy_revision")).toInt() > 0);
        QVERIFY(!it.value(QStringLiteral("pipeline_run")).toString().isEmpty());
        QCOMPARE(model.value(QStringLiteral("aliases")).toObject().value(QStringLiteral("champion")).toInt(), challenger);
        const QJsonObject status = cliJson(dir, {QStringLiteral("deploy"), QStringLiteral("status"), QStringLiteral("fraud"), QStringLiteral("--json")}).value(QStringLiteral("endpoints")).toArray().first().toObject();
        QCOMPARE(status.value(QStringLiteral("stable_version")).toInt(), challenger);
        QCOMPARE(status.value(QStringLiteral("phase")).toString(), QStringLiteral("healthy"));
        QStringList steps;
        for (const QJsonValue &s : it.value(QStringLiteral("steps")).toArray()) {
            steps << s.toObject().value(QStringLiteral("name")).toString() + QLatin1Char(':') + s.toObject().value(QStringLiteral("state")).toString();
            if (s.toObject().value(QStringLiteral("name")).toString() == QLatin1String("gate")) {
                const QJsonObject detail = s.toObject().value(QStringLiteral("detail")).toObject();
                QVERIFY2(detail.value(QStringLiteral("challenger_value")).toDouble() >= detail.value(QStringLiteral("champion_value")).toDouble(),
                         qPrintable(QString::fromUtf8(QJsonDocument(detail).toJson())));
                QVERIFY(detail.value(QStringLiteral("rows")).toInt() >= 200);
            }
        }
        QCOMPARE(steps.join(QLatin1Char(' ')), QStringLiteral("data:succeeded pipeline:succeeded gate:succeeded canary:succeeded promote:succeeded"));
        checkGitUntouched(dir, iteration);
    }

    void badChallengerEndsRolledBack()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("bad"));
        const Run r = scenario(QStringLiteral("bad-challenger"), dir);
        QVERIFY2(r.ok(), qPrintable(r.describe().right(6000)));
        const QJsonObject result = json(r);
        QCOMPARE(result.value(QStringLiteral("outcome")).toString(), QStringLiteral("rolled_back"));
        const QJsonArray events = result.value(QStringLiteral("events")).toArray();
        const QString all = QString::fromUtf8(QJsonDocument(events).toJson());
        const int gate = eventIndex(events, QStringLiteral("step"), QStringLiteral("step gate succeeded"));
        const int aborted = eventIndex(events, QStringLiteral("rollout"), QStringLiteral("fraud aborted"));
        const int canaryFailed = eventIndex(events, QStringLiteral("step"), QStringLiteral("step canary failed"));
        const int end = eventIndex(events, QStringLiteral("end"), QStringLiteral("rolled_back"));
        QVERIFY2(gate >= 0 && aborted > gate && canaryFailed > gate && end > canaryFailed, qPrintable(all));
        // The analysis caught it on the error rate, the only thing that was wrong with it.
        QVERIFY2(events[aborted].toObject().value(QStringLiteral("text")).toString().contains(QStringLiteral("error_rate")), qPrintable(all));

        const QJsonObject it = cliJson(dir, {QStringLiteral("ct"), QStringLiteral("show"), QString::number(result.value(QStringLiteral("iteration")).toInt()),
                                             QStringLiteral("--json")});
        const int challenger = it.value(QStringLiteral("model_version")).toInt();
        QCOMPARE(challenger, 2);
        // It looked good offline: it passed the register stage's gates (validation passed) …
        const QJsonObject version = cliJson(dir, {QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("fraud"), QStringLiteral("--version"),
                                                  QString::number(challenger), QStringLiteral("--json")});
        QCOMPARE(version.value(QStringLiteral("validation")).toString(), QStringLiteral("passed"));
        // … and the champion still is v1, serving all traffic, the canary out.
        const QJsonObject model = cliJson(dir, {QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("fraud"), QStringLiteral("--json")});
        QCOMPARE(model.value(QStringLiteral("aliases")).toObject().value(QStringLiteral("champion")).toInt(), 1);
        const QJsonObject status = cliJson(dir, {QStringLiteral("deploy"), QStringLiteral("status"), QStringLiteral("fraud"), QStringLiteral("--json")}).value(QStringLiteral("endpoints")).toArray().first().toObject();
        QCOMPARE(status.value(QStringLiteral("stable_version")).toInt(), 1);
        QCOMPARE(status.value(QStringLiteral("phase")).toString(), QStringLiteral("aborted"));
        checkGitUntouched(dir, result.value(QStringLiteral("iteration")).toInt());
    }
};

QTEST_GUILESS_MAIN(TstCtScenarios)
#include "tst_ct_scenarios.moc"
