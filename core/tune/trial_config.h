#pragma once
// A trial's training config: the sweep's training config with the trial's values written at their
// dotted keys (`optimizer.lr: 0.0021`), its relative data path made absolute (the trial's config
// lives in the trial's folder, not beside the original) and its run named after the trial. The
// result is a file the user can read, and rerun by hand with `orrery-cli train`.
//
// Threads: a free function.

#include "core/common/status.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace orrery::tune {

// `base`: the training config's text; `baseDir`: its folder. An error names a key whose parent
// is not a mapping in the config (`model.hidden.width` when model.hidden is a list).
Result<QByteArray> trialTrainConfig(const QByteArray &base, const QString &baseDir, const QJsonObject &values, const QString &runName);

} // namespace orrery::tune
