// Labelled production rows (core/ct/production_rows.h): the cells as the dataset writes them
// (float32 read back exactly, whole numbers bare, missing values empty), the data policies (all,
// the recent window, a seeded sample that keeps the log's order and is the same for the same seed),
// and the reader on a real database written through core/monitor: rows of a version the registry
// does not know are counted with why, never guessed; labels after a feedback id only; columns
// nothing fills reported; a label column the dataset lacks refused.
#include "core/ct/ct_config.h"
#include "core/ct/production_rows.h"
#include "core/monitor/feedback_store.h"
#include "core/monitor/prediction_log.h"
#include "core/registry/model_registry.h"
#include "core/store/database.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace orrery;
using namespace orrery::ct;

namespace {

std::vector<ProductionRow> rowsAt(const QVector<qint64> &times)
{
    std::vector<ProductionRow> rows;
    for (int i = 0; i < times.size(); ++i)
        rows.push_back({i + 1, 0, times[i], {QString::number(i + 1)}});
    return rows;
}

QVector<qint64> ids(const std::vector<ProductionRow> &rows)
{
    QVector<qint64> out;
    for (const auto &r : rows)
        out << r.predictionId;
    return out;
}

serve::PredictionRecord record(const QString &id, const QString &version, float x, const char *c)
{
    serve::PredictionRecord r;
    r.requestId = id;
    r.endpoint = QStringLiteral("fraud");
    r.version = version;
    r.time = QDateTime(QDate(2026, 3, 10), QTime(9, 0), Qt::UTC);
    r.inputs = {{QStringLiteral("x"), QStringLiteral("FP32"), 1, 1, {x}, {}}, {QStringLiteral("c"), QStringLiteral("BYTES"), 1, 1, {}, {QString::fromLatin1(c)}}};
    r.outputs = {{QStringLiteral("p"), 1, 1, {0.5}}};
    return r;
}

} // namespace

class TstProductionRows : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cells()
    {
        QCOMPARE(floatCell(double(12.34f)), QStringLiteral("12.34"));
        QCOMPARE(floatCell(double(0.1f)), QStringLiteral("0.1"));
        QCOMPARE(floatCell(3650), QStringLiteral("3650"));
        QCOMPARE(floatCell(-2), QStringLiteral("-2"));
        QCOMPARE(floatCell(1e6), QStringLiteral("1000000")); // not 1e+06, which an int column would refuse
        QCOMPARE(floatCell(double(1.0e-7f)), QStringLiteral("1e-07"));
        QCOMPARE(floatCell(NAN), QString());
        QCOMPARE(floatCell(INFINITY), QString());
        // Every float of a sweep reads back as itself.
        for (float f = -1000.0f; f < 1000.0f; f += 0.37f)
            QCOMPARE(floatCell(double(f)).toFloat(), f);
        QCOMPARE(numberCell(1), QStringLiteral("1"));
        QCOMPARE(numberCell(0.25), QStringLiteral("0.25"));
        QCOMPARE(numberCell(0.1 + 0.2), QStringLiteral("0.30000000000000004"));
        QCOMPARE(numberCell(NAN), QString());
    }

    void policies()
    {
        const qint64 now = 1'000'000;
        DatasetConfig all;
        QCOMPARE(ids(chooseRows(rowsAt({1, 2, 3}), all, now)), (QVector<qint64>{1, 2, 3}));

        DatasetConfig recent;
        recent.policy = DataPolicy::Recent;
        recent.windowMs = 500'000;
        // Predicted at or after now − window.
        QCOMPARE(ids(chooseRows(rowsAt({100'000, 499'999, 500'000, 900'000}), recent, now)), (QVector<qint64>{3, 4}));

        DatasetConfig sample;
        sample.policy = DataPolicy::Sample;
        sample.rows = 10;
        sample.seed = 42;
        QVector<qint64> times(100, 0);
        const auto a = ids(chooseRows(rowsAt(times), sample, now));
        QCOMPARE(a.size(), 10);
        QVERIFY(std::is_sorted(a.begin(), a.end()));              // the log's order
        QCOMPARE(QSet<qint64>(a.begin(), a.end()).size(), 10);   // no row twice
        QCOMPARE(ids(chooseRows(rowsAt(times), sample, now)), a); // the same seed, the same rows
        sample.seed = 43;
        QVERIFY(ids(chooseRows(rowsAt(times), sample, now)) != a);
        // Fewer rows than asked for: all of them.
        QCOMPARE(ids(chooseRows(rowsAt({1, 2, 3}), sample, now)).size(), 3);
        // Every row is equally likely: over many seeds each of 20 rows is drawn about 5 in 20 times.
        QVector<int> drawn(20, 0);
        sample.rows = 5;
        for (quint64 seed = 0; seed < 4000; ++seed) {
            sample.seed = seed;
            for (qint64 id : ids(chooseRows(rowsAt(QVector<qint64>(20, 0)), sample, now)))
                ++drawn[int(id - 1)];
        }
        for (int n : drawn) // expected 1000 each; 5 standard deviations (~27) either side
            QVERIFY2(n > 860 && n < 1140, qPrintable(QString::number(n)));
    }

    void readerOnARealLog()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("orrery.db"));
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(path, o);
        QVERIFY(db);
        registry::ModelRegistry models(**db);
        registry::NewVersion v;
        v.name = QStringLiteral("fraud");
        v.source = QStringLiteral("m.pt");
        v.signature = QJsonObject{{QStringLiteral("inputs"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("x")}, {QStringLiteral("columns"), QJsonArray{QStringLiteral("amount")}}},
                                                                        QJsonObject{{QStringLiteral("name"), QStringLiteral("c")}, {QStringLiteral("columns"), QJsonArray{QStringLiteral("channel")}}}}}};
        QVERIFY(models.createVersion(v)); // version 1
        {
            monitor::PredictionLogOptions options;
            options.inputRate = 1;
            auto log = monitor::PredictionLog::open(path, options);
            QVERIFY(log);
            (*log)->record(record(QStringLiteral("r1"), QStringLiteral("1"), 2.5f, "pos"));
            (*log)->record(record(QStringLiteral("r2"), QStringLiteral("7"), 3.5f, "atm")); // a version the registry never had
            (*log)->record(record(QStringLiteral("r3"), QStringLiteral("1"), 4.5f, "online"));
            QVERIFY((*log)->flush());
        }
        auto feedback = monitor::FeedbackStore::open(path);
        QVERIFY(feedback);
        QVERIFY((*feedback)->store(QStringLiteral("fraud"), {{QStringLiteral("r1"), 0, true, 1, {}}, {QStringLiteral("r2"), 0, true, 0, {}}}));
        QVERIFY((*feedback)->store(QStringLiteral("fraud"), {{QStringLiteral("r3"), 0, false, 0, QStringLiteral("fraud")}}));

        CtConfig config;
        config.model = QStringLiteral("fraud");
        config.endpoint = QStringLiteral("fraud");
        config.dataset.path = QStringLiteral("d.csv");
        config.dataset.label = QStringLiteral("label");
        config.dataset.columns = {{QStringLiteral("id"), ColumnFill::Kind::Prediction, {}}};
        const QStringList header = {QStringLiteral("id"), QStringLiteral("amount"), QStringLiteral("note"), QStringLiteral("channel"), QStringLiteral("label")};
        ProductionRowReader reader(**db, config);
        ProductionRowsReport report;
        auto rows = reader.read(header, 0, &report);
        QVERIFY2(rows, qPrintable(rows.status().toString()));
        QCOMPARE(rows->size(), size_t(2));
        QCOMPARE((*rows)[0].cells, (QStringList{QStringLiteral("P1-0"), QStringLiteral("2.5"), QString(), QStringLiteral("pos"), QStringLiteral("1")}));
        QCOMPARE((*rows)[1].cells, (QStringList{QStringLiteral("P3-0"), QStringLiteral("4.5"), QString(), QStringLiteral("online"), QStringLiteral("fraud")}));
        QCOMPARE(report.labelled, 3);
        QCOMPARE(report.usable, 2);
        QCOMPARE(report.unusable, 1);
        QCOMPARE(report.problems, QStringList{QStringLiteral("fraud has no version '7' in the registry, so its inputs cannot be read back")});
        QCOMPARE(report.emptyColumns, QStringList{QStringLiteral("note")});
        QCOMPARE(report.feedbackThrough, 3);
        // After a feedback id: only the labels that came later.
        ProductionRowsReport later;
        auto after = ProductionRowReader(**db, config).read(header, 2, &later);
        QCOMPARE(after->size(), size_t(1));
        QCOMPARE((*after)[0].predictionId, 3);
        // A label column the dataset does not have; a fill of a column it does not have.
        ProductionRowsReport bad;
        auto noLabel = ProductionRowReader(**db, config).read({QStringLiteral("id"), QStringLiteral("amount")}, 0, &bad);
        QCOMPARE(noLabel.status().code(), ErrorCode::InvalidArgument);
        QVERIFY(noLabel.status().message().contains(QStringLiteral("has no column 'label' (ct.yaml's dataset.label)")));
        auto noFill = ProductionRowReader(**db, config).read({QStringLiteral("amount"), QStringLiteral("label")}, 0, &bad);
        QVERIFY(noFill.status().message().contains(QStringLiteral("dataset.columns names 'id', which the dataset d.csv does not have")));
    }
};

QTEST_GUILESS_MAIN(TstProductionRows)
#include "tst_production_rows.moc"
