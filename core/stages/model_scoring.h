#pragma once
// Scoring rows with a model file as `orrery-cli predict` does (LibTorch runs in orrery-train, so
// neither orrery-cli nor the window loads it): the register stage scores the champion on its
// holdout with it, and continuous training's gate scores champion and challenger on the newest
// labelled production rows (core/ct/gate_step.h). One score per row: the positive class's
// probability (predict's `p_1` column).
//
// Threads: any; the scoring is a child process, waited for on the calling thread.

#include "core/common/status.h"

#include <QString>

#include <atomic>
#include <functional>
#include <vector>

namespace orrery::stages {

struct ScoringRequest {
    QString cliDir;     // the folder of orrery-cli (empty: this program's)
    QString model;      // the model file
    QString shown;      // how errors name it: "champion v3"
    QString input;      // a CSV with the model's input columns
    QString workDir;    // where predict writes its scores and log
    QString runDir;     // where predict runs (empty: workDir)
    QString what;       // who asks, the errors' prefix: "register"
    const std::atomic<bool> *cancel = nullptr;
};

// Errors: predict failed (its log's tail), or gave other than `rows` numbers.
Result<std::vector<double>> scoreRows(const ScoringRequest &request, size_t rows);

// The `column` of a predict output (or any CSV of scores), one number per row, `rows` of them.
Result<std::vector<double>> readScores(const QString &path, const QString &shown, const QString &column, size_t rows, const QString &what,
                                       const std::function<bool()> &cancelled = {});

} // namespace orrery::stages
