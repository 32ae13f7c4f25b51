// The batch drift report's rules: the default test by kind and the reference's size, Bonferroni's
// correction, the effect-size gate, unseen and vanished categories, no_data; and issue 17's
// false-alarm property for the batch defaults: 100 features, 20 windows of 1,000 rows drawn from
// the reference's own distribution, 50 seeded trials — a drift verdict in at most 1 trial — with
// a detection check beside it so that a report that never says "drift" cannot pass.

#include "core/monitor/drift_report.h"
#include "core/monitor/drift_statistics.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <memory>
#include <random>

using namespace orrery::monitor;

namespace {

const std::vector<double> kShares{0.35, 0.25, 0.15, 0.12, 0.08, 0.05};
const QStringList kNames{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d"), QStringLiteral("e"), QStringLiteral("f")};

FeatureSample normalSample(std::mt19937_64 &rng, size_t n, double mean = 0.0, double sd = 1.0)
{
    std::normal_distribution<double> d(mean, sd);
    std::vector<double> v(n);
    for (double &x : v)
        x = d(rng);
    return FeatureSample::numeric(std::move(v));
}

FeatureSample categorySample(std::mt19937_64 &rng, size_t n, const std::vector<double> &shares = kShares)
{
    std::discrete_distribution<int> d(shares.begin(), shares.end());
    std::map<QString, qint64> counts;
    for (size_t i = 0; i < n; ++i)
        ++counts[kNames[d(rng)]];
    return FeatureSample::categorical(counts, 0);
}

// 80 numeric and 20 categorical features.
struct Features {
    std::vector<std::unique_ptr<FeatureSample>> reference, current;
    std::vector<FeatureInput> inputs() const
    {
        std::vector<FeatureInput> out;
        for (size_t i = 0; i < reference.size(); ++i)
            out.push_back({QStringLiteral("f%1").arg(i), QStringLiteral("feature"), reference[i].get(), current[i].get()});
        return out;
    }
};
constexpr int kFeatures = 100, kNumeric = 80;

void drawReference(std::mt19937_64 &rng, size_t rows, Features *f)
{
    f->reference.clear();
    for (int i = 0; i < kFeatures; ++i)
        f->reference.push_back(std::make_unique<FeatureSample>(i < kNumeric ? normalSample(rng, rows) : categorySample(rng, rows)));
}

void drawWindow(std::mt19937_64 &rng, size_t rows, Features *f, int shifted = 0)
{
    f->current.clear();
    for (int i = 0; i < kFeatures; ++i) {
        const bool shift = i < shifted || (i >= kNumeric && i < kNumeric + shifted);
        if (i < kNumeric)
            f->current.push_back(std::make_unique<FeatureSample>(normalSample(rng, rows, shift ? 0.5 : 0.0)));
        else
            f->current.push_back(std::make_unique<FeatureSample>(categorySample(rng, rows, shift ? std::vector<double>{0.15, 0.25, 0.15, 0.12, 0.08, 0.25} : kShares)));
    }
}

} // namespace

class TestDriftReport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultTestByKindAndSize();
    void bonferroniAndEffectGate();
    void unseenAndVanishedCategories();
    void fewDistinctNumbersAreCategories();
    void noDataIsNotDrift();
    void forcedTests();
    void jsonShape();
    void falseAlarms_data();
    void falseAlarms();
};

void TestDriftReport::defaultTestByKindAndSize()
{
    std::mt19937_64 rng(1);
    const FeatureSample smallNum = normalSample(rng, 1000), bigNum = normalSample(rng, 1001), cur = normalSample(rng, 500);
    const FeatureSample smallCat = categorySample(rng, 1000), bigCat = categorySample(rng, 5000), curCat = categorySample(rng, 500);
    QCOMPARE(compareFeature({QStringLiteral("x"), QStringLiteral("feature"), &smallNum, &cur}, {}).test, DriftTest::Ks);
    QCOMPARE(compareFeature({QStringLiteral("x"), QStringLiteral("feature"), &bigNum, &cur}, {}).test, DriftTest::Wasserstein);
    QCOMPARE(compareFeature({QStringLiteral("x"), QStringLiteral("feature"), &smallCat, &curCat}, {}).test, DriftTest::ChiSquare);
    QCOMPARE(compareFeature({QStringLiteral("x"), QStringLiteral("feature"), &bigCat, &curCat}, {}).test, DriftTest::JensenShannon);
    // Wasserstein is normed by the reference's standard deviation: scaling both samples changes nothing.
    std::vector<double> a(2000), b(2000);
    std::normal_distribution<double> d(0, 1);
    for (size_t i = 0; i < a.size(); ++i) {
        a[i] = d(rng);
        b[i] = d(rng) + 0.3;
    }
    std::vector<double> a10 = a, b10 = b;
    for (double &x : a10) x *= 10;
    for (double &x : b10) x *= 10;
    const FeatureSample sa = FeatureSample::numeric(a), sb = FeatureSample::numeric(b), sa10 = FeatureSample::numeric(a10), sb10 = FeatureSample::numeric(b10);
    const double w1 = compareFeature({QStringLiteral("x"), {}, &sa, &sb}, {}).statistic;
    const double w10 = compareFeature({QStringLiteral("x"), {}, &sa10, &sb10}, {}).statistic;
    QVERIFY(std::fabs(w1 - w10) < 1e-9 * w1);
    QVERIFY(w1 > 0.2 && w1 < 0.4); // a shift of 0.3 standard deviations
}

void TestDriftReport::bonferroniAndEffectGate()
{
    std::mt19937_64 rng(2);
    // Ten features: one shifted by a full standard deviation, one by 0.05 (significant at this
    // size only with luck, and too small an effect anyway), eight unchanged.
    std::vector<std::unique_ptr<FeatureSample>> samples;
    std::vector<FeatureInput> inputs;
    for (int i = 0; i < 10; ++i) {
        samples.push_back(std::make_unique<FeatureSample>(normalSample(rng, 800)));
        samples.push_back(std::make_unique<FeatureSample>(normalSample(rng, 800, i == 0 ? 1.0 : i == 1 ? 0.05 : 0.0)));
        inputs.push_back({QStringLiteral("f%1").arg(i), QStringLiteral("feature"), samples[samples.size() - 2].get(), samples.back().get()});
    }
    const DriftReport report = compareFeatures(inputs);
    QCOMPARE(report.testsCorrected, 10);
    for (const FeatureDrift &f : report.features) {
        QVERIFY(f.pValue && f.pValueAdjusted);
        QCOMPARE(*f.pValueAdjusted, std::min(1.0, *f.pValue * 10));
    }
    QCOMPARE(report.driftedFeatures, QStringList{QStringLiteral("f0")});
    QVERIFY(report.features[0].effectSize > 0.7);
    QCOMPARE(report.features[0].effectMeasure, QStringLiteral("wasserstein_normed"));

    // The gate: a tiny shift on 10,000 values each is significant, but smaller than 0.1 std.
    const FeatureSample big = normalSample(rng, 1000), moved = normalSample(rng, 200000, 0.06);
    const FeatureDrift tiny = compareFeatures({{QStringLiteral("t"), {}, &big, &moved}}, DriftOptions{DriftTest::Ks}).features[0];
    QVERIFY2(*tiny.pValueAdjusted < 0.05 || tiny.effectSize < 0.1, "the gate is what this case is about");
    QVERIFY(tiny.effectSize < 0.1);
    QVERIFY(!tiny.drift);
}

void TestDriftReport::unseenAndVanishedCategories()
{
    // Reference: a 500, b 300, c 200. Current: a 520, b 280, z 2 (unseen), c gone (vanished).
    const FeatureSample ref = FeatureSample::categorical({{QStringLiteral("a"), 500}, {QStringLiteral("b"), 300}, {QStringLiteral("c"), 200}}, 0);
    const FeatureSample cur = FeatureSample::categorical({{QStringLiteral("a"), 520}, {QStringLiteral("b"), 280}, {QStringLiteral("z"), 2}}, 3);
    const FeatureDrift d = compareFeatures({{QStringLiteral("c"), {}, &ref, &cur}}).features[0];
    QCOMPARE(d.test, DriftTest::ChiSquare);
    QCOMPARE(d.unseenCategories, QStringList{QStringLiteral("z")});
    QCOMPARE(d.vanishedCategories, QStringList{QStringLiteral("c")});
    QVERIFY(std::fabs(d.unseenShare - 2.0 / 802.0) < 1e-15);
    QVERIFY(std::fabs(d.currentMissingShare - 3.0 / 805.0) < 1e-15);
    // The statistic by hand: a 2 x 4 table, cells a, b, c, (unseen); expected counts from both rows.
    const double table[2][4] = {{500, 300, 200, 0}, {520, 280, 0, 2}};
    const double rows[2] = {1000, 802}, total = 1802;
    double chi = 0;
    for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 4; ++c) {
            const double e = rows[r] * (table[0][c] + table[1][c]) / total;
            chi += (table[r][c] - e) * (table[r][c] - e) / e;
        }
    QVERIFY(std::fabs(d.statistic - chi) < 1e-9 * chi);
    QCOMPARE(d.significanceTest, DriftTest::ChiSquare);
    QVERIFY(d.drift); // a category of 20 % vanished
    // One stray unseen value alone adds about 1.3, not infinity: no drift.
    const FeatureSample stray = FeatureSample::categorical({{QStringLiteral("a"), 500}, {QStringLiteral("b"), 300}, {QStringLiteral("c"), 199}, {QStringLiteral("new"), 1}}, 0);
    const FeatureDrift s = compareFeatures({{QStringLiteral("c"), {}, &ref, &stray}}).features[0];
    QVERIFY(std::isfinite(s.statistic));
    QVERIFY(s.statistic < 3.0);
    QVERIFY(!s.drift);
    // The distances see the unseen cell with a reference count of 0.
    const FeatureDrift js = compareFeatures({{QStringLiteral("c"), {}, &ref, &cur}}, DriftOptions{DriftTest::JensenShannon}).features[0];
    QVERIFY(std::fabs(js.statistic - jensenShannonDistance({500, 300, 200, 0}, {520, 280, 0, 2})) < 1e-15);
}

void TestDriftReport::fewDistinctNumbersAreCategories()
{
    std::vector<double> flags(900), now(900);
    for (size_t i = 0; i < flags.size(); ++i) {
        flags[i] = i % 10 == 0 ? 1 : 0;
        now[i] = i % 2 == 0 ? 1 : 0;
    }
    const FeatureSample ref = FeatureSample::numeric(flags), cur = FeatureSample::numeric(now);
    const FeatureDrift d = compareFeatures({{QStringLiteral("flag"), {}, &ref, &cur}}).features[0];
    QCOMPARE(d.kind, FeatureKind::Categorical);
    QCOMPARE(d.test, DriftTest::ChiSquare);
    QVERIFY(d.drift);
}

void TestDriftReport::noDataIsNotDrift()
{
    const double nan = std::nan("");
    const FeatureSample ref = FeatureSample::numeric({1, 2, 3}), cur = FeatureSample::numeric({nan, nan});
    const DriftReport r = compareFeatures({{QStringLiteral("gone"), {}, &ref, &cur}});
    QCOMPARE(r.features[0].status, QStringLiteral("no_data"));
    QCOMPARE(r.features[0].currentMissingShare, 1.0);
    QVERIFY(!r.drift);
    QCOMPARE(r.testsCorrected, 0);
}

void TestDriftReport::forcedTests()
{
    std::mt19937_64 rng(5);
    const FeatureSample ref = normalSample(rng, 5000), same = normalSample(rng, 5000), moved = normalSample(rng, 5000, 1.0);
    for (DriftTest t : {DriftTest::Ks, DriftTest::Psi, DriftTest::ChiSquare, DriftTest::JensenShannon, DriftTest::Wasserstein, DriftTest::Hellinger}) {
        const FeatureDrift quiet = compareFeatures({{QStringLiteral("x"), {}, &ref, &same}}, DriftOptions{t}).features[0];
        const FeatureDrift loud = compareFeatures({{QStringLiteral("x"), {}, &ref, &moved}}, DriftOptions{t}).features[0];
        QCOMPARE(quiet.test, t);
        QVERIFY2(!quiet.drift, driftTestName(t));
        QVERIFY2(loud.drift, driftTestName(t));
        QVERIFY(loud.pValue.has_value());
        QCOMPARE(loud.significanceTest, t == DriftTest::ChiSquare ? DriftTest::ChiSquare : DriftTest::Ks);
        QCOMPARE(loud.threshold, t == DriftTest::Psi ? 0.2 : t == DriftTest::Ks || t == DriftTest::ChiSquare ? 0.05 : 0.1);
    }
    // Binned numeric statistics use the reference's decile bins: a sample from the reference's
    // own values has 10 % in each.
    const auto counts = ref.binCounts(ref.binEdges());
    for (double c : counts)
        QCOMPARE(c, 500.0);
}

void TestDriftReport::jsonShape()
{
    std::mt19937_64 rng(6);
    const FeatureSample ref = normalSample(rng, 300), cur = normalSample(rng, 300, 2.0);
    const FeatureSample cref = categorySample(rng, 300), ccur = categorySample(rng, 300);
    const QJsonObject o = compareFeatures({{QStringLiteral("x"), QStringLiteral("feature"), &ref, &cur}, {QStringLiteral("y"), QStringLiteral("label"), &cref, &ccur}}).toJson();
    QCOMPARE(o.value(QStringLiteral("drift")).toBool(), true);
    QCOMPARE(o.value(QStringLiteral("drifted_features")).toArray(), QJsonArray{QStringLiteral("x")});
    QCOMPARE(o.value(QStringLiteral("correction")).toObject().value(QStringLiteral("method")).toString(), QStringLiteral("bonferroni"));
    const QJsonArray features = o.value(QStringLiteral("features")).toArray();
    QCOMPARE(features.size(), 2);
    const QJsonObject x = features[0].toObject();
    for (const char *key : {"name", "role", "type", "status", "test", "significance_test", "statistic", "p_value", "p_value_adjusted", "threshold", "effect_size",
                            "effect_measure", "effect_threshold", "drift", "reference_count", "current_count", "missing_share"})
        QVERIFY2(x.contains(QLatin1String(key)), key);
    QCOMPARE(x.value(QStringLiteral("test")).toString(), QStringLiteral("ks"));
    const QJsonObject y = features[1].toObject();
    QCOMPARE(y.value(QStringLiteral("role")).toString(), QStringLiteral("label"));
    QVERIFY(y.contains(QStringLiteral("unseen_categories")) && y.contains(QStringLiteral("vanished_categories")));
}

void TestDriftReport::falseAlarms_data()
{
    QTest::addColumn<int>("referenceRows");
    // 1,000: the defaults are KS and chi-squared (p-values, corrected, with the effect gate);
    // 20,000: Wasserstein (normed) and Jensen–Shannon.
    QTest::newRow("reference 1,000 rows (KS, chi-squared)") << 1000;
    QTest::newRow("reference 20,000 rows (Wasserstein, Jensen-Shannon)") << 20000;
}

void TestDriftReport::falseAlarms()
{
    QFETCH(int, referenceRows);
    constexpr int kTrials = 50, kWindows = 20, kRows = 1000;
    int trialsWithAlarm = 0, rawSignificant = 0, rawTests = 0, trialsWithRawAlarm = 0;
    for (int trial = 0; trial < kTrials; ++trial) {
        std::mt19937_64 rng(1000 + trial);
        Features f;
        drawReference(rng, size_t(referenceRows), &f);
        bool alarm = false, rawAlarm = false;
        for (int w = 0; w < kWindows; ++w) {
            drawWindow(rng, kRows, &f);
            const DriftReport r = compareFeatures(f.inputs());
            alarm = alarm || r.drift;
            for (const FeatureDrift &d : r.features)
                if (d.pValue) {
                    ++rawTests;
                    rawSignificant += *d.pValue < 0.05;
                    rawAlarm = rawAlarm || *d.pValue < 0.05;
                }
        }
        trialsWithAlarm += alarm;
        trialsWithRawAlarm += rawAlarm;
    }
    // The tests themselves are alive and honest: about 5 % of raw p-values fall below 0.05 under
    // the null (a little under: KS and chi-squared are conservative on discrete data), and
    // without the correction and the effect gate nearly every trial would alarm.
    const double share = double(rawSignificant) / rawTests;
    qInfo("raw p < 0.05 in %.2f%% of %d tests; uncorrected, %d of %d trials would alarm", 100 * share, rawTests, trialsWithRawAlarm, kTrials);
    QVERIFY2(share > 0.03 && share < 0.07, qPrintable(QString::number(share)));
    qInfo("trials with a drift verdict: %d of %d", trialsWithAlarm, kTrials);
    QVERIFY2(trialsWithAlarm <= 1, qPrintable(QStringLiteral("%1 of %2 trials raised drift").arg(trialsWithAlarm).arg(kTrials)));

    // Detection with the same settings: 2 numeric features shifted by 0.5 std and 2 categorical
    // ones with moved shares are found in each of 5 windows, and nothing else is.
    std::mt19937_64 rng(77);
    Features f;
    drawReference(rng, size_t(referenceRows), &f);
    for (int w = 0; w < 5; ++w) {
        drawWindow(rng, kRows, &f, 2);
        const DriftReport r = compareFeatures(f.inputs());
        QCOMPARE(r.driftedFeatures, (QStringList{QStringLiteral("f0"), QStringLiteral("f1"), QStringLiteral("f80"), QStringLiteral("f81")}));
    }
}

QTEST_GUILESS_MAIN(TestDriftReport)
#include "tst_drift_report.moc"
