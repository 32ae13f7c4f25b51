// core/tune: the sweep file — a whole file read into its spec (and back from the JSON the database
// keeps), and every bad input the issue names reported at its place (FILE:LINE:COLUMN) with the fix;
// trial configs written from a training config.
#include "core/tune/sweep_file.h"
#include "core/tune/trial_config.h"

#include "tests/support/test_support.h"

#include <yaml-cpp/yaml.h>

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::tune;

class TestSweepFile : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_path;

    Result<SweepSpec> parse(const QByteArray &yaml) { return parseSweepFile(yaml, m_path); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        testing::writeFile(m_dir.filePath(QStringLiteral("train.yaml")), "data: {path: d.csv, label: y}\n");
        m_path = m_dir.filePath(QStringLiteral("sweep.yaml"));
    }

    void aWholeFileIsReadAndSurvivesTheDatabase()
    {
        auto spec = parse("name: lr-hidden\n"
                          "train: train.yaml\n"
                          "metric: val_loss\n"
                          "trials: 12\n"
                          "parallel: 3\n"
                          "trial_timeout: 2m\n"
                          "sampler: {type: tpe, seed: 7, startup_trials: 4, candidates: 30, multivariate: false}\n"
                          "pruner: {type: hyperband, min_resource: 1, reduction_factor: 3, max_resource: 9}\n"
                          "enqueue:\n"
                          "  - {optimizer.lr: 0.01, model.hidden: [32, 16], optimizer.name: adam, training.epochs: 4}\n"
                          "params:\n"
                          "  optimizer.lr: {type: float, low: 1.0e-4, high: 0.1, log: true}\n"
                          "  model.hidden: {type: categorical, choices: [[32, 16], [64]]}\n"
                          "  optimizer.name: {choices: [adam, sgd]}\n"
                          "  optimizer.momentum: {type: float, low: 0.5, high: 0.9, step: 0.1, when: {optimizer.name: sgd}}\n"
                          "  training.epochs: {type: int, low: 2, high: 8}\n");
        QVERIFY2(spec, qPrintable(spec.status().message()));
        QCOMPARE(spec->name, QStringLiteral("lr-hidden"));
        QCOMPARE(spec->trainConfig, m_dir.filePath(QStringLiteral("train.yaml")));
        QCOMPARE(spec->direction, Direction::Minimize); // a loss is minimised unless the file says otherwise
        QCOMPARE(spec->trials, 12);
        QCOMPARE(spec->parallel, 3);
        QCOMPARE(spec->trialTimeoutMs, 120000);
        QCOMPARE(spec->sampler.seed, quint64(7));
        QCOMPARE(spec->sampler.multivariate, false);
        QCOMPARE(spec->pruner.type, QStringLiteral("hyperband"));
        QCOMPARE(spec->pruner.maxResource, 9);
        QCOMPARE(spec->space.size(), 5);
        const ParamSpec &lr = spec->space.params()[0];
        QVERIFY(lr.log);
        QCOMPARE(lr.low, 1e-4);
        const ParamSpec &hidden = spec->space.params()[1];
        QCOMPARE(hidden.kind, ParamKind::Categorical);
        QCOMPARE(hidden.choices[0], QJsonValue(QJsonArray{32, 16}));
        QCOMPARE(spec->space.params()[2].kind, ParamKind::Categorical); // choices without a type
        const ParamSpec &momentum = spec->space.params()[3];
        QCOMPARE(momentum.parent, QStringLiteral("optimizer.name"));
        QCOMPARE(momentum.parentValues, QVector<QJsonValue>{QJsonValue(QStringLiteral("sgd"))});
        QCOMPARE(spec->space.params()[4].kind, ParamKind::Int);
        QCOMPARE(spec->enqueue.size(), 1);

        auto back = SweepSpec::fromJson(spec->toJson());
        QVERIFY2(back, qPrintable(back.status().message()));
        QCOMPARE(back->toJson(), spec->toJson());
    }

    void badInputIsReportedWhereItIs_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("expected");
        const QByteArray head = "train: train.yaml\nmetric: val_pr_auc\nparams:\n";
        QTest::newRow("empty range") << head + "  lr: {low: 0.1, high: 0.1}\n" << QStringLiteral("sweep.yaml:4:3: parameter 'lr': empty range");
        QTest::newRow("inverted range") << head + "  lr: {low: 0.5, high: 0.1}\n" << QStringLiteral("sweep.yaml:4:3: parameter 'lr': inverted range (low 0.5 > high 0.1)");
        QTest::newRow("log range touching 0") << head + "  lr: {low: 0, high: 0.1, log: true}\n"
                                              << QStringLiteral("sweep.yaml:4:3: parameter 'lr': a log range must be above 0 (low is 0)");
        QTest::newRow("unknown sampler") << QByteArray("train: train.yaml\nmetric: val_pr_auc\nsampler: {type: tpee}\nparams:\n  lr: {low: 0.1, high: 0.5}\n")
                                         << QStringLiteral("sweep.yaml:3:17: unknown sampler 'tpee' (known: grid, random, tpe)");
        QTest::newRow("unknown pruner") << QByteArray("train: train.yaml\nmetric: val_pr_auc\npruner: ashaa\nparams:\n  lr: {low: 0.1, high: 0.5}\n")
                                        << QStringLiteral("sweep.yaml:3:9: unknown pruner \"ashaa\": the pruners are none, median, asha and hyperband");
        QTest::newRow("conditional on a missing parameter")
            << head + "  momentum: {low: 0.1, high: 0.9, when: {optimizer.name: sgd}}\n" << QStringLiteral("sweep.yaml:4:3: parameter 'momentum'");
        QTest::newRow("typo in a key") << QByteArray("train: train.yaml\nmetric: val_pr_auc\ntrial: 10\nparams:\n  lr: {low: 0.1, high: 0.5}\n")
                                       << QStringLiteral("sweep.yaml:3:1: unknown key 'trial' in the sweep file; did you mean 'trials'?");
        QTest::newRow("typo in a parameter's key") << head + "  lr: {low: 0.1, hihg: 0.5}\n"
                                                   << QStringLiteral("sweep.yaml:4:18: unknown key 'hihg' in parameter 'lr'; did you mean 'high'?");
        QTest::newRow("unknown type") << head + "  lr: {type: flaot, low: 0.1, high: 0.5}\n"
                                      << QStringLiteral("sweep.yaml:4:14: parameter 'lr': unknown type 'flaot'; did you mean 'float'?");
        QTest::newRow("a number that is none") << head + "  lr: {low: small, high: 0.5}\n" << QStringLiteral("sweep.yaml:4:13: parameter 'lr''s low 'small' is not a number");
        QTest::newRow("grid over a continuous range") << QByteArray("train: train.yaml\nmetric: val_pr_auc\nsampler: grid\nparams:\n  lr: {low: 0.1, high: 0.5}\n")
                                                      << QStringLiteral("sweep.yaml:3:10: ");
        QTest::newRow("no training config") << QByteArray("train: nowhere.yaml\nmetric: m\nparams:\n  lr: {low: 0.1, high: 0.5}\n")
                                            << QStringLiteral("sweep.yaml:1:8: the training config ");
        QTest::newRow("neither train nor stage") << QByteArray("metric: m\nparams:\n  lr: {low: 0.1, high: 0.5}\n")
                                                 << QStringLiteral("say what to tune: train: train.yaml");
        QTest::newRow("YAML syntax") << QByteArray("train: [train.yaml\n") << QStringLiteral("sweep.yaml:2:1: YAML syntax");
        QTest::newRow("enqueued value out of range") << head + "  lr: {low: 0.1, high: 0.5}\nenqueue:\n  - {lr: 2}\n"
                                                     << QStringLiteral("sweep.yaml:6:5: this queued configuration: parameter 'lr'");
    }
    void badInputIsReportedWhereItIs()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, expected);
        auto spec = parse(yaml);
        QVERIFY(!spec);
        QCOMPARE(spec.status().code(), ErrorCode::InvalidArgument);
        QVERIFY2(spec.status().message().contains(expected), qPrintable(spec.status().message()));
    }

    void everyProblemIsReportedAtOnce()
    {
        auto spec = parse("train: train.yaml\nmetric: m\ntrials: 0\nparallel: many\nparams:\n  lr: {low: 0.5, high: 0.1}\n");
        QVERIFY(!spec);
        const QStringList lines = spec.status().message().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[0].contains(QStringLiteral(":3:9: trials")));
        QVERIFY(lines[1].contains(QStringLiteral(":4:11: parallel")));
        QVERIFY(lines[2].contains(QStringLiteral(":6:3: parameter 'lr': inverted range")));
    }

    void aTrialConfigSetsTheValuesAndKeepsTheRest()
    {
        const QByteArray base = "data:\n  path: work/train.csv\n  label: y\nmodel:\n  hidden: [8]\noptimizer: {name: adam, lr: 0.1}\n";
        auto written = trialTrainConfig(base, QStringLiteral("/ws"),
                                        QJsonObject{{QStringLiteral("optimizer.lr"), 0.003},
                                                    {QStringLiteral("model.hidden"), QJsonArray{64, 32}},
                                                    {QStringLiteral("training.class_weights"), QStringLiteral("balanced")}},
                                        QStringLiteral("s #3"));
        QVERIFY2(written, qPrintable(written.status().message()));
        const YAML::Node y = YAML::Load(written->toStdString());
        QCOMPARE(y["optimizer"]["lr"].as<double>(), 0.003);
        QCOMPARE(QString::fromStdString(y["optimizer"]["lr"].Scalar()), QStringLiteral("0.003"));
        QCOMPARE(y["optimizer"]["name"].as<std::string>(), std::string("adam"));
        QCOMPARE(y["model"]["hidden"][0].as<int>(), 64);
        QCOMPARE(y["model"]["hidden"].size(), size_t(2));
        QCOMPARE(y["training"]["class_weights"].as<std::string>(), std::string("balanced")); // a new section
        QCOMPARE(y["data"]["path"].as<std::string>(), std::string("/ws/work/train.csv"));
        QCOMPARE(y["data"]["label"].as<std::string>(), std::string("y"));
        QCOMPARE(y["tracking"]["run_name"].as<std::string>(), std::string("s #3"));

        auto refused = trialTrainConfig(base, QStringLiteral("/ws"), QJsonObject{{QStringLiteral("model.hidden.width"), 3}}, QStringLiteral("x"));
        QVERIFY(!refused);
        QVERIFY2(refused.status().message().contains(QStringLiteral("'model.hidden' in the training config is not a section")), qPrintable(refused.status().message()));
    }
};

QTEST_GUILESS_MAIN(TestSweepFile)
#include "tst_sweep_file.moc"
