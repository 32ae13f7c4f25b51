#pragma once
// Durations as people write them in Orrery's files and commands: "250ms", "60s", "5m", "1h",
// "7d", or a bare number of seconds — a canary step's pause (core/deploy), an alert rule's `for`
// and `keep_firing_for`, a silence (core/monitor). One parser, so one spelling works everywhere.

#include "core/common/status.h"

#include <QString>

namespace orrery::common {

// Milliseconds in `text`, from 0 up to `maxMs` (24 h unless told). InvalidArgument naming the
// text and the accepted forms, or the limit.
Result<qint64> parseDurationMs(const QString &text, qint64 maxMs = 24LL * 3'600'000);
// An exact spelling of `ms` in the largest unit of h, m, s, ms that divides it ("1h", "90s",
// "250ms"; "48h", never "2d", which Argo Rollouts' pause durations do not read).
QString durationText(qint64 ms);

} // namespace orrery::common
