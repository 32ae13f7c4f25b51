// Drift statistics on 1,000,000 reference vs 1,000,000 current values (issue 17: each >= 10x
// SciPy in the same run), the data of peers/drift_scipy.py: N(0, 1) against N(0.1, 1.1). The
// reference is prepared once (sorted, its decile bins and their counts), as at training time, and
// timed apart; each statistic's time includes preparing the current sample (its sort, or for the binned
// statistics its bin counts). The median
// of 3 runs. Prints `bench NAME VALUE UNIT`.

#include "core/monitor/drift_statistics.h"
#include "core/monitor/feature_sample.h"
#include "core/monitor/value_sort.h"

#include <algorithm>
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
    return 0;
}
