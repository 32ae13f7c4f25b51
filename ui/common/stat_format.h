#pragma once
// How the workbench writes figures: counts with digit grouping, statistics to four significant
// digits (enough to see a change, short enough for a table cell), shares as percentages, sizes
// in binary units. One place, so the statistics table and the diff read the same way; in common
// so that every area's tables can write their numbers the same way (the Data area's do today).

#include <QString>

namespace orrery::ui::statformat {

QString count(qint64 n);                 // "50,000"
QString number(double v);                // "46.04", "0.0123", "1.235e+06"; "" for NaN
QString percent(double fraction);        // "0 %", "2.5 %", "100 %"
QString bytes(qint64 n);                 // "3.6 MiB"; "" for n < 0
QString timestamp(qint64 microseconds);  // UTC, to the minute: a table cell, not a log
QString signedCount(qint64 delta);       // "+1", "−3", "±0"

} // namespace orrery::ui::statformat
