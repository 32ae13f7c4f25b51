#include "ui/registry/version_html.h"

#include "core/registry/model_gates.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace orrery::ui {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("orrery::ui::RegistryArea", text);
}

const QString kPass = QStringLiteral("#1a7f37");
const QString kFail = QStringLiteral("#c62828");
const QString kDiff = QStringLiteral("#fff3c4");

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

QString number(double v)
{
    return QString::number(v, 'g', 6);
}

QString jsonText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return number(v.toDouble());
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    return QString();
}

QString heading(const QString &text)
{
    return QStringLiteral("<h3 style='margin-top:10px;margin-bottom:4px'>%1</h3>").arg(esc(text));
}

QString table(const QStringList &headers, const QVector<QStringList> &rows, const QVector<bool> &marked = {})
{
    QString html = QStringLiteral("<table cellspacing='0' cellpadding='3' border='1' style='border-collapse:collapse;border-color:#bbb'><tr>");
    for (const QString &h : headers)
        html += QStringLiteral("<th align='left'>%1</th>").arg(esc(h));
    html += QStringLiteral("</tr>");
    for (int r = 0; r < rows.size(); ++r) {
        const bool mark = r < marked.size() && marked[r];
        html += mark ? QStringLiteral("<tr style='background-color:%1'>").arg(kDiff) : QStringLiteral("<tr>");
        for (const QString &cell : rows[r])
            html += QStringLiteral("<td>%1</td>").arg(cell); // cells are escaped by the callers
        html += QStringLiteral("</tr>");
    }
    return html + QStringLiteral("</table>");
}

QString signatureHtml(const QJsonObject &signature)
{
    if (signature.isEmpty())
        return QStringLiteral("<p><i>%1</i></p>").arg(esc(tr("No signature.")));
    QVector<QStringList> rows;
    for (const QString &side : {QStringLiteral("inputs"), QStringLiteral("outputs")}) {
        for (const QJsonValue &t : signature.value(side).toArray()) {
            const QJsonObject o = t.toObject();
            rows.push_back({esc(side == QLatin1String("inputs") ? tr("input") : tr("output")), esc(o.value(QStringLiteral("name")).toString()),
                            esc(o.value(QStringLiteral("dtype")).toString()), esc(jsonText(o.value(QStringLiteral("shape"))))});
        }
    }
    return table({tr("Side"), tr("Name"), tr("Type"), tr("Shape")}, rows);
}

QString commitText(const registry::ModelVersion &v, int length = -1)
{
    QString c = v.commit().left(length);
    if (c.isEmpty())
        return tr("no commit recorded");
    if (v.lineage.value(QStringLiteral("dirty")).toBool())
        c += tr(" +dirty (uncommitted changes)");
    const QString branch = v.lineage.value(QStringLiteral("branch")).toString();
    if (!branch.isEmpty())
        c += tr(" on %1").arg(branch);
    return c;
}

QMap<QString, QString> dataOf(const registry::ModelVersion &v)
{
    QMap<QString, QString> out;
    for (const QJsonValue &d : v.lineage.value(QStringLiteral("data")).toArray())
        out.insert(d.toObject().value(QStringLiteral("path")).toString(), d.toObject().value(QStringLiteral("md5")).toString());
    return out;
}

} // namespace

QString registryTime(qint64 ms)
{
    if (ms <= 0)
        return QString();
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString versionDetailHtml(const registry::ModelVersion &v, const QString &blocker)
{
    QString html = QStringLiteral("<h2 style='margin-bottom:2px'>%1 v%2</h2>").arg(esc(v.name)).arg(v.version);
    QStringList facts;
    if (!v.aliases.isEmpty())
        facts << tr("aliases: %1").arg(v.aliases.join(QStringLiteral(", ")));
    facts << tr("created %1").arg(registryTime(v.creationTime));
    if (v.archived)
        facts << tr("archived");
    facts << tr("format %1").arg(v.format.isEmpty() ? tr("unknown") : v.format);
    html += QStringLiteral("<p>%1</p>").arg(esc(facts.join(QStringLiteral(" · "))));
    if (!v.description.isEmpty())
        html += QStringLiteral("<p>%1</p>").arg(esc(v.description));

    html += heading(tr("Gates"));
    const QString validation = v.validation == registry::Validation::Passed ? tr("passed")
                             : v.validation == registry::Validation::Failed ? tr("failed") : tr("not run");
    html += QStringLiteral("<p>%1</p>").arg(esc(tr("Validation: %1").arg(validation)));
    if (!v.gateOutcomes.isEmpty()) {
        QVector<QStringList> rows;
        for (const registry::GateOutcome &o : v.gateOutcomes)
            rows.push_back({QStringLiteral("<b style='color:%1'>%2</b>").arg(o.passed ? kPass : kFail, esc(o.passed ? tr("passed") : tr("failed"))),
                            esc(o.gate), esc(o.explanation)});
        html += table({tr("Outcome"), tr("Gate"), tr("Explanation")}, rows);
    }
    html += heading(tr("Serving"));
    if (v.servable())
        html += QStringLiteral("<p style='color:%1'>%2</p>").arg(kPass, esc(tr("Servable: the stored file (md5 %1) has a signature.").arg(v.modelMd5)));
    else
        html += QStringLiteral("<p style='color:%1'>%2</p>").arg(kFail, esc(tr("Not servable: %1").arg(v.notServableReason.isEmpty() ? tr("its file is not stored in this workspace") : v.notServableReason)));
    html += QStringLiteral("<p>%1</p>").arg(esc(blocker.isEmpty() ? tr("May be promoted to champion.") : tr("Not promotable: %1").arg(blocker)));

    const QHash<QString, double> metrics = v.metrics();
    html += heading(tr("Metrics"));
    if (metrics.isEmpty()) {
        html += QStringLiteral("<p><i>%1</i></p>").arg(esc(tr("No metrics in its lineage.")));
    } else {
        QStringList keys = metrics.keys();
        keys.sort();
        QVector<QStringList> rows;
        for (const QString &k : keys)
            rows.push_back({esc(k), number(metrics.value(k))});
        html += table({tr("Metric"), tr("Value")}, rows);
    }
    const QJsonObject params = v.lineage.value(QStringLiteral("params")).toObject();
    html += heading(tr("Params"));
    if (params.isEmpty()) {
        html += QStringLiteral("<p><i>%1</i></p>").arg(esc(tr("No params in its lineage.")));
    } else {
        QVector<QStringList> rows;
        for (auto it = params.begin(); it != params.end(); ++it)
            rows.push_back({esc(it.key()), esc(jsonText(it.value()))});
        html += table({tr("Param"), tr("Value")}, rows);
    }
    html += heading(tr("Signature"));
    html += signatureHtml(v.signature);
    html += heading(tr("Data and code"));
    const auto data = dataOf(v);
    QVector<QStringList> rows;
    for (auto it = data.begin(); it != data.end(); ++it)
        rows.push_back({esc(it.key()), esc(it.value())});
    if (!rows.isEmpty())
        html += table({tr("Data"), tr("md5")}, rows);
    else
        html += QStringLiteral("<p><i>%1</i></p>").arg(esc(tr("No data versions recorded.")));
    html += QStringLiteral("<p>%1</p>").arg(esc(tr("Commit: %1").arg(commitText(v))));
    QStringList where;
    if (!v.runId.isEmpty())
        where << tr("run %1").arg(v.runId);
    if (!v.source.isEmpty())
        where << tr("source %1").arg(v.source);
    if (!where.isEmpty())
        html += QStringLiteral("<p>%1</p>").arg(esc(where.join(QStringLiteral(" · "))));
    return html;
}

QString versionCompareHtml(const registry::ModelVersion &a, const registry::ModelVersion &b)
{
    const QString va = QStringLiteral("v%1").arg(a.version);
    const QString vb = QStringLiteral("v%1").arg(b.version);
    QString html = QStringLiteral("<h2 style='margin-bottom:2px'>%1</h2><p>%2</p>")
                       .arg(esc(tr("%1 %2 and %3").arg(a.name, va, vb)), esc(tr("Rows that differ are marked.")));
    // Metrics.
    const auto ma = a.metrics();
    const auto mb = b.metrics();
    QStringList keys = ma.keys() + mb.keys();
    keys.removeDuplicates();
    keys.sort();
    QVector<QStringList> rows;
    QVector<bool> marked;
    for (const QString &k : keys) {
        const bool inA = ma.contains(k), inB = mb.contains(k);
        const QString delta = inA && inB ? QStringLiteral("%1%2").arg(mb.value(k) >= ma.value(k) ? QStringLiteral("+") : QString(), number(mb.value(k) - ma.value(k))) : QString();
        rows.push_back({esc(k), inA ? number(ma.value(k)) : QStringLiteral("—"), inB ? number(mb.value(k)) : QStringLiteral("—"), delta});
        marked.push_back(!(inA && inB) || std::abs(ma.value(k) - mb.value(k)) > 1e-12);
    }
    html += heading(tr("Metrics"));
    html += keys.isEmpty() ? QStringLiteral("<p><i>%1</i></p>").arg(esc(tr("No metrics."))) : table({tr("Metric"), va, vb, tr("%1 − %2").arg(vb, va)}, rows, marked);
    // Params.
    const QJsonObject pa = a.lineage.value(QStringLiteral("params")).toObject();
    const QJsonObject pb = b.lineage.value(QStringLiteral("params")).toObject();
    keys = pa.keys() + pb.keys();
    keys.removeDuplicates();
    keys.sort();
    rows.clear();
    marked.clear();
    for (const QString &k : keys) {
        const QString x = pa.contains(k) ? jsonText(pa.value(k)) : QStringLiteral("—");
        const QString y = pb.contains(k) ? jsonText(pb.value(k)) : QStringLiteral("—");
        rows.push_back({esc(k), esc(x), esc(y)});
        marked.push_back(x != y);
    }
    html += heading(tr("Params"));
    html += keys.isEmpty() ? QStringLiteral("<p><i>%1</i></p>").arg(esc(tr("No params."))) : table({tr("Param"), va, vb}, rows, marked);
    // Signature.
    html += heading(tr("Signature"));
    QString why;
    if (a.signature == b.signature)
        html += QStringLiteral("<p>%1</p>").arg(esc(tr("The same signature.")));
    else if (registry::signaturesCompatible(b.signature, a.signature, &why))
        html += QStringLiteral("<p style='background-color:%1'>%2</p>").arg(kDiff, esc(tr("Different, but %1 takes every input %2 takes and gives the same outputs.").arg(vb, va)));
    else
        html += QStringLiteral("<p style='background-color:%1'>%2</p>").arg(kDiff, esc(tr("Incompatible: %1").arg(why)));
    // Data.
    const auto da = dataOf(a), db = dataOf(b);
    QStringList paths = da.keys() + db.keys();
    paths.removeDuplicates();
    paths.sort();
    rows.clear();
    marked.clear();
    for (const QString &p : paths) {
        rows.push_back({esc(p), esc(da.value(p, QStringLiteral("—"))), esc(db.value(p, QStringLiteral("—")))});
        marked.push_back(da.value(p) != db.value(p));
    }
    html += heading(tr("Data"));
    html += paths.isEmpty() ? QStringLiteral("<p><i>%1</i></p>").arg(esc(tr("No data versions recorded."))) : table({tr("Data"), va, vb}, rows, marked);
    // Code.
    html += heading(tr("Code"));
    rows = {{esc(tr("commit")), esc(commitText(a, 12)), esc(commitText(b, 12))}, {esc(tr("run")), esc(a.runId), esc(b.runId)}};
    marked = {a.commit() != b.commit() || a.lineage.value(QStringLiteral("dirty")) != b.lineage.value(QStringLiteral("dirty")), a.runId != b.runId};
    html += table({QString(), va, vb}, rows, marked);
    if (a.commit() == b.commit() && !a.commit().isEmpty())
        html += QStringLiteral("<p>%1</p>").arg(esc(tr("Both were trained from the same commit.")));
    else if (!a.commit().isEmpty() && !b.commit().isEmpty())
        html += QStringLiteral("<p>%1</p>").arg(esc(tr("The commits differ: `git diff %1 %2` shows the code change; Diff the runs shows both runs' params, metrics and uncommitted changes in Experiments.").arg(a.commit().left(12), b.commit().left(12))));
    return html;
}

} // namespace orrery::ui
