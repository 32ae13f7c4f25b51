// Bad input is refused before any training thread exists: config limits (lr ≤ 0, batch size 0,
// absurd layer counts, unknown keys), data problems (non-numeric value in a numeric column with
// file:line, empty dataset, missing label column, a single class), and unreadable or foreign
// checkpoints — all through prepareTraining(), which runs on the caller's thread. Also: the
// preprocessing is fitted on the training split only.

#include "core/train/dataset.h"
#include "core/train/trainer.h"
#include "core/train/trainer_config.h"
#include "tests/support/test_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cmath>

using namespace orrery;
using namespace orrery::train;
using testing::writeFile;

namespace {

QByteArray smallCsv(int rows, bool singleClass = false)
{
    QByteArray csv = "id,x1,x2,colour,label\n";
    for (int i = 0; i < rows; ++i) {
        const double x1 = std::sin(i * 1.3) * 3.0, x2 = std::cos(i * 0.7) + i * 0.01;
        const char *colour = i % 3 == 0 ? "red" : (i % 3 == 1 ? "green" : "blue");
        const int label = singleClass ? 1 : (x1 + x2 > 0 ? 1 : 0);
        csv += QByteArray::number(i) + ',' + QByteArray::number(x1) + ',' + (i % 17 == 5 ? QByteArray() : QByteArray::number(x2)) + ','
               + colour + ',' + QByteArray::number(label) + '\n';
    }
    return csv;
}

QByteArray baseYaml(const QString &csv, const QByteArray &extra = {})
{
    return "task: classification\ndata:\n  path: " + csv.toUtf8() + "\n  label: label\n  drop: [id]\n" + extra;
}

} // namespace

class TstTrainInput : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    Status prepare(const QByteArray &yaml)
    {
        auto config = parseTrainConfig(yaml, QStringLiteral("train.yaml"), m_dir.path());
        if (!config)
            return config.status();
        TrainRequest r;
        r.config = *config;
        r.outputDir = m_dir.filePath(QStringLiteral("out"));
        auto p = prepareTraining(r);
        return p ? Status::ok() : p.status();
    }

private Q_SLOTS:
    void configLimits_data()
    {
        QTest::addColumn<QByteArray>("extra");
        QTest::addColumn<QString>("expected");
        QTest::newRow("lr zero") << QByteArray("optimizer:\n  lr: 0\n") << "optimizer.lr must be greater than 0";
        QTest::newRow("lr negative") << QByteArray("optimizer:\n  lr: -0.1\n") << "optimizer.lr must be greater than 0";
        QTest::newRow("batch size 0") << QByteArray("training:\n  batch_size: 0\n") << "training.batch_size must be at least 1";
        QTest::newRow("absurd layers") << QByteArray("model:\n  hidden: [" + QByteArray("8,").repeated(200) + "8]\n") << "layers; at most 64";
        QTest::newRow("absurd width") << QByteArray("model:\n  hidden: [100000000]\n") << "between 1 and 65536 units";
        QTest::newRow("unknown key") << QByteArray("optimizer:\n  learning_rate: 0.1\n") << "unknown key 'optimizer.learning_rate'";
        QTest::newRow("bad optimizer") << QByteArray("optimizer:\n  name: rmsprop\n") << "must be one of sgd, adam, adamw";
        QTest::newRow("dropout 1") << QByteArray("model:\n  dropout: 1.0\n") << "model.dropout must be in [0, 1)";
        QTest::newRow("threads 0") << QByteArray("training:\n  threads: 0\n") << "training.threads must be between 1";
        QTest::newRow("lr text") << QByteArray("optimizer:\n  lr: fast\n") << "'optimizer.lr' must be a number";
        QTest::newRow("early stop metric") << QByteArray("training:\n  early_stopping: {metric: val_banana}\n") << "not a validation metric";
    }
    void configLimits()
    {
        QFETCH(QByteArray, extra);
        QFETCH(QString, expected);
        const QString csv = writeFile(m_dir, QStringLiteral("ok.csv"), smallCsv(60));
        const Status s = prepare(baseYaml(csv, extra));
        QCOMPARE(s.code(), ErrorCode::InvalidArgument);
        QVERIFY2(s.message().contains(expected), qPrintable(s.message()));
        QVERIFY2(s.message().contains(QStringLiteral("train.yaml")), qPrintable(s.message()));
    }

    void nonNumericValueInNumericColumnNamesTheLine()
    {
        QByteArray csv = smallCsv(40);
        // line 1 is the header; data row 10 is on line 12
        QList<QByteArray> lines = csv.split('\n');
        lines[11] = "10,abc,1.0,red,1";
        const QString path = writeFile(m_dir, QStringLiteral("bad_numeric.csv"), lines.join('\n'));
        const Status s = prepare(baseYaml(path));
        QCOMPARE(s.code(), ErrorCode::InvalidArgument);
        QVERIFY2(s.message().contains(QStringLiteral("bad_numeric.csv:12")), qPrintable(s.message()));
        QVERIFY2(s.message().contains(QStringLiteral("'x1'")) && s.message().contains(QStringLiteral("'abc'")), qPrintable(s.message()));
    }

    void emptyDataset()
    {
        const QString path = writeFile(m_dir, QStringLiteral("empty.csv"), "id,x1,x2,colour,label\n");
        const Status s = prepare(baseYaml(path));
        QCOMPARE(s.code(), ErrorCode::InvalidArgument);
        QVERIFY2(s.message().contains(QStringLiteral("empty")), qPrintable(s.message()));
    }

    void missingLabelColumn()
    {
        const QString csv = writeFile(m_dir, QStringLiteral("ok.csv"), smallCsv(60));
        const Status s = prepare("task: classification\ndata:\n  path: " + csv.toUtf8() + "\n  label: is_fraud\n");
        QCOMPARE(s.code(), ErrorCode::InvalidArgument);
        QVERIFY2(s.message().contains(QStringLiteral("no column 'is_fraud'")) && s.message().contains(QStringLiteral("x1")), qPrintable(s.message()));
    }

    void singleClass()
    {
        const QString path = writeFile(m_dir, QStringLiteral("single.csv"), smallCsv(50, true));
        const Status s = prepare(baseYaml(path));
        QCOMPARE(s.code(), ErrorCode::InvalidArgument);
        QVERIFY2(s.message().contains(QStringLiteral("single class")), qPrintable(s.message()));
    }

    void missingDataFile()
    {
        const Status s = prepare(baseYaml(m_dir.filePath(QStringLiteral("nope.csv"))));
        QCOMPARE(s.code(), ErrorCode::InvalidArgument);
        QVERIFY(s.message().contains(QStringLiteral("does not exist")));
    }

    void unreadableAndForeignCheckpoints()
    {
        const QString csv = writeFile(m_dir, QStringLiteral("ok.csv"), smallCsv(60));
        auto config = parseTrainConfig(baseYaml(csv), QStringLiteral("train.yaml"), m_dir.path());
        QVERIFY(config.isOk());
        TrainRequest r;
        r.config = *config;
        r.outputDir = m_dir.filePath(QStringLiteral("out"));
        r.resumeFrom = writeFile(m_dir, QStringLiteral("garbage.pt"), QByteArray(1000, 'x'));
        auto p = prepareTraining(r);
        QVERIFY(!p.isOk());
        QVERIFY2(p.status().message().contains(QStringLiteral("not a LibTorch archive")), qPrintable(p.status().message()));

        r.resumeFrom = m_dir.filePath(QStringLiteral("missing.pt"));
        p = prepareTraining(r);
        QVERIFY(!p.isOk());
        QVERIFY2(p.status().message().contains(QStringLiteral("no such file")), qPrintable(p.status().message()));

        // A real checkpoint of another model (other hidden layers) is foreign.
        TrainRequest other = r;
        other.resumeFrom.clear();
        other.config.model.hidden = {7};
        other.config.loop.checkpointEvery = 2;
        other.config.loop.maxSteps = 2;
        other.outputDir = m_dir.filePath(QStringLiteral("other"));
        auto outcome = orrery::train::train(other);
        QVERIFY2(outcome.isOk(), qPrintable(outcome.status().message()));
        r.resumeFrom = other.outputDir + QStringLiteral("/checkpoints/step-2.pt");
        QVERIFY(QFile::exists(r.resumeFrom));
        p = prepareTraining(r);
        QVERIFY(!p.isOk());
        QVERIFY2(p.status().message().contains(QStringLiteral("belongs to another model")), qPrintable(p.status().message()));
        // The same config resumes fine.
        other.resumeFrom = r.resumeFrom;
        other.config.loop.maxSteps = 0;
        QVERIFY(prepareTraining(other).isOk());
    }

    void preprocessingIsFittedOnTheTrainingSplitOnly()
    {
        const QByteArray csvBytes = smallCsv(200);
        const QString csv = writeFile(m_dir, QStringLiteral("fit.csv"), csvBytes);
        auto config = parseTrainConfig("task: classification\ndata:\n  path: " + csv.toUtf8() + "\n  label: label\n  drop: [id]\n  validation_fraction: 0.3\n",
                                       QStringLiteral("t.yaml"), m_dir.path());
        QVERIFY2(config.isOk(), qPrintable(config.status().message()));
        auto data = prepareData(*config);
        QVERIFY2(data.isOk(), qPrintable(data.status().message()));
        QCOMPARE(data->train.rows + data->validation.rows, 200);
        QCOMPARE(data->validation.rows, 60);
        // Raw x2 values (column 2), missing on every 17th row from 5.
        const QList<QByteArray> lines = csvBytes.split('\n');
        auto x2 = [&](int row) { return lines[row + 1].split(',')[2]; };
        double sum = 0;
        int present = 0;
        for (int r : data->train.sourceRows)
            if (!x2(r).isEmpty()) { sum += x2(r).toDouble(); ++present; }
        const double trainMean = sum / present;
        const auto &pre = data->pre;
        QCOMPARE(pre.numeric.size(), 2);
        QCOMPARE(pre.numeric[1].name, QStringLiteral("x2"));
        QVERIFY(std::abs(pre.numeric[1].fill - trainMean) < 1e-12);
        double all = 0;
        int allPresent = 0;
        for (int r = 0; r < 200; ++r)
            if (!x2(r).isEmpty()) { all += x2(r).toDouble(); ++allPresent; }
        QVERIFY(std::abs(all / allPresent - trainMean) > 1e-6); // the whole file's mean differs
        // Categories: only those seen in training; one-hot width = numeric + categories.
        QCOMPARE(pre.categorical.size(), 1);
        QCOMPARE(pre.denseWidth(), 2 + int(pre.categorical[0].categories.size()));
        // The JSON form round-trips.
        auto back = Preprocessor::fromJson(pre.toJson());
        QVERIFY(back.isOk());
        QCOMPARE(back->toJson(), pre.toJson());
    }
};

QTEST_GUILESS_MAIN(TstTrainInput)
#include "tst_train_input.moc"
