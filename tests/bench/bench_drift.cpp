// Drift statistics on 1,000,000 reference vs 1,000,000 current values (issue 17: each >= 10x
// SciPy in the same run), the data of peers/drift_scipy.py: N(0, 1) against N(0.1, 1.1). The
// reference is prepared once (sorted, its decile bins and their counts), as at training time, and
// timed apart; each statistic's time includes preparing the current sample (its sort, or for the binned
// statistics its bin counts). The median
// of 3 runs. Also: the live windows' streaming update per value (issue 17: <= 50 ns per value per
// feature) and a full batch report of 100 features x 1,000,000 rows already in memory (<= 5 s on
// these 2 cores): 80 numeric features and 20 categorical ones, their current samples prepared
// (sorted, counted) inside the timing, the references outside (prepared at training time).
// Prints `bench NAME VALUE UNIT`.

#include "core/monitor/drift_report.h"
#include "core/monitor/drift_statistics.h"
#include "core/monitor/feature_sample.h"
#include "core/monitor/reference_profile.h"
#include "core/monitor/value_sort.h"
#include "core/monitor/window_sketch.h"

#include <QStringList>

#include <map>
#include <memory>

#include <algorithm>
#include <atomic>
#include <thread>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>

using namespace orrery::monitor;

namespace {

double seconds(const std::function<double()> &f, double *value)
{
    std::vector<double> times;
    for (int i = 0; i < 3; ++i) {
        const auto start = std::chrono::steady_clock::now();
        *value = f();
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[1];
}

// What KS and Wasserstein need of the current sample: its values sorted.
std::vector<double> sortedCopy(const std::vector<double> &values)
{
    std::vector<double> copy = values;
    sortValues(copy);
    return copy;
}

// Prepares the current samples on both cores (what `monitor drift` does with its columns).
void parallelPrepare(int n, const std::function<void(int)> &prepare)
{
    std::atomic<int> next{0};
    auto worker = [&] {
        for (int i = next++; i < n; i = next++)
            prepare(i);
    };
    std::thread other(worker);
    worker();
    other.join();
}

} // namespace

int main(int argc, char **argv)
{
    const size_t n = argc > 1 ? size_t(std::atoll(argv[1])) : 1000000;
    std::mt19937_64 rng(7);
    std::normal_distribution<double> a(0, 1), b(0.1, 1.1);
    std::vector<double> refValues(n), curValues(n);
    for (double &x : refValues) x = a(rng);
    for (double &x : curValues) x = b(rng);

    const auto start = std::chrono::steady_clock::now();
    const FeatureSample ref = FeatureSample::numeric(refValues);
    const std::vector<double> refBins = ref.binCounts(ref.binEdges());
    std::printf("bench drift_prepare_reference_1m %.4f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());

    auto binned = [&](const std::function<double(const std::vector<double> &, const std::vector<double> &)> &stat) {
        return [&, stat] {
            return stat(refBins, FeatureSample::binCountsOf(curValues, ref.binEdges()));
        };
    };
    const std::vector<std::pair<const char *, std::function<double()>>> cases = {
        {"ks", [&] { return ksTwoSample(ref.sorted(), sortedCopy(curValues)).statistic; }},
        {"wasserstein", [&] { return wassersteinDistance(ref.sorted(), sortedCopy(curValues)); }},
        {"psi", binned([](const auto &p, const auto &q) { return populationStabilityIndex(p, q); })},
        {"chi2", binned([](const auto &p, const auto &q) {
             double total = 0, refTotal = 0;
             for (double x : q) total += x;
             for (double x : p) refTotal += x;
             std::vector<double> expected(p.size());
             for (size_t i = 0; i < p.size(); ++i) expected[i] = p[i] / refTotal * total;
             return chiSquare(q, expected).statistic;
         })},
        {"jensenshannon", binned([](const auto &p, const auto &q) { return jensenShannonDistance(p, q) / std::sqrt(std::log(2.0)); })}, // base 2, as the peer
        {"hellinger", binned([](const auto &p, const auto &q) { return hellingerDistance(p, q); })},
    };
    for (const auto &[name, f] : cases) {
        double value = 0;
        const double s = seconds(f, &value);
        std::printf("bench drift_%s_1m %.4f s\n", name, s);
        std::fprintf(stderr, "%s value=%.6f\n", name, value);
    }

    // Streaming: one value into a live window's sketch (a 99-edge grid, or a category).
    {
        const FeatureProfile grid = FeatureProfile::fromSample(QStringLiteral("x"), ref);
        FeatureSketch sketch(grid);
        double value = 0;
        const double s = seconds([&] {
            for (double x : curValues)
                sketch.addNumber(x, grid);
            return double(sketch.count());
        }, &value);
        std::printf("bench drift_stream_numeric_per_value %.1f ns\n", s / double(n) * 1e9);
        const FeatureProfile categories = FeatureProfile::fromSample(
            QStringLiteral("c"), FeatureSample::categorical({{QStringLiteral("grocery"), 40}, {QStringLiteral("electronics"), 20}, {QStringLiteral("travel"), 10},
                                                             {QStringLiteral("fuel"), 15}, {QStringLiteral("restaurant"), 10}, {QStringLiteral("online"), 5}}, 0));
        std::vector<QString> texts(n);
        for (size_t i = 0; i < n; ++i)
            texts[i] = categories.categories[i % categories.categories.size()].first;
        FeatureSketch counted(categories);
        const double t = seconds([&] {
            for (const QString &x : texts)
                counted.addText(x, categories);
            return double(counted.count());
        }, &value);
        std::printf("bench drift_stream_category_per_value %.1f ns\n", t / double(n) * 1e9);
    }

    // A full report: 100 features x n rows in memory.
    {
        constexpr int kFeatures = 100, kNumeric = 80;
        const QStringList names{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d"), QStringLiteral("e"), QStringLiteral("f")};
        std::discrete_distribution<int> pick{35, 25, 15, 12, 8, 5};
        std::vector<std::unique_ptr<FeatureSample>> refs;
        std::vector<std::vector<double>> numbers(kNumeric);
        std::vector<std::vector<int>> codes(kFeatures - kNumeric);
        for (int f = 0; f < kFeatures; ++f) {
            if (f < kNumeric) {
                std::vector<double> r(n);
                for (double &x : r) x = a(rng);
                refs.push_back(std::make_unique<FeatureSample>(FeatureSample::numeric(std::move(r))));
                numbers[size_t(f)].resize(n);
                for (double &x : numbers[size_t(f)]) x = f % 10 == 0 ? b(rng) : a(rng);
            } else {
                std::map<QString, qint64> counts;
                for (size_t i = 0; i < n; ++i) ++counts[names[pick(rng)]];
                refs.push_back(std::make_unique<FeatureSample>(FeatureSample::categorical(counts, 0)));
                auto &c = codes[size_t(f - kNumeric)];
                c.resize(n);
                for (int &x : c) x = pick(rng);
            }
        }
        const auto started = std::chrono::steady_clock::now();
        std::vector<std::unique_ptr<FeatureSample>> current(kFeatures);
        parallelPrepare(kFeatures, [&](int f) {
            if (f < kNumeric) {
                current[size_t(f)] = std::make_unique<FeatureSample>(FeatureSample::numeric(numbers[size_t(f)]));
            } else {
                std::vector<qint64> counts(size_t(names.size()), 0);
                for (int x : codes[size_t(f - kNumeric)]) ++counts[size_t(x)];
                std::map<QString, qint64> byName;
                for (int i = 0; i < names.size(); ++i) byName[names[i]] = counts[size_t(i)];
                current[size_t(f)] = std::make_unique<FeatureSample>(FeatureSample::categorical(byName, 0));
            }
        });
        std::fprintf(stderr, "report: samples prepared in %.3f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        std::vector<FeatureInput> inputs;
        for (int f = 0; f < kFeatures; ++f)
            inputs.push_back({QStringLiteral("f%1").arg(f), QStringLiteral("feature"), refs[size_t(f)].get(), current[size_t(f)].get()});
        const DriftReport report = compareFeatures(inputs);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::printf("bench drift_report_100_features_1m_rows %.3f s\n", s);
        std::fprintf(stderr, "report: %d of 100 drifted (8 shifted)\n", int(report.driftedFeatures.size()));
    }
    return 0;
}
