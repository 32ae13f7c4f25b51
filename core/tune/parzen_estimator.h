#pragma once
// The Parzen estimator of TPE: a weighted mixture of one kernel per observation plus a prior
// kernel, over one parameter (univariate TPE) or several jointly (multivariate TPE), with the
// rules of Optuna 3.1's _ParzenEstimator (optuna/samplers/_tpe/parzen_estimator.py):
//
//   internal space   a float as is; a log float or log int as ln(value); a stepped float or an
//                    int (not log) as is, but with the range widened by step/2 each side
//   weights          Optuna's default_weights over the observations in chronological order
//                    (1 each up to 25; past that the oldest n − 25 ramp linearly from 1/n to 1),
//                    then the prior's weight (1), all normalised
//   numbers          a normal kernel truncated to the internal range, centred on the observation;
//                    the prior's centred mid-range with σ = the range. Univariate σ: the larger
//                    gap to the neighbouring centres (prior and range ends included; the first
//                    and last centre take their inner gap: consider_endpoints off). Multivariate σ
//                    (Scott's rule, BOHB): 0.2 · n^(−1/(d + 4)) · range. Then "magic clip": σ in
//                    [range / min(100, 1 + kernels), range]
//   steps and ints   (not log) the kernel's mass over [v − step/2, v + step/2] divided by its mass
//                    over the range: a probability per grid point
//   categorical      kernel of an observation c: (w/(n+1) + [j = c]) / (1 + C·w/(n+1)) for choice j,
//                    w the prior weight; the prior kernel uniform
//   sampling         a kernel by weight (one kernel for all dimensions jointly), then each
//                    dimension from it (a truncated normal by its quantile function), mapped back
//                    to the parameter's values (rounded to its grid, clipped)
// logPdf() is in the internal space (a log range's density is over ln(value)): TPE compares two
// estimators of the same space, so the Jacobian cancels. A continuous kernel's log density includes
// −ln σ: Optuna 3.1's truncated normal leaves it out (optuna/optuna#5109, fixed upstream by #5110),
// which weighs wide kernels up; here every kernel is a density, as in Optuna's later releases.
// (Measured on Hartmann-6, 200 trials, 60 seeds: this estimator's TPE and Optuna 3.1 with that
// fix reach the same median best; Optuna 3.1 as released does about 1–2 % of the range better.)
//
// Fast for 10,000 observations: kernels in flat per-dimension arrays with their constants (1/σ,
// the log normaliser) computed once; a mixture is summed by log-sum-exp over one reused buffer; a
// one-dimensional discrete or categorical estimator merges identical kernels (same centre and σ:
// the weights add); the Gaussian mass of a grid point depends on the kernel only through the grid
// distance and σ, so it is memoised per σ (the clip makes most σ equal). Not thread-safe (the
// memo); TPE makes its estimators per suggestion.

#include "core/common/random.h"
#include "core/tune/search_space.h"

#include <vector>

namespace orrery::tune {

// The standard normal distribution, accurate in both tails (Optuna's _truncnorm.py rules).
namespace gauss {
double ndtr(double a);                 // Φ(a)
double logNdtr(double a);              // ln Φ(a), asymptotic series below −20
double logMass(double a, double b);    // ln(Φ(b) − Φ(a)) for a < b, in whichever tail is exact
double ndtri(double p);                // Φ⁻¹(p)
// The u-quantile (0 ≤ u < 1) of N(0, 1) truncated to [a, b].
double truncatedQuantile(double a, double b, double u);
} // namespace gauss

// One parameter as the estimator sees it.
struct ParzenDimension {
    enum class Kind { Continuous, Discrete, Categorical };
    Kind kind = Kind::Continuous;
    double low = 0.0;       // internal range (Continuous, Discrete)
    double high = 0.0;
    double q = 0.0;         // Discrete: the step
    double first = 0.0;     // Discrete: the first grid point (the parameter's low)
    qint64 points = 0;      // Discrete: grid points; Categorical: choices
    bool log = false;       // internal = ln(value)
    bool roundToInt = false; // an int on the log scale: exp, then round
    double valueLow = 0.0;  // the parameter's own range (values are clipped to it)
    double valueHigh = 0.0;

    static ParzenDimension of(const ParamSpec &spec);
    double toInternal(double value) const;
    // A value of the parameter (on its grid, in its range) from an internal one.
    double fromInternal(double x) const;
};

struct ParzenOptions {
    bool multivariate = false;
    double priorWeight = 1.0;
    bool magicClip = true;
};

class ParzenEstimator {
public:
    // `observations`: n rows of dims.size() parameter values (a Point's values for those
    // parameters, none NaN), oldest first.
    ParzenEstimator(std::vector<ParzenDimension> dims, const double *observations, int n, const ParzenOptions &options);

    int dimensions() const { return int(m_dim.size()); }
    int kernels() const { return int(m_logWeight.size()); } // the prior included, identical ones merged

    // `count` rows of parameter values drawn from the mixture into out (count × dimensions()).
    void sample(common::Random &random, int count, double *out) const;
    // The log density of each of `count` rows of parameter values (internal space; a discrete or
    // categorical dimension contributes a log probability). A value outside the range: −∞.
    void logPdf(const double *rows, int count, double *out) const;

    // Optuna's default_weights(n): the observations' weights, oldest first.
    static void defaultWeights(int n, double *out);

private:
    struct Dim {
        ParzenDimension spec;
        std::vector<double> mu;       // Continuous, Discrete: centres (internal)
        std::vector<double> sigma;
        std::vector<double> invSigma;
        std::vector<double> logNorm;  // Continuous: ln σ + ½ ln 2π + ln mass(range); Discrete: ln mass(range)
        std::vector<int> choice;      // Categorical: the observed choice, or points for the prior
        std::vector<double> logProb;  // Categorical: (points + 1) × points table, row = kernel's choice
        std::vector<double> cumProb;  // Categorical: the same rows, cumulative (sampling)
        // Discrete memo: per kernel its grid index (−1: off the grid, the prior) and σ class
        // (−1: computed directly); per class a table over grid distances −(points−1) … points−1.
        std::vector<int> gridIndex;
        std::vector<int> sigmaClass;
        std::vector<double> classSigma;
        mutable std::vector<std::vector<double>> memo;
    };

    static void fitNumeric(Dim &d, const double *observations, int n, int stride, const ParzenOptions &options, double sigma0);
    static void fitCategorical(Dim &d, const double *observations, int n, int stride, const ParzenOptions &options);
    static void prepareNumeric(Dim &d);
    void mergeIdenticalKernels(std::vector<double> &weights);
    static double discreteTerm(const Dim &d, double x, int gridX, int k);

    std::vector<Dim> m_dim;
    std::vector<double> m_logWeight;
    std::vector<double> m_cumWeight;
    mutable std::vector<double> m_buffer; // logPdf's per-kernel terms, reused
};

} // namespace orrery::tune
