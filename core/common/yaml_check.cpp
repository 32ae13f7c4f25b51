#include "core/common/yaml_check.h"

#include "core/common/duration.h"

#include <algorithm>
#include <tuple>

namespace orrery::common {
namespace {

int editDistance(const QString &a, const QString &b)
{
    QVector<int> row(b.size() + 1);
    for (int j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (int i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = i;
        for (int j = 1; j <= b.size(); ++j) {
            const int above = row[j];
            row[j] = qMin(qMin(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.size()];
}

bool isEmptyValue(const YAML::Node &node) { return node.IsNull() || (node.IsScalar() && node.Scalar().empty()); }

} // namespace

QString nearestWord(const QString &word, const QStringList &known)
{
    QString best;
    int bestDistance = 1 + qMax(2, int(word.size()) / 3);
    for (const QString &k : known) {
        const int d = editDistance(word.toLower(), k.toLower());
        if (d < bestDistance) {
            bestDistance = d;
            best = k;
        }
    }
    return best.isEmpty() ? QString() : QStringLiteral("did you mean '%1'? ").arg(best);
}

void YamlCheck::error(const YAML::Mark &m, const QString &what)
{
    if (m.is_null())
        m_problems.append({-1, -1, QStringLiteral("%1: %2").arg(m_file, what)});
    else
        m_problems.append({m.line, m.column, QStringLiteral("%1:%2:%3: %4").arg(m_file).arg(m.line + 1).arg(m.column + 1).arg(what)});
}

QStringList YamlCheck::errors() const
{
    QVector<Problem> sorted = m_problems;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Problem &a, const Problem &b) { return std::tie(a.line, a.column) < std::tie(b.line, b.column); });
    QStringList out;
    for (const Problem &p : sorted)
        out << p.text;
    return out;
}

bool YamlCheck::entries(const YAML::Node &node, const QString &what, const QStringList &known, Entries *out)
{
    if (!node.IsMap()) {
        error(node.Mark(), QStringLiteral("%1 must be a mapping of keys to values (the keys are: %2)").arg(what, known.join(QStringLiteral(", "))));
        return false;
    }
    for (const auto &kv : node) {
        const QString key = kv.first.IsScalar() ? QString::fromStdString(kv.first.Scalar()) : QString();
        if (!known.contains(key)) {
            error(kv.first.Mark(), QStringLiteral("unknown key '%1' in %2; %3the keys are: %4").arg(key, what, nearestWord(key, known), known.join(QStringLiteral(", "))));
            continue;
        }
        if (out->contains(key)) {
            error(kv.first.Mark(), QStringLiteral("'%1' appears twice in %2; keep one").arg(key, what));
            continue;
        }
        out->insert(key, {kv.first, kv.second});
    }
    return true;
}

std::optional<QString> YamlCheck::text(const YAML::Node &node, const QString &what, const QString &example)
{
    if (isEmptyValue(node)) {
        error(node.Mark(), QStringLiteral("%1 is empty; write one, e.g. %2").arg(what, example));
        return std::nullopt;
    }
    if (!node.IsScalar()) {
        error(node.Mark(), QStringLiteral("%1 must be a single value, e.g. %2").arg(what, example));
        return std::nullopt;
    }
    return QString::fromStdString(node.Scalar());
}

std::optional<qint64> YamlCheck::integer(const YAML::Node &node, const QString &what, qint64 min, qint64 max)
{
    const auto t = text(node, what, QString::number(min));
    if (!t)
        return std::nullopt;
    bool ok = false;
    const qint64 v = t->trimmed().toLongLong(&ok);
    if (!ok || v < min || v > max) {
        error(node.Mark(), QStringLiteral("%1 '%2' is not a whole number from %3 to %4; write one such as %3").arg(what, *t).arg(min).arg(max));
        return std::nullopt;
    }
    return v;
}

std::optional<bool> YamlCheck::boolean(const YAML::Node &node, const QString &what)
{
    const auto t = text(node, what, QStringLiteral("true"));
    if (!t)
        return std::nullopt;
    const QString v = t->trimmed().toLower();
    if (v == QLatin1String("true") || v == QLatin1String("yes") || v == QLatin1String("on"))
        return true;
    if (v == QLatin1String("false") || v == QLatin1String("no") || v == QLatin1String("off"))
        return false;
    error(node.Mark(), QStringLiteral("%1 '%2' is neither true nor false; write true or false").arg(what, *t));
    return std::nullopt;
}

std::optional<qint64> YamlCheck::duration(const YAML::Node &node, const QString &what, qint64 minMs, qint64 maxMs)
{
    const auto t = text(node, what, QStringLiteral("1h"));
    if (!t)
        return std::nullopt;
    auto ms = common::parseDurationMs(t->trimmed(), maxMs);
    if (!ms) {
        error(node.Mark(), QStringLiteral("%1: %2").arg(what, ms.status().message()));
        return std::nullopt;
    }
    if (*ms < minMs) {
        error(node.Mark(), QStringLiteral("%1 '%2' is shorter than %3; give at least %3").arg(what, *t, common::durationText(minMs)));
        return std::nullopt;
    }
    return *ms;
}

std::optional<QStringList> YamlCheck::texts(const YAML::Node &node, const QString &what, const QString &example)
{
    if (node.IsScalar()) {
        auto one = text(node, what, example);
        return one ? std::optional<QStringList>(QStringList{*one}) : std::nullopt;
    }
    if (!node.IsSequence()) {
        error(node.Mark(), QStringLiteral("%1 must be a list, e.g. %2").arg(what, example));
        return std::nullopt;
    }
    QStringList out;
    bool ok = true;
    int index = 0;
    for (const auto &item : node) {
        auto t = text(item, QStringLiteral("item %1 of %2").arg(++index).arg(what), example);
        if (t)
            out << *t;
        else
            ok = false;
    }
    return ok ? std::optional<QStringList>(out) : std::nullopt;
}

} // namespace orrery::common
