// Live drift windows: sketches on the reference's percentile grid against the exact batch figures
// on the same values (the documented error bounds hold; the binned statistics are exact), issue
// 17's false-alarm property for the live defaults with hysteresis (100 features, 20 windows of
// 1,000 rows from the reference's distribution, 50 seeded trials: an alarm in at most 1), the
// detection of a shift within 3 windows on the shifted features only, hysteresis, categories,
// merging and the sketch's JSON round trip.

#include "core/monitor/drift_report.h"
#include "core/monitor/live_drift.h"
#include "core/monitor/reference_profile.h"
#include "core/monitor/window_sketch.h"

#include <QJsonArray>
#include <QTest>

#include <random>

using namespace orrery::monitor;

namespace {

std::vector<double> normalValues(std::mt19937_64 &rng, size_t n, double mean = 0.0, double sd = 1.0)
{
    std::normal_distribution<double> d(mean, sd);
    std::vector<double> v(n);
    for (double &x : v)
        x = d(rng);
    return v;
}

std::vector<double> cauchyValues(std::mt19937_64 &rng, size_t n)
{
    std::cauchy_distribution<double> d(0.0, 1.0);
    std::vector<double> v(n);
    for (double &x : v)
        x = d(rng);
    return v;
}

FeatureSketch sketchOf(const std::vector<double> &values, const FeatureProfile &grid)
{
    FeatureSketch s(grid);
    for (double v : values)
        s.addNumber(v, grid);
    return s;
}

const std::vector<double> kShares{0.35, 0.25, 0.15, 0.12, 0.08, 0.05};
const QStringList kNames{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d"), QStringLiteral("e"), QStringLiteral("f")};

std::map<QString, qint64> categoryCounts(std::mt19937_64 &rng, size_t n, const std::vector<double> &shares = kShares)
{
    std::discrete_distribution<int> d(shares.begin(), shares.end());
    std::map<QString, qint64> counts;
    for (size_t i = 0; i < n; ++i)
        ++counts[kNames[d(rng)]];
    return counts;
}

FeatureSketch categorySketch(const std::map<QString, qint64> &counts, const FeatureProfile &grid)
{
    FeatureSketch s(grid);
    for (const auto &[text, n] : counts)
        for (qint64 i = 0; i < n; ++i)
            s.addText(text, grid);
    return s;
}

} // namespace

class TestLiveDrift : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void profileGrid();
    void boundsAgainstExact_data();
    void boundsAgainstExact();
    void binnedStatisticsAreExact();
    void categories();
    void insufficientRows();
    void hysteresis();
    void mergeAndJson();
    void falseAlarmsAndDetection();
};

void TestLiveDrift::profileGrid()
{
    std::mt19937_64 rng(1);
    const FeatureProfile p = FeatureProfile::fromSample(QStringLiteral("x"), FeatureSample::numeric(normalValues(rng, 10000)));
    QCOMPARE(int(p.edges.size()), 99);
    QCOMPARE(int(p.counts.size()), 100);
    for (qint64 c : p.counts)
        QCOMPARE(c, qint64(100)); // each bin holds 1 % of 10,000 distinct values
    // Few distinct values: profiled as categories keyed by the number's text.
    const FeatureProfile flag = FeatureProfile::fromSample(QStringLiteral("f"), FeatureSample::numeric({0, 1, 1, 0, 1, 1}));
    QCOMPARE(flag.kind, FeatureKind::Categorical);
    QVERIFY(flag.numericCategories);
    QCOMPARE(int(flag.categories.size()), 2);
    FeatureSketch s(flag);
    s.addNumber(1.0, flag);
    s.addNumber(2.0, flag);
    QCOMPARE(s.categoryCounts()[1], qint64(1));
    QCOMPARE(s.unseenCount(), qint64(1));
    // The JSON round trip keeps everything the windows use.
    ReferenceProfile r;
    r.features = {p, flag};
    auto back = ReferenceProfile::fromJson(r.toJson());
    QVERIFY2(back.isOk(), qPrintable(back.status().message()));
    QCOMPARE(back->features[0].edges, p.edges);
    QCOMPARE(back->features[0].counts, p.counts);
    QCOMPARE(back->features[1].categories, flag.categories);
    QVERIFY(!ReferenceProfile::fromJson(QJsonObject{{QStringLiteral("format"), QStringLiteral("other")}}).isOk());
}

void TestLiveDrift::boundsAgainstExact_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<double>("shift");
    QTest::newRow("normal, same distribution") << QStringLiteral("normal") << 0.0;
    QTest::newRow("normal, shifted 0.3 std") << QStringLiteral("normal") << 0.3;
    QTest::newRow("normal, shifted 2 std") << QStringLiteral("normal") << 2.0;
    QTest::newRow("Cauchy tails") << QStringLiteral("cauchy") << 0.0;
}

void TestLiveDrift::boundsAgainstExact()
{
    QFETCH(QString, kind);
    QFETCH(double, shift);
    for (int seed = 0; seed < 20; ++seed) {
        std::mt19937_64 rng(100 + seed);
        const bool cauchy = kind == QLatin1String("cauchy");
        const std::vector<double> refValues = cauchy ? cauchyValues(rng, 5000) : normalValues(rng, 5000);
        std::vector<double> curValues = cauchy ? cauchyValues(rng, 1000) : normalValues(rng, 1000, shift);
        const FeatureSample ref = FeatureSample::numeric(refValues), cur = FeatureSample::numeric(curValues);
        const FeatureProfile grid = FeatureProfile::fromSample(QStringLiteral("x"), ref);
        const FeatureSketch refSketch = FeatureSketch::ofReference(grid), curSketch = sketchOf(curValues, grid);
        for (DriftTest t : {DriftTest::Ks, DriftTest::Wasserstein}) {
            DriftOptions o;
            o.test = t;
            LiveDriftOptions lo;
            lo.drift = o;
            const FeatureDrift exact = compareFeature({QStringLiteral("x"), {}, &ref, &cur}, o);
            const FeatureDrift live = compareSketch({&grid, &refSketch, &curSketch}, lo);
            QVERIFY(live.errorBound > 0);
            const double error = std::abs(live.statistic - exact.statistic);
            QVERIFY2(error <= live.errorBound + 1e-12,
                     qPrintable(QStringLiteral("%1 seed %2: live %3 exact %4 bound %5").arg(driftTestName(t)).arg(seed).arg(live.statistic).arg(exact.statistic).arg(live.errorBound)));
            if (t == DriftTest::Ks) {
                // Read at the edges only: never above the exact statistic (up to the exact method's
                // rounding to its lattice), so its p-value is conservative.
                QVERIFY(live.statistic <= exact.statistic + 1e-3);
                QVERIFY(*live.pValue >= *exact.pValue - 1e-9 || std::abs(live.statistic - exact.statistic) < 1e-3);
            }
            if (t == DriftTest::Wasserstein && kind == QLatin1String("normal")) // a few percent at most
                QVERIFY2(error < 0.05 * std::max(0.4, exact.statistic), qPrintable(QStringLiteral("%1 for %2").arg(error).arg(exact.statistic)));
        }
    }
}

void TestLiveDrift::binnedStatisticsAreExact()
{
    std::mt19937_64 rng(7);
    const std::vector<double> refValues = normalValues(rng, 8000), curValues = normalValues(rng, 2000, 0.4, 1.3);
    const FeatureSample ref = FeatureSample::numeric(refValues), cur = FeatureSample::numeric(curValues);
    const FeatureProfile grid = FeatureProfile::fromSample(QStringLiteral("x"), ref);
    // The grid's deciles are the batch report's bin edges.
    for (int i = 0; i < 9; ++i)
        QCOMPARE(grid.edges[size_t(10 * i + 9)], ref.binEdges()[size_t(i)]);
    const FeatureSketch refSketch = FeatureSketch::ofReference(grid), curSketch = sketchOf(curValues, grid);
    for (DriftTest t : {DriftTest::Psi, DriftTest::JensenShannon, DriftTest::Hellinger, DriftTest::ChiSquare}) {
        DriftOptions o;
        o.test = t;
        LiveDriftOptions lo;
        lo.drift = o;
        const FeatureDrift exact = compareFeature({QStringLiteral("x"), {}, &ref, &cur}, o);
        const FeatureDrift live = compareSketch({&grid, &refSketch, &curSketch}, lo);
        QVERIFY2(std::abs(live.statistic - exact.statistic) <= 1e-12 * std::max(1.0, exact.statistic), driftTestName(t));
        QCOMPARE(live.errorBound, 0.0);
    }
    // Data quality beside drift.
    FeatureSketch q(grid);
    q.addNumber(std::nan(""), grid);
    q.addNumber(grid.max + 1, grid);
    q.addNumber(grid.min - 1, grid);
    q.addNumber(0.0, grid);
    QCOMPARE(q.missing(), qint64(1));
    QCOMPARE(q.outOfRange(), qint64(2));
    QCOMPARE(q.count(), qint64(3));
}

void TestLiveDrift::categories()
{
    const FeatureSample ref = FeatureSample::categorical({{QStringLiteral("a"), 500}, {QStringLiteral("b"), 300}, {QStringLiteral("c"), 200}}, 0);
    const FeatureProfile grid = FeatureProfile::fromSample(QStringLiteral("c"), ref);
    const FeatureSketch refSketch = FeatureSketch::ofReference(grid);
    const std::map<QString, qint64> now{{QStringLiteral("a"), 400}, {QStringLiteral("b"), 300}, {QStringLiteral("z"), 300}};
    const FeatureSketch cur = categorySketch(now, grid);
    const FeatureSample curSample = FeatureSample::categorical(now, 0);
    const FeatureDrift exact = compareFeature({QStringLiteral("c"), {}, &ref, &curSample}, DriftOptions{});
    const FeatureDrift live = compareSketch({&grid, &refSketch, &cur}, LiveDriftOptions{});
    QCOMPARE(live.test, DriftTest::ChiSquare);
    QCOMPARE(live.statistic, exact.statistic);
    QCOMPARE(*live.pValue, *exact.pValue);
    QCOMPARE(live.unseenCategories, QStringList{QStringLiteral("z")});
    QCOMPARE(live.vanishedCategories, QStringList{QStringLiteral("c")});
    QCOMPARE(live.unseenShare, 0.3);
    QVERIFY(live.drift);
}

void TestLiveDrift::insufficientRows()
{
    std::mt19937_64 rng(3);
    const FeatureProfile grid = FeatureProfile::fromSample(QStringLiteral("x"), FeatureSample::numeric(normalValues(rng, 5000)));
    const FeatureSketch ref = FeatureSketch::ofReference(grid), few = sketchOf(normalValues(rng, 50, 3.0), grid);
    const DriftReport r = compareSketches({{&grid, &ref, &few}}, LiveDriftOptions{});
    QCOMPARE(r.features[0].status, QStringLiteral("insufficient"));
    QVERIFY(!r.drift);
    QCOMPARE(r.testsCorrected, 0);
}

void TestLiveDrift::hysteresis()
{
    FeatureDrift drift, quiet, insufficient;
    drift.status = QStringLiteral("drift");
    quiet.status = QStringLiteral("no_drift");
    insufficient.status = QStringLiteral("insufficient");
    DriftHysteresis h(3);
    QVERIFY(!h.update(quiet));
    QVERIFY(h.update(drift));
    QVERIFY(h.update(quiet));
    QVERIFY(h.update(insufficient)); // no verdict: no change, and no count toward clearing
    QVERIFY(h.update(quiet));
    QVERIFY(h.update(drift));         // back: the count of clean windows starts over
    QVERIFY(h.update(quiet));
    QVERIFY(h.update(quiet));
    QVERIFY(!h.update(quiet));        // three clean windows in a row
}

void TestLiveDrift::mergeAndJson()
{
    std::mt19937_64 rng(9);
    const FeatureProfile grid = FeatureProfile::fromSample(QStringLiteral("x"), FeatureSample::numeric(normalValues(rng, 2000)));
    const std::vector<double> a = normalValues(rng, 300), b = normalValues(rng, 500, 1.0);
    std::vector<double> ab = a;
    ab.insert(ab.end(), b.begin(), b.end());
    FeatureSketch merged = sketchOf(a, grid);
    merged.merge(sketchOf(b, grid));
    const FeatureSketch whole = sketchOf(ab, grid);
    QCOMPARE(merged.bins(), whole.bins());
    QCOMPARE(merged.count(), whole.count());
    QCOMPARE(merged.min(), whole.min());
    QCOMPARE(merged.max(), whole.max());
    QVERIFY(std::abs(merged.mean() - whole.mean()) < 1e-12);
    auto back = FeatureSketch::fromJson(merged.toJson(grid), grid);
    QVERIFY(back.isOk());
    QCOMPARE(back->bins(), merged.bins());
    QVERIFY(std::abs(back->standardDeviation() - merged.standardDeviation()) < 1e-9);
    QVERIFY(!FeatureSketch::fromJson(QJsonObject{{QStringLiteral("counts"), QJsonArray{QJsonValue(1), QJsonValue(2)}}}, grid).isOk());
}

void TestLiveDrift::falseAlarmsAndDetection()
{
    // 80 numeric and 20 categorical features, a 20,000-row reference (the live default is then
    // Wasserstein and Jensen–Shannon with KS / chi-squared evidence), 20 windows of 1,000 rows.
    constexpr int kTrials = 50, kWindows = 20, kRows = 1000, kFeatures = 100, kNumeric = 80;
    int trialsWithAlarm = 0;
    for (int trial = 0; trial < kTrials; ++trial) {
        std::mt19937_64 rng(5000 + trial);
        std::vector<FeatureProfile> grids;
        for (int i = 0; i < kFeatures; ++i)
            grids.push_back(FeatureProfile::fromSample(QStringLiteral("f%1").arg(i),
                                                       i < kNumeric ? FeatureSample::numeric(normalValues(rng, 20000)) : FeatureSample::categorical(categoryCounts(rng, 20000), 0)));
        std::vector<FeatureSketch> refs;
        for (const FeatureProfile &g : grids)
            refs.push_back(FeatureSketch::ofReference(g));
        std::vector<DriftHysteresis> alarms(kFeatures);
        // The last trial also shifts 2 numeric (0.5 std) and 2 categorical features from window 10.
        const bool detectionTrial = trial == kTrials - 1;
        bool alarm = false;
        for (int w = 0; w < kWindows; ++w) {
            const bool shifted = detectionTrial && w >= 10;
            std::vector<FeatureSketch> cur;
            for (int i = 0; i < kFeatures; ++i) {
                const bool shift = shifted && (i < 2 || (i >= kNumeric && i < kNumeric + 2));
                cur.push_back(i < kNumeric ? sketchOf(normalValues(rng, kRows, shift ? 0.5 : 0.0), grids[size_t(i)])
                                           : categorySketch(categoryCounts(rng, kRows, shift ? std::vector<double>{0.15, 0.25, 0.15, 0.12, 0.08, 0.25} : kShares), grids[size_t(i)]));
            }
            std::vector<SketchInput> inputs;
            for (int i = 0; i < kFeatures; ++i)
                inputs.push_back({&grids[size_t(i)], &refs[size_t(i)], &cur[size_t(i)]});
            const DriftReport r = compareSketches(inputs, LiveDriftOptions{});
            for (int i = 0; i < kFeatures; ++i) {
                const bool on = alarms[size_t(i)].update(r.features[size_t(i)]);
                const bool shiftedFeature = i < 2 || (i >= kNumeric && i < kNumeric + 2);
                if (!detectionTrial || w < 10)
                    alarm = alarm || on;
                else if (shiftedFeature && w >= 12)
                    QVERIFY2(on, qPrintable(QStringLiteral("feature %1 not alarmed in window %2").arg(i).arg(w)));
                else if (!shiftedFeature)
                    QVERIFY2(!on, qPrintable(QStringLiteral("unshifted feature %1 alarmed in window %2").arg(i).arg(w)));
            }
        }
        trialsWithAlarm += alarm;
    }
    qInfo("trials with a live drift alarm: %d of %d", trialsWithAlarm, kTrials);
    QVERIFY2(trialsWithAlarm <= 1, qPrintable(QStringLiteral("%1 of %2 trials raised an alarm").arg(trialsWithAlarm).arg(kTrials)));
}

QTEST_GUILESS_MAIN(TestLiveDrift)
#include "tst_live_drift.moc"
