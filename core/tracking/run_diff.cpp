#include "core/tracking/run_diff.h"

#include "core/tracking/run_manifest.h"
#include "core/tracking/tracking_store.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QStringList>

#include <vector>

namespace orrery::tracking {

QMap<QString, QString> flattenRun(const Run &r, const QJsonObject &manifest)
{
    QMap<QString, QString> f;
    for (const auto &p : r.params)
        f.insert(QStringLiteral("params.") + p.key, p.value);
    for (const auto &m : r.metrics)
        f.insert(QStringLiteral("metrics.") + m.key, QString::number(m.value, 'g', 12));
    for (const auto &t : r.tags)
        f.insert(QStringLiteral("tags.") + t.key, t.value);
    const QJsonObject code = manifest.value(QStringLiteral("code")).toObject();
    for (const char *k : {"commit", "branch"})
        f.insert(QStringLiteral("code.") + QLatin1String(k), code.value(QLatin1String(k)).toString());
    f.insert(QStringLiteral("code.dirty"), code.value(QStringLiteral("dirty")).toBool() ? QStringLiteral("yes") : QStringLiteral("no"));
    f.insert(QStringLiteral("code.diff_md5"), QString::fromLatin1(QCryptographicHash::hash(code.value(QStringLiteral("diff")).toString().toUtf8(), QCryptographicHash::Md5).toHex()));
    for (const auto &d : manifest.value(QStringLiteral("data")).toArray())
        f.insert(QStringLiteral("data.") + d.toObject().value(QStringLiteral("path")).toString(), d.toObject().value(QStringLiteral("md5")).toString());
    const QJsonObject seeds = manifest.value(QStringLiteral("seeds")).toObject();
    for (auto it = seeds.begin(); it != seeds.end(); ++it)
        f.insert(QStringLiteral("seeds.") + it.key(), it.value().toVariant().toString());
    const QJsonObject env = manifest.value(QStringLiteral("environment")).toObject();
    for (auto it = env.begin(); it != env.end(); ++it)
        if (!it.value().isObject())
            f.insert(QStringLiteral("environment.") + it.key(), it.value().toVariant().toString());
    const QJsonObject libs = env.value(QStringLiteral("libraries")).toObject();
    for (auto it = libs.begin(); it != libs.end(); ++it)
        f.insert(QStringLiteral("environment.") + it.key(), it.value().toString());
    return f;
}

QVector<RunDiffEntry> RunComparison::differences() const
{
    QVector<RunDiffEntry> out;
    for (const auto &e : entries)
        if (e.differs())
            out.append(e);
    return out;
}

Result<RunComparison> compareRuns(store::Database &db, const QString &runA, const QString &runB)
{
    TrackingStore store(db);
    ORRERY_ASSIGN_OR_RETURN(auto a, store.run(runA));
    ORRERY_ASSIGN_OR_RETURN(auto b, store.run(runB));
    RunComparison c;
    c.a = a;
    c.b = b;
    auto mA = loadManifest(db, runA);
    auto mB = loadManifest(db, runB);
    c.manifestA = mA.isOk();
    c.manifestB = mB.isOk();
    const QJsonObject jA = mA ? mA->json : QJsonObject();
    const QJsonObject jB = mB ? mB->json : QJsonObject();
    c.codeDiffA = jA.value(QStringLiteral("code")).toObject().value(QStringLiteral("diff")).toString();
    c.codeDiffB = jB.value(QStringLiteral("code")).toObject().value(QStringLiteral("diff")).toString();
    c.commitA = jA.value(QStringLiteral("code")).toObject().value(QStringLiteral("commit")).toString();
    c.commitB = jB.value(QStringLiteral("code")).toObject().value(QStringLiteral("commit")).toString();
    const auto fa = flattenRun(c.a, jA);
    const auto fb = flattenRun(c.b, jB);
    QStringList keys = fa.keys() + fb.keys();
    keys.removeDuplicates();
    keys.sort();
    for (const QString &k : keys) {
        if (k.startsWith(QLatin1String("tags.mlflow.runName")))
            continue;
        RunDiffEntry e;
        e.key = k;
        e.hasA = fa.contains(k);
        e.hasB = fb.contains(k);
        e.a = fa.value(k);
        e.b = fb.value(k);
        c.entries.append(e);
    }
    return c;
}

QVector<CodeDiffLine> lineDiff(const QString &textA, const QString &textB, int maxLines)
{
    QStringList a = textA.split(QLatin1Char('\n'));
    QStringList b = textB.split(QLatin1Char('\n'));
    if (a.size() == 1 && a.first().isEmpty())
        a.clear();
    if (b.size() == 1 && b.first().isEmpty())
        b.clear();
    QVector<CodeDiffLine> out;
    if (a.size() > maxLines || b.size() > maxLines) {
        for (const QString &l : a)
            out.append({CodeDiffLine::Removed, l});
        for (const QString &l : b)
            out.append({CodeDiffLine::Added, l});
        return out;
    }
    const int n = int(a.size()), m = int(b.size());
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    std::vector<int> lcs(size_t(n + 1) * size_t(m + 1), 0);
    auto at = [m, &lcs](int i, int j) -> int & { return lcs[size_t(i) * size_t(m + 1) + size_t(j)]; };
    for (int i = n - 1; i >= 0; --i)
        for (int j = m - 1; j >= 0; --j)
            at(i, j) = a[i] == b[j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    int i = 0, j = 0;
    while (i < n && j < m) {
        if (a[i] == b[j]) {
            out.append({CodeDiffLine::Same, a[i]});
            ++i;
            ++j;
        } else if (at(i + 1, j) >= at(i, j + 1)) {
            out.append({CodeDiffLine::Removed, a[i++]});
        } else {
            out.append({CodeDiffLine::Added, b[j++]});
        }
    }
    while (i < n)
        out.append({CodeDiffLine::Removed, a[i++]});
    while (j < m)
        out.append({CodeDiffLine::Added, b[j++]});
    return out;
}

} // namespace orrery::tracking
