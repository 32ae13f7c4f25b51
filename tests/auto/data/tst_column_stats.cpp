// Column statistics against closed forms and against an independent oracle: the same figures
// computed by Python's csv module and NumPy (tests/auto/data/stats_oracle.py, run with Debian's
// /usr/bin/python3, which has python3-numpy) on real data that Debian ships and on the demo's
// fraud data. Also the sketches' error bounds past their exact limits.
#include "core/common/job.h"
#include "core/data/column_profiler.h"
#include "core/data/dataset_profile.h"
#include "core/data/distinct_counter.h"
#include "core/data/fraud_generator.h"
#include "core/data/frequent_values.h"
#include "core/data/null_values.h"
#include "core/data/quantile_sketch.h"
#include "tests/support/test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace orrery;
using data::ColumnStats;
using data::ColumnType;
using testing::writeFile;

namespace {

const QString kSklearn = QStringLiteral("/usr/lib/python3/dist-packages/sklearn/datasets/data/");

data::DatasetProfile profileOf(const QString &path, data::ProfileOptions options = {})
{
    auto p = data::profileCsv(path, options);
    if (!p)
        qFatal("%s", qPrintable(p.status().message()));
    return *p;
}

bool near(double a, double b, double relative = 1e-12)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    return std::fabs(a - b) <= relative * std::max({1.0, std::fabs(a), std::fabs(b)});
}

QJsonArray runOracle(const QString &csv, const data::ProfileOptions &options)
{
    const testing::ProcessResult r = testing::run(
        QStringLiteral("/usr/bin/python3"),
        {QStringLiteral(ORRERY_SOURCE_DIR "/tests/auto/data/stats_oracle.py"), csv, QString::number(options.csv.skipLines),
         options.csv.hasHeader ? QStringLiteral("1") : QStringLiteral("0"),
         QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(data::NullValues().tokens())).toJson(QJsonDocument::Compact)),
         QString::number(options.histogramBins)});
    if (!r.ok())
        qFatal("the NumPy oracle failed (install python3-numpy for /usr/bin/python3): %s", qPrintable(r.describe()));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(r.out.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray())
        qFatal("the NumPy oracle printed no JSON array: %s", qPrintable(r.describe()));
    return doc.array();
}

// Every figure the oracle computes must match ours.
void compareWithOracle(const QString &csv, data::ProfileOptions options = {})
{
    const data::DatasetProfile ours = profileOf(csv, options);
    const QJsonArray oracle = runOracle(csv, options);
    QCOMPARE(qsizetype(ours.columns.size()), oracle.size());
    for (size_t i = 0; i < ours.columns.size(); ++i) {
        const ColumnStats &c = ours.columns[i];
        const QJsonObject o = oracle[qsizetype(i)].toObject();
        const QByteArray where = (QFileInfo(csv).fileName() + QStringLiteral(" column ") + c.name).toUtf8();
        QVERIFY2(c.name == o[QStringLiteral("name")].toString(), where);
        QVERIFY2(c.count == o[QStringLiteral("count")].toInteger(), where);
        QVERIFY2(c.nulls == o[QStringLiteral("nulls")].toInteger(), where);
        QVERIFY2(c.distinct == o[QStringLiteral("distinct")].toInteger(), where + " distinct");
        QVERIFY2(c.distinctExact, where);
        QVERIFY2(c.isNumeric() == o.contains(QStringLiteral("mean")), where + " numeric");
        if (c.isNumeric()) {
            QVERIFY2(near(c.mean, o[QStringLiteral("mean")].toDouble(), 1e-12), where + " mean");
            QVERIFY2(near(c.std, o[QStringLiteral("std")].isNull() ? std::nan("") : o[QStringLiteral("std")].toDouble(), 1e-9),
                     where + " std");
            QVERIFY2(c.min == o[QStringLiteral("min")].toDouble() && c.max == o[QStringLiteral("max")].toDouble(), where + " range");
            QVERIFY2(c.quantilesExact, where);
            const QJsonObject q = o[QStringLiteral("quantiles")].toObject();
            for (const auto &[p, v] : c.quantiles)
                QVERIFY2(near(v, q[data::quantileName(p)].toDouble()), where + ' ' + data::quantileName(p).toUtf8());
            const QJsonObject h = o[QStringLiteral("histogram")].toObject();
            const QJsonArray counts = h[QStringLiteral("counts")].toArray();
            const QJsonArray edges = h[QStringLiteral("edges")].toArray();
            QCOMPARE(qsizetype(c.histogram.counts.size()), counts.size());
            for (qsizetype b = 0; b < counts.size(); ++b)
                QVERIFY2(c.histogram.counts[size_t(b)] == counts[b].toInteger(), where + " histogram bin " + QByteArray::number(b));
            for (qsizetype b = 0; b < edges.size(); ++b)
                QVERIFY2(near(c.histogram.edges[size_t(b)], edges[b].toDouble()), where + " histogram edge");
        }
        // Top values: each count is the oracle's count of that text, and the counts are the
        // oracle's largest counts (ties may list different values).
        const QJsonObject vc = o[QStringLiteral("value_counts")].toObject();
        if (!vc.isEmpty() && c.type != ColumnType::Float) {
            QVERIFY2(c.topExact, where);
            std::vector<qint64> expected;
            for (auto it = vc.begin(); it != vc.end(); ++it)
                expected.push_back(it.value().toInteger());
            std::sort(expected.rbegin(), expected.rend());
            for (size_t k = 0; k < c.top.size(); ++k) {
                QVERIFY2(c.top[k].count == vc[c.top[k].value].toInteger(), where + " top " + c.top[k].value.toUtf8());
                QVERIFY2(c.top[k].count == expected[k], where + " top order");
            }
        }
    }
}

} // namespace

class TstColumnStats : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    // 1..100: mean 50.5, sample std sqrt(841.666…) = 29.011491975882016, numpy-linear quantiles
    // at (n - 1) p: p01 = 1.99, p25 = 25.75, p50 = 50.5, p99 = 99.01; 20 bins of 5 values each.
    void closedFormOneToHundred()
    {
        QByteArray text = "x\n";
        for (int i = 100; i >= 1; --i) // order must not matter
            text += QByteArray::number(i) + '\n';
        const ColumnStats c = profileOf(writeFile(m_dir, QStringLiteral("hundred.csv"), text)).columns.at(0);
        QCOMPARE(c.type, ColumnType::Int);
        QCOMPARE(c.count, 100);
        QCOMPARE(c.nulls, 0);
        QVERIFY(near(c.mean, 50.5));
        QVERIFY(near(c.std, 29.011491975882016, 1e-14));
        QCOMPARE(c.minInt, 1);
        QCOMPARE(c.maxInt, 100);
        const std::vector<double> expected = {1.99, 5.95, 25.75, 50.5, 75.25, 95.05, 99.01};
        for (size_t i = 0; i < expected.size(); ++i)
            QVERIFY2(near(c.quantiles[i].second, expected[i], 1e-12), qPrintable(data::quantileName(c.quantiles[i].first)));
        QCOMPARE(c.histogram.counts, std::vector<qint64>(20, 5));
        QCOMPARE(c.histogram.edges.front(), 1.0);
        QCOMPARE(c.histogram.edges.back(), 100.0);
        QCOMPARE(c.distinct, 100);
        QVERIFY(c.isUnique());
    }

    void missingValuesAndKinds()
    {
        const QString path = writeFile(m_dir, QStringLiteral("mixed.csv"),
                                       "n,f,b,t,c,s\n"
                                       "1,0.5,true,2026-01-01,red,=cmd\n"
                                       "NA,,false,2026-01-03T10:00:00Z,blue,x\n"
                                       "3,2.5,TRUE,,red,y\n"
                                       ",N/A,,2025-12-31 23:00:00,red,z\n"
                                       "5,1e3,false,2026-01-02,blue,w\n");
        const data::DatasetProfile p = profileOf(path);
        QCOMPARE(p.rows, 5);
        const ColumnStats &n = p.columns[0];
        QCOMPARE(n.type, ColumnType::Int);
        QCOMPARE(n.count, 3);
        QCOMPARE(n.nulls, 2);
        QVERIFY(near(n.nullFraction(), 0.4));
        QVERIFY(near(n.mean, 3.0) && near(n.std, 2.0));
        QCOMPARE(p.columns[1].type, ColumnType::Float);
        QVERIFY(near(p.columns[1].mean, 1003.0 / 3.0));
        QCOMPARE(p.columns[2].type, ColumnType::Bool);
        QCOMPARE(p.columns[3].type, ColumnType::Timestamp);
        QCOMPARE(data::formatTimestamp(p.columns[3].minTimestamp), QStringLiteral("2025-12-31T23:00:00Z"));
        QCOMPARE(data::formatTimestamp(p.columns[3].maxTimestamp), QStringLiteral("2026-01-03T10:00:00Z"));
        QCOMPARE(p.columns[4].type, ColumnType::Category);
        QCOMPARE(p.columns[4].top.at(0).value, QStringLiteral("red"));
        QCOMPARE(p.columns[4].top.at(0).count, 3);
        QCOMPARE(p.columns[5].type, ColumnType::String); // five distinct texts: not a category
        QCOMPARE(p.columns[5].formulaLike, 1);
        QCOMPARE(p.columns[5].texts, 5);
        // One value: std is undefined (NaN, null in JSON), like numpy with ddof=1.
        const ColumnStats one = profileOf(writeFile(m_dir, QStringLiteral("one.csv"), "v\n7\n")).columns.at(0);
        QVERIFY(std::isnan(one.std));
        QVERIFY(one.toJson()[QStringLiteral("std")].isNull());
        QCOMPARE(one.histogram.counts[10], 1); // numpy: a constant column sits in the middle bin
    }

    void realDataAgainstNumpy_data()
    {
        QTest::addColumn<QString>("file");
        for (const char *f : {"iris.csv", "wine_data.csv", "breast_cancer.csv"})
            QTest::newRow(f) << QString::fromLatin1(f);
    }
    void realDataAgainstNumpy()
    {
        QFETCH(QString, file);
        const QString path = kSklearn + file;
        // No skip: packaging/setup.sh --test installs python3-sklearn, whose CSVs these are.
        QVERIFY2(QFile::exists(path), qPrintable(path + QStringLiteral(" is missing: run packaging/setup.sh --test (python3-sklearn)")));
        data::ProfileOptions options;
        options.csv.skipLines = 1; // scikit-learn's first line holds counts and class names
        options.csv.hasHeader = false;
        compareWithOracle(path, options);
    }

    void fraudDataAgainstNumpy()
    {
        data::FraudDataOptions fraud;
        fraud.rows = 5000;
        const QString path = m_dir.filePath(QStringLiteral("fraud.csv"));
        QVERIFY(data::writeFraudCsv(path, fraud).isOk());
        compareWithOracle(path);
        const data::DatasetProfile p = profileOf(path);
        QCOMPARE(p.columns[0].type, ColumnType::String); // T0000001…: an id
        QVERIFY(p.columns[0].isUnique());
        QCOMPARE(p.columns[1].type, ColumnType::Timestamp);
        QCOMPARE(p.columns[5].type, ColumnType::Category); // channel
        QCOMPARE(p.columns[5].categories.size(), size_t(3));
        QCOMPARE(p.columns[8].type, ColumnType::Int); // customer_age, with missing values
        QVERIFY(p.columns[8].nulls > 0);
    }

    // Past the exact limit: a reservoir sample, with the rank error it reports holding.
    void quantileSketchKeepsItsBound()
    {
        data::QuantileSketch sketch(/*exactLimit*/ 10000, /*sampleSize*/ 4096, 1);
        std::mt19937_64 rng(3);
        std::vector<double> all;
        for (int i = 0; i < 200000; ++i) {
            const double v = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
            all.push_back(v);
            sketch.add(v);
        }
        sketch.finish();
        QVERIFY(!sketch.isExact());
        const double eps = sketch.rankError(0.001);
        QVERIFY(near(eps, std::sqrt(std::log(2000.0) / 8192.0))); // DKW: sqrt(ln(2 / delta) / (2 k)), about 0.031
        std::sort(all.begin(), all.end());
        for (double p : data::standardQuantiles()) {
            const double q = sketch.quantile(p);
            const double rank = double(std::lower_bound(all.begin(), all.end(), q) - all.begin()) / double(all.size());
            QVERIFY2(std::fabs(rank - p) <= eps, qPrintable(QStringLiteral("p=%1 rank=%2 eps=%3").arg(p).arg(rank).arg(eps)));
        }
        const data::Histogram h = sketch.histogram(10, all.front(), all.back());
        qint64 total = 0;
        for (qint64 c : h.counts) {
            total += c;
            QVERIFY(std::llabs(c - 20000) < 2000); // scaled sample counts of a uniform column
        }
        QVERIFY(std::llabs(total - 200000) < 100);
    }

    void distinctCounterPastItsLimit()
    {
        data::DistinctCounter counter(/*exactLimit*/ 1000, /*precision*/ 14);
        for (quint64 i = 0; i < 500000; ++i)
            counter.add(data::hashInteger(i % 300000));
        QVERIFY(!counter.isExact());
        QVERIFY(std::fabs(double(counter.count()) - 300000.0) / 300000.0 < 3 * counter.relativeError());
        data::DistinctCounter exact(1000);
        for (quint64 i = 0; i < 5000; ++i)
            exact.add(data::hashInteger(i % 700));
        QVERIFY(exact.isExact());
        QCOMPARE(exact.count(), 700);
    }

    // Misra–Gries: a value seen more than n / (capacity + 1) times is always listed, and each
    // count is low by at most countError().
    void frequentValuesGuarantee()
    {
        data::FrequentValues f(64);
        const int n = 100000;
        for (int i = 0; i < n; ++i) {
            const QByteArray v = i % 10 == 0 ? QByteArray("heavy") : QByteArray::number(i);
            f.add(data::hashBytes(std::string_view(v.constData(), size_t(v.size()))), std::string_view(v.constData(), size_t(v.size())));
        }
        QVERIFY(!f.isExact());
        QVERIFY(f.countError() <= n / 65);
        const auto top = f.top(1);
        QCOMPARE(top.at(0).value, QStringLiteral("heavy"));
        QVERIFY(top.at(0).count <= 10000 && top.at(0).count >= 10000 - f.countError());
    }

    // A wide file: 100,000 columns profile in bounded memory.
    void hundredThousandColumns()
    {
        QByteArray text;
        for (int i = 0; i < 100000; ++i)
            text += (i ? "," : "") + QByteArray("c") + QByteArray::number(i);
        text += '\n';
        for (int r = 0; r < 5; ++r) {
            for (int i = 0; i < 100000; ++i)
                text += (i ? "," : "") + QByteArray::number(i * r);
            text += '\n';
        }
        const data::DatasetProfile p = profileOf(writeFile(m_dir, QStringLiteral("wide.csv"), text));
        QCOMPARE(p.columns.size(), size_t(100000));
        QCOMPARE(p.columns[99999].maxInt, 4 * 99999);
        QVERIFY(near(p.columns[10].mean, 20.0));
    }

    // A profile is a job: progress in bytes, and a cancel stops it with the cancelled Status.
    void progressAndCancel()
    {
        QByteArray text = "a,b\n";
        for (int i = 0; i < 200000; ++i)
            text += QByteArray::number(i) + ",x\n";
        const QString path = writeFile(m_dir, QStringLiteral("long.csv"), text);
        common::Job done(QStringLiteral("profile"), [&](common::JobContext &job) { return data::profileCsv(path, {}, &job).status(); });
        done.start();
        QVERIFY(done.wait(60000));
        QVERIFY(done.result().isOk());
        QCOMPARE(done.progressDone(), qint64(text.size()));

        std::atomic<bool> started{false};
        common::Job cancelled(QStringLiteral("profile"), [&](common::JobContext &job) {
            started = true;
            while (!job.isCancelled())
                QThread::msleep(1); // cancel before the pass begins: it must notice at its first check
            return data::profileCsv(path, {}, &job).status();
        });
        cancelled.start();
        QTRY_VERIFY(started.load());
        cancelled.cancel();
        QVERIFY(cancelled.wait(60000));
        QCOMPARE(cancelled.result().code(), ErrorCode::Cancelled);
    }

    void errorsNameThePlace()
    {
        const QString path = writeFile(m_dir, QStringLiteral("bad.csv"), "a,b\n1,2\n3\n");
        auto p = data::profileCsv(path, {});
        QVERIFY(!p);
        QVERIFY2(p.status().message().startsWith(path + QStringLiteral(":3:2: this record has 1 field")), qPrintable(p.status().message()));
    }
};

QTEST_GUILESS_MAIN(TstColumnStats)
#include "tst_column_stats.moc"
