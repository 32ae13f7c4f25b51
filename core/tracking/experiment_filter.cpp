#include "core/tracking/experiment_filter.h"

#include <QRegularExpression>

#include <algorithm>

namespace orrery::tracking {
namespace {

struct Cursor {
    const QString &s;
    int i = 0;
    void skipSpace()
    {
        while (i < s.size() && s[i].isSpace())
            ++i;
    }
    bool atEnd()
    {
        skipSpace();
        return i >= s.size();
    }
    Status error(const QString &what) const
    {
        return invalidArgument(QStringLiteral("Invalid experiment filter '%1': at column %2, %3").arg(s).arg(i + 1).arg(what));
    }
};

bool isIdentChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('.');
}

Result<QString> readQuoted(Cursor &c)
{
    const QChar quote = c.s[c.i];
    QString out;
    for (++c.i; c.i < c.s.size(); ++c.i) {
        if (c.s[c.i] == quote)
            return (++c.i, out);
        out += c.s[c.i];
    }
    return c.error(QStringLiteral("a quoted text is not closed"));
}

bool likeMatches(const QString &text, const QString &pattern, bool caseInsensitive)
{
    QString re = QStringLiteral("^");
    for (const QChar ch : pattern) {
        if (ch == QLatin1Char('%'))
            re += QStringLiteral(".*");
        else if (ch == QLatin1Char('_'))
            re += QLatin1Char('.');
        else
            re += QRegularExpression::escape(QString(ch));
    }
    re += QLatin1Char('$');
    QRegularExpression rx(re, QRegularExpression::DotMatchesEverythingOption
                                  | (caseInsensitive ? QRegularExpression::CaseInsensitiveOption : QRegularExpression::NoPatternOption));
    return rx.match(text).hasMatch();
}

template <typename T>
bool compare(const T &a, const QString &op, const T &b)
{
    if (op == QLatin1String("="))
        return a == b;
    if (op == QLatin1String("!="))
        return a != b;
    if (op == QLatin1String("<"))
        return a < b;
    if (op == QLatin1String("<="))
        return a <= b;
    if (op == QLatin1String(">"))
        return a > b;
    return a >= b;
}

} // namespace

Result<ExperimentFilter> ExperimentFilter::parse(const QString &filter)
{
    ExperimentFilter f;
    Cursor c{filter};
    while (!c.atEnd()) {
        if (!f.m_clauses.isEmpty()) {
            const int start = c.i;
            while (c.i < filter.size() && c.s[c.i].isLetter())
                ++c.i;
            if (filter.mid(start, c.i - start).compare(QLatin1String("AND"), Qt::CaseInsensitive) != 0)
                return (c.i = start, c.error(QStringLiteral("expected AND between clauses (OR is not supported)")));
            if (c.atEnd())
                return c.error(QStringLiteral("expected a clause after AND"));
        }
        Clause clause;
        const int identStart = c.i;
        while (c.i < filter.size() && isIdentChar(c.s[c.i]))
            ++c.i;
        QString ident = filter.mid(identStart, c.i - identStart);
        if (c.i < filter.size() && (c.s[c.i] == QLatin1Char('"') || c.s[c.i] == QLatin1Char('`')) && ident.endsWith(QLatin1Char('.'))) {
            ORRERY_ASSIGN_OR_RETURN(auto quoted, readQuoted(c));
            ident += quoted;
        }
        const int dot = ident.indexOf(QLatin1Char('.'));
        const QString prefix = dot < 0 ? QString() : ident.left(dot).toLower();
        const QString rest = dot < 0 ? ident : ident.mid(dot + 1);
        if (prefix == QLatin1String("tags") || prefix == QLatin1String("tag")) {
            clause.kind = Clause::Tag;
            clause.tagKey = rest;
        } else if (prefix.isEmpty() || prefix == QLatin1String("attribute") || prefix == QLatin1String("attributes") || prefix == QLatin1String("attr")) {
            if (rest == QLatin1String("name"))
                clause.kind = Clause::Name;
            else if (rest == QLatin1String("creation_time"))
                clause.kind = Clause::CreationTime;
            else if (rest == QLatin1String("last_update_time"))
                clause.kind = Clause::LastUpdateTime;
            else
                return (c.i = identStart, c.error(QStringLiteral("'%1' is not an attribute of experiments (name, creation_time, last_update_time)").arg(rest)));
        } else {
            return (c.i = identStart, c.error(QStringLiteral("'%1' is not something experiments are filtered by (use name, tags.<key>, creation_time)").arg(ident)));
        }
        if (rest.isEmpty())
            return c.error(QStringLiteral("expected a name after '%1.'").arg(prefix));
        c.skipSpace();
        static const char *ops[] = {"!=", "<=", ">=", "=", "<", ">"};
        for (const char *op : ops) {
            if (filter.mid(c.i).startsWith(QLatin1String(op))) {
                clause.op = QLatin1String(op);
                c.i += int(qstrlen(op));
                break;
            }
        }
        if (clause.op.isEmpty()) {
            const int start = c.i;
            while (c.i < filter.size() && c.s[c.i].isLetter())
                ++c.i;
            clause.op = filter.mid(start, c.i - start).toUpper();
            if (clause.op != QLatin1String("LIKE") && clause.op != QLatin1String("ILIKE"))
                return (c.i = start, c.error(QStringLiteral("expected a comparison operator (= != < <= > >= LIKE ILIKE) after '%1'").arg(ident)));
        }
        const bool numeric = clause.kind == Clause::CreationTime || clause.kind == Clause::LastUpdateTime;
        const bool stringOp = clause.op == QLatin1String("=") || clause.op == QLatin1String("!=") || clause.op == QLatin1String("LIKE")
            || clause.op == QLatin1String("ILIKE");
        if (!numeric && !stringOp)
            return c.error(QStringLiteral("'%1' compares text: use = != LIKE or ILIKE").arg(ident));
        if (numeric && (clause.op == QLatin1String("LIKE") || clause.op == QLatin1String("ILIKE")))
            return c.error(QStringLiteral("'%1' is a time: use = != < <= > >=").arg(ident));
        c.skipSpace();
        if (c.i >= filter.size())
            return c.error(QStringLiteral("expected a value after '%1'").arg(clause.op));
        if (numeric) {
            const int start = c.i;
            while (c.i < filter.size() && (c.s[c.i].isDigit() || c.s[c.i] == QLatin1Char('-')))
                ++c.i;
            bool ok = false;
            clause.number = filter.mid(start, c.i - start).toLongLong(&ok);
            if (!ok)
                return (c.i = start, c.error(QStringLiteral("expected a number (milliseconds since 1970) for '%1'").arg(ident)));
        } else {
            if (c.s[c.i] != QLatin1Char('\'') && c.s[c.i] != QLatin1Char('"'))
                return c.error(QStringLiteral("expected a quoted value ('…') for '%1'").arg(ident));
            ORRERY_ASSIGN_OR_RETURN(auto value, readQuoted(c));
            clause.text = value;
        }
        f.m_clauses.append(clause);
    }
    return f;
}

bool ExperimentFilter::matches(const Experiment &e) const
{
    for (const Clause &c : m_clauses) {
        if (c.kind == Clause::CreationTime || c.kind == Clause::LastUpdateTime) {
            if (!compare(c.kind == Clause::CreationTime ? e.creationTime : e.lastUpdateTime, c.op, c.number))
                return false;
            continue;
        }
        QString value;
        bool present = true;
        if (c.kind == Clause::Name) {
            value = e.name;
        } else {
            present = false;
            for (const KeyValue &t : e.tags)
                if (t.key == c.tagKey)
                    value = t.value, present = true;
        }
        if (!present)
            return false; // as in SQL: a missing tag matches no comparison
        bool ok;
        if (c.op == QLatin1String("LIKE") || c.op == QLatin1String("ILIKE"))
            ok = likeMatches(value, c.text, c.op == QLatin1String("ILIKE"));
        else
            ok = compare(value, c.op, c.text);
        if (!ok)
            return false;
    }
    return true;
}

Status ExperimentFilter::sort(QVector<Experiment> &experiments, const QStringList &orderBy)
{
    struct Key {
        QString field;
        bool ascending = true;
    };
    QVector<Key> keys;
    for (const QString &item : orderBy) {
        const QStringList words = item.simplified().split(QLatin1Char(' '));
        QString field = words.value(0);
        for (const char *p : {"attribute.", "attributes.", "attr."})
            if (field.startsWith(QLatin1String(p)))
                field = field.mid(int(qstrlen(p)));
        const QString dir = words.value(1).toUpper();
        if (words.size() > 2 || (!dir.isEmpty() && dir != QLatin1String("ASC") && dir != QLatin1String("DESC"))
            || !QStringList{QStringLiteral("name"), QStringLiteral("experiment_id"), QStringLiteral("creation_time"), QStringLiteral("last_update_time")}.contains(field))
            return invalidArgument(QStringLiteral("Invalid order_by clause '%1': give one of name, experiment_id, creation_time, "
                                                  "last_update_time, then ASC or DESC").arg(item));
        keys.append({field, dir != QLatin1String("DESC")});
    }
    if (keys.isEmpty())
        keys.append({QStringLiteral("creation_time"), false});
    keys.append({QStringLiteral("experiment_id"), true});
    std::stable_sort(experiments.begin(), experiments.end(), [&](const Experiment &a, const Experiment &b) {
        for (const Key &k : keys) {
            int c = 0;
            if (k.field == QLatin1String("name"))
                c = a.name.compare(b.name);
            else if (k.field == QLatin1String("experiment_id"))
                c = a.id.toLongLong() < b.id.toLongLong() ? -1 : a.id.toLongLong() > b.id.toLongLong();
            else if (k.field == QLatin1String("creation_time"))
                c = a.creationTime < b.creationTime ? -1 : a.creationTime > b.creationTime;
            else
                c = a.lastUpdateTime < b.lastUpdateTime ? -1 : a.lastUpdateTime > b.lastUpdateTime;
            if (c != 0)
                return k.ascending ? c < 0 : c > 0;
        }
        return false;
    });
    return Status::ok();
}

} // namespace orrery::tracking
