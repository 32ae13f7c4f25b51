// TPE's cost and quality beside Optuna's (issue 19; bench.sh tuning runs the peers).
//   bench_tune_sampler overhead N K   the peer's space and objective (peers/optuna_tpe.py: lr
//                                     log-uniform 1e-5 … 1e-1, units int 8 … 512, act one of
//                                     relu/tanh/gelu), N random finished trials loaded in bulk,
//                                     then K ask/tell cycles: ms per suggestion, multivariate
//                                     (Orrery's default) and univariate (Optuna's default, the peer's)
//   bench_tune_sampler quality [S]    median best of 5 (or S) seeds: Branin after 100 trials, Hartmann-6
//                                     after 200 (both minimised), multivariate and univariate —
//                                     beside peers/optuna_quality.py
//   bench_tune_sampler                both, with N = 1,000 (K = 50) and 10,000 (K = 20)
// Prints `bench NAME VALUE UNIT`.

#include "core/common/random.h"
#include "core/tune/random_sampler.h"
#include "core/tune/sampler.h"
#include "core/tune/tpe_sampler.h"

#include <QJsonValue>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>

using namespace orrery;
using namespace orrery::tune;

namespace {

ParamSpec number(const char *name, ParamKind kind, double low, double high, bool log = false)
{
    ParamSpec p;
    p.name = QString::fromLatin1(name);
    p.kind = kind;
    p.low = low;
    p.high = high;
    p.log = log;
    return p;
}

SearchSpace validated(QVector<ParamSpec> params)
{
    SearchSpace space(std::move(params));
    const Status s = space.validate();
    if (!s.isOk()) {
        std::fprintf(stderr, "bench_tune_sampler: %s\n", qPrintable(s.message()));
        std::exit(1);
    }
    return space;
}

// The peer's objective: f(lr, units, act).
double peerObjective(const Point &p)
{
    return (p[0] - 0.01) * (p[0] - 0.01) + (p[1] - 128) * (p[1] - 128) / 1e4 + (p[2] == 0 ? 0 : 0.1);
}

Point suggestOrDie(const Sampler &sampler, const SearchSpace &space, const History &history, int number)
{
    auto p = sampler.suggest(space, history, number);
    if (!p.isOk()) {
        std::fprintf(stderr, "bench_tune_sampler: %s\n", qPrintable(p.status().message()));
        std::exit(1);
    }
    return *p;
}

void overhead(int n, int k)
{
    ParamSpec act;
    act.name = QStringLiteral("act");
    act.kind = ParamKind::Categorical;
    act.choices = {QJsonValue(QStringLiteral("relu")), QJsonValue(QStringLiteral("tanh")), QJsonValue(QStringLiteral("gelu"))};
    const SearchSpace space = validated({number("lr", ParamKind::Float, 1e-5, 1e-1, true), number("units", ParamKind::Int, 8, 512), act});

    // The history as the peer makes it: lr = 10^U(−5, −1), units and act uniform.
    History bulk;
    bulk.direction = Direction::Minimize;
    bulk.trials.reserve(size_t(n + k));
    common::Random random(1);
    for (int i = 0; i < n; ++i) {
        Point p{std::pow(10.0, random.uniform(-5, -1)), double(8 + random.below(505)), double(random.below(3))};
        bulk.trials.push_back({i, p, TrialState::Complete, peerObjective(p), 0});
    }
    for (bool multivariate : {true, false}) {
        SamplerSpec spec;
        spec.seed = 1;
        spec.multivariate = multivariate;
        const TpeSampler tpe(spec);
        History history = bulk;
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < k; ++i) {
            const Point p = suggestOrDie(tpe, space, history, n + i);
            history.trials.push_back({n + i, p, TrialState::Complete, peerObjective(p), 0});
        }
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / k;
        std::printf("bench tpe_suggest_after_%d_%s %.4f ms\n", n, multivariate ? "multivariate" : "univariate", ms);
    }
}

double branin(const Point &p)
{
    const double x1 = p[0], x2 = p[1];
    const double b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, t = 1 / (8 * M_PI);
    return std::pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * std::cos(x1) + 10;
}

double hartmann6(const Point &x)
{
    static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
    static const double a[4][6] = {{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14}, {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
    static const double p[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                   {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                   {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                   {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
    double sum = 0;
    for (int i = 0; i < 4; ++i) {
        double inner = 0;
        for (int j = 0; j < 6; ++j)
            inner += a[i][j] * (x[size_t(j)] - p[i][j]) * (x[size_t(j)] - p[i][j]);
        sum += alpha[i] * std::exp(-inner);
    }
    return -sum;
}

int g_seeds = 5;

double medianBest(const SearchSpace &space, int trials, bool multivariate, const std::function<double(const Point &)> &f)
{
    std::vector<double> bests;
    for (quint64 seed = 0; seed < quint64(g_seeds); ++seed) {
        SamplerSpec spec;
        spec.seed = seed;
        spec.multivariate = multivariate;
        const TpeSampler tpe(spec);
        History h;
        h.direction = Direction::Minimize;
        double best = INFINITY;
        for (int k = 0; k < trials; ++k) {
            const Point p = suggestOrDie(tpe, space, h, k);
            const double v = f(p);
            best = std::min(best, v);
            h.trials.push_back({k, p, TrialState::Complete, v, 0});
        }
        bests.push_back(best);
    }
    std::sort(bests.begin(), bests.end());
    const size_t n = bests.size();
    return n % 2 ? bests[n / 2] : 0.5 * (bests[n / 2 - 1] + bests[n / 2]);
}

void quality()
{
    const SearchSpace braninSpace = validated({number("x1", ParamKind::Float, -5, 10), number("x2", ParamKind::Float, 0, 15)});
    QVector<ParamSpec> six;
    for (int j = 0; j < 6; ++j)
        six << number(qPrintable(QStringLiteral("x%1").arg(j)), ParamKind::Float, 0, 1);
    const SearchSpace hartmannSpace = validated(six);
    for (bool multivariate : {true, false}) {
        const char *mode = multivariate ? "multivariate" : "univariate";
        std::printf("bench tpe_branin_100_median_best_%s %.6f value\n", mode, medianBest(braninSpace, 100, multivariate, branin));
        std::printf("bench tpe_hartmann6_200_median_best_%s %.6f value\n", mode, medianBest(hartmannSpace, 200, multivariate, hartmann6));
    }
}

} // namespace

int main(int argc, char **argv)
{
    if (argc == 4 && std::strcmp(argv[1], "overhead") == 0) {
        overhead(std::atoi(argv[2]), std::atoi(argv[3]));
    } else if ((argc == 2 || argc == 3) && std::strcmp(argv[1], "quality") == 0) {
        if (argc == 3)
            g_seeds = std::max(1, std::atoi(argv[2]));
        quality();
    } else if (argc == 1) {
        overhead(1000, 50);
        overhead(10000, 20);
        quality();
    } else {
        std::fprintf(stderr, "usage: bench_tune_sampler [overhead N K | quality [SEEDS]]\n");
        return 2;
    }
    return 0;
}
