#pragma once
// StageProgress: how far a running stage says it is, read from the tail of its log.
//
// Stages report progress only by what they print, so this recognises what is printed in the
// wild and nothing else — a percentage is shown only when the stage itself wrote a count or a
// percentage, never guessed from time:
//   - a counted unit: "epoch 450/1000", "step 12 of 40", "batch: 3/10" (epoch, step, batch,
//     iter(ation), trial, fold, chunk, row(s), file(s), sample(s)) — the built-in baseline
//     trainer's "baseline_logistic epoch 50/300 …", orrery-train's "… step 120/400";
//   - tqdm's bar: " 45%|████▌     | 45/100 [00:01<00:01, …]".
// The last such line wins (progress lines overwrite each other with '\r' on a terminal, and
// follow each other with '\n' in a log).

#include <QByteArray>
#include <QString>

#include <optional>

namespace orrery::ui {

struct StageProgress {
    qint64 done = 0;
    qint64 total = 0; // > 0
    QString label;    // "epoch 450/1000", "45%"
    int percent() const { return int(done * 100 / total); }
};

std::optional<StageProgress> parseStageProgress(const QByteArray &logTail);

// The last `maxBytes` of a log file, or empty when it cannot be read. Blocks on the disk: call
// it off the GUI thread.
QByteArray readLogTail(const QString &path, qint64 maxBytes = 8192);

} // namespace orrery::ui
