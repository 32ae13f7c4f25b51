// Evaluation statistics against scikit-learn (Debian's python3-sklearn) as the oracle, on seeded
// random predictions with ties, plus closed-form cases and per-slice figures.

#include "core/common/random.h"
#include "core/train/evaluation.h"
#include "tests/support/test_support.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace orrery;
using namespace orrery::train;

namespace {

const char *kPython = "/usr/bin/python3";

QJsonObject oracle(const QString &kind, const QString &csvPath)
{
    const testing::ProcessResult r = testing::run(QString::fromLatin1(kPython),
                                                  {QStringLiteral(ORRERY_SOURCE_DIR "/tests/auto/train/metrics_oracle.py"), kind, csvPath});
    if (!r.ok()) // before, a failed oracle was a warning and an empty answer
        qFatal("the sklearn oracle failed (python3-sklearn for /usr/bin/python3): %s", qPrintable(r.describe()));
    return QJsonDocument::fromJson(r.out.toUtf8()).object();
}

void compareWithOracle(const MetricMap &ours, const QJsonObject &theirs)
{
    QVERIFY2(!theirs.isEmpty(), "the sklearn oracle printed nothing");
    for (auto it = theirs.begin(); it != theirs.end(); ++it) {
        QVERIFY2(ours.contains(it.key()), qPrintable(it.key()));
        const double a = ours.value(it.key()), b = it.value().toDouble();
        QVERIFY2(std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b)),
                 qPrintable(QStringLiteral("%1: ours %2, sklearn %3").arg(it.key()).arg(a, 0, 'g', 17).arg(b, 0, 'g', 17)));
    }
}

} // namespace

class TstEvaluation : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        // No skip: the scikit-learn oracle is what these tests check against.
        QVERIFY2(QFile::exists(QString::fromLatin1(kPython)), "no /usr/bin/python3: run packaging/setup.sh --test (python3-sklearn)");
    }

    void binaryMatchesSklearn()
    {
        common::Random rnd(11);
        const int n = 500;
        std::vector<double> prob;
        std::vector<int> labels;
        QByteArray csv = "y,p0,p1\n";
        for (int i = 0; i < n; ++i) {
            const int y = rnd.bernoulli(0.3) ? 1 : 0;
            // Informative, rounded to two decimals so there are many ties.
            double p = std::clamp(0.3 + (y ? 0.25 : -0.1) + rnd.normal(0, 0.2), 0.0, 1.0);
            p = std::round(p * 100) / 100;
            prob.push_back(1 - p);
            prob.push_back(p);
            labels.push_back(y);
            csv += QByteArray::number(y) + ',' + QByteArray::number(1 - p, 'g', 17) + ',' + QByteArray::number(p, 'g', 17) + '\n';
        }
        const QString path = m_dir.filePath(QStringLiteral("binary.csv"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(csv);
        f.close();
        compareWithOracle(classificationMetrics(prob, 2, labels), oracle(QStringLiteral("classification"), path));
    }

    void multiclassMatchesSklearn()
    {
        common::Random rnd(12);
        const int n = 400, k = 4;
        std::vector<double> prob;
        std::vector<int> labels;
        QByteArray csv = "y,p0,p1,p2,p3\n";
        for (int i = 0; i < n; ++i) {
            const int y = int(rnd.below(k));
            double w[k], sum = 0;
            for (int c = 0; c < k; ++c) {
                w[c] = std::exp(rnd.normal(c == y ? 1.0 : 0.0, 1.0));
                sum += w[c];
            }
            csv += QByteArray::number(y);
            for (int c = 0; c < k; ++c) {
                prob.push_back(w[c] / sum);
                csv += ',' + QByteArray::number(w[c] / sum, 'g', 17);
            }
            csv += '\n';
            labels.push_back(y);
        }
        const QString path = m_dir.filePath(QStringLiteral("multi.csv"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(csv);
        f.close();
        compareWithOracle(classificationMetrics(prob, k, labels), oracle(QStringLiteral("classification"), path));
    }

    void regressionMatchesSklearn()
    {
        common::Random rnd(13);
        std::vector<double> pred, actual;
        QByteArray csv = "y,yhat\n";
        for (int i = 0; i < 300; ++i) {
            const double y = rnd.normal(10, 4), yhat = y + rnd.normal(0, 1.5);
            pred.push_back(yhat);
            actual.push_back(y);
            csv += QByteArray::number(y, 'g', 17) + ',' + QByteArray::number(yhat, 'g', 17) + '\n';
        }
        const QString path = m_dir.filePath(QStringLiteral("regression.csv"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(csv);
        f.close();
        compareWithOracle(regressionMetrics(pred, actual), oracle(QStringLiteral("regression"), path));
    }

    void closedForms()
    {
        // Perfect ranking, reversed ranking, all ties.
        QCOMPARE(rocAuc({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1}), 1.0);
        QCOMPARE(rocAuc({0.9, 0.8, 0.2, 0.1}, {0, 0, 1, 1}), 0.0);
        QCOMPARE(rocAuc({0.5, 0.5, 0.5, 0.5}, {0, 1, 0, 1}), 0.5);
        QVERIFY(std::isnan(rocAuc({0.1, 0.2}, {1, 1}))); // one class: undefined
        QCOMPARE(averagePrecision({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1}), 1.0);
        // Positives ranked 1st and 3rd: AP = (1/2)·1 + (1/2)·(2/3).
        QVERIFY(std::abs(averagePrecision({0.9, 0.8, 0.7, 0.1}, {1, 0, 1, 0}) - (0.5 + 1.0 / 3.0)) < 1e-15);
        // ECE: two bins, each half the rows, each off by 0.25.
        QVERIFY(std::abs(expectedCalibrationError({0.25, 0.25, 0.75, 0.75}, {0, 1, 1, 1}) - 0.25) < 1e-15);
        // A perfectly calibrated constant: ECE 0.
        QCOMPARE(expectedCalibrationError({0.5, 0.5, 0.5, 0.5}, {0, 1, 0, 1}), 0.0);
        const auto r = regressionMetrics({1, 2, 3, 5}, {1, 2, 4, 4});
        QCOMPARE(r.value(QStringLiteral("mae")), 0.5);
        QCOMPARE(r.value(QStringLiteral("rmse")), std::sqrt(0.5));
        QCOMPARE(r.value(QStringLiteral("mape")), (0.25 + 0.25) / 4);
        // Log loss of certain right answers is ~0, of a coin flip ln 2.
        const auto c = classificationMetrics({0.5, 0.5, 0.5, 0.5}, 2, {0, 1});
        QVERIFY(std::abs(c.value(QStringLiteral("log_loss")) - std::log(2.0)) < 1e-15);
        QCOMPARE(c.value(QStringLiteral("accuracy")), 0.5); // 0.5 is not > 0.5: both predicted 0
    }

    void perSlice()
    {
        const std::vector<double> prob = {0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7, 0.8, 0.2, 0.1, 0.9};
        const std::vector<int> labels = {0, 1, 1, 1, 0, 0};
        const QStringList slices = {QStringLiteral("pos"), QStringLiteral("online"), QStringLiteral("pos"),
                                    QStringLiteral("online"), QStringLiteral("pos"), QStringLiteral("online")};
        const Evaluation e = evaluateClassification(prob, 2, labels, slices, QStringLiteral("channel"));
        QCOMPARE(e.slices.size(), 2);
        // The "pos" slice: rows 0, 2, 4.
        const MetricMap pos = classificationMetrics({0.9, 0.1, 0.6, 0.4, 0.8, 0.2}, 2, {0, 1, 0});
        QCOMPARE(e.slices.value(QStringLiteral("pos")), pos);
        QCOMPARE(e.slices.value(QStringLiteral("online")).value(QStringLiteral("rows")), 3.0);
        const QJsonObject json = e.toJson();
        QCOMPARE(json.value(QStringLiteral("slice_column")).toString(), QStringLiteral("channel"));
        QVERIFY(json.value(QStringLiteral("slices")).toObject().contains(QStringLiteral("online")));
        const Evaluation reg = evaluateRegression({1, 2, 3}, {1, 2, 4}, {QStringLiteral("a"), QStringLiteral("a"), QStringLiteral("b")}, QStringLiteral("s"));
        QCOMPARE(reg.slices.value(QStringLiteral("a")).value(QStringLiteral("mae")), 0.0);
        QCOMPARE(reg.slices.value(QStringLiteral("b")).value(QStringLiteral("mae")), 1.0);
    }
};

QTEST_GUILESS_MAIN(TstEvaluation)
#include "tst_evaluation.moc"
