#pragma once
// A trial's training config: the sweep's training config with the trial's values written at their
// dotted keys (`optimizer.lr: 0.0021`), its relative data path made absolute (the trial's config
// lives in the trial's folder, not beside the original) and its run named after the trial. The
// result is a file the user can read, and rerun by hand with `orrery-cli train`.
//
// The best configuration written for the user (`tune best --config`, the tune stage's out) is the
// same with the data path relative to where that file goes, so it stays true in another clone.
//
// Threads: a free function.

#include "core/common/status.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace orrery::tune {

// `base`: the training config's text; `baseDir`: its folder. An error names a key whose parent
// is not a mapping in the config (`model.hidden.width` when model.hidden is a list).
// `targetDir` empty: the data path absolute; else relative to targetDir. `runName` empty: the
// base's own.
Result<QByteArray> trialTrainConfig(const QByteArray &base, const QString &baseDir, const QJsonObject &values, const QString &runName,
                                    const QString &targetDir = QString());

// `yaml` (a params file) with `values` at their dotted keys; the rest as it was.
Result<QByteArray> setYamlValues(const QByteArray &yaml, const QJsonObject &values, const QString &fileName);

// The sweep's training config with the trial's values, to be written at `target` (see above).
Result<QByteArray> configForTarget(const QString &trainConfig, const QJsonObject &values, const QString &target);

} // namespace orrery::tune
