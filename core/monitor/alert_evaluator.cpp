#include "core/monitor/alert_evaluator.h"

#include "core/monitor/alert_template.h"
#include "core/monitor/metrics_samples.h"

#include <QCryptographicHash>
#include <QSet>

#include <algorithm>

namespace orrery::monitor {

QString alertStateName(AlertState state)
{
    switch (state) {
    case AlertState::Inactive: return QStringLiteral("inactive");
    case AlertState::Pending: return QStringLiteral("pending");
    case AlertState::Firing: return QStringLiteral("firing");
    }
    return QString();
}

QString alertFingerprint(const QMap<QString, QString> &labels)
{
    // Length-prefixed fields, so no two label sets hash the same bytes.
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (auto it = labels.cbegin(); it != labels.cend(); ++it) {
        const QByteArray k = it.key().toUtf8(), v = it.value().toUtf8();
        hash.addData(QByteArray::number(k.size()) + ':' + k + QByteArray::number(v.size()) + ':' + v);
    }
    return QString::fromLatin1(hash.result().toHex().left(16));
}

void AlertEvaluator::setRules(QVector<AlertRule> rules) { m_rules = std::move(rules); }

void AlertEvaluator::restore(const QVector<Alert> &alerts)
{
    for (const Alert &a : alerts)
        if (a.state == AlertState::Pending || a.state == AlertState::Firing)
            m_active[a.rule].insert(a.fingerprint, a);
}

AlertEvaluation AlertEvaluator::evaluate(const QVector<MetricSample> &samples, qint64 now)
{
    AlertEvaluation out;
    QSet<QString> ruleNames;
    for (const AlertRule &rule : std::as_const(m_rules)) {
        ruleNames.insert(rule.name);
        QMap<QString, Alert> &active = m_active[rule.name];
        QSet<QString> satisfied, created;
        QSet<QString> changed;
        for (const MetricSample &s : samples) {
            if (!rule.selects(s) || !rule.holds(s.value))
                continue;
            QMap<QString, QString> labels = s.labels;
            labels.insert(QStringLiteral("alertname"), rule.name);
            labels.insert(QStringLiteral("severity"), rule.severity);
            const QString fp = alertFingerprint(labels);
            if (satisfied.contains(fp))
                continue; // the same series twice in one text: the first counts
            satisfied.insert(fp);
            QMap<QString, QString> annotations{{QStringLiteral("summary"), renderAnnotation(rule.summary, labels, s.value)}};
            if (!rule.description.isEmpty())
                annotations.insert(QStringLiteral("description"), renderAnnotation(rule.description, labels, s.value));
            auto it = active.find(fp);
            if (it != active.end()) {
                if (it->value != s.value && !(std::isnan(it->value) && std::isnan(s.value)))
                    changed.insert(fp);
                if (it->annotations != annotations)
                    changed.insert(fp);
                it->value = s.value;
                it->annotations = annotations;
                it->lastEvaluated = now;
                continue;
            }
            Alert a;
            a.rule = rule.name;
            a.labels = labels;
            a.annotations = annotations;
            a.fingerprint = fp;
            a.state = AlertState::Pending;
            a.value = s.value;
            a.activeSince = now;
            a.lastEvaluated = now;
            active.insert(fp, a);
            created.insert(fp);
        }
        for (auto it = active.begin(); it != active.end();) {
            Alert &a = it.value();
            if (!satisfied.contains(it.key())) {
                bool keepFiring = false;
                if (a.state == AlertState::Firing && rule.keepFiringForMs > 0) {
                    if (a.keepFiringSince == 0)
                        a.keepFiringSince = now;
                    keepFiring = now - a.keepFiringSince < rule.keepFiringForMs;
                }
                if (!keepFiring) {
                    const AlertState from = a.state;
                    a.state = AlertState::Inactive;
                    a.keepFiringSince = 0;
                    a.lastEvaluated = now;
                    if (from == AlertState::Firing)
                        a.resolvedAt = now;
                    out.transitions.append({from, AlertState::Inactive, a});
                    it = active.erase(it);
                    continue;
                }
                a.lastEvaluated = now;
            } else {
                a.keepFiringSince = 0;
            }
            const bool isNew = created.contains(it.key());
            if (a.state == AlertState::Pending && now - a.activeSince >= rule.forMs) {
                a.state = AlertState::Firing;
                a.firedAt = now;
                out.transitions.append({isNew ? AlertState::Inactive : AlertState::Pending, AlertState::Firing, a});
            } else if (isNew) {
                out.transitions.append({AlertState::Inactive, AlertState::Pending, a});
            } else if (changed.contains(it.key())) {
                out.updated.append(a);
            }
            ++it;
        }
    }
    // Rules that went: their alerts end now (no keep_firing_for without a rule).
    for (auto r = m_active.begin(); r != m_active.end();) {
        if (ruleNames.contains(r.key())) {
            ++r;
            continue;
        }
        for (Alert a : std::as_const(r.value())) {
            const AlertState from = a.state;
            a.state = AlertState::Inactive;
            a.keepFiringSince = 0;
            a.lastEvaluated = now;
            if (from == AlertState::Firing)
                a.resolvedAt = now;
            out.transitions.append({from, AlertState::Inactive, a});
        }
        r = m_active.erase(r);
    }
    out.active = active();
    return out;
}

QVector<Alert> AlertEvaluator::active() const
{
    QStringList names = m_active.keys();
    std::sort(names.begin(), names.end());
    QVector<Alert> out;
    for (const QString &name : std::as_const(names))
        for (const Alert &a : m_active[name])
            out.append(a);
    return out;
}

} // namespace orrery::monitor
