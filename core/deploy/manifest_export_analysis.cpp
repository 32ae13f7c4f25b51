#include "core/deploy/manifest_export_analysis.h"

#include "core/deploy/manifest_export.h"
#include "core/deploy/manifest_export_objects.h"

#include <QRegularExpression>
#include <QStringList>

#include <algorithm>
#include <cmath>

namespace orrery::deploy {

namespace {

const char *const kBoundForms = "NUMBER, stable, stable + NUMBER, stable - NUMBER, NUMBER * stable or stable * NUMBER";

struct Token {
    enum Kind { Word, Number, Op, End } kind = End;
    QString text;
    double number = 0.0;
    int column = 0; // 1-based, within the rule
};

// Splits one rule into words, numbers and operators; an unexpected character is an error.
Result<QVector<Token>> tokenize(const QString &rule, const QString &where)
{
    static const QRegularExpression number(QStringLiteral("^(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?"));
    static const QRegularExpression word(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*"));
    static const QStringList ops{QStringLiteral("<="), QStringLiteral(">="), QStringLiteral("=="), QStringLiteral("<"),
                                 QStringLiteral(">"), QStringLiteral("+"), QStringLiteral("-"), QStringLiteral("*")};
    QVector<Token> tokens;
    int i = 0;
    while (i < rule.size()) {
        if (rule[i].isSpace()) {
            ++i;
            continue;
        }
        const QStringView rest = QStringView(rule).mid(i);
        Token t;
        t.column = i + 1;
        if (const auto m = word.match(rest.toString()); m.hasMatch()) {
            t.kind = Token::Word;
            t.text = m.captured(0);
        } else if (const auto n = number.match(rest.toString()); n.hasMatch()) {
            t.kind = Token::Number;
            t.text = n.captured(0);
            t.number = t.text.toDouble();
        } else {
            for (const QString &op : ops)
                if (rest.startsWith(op)) {
                    t.kind = Token::Op;
                    t.text = op;
                    break;
                }
            if (t.kind != Token::Op)
                return invalidArgument(QStringLiteral("%1 (column %2): unexpected '%3'; a rule is METRIC OP BOUND, e.g. error_rate <= stable + 0.01")
                                           .arg(where)
                                           .arg(t.column)
                                           .arg(rule[i]));
        }
        i += int(t.text.size());
        tokens.append(t);
    }
    Token end;
    end.column = int(rule.size()) + 1;
    tokens.append(end);
    return tokens;
}

QString num(double value)
{
    return QString::number(value, 'g', 15);
}

QString selector(const QString &endpoint, const QString &version, const QString &more = QString())
{
    return QStringLiteral("{endpoint=\"%1\",version=\"%2\"%3}").arg(endpoint, version, more);
}

QString requestsQuery(const QString &endpoint, const QString &version, int window)
{
    return QStringLiteral("sum(increase(orrery_requests_total%1[%2s]))").arg(selector(endpoint, version)).arg(window);
}

QString opText(AnalysisRule::Op op)
{
    switch (op) {
    case AnalysisRule::Op::Le: return QStringLiteral("<=");
    case AnalysisRule::Op::Lt: return QStringLiteral("<");
    case AnalysisRule::Op::Ge: return QStringLiteral(">=");
    case AnalysisRule::Op::Gt: return QStringLiteral(">");
    }
    return QString();
}

QString negatedOpText(AnalysisRule::Op op)
{
    switch (op) {
    case AnalysisRule::Op::Le: return QStringLiteral(">");
    case AnalysisRule::Op::Lt: return QStringLiteral(">=");
    case AnalysisRule::Op::Ge: return QStringLiteral("<");
    case AnalysisRule::Op::Gt: return QStringLiteral("<=");
    }
    return QString();
}

// Argo metric names: "error-rate", "p99-ms", with "-2", "-3" for a second rule on one metric.
QString metricEntryName(const QVector<AnalysisRule> &rules, int index)
{
    const QString base = analysisMetricName(rules[index].metric).replace(QLatin1Char('_'), QLatin1Char('-'));
    int same = 0;
    for (int i = 0; i <= index; ++i)
        if (rules[i].metric == rules[index].metric)
            ++same;
    return same == 1 ? base : QStringLiteral("%1-%2").arg(base).arg(same);
}

Result<AnalysisRule> parseRule(const QString &text, const QString &where)
{
    ORRERY_ASSIGN_OR_RETURN(const QVector<Token> t, tokenize(text, where));
    auto error = [&](const Token &at, const QString &what) {
        return invalidArgument(QStringLiteral("%1 (column %2): %3").arg(where).arg(at.column).arg(what));
    };
    AnalysisRule rule;
    rule.text = text;
    if (t[0].kind != Token::Word)
        return error(t[0], QStringLiteral("a rule starts with its metric: error_rate or p99_ms"));
    if (t[0].text == QLatin1String("error_rate"))
        rule.metric = AnalysisRule::Metric::ErrorRate;
    else if (t[0].text == QLatin1String("p99_ms"))
        rule.metric = AnalysisRule::Metric::P99Ms;
    else
        return error(t[0], QStringLiteral("unknown metric '%1'; the analysis knows error_rate (non-2xx share of requests) and p99_ms (99th percentile latency, ms)")
                               .arg(t[0].text));
    const Token &op = t[1];
    if (op.kind != Token::Op || op.text == QLatin1String("+") || op.text == QLatin1String("-") || op.text == QLatin1String("*"))
        return error(op, QStringLiteral("expected a comparison (<=, <, >=, >) after %1").arg(t[0].text));
    if (op.text == QLatin1String("=="))
        return error(op, QStringLiteral("'==' cannot be expected of a measured rate or latency; use <=, <, >= or >"));
    rule.op = op.text == QLatin1String("<=") ? AnalysisRule::Op::Le
            : op.text == QLatin1String("<")  ? AnalysisRule::Op::Lt
            : op.text == QLatin1String(">=") ? AnalysisRule::Op::Ge
                                             : AnalysisRule::Op::Gt;
    // BOUND: [NUMBER *] stable [* NUMBER] [(+|-) NUMBER]  |  NUMBER
    int i = 2;
    auto isOp = [&](int k, const char *s) { return t[k].kind == Token::Op && t[k].text == QLatin1String(s); };
    auto isStable = [&](int k) { return t[k].kind == Token::Word && t[k].text == QLatin1String("stable"); };
    if (t[i].kind == Token::Number && isOp(i + 1, "*") && isStable(i + 2)) {
        rule.relative = true;
        rule.factor = t[i].number;
        i += 3;
    } else if (isStable(i)) {
        rule.relative = true;
        ++i;
        if (isOp(i, "*")) {
            if (t[i + 1].kind != Token::Number)
                return error(t[i + 1], QStringLiteral("expected a number after 'stable *'"));
            rule.factor = t[i + 1].number;
            i += 2;
        }
    } else if (t[i].kind == Token::Number && isOp(i + 1, "*")) {
        return error(t[i + 2], QStringLiteral("expected 'stable' after '%1 *'; write %2").arg(t[i].text, QLatin1String(kBoundForms)));
    } else if (t[i].kind == Token::Number) {
        rule.offset = t[i].number;
        ++i;
    } else {
        return error(t[i], t[i].kind == Token::End ? QStringLiteral("the bound is missing; write %1").arg(QLatin1String(kBoundForms))
                                                   : QStringLiteral("'%1' is no bound; write %2").arg(t[i].text, QLatin1String(kBoundForms)));
    }
    if (rule.relative && (isOp(i, "+") || isOp(i, "-"))) {
        if (t[i + 1].kind != Token::Number)
            return error(t[i + 1], QStringLiteral("expected a number after 'stable %1'").arg(t[i].text));
        rule.offset = isOp(i, "-") ? -t[i + 1].number : t[i + 1].number;
        i += 2;
    }
    if (t[i].kind != Token::End)
        return error(t[i], QStringLiteral("unexpected '%1' after the bound; write %2").arg(t[i].text, QLatin1String(kBoundForms)));
    if (!std::isfinite(rule.factor) || !std::isfinite(rule.offset))
        return error(t[2], QStringLiteral("the bound's numbers must be finite"));
    return rule;
}

} // namespace

Result<QVector<AnalysisRule>> parseAnalysisRules(const QString &text)
{
    QVector<AnalysisRule> rules;
    const QStringList parts = text.split(QRegularExpression(QStringLiteral("[,;]")));
    for (int i = 0; i < parts.size(); ++i) {
        const QString rule = parts[i].trimmed();
        const QString where = QStringLiteral("analysis rule %1 '%2'").arg(i + 1).arg(rule);
        if (rule.isEmpty()) {
            if (parts.size() == 1)
                return invalidArgument(QStringLiteral("the analysis rules are empty; write e.g. 'error_rate <= stable + 0.01, p99_ms <= 1.2 * stable'"));
            return invalidArgument(QStringLiteral("analysis rule %1 is empty (two separators in a row, or one at the end)").arg(i + 1));
        }
        ORRERY_ASSIGN_OR_RETURN(AnalysisRule r, parseRule(rule, where));
        rules.append(r);
    }
    return rules;
}

QString analysisMetricName(AnalysisRule::Metric metric)
{
    return metric == AnalysisRule::Metric::ErrorRate ? QStringLiteral("error_rate") : QStringLiteral("p99_ms");
}

QString versionValueQuery(AnalysisRule::Metric metric, const QString &endpoint, const QString &version, int windowSeconds)
{
    const QString window = QStringLiteral("[%1s]").arg(windowSeconds);
    if (metric == AnalysisRule::Metric::ErrorRate)
        // A version with no failed request has no non-2xx series at all: `or vector(0)` makes its
        // error count 0 instead of leaving the ratio empty.
        return QStringLiteral("(sum(rate(orrery_requests_total%1%3)) or vector(0)) / sum(rate(orrery_requests_total%2%3))")
            .arg(selector(endpoint, version, QStringLiteral(",code!~\"2..\"")), selector(endpoint, version), window);
    return QStringLiteral("histogram_quantile(0.99, sum by (le) (rate(orrery_request_duration_seconds_bucket%1%2))) * 1000")
        .arg(selector(endpoint, version), window);
}

QString ruleQuery(const AnalysisRule &rule, int windowSeconds, int minRequests)
{
    const QString endpoint = QStringLiteral("{{args.endpoint}}");
    const QString canary = QStringLiteral("{{args.canary-version}}");
    const QString stable = QStringLiteral("{{args.stable-version}}");
    QString bound;
    if (rule.relative) {
        bound = QStringLiteral("(%1)").arg(versionValueQuery(rule.metric, endpoint, stable, windowSeconds));
        if (rule.factor != 1.0)
            bound = QStringLiteral("%1 * %2").arg(num(rule.factor), bound);
        if (rule.offset != 0.0)
            bound += QStringLiteral(" %1 %2").arg(rule.offset < 0 ? QStringLiteral("-") : QStringLiteral("+"), num(std::fabs(rule.offset)));
    } else {
        bound = num(rule.offset);
    }
    QString query = QStringLiteral("(\n  (%1)\n  -\n  (%2)\n)").arg(versionValueQuery(rule.metric, endpoint, canary, windowSeconds), bound);
    query += QStringLiteral("\nand on() (%1 >= %2)").arg(requestsQuery(endpoint, canary, windowSeconds)).arg(minRequests);
    if (rule.relative)
        query += QStringLiteral("\nand on() (%1 >= %2)").arg(requestsQuery(endpoint, stable, windowSeconds)).arg(minRequests);
    return query + QLatin1Char('\n'); // ends its last line, so YAML writes it as a literal block
}

QString successCondition(const AnalysisRule &rule)
{
    return QStringLiteral("len(result) > 0 && result[0] %1 0").arg(opText(rule.op));
}

QString failureCondition(const AnalysisRule &rule)
{
    return QStringLiteral("len(result) > 0 && result[0] %1 0").arg(negatedOpText(rule.op));
}

int analysisWindowSeconds(const ExportSpec &spec)
{
    return std::max(spec.pauseSeconds, 60);
}

QJsonObject analysisTemplate(const ExportSpec &spec, const QVector<AnalysisRule> &rules)
{
    const int window = analysisWindowSeconds(spec);
    QJsonArray metrics;
    for (int i = 0; i < rules.size(); ++i)
        metrics.append(QJsonObject{
            {QStringLiteral("name"), metricEntryName(rules, i)},
            {QStringLiteral("successCondition"), successCondition(rules[i])},
            {QStringLiteral("failureCondition"), failureCondition(rules[i])},
            {QStringLiteral("provider"), QJsonObject{{QStringLiteral("prometheus"),
                                                      QJsonObject{{QStringLiteral("address"), spec.prometheusAddress},
                                                                  {QStringLiteral("query"), ruleQuery(rules[i], window, spec.minRequests)}}}}}});
    QJsonArray args;
    for (const char *name : {"endpoint", "canary-version", "stable-version"})
        args.append(QJsonObject{{QStringLiteral("name"), QLatin1String(name)}});
    QJsonObject annotations;
    for (int i = 0; i < rules.size(); ++i)
        annotations.insert(QStringLiteral("orrery.dev/rule-%1").arg(metricEntryName(rules, i)), rules[i].text);
    return {{QStringLiteral("apiVersion"), QStringLiteral("argoproj.io/v1alpha1")},
            {QStringLiteral("kind"), QStringLiteral("AnalysisTemplate")},
            {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), objects::analysisTemplateName(spec)},
                                                     {QStringLiteral("labels"), objects::objectLabels(spec)},
                                                     {QStringLiteral("annotations"), annotations}}},
            {QStringLiteral("spec"), QJsonObject{{QStringLiteral("args"), args}, {QStringLiteral("metrics"), metrics}}}};
}

QJsonArray analysisArgs(const ExportSpec &spec)
{
    return {QJsonObject{{QStringLiteral("name"), QStringLiteral("endpoint")}, {QStringLiteral("value"), spec.endpoint}},
            QJsonObject{{QStringLiteral("name"), QStringLiteral("canary-version")}, {QStringLiteral("value"), QString::number(spec.version)}},
            QJsonObject{{QStringLiteral("name"), QStringLiteral("stable-version")}, {QStringLiteral("value"), QString::number(spec.stableVersion)}}};
}

QJsonObject analysisReference(const ExportSpec &spec)
{
    return {{QStringLiteral("templates"), QJsonArray{QJsonObject{{QStringLiteral("templateName"), objects::analysisTemplateName(spec)}}}},
            {QStringLiteral("args"), analysisArgs(spec)}};
}

} // namespace orrery::deploy
