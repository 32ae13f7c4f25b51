// ExperimentArea's columns: which param and metric columns the runs table opens with (what
// varies among the newest runs, the metrics most runs have, val_* first), the Columns menu that
// changes them, and column widths that show every header whole.
#include "ui/experiments/experiment_area.h"

#include "core/store/database.h"
#include "ui/experiments/column_menu.h"
#include "core/store/database_worker.h"
#include "ui/experiments/run_table_model.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QSet>
#include <QToolButton>
#include <QTreeView>

#include <algorithm>

namespace orrery::ui {

using tracking::RunColumn;

namespace {

struct KeysAndDefaults {
    tracking::ExperimentKeys keys;
    QStringList defaultParams, defaultMetrics;
};

// The columns a table opens with: what tells the runs apart (params whose values vary among the
// newest runs) and the main results (the metrics most of those runs have, val_* first, as the
// figure a model is judged by). Constant params (data.label for every run) say nothing per row.
void chooseDefaults(KeysAndDefaults &k, const QVector<tracking::RunRow> &rows, int maxParams, int maxMetrics)
{
    const int params = int(k.keys.params.size());
    for (int c = 0; c < params && k.defaultParams.size() < maxParams; ++c) {
        QSet<QString> values;
        for (const auto &r : rows)
            if (const QVariant v = r.values.value(c); v.isValid())
                values.insert(v.toString());
        if (values.size() > 1)
            k.defaultParams << k.keys.params[c];
    }
    QVector<QPair<int, QString>> covered; // runs having the metric, key
    int most = 0;
    for (int m = 0; m < k.keys.metrics.size(); ++m) {
        int n = 0;
        for (const auto &r : rows)
            n += r.values.value(params + m).isValid() ? 1 : 0;
        covered.append({n, k.keys.metrics[m]});
        most = std::max(most, n);
    }
    // "Most runs": at least half as many as the best-covered metric (a pipeline's stage runs each
    // log their own few metrics; the trainer's are on every training run).
    QStringList val, other;
    for (const auto &[n, key] : std::as_const(covered)) {
        if (n == 0 || 2 * n < most)
            continue;
        (key.startsWith(QLatin1String("val_")) || key.startsWith(QLatin1String("val.")) ? val : other) << key;
    }
    k.defaultMetrics = (val + other).mid(0, maxMetrics);
}

} // namespace

void ExperimentArea::loadKeys()
{
    const quint64 request = ++m_keysRequest;
    const QStringList experiments = m_selectedExperiments;
    m_tableWorker->post<KeysAndDefaults>(
        [experiments](store::Database &db) -> Result<KeysAndDefaults> {
            KeysAndDefaults k;
            ORRERY_ASSIGN_OR_RETURN(auto keys, tracking::experimentKeys(db, experiments));
            k.keys = std::move(keys);
            tracking::RunTableQuery newest;
            newest.experimentIds = experiments;
            ORRERY_ASSIGN_OR_RETURN(auto ids, tracking::orderedRunIds(db, newest));
            QVector<RunColumn> columns;
            for (const QString &p : std::as_const(k.keys.params))
                columns.append({RunColumn::Param, p});
            for (const QString &m : std::as_const(k.keys.metrics))
                columns.append({RunColumn::Metric, m});
            ORRERY_ASSIGN_OR_RETURN(auto rows, tracking::runRows(db, ids.mid(0, kDefaultsSample), columns));
            chooseDefaults(k, rows, kDefaultParamColumns, kDefaultMetricColumns);
            return k;
        }, this,
        [this, request](const Result<KeysAndDefaults> &keys) {
            if (request != m_keysRequest || !keys)
                return;
            m_paramKeys = keys->keys.params;
            m_metricKeys = keys->keys.metrics;
            if (!m_columnsChosenByUser) {
                m_chosenParams = keys->defaultParams;
                m_chosenMetrics = keys->defaultMetrics;
            }
            rebuildColumnMenu();
            const bool firstQuery = m_runs->experimentIds() != m_selectedExperiments;
            applyColumns(!firstQuery);
            if (firstQuery)
                m_runs->setQuery(m_selectedExperiments, m_filter->text().trimmed());
        });
}

void ExperimentArea::rebuildColumnMenu()
{
    QMenu *menu = m_columnsButton->menu();
    menu->clear();
    auto add = [this, menu](const QString &key, bool metric) {
        QAction *a = menu->addAction(key);
        a->setObjectName((metric ? QStringLiteral("column.metrics.") : QStringLiteral("column.params.")) + key);
        a->setCheckable(true);
        a->setChecked(metric ? m_chosenMetrics.contains(key) : m_chosenParams.contains(key));
        connect(a, &QAction::toggled, this, [this, key, metric](bool on) {
            QStringList &list = metric ? m_chosenMetrics : m_chosenParams;
            const QStringList &order = metric ? m_metricKeys : m_paramKeys;
            if (on && !list.contains(key))
                list << key;
            if (!on)
                list.removeAll(key);
            std::sort(list.begin(), list.end(), [&order](const QString &a, const QString &b) { return order.indexOf(a) < order.indexOf(b); });
            m_columnsChosenByUser = true;
            applyColumns(true);
        });
    };
    menu->addSection(tr("Metrics"));
    for (const QString &k : std::as_const(m_metricKeys))
        add(k, true);
    menu->addSection(tr("Params"));
    for (const QString &k : std::as_const(m_paramKeys))
        add(k, false);
}

void ExperimentArea::applyColumns(bool requery)
{
    QVector<RunColumn> columns;
    for (const QString &k : std::as_const(m_chosenMetrics))
        columns.append({RunColumn::Metric, k});
    for (const QString &k : std::as_const(m_chosenParams))
        columns.append({RunColumn::Param, k});
    if (columns == m_runs->extraColumns()) {
        fitColumnsToHeaders();
        return;
    }
    m_runs->setExtraColumns(columns);
    m_runView->header()->setSortIndicator(-1, Qt::AscendingOrder);
    fitColumnsToHeaders();
    if (requery) {
        m_runs->refresh();
        loadPopulation();
    }
}

void ExperimentArea::fitColumnsToHeaders()
{
    // Every header shows its whole text ("average_precision", not "verage_precisio"): a column is
    // as wide as its header asks (text, sort indicator, margins), never narrower than the default.
    // The Run column holds a name and a short id; Started a full timestamp.
    QHeaderView *header = m_runView->header();
    for (int c = 0; c < m_runs->columnCount(); ++c) {
        int width = std::max(header->defaultSectionSize(), header->sectionSizeHint(c));
        if (c == 0)
            width = std::max(width, 190 + 2 * m_runView->indentation()); // room for a stage run under its pipeline run
        if (c == 2)
            width = std::max(width, 140);
        m_runView->setColumnWidth(c, width);
    }
}

} // namespace orrery::ui
