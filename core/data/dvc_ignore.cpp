#include "core/data/dvc_ignore.h"

#include <QFile>
#include <QFileInfo>
#include <QStringList>

namespace orrery::data {
namespace {

QString parentOf(const QString &path)
{
    const int slash = int(path.lastIndexOf(QLatin1Char('/')));
    return slash < 0 ? QString() : path.left(slash);
}

// One segment of a pattern (no '/') as a regular expression: gitwildmatch's `*`, `?`, `[…]`
// (with `!` for negation) and `\` escapes; everything else literal.
Result<QString> segmentRegex(const QString &seg, const QString &source)
{
    QString regex;
    bool escape = false;
    const int end = int(seg.size());
    int i = 0;
    while (i < end) {
        const QChar c = seg[i++];
        if (escape) {
            escape = false;
            regex += QRegularExpression::escape(QString(c));
        } else if (c == QLatin1Char('\\')) {
            escape = true;
        } else if (c == QLatin1Char('*')) {
            regex += QStringLiteral("[^/]*");
        } else if (c == QLatin1Char('?')) {
            regex += QStringLiteral("[^/]");
        } else if (c == QLatin1Char('[')) {
            int j = i;
            if (j < end && seg[j] == QLatin1Char('!'))
                ++j;
            if (j < end && seg[j] == QLatin1Char(']'))
                ++j;
            while (j < end && seg[j] != QLatin1Char(']'))
                ++j;
            if (j < end) {
                ++j;
                QString expr = QStringLiteral("[");
                if (seg[i] == QLatin1Char('!')) {
                    expr += QLatin1Char('^');
                    ++i;
                } else if (seg[i] == QLatin1Char('^')) {
                    expr += QStringLiteral("\\^");
                    ++i;
                }
                QString body = seg.mid(i, j - i);
                body.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
                expr += body;
                regex += expr;
                i = j;
            } else {
                regex += QStringLiteral("\\[");
            }
        } else {
            regex += QRegularExpression::escape(QString(c));
        }
    }
    if (escape)
        return invalidArgument(QStringLiteral("%1: the pattern ends with a lone '\\' (escape a trailing '\\' as '\\\\')").arg(source));
    return regex;
}

} // namespace

DvcIgnore::DvcIgnore(QString workspaceRoot) : m_root(std::move(workspaceRoot))
{
    // DVC's defaults, always in force at the root.
    for (const char *p : {".hg/", ".git/", ".git", ".dvc/"})
        m_defaults.append(*compile(QString::fromLatin1(p), QStringLiteral("(DVC's default)")));
}

Result<DvcIgnore::Rule> DvcIgnore::compile(const QString &raw, const QString &source)
{
    Rule rule;
    rule.source = source;
    QString pattern = raw.trimmed();
    rule.dirOnly = pattern.endsWith(QLatin1Char('/'));
    if (pattern.isEmpty() || pattern.startsWith(QLatin1Char('#')) || pattern == QLatin1String("/"))
        return rule; // no regex: a no-op
    if (pattern.startsWith(QLatin1Char('!'))) {
        rule.ignore = false;
        pattern = pattern.mid(1);
    }
    QStringList segs = pattern.split(QLatin1Char('/'));
    // "**/**" is "**".
    for (int i = int(segs.size()) - 1; i > 0; --i)
        if (segs[i - 1] == QLatin1String("**") && segs[i] == QLatin1String("**"))
            segs.removeAt(i);
    QString regex;
    if (segs.size() == 2 && segs[0] == QLatin1String("**") && segs[1].isEmpty()) {
        regex = QStringLiteral("^.+/.*$"); // "**/": every folder
    } else {
        if (segs.first().isEmpty()) {
            segs.removeFirst(); // a leading '/' anchors the pattern
        } else if (segs.size() == 1 || (segs.size() == 2 && segs[1].isEmpty())) {
            if (segs.first() != QLatin1String("**"))
                segs.prepend(QStringLiteral("**")); // one name: at any depth
        }
        if (segs.isEmpty())
            return invalidArgument(QStringLiteral("%1: '%2' is not a valid pattern").arg(source, raw));
        if (segs.last().isEmpty() && segs.size() > 1)
            segs.last() = QStringLiteral("**"); // "dir/": everything inside
        regex = QStringLiteral("^");
        bool needSlash = false;
        const int end = int(segs.size()) - 1;
        for (int i = 0; i <= end; ++i) {
            const QString &seg = segs[i];
            if (seg == QLatin1String("**")) {
                if (i == 0 && i == end) {
                    regex += QStringLiteral("[^/]+(?:/.*)?");
                } else if (i == 0) {
                    regex += QStringLiteral("(?:.+/)?");
                    needSlash = false;
                } else if (i == end) {
                    regex += QStringLiteral("/.*");
                } else {
                    regex += QStringLiteral("(?:/.+)?");
                    needSlash = true;
                }
                continue;
            }
            if (needSlash)
                regex += QLatin1Char('/');
            if (seg == QLatin1String("*")) {
                regex += QStringLiteral("[^/]+");
            } else {
                ORRERY_ASSIGN_OR_RETURN(auto part, segmentRegex(seg, source));
                regex += part;
            }
            if (i == end)
                regex += QStringLiteral("(?:/.*)?");
            needSlash = true;
        }
        regex += QLatin1Char('$');
    }
    rule.regex = QRegularExpression(regex);
    if (!rule.regex.isValid())
        return invalidArgument(QStringLiteral("%1: '%2' is not a valid pattern (%3)").arg(source, raw, rule.regex.errorString()));
    return rule;
}

Result<const QVector<DvcIgnore::Rule> *> DvcIgnore::rulesOf(const QString &folder)
{
    auto it = m_files.constFind(folder);
    if (it != m_files.constEnd())
        return &*it;
    QVector<Rule> rules;
    const QString relative = folder.isEmpty() ? QStringLiteral(".dvcignore") : folder + QStringLiteral("/.dvcignore");
    QFile file(m_root + QLatin1Char('/') + relative);
    if (QFileInfo(file.fileName()).isFile()) {
        if (!file.open(QIODevice::ReadOnly))
            return ioError(QStringLiteral("cannot read %1: %2").arg(relative, file.errorString()));
        int lineNo = 0;
        for (const QByteArray &bytes : file.readAll().split('\n')) {
            ++lineNo;
            const QString line = QString::fromUtf8(bytes).trimmed();
            if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
                continue;
            ORRERY_ASSIGN_OR_RETURN(auto rule, compile(line, QStringLiteral("%1:%2").arg(relative).arg(lineNo)));
            if (rule.regex.pattern().isEmpty())
                continue;
            rule.folder = folder;
            rules.append(rule);
        }
    }
    return &*m_files.insert(folder, rules);
}

Result<QVector<const DvcIgnore::Rule *>> DvcIgnore::rulesFor(const QString &folder)
{
    if (auto it = m_inForce.constFind(folder); it != m_inForce.constEnd())
        return *it;
    QVector<const Rule *> rules;
    for (const Rule &r : m_defaults)
        rules.append(&r);
    QStringList chain{QString()};
    if (!folder.isEmpty()) {
        QString at;
        for (const QString &part : folder.split(QLatin1Char('/'))) {
            at = at.isEmpty() ? part : at + QLatin1Char('/') + part;
            chain << at;
        }
    }
    for (const QString &f : chain) {
        // A .dvcignore that the rules above it ignore is not read (DVC: _update_trie).
        bool decided = false;
        const QString self = f.isEmpty() ? QStringLiteral(".dvcignore") : f + QStringLiteral("/.dvcignore");
        if (matchOne(rules, self, false, &decided))
            continue;
        ORRERY_ASSIGN_OR_RETURN(auto own, rulesOf(f));
        for (const Rule &r : *own)
            rules.append(&r);
    }
    m_inForce.insert(folder, rules); // m_files' vectors are never changed once loaded: the pointers stay valid
    return rules;
}

bool DvcIgnore::matchOne(const QVector<const Rule *> &rules, const QString &path, bool isDir, bool *decided) const
{
    for (int i = int(rules.size()) - 1; i >= 0; --i) {
        const Rule &r = *rules[i];
        if (r.dirOnly && !isDir)
            continue;
        QString rest = path;
        if (!r.folder.isEmpty()) {
            if (!path.startsWith(r.folder + QLatin1Char('/')))
                continue;
            rest = path.mid(r.folder.size() + 1);
        }
        if (r.regex.match(rest).hasMatch() || (isDir && r.regex.match(rest + QLatin1Char('/')).hasMatch())) {
            *decided = true;
            return r.ignore;
        }
    }
    *decided = false;
    return false;
}

Result<bool> DvcIgnore::isIgnoredEntry(const QString &path, bool isDir)
{
    ORRERY_ASSIGN_OR_RETURN(auto rules, rulesFor(parentOf(path)));
    bool decided = false;
    return matchOne(rules, path, isDir, &decided);
}

Result<bool> DvcIgnore::isIgnored(const QString &path, bool isDir)
{
    ORRERY_ASSIGN_OR_RETURN(auto rules, rulesFor(parentOf(path)));
    const QStringList parts = path.split(QLatin1Char('/'));
    QString prefix;
    for (int i = 0; i < parts.size(); ++i) {
        prefix = i == 0 ? parts[0] : prefix + QLatin1Char('/') + parts[i];
        const bool last = i == parts.size() - 1;
        bool decided = false;
        // A folder on the way that is ignored hides everything in it.
        if (matchOne(rules, prefix, isDir || !last, &decided))
            return true;
    }
    return false;
}

} // namespace orrery::data
