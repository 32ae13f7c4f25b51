#pragma once
// CronSchedule: a cron expression of five fields, as Vixie cron (and cronie after it) reads
// them, with its next runs — the `schedule` trigger of ct.yaml (ct_config.h).
//
//   ┌ minute        0–59
//   │ ┌ hour        0–23
//   │ │ ┌ day of the month  1–31
//   │ │ │ ┌ month   1–12 or jan … dec
//   │ │ │ │ ┌ day of the week  0–7 (0 and 7 are Sunday) or sun … sat
//   * * * * *
//
// Each field is a comma-separated list of items: `*`, a value `5`, a range `1-5`, and any of
// these with a step `*/15`, `1-30/5` (a value with a step, `5/15`, runs from the value to the
// field's end, as cronie reads it). Names are case-insensitive and may stand wherever a number
// may (`mon-fri`, `jan,jul`). The macros @yearly (@annually), @monthly, @weekly, @daily
// (@midnight) and @hourly stand for their five fields; @reboot has no next run and is refused.
//
// The day rule is Vixie cron's: when both day fields are restricted (neither starts with `*`), a
// day matches when EITHER matches — "0 0 1,15 * mon" runs on the 1st, the 15th and every Monday;
// when either starts with `*` (even `*/2`), both must match.
//
// Times are UTC: a schedule never meets a daylight-saving jump. An expression that can never
// run (the 30th of February, the 31st of April only) is refused when it is parsed, naming why.
//
// Threads: a CronSchedule is an immutable value.

#include "core/common/status.h"

#include <QDateTime>
#include <QString>
#include <QVector>

#include <bitset>

namespace orrery::ct {

class CronSchedule {
public:
    // `expression`: five fields or a macro. InvalidArgument names the field, the item and the fix.
    static Result<CronSchedule> parse(const QString &expression);

    const QString &expression() const { return m_expression; }
    // Whether the minute containing `t` (UTC) is one the schedule runs at.
    bool matches(const QDateTime &t) const;
    // The first minute strictly after `after` (UTC, seconds dropped) that the schedule runs at.
    QDateTime nextAfter(const QDateTime &after) const;
    // The next `count` runs after `after`.
    QVector<QDateTime> nextRuns(const QDateTime &after, int count) const;

private:
    bool dayMatches(const QDate &date) const;

    QString m_expression;
    std::bitset<60> m_minutes;
    std::bitset<24> m_hours;
    std::bitset<32> m_daysOfMonth; // 1 … 31
    std::bitset<13> m_months;      // 1 … 12
    std::bitset<7> m_daysOfWeek;   // 0 (Sunday) … 6
    bool m_domStar = false;        // the day-of-month field starts with '*'
    bool m_dowStar = false;
};

} // namespace orrery::ct
