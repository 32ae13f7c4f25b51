#pragma once
// Hyperband (Li et al. 2017, JMLR 18(185)) over ASHA brackets, as Optuna 3.1's HyperbandPruner.
//
// Brackets: n = s_max + 1, where s_max is the largest s with minResource · factor^s ≤ maxResource
// (Optuna's floor(log_factor(maxResource / minResource)) + 1, here in exact integers: Optuna's
// floating-point log answers 5 for 1 … 243 with factor 3, where the rule means 6).
// Bracket b (0 … n−1) is a SuccessiveHalvingPruner with minEarlyStoppingRate b: bracket 0 judges
// first at minResource, bracket n−1 only at minResource · factor^(n−1). PrunerSpec's
// minEarlyStoppingRate is not used here: the brackets set it.
//
// Budgets: bracket b weighs ⌈n · factor^s / (s + 1)⌉ with s = n − 1 − b (the number of
// configurations Hyperband's bracket s starts with; Optuna's trial allocation budget). 1 … 9,
// factor 3: n = 3, weights 9, 5, 3 of 17.
//
// A trial's bracket: h = CRC-32 (zlib's, as Python's binascii.crc32) of the text "trial_N" with N
// its number in decimal; r = h mod (sum of the weights); the bracket is the first b whose cumulated
// weight exceeds r. Optuna hashes "{study name}_{N}" the same way, so an Optuna study named "trial"
// puts every trial in the same bracket as we do (the oracle test relies on that). Deterministic
// from the number alone: a resumed sweep, or another process, finds the same brackets.
//
// Each trial's reports and end go to its bracket's pruner only: it competes with the trials of
// its bracket, never with the others.
//
// Defaults (PrunerSpec): minResource 1, reductionFactor 3 (Optuna's too). maxResource is required
// (the training's epochs): Optuna's "auto" (the first Complete trial's last step + 1) would prune
// nothing until a trial completes and then fix the brackets from that one trial.
//
// Threads: one thread at a time.

#include "core/tune/pruner.h"
#include "core/tune/successive_halving_pruner.h"

#include <QByteArrayView>

#include <memory>
#include <vector>

namespace orrery::tune {

class HyperbandPruner final : public Pruner {
public:
    // Expects what makePruner checks: minResource ≥ 1, maxResource ≥ minResource, factor ≥ 2.
    HyperbandPruner(Direction direction, int minResource, int maxResource, int reductionFactor);

    void report(int trial, int step, double value) override;
    bool shouldPrune(int trial, int step) override;
    void finished(int trial, TrialState state) override;

    // n for minResource … maxResource and factor (1 when maxResource < minResource · factor).
    static int bracketCount(int minResource, int maxResource, int reductionFactor);
    int bracketCount() const { return int(m_budgets.size()); }
    // Per bracket, its weight.
    const std::vector<qint64> &budgets() const { return m_budgets; }
    // The bracket of trial number `trial`.
    int bracketOf(int trial) const;
    // CRC-32 as zlib and Python's binascii.crc32 compute it (reflected, polynomial 0xEDB88320).
    static quint32 crc32(QByteArrayView bytes);

private:
    std::vector<qint64> m_budgets;
    qint64 m_totalBudget = 0;
    std::vector<std::unique_ptr<SuccessiveHalvingPruner>> m_brackets;
};

} // namespace orrery::tune
