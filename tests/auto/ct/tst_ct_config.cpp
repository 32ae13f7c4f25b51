// ct.yaml (core/ct/ct_config.h): the documented example read field by field, the defaults, and
// every error with its file:line:column and its fix — all of a file's errors at once, in file
// order — including those checked against the workspace (a dataset no .dvc file tracks, a watched
// path that is not there, an alert alerts.yaml does not define); loadCtConfig on a real folder.
#include "core/common/duration.h"
#include "core/ct/ct_config.h"

#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::ct;
using orrery::testing::writeFile;

namespace {

const QByteArray kExample =
    "model: fraud\n"                                   // 1
    "endpoint: fraud\n"                                // 2
    "dataset:\n"                                       // 3
    "  path: data/transactions.csv\n"                  // 4
    "  label: is_fraud\n"                              // 5
    "  columns:\n"                                     // 6
    "    timestamp: $time\n"                           // 7
    "    transaction_id: $request\n"                   // 8
    "    customer_id: unknown\n"                       // 9
    "    merchant_id: $prediction\n"                   // 10
    "  policy: sample\n"                               // 11
    "  rows: 5000\n"                                   // 12
    "  seed: 7\n"                                      // 13
    "triggers:\n"                                      // 14
    "  schedule: \"0 3 * * 1-5\"\n"                    // 15
    "  data: [data/transactions.csv.dvc, data/incoming/]\n" // 16
    "  alert: [FeatureDrift, ModelAccuracyLow]\n"      // 17
    "  manual: false\n"                                // 18
    "policies:\n"                                      // 19
    "  cooldown: 2h\n"                                 // 20
    "  max_per_day: 3\n"                               // 21
    "  require_approval: true\n"                       // 22
    "canary:\n"                                        // 23
    "  steps: [10, 50, 100]\n"                         // 24
    "  pause: 30s\n"                                   // 25
    "  analysis: \"error_rate <= stable + 0.02\"\n"    // 26
    "  min_requests: 50\n"                             // 27
    "  max_inconclusive: 2\n";                         // 28

const QByteArray kMinimal = "model: fraud\nendpoint: fraud\ndataset: {path: data/transactions.csv, label: is_fraud}\n";

QStringList errorsOf(const QByteArray &yaml, const CtCheckContext &context = {}) { return checkCtConfig(yaml, QStringLiteral("ct.yaml"), context).errors; }

// The one error of `yaml`, which must start with `place` and contain `says`.
bool oneError(const QByteArray &yaml, const QString &place, const QString &says, const CtCheckContext &context = {})
{
    const QStringList errors = errorsOf(yaml, context);
    if (errors.size() != 1 || !errors.first().startsWith(place) || !errors.first().contains(says)) {
        qWarning("expected one error at %s saying '%s', got:\n%s", qPrintable(place), qPrintable(says), qPrintable(errors.join(QLatin1Char('\n'))));
        return false;
    }
    return true;
}

} // namespace

class TstCtConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsTheExample()
    {
        const CtConfigCheck c = checkCtConfig(kExample, QStringLiteral("ct.yaml"));
        QVERIFY2(c.errors.isEmpty(), qPrintable(c.errors.join(QLatin1Char('\n'))));
        const CtConfig &config = c.config;
        QCOMPARE(config.model, QStringLiteral("fraud"));
        QCOMPARE(config.endpoint, QStringLiteral("fraud"));
        QCOMPARE(config.dataset.path, QStringLiteral("data/transactions.csv"));
        QCOMPARE(config.dataset.dvcFile(), QStringLiteral("data/transactions.csv.dvc"));
        QCOMPARE(config.dataset.label, QStringLiteral("is_fraud"));
        QCOMPARE(config.dataset.columns.size(), 4);
        QCOMPARE(config.dataset.columns[0].column, QStringLiteral("timestamp"));
        QCOMPARE(config.dataset.columns[0].kind, ColumnFill::Kind::Time);
        QCOMPARE(config.dataset.columns[1].kind, ColumnFill::Kind::Request);
        QCOMPARE(config.dataset.columns[2].kind, ColumnFill::Kind::Constant);
        QCOMPARE(config.dataset.columns[2].value, QStringLiteral("unknown"));
        QCOMPARE(config.dataset.columns[3].kind, ColumnFill::Kind::Prediction);
        QCOMPARE(config.dataset.policy, DataPolicy::Sample);
        QCOMPARE(config.dataset.rows, 5000);
        QCOMPARE(config.dataset.seed, quint64(7));
        QCOMPARE(config.dataset.policyText(), QStringLiteral("sample 5000 rows (seed 7)"));
        QVERIFY(config.triggers.schedule);
        QCOMPARE(config.triggers.schedule->expression(), QStringLiteral("0 3 * * 1-5"));
        QCOMPARE(config.triggers.watchedFiles, QStringList{QStringLiteral("data/transactions.csv.dvc")});
        QCOMPARE(config.triggers.watchedFolders, QStringList{QStringLiteral("data/incoming")});
        QCOMPARE(config.triggers.alerts, (QStringList{QStringLiteral("FeatureDrift"), QStringLiteral("ModelAccuracyLow")}));
        QVERIFY(!config.triggers.manual);
        QCOMPARE(config.policies.cooldownMs, 2 * 3'600'000);
        QCOMPARE(config.policies.maxPerDay, 3);
        QVERIFY(config.policies.requireApproval);
        QCOMPARE(config.canary.steps, (QList<int>{10, 50, 100}));
        QCOMPARE(config.canary.pauseMs, 30'000);
        QCOMPARE(config.canary.analysis, QStringLiteral("error_rate <= stable + 0.02"));
        QCOMPARE(config.canary.minRequests, 50);
        QCOMPARE(config.canary.maxInconclusive, 2);
    }

    void defaults()
    {
        const CtConfigCheck c = checkCtConfig(kMinimal, QStringLiteral("ct.yaml"));
        QVERIFY2(c.errors.isEmpty(), qPrintable(c.errors.join(QLatin1Char('\n'))));
        QCOMPARE(c.config.dataset.policy, DataPolicy::All);
        QCOMPARE(c.config.dataset.policyText(), QStringLiteral("all"));
        QVERIFY(c.config.dataset.columns.isEmpty());
        QVERIFY(!c.config.triggers.schedule);
        QVERIFY(c.config.triggers.manual);
        QVERIFY(c.config.triggers.alerts.isEmpty());
        QCOMPARE(c.config.policies.cooldownMs, 3'600'000);
        QCOMPARE(c.config.policies.maxPerDay, 6);
        QVERIFY(!c.config.policies.requireApproval);
        QCOMPARE(c.config.canary.steps, (QList<int>{5, 25, 50, 100}));
        QCOMPARE(c.config.canary.pauseMs, 60'000);
        // recent with its window
        const CtConfigCheck r = checkCtConfig(kMinimal + "triggers:\n", QStringLiteral("ct.yaml"));
        QVERIFY(r.errors.isEmpty());
        const CtConfigCheck w = checkCtConfig("model: m\nendpoint: e\ndataset: {path: d.csv, label: y, policy: recent, window: 7d}\n", QStringLiteral("ct.yaml"));
        QVERIFY2(w.errors.isEmpty(), qPrintable(w.errors.join(QLatin1Char('\n'))));
        QCOMPARE(w.config.dataset.windowMs, 7LL * 86'400'000);
        QCOMPARE(w.config.dataset.policyText(), QStringLiteral("recent 168h"));
    }

    void errorsNameThePlaceAndTheFix()
    {
        QVERIFY(oneError("model: fraud\nendpoint: fraud\ndataset: {path: d.csv, label: y}\ntriger: {}\n", QStringLiteral("ct.yaml:4:1:"),
                         QStringLiteral("unknown key 'triger' in the file; did you mean 'triggers'?")));
        QVERIFY(oneError("endpoint: fraud\ndataset: {path: d.csv, label: y}\n", QStringLiteral("ct.yaml:1:1:"), QStringLiteral("has no 'model'; add e.g. model: fraud")));
        QVERIFY(oneError(kMinimal + "triggers:\n  schedule: \"0 25 * * *\"\n", QStringLiteral("ct.yaml:5:13:"),
                         QStringLiteral("the hour field's '25' is outside 0-23")));
        QVERIFY(oneError(kMinimal + "triggers:\n  schedule: \"0 3 * *\"\n", QStringLiteral("ct.yaml:5:13:"), QStringLiteral("write five")));
        QVERIFY(oneError(kMinimal + "policies:\n  cooldwn: 1h\n", QStringLiteral("ct.yaml:5:3:"), QStringLiteral("did you mean 'cooldown'?")));
        QVERIFY(oneError(kMinimal + "policies:\n  max_per_day: 0\n", QStringLiteral("ct.yaml:5:16:"), QStringLiteral("max_per_day '0' is not a whole number from 1 to 1440")));
        QVERIFY(oneError(kMinimal + "policies:\n  require_approval: maybe\n", QStringLiteral("ct.yaml:5:21:"), QStringLiteral("neither true nor false")));
        QVERIFY(oneError(kMinimal + "policies:\n  cooldown: soon\n", QStringLiteral("ct.yaml:5:13:"), QStringLiteral("not a duration such as 60s")));
        QVERIFY(oneError(kMinimal + "canary:\n  steps: [50, 25]\n", QStringLiteral("ct.yaml:5:10:"), QStringLiteral("the canary's steps")));
        QVERIFY(oneError(kMinimal + "canary:\n  analysis: \"latency <= stable\"\n", QStringLiteral("ct.yaml:5:13:"), QStringLiteral("the canary's analysis")));
        QVERIFY(oneError("model: a/b\nendpoint: fraud\ndataset: {path: d.csv, label: y}\n", QStringLiteral("ct.yaml:1:8:"), QStringLiteral("model 'a/b'")));
        QVERIFY(oneError("model: m\nendpoint: Fraud_1\ndataset: {path: d.csv, label: y}\n", QStringLiteral("ct.yaml:2:11:"), QStringLiteral("endpoint 'Fraud_1'")));
        // The dataset.
        QVERIFY(oneError("model: m\nendpoint: e\ndataset:\n  path: d.csv\n", QStringLiteral("ct.yaml:4:3:"), QStringLiteral("'dataset' has no 'label'; add e.g. label: is_fraud")));
        QVERIFY(oneError("model: m\nendpoint: e\ndataset:\n  path: ../d.csv\n  label: y\n", QStringLiteral("ct.yaml:4:9:"), QStringLiteral("give a path relative to the workspace root")));
        QVERIFY(oneError("model: m\nendpoint: e\ndataset:\n  path: .orrery/x.csv\n  label: y\n", QStringLiteral("ct.yaml:4:9:"), QStringLiteral("inside .orrery")));
        QVERIFY(oneError("model: m\nendpoint: e\ndataset:\n  path: d.csv\n  label: y\n  policy: latest\n", QStringLiteral("ct.yaml:6:11:"),
                         QStringLiteral("the policy 'latest' is none of all, recent, sample")));
        QVERIFY(oneError("model: m\nendpoint: e\ndataset:\n  path: d.csv\n  label: y\n  policy: recent\n", QStringLiteral("ct.yaml:6:11:"),
                         QStringLiteral("policy: recent needs a 'window' (how far back predictions count); add e.g. window: 7d")));
        QVERIFY(oneError("model: m\nendpoint: e\ndataset:\n  path: d.csv\n  label: y\n  policy: sample\n", QStringLiteral("ct.yaml:6:11:"),
                         QStringLiteral("policy: sample needs 'rows'")));
        QVERIFY(oneError("model: m\nendpoint: e\ndataset:\n  path: d.csv\n  label: y\n  window: 7d\n", QStringLiteral("ct.yaml:6:3:"),
                         QStringLiteral("'window' applies to policy: recent only (the policy is all)")));
        QVERIFY(oneError("model: m\nendpoint: e\ndataset:\n  path: d.csv\n  label: y\n  columns:\n    when: $tme\n", QStringLiteral("ct.yaml:7:11:"),
                         QStringLiteral("'$tme' for column 'when' is none of $time, $request, $prediction; did you mean '$time'?")));
        QVERIFY(oneError("model: m\nendpoint: e\ndataset:\n  path: d.csv\n  label: y\n  columns:\n    y: 1\n", QStringLiteral("ct.yaml:7:5:"),
                         QStringLiteral("column 'y' is the label")));
        // The triggers.
        QVERIFY(oneError(kMinimal + "triggers:\n  data: [../elsewhere.dvc]\n", QStringLiteral("ct.yaml:5:10:"), QStringLiteral("a watched path of the data trigger")));
        QVERIFY(oneError(kMinimal + "triggers:\n  manual: sometimes\n", QStringLiteral("ct.yaml:5:11:"), QStringLiteral("the manual trigger 'sometimes' is neither true nor false")));
        QVERIFY(oneError(kMinimal + "triggers: [schedule]\n", QStringLiteral("ct.yaml:4:11:"), QStringLiteral("'triggers' must be a mapping")));
        // YAML itself.
        QVERIFY(oneError(kMinimal + "policies: {cooldown: 1h\n", QStringLiteral("ct.yaml:"), QStringLiteral("YAML syntax")));
        QVERIFY(oneError("", QStringLiteral("ct.yaml:"), QStringLiteral("the file is empty")));
    }

    void everyErrorAtOnceInFileOrder()
    {
        const QStringList errors = errorsOf("model: m\n"
                                            "endpoint: e\n"
                                            "dataset: {path: d.csv, label: y}\n"
                                            "triggers:\n"
                                            "  schedule: \"61 * * * *\"\n"
                                            "policies:\n"
                                            "  max_per_day: -1\n"
                                            "  colddown: 1h\n");
        QCOMPARE(errors.size(), 3);
        QVERIFY2(errors[0].startsWith(QStringLiteral("ct.yaml:5:")), qPrintable(errors[0]));
        QVERIFY2(errors[1].startsWith(QStringLiteral("ct.yaml:7:")), qPrintable(errors[1]));
        QVERIFY2(errors[2].startsWith(QStringLiteral("ct.yaml:8:")), qPrintable(errors[2]));
    }

    void checkedAgainstTheWorkspace()
    {
        QTemporaryDir dir;
        writeFile(dir, QStringLiteral("data/transactions.csv.dvc"), "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 1\n  hash: md5\n  path: transactions.csv\n");
        CtCheckContext context;
        context.root = dir.path();
        context.checkAlerts = true;
        context.alertNames = {QStringLiteral("FeatureDrift"), QStringLiteral("ModelAccuracyLow")};
        const QByteArray ok = "model: fraud\nendpoint: fraud\ndataset: {path: data/transactions.csv, label: is_fraud}\n"
                              "triggers:\n  data: [data/transactions.csv.dvc, data/incoming]\n  alert: FeatureDrift\n";
        const CtConfigCheck c = checkCtConfig(ok, QStringLiteral("ct.yaml"), context);
        QVERIFY2(c.errors.isEmpty(), qPrintable(c.errors.join(QLatin1Char('\n'))));
        QCOMPARE(c.config.triggers.alerts, QStringList{QStringLiteral("FeatureDrift")});
        QVERIFY(oneError("model: fraud\nendpoint: fraud\ndataset: {path: data/other.csv, label: is_fraud}\n", QStringLiteral("ct.yaml:3:17:"),
                         QStringLiteral("the dataset data/other.csv is not tracked data (there is no data/other.csv.dvc); version it with `orrery-cli data add data/other.csv`"),
                         context));
        QVERIFY(oneError(kMinimal + "triggers:\n  data: [data/gone.csv.dvc]\n", QStringLiteral("ct.yaml:5:10:"),
                         QStringLiteral("the watched data/gone.csv.dvc does not exist"), context));
        writeFile(dir, QStringLiteral("data/plain.csv"), "a\n1\n");
        QVERIFY(oneError(kMinimal + "triggers:\n  data: data/plain.csv\n", QStringLiteral("ct.yaml:5:9:"),
                         QStringLiteral("is a file but no .dvc file; watch its .dvc file (data/plain.csv.dvc)"), context));
        QVERIFY(oneError(kMinimal + "triggers:\n  alert: [FeatureDrfit]\n", QStringLiteral("ct.yaml:5:10:"),
                         QStringLiteral("names 'FeatureDrfit', which alerts.yaml does not define; did you mean 'FeatureDrift'?"), context));
    }

    void loadsTheWorkspacesFile()
    {
        QTemporaryDir dir;
        auto missing = loadCtConfig(dir.path());
        QCOMPARE(missing.status().code(), ErrorCode::NotFound);
        QVERIFY(missing.status().message().contains(QStringLiteral("has no ct.yaml")));
        writeFile(dir, QStringLiteral("data/transactions.csv.dvc"), "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 1\n  hash: md5\n  path: transactions.csv\n");
        // Checked against alerts.yaml's rules: the defaults without one…
        writeFile(dir, QStringLiteral("ct.yaml"), kMinimal + "triggers:\n  alert: [HighLatencyP99, Custom]\n");
        auto unknown = loadCtConfig(dir.path());
        QVERIFY(!unknown);
        QVERIFY2(unknown.status().message().contains(QStringLiteral("'Custom', which alerts.yaml does not define")), qPrintable(unknown.status().message()));
        QVERIFY(unknown.status().message().startsWith(dir.path() + QStringLiteral("/ct.yaml:5:")));
        // …and the workspace's own rules with one.
        writeFile(dir, QStringLiteral("alerts.yaml"), "rules:\n- alert: Custom\n  metric: orrery_feature_drift\n  op: \">\"\n  threshold: 0\n");
        writeFile(dir, QStringLiteral("ct.yaml"), kMinimal + "triggers:\n  alert: [Custom]\n");
        auto loaded = loadCtConfig(dir.path());
        QVERIFY2(loaded, qPrintable(loaded.status().message()));
        QCOMPARE(loaded->triggers.alerts, QStringList{QStringLiteral("Custom")});
        QCOMPARE(loaded->source, dir.path() + QStringLiteral("/ct.yaml"));
    }
};

QTEST_GUILESS_MAIN(TstCtConfig)
#include "tst_ct_config.moc"
