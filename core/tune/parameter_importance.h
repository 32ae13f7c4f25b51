#pragma once
// Parameter importance: which parameters of a sweep drive its objective.
//
// The measure is each parameter's first-order Sobol index S_i = Var(E[y | x_i]) / Var(y): the share
// of the objective's variance that the parameter's main effect explains (Sobol 2001; the quantity
// fANOVA computes on a random forest's marginals, Hutter et al. 2014, which Optuna reports by
// default). It is estimated directly from the finished trials by binning, as the correlation ratio
// η² of a one-way analysis of variance with the bins as groups:
//
//   η² = SS_between / SS_total,   SS_between = Σ_b n_b (ȳ_b − ȳ)²,   SS_total = Σ_t (y_t − ȳ)²
//
// η² is biased upwards: with K non-empty bins and n trials it averages (K − 1)/(n − 1) even for a
// parameter that does nothing, since each bin mean also fits noise. We report Kelley's ε² instead
// (Kelley 1935), which removes that bias under the usual one-way ANOVA model (it is unbiased for
// the population's η² when the noise within bins has equal variance, whatever the bin sizes):
//
//   ε² = (SS_between − (K − 1) · MS_within) / SS_total,   MS_within = SS_within / (n − K)
//
// clamped to [0, 1] (a negative estimate means "no effect we can tell from noise").
//
// Bins (the space's own scale, so that an effect is measured as a user sees it in a slice plot):
//   categorical        one bin per choice
//   otherwise          K equal-width bins over low … high, in log space for a log parameter (so
//                      1e-4 … 1e-1 spreads over its decades instead of crowding into its top bin);
//                      an int or stepped float with at most K grid values: one bin per value
//   inactive (NaN)     a bin of its own (a conditional parameter's absence is one of its values)
// K grows with the trials as n^(1/3), 2 … maxBins: finer bins lose less of a smooth effect (a
// linear one keeps 1 − 1/K² of its variance), coarser bins estimate each mean better.
//
// What it does not measure: interactions (Σ S_i ≤ 1 for independent parameters; `explained` says
// how much the main effects account for, the rest is interactions and noise), and it weighs the
// space as the trials sampled it (a TPE sweep's trials crowd the good region: the importance is
// "over the configurations tried", as with any estimate from a sweep's own trials). A sampler that
// chooses parameters together makes them dependent, and then their main effects overlap: Σ S_i
// may pass 1 (`explained` is capped at 1; the shares still rank them). Only complete trials with a
// finite value count — and a pruner picks which trials complete: where it stops the bad learning
// rates early, the survivors vary less in lr, and lr's importance among them is smaller than over
// every configuration tried.
//
// Threads: pure functions.

#include "core/tune/search_space.h"

#include <QString>
#include <QVector>

#include <vector>

namespace orrery::tune {

struct Trial;

struct ParamImportance {
    QString name;
    double importance = 0.0; // ε², the first-order index estimate, 0 … 1
    double etaSquared = 0.0; // η² before the bias correction
    double share = 0.0; // importance / Σ importances (sums to 1, as Optuna normalises); 0 when all are 0
    int bins = 0; // non-empty bins
};

struct ImportanceResult {
    QVector<ParamImportance> params; // in the space's order
    int trials = 0; // observations used
    double explained = 0.0; // Σ importance, capped at 1

    // Indices into params, most important first (ties: the space's order).
    QVector<int> ranking() const;
};

struct ImportanceOptions {
    int maxBins = 20;
    // Below this many observations every importance is 0: with two bins and fewer trials the
    // estimate is mostly noise (four trials "explain" anything).
    int minTrials = 8;
};

// points[t] in the space's order (search_space.h), values[t] its objective; NaN values are skipped.
ImportanceResult parameterImportance(
    const SearchSpace &space, const std::vector<Point> &points, const std::vector<double> &values, const ImportanceOptions &options = {});
// The complete trials with a finite value.
ImportanceResult parameterImportance(const SearchSpace &space, const QVector<Trial> &trials, const ImportanceOptions &options = {});

// The bin of value `v` of parameter `p` (0 … binCount − 1; the last one holds inactive values) when
// its continuous range is cut into `continuousBins` bins. Exposed for the tests.
int importanceBin(const ParamSpec &p, double v, int continuousBins);
int importanceBinCount(const ParamSpec &p, int continuousBins);

} // namespace orrery::tune
