#include "core/ct/cron_schedule.h"

#include <QStringList>

namespace orrery::ct {
namespace {

const QStringList kMonthNames = {QStringLiteral("jan"), QStringLiteral("feb"), QStringLiteral("mar"), QStringLiteral("apr"),
                                 QStringLiteral("may"), QStringLiteral("jun"), QStringLiteral("jul"), QStringLiteral("aug"),
                                 QStringLiteral("sep"), QStringLiteral("oct"), QStringLiteral("nov"), QStringLiteral("dec")};
const QStringList kDayNames = {QStringLiteral("sun"), QStringLiteral("mon"), QStringLiteral("tue"), QStringLiteral("wed"),
                               QStringLiteral("thu"), QStringLiteral("fri"), QStringLiteral("sat")};

struct FieldSpec {
    const char *name;     // for messages
    int min, max;
    const QStringList *names; // names[i] stands for min + i (months: 1…12, days: 0…6)
    const char *example;
};

const FieldSpec kFields[5] = {
    {"minute", 0, 59, nullptr, "0, */15, 0-30/10"},
    {"hour", 0, 23, nullptr, "3, 9-17, */6"},
    {"day of the month", 1, 31, nullptr, "1, 1,15, 10-20"},
    {"month", 1, 12, &kMonthNames, "1, jan-jun, */3"},
    {"day of the week", 0, 7, &kDayNames, "1-5, mon-fri, sun"},
};

// A number or (where the field has them) a name; -1 when it is neither.
int valueOf(const QString &text, const FieldSpec &spec)
{
    bool ok = false;
    const int n = text.toInt(&ok);
    if (ok && !text.startsWith(QLatin1Char('+')) && !text.startsWith(QLatin1Char('-')))
        return n;
    if (spec.names) {
        const int i = int(spec.names->indexOf(text.toLower()));
        if (i >= 0)
            return spec.min + i; // months from 1, days of the week from 0
    }
    return -1;
}

Status fieldError(const FieldSpec &spec, const QString &item, const QString &what)
{
    return invalidArgument(QStringLiteral("the %1 field's '%2' %3; write e.g. %4 (%1: %5-%6%7)")
                               .arg(QLatin1String(spec.name), item, what, QLatin1String(spec.example))
                               .arg(spec.min)
                               .arg(spec.max)
                               .arg(spec.names ? QStringLiteral(" or %1-%2").arg(spec.names->first(), spec.names->last()) : QString()));
}

// Parses one field into the values it selects (min … max); `star`: it starts with '*'.
Status parseField(const QString &field, const FieldSpec &spec, QVector<bool> &selected, bool &star)
{
    selected.fill(false, spec.max + 1);
    star = field.startsWith(QLatin1Char('*'));
    if (field.isEmpty())
        return invalidArgument(QStringLiteral("the %1 field is empty").arg(QLatin1String(spec.name)));
    for (const QString &item : field.split(QLatin1Char(','))) {
        if (item.isEmpty())
            return fieldError(spec, field, QStringLiteral("has an empty item between commas"));
        QString range = item;
        int step = 1;
        const int slash = int(item.indexOf(QLatin1Char('/')));
        if (slash >= 0) {
            bool ok = false;
            const QString stepText = item.mid(slash + 1);
            step = stepText.toInt(&ok);
            if (!ok || step <= 0 || stepText.startsWith(QLatin1Char('+')))
                return fieldError(spec, item, QStringLiteral("has the step '%1', which is no whole number above 0").arg(stepText));
            if (step > spec.max - spec.min + 1)
                return fieldError(spec, item, QStringLiteral("steps by %1, more than the field's whole range").arg(step));
            range = item.left(slash);
        }
        int lo = spec.min, hi = spec.max;
        if (range == QLatin1String("*")) {
            // the whole field
        } else {
            const int dash = int(range.indexOf(QLatin1Char('-')));
            const QString loText = dash >= 0 ? range.left(dash) : range;
            lo = valueOf(loText, spec);
            if (lo < 0)
                return fieldError(spec, item, QStringLiteral("has '%1', which is no %2").arg(loText, spec.names ? QStringLiteral("number or name") : QStringLiteral("number")));
            if (dash >= 0) {
                const QString hiText = range.mid(dash + 1);
                hi = valueOf(hiText, spec);
                if (hi < 0)
                    return fieldError(spec, item, QStringLiteral("has '%1', which is no %2").arg(hiText, spec.names ? QStringLiteral("number or name") : QStringLiteral("number")));
            } else {
                hi = slash >= 0 ? spec.max : lo; // cronie: "5/15" is 5 to the end by 15
            }
            if (lo < spec.min || lo > spec.max || hi < spec.min || hi > spec.max)
                return fieldError(spec, item, QStringLiteral("is outside %1-%2").arg(spec.min).arg(spec.max));
            if (lo > hi)
                return fieldError(spec, item, QStringLiteral("runs backwards (%1 is after %2); split it into two ranges").arg(lo).arg(hi));
        }
        for (int v = lo; v <= hi; v += step)
            selected[v] = true;
    }
    return Status::ok();
}

QString expandMacro(const QString &text, bool *known)
{
    *known = true;
    const QString t = text.toLower();
    if (t == QLatin1String("@yearly") || t == QLatin1String("@annually"))
        return QStringLiteral("0 0 1 1 *");
    if (t == QLatin1String("@monthly"))
        return QStringLiteral("0 0 1 * *");
    if (t == QLatin1String("@weekly"))
        return QStringLiteral("0 0 * * 0");
    if (t == QLatin1String("@daily") || t == QLatin1String("@midnight"))
        return QStringLiteral("0 0 * * *");
    if (t == QLatin1String("@hourly"))
        return QStringLiteral("0 * * * *");
    *known = false;
    return text;
}

int daysInMonthAnyYear(int month) { return month == 2 ? 29 : QDate(2001, month, 1).daysInMonth(); }

// The day-of-week bit of a date: Qt counts Monday 1 … Sunday 7, cron Sunday 0 … Saturday 6.
int cronWeekday(const QDate &d) { return d.dayOfWeek() % 7; }

// Leap days meet every weekday within 28 years (between 1901 and 2099), and a schedule on the
// 29th of February alone waits at most 8 years (2096 → 2104): searching 29 years ahead finds
// every run that exists.
constexpr int kSearchDays = 29 * 366;

} // namespace

Result<CronSchedule> CronSchedule::parse(const QString &expression)
{
    const QString trimmed = expression.trimmed();
    if (trimmed.isEmpty())
        return invalidArgument(QStringLiteral("the cron expression is empty; write five fields, e.g. \"0 3 * * *\" (every day at 03:00 UTC)"));
    QString text = trimmed;
    if (text.startsWith(QLatin1Char('@'))) {
        bool known = false;
        text = expandMacro(text, &known);
        if (!known)
            return invalidArgument(QStringLiteral("'%1' is no cron macro (@reboot has no time); use @hourly, @daily, @weekly, @monthly, @yearly or five fields").arg(trimmed));
    }
    const QStringList fields = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (fields.size() != 5)
        return invalidArgument(QStringLiteral("the cron expression '%1' has %2 field%3; write five: minute hour day-of-month month day-of-week, e.g. \"0 3 * * 1-5\"")
                                   .arg(trimmed)
                                   .arg(fields.size())
                                   .arg(fields.size() == 1 ? QString() : QStringLiteral("s")));
    CronSchedule s;
    s.m_expression = trimmed;
    QVector<bool> v;
    bool star = false;
    for (int f = 0; f < 5; ++f) {
        if (Status st = parseField(fields[f], kFields[f], v, star); !st.isOk())
            return invalidArgument(QStringLiteral("cron '%1': %2").arg(trimmed, st.message()));
        for (int i = kFields[f].min; i <= kFields[f].max; ++i) {
            if (!v[i])
                continue;
            switch (f) {
            case 0: s.m_minutes.set(size_t(i)); break;
            case 1: s.m_hours.set(size_t(i)); break;
            case 2: s.m_daysOfMonth.set(size_t(i)); break;
            case 3: s.m_months.set(size_t(i)); break;
            case 4: s.m_daysOfWeek.set(size_t(i % 7)); break; // 7 is Sunday too
            }
        }
        if (f == 2)
            s.m_domStar = star;
        if (f == 4)
            s.m_dowStar = star;
    }
    // The one way an expression never runs: days of the month that none of its months has, with
    // the day of the week not restricting on its own (Vixie's AND case).
    if (!s.m_domStar && s.m_dowStar) {
        bool possible = false;
        for (int m = 1; m <= 12 && !possible; ++m)
            for (int d = 1; d <= daysInMonthAnyYear(m) && s.m_months.test(size_t(m)); ++d)
                if (s.m_daysOfMonth.test(size_t(d)))
                    possible = true;
        if (!possible)
            return invalidArgument(QStringLiteral("cron '%1' never runs: none of its months has day %2; pick days the months have (February: up to 29)")
                                       .arg(trimmed, fields[2]));
    }
    if (!s.nextAfter(QDateTime(QDate(2000, 1, 1), QTime(0, 0), Qt::UTC)).isValid())
        return invalidArgument(QStringLiteral("cron '%1' never runs within 29 years; check its day, month and weekday fields").arg(trimmed));
    return s;
}

bool CronSchedule::dayMatches(const QDate &date) const
{
    if (!m_months.test(size_t(date.month())))
        return false;
    const bool dom = m_daysOfMonth.test(size_t(date.day()));
    const bool dow = m_daysOfWeek.test(size_t(cronWeekday(date)));
    // Vixie cron: both restricted → either day field; otherwise both (a '*' field matches anyway).
    if (m_domStar || m_dowStar)
        return dom && dow;
    return dom || dow;
}

bool CronSchedule::matches(const QDateTime &t) const
{
    const QDateTime u = t.toUTC();
    return m_minutes.test(size_t(u.time().minute())) && m_hours.test(size_t(u.time().hour())) && dayMatches(u.date());
}

QDateTime CronSchedule::nextAfter(const QDateTime &after) const
{
    QDateTime start = after.toUTC();
    start.setTime(QTime(start.time().hour(), start.time().minute()));
    start = start.addSecs(60);
    const QDate firstDay = start.date();
    for (int offset = 0; offset < kSearchDays; ++offset) {
        const QDate day = firstDay.addDays(offset);
        if (!dayMatches(day))
            continue;
        const bool first = offset == 0;
        for (int h = first ? start.time().hour() : 0; h < 24; ++h) {
            if (!m_hours.test(size_t(h)))
                continue;
            const int fromMinute = first && h == start.time().hour() ? start.time().minute() : 0;
            for (int m = fromMinute; m < 60; ++m)
                if (m_minutes.test(size_t(m)))
                    return QDateTime(day, QTime(h, m), Qt::UTC);
        }
    }
    return QDateTime();
}

QVector<QDateTime> CronSchedule::nextRuns(const QDateTime &after, int count) const
{
    QVector<QDateTime> runs;
    QDateTime t = after;
    for (int i = 0; i < count; ++i) {
        t = nextAfter(t);
        if (!t.isValid())
            break;
        runs.append(t);
    }
    return runs;
}

} // namespace orrery::ct
