// core/monitor/feedback_accuracy.h against figures worked out by hand (and checked once with
// scikit-learn: roc_auc_score([1,1,0,1,0,1,0,0,0,0], [.9,.8,.7,.6,.6,.4,.3,.3,.2,.5]) = 0.8125):
// accuracy, precision, recall and F1 at 0.5, ROC-AUC with tied scores, MAE and RMSE; then the same
// rows through a real workspace database — batched requests (a label on row 1), a corrected
// label, a text label, labels that cannot be scored, unmatched labels and predictions outside
// the span — per version and per time bucket.
#include "core/monitor/feedback_accuracy.h"
#include "core/store/database.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace orrery;
using monitor::FeedbackAccuracy;

namespace {

// The ten binary rows: (score of class 1, label). Positives .9 .8 .6 .4, negatives .7 .6 .5 .3 .3 .2.
// At 0.5: TP 3 (.9 .8 .6), FP 3 (.7 .6 .5), FN 1 (.4), TN 3 → accuracy 6/10, precision 3/6,
// recall 3/4, F1 2·.5·.75/1.25 = 0.6. ROC-AUC: pairs (positive above negative) 6 + 6 + 4.5 (.6
// ties one .6, half) + 3 = 19.5 of 4 × 6 = 0.8125.
const QVector<std::pair<double, int>> kBinary{{0.9, 1}, {0.8, 1}, {0.7, 0}, {0.6, 1}, {0.6, 0},
                                              {0.4, 1}, {0.3, 0}, {0.3, 0}, {0.2, 0}, {0.5, 0}};

constexpr qint64 kT0 = 1'780'000'000'000; // ms
constexpr qint64 kMinute = 60'000;

} // namespace

class TstFeedbackAccuracy : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void binaryFiguresByHand()
    {
        std::vector<monitor::ScoredRow> rows;
        for (const auto &[score, label] : kBinary)
            rows.push_back({{1 - score, score}, double(label)});
        const monitor::AccuracyFigures f = FeedbackAccuracy::compute(rows, false);
        QVERIFY(f.classifier);
        QCOMPARE(f.labels, qint64(10));
        QCOMPARE(f.positives, qint64(4));
        QCOMPARE(f.accuracy, 0.6);
        QCOMPARE(f.precision, 0.5);
        QCOMPARE(f.recall, 0.75);
        QCOMPARE(f.f1, 0.6);
        QCOMPARE(f.rocAuc, 0.8125);
        QVERIFY(std::isnan(f.mae));

        // A one-wide output is the score of class 1: the same figures.
        std::vector<monitor::ScoredRow> narrow;
        for (const auto &[score, label] : kBinary)
            narrow.push_back({{score}, double(label)});
        const monitor::AccuracyFigures g = FeedbackAccuracy::compute(narrow, false);
        QCOMPARE(g.accuracy, 0.6);
        QCOMPARE(g.rocAuc, 0.8125);
    }

    void rocAucTiesAndDegenerateCases()
    {
        // Every score tied: no ranking at all, 0.5.
        QCOMPARE(FeedbackAccuracy::rocAuc({0.3, 0.3, 0.3, 0.3}, {1, 0, 1, 0}), 0.5);
        // Perfect and reversed.
        QCOMPARE(FeedbackAccuracy::rocAuc({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1}), 1.0);
        QCOMPARE(FeedbackAccuracy::rocAuc({0.1, 0.2, 0.8, 0.9}, {1, 1, 0, 0}), 0.0);
        // A tie across the classes at the top: positives .9 and .5, negatives .5 and .1 →
        // (1 + 1) + (0.5 + 1) = 3.5 of 4.
        QCOMPARE(FeedbackAccuracy::rocAuc({0.9, 0.5, 0.5, 0.1}, {1, 1, 0, 0}), 0.875);
        // One class only: undefined.
        QVERIFY(std::isnan(FeedbackAccuracy::rocAuc({0.2, 0.7}, {1, 1})));
        // No positive prediction: precision undefined, recall 0; no positive label: recall undefined.
        const monitor::AccuracyFigures f = FeedbackAccuracy::compute({{{0.9, 0.1}, 1}, {{0.8, 0.2}, 0}}, false);
        QVERIFY(std::isnan(f.precision));
        QCOMPARE(f.recall, 0.0);
        QVERIFY(std::isnan(f.f1));
        QCOMPARE(f.accuracy, 0.5);
        const monitor::AccuracyFigures g = FeedbackAccuracy::compute({{{0.1, 0.9}, 0}, {{0.8, 0.2}, 0}}, false);
        QVERIFY(std::isnan(g.recall));
        QVERIFY(std::isnan(g.rocAuc));
        QCOMPARE(g.precision, 0.0);
    }

    void multiclassAndRegressorAndSkippedLabels()
    {
        // Three classes: argmax against the label; a label that names no class is skipped.
        const monitor::AccuracyFigures m = FeedbackAccuracy::compute(
            {{{0.2, 0.5, 0.3}, 1}, {{0.6, 0.3, 0.1}, 2}, {{0.1, 0.1, 0.8}, 2}, {{0.3, 0.3, 0.4}, 3}, {{0.3, 0.3, 0.4}, 1.5}}, false);
        QCOMPARE(m.classes, 3);
        QCOMPARE(m.labels, qint64(3));
        QCOMPARE(m.skipped, qint64(2));
        QCOMPARE(m.accuracy, 2.0 / 3.0);
        QVERIFY(std::isnan(m.rocAuc));
        // Regressor: errors −0.5, 0, −2 → MAE 2.5/3, RMSE √(4.25/3).
        const monitor::AccuracyFigures r = FeedbackAccuracy::compute({{{2.0}, 2.5}, {{3.5}, 3.5}, {{1.0}, 3.0}}, true);
        QVERIFY(!r.classifier);
        QCOMPARE(r.labels, qint64(3));
        QVERIFY(qAbs(r.mae - 2.5 / 3.0) < 1e-12);
        QVERIFY(qAbs(r.rmse - std::sqrt(4.25 / 3.0)) < 1e-12);
        QVERIFY(std::isnan(r.accuracy));
        // A binary label other than 0 or 1 is skipped, not scored as wrong.
        const monitor::AccuracyFigures b = FeedbackAccuracy::compute({{{0.2, 0.8}, 1}, {{0.2, 0.8}, 2}}, false);
        QCOMPARE(b.labels, qint64(1));
        QCOMPARE(b.skipped, qint64(1));
        QCOMPARE(b.accuracy, 1.0);
    }

    void fromTheWorkspaceDatabase()
    {
        const QString path = m_dir.filePath(QStringLiteral("accuracy.db"));
        store::OpenOptions o;
        o.create = true;
        auto opened = store::Database::open(path, o);
        QVERIFY2(opened, qPrintable(opened.status().message()));
        store::Database &db = **opened;
        qint64 predictionId = 0;
        auto predict = [&](const QString &endpoint, const QString &version, qint64 time, const QString &outputs, int rows) {
            auto s = db.prepare(QStringLiteral("INSERT INTO predictions (request_id, endpoint, version, time, latency_ms, rows, outputs) VALUES (?,?,?,?,1.0,?,?)"));
            QVERIFY(s);
            s->bind(1, QStringLiteral("r%1").arg(predictionId + 1)).bind(2, endpoint).bind(3, version).bind(4, time).bind(5, rows).bind(6, outputs);
            QVERIFY(s->run());
            predictionId = db.lastInsertRowId();
        };
        auto label = [&](const QString &endpoint, qint64 prediction, int row, const QVariant &value, qint64 time) {
            auto s = db.prepare(QStringLiteral("INSERT INTO feedback (endpoint, request_id, row, label_number, label_text, time, prediction_id) VALUES (?,?,?,?,?,?,?)"));
            QVERIFY(s);
            s->bind(1, endpoint).bind(2, QStringLiteral("r%1").arg(prediction)).bind(3, row);
            if (value.typeId() == QMetaType::QString) {
                s->bindNull(4).bind(5, value.toString());
            } else {
                s->bind(4, value.toDouble()).bindNull(5);
            }
            s->bind(6, time);
            if (prediction > 0)
                s->bind(7, prediction);
            else
                s->bindNull(7);
            QVERIFY(s->run());
        };

        // Version 1: the ten binary rows, one a minute from kT0; the first five in the first
        // ten minutes, the rest in the next. Row 3 (.6, label 1) is row 1 of a two-row request;
        // row 0 (.9) is first labelled 0, then corrected to 1; row 5 (.4) is labelled "1" as text.
        for (int i = 0; i < kBinary.size(); ++i) {
            const double p = kBinary[i].first;
            const qint64 t = kT0 + (i < 5 ? i : 10 + i) * kMinute;
            if (i == 3) {
                predict(QStringLiteral("fraud"), QStringLiteral("1"), t, QStringLiteral("{\"probabilities\":[[0.99,0.01],[%1,%2]]}").arg(1 - p).arg(p), 2);
                label(QStringLiteral("fraud"), predictionId, 1, kBinary[i].second, t + 1000);
                continue;
            }
            predict(QStringLiteral("fraud"), QStringLiteral("1"), t, QStringLiteral("{\"probabilities\": [[%1, %2]]}").arg(1 - p).arg(p), 1);
            if (i == 0) {
                label(QStringLiteral("fraud"), predictionId, 0, 0, t + 1000);
                label(QStringLiteral("fraud"), predictionId, 0, 1, t + 2000);
            } else if (i == 5) {
                label(QStringLiteral("fraud"), predictionId, 0, QStringLiteral("1"), t + 1000);
            } else {
                label(QStringLiteral("fraud"), predictionId, 0, kBinary[i].second, t + 1000);
            }
        }
        // Version 2 on the same endpoint: right on both rows; one label "fraud" (text) skipped.
        predict(QStringLiteral("fraud"), QStringLiteral("2"), kT0 + 3 * kMinute, QStringLiteral("{\"probabilities\":[[0.1,0.9],[0.8,0.2]]}"), 2);
        label(QStringLiteral("fraud"), predictionId, 0, 1, kT0 + 4 * kMinute);
        label(QStringLiteral("fraud"), predictionId, 1, 0, kT0 + 4 * kMinute);
        predict(QStringLiteral("fraud"), QStringLiteral("2"), kT0 + 3 * kMinute, QStringLiteral("{\"probabilities\":[[0.1,0.9]]}"), 1);
        label(QStringLiteral("fraud"), predictionId, 0, QStringLiteral("fraud"), kT0 + 4 * kMinute);
        // Not counted: a label matching no prediction, a prediction before the span, another endpoint.
        label(QStringLiteral("fraud"), 0, 0, 1, kT0 + 5 * kMinute);
        predict(QStringLiteral("fraud"), QStringLiteral("1"), kT0 - kMinute, QStringLiteral("{\"probabilities\":[[0.1,0.9]]}"), 1);
        label(QStringLiteral("fraud"), predictionId, 0, 0, kT0 + kMinute);
        // A regressor on another endpoint: errors −0.5, 0, −2.
        const QList<std::pair<double, double>> prices{{2.0, 2.5}, {3.5, 3.5}, {1.0, 3.0}};
        for (const auto &[yhat, y] : prices) {
            predict(QStringLiteral("price"), QStringLiteral("4"), kT0 + kMinute, QStringLiteral("{\"prediction\":[[%1]]}").arg(yhat), 1);
            label(QStringLiteral("price"), predictionId, 0, y, kT0 + 2 * kMinute);
        }

        FeedbackAccuracy accuracy(db);
        const auto rolling = accuracy.rolling(QStringLiteral("fraud"), kT0, kT0 + 60 * kMinute);
        QVERIFY2(rolling, qPrintable(rolling.status().message()));
        QCOMPARE(rolling->size(), 2);
        const monitor::AccuracyFigures &v1 = rolling->at(0);
        QCOMPARE(v1.version, QStringLiteral("1"));
        QCOMPARE(v1.labels, qint64(10));
        QCOMPARE(v1.skipped, qint64(0));
        QCOMPARE(v1.accuracy, 0.6);
        QCOMPARE(v1.precision, 0.5);
        QCOMPARE(v1.recall, 0.75);
        QCOMPARE(v1.f1, 0.6);
        QCOMPARE(v1.rocAuc, 0.8125);
        QCOMPARE(v1.from, kT0);
        QCOMPARE(v1.to, kT0 + 60 * kMinute);
        const monitor::AccuracyFigures &v2 = rolling->at(1);
        QCOMPARE(v2.version, QStringLiteral("2"));
        QCOMPARE(v2.labels, qint64(2));
        QCOMPARE(v2.skipped, qint64(1));
        QCOMPARE(v2.accuracy, 1.0);
        QCOMPARE(v2.rocAuc, 1.0);

        // Per ten minutes: v1's first five rows (.9/1 .8/1 .7/0 .6/1 .6/0: TP 3, FP 2 → 3/5;
        // AUC: .9 and .8 above both negatives, .6 below .7 and tied with .6 → 4.5 of 6) and its last five
        // (.4/1 .3/0 .3/0 .2/0 .5/0: FN 1, FP 1, TN 3 → 3/5; AUC .4 above .3 .3 .2, below .5 → 3/4).
        const auto series = accuracy.series(QStringLiteral("fraud"), kT0, kT0 + 60 * kMinute, 10 * kMinute);
        QVERIFY2(series, qPrintable(series.status().message()));
        QCOMPARE(series->size(), 3);
        QCOMPARE(series->at(0).version, QStringLiteral("1"));
        QCOMPARE(series->at(0).from, kT0);
        QCOMPARE(series->at(0).to, kT0 + 10 * kMinute);
        QCOMPARE(series->at(0).labels, qint64(5));
        QCOMPARE(series->at(0).accuracy, 0.6);
        QCOMPARE(series->at(0).rocAuc, 0.75);
        QCOMPARE(series->at(1).version, QStringLiteral("1"));
        QCOMPARE(series->at(1).from, kT0 + 10 * kMinute);
        QCOMPARE(series->at(1).labels, qint64(5));
        QCOMPARE(series->at(1).accuracy, 0.6);
        QCOMPARE(series->at(1).rocAuc, 0.75);
        QCOMPARE(series->at(2).version, QStringLiteral("2"));

        // Both from one pass: the same figures.
        QVector<monitor::AccuracyFigures> together, buckets;
        QVERIFY(accuracy.rollingAndSeries(QStringLiteral("fraud"), kT0, kT0 + 60 * kMinute, 10 * kMinute, together, buckets));
        QCOMPARE(together.size(), 2);
        QCOMPARE(together[0].rocAuc, 0.8125);
        QCOMPARE(together[1].labels, qint64(2));
        QCOMPARE(buckets.size(), 3);
        QCOMPARE(buckets[1].from, kT0 + 10 * kMinute);
        QCOMPARE(buckets[1].rocAuc, 0.75);

        const auto price = accuracy.rolling(QStringLiteral("price"), kT0, kT0 + 60 * kMinute);
        QVERIFY(price);
        QCOMPARE(price->size(), 1);
        QVERIFY(!price->at(0).classifier);
        QVERIFY(qAbs(price->at(0).mae - 2.5 / 3.0) < 1e-12);
        QVERIFY(qAbs(price->at(0).rmse - std::sqrt(4.25 / 3.0)) < 1e-12);

        QVERIFY(!accuracy.series(QStringLiteral("fraud"), kT0, kT0 + kMinute, 0));
        const auto none = accuracy.rolling(QStringLiteral("nobody"), kT0, kT0 + kMinute);
        QVERIFY(none && none->isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstFeedbackAccuracy)
#include "tst_feedback_accuracy.moc"
