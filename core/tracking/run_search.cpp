#include "core/tracking/run_search.h"

#include "core/store/database.h"
#include "core/tracking/tracking_store.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace orrery::tracking {
namespace {

// A small hand-written scanner for MLflow's filter language (identifiers, quoted strings,
// numbers, operators, parentheses and commas); positions are kept for error messages.
struct Token {
    enum Kind { End, Word, String, Number, Op, LParen, RParen, Comma };
    Kind kind = End;
    QString text;
    int column = 0; // 1-based
};

class Scanner {
public:
    explicit Scanner(const QString &text) : m_text(text) {}

    Result<Token> next()
    {
        while (m_pos < m_text.size() && m_text[m_pos].isSpace())
            ++m_pos;
        Token t;
        t.column = m_pos + 1;
        if (m_pos >= m_text.size())
            return t;
        const QChar c = m_text[m_pos];
        if (c == QLatin1Char('(') || c == QLatin1Char(')') || c == QLatin1Char(',')) {
            t.kind = c == QLatin1Char('(') ? Token::LParen : c == QLatin1Char(')') ? Token::RParen : Token::Comma;
            t.text = c;
            ++m_pos;
            return t;
        }
        if (c == QLatin1Char('\'') || c == QLatin1Char('"') || c == QLatin1Char('`')) {
            const int start = m_pos++;
            QString value;
            while (m_pos < m_text.size() && m_text[m_pos] != c)
                value += m_text[m_pos++];
            if (m_pos >= m_text.size())
                return invalidArgument(QStringLiteral("at column %1: the quote %2 is never closed").arg(start + 1).arg(c));
            ++m_pos;
            // 'x' and "x" are string values; `x` is a quoted identifier.
            t.kind = c == QLatin1Char('`') ? Token::Word : Token::String;
            t.text = value;
            return t;
        }
        if (QStringLiteral("=!<>").contains(c)) {
            QString op = c;
            ++m_pos;
            if (m_pos < m_text.size() && m_text[m_pos] == QLatin1Char('='))
                op += m_text[m_pos++];
            if (op == QLatin1String("!"))
                return invalidArgument(QStringLiteral("at column %1: '!' must be followed by '='").arg(t.column));
            t.kind = Token::Op;
            t.text = op;
            return t;
        }
        if (c.isDigit() || ((c == QLatin1Char('-') || c == QLatin1Char('+') || c == QLatin1Char('.')) && m_pos + 1 < m_text.size()
                            && (m_text[m_pos + 1].isDigit() || m_text[m_pos + 1] == QLatin1Char('.')))) {
            const int start = m_pos++;
            while (m_pos < m_text.size() && (m_text[m_pos].isLetterOrNumber() || QStringLiteral(".+-").contains(m_text[m_pos])))
                ++m_pos;
            t.kind = Token::Number;
            t.text = m_text.mid(start, m_pos - start);
            return t;
        }
        const int start = m_pos;
        while (m_pos < m_text.size() && !m_text[m_pos].isSpace() && !QStringLiteral("=!<>(),'\"`").contains(m_text[m_pos]))
            ++m_pos;
        // A key may follow a prefix's dot in quotes: metrics."my key", params.`a-b`.
        if (m_pos < m_text.size() && m_text[m_pos - 1] == QLatin1Char('.') && (m_text[m_pos] == QLatin1Char('"') || m_text[m_pos] == QLatin1Char('`'))) {
            const QChar q = m_text[m_pos];
            const int close = m_text.indexOf(q, m_pos + 1);
            if (close < 0)
                return invalidArgument(QStringLiteral("at column %1: the quote %2 is never closed").arg(m_pos + 1).arg(q));
            t.kind = Token::Word;
            t.text = m_text.mid(start, m_pos - start) + m_text.mid(m_pos + 1, close - m_pos - 1);
            m_pos = close + 1;
            return t;
        }
        if (m_pos == start)
            return invalidArgument(QStringLiteral("at column %1: unexpected '%2'").arg(start + 1).arg(m_text[start]));
        t.kind = Token::Word;
        t.text = m_text.mid(start, m_pos - start);
        return t;
    }

private:
    const QString &m_text;
    int m_pos = 0;
};

struct Identifier {
    enum Kind { Metric, Param, Tag, Attribute } kind = Attribute;
    QString key;
    bool numeric = false; // metrics and the time attributes
};

Result<Identifier> parseIdentifier(const Token &t)
{
    const int dot = t.text.indexOf(QLatin1Char('.'));
    const QString prefix = (dot < 0 ? QStringLiteral("attributes") : t.text.left(dot)).toLower();
    const QString key = dot < 0 ? t.text : t.text.mid(dot + 1);
    Identifier id;
    id.key = key;
    if (key.isEmpty())
        return invalidArgument(QStringLiteral("at column %1: '%2' names no key").arg(t.column).arg(t.text));
    if (prefix == QLatin1String("metrics") || prefix == QLatin1String("metric")) {
        id.kind = Identifier::Metric;
        id.numeric = true;
    } else if (prefix == QLatin1String("params") || prefix == QLatin1String("param") || prefix == QLatin1String("parameters")) {
        id.kind = Identifier::Param;
    } else if (prefix == QLatin1String("tags") || prefix == QLatin1String("tag")) {
        id.kind = Identifier::Tag;
    } else if (prefix == QLatin1String("attributes") || prefix == QLatin1String("attribute") || prefix == QLatin1String("attr")
               || prefix == QLatin1String("run")) {
        id.kind = Identifier::Attribute;
        static const QStringList strings = {QStringLiteral("run_id"), QStringLiteral("run_name"), QStringLiteral("status"),
                                            QStringLiteral("user_id"), QStringLiteral("artifact_uri"), QStringLiteral("lifecycle_stage")};
        static const QStringList numbers = {QStringLiteral("start_time"), QStringLiteral("end_time")};
        if (numbers.contains(key))
            id.numeric = true;
        else if (!strings.contains(key))
            return invalidArgument(QStringLiteral("at column %1: '%2' is not a run attribute (known: %3)")
                                       .arg(t.column).arg(key, (strings + numbers).join(QStringLiteral(", "))));
    } else {
        return invalidArgument(QStringLiteral("at column %1: '%2' must start with metrics., params., tags. or attributes.").arg(t.column).arg(t.text));
    }
    return id;
}

QString attributeColumn(const QString &key)
{
    if (key == QLatin1String("run_id"))
        return QStringLiteral("r.id");
    if (key == QLatin1String("run_name"))
        return QStringLiteral("r.name");
    return QStringLiteral("r.") + key;
}

// MLflow's LIKE is case-sensitive; SQLite's is not. GLOB is, so LIKE patterns become GLOBs.
QString likeToGlob(const QString &like)
{
    QString glob;
    for (const QChar c : like) {
        if (c == QLatin1Char('%'))
            glob += QLatin1Char('*');
        else if (c == QLatin1Char('_'))
            glob += QLatin1Char('?');
        else if (c == QLatin1Char('*') || c == QLatin1Char('?') || c == QLatin1Char('['))
            glob += QLatin1Char('[') + c + QLatin1Char(']');
        else
            glob += c;
    }
    return glob;
}

// The SQL expression for an identifier's value in the run r.
QString valueExpression(const Identifier &id, QVector<QVariant> *bindings)
{
    switch (id.kind) {
    case Identifier::Metric:
        bindings->append(id.key);
        return QStringLiteral("(SELECT m.value FROM latest_metrics m WHERE m.run_id = r.id AND m.key = ?)");
    case Identifier::Param:
        bindings->append(id.key);
        return QStringLiteral("(SELECT p.value FROM params p WHERE p.run_id = r.id AND p.key = ?)");
    case Identifier::Tag:
        bindings->append(id.key);
        return QStringLiteral("(SELECT t.value FROM tags t WHERE t.run_id = r.id AND t.key = ?)");
    case Identifier::Attribute:
        return attributeColumn(id.key);
    }
    return QString();
}

} // namespace

Result<QString> filterToSql(const QString &filter, QVector<QVariant> *bindings)
{
    Scanner scanner(filter);
    QStringList clauses;
    ORRERY_ASSIGN_OR_RETURN(Token token, scanner.next());
    if (token.kind == Token::End)
        return QStringLiteral("1");
    for (;;) {
        if (token.kind != Token::Word)
            return invalidArgument(QStringLiteral("at column %1: expected an identifier such as metrics.auc, got '%2'").arg(token.column).arg(token.text));
        ORRERY_ASSIGN_OR_RETURN(auto id, parseIdentifier(token));
        const Token identToken = token;
        ORRERY_ASSIGN_OR_RETURN(auto op, scanner.next());
        QString opText = op.text.toUpper();
        if (op.kind == Token::Word && opText == QLatin1String("NOT")) {
            ORRERY_ASSIGN_OR_RETURN(auto in, scanner.next());
            if (in.text.toUpper() != QLatin1String("IN"))
                return invalidArgument(QStringLiteral("at column %1: expected IN after NOT").arg(in.column));
            opText = QStringLiteral("NOT IN");
        }
        const bool comparison = op.kind == Token::Op;
        const bool like = opText == QLatin1String("LIKE") || opText == QLatin1String("ILIKE");
        const bool in = opText == QLatin1String("IN") || opText == QLatin1String("NOT IN");
        if (!comparison && !like && !in)
            return invalidArgument(QStringLiteral("at column %1: expected a comparison operator after '%2', got '%3'")
                                       .arg(op.column).arg(identToken.text, op.text));
        if (id.numeric && (like || in))
            return invalidArgument(QStringLiteral("at column %1: %2 does not apply to the number '%3'").arg(op.column).arg(opText, identToken.text));
        if (!id.numeric && comparison && opText != QLatin1String("=") && opText != QLatin1String("!="))
            return invalidArgument(QStringLiteral("at column %1: '%2' compares strings: use =, !=, LIKE or ILIKE").arg(op.column).arg(identToken.text));
        if (in && id.kind != Identifier::Attribute)
            return invalidArgument(QStringLiteral("at column %1: IN applies to run attributes only").arg(op.column));

        QVector<QVariant> local;
        const QString expr = valueExpression(id, &local);
        if (in) {
            auto open = scanner.next();
            if (!open || open->kind != Token::LParen)
                return invalidArgument(QStringLiteral("at column %1: expected '(' after %2").arg(op.column).arg(opText));
            QStringList marks;
            for (;;) {
                ORRERY_ASSIGN_OR_RETURN(auto v, scanner.next());
                if (v.kind != Token::String)
                    return invalidArgument(QStringLiteral("at column %1: expected a quoted string in the list").arg(v.column));
                local.append(v.text);
                marks << QStringLiteral("?");
                ORRERY_ASSIGN_OR_RETURN(auto sep, scanner.next());
                if (sep.kind == Token::RParen)
                    break;
                if (sep.kind != Token::Comma)
                    return invalidArgument(QStringLiteral("at column %1: expected ',' or ')' in the list").arg(sep.column));
            }
            clauses << QStringLiteral("%1 %2 (%3)").arg(expr, opText, marks.join(QStringLiteral(", ")));
        } else {
            ORRERY_ASSIGN_OR_RETURN(auto value, scanner.next());
            if (id.numeric) {
                bool ok = false;
                const double number = value.text.toDouble(&ok);
                if (value.kind != Token::Number || !ok)
                    return invalidArgument(QStringLiteral("at column %1: '%2' compares with a number, got '%3'").arg(value.column).arg(identToken.text, value.text));
                local.append(number);
                const QString sqlOp = opText == QLatin1String("!=") ? QStringLiteral("<>") : opText;
                clauses << QStringLiteral("%1 %2 ?").arg(expr, sqlOp);
            } else {
                if (value.kind != Token::String)
                    return invalidArgument(QStringLiteral("at column %1: '%2' compares with a quoted string such as 'x', got '%3'")
                                               .arg(value.column).arg(identToken.text, value.text));
                if (opText == QLatin1String("LIKE")) {
                    local.append(likeToGlob(value.text));
                    clauses << QStringLiteral("%1 GLOB ?").arg(expr);
                } else if (opText == QLatin1String("ILIKE")) {
                    local.append(value.text.toLower());
                    clauses << QStringLiteral("lower(%1) LIKE ?").arg(expr);
                } else {
                    local.append(value.text);
                    clauses << QStringLiteral("%1 %2 ?").arg(expr, opText == QLatin1String("!=") ? QStringLiteral("<>") : QStringLiteral("="));
                }
            }
        }
        bindings->append(local);
        ORRERY_ASSIGN_OR_RETURN(token, scanner.next());
        if (token.kind == Token::End)
            break;
        if (token.kind != Token::Word || token.text.toUpper() != QLatin1String("AND"))
            return invalidArgument(QStringLiteral("at column %1: expected AND between clauses, got '%2'%3")
                                       .arg(token.column).arg(token.text,
                                            token.text.toUpper() == QLatin1String("OR") ? QStringLiteral(" (OR is not supported, as in MLflow)") : QString()));
        ORRERY_ASSIGN_OR_RETURN(token, scanner.next());
    }
    return clauses.join(QStringLiteral(" AND "));
}

namespace {

Result<QString> orderToSql(const QStringList &orderBy, QVector<QVariant> *bindings)
{
    QStringList parts;
    for (const QString &item : orderBy) {
        QString text = item.trimmed();
        bool descending = false;
        if (text.endsWith(QLatin1String(" DESC"), Qt::CaseInsensitive)) {
            descending = true;
            text.chop(5);
        } else if (text.endsWith(QLatin1String(" ASC"), Qt::CaseInsensitive)) {
            text.chop(4);
        }
        text = text.trimmed();
        Token t;
        t.kind = Token::Word;
        t.column = 1;
        // Quoted keys in order_by: metrics.`a b` or metrics."a b".
        t.text = text;
        if (const int dot = text.indexOf(QLatin1Char('.')); dot > 0 && dot + 1 < text.size()
            && (text[dot + 1] == QLatin1Char('`') || text[dot + 1] == QLatin1Char('"')) && text.endsWith(text[dot + 1]))
            t.text = text.left(dot + 1) + text.mid(dot + 2, text.size() - dot - 3);
        auto id = parseIdentifier(t);
        if (!id)
            return invalidArgument(QStringLiteral("order_by '%1': %2").arg(item, id.status().message()));
        // Runs without the value sort last either way, as in MLflow: "(x) IS NULL, x DIR", where
        // x is used twice and so takes its key binding twice.
        const QString expr = valueExpression(*id, bindings);
        if (id->kind != Identifier::Attribute)
            bindings->append(id->key);
        parts << QStringLiteral("(%1) IS NULL").arg(expr) << QStringLiteral("%1 %2").arg(expr, descending ? QStringLiteral("DESC") : QStringLiteral("ASC"));
    }
    parts << QStringLiteral("r.start_time DESC") << QStringLiteral("r.id ASC");
    return parts.join(QStringLiteral(", "));
}

Result<qint64> offsetFromToken(const QString &token)
{
    if (token.isEmpty())
        return 0;
    const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromBase64(token.toLatin1())).object();
    const qint64 offset = o.value(QStringLiteral("offset")).toInteger(-1);
    if (offset < 0)
        return invalidArgument(QStringLiteral("invalid page_token '%1'").arg(token));
    return offset;
}

QString tokenForOffset(qint64 offset)
{
    return QString::fromLatin1(QJsonDocument(QJsonObject{{QStringLiteral("offset"), offset}}).toJson(QJsonDocument::Compact).toBase64());
}

Result<QStringList> idsPage(store::Database &db, const RunQuery &query, qint64 offset, qint64 limit)
{
    QVector<QVariant> whereBindings, orderBindings;
    ORRERY_ASSIGN_OR_RETURN(auto where, filterToSql(query.filter, &whereBindings));
    ORRERY_ASSIGN_OR_RETURN(auto order, orderToSql(query.orderBy, &orderBindings));

    QString sql = QStringLiteral("SELECT r.id FROM runs r WHERE (%1)").arg(where);
    QVector<QVariant> bindings = whereBindings;
    if (query.view == ViewType::ActiveOnly)
        sql += QStringLiteral(" AND r.lifecycle_stage = 'active'");
    else if (query.view == ViewType::DeletedOnly)
        sql += QStringLiteral(" AND r.lifecycle_stage = 'deleted'");
    if (!query.experimentIds.isEmpty()) {
        QStringList marks;
        for (const QString &e : query.experimentIds) {
            marks << QStringLiteral("?");
            bindings.append(e.toLongLong());
        }
        sql += QStringLiteral(" AND r.experiment_id IN (%1)").arg(marks.join(QStringLiteral(", ")));
    }
    sql += QStringLiteral(" ORDER BY ") + order + QStringLiteral(" LIMIT ? OFFSET ?");
    bindings += orderBindings;
    bindings << QVariant(limit) << QVariant(offset);
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(sql));
    s.bindAll(bindings);
    QStringList ids;
    while (s.next())
        ids << s.text(0);
    ORRERY_TRY(s.status());
    return ids;
}

} // namespace

Result<RunPage> searchRuns(store::Database &db, const RunQuery &query)
{
    if (query.maxResults <= 0 || query.maxResults > 50000)
        return invalidArgument(QStringLiteral("max_results must be between 1 and 50000, got %1").arg(query.maxResults));
    ORRERY_ASSIGN_OR_RETURN(auto offset, offsetFromToken(query.pageToken));
    ORRERY_ASSIGN_OR_RETURN(auto ids, idsPage(db, query, offset, query.maxResults + 1));
    RunPage page;
    if (ids.size() > query.maxResults) {
        ids.removeLast();
        page.nextPageToken = tokenForOffset(offset + query.maxResults);
    }
    TrackingStore store(db);
    for (const QString &id : ids) {
        ORRERY_ASSIGN_OR_RETURN(auto run, store.run(id));
        page.runs.append(run);
    }
    return page;
}

} // namespace orrery::tracking
