#pragma once
// Samplers: where the next trial of a sweep looks.
//   grid    every combination of the parameters' values, in a seeded shuffled order (Optuna's
//           GridSampler); floats need a step. Its size() is the number of points; a sweep of a grid
//           ends when they are used up.
//   random  independent uniform draws (log-uniform where `log`).
//   tpe     the Tree-structured Parzen Estimator (Bergstra et al. 2011; Optuna's TPESampler and its
//           multivariate variant, Falkner et al. 2018): after `startupTrials` random trials, the
//           finished trials are split into the best γ(n) and the rest, a Parzen density is fitted to
//           each, `candidates` points are drawn from the good density and the one with the largest
//           l(x)/g(x) is taken. See tpe_sampler.h for the exact rules.
//
// Reproducible: a suggestion depends only on the seed, the trial number and the history — so a
// resumed sweep asks the same questions, and two runs of the same sweep agree.
//
// Threads: suggest() is const and may run on any thread; a Sampler holds no mutable state.

#include "core/common/status.h"
#include "core/tune/search_space.h"

#include <QString>

#include <memory>
#include <vector>

namespace orrery::tune {

enum class Direction { Minimize, Maximize };

enum class TrialState { Queued, Running, Complete, Pruned, Failed };

// A trial as the samplers see it.
struct HistoryTrial {
    int number = 0;
    Point x;
    TrialState state = TrialState::Complete;
    double value = 0.0;         // Complete: the objective; Pruned: its last intermediate value
    int lastStep = 0;           // Pruned: the step it was stopped at
};

struct History {
    Direction direction = Direction::Maximize;
    std::vector<HistoryTrial> trials; // in any order; Running trials are the ones in flight
};

struct SamplerSpec {
    QString type = QStringLiteral("tpe"); // grid | random | tpe
    quint64 seed = 0;
    int startupTrials = 10;   // tpe
    int candidates = 24;      // tpe: n_ei_candidates
    bool multivariate = true; // tpe
};

class Sampler {
public:
    virtual ~Sampler() = default;
    virtual Result<Point> suggest(const SearchSpace &space, const History &history, int trialNumber) const = 0;
    // Grid: the number of points (the sweep's natural end); 0: unbounded.
    virtual qint64 size() const { return 0; }
};

// An unknown type names the known ones; grid over a continuous float names the parameter.
Result<std::unique_ptr<Sampler>> makeSampler(const SamplerSpec &spec, const SearchSpace &space);

} // namespace orrery::tune
