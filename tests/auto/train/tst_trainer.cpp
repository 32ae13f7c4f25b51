// The trainers end to end, in process: tabular MLP (one-hot and embedding, missing values, batch
// norm, dropout), linear regression, GRU/LSTM forecasts, a CNN on sklearn's digits; the export
// reproduces the trainer's own figures from raw rows; same seed → identical metrics; resume from
// a checkpoint → the same result as an uninterrupted run; cancel within one batch; a NaN loss
// fails with the reason; tracking records the run; a TorchScript file made by Python PyTorch loads
// and predicts through the same ScriptModel.

#include "core/common/job.h"
#include "core/common/random.h"
#include "core/data/content_cache.h"
#include "core/store/database.h"
#include "core/tracking/artifact_store.h"
#include "core/tracking/tracking_store.h"
#include "core/train/dataset.h"
#include "core/train/script_model.h"
#include "core/train/trainer.h"
#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace orrery;
using namespace orrery::train;
using testing::writeFile;

namespace {

// Binary label from two numbers and a category, with noise, gaps in x2 and a slice column.
QByteArray tabularCsv(int rows, quint64 seed, double positiveShare = 0.4)
{
    common::Random rnd(seed);
    QByteArray csv = "x1,x2,colour,region,label\n";
    const char *colours[] = {"red", "green", "blue"};
    for (int i = 0; i < rows; ++i) {
        const double x1 = rnd.normal(), x2 = rnd.normal(5, 2);
        const int c = int(rnd.below(3));
        const double score = 1.5 * x1 + 0.8 * (x2 - 5) + (c == 0 ? 1.0 : -0.5) + rnd.normal(0, 0.7);
        const int label = score > std::log(1 / positiveShare - 1) * 1.5 ? 1 : 0;
        csv += QByteArray::number(x1, 'g', 10) + ',' + (i % 23 == 4 ? QByteArray() : QByteArray::number(x2, 'g', 10)) + ',' + colours[c] + ','
               + (i % 2 ? "north" : "south") + ',' + QByteArray::number(label) + '\n';
    }
    return csv;
}

QByteArray classificationYaml(const QString &csv, const QByteArray &extra = {})
{
    return "task: classification\n"
           "data:\n  path: " + csv.toUtf8() + "\n  label: label\n  slice: region\n  categorical: [region]\n"
           "model:\n  hidden: [16]\n  batch_norm: true\n  dropout: 0.1\n"
           "optimizer:\n  name: adam\n  lr: 0.01\n"
           "training:\n  epochs: 4\n  batch_size: 32\n  seed: 5\n" + extra;
}

TrainConfig config(const QByteArray &yaml)
{
    auto c = parseTrainConfig(yaml, QStringLiteral("test.yaml"), QStringLiteral("/"));
    if (!c)
        qFatal("config: %s", qPrintable(c.status().message()));
    return *c;
}

// Raw rows of the CSV, split by the trainer's own sourceRows, in the export's input form.
std::vector<ModelInput> rawInputs(const QByteArray &csv, const Preprocessor &pre, const std::vector<int> &rows)
{
    const QList<QByteArray> lines = csv.split('\n');
    const QList<QByteArray> header = lines[0].split(',');
    ModelInput numeric, categorical;
    for (int r : rows) {
        const QList<QByteArray> f = lines[r + 1].split(',');
        for (const auto &n : pre.numeric) {
            const QByteArray v = f[int(header.indexOf(n.name.toUtf8()))];
            numeric.values.push_back(v.isEmpty() ? std::nanf("") : v.toFloat());
        }
        QStringList cats;
        for (const auto &c : pre.categorical)
            cats << QString::fromUtf8(f[int(header.indexOf(c.name.toUtf8()))]);
        categorical.texts.push_back(cats);
    }
    return {numeric, categorical};
}

} // namespace

class TstTrainer : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;

    TrainRequest request(const QByteArray &yaml)
    {
        TrainRequest r;
        r.config = config(yaml);
        r.outputDir = m_dir.filePath(QStringLiteral("out%1").arg(++m_n));
        return r;
    }

private Q_SLOTS:
    void exportReproducesTheTrainersFiguresFromRawRows_data()
    {
        QTest::addColumn<QByteArray>("encoding");
        QTest::newRow("one_hot") << QByteArray("one_hot");
        QTest::newRow("embedding") << QByteArray("embedding");
    }
    void exportReproducesTheTrainersFiguresFromRawRows()
    {
        QFETCH(QByteArray, encoding);
        const QByteArray csv = tabularCsv(800, 1);
        const QString path = writeFile(m_dir.filePath(QStringLiteral("tab.csv")), csv);
        QByteArray yaml = classificationYaml(path);
        yaml.replace("dropout: 0.1\n", "dropout: 0.1\n  categorical_encoding: " + encoding + "\n  embedding_dim: 3\n");
        TrainRequest r = request(yaml);
        auto outcome = orrery::train::train(r);
        QVERIFY2(outcome.isOk(), qPrintable(outcome.status().message()));
        QVERIFY(outcome->validation.overall.value(QStringLiteral("roc_auc")) > 0.85);
        QCOMPARE(outcome->validation.slices.size(), 2); // north, south

        auto model = ScriptModel::load(outcome->modelPath);
        QVERIFY2(model.isOk(), qPrintable(model.status().message()));
        const QJsonArray inputs = (*model)->signature().value(QStringLiteral("inputs")).toArray();
        QCOMPARE(inputs.size(), 2);
        QCOMPARE(inputs[0].toObject().value(QStringLiteral("columns")).toArray().size(), 2); // x1, x2
        QCOMPARE(inputs[1].toObject().value(QStringLiteral("dtype")).toString(), QStringLiteral("BYTES"));

        auto data = prepareData(r.config); // the same seed: the same split
        QVERIFY(data.isOk());
        const auto &rows = data->validation.sourceRows;
        auto out = (*model)->predict(rawInputs(csv, data->pre, rows), int(rows.size()));
        QVERIFY2(out.isOk(), qPrintable(out.status().message()));
        QCOMPARE(out->columns, 2);
        std::vector<int> labels(data->validation.target.begin(), data->validation.target.end());
        const MetricMap fromExport = classificationMetrics(out->values, 2, labels);
        for (const QString &key : {QStringLiteral("accuracy"), QStringLiteral("roc_auc"), QStringLiteral("log_loss"), QStringLiteral("f1")})
            QVERIFY2(std::abs(fromExport.value(key) - outcome->validation.overall.value(key)) < 1e-5,
                     qPrintable(QStringLiteral("%1: export %2, trainer %3").arg(key).arg(fromExport.value(key)).arg(outcome->validation.overall.value(key))));
        // The same rows as a table (what the pipeline's evaluate stage has): the same output.
        {
            const QList<QByteArray> lines = csv.split('\n');
            QStringList header;
            for (const auto &h : lines[0].split(',')) header << QString::fromUtf8(h);
            std::vector<std::vector<std::string>> table;
            for (int r : rows) {
                std::vector<std::string> row;
                for (const auto &f : lines[r + 1].split(',')) row.push_back(f.toStdString());
                table.push_back(row);
            }
            auto fromTable = (*model)->predictTable(header, table);
            QVERIFY2(fromTable.isOk(), qPrintable(fromTable.status().message()));
            QCOMPARE(fromTable->values, out->values);
            header[0] = QStringLiteral("renamed");
            auto missing = (*model)->predictTable(header, table);
            QVERIFY(!missing.isOk());
            QVERIFY2(missing.status().message().contains(QStringLiteral("'x1'")), qPrintable(missing.status().message()));
        }
        // An unseen category and a missing number are served, not refused.
        ModelInput num, cat;
        num.values = {0.5f, std::nanf("")};
        cat.texts = {{QStringLiteral("purple"), QStringLiteral("east")}};
        auto odd = (*model)->predict({num, cat}, 1);
        QVERIFY2(odd.isOk(), qPrintable(odd.status().message()));
        QVERIFY(std::abs(odd->values[0] + odd->values[1] - 1.0) < 1e-6);
        // The input checks of the runtime.
        QVERIFY(!(*model)->predict({num}, 1).isOk());
    }

    void sameSeedSameMetrics()
    {
        const QString path = writeFile(m_dir.filePath(QStringLiteral("det.csv")), tabularCsv(600, 2));
        for (int threads : {1, 2}) {
            const QByteArray yaml = classificationYaml(path, "  threads: " + QByteArray::number(threads) + "\n");
            auto a = orrery::train::train(request(yaml));
            auto b = orrery::train::train(request(yaml));
            QVERIFY(a.isOk() && b.isOk());
            QCOMPARE(a->validation.overall, b->validation.overall);
            QCOMPARE(a->finalTrainLoss, b->finalTrainLoss);
            QCOMPARE(a->steps, b->steps);
        }
        auto c = orrery::train::train(request(classificationYaml(path).replace("seed: 5", "seed: 6")));
        auto a = orrery::train::train(request(classificationYaml(path)));
        QVERIFY(c.isOk() && a.isOk());
        QVERIFY(c->finalTrainLoss != a->finalTrainLoss);
    }

    void linearRegressionIsTheSpecialCase()
    {
        common::Random rnd(9);
        QByteArray csv = "a,b,y\n";
        for (int i = 0; i < 400; ++i) {
            const double a = rnd.normal(), b = rnd.normal(2, 3);
            csv += QByteArray::number(a, 'g', 12) + ',' + QByteArray::number(b, 'g', 12) + ',' + QByteArray::number(3 * a - 2 * b + 1 + rnd.normal(0, 0.01), 'g', 12) + '\n';
        }
        const QString path = writeFile(m_dir.filePath(QStringLiteral("lin.csv")), csv);
        TrainRequest r = request("task: regression\ndata:\n  path: " + path.toUtf8() + "\n  label: y\nmodel:\n  hidden: []\n"
                                 "optimizer:\n  name: sgd\n  lr: 0.1\n  momentum: 0.5\n  schedule: step\n  step_size: 10\n  gamma: 0.5\n"
                                 "training:\n  epochs: 30\n  batch_size: 16\n  log_every: epoch\n");
        auto outcome = orrery::train::train(r);
        QVERIFY2(outcome.isOk(), qPrintable(outcome.status().message()));
        QVERIFY2(outcome->validation.overall.value(QStringLiteral("rmse")) < 0.05, qPrintable(QString::number(outcome->validation.overall.value(QStringLiteral("rmse")))));
        QVERIFY(outcome->validation.overall.value(QStringLiteral("r2")) > 0.999);
        auto model = ScriptModel::load(outcome->modelPath);
        QVERIFY(model.isOk());
        ModelInput num, cat;
        num.values = {1.0f, 1.0f};
        cat.texts = {QStringList()};
        auto y = (*model)->predict({num, cat}, 1);
        QVERIFY2(y.isOk(), qPrintable(y.status().message()));
        QVERIFY2(std::abs(y->values[0] - 2.0) < 0.05, qPrintable(QString::number(y->values[0]))); // 3 - 2 + 1
    }

    void nanLossFailsTheRunWithTheReason()
    {
        const QString path = writeFile(m_dir.filePath(QStringLiteral("nan.csv")), tabularCsv(300, 3));
        TrainRequest r = request(classificationYaml(path).replace("lr: 0.01", "lr: 1.0e+30").replace("name: adam", "name: sgd")
                                     .replace("batch_norm: true", "batch_norm: false"));
        auto outcome = orrery::train::train(r);
        QVERIFY(!outcome.isOk());
        QCOMPARE(outcome.status().code(), ErrorCode::FailedPrecondition);
        QVERIFY2(outcome.status().message().contains(QStringLiteral("at step")) && outcome.status().message().contains(QStringLiteral("optimizer.lr")),
                 qPrintable(outcome.status().message()));
    }

    void cancelStopsWithinOneBatch()
    {
        const QString path = writeFile(m_dir.filePath(QStringLiteral("cancel.csv")), tabularCsv(2000, 4));
        TrainRequest r = request(classificationYaml(path).replace("epochs: 4", "epochs: 50"));
        std::atomic<qint64> lastStep{0};
        common::Job *jobPtr = nullptr;
        r.onStep = [&](qint64 step, double) {
            lastStep = step;
            if (step == 5)
                jobPtr->cancel();
        };
        auto prepared = prepareTraining(r);
        QVERIFY(prepared.isOk());
        Status result;
        common::Job job(QStringLiteral("train"), [&](common::JobContext &ctx) {
            auto o = runTraining(**prepared, &ctx);
            return o.isOk() ? Status::ok() : o.status();
        });
        jobPtr = &job;
        job.start();
        QVERIFY(job.wait(60000));
        QCOMPARE(job.result().code(), ErrorCode::Cancelled);
        QCOMPARE(lastStep.load(), qint64(5)); // no further batch after the cancel
    }

    void resumeFromACheckpointGivesTheSameResult()
    {
        const QString path = writeFile(m_dir.filePath(QStringLiteral("resume.csv")), tabularCsv(500, 5));
        // 400 training rows / 32 = 13 steps per epoch; 4 epochs = 52 steps. Stop at 20 (mid-epoch).
        const QByteArray yaml = classificationYaml(path, "  checkpoint_every: 10\n");
        auto full = orrery::train::train(request(yaml));
        QVERIFY(full.isOk());
        TrainRequest partial = request(classificationYaml(path, "  checkpoint_every: 10\n  max_steps: 20\n"));
        auto stopped = orrery::train::train(partial);
        QVERIFY(stopped.isOk());
        QCOMPARE(stopped->steps, qint64(20));
        TrainRequest resumed = request(yaml);
        resumed.resumeFrom = partial.outputDir + QStringLiteral("/checkpoints/step-20.pt");
        auto finished = orrery::train::train(resumed);
        QVERIFY2(finished.isOk(), qPrintable(finished.status().message()));
        QCOMPARE(finished->steps, full->steps);
        QCOMPARE(finished->finalTrainLoss, full->finalTrainLoss);
        QCOMPARE(finished->validation.overall, full->validation.overall);
    }

    void earlyStoppingAndClassWeights()
    {
        const QString path = writeFile(m_dir.filePath(QStringLiteral("imb.csv")), tabularCsv(1500, 6, 0.05));
        const QByteArray base = classificationYaml(path).replace("epochs: 4", "epochs: 40");
        auto early = orrery::train::train(request(QByteArray(base).append("  early_stopping: {metric: val_accuracy, patience: 2}\n")));
        QVERIFY2(early.isOk(), qPrintable(early.status().message()));
        QVERIFY(early->stoppedEarly);
        QVERIFY(early->epochs < 40);
        QVERIFY(early->bestEpoch <= early->epochs - 2);
        auto plain = orrery::train::train(request(QByteArray(base).replace("epochs: 40", "epochs: 3")));
        auto weighted = orrery::train::train(request(QByteArray(base).replace("epochs: 40", "epochs: 3").append("  class_weights: balanced\n")));
        QVERIFY(plain.isOk() && weighted.isOk());
        QVERIFY2(weighted->validation.overall.value(QStringLiteral("recall")) > plain->validation.overall.value(QStringLiteral("recall")),
                 qPrintable(QStringLiteral("%1 vs %2").arg(weighted->validation.overall.value(QStringLiteral("recall")))
                                .arg(plain->validation.overall.value(QStringLiteral("recall")))));
    }

    void tracksTheRunTheModelAndFailures()
    {
        const QString db = m_dir.filePath(QStringLiteral("orrery.db"));
        store::OpenOptions o;
        o.create = true;
        auto database = store::Database::open(db, o);
        QVERIFY(database.isOk());
        const QString path = writeFile(m_dir.filePath(QStringLiteral("track.csv")), tabularCsv(400, 7));
        TrainRequest r = request(classificationYaml(path, "  checkpoint_every: 5\ntracking:\n  experiment: fraud\n  run_name: first\n"));
        r.databasePath = db;
        r.workRoot = m_dir.filePath(QStringLiteral("work"));
        r.cacheRoot = m_dir.filePath(QStringLiteral("cache"));
        auto outcome = orrery::train::train(r);
        QVERIFY2(outcome.isOk(), qPrintable(outcome.status().message()));
        tracking::TrackingStore store(**database);
        auto run = store.run(outcome->runId);
        QVERIFY(run.isOk());
        QCOMPARE(run->info.status, tracking::RunStatus::Finished);
        QCOMPARE(run->info.runName, QStringLiteral("first"));
        QStringList keys;
        for (const auto &m : run->metrics) keys << m.key;
        for (const char *k : {"train_loss", "val_loss", "val_roc_auc", "val_calibration_error", "lr"})
            QVERIFY2(keys.contains(QLatin1String(k)), qPrintable(keys.join(QLatin1Char(','))));
        QString md5;
        for (const auto &t : run->tags)
            if (t.key == QLatin1String("orrery.model_md5")) md5 = t.value;
        QFile model(outcome->modelPath);
        QVERIFY(model.open(QIODevice::ReadOnly));
        QCOMPARE(md5, QString::fromLatin1(QCryptographicHash::hash(model.readAll(), QCryptographicHash::Md5).toHex()));
        QVERIFY(data::ContentCache(r.cacheRoot).contains(md5));
        QCOMPARE(outcome->modelPath, data::ContentCache(r.cacheRoot).objectPath(md5));
        QCOMPARE(outcome->modelArtifact, QStringLiteral("mlflow-artifacts:/%1/%2/artifacts/model/model.pt").arg(run->info.experimentId, outcome->runId));
        tracking::ArtifactStore artifacts(**database, r.cacheRoot);
        const QString runFolder = run->info.experimentId + QLatin1Char('/') + outcome->runId + QStringLiteral("/artifacts");
        QStringList names;
        for (const QString &folder : {runFolder, runFolder + QStringLiteral("/model"), runFolder + QStringLiteral("/checkpoints")}) {
            auto entries = artifacts.list(folder);
            QVERIFY(entries.isOk());
            for (const auto &e : *entries) names << e.name;
        }
        for (const char *n : {"evaluation.json", "model.pt", "signature.json", "preprocessing.json", "step-5.pt", "step-40.pt"})
            QVERIFY2(names.contains(QLatin1String(n)), qPrintable(names.join(QLatin1Char(','))));
        QVERIFY(!QFileInfo::exists(r.workRoot + QLatin1Char('/') + outcome->runId)); // removed once logged
        bool paramSeen = false;
        for (const auto &p : run->params) paramSeen |= p.key == QLatin1String("model.hidden") && p.value == QLatin1String("16");
        QVERIFY(paramSeen);

        // Resume by run id continues the same run from its latest checkpoint.
        TrainRequest again = r;
        again.resumeRunId = outcome->runId;
        auto resumed = orrery::train::train(again);
        QVERIFY2(resumed.isOk(), qPrintable(resumed.status().message()));
        QCOMPARE(resumed->runId, outcome->runId);

        // A diverging run ends FAILED with the reason.
        TrainRequest bad = r;
        bad.config = config(classificationYaml(path).replace("lr: 0.01", "lr: 1.0e+30").replace("name: adam", "name: sgd").replace("batch_norm: true", "batch_norm: false"));
        auto failed = orrery::train::train(bad);
        QVERIFY(!failed.isOk());
        auto list = (*database)->prepare(QStringLiteral("SELECT status, status_reason FROM runs ORDER BY start_time DESC, rowid DESC LIMIT 1"));
        QVERIFY(list.isOk() && list->next());
        QCOMPARE(list->text(0), QStringLiteral("FAILED"));
        QVERIFY2(list->text(1).contains(QStringLiteral("diverged")), qPrintable(list->text(1)));
    }

    void pythonTorchScriptLoadsTheSameWay()
    {
        QVERIFY2(QFile::exists(QStringLiteral("/usr/bin/python3")), "no /usr/bin/python3: run packaging/setup.sh --test (python3-torch)");
        const QString path = m_dir.filePath(QStringLiteral("python_model.pt"));
        const testing::ProcessResult made =
            testing::run(QStringLiteral("/usr/bin/python3"), {QStringLiteral(ORRERY_SOURCE_DIR "/tests/auto/train/make_python_model.py"), path});
        QVERIFY2(made.ok(), qPrintable(made.describe()));
        const QJsonObject expected = QJsonDocument::fromJson(made.out.toUtf8()).object();
        auto model = ScriptModel::load(path);
        QVERIFY2(model.isOk(), qPrintable(model.status().message()));
        QCOMPARE((*model)->signature().value(QStringLiteral("inputs")).toArray()[0].toObject().value(QStringLiteral("name")).toString(), QStringLiteral("x"));
        ModelInput x;
        for (const auto &v : expected.value(QStringLiteral("input")).toArray()) x.values.push_back(float(v.toDouble()));
        auto out = (*model)->predict({x}, 2);
        QVERIFY2(out.isOk(), qPrintable(out.status().message()));
        QCOMPARE(out->columns, 3);
        const QJsonArray want = expected.value(QStringLiteral("output")).toArray();
        for (int i = 0; i < want.size(); ++i)
            QVERIFY(std::abs(out->values[size_t(i)] - want[i].toDouble()) < 1e-6);
        // Not TorchScript at all: refused with the path.
        const QString junk = writeFile(m_dir.filePath(QStringLiteral("junk.pt")), "not a zip");
        auto refused = ScriptModel::load(junk);
        QVERIFY(!refused.isOk());
        QVERIFY(refused.status().message().contains(QStringLiteral("junk.pt")));
    }

    void forecastWithRecurrentCells_data()
    {
        QTest::addColumn<QByteArray>("cell");
        QTest::newRow("gru") << QByteArray("gru");
        QTest::newRow("lstm") << QByteArray("lstm");
    }
    void forecastWithRecurrentCells()
    {
        QFETCH(QByteArray, cell);
        // Weather-style: a daily cycle plus noise, hourly.
        common::Random rnd(8);
        QByteArray csv = "hour,temperature\n";
        std::vector<double> series;
        for (int h = 0; h < 700; ++h) {
            const double t = 12 + 6 * std::sin(2 * M_PI * h / 24.0) + rnd.normal(0, 0.3);
            series.push_back(t);
            csv += QByteArray::number(h) + ',' + QByteArray::number(t, 'g', 10) + '\n';
        }
        const QString path = writeFile(m_dir.filePath(QStringLiteral("weather.csv")), csv);
        TrainRequest r = request("task: forecast\ndata:\n  path: " + path.toUtf8() + "\n  label: temperature\n  time: hour\n"
                                 "model:\n  cell: " + cell + "\n  recurrent_hidden: 16\n  lags: 24\n  horizon: 2\n"
                                 "optimizer:\n  lr: 0.01\n  clip_norm: 1.0\ntraining:\n  epochs: 12\n  batch_size: 32\n  seed: 1\n");
        auto outcome = orrery::train::train(r);
        QVERIFY2(outcome.isOk(), qPrintable(outcome.status().message()));
        const double rmse = outcome->validation.overall.value(QStringLiteral("rmse"));
        QVERIFY2(rmse < 1.5, qPrintable(QString::number(rmse))); // the series' sd is ~4.2
        auto model = ScriptModel::load(outcome->modelPath);
        QVERIFY2(model.isOk(), qPrintable(model.status().message()));
        ModelInput history;
        for (int h = 676; h < 700; ++h) history.values.push_back(float(series[size_t(h)]));
        auto out = (*model)->predict({history}, 1);
        QVERIFY2(out.isOk(), qPrintable(out.status().message()));
        QCOMPARE(out->columns, 2);
        const double truth = 12 + 6 * std::sin(2 * M_PI * 700 / 24.0);
        QVERIFY2(std::abs(out->values[0] - truth) < 2.0, qPrintable(QStringLiteral("%1 vs %2").arg(out->values[0]).arg(truth)));
    }

    void imageClassifierOnDigits()
    {
        const bool digits = QFile::exists(QStringLiteral("/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"));
        TrainRequest r = request(QByteArray("task: image\ndata:\n  builtin: ") + (digits ? "digits" : "generated")
                                 + "\nmodel:\n  channels: [8, 16]\noptimizer:\n  lr: 0.01\ntraining:\n  epochs: 5\n  batch_size: 32\n  seed: 2\n");
        auto outcome = orrery::train::train(r);
        QVERIFY2(outcome.isOk(), qPrintable(outcome.status().message()));
        const double accuracy = outcome->validation.overall.value(QStringLiteral("accuracy"));
        QVERIFY2(accuracy > 0.85, qPrintable(QString::number(accuracy)));
        if (digits)
            QCOMPARE(outcome->validation.overall.value(QStringLiteral("rows")), 359.0); // 20% of 1797
        auto model = ScriptModel::load(outcome->modelPath);
        QVERIFY2(model.isOk(), qPrintable(model.status().message()));
        ModelInput pixels;
        pixels.values.assign(64, 0.0f);
        auto out = (*model)->predict({pixels}, 1);
        QVERIFY2(out.isOk(), qPrintable(out.status().message()));
        QCOMPARE(out->columns, digits ? 10 : 4);
    }
};

QTEST_GUILESS_MAIN(TstTrainer)
#include "tst_trainer.moc"
