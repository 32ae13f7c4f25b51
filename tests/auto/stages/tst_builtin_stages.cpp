// The built-in stages on real files: split (random / stratified / time, seeded), the baseline
// trainer and evaluate (metrics checked against figures computed here), gate, validate, and
// argument checking from the stage types' own descriptions.
#include "core/data/schema.h"
#include "core/pipeline/stage_type.h"
#include "core/stages/baseline_model.h"
#include "core/stages/builtin_stages.h"
#include "core/stages/csv_table.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::pipeline;

class TstBuiltinStages : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    StageRegistry m_registry;

    Result<StageContext> runStage(const QString &type, const QStringList &args)
    {
        auto parsed = parseStageArgs(*m_registry.type(type), args);
        if (!parsed)
            return parsed.status();
        StageContext ctx;
        ctx.workDir = m_dir.path();
        ctx.args = *parsed;
        const Status s = m_registry.impl(type)(ctx);
        if (!s.isOk())
            return s;
        return ctx;
    }

    QJsonValue json(const QString &rel)
    {
        QFile f(m_dir.filePath(rel));
        if (!f.open(QIODevice::ReadOnly))
            return {};
        const QJsonDocument d = QJsonDocument::fromJson(f.readAll());
        return d.isArray() ? QJsonValue(d.array()) : QJsonValue(d.object());
    }

private Q_SLOTS:
    void initTestCase()
    {
        stages::registerBuiltinStages(m_registry);
        // 1,000 rows: label 1 for every 10th row, x large for positives; time ascending.
        QFile f(m_dir.filePath(QStringLiteral("data.csv")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("id,time,x,kind,label\n");
        for (int i = 0; i < 1000; ++i) {
            const int label = i % 10 == 0 ? 1 : 0;
            const double x = label ? 2.0 + (i % 7) * 0.1 : (i % 13) * 0.1;
            f.write(QStringLiteral("%1,2026-01-01T%2:%3:00Z,%4,%5,%6\n")
                        .arg(i).arg(i / 60 % 24, 2, 10, QLatin1Char('0')).arg(i % 60, 2, 10, QLatin1Char('0'))
                        .arg(x).arg(i % 3 == 0 ? QStringLiteral("a") : QStringLiteral("b")).arg(label).toUtf8());
        }
    }

    void typesDescribeThemselves()
    {
        for (const QString &name : {QStringLiteral("load"), QStringLiteral("validate"), QStringLiteral("split"), QStringLiteral("train"),
                                    QStringLiteral("evaluate"), QStringLiteral("gate")}) {
            const StageType *t = m_registry.type(name);
            QVERIFY2(t, qPrintable(name));
            QVERIFY(!t->docs.isEmpty());
            QVERIFY(t->helpText().contains(QStringLiteral("--")));
        }
        QVERIFY(m_registry.type(QStringLiteral("train"))->summary.contains(QStringLiteral("baseline logistic regression")));
        auto bad = parseStageArgs(*m_registry.type(QStringLiteral("split")), {QStringLiteral("--input"), QStringLiteral("x"), QStringLiteral("--train"), QStringLiteral("a"),
                                                                              QStringLiteral("--test"), QStringLiteral("b"), QStringLiteral("--test-fraction"), QStringLiteral("1.5")});
        QVERIFY(!bad.isOk());
        QVERIFY2(bad.status().message().contains(QStringLiteral("--test-fraction must be within 0..1")), qPrintable(bad.status().message()));
        auto choice = parseStageArgs(*m_registry.type(QStringLiteral("split")), {QStringLiteral("--input"), QStringLiteral("x"), QStringLiteral("--train"), QStringLiteral("a"),
                                                                                 QStringLiteral("--test"), QStringLiteral("b"), QStringLiteral("--method"), QStringLiteral("magic")});
        QVERIFY(choice.status().message().contains(QStringLiteral("one of random, stratified, time")));
        auto missing = parseStageArgs(*m_registry.type(QStringLiteral("gate")), {QStringLiteral("--metrics"), QStringLiteral("m.json")});
        QVERIFY(missing.status().message().contains(QStringLiteral("--rules is required")));
    }

    void splitsAreSeededStratifiedAndTimeOrdered()
    {
        const QStringList common = {QStringLiteral("--input"), QStringLiteral("data.csv"), QStringLiteral("--test-fraction"), QStringLiteral("0.2"),
                                    QStringLiteral("--label"), QStringLiteral("label"), QStringLiteral("--time-column"), QStringLiteral("time")};
        auto a = runStage(QStringLiteral("split"), common + QStringList{QStringLiteral("--train"), QStringLiteral("r1/train.csv"), QStringLiteral("--test"), QStringLiteral("r1/test.csv"), QStringLiteral("--seed"), QStringLiteral("7")});
        auto b = runStage(QStringLiteral("split"), common + QStringList{QStringLiteral("--train"), QStringLiteral("r2/train.csv"), QStringLiteral("--test"), QStringLiteral("r2/test.csv"), QStringLiteral("--seed"), QStringLiteral("7")});
        auto c = runStage(QStringLiteral("split"), common + QStringList{QStringLiteral("--train"), QStringLiteral("r3/train.csv"), QStringLiteral("--test"), QStringLiteral("r3/test.csv"), QStringLiteral("--seed"), QStringLiteral("8")});
        QVERIFY(a.isOk() && b.isOk() && c.isOk());
        auto t1 = stages::CsvTable::read(m_dir.filePath(QStringLiteral("r1/test.csv")));
        auto t2 = stages::CsvTable::read(m_dir.filePath(QStringLiteral("r2/test.csv")));
        auto t3 = stages::CsvTable::read(m_dir.filePath(QStringLiteral("r3/test.csv")));
        QCOMPARE(t1->rows.size(), size_t(200));
        QVERIFY(t1->rows == t2->rows);  // same seed, same split
        QVERIFY(!(t1->rows == t3->rows)); // another seed, another split

        auto s = runStage(QStringLiteral("split"), common + QStringList{QStringLiteral("--train"), QStringLiteral("s/train.csv"), QStringLiteral("--test"), QStringLiteral("s/test.csv"), QStringLiteral("--method"), QStringLiteral("stratified")});
        QVERIFY(s.isOk());
        auto st = stages::CsvTable::read(m_dir.filePath(QStringLiteral("s/test.csv")));
        int positives = 0;
        for (const auto &row : st->rows)
            positives += row[4] == "1" ? 1 : 0;
        QCOMPARE(positives, 20); // exactly 10% of the test rows, as in the data

        auto t = runStage(QStringLiteral("split"), common + QStringList{QStringLiteral("--train"), QStringLiteral("t/train.csv"), QStringLiteral("--test"), QStringLiteral("t/test.csv"), QStringLiteral("--method"), QStringLiteral("time")});
        QVERIFY(t.isOk());
        auto tr = stages::CsvTable::read(m_dir.filePath(QStringLiteral("t/train.csv")));
        auto te = stages::CsvTable::read(m_dir.filePath(QStringLiteral("t/test.csv")));
        QString latestTrain, earliestTest = QStringLiteral("9");
        for (const auto &row : tr->rows)
            latestTrain = qMax(latestTrain, QString::fromStdString(row[1]));
        for (const auto &row : te->rows)
            earliestTest = qMin(earliestTest, QString::fromStdString(row[1]));
        QVERIFY2(latestTrain <= earliestTest, qPrintable(latestTrain + QLatin1Char(' ') + earliestTest));
    }

    void trainEvaluateGate()
    {
        auto split = runStage(QStringLiteral("split"), {QStringLiteral("--input"), QStringLiteral("data.csv"), QStringLiteral("--train"), QStringLiteral("m/train.csv"),
                                                        QStringLiteral("--test"), QStringLiteral("m/test.csv"), QStringLiteral("--method"), QStringLiteral("stratified"),
                                                        QStringLiteral("--label"), QStringLiteral("label")});
        QVERIFY(split.isOk());
        auto train = runStage(QStringLiteral("train"), {QStringLiteral("--train"), QStringLiteral("m/train.csv"), QStringLiteral("--label"), QStringLiteral("label"),
                                                        QStringLiteral("--model"), QStringLiteral("m/model.json"), QStringLiteral("--epochs"), QStringLiteral("200"),
                                                        QStringLiteral("--features"), QStringLiteral("x,kind")});
        QVERIFY2(train.isOk(), qPrintable(train.status().message()));
        const QJsonObject model = json(QStringLiteral("m/model.json")).toObject();
        QCOMPARE(model.value(QStringLiteral("kind")).toString(), QStringLiteral("orrery.baseline_logistic"));
        QVERIFY(model.value(QStringLiteral("trainer")).toString().startsWith(QStringLiteral("baseline_logistic")));
        auto eval = runStage(QStringLiteral("evaluate"), {QStringLiteral("--model"), QStringLiteral("m/model.json"), QStringLiteral("--input"), QStringLiteral("m/test.csv"),
                                                          QStringLiteral("--label"), QStringLiteral("label"), QStringLiteral("--metrics"), QStringLiteral("m/metrics.json"),
                                                          QStringLiteral("--roc"), QStringLiteral("m/roc.json"), QStringLiteral("--pr"), QStringLiteral("m/prc.json"),
                                                          QStringLiteral("--confusion"), QStringLiteral("m/confusion.json")});
        QVERIFY2(eval.isOk(), qPrintable(eval.status().message()));
        const QJsonObject metrics = json(QStringLiteral("m/metrics.json")).toObject();
        // x separates the classes completely (positives >= 2.0 > every negative): a perfect ranking.
        QCOMPARE(metrics.value(QStringLiteral("roc_auc")).toDouble(), 1.0);
        QCOMPARE(metrics.value(QStringLiteral("average_precision")).toDouble(), 1.0);
        QCOMPARE(metrics.value(QStringLiteral("rows")).toInt(), 200);
        QCOMPARE(metrics.value(QStringLiteral("tp")).toInt() + metrics.value(QStringLiteral("fn")).toInt(), 20);
        const QJsonArray roc = json(QStringLiteral("m/roc.json")).toArray();
        QVERIFY(roc.size() >= 2 && roc.size() <= 202);
        QCOMPARE(roc.last().toObject().value(QStringLiteral("tpr")).toDouble(), 1.0);
        QCOMPARE(json(QStringLiteral("m/confusion.json")).toArray().size(), 200);
        QVERIFY(json(QStringLiteral("m/prc.json")).toArray().first().toObject().contains(QStringLiteral("precision")));

        auto pass = runStage(QStringLiteral("gate"), {QStringLiteral("--metrics"), QStringLiteral("m/metrics.json"), QStringLiteral("--rules"), QStringLiteral("roc_auc >= 0.9"),
                                                      QStringLiteral("--report"), QStringLiteral("m/gate.json")});
        QVERIFY(pass.isOk());
        QVERIFY(pass->findings.isEmpty());
        QVERIFY(json(QStringLiteral("m/gate.json")).toObject().value(QStringLiteral("passed")).toBool());
        auto failGate = runStage(QStringLiteral("gate"), {QStringLiteral("--metrics"), QStringLiteral("m/metrics.json"), QStringLiteral("--rules"),
                                                          QStringLiteral("roc_auc >= 0.9, accuracy > 1, mystery >= 0")});
        QVERIFY(failGate.isOk());
        QCOMPARE(failGate->findings.size(), 2);
        QVERIFY2(failGate->findings[1].contains(QStringLiteral("no 'mystery'")), qPrintable(failGate->findings[1]));
    }

    void validateFindsViolations()
    {
        QFile schema(m_dir.filePath(QStringLiteral("data.schema.yaml")));
        QVERIFY(schema.open(QIODevice::WriteOnly));
        schema.write("version: 1\ncolumns:\n  - name: id\n    type: int\n  - name: time\n    type: timestamp\n  - name: x\n    type: float\n    max: 2.0\n"
                     "  - name: kind\n    type: category\n    allowed_values: [a, b]\n  - name: label\n    type: int\n");
        schema.close();
        auto v = runStage(QStringLiteral("validate"), {QStringLiteral("--input"), QStringLiteral("data.csv"), QStringLiteral("--schema"), QStringLiteral("data.schema.yaml"),
                                                       QStringLiteral("--report"), QStringLiteral("v/report.json")});
        QVERIFY2(v.isOk(), qPrintable(v.status().message()));
        QCOMPARE(v->findings.size(), 1);
        QVERIFY2(v->findings[0].contains(QStringLiteral("column 'x' breaks 'max'")), qPrintable(v->findings[0]));
        QVERIFY(json(QStringLiteral("v/report.json")).toObject().contains(QStringLiteral("violations")));
        auto load = runStage(QStringLiteral("load"), {QStringLiteral("--source"), QStringLiteral("data.csv"), QStringLiteral("--output"), QStringLiteral("l/out.csv"),
                                                      QStringLiteral("--columns"), QStringLiteral("x,label"), QStringLiteral("--max-rows"), QStringLiteral("10")});
        QVERIFY(load.isOk());
        auto loaded = stages::CsvTable::read(m_dir.filePath(QStringLiteral("l/out.csv")));
        QCOMPARE(loaded->columns, (QStringList{QStringLiteral("x"), QStringLiteral("label")}));
        QCOMPARE(loaded->rows.size(), size_t(10));
        auto missingCol = runStage(QStringLiteral("load"), {QStringLiteral("--source"), QStringLiteral("data.csv"), QStringLiteral("--output"), QStringLiteral("l/x.csv"),
                                                            QStringLiteral("--columns"), QStringLiteral("nope")});
        QVERIFY(!missingCol.isOk());
        QVERIFY(missingCol.status().message().contains(QStringLiteral("no column 'nope'")));
    }
};

QTEST_GUILESS_MAIN(TstBuiltinStages)
#include "tst_builtin_stages.moc"
