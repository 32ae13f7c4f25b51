#include "core/monitor/live_drift.h"

#include "core/monitor/drift_statistics.h"
#include "core/monitor/ks_distribution.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace orrery::monitor {

namespace {

std::vector<double> shares(const std::vector<qint64> &counts)
{
    double total = 0;
    for (qint64 n : counts)
        total += double(n);
    std::vector<double> s(counts.size(), 0.0);
    if (total > 0)
        for (size_t i = 0; i < counts.size(); ++i)
            s[i] = double(counts[i]) / total;
    return s;
}

// The grid's 100 bins merged ten by ten: the batch report's decile bins.
std::vector<double> deciles(const std::vector<qint64> &bins)
{
    std::vector<double> out(FeatureSample::kBins, 0.0);
    const size_t per = bins.size() / out.size();
    for (size_t i = 0; i < bins.size(); ++i)
        out[std::min(out.size() - 1, i / per)] += double(bins[i]);
    return out;
}

struct KsGrid {
    double statistic = 0, bound = 0;
};

KsGrid ksOnGrid(const std::vector<double> &p, const std::vector<double> &q)
{
    KsGrid r;
    double f = 0, g = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        r.bound = std::max({r.bound, p[i], q[i]});
        if (i + 1 == p.size())
            break;
        f += p[i];
        g += q[i];
        r.statistic = std::max(r.statistic, std::abs(f - g));
    }
    return r;
}

struct WassersteinGrid {
    double distance = 0, bound = 0;
};

WassersteinGrid wassersteinOnGrid(const FeatureProfile &grid, const FeatureSketch &ref, const FeatureSketch &cur,
                                  const std::vector<double> &p, const std::vector<double> &q)
{
    WassersteinGrid r;
    const double lo = std::min(ref.min(), cur.min()), hi = std::max(ref.max(), cur.max());
    const bool sums = ref.binSums().size() == p.size() && cur.binSums().size() == q.size();
    const double nr = double(ref.count()), nc = double(cur.count());
    double f = 0, g = 0; // the ECDFs at the bin's left edge
    for (size_t i = 0; i < p.size(); ++i) {
        const double left = i == 0 ? lo : std::max(lo, grid.edges[i - 1]);
        const double right = i + 1 == p.size() ? hi : std::min(hi, grid.edges[i]);
        const double width = std::max(0.0, right - left);
        const double dl = f - g;
        f += p[i];
        g += q[i];
        if (width == 0)
            continue;
        const double dr = f - g;
        // ∫|F − G| if both ECDFs rose evenly across the bin (F − G linear from dl to dr).
        const double linear = (dl >= 0) == (dr >= 0) ? width * (std::abs(dl) + std::abs(dr)) / 2
                                                     : width * (dl * dl + dr * dr) / (2 * (std::abs(dl) + std::abs(dr)));
        // Inside the bin F − G stays within [dl − q_i, dl + p_i].
        const double lowest = dl - q[i], highest = dl + p[i];
        if (!sums) { // a profile without sums: the linear estimate, bounded by the interval
            r.distance += linear;
            r.bound += width * std::max(p[i], q[i]);
            continue;
        }
        // ∫ F over [a, b) = F(a)(b − a) + (c b − S) / n for the c values of sum S in the bin.
        const double integral = dl * width + (double(ref.bins()[i]) * right - ref.binSums()[i]) / nr
                                - (double(cur.bins()[i]) * right - cur.binSums()[i]) / nc;
        if (lowest >= 0 || highest <= 0) { // one sign throughout: ∫|F − G| = |∫(F − G)|, exactly
            r.distance += std::abs(integral);
            continue;
        }
        // Both signs possible: ∫|h| = ∫h + 2∫h⁻ = −∫h + 2∫h⁺, with h⁻ ≤ |lowest| and h⁺ ≤ highest.
        const double low = std::abs(integral);
        const double high = std::max(low, std::min({integral + 2 * width * -lowest, -integral + 2 * width * highest,
                                                    width * std::max(-lowest, highest)}));
        const double estimate = std::clamp(linear, low, high);
        r.distance += estimate;
        r.bound += std::max(estimate - low, high - estimate);
    }
    return r;
}

struct Cells {
    std::vector<double> reference, current;
};

Cells categoryCells(const FeatureProfile &grid, const FeatureSketch &ref, const FeatureSketch &cur, FeatureDrift *out)
{
    std::map<QString, std::pair<double, double>> counts; // text → (reference, current)
    for (size_t i = 0; i < grid.categories.size(); ++i) {
        auto &c = counts[grid.categories[i].first];
        c.first += double(ref.categoryCounts()[i]);
        c.second += double(cur.categoryCounts()[i]);
    }
    for (const auto &[text, n] : ref.unseen())
        counts[text].first += double(n);
    for (const auto &[text, n] : cur.unseen())
        counts[text].second += double(n);
    Cells cells;
    double unseen = 0;
    for (const auto &[text, c] : counts) {
        if (c.first > 0) {
            cells.reference.push_back(c.first);
            cells.current.push_back(c.second);
            if (c.second == 0)
                out->vanishedCategories << text;
        } else if (c.second > 0) {
            unseen += c.second;
            out->unseenCategories << text;
        }
    }
    if (unseen > 0) {
        cells.reference.push_back(0.0);
        cells.current.push_back(unseen);
    }
    out->unseenShare = cur.count() ? unseen / double(cur.count()) : 0.0;
    return cells;
}

} // namespace

FeatureDrift compareSketch(const SketchInput &input, const LiveDriftOptions &live)
{
    const DriftOptions &options = live.drift;
    const FeatureProfile &grid = *input.grid;
    const FeatureSketch &ref = *input.reference;
    const FeatureSketch &cur = *input.current;
    FeatureDrift d;
    d.name = grid.name;
    d.role = grid.role;
    d.kind = grid.kind;
    d.referenceCount = ref.count();
    d.currentCount = cur.count();
    d.referenceMissingShare = ref.count() + ref.missing() ? double(ref.missing()) / double(ref.count() + ref.missing()) : 0.0;
    d.currentMissingShare = cur.count() + cur.missing() ? double(cur.missing()) / double(cur.count() + cur.missing()) : 0.0;
    const bool categorical = grid.kind == FeatureKind::Categorical;
    DriftTest test = options.test;
    if (test == DriftTest::Auto) {
        const bool small = ref.count() <= options.smallSampleLimit;
        test = categorical ? (small ? DriftTest::ChiSquare : DriftTest::JensenShannon) : (small ? DriftTest::Ks : DriftTest::Wasserstein);
    }
    if (categorical && test == DriftTest::Ks)
        test = DriftTest::ChiSquare;
    if (categorical && test == DriftTest::Wasserstein)
        test = DriftTest::JensenShannon;
    d.test = test;
    if (ref.count() == 0 || cur.count() == 0) {
        d.status = QStringLiteral("no_data");
        return d;
    }
    Cells cells;
    if (categorical) {
        cells = categoryCells(grid, ref, cur, &d);
    } else {
        cells.reference = deciles(ref.bins());
        cells.current = deciles(cur.bins());
    }
    if (cur.count() < live.minRows) {
        d.status = QStringLiteral("insufficient");
        return d;
    }

    const std::vector<double> p = categorical ? std::vector<double>() : shares(ref.bins());
    const std::vector<double> q = categorical ? std::vector<double>() : shares(cur.bins());
    const double norm = wassersteinNorm(ref.standardDeviation());
    KsGrid ks;
    WassersteinGrid w;
    if (!categorical) {
        ks = ksOnGrid(p, q);
        w = wassersteinOnGrid(grid, ref, cur, p, q);
    }

    if (categorical || test == DriftTest::ChiSquare) {
        const ChiSquareResult chi = chiSquareHomogeneity(cells.reference, cells.current);
        d.significanceTest = DriftTest::ChiSquare;
        d.pValue = chi.pValue;
        if (test == DriftTest::ChiSquare)
            d.statistic = chi.statistic;
    } else {
        const KsPValue kp = ksTwoSamplePValue(ref.count(), cur.count(), ks.statistic);
        d.significanceTest = DriftTest::Ks;
        d.pValue = kp.pValue;
    }
    switch (test) {
    case DriftTest::Ks:
        d.statistic = ks.statistic;
        d.errorBound = ks.bound;
        break;
    case DriftTest::Wasserstein:
        d.statistic = w.distance / norm;
        d.errorBound = w.bound / norm;
        break;
    case DriftTest::JensenShannon: d.statistic = jensenShannonDistance(cells.reference, cells.current); break;
    case DriftTest::Hellinger: d.statistic = hellingerDistance(cells.reference, cells.current); break;
    case DriftTest::Psi: d.statistic = populationStabilityIndex(cells.reference, cells.current); break;
    default: break;
    }

    decideDrift(d, categorical, [&] { return categorical ? jensenShannonDistance(cells.reference, cells.current) : w.distance / norm; }, options);
    return d;
}

DriftReport compareSketches(const std::vector<SketchInput> &inputs, const LiveDriftOptions &options)
{
    DriftReport report;
    for (const SketchInput &input : inputs)
        report.features.push_back(compareSketch(input, options));
    applyCorrection(report, options.drift);
    return report;
}

bool DriftHysteresis::update(const FeatureDrift &window)
{
    if (window.status == QLatin1String("drift")) {
        m_on = true;
        m_clean = 0;
    } else if (window.status == QLatin1String("no_drift") && m_on && ++m_clean >= m_clearAfter) {
        m_on = false;
        m_clean = 0;
    }
    return m_on;
}

} // namespace orrery::monitor
