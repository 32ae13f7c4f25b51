#include "ui/experiments/run_table_model.h"

#include "ui/common/stat_format.h"
#include "core/store/database_worker.h"
#include "ui/experiments/run_label.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>

#include <cmath>

namespace orrery::ui {

using tracking::RunColumn;
using tracking::RunRow;

namespace {

QVector<RunColumn> fixedColumns()
{
    return {{RunColumn::Attribute, QStringLiteral("run_name")},
            {RunColumn::Attribute, QStringLiteral("status")},
            {RunColumn::Attribute, QStringLiteral("start_time")},
            {RunColumn::Attribute, QStringLiteral("duration")}};
}

QString formatDuration(double ms)
{
    if (!(ms >= 0))
        return QString();
    const qint64 s = qint64(ms / 1000.0);
    if (s < 60)
        return QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', s < 10 ? 1 : 0);
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

} // namespace

RunTableModel::RunTableModel(store::DatabaseWorker *worker, QObject *parent)
    : QAbstractItemModel(parent), m_worker(worker), m_columns(fixedColumns())
{
}

void RunTableModel::setQuery(const QStringList &experimentIds, const QString &filter)
{
    m_query.experimentIds = experimentIds;
    m_query.filter = filter;
    runQuery(false, false);
}

void RunTableModel::refresh()
{
    // A cheap check first: the ids are re-read only when runs were added, ended or deleted; else
    // the shown pages are re-read as they are seen (running runs' metrics move).
    const QStringList experiments = m_query.experimentIds;
    const quint64 request = m_queryRequest;
    m_worker->post<QString>([experiments](store::Database &db) { return tracking::runsFingerprint(db, experiments); }, this,
                            [this, request](const Result<QString> &fingerprint) {
                                if (request != m_queryRequest || m_loading)
                                    return; // a query was asked for meanwhile
                                if (!fingerprint || *fingerprint != m_fingerprint) {
                                    m_fingerprint = fingerprint ? *fingerprint : QString();
                                    runQuery(true, false, true); // new runs may have parents
                                    return;
                                }
                                for (auto it = m_pages.keyBegin(); it != m_pages.keyEnd(); ++it)
                                    m_stale.insert(*it);
                                emitChanged(0, m_tree.size() - 1);
                            });
}

void RunTableModel::clear()
{
    ++m_queryRequest;
    ++m_generation;
    beginResetModel();
    m_tree = {};
    m_queryOrder.clear();
    m_parents.reset();
    m_parentsScope.clear();
    m_defaultIds.clear();
    m_defaultScope.clear();
    m_pages.clear();
    m_requested.clear();
    m_stale.clear();
    m_pageOrder.clear();
    m_loading = false;
    endResetModel();
}

void RunTableModel::setExtraColumns(const QVector<RunColumn> &columns)
{
    beginResetModel();
    m_columns = fixedColumns() + columns;
    ++m_generation; // pages in flight carry the old columns
    m_pages.clear();
    m_requested.clear();
    m_stale.clear();
    m_pageOrder.clear();
    endResetModel();
}

void RunTableModel::sort(int column, Qt::SortOrder order)
{
    const tracking::RunTableQuery before = m_query;
    if (column < 0 || column >= m_columns.size()) {
        m_query.sorted = false;
    } else {
        m_query.sorted = true;
        m_query.sortColumn = m_columns[column];
        m_query.descending = order == Qt::DescendingOrder;
    }
    // QTableView::sortByColumn (Qt 6.4) asks twice for one click, through the header's signal and
    // then directly: the same order asked again while it loads or is shown is not queried again.
    const bool same = before.sorted == m_query.sorted
                      && (!m_query.sorted || (before.sortColumn == m_query.sortColumn && before.descending == m_query.descending));
    if (same && (m_loading || m_tree.size() > 0))
        return;
    runQuery(false, true);
}

QString RunTableModel::scopeKey() const
{
    return m_query.experimentIds.join(QLatin1Char(',')) + QLatin1Char('\n') + m_query.filter;
}

void RunTableModel::runQuery(bool keepRows, bool reuseDefaultOrder, bool reloadParents)
{
    const quint64 request = ++m_queryRequest;
    const tracking::RunTableQuery query = m_query;
    const QVector<RunColumn> columns = m_columns;
    const bool metricSort = query.sorted && query.sortColumn.kind == RunColumn::Metric;
    // A metric sort of the same runs reorders the ids already known, in memory on the worker.
    const QStringList base = reuseDefaultOrder && metricSort && m_defaultScope == scopeKey() ? m_defaultIds : QStringList();
    const QString scope = scopeKey();
    using Parents = std::shared_ptr<const QHash<QString, QString>>;
    const Parents knownParents = !reloadParents && m_parentsScope == query.experimentIds ? m_parents : Parents();
    m_loading = true;
    struct Answer {
        QStringList ids;        // in the query's order
        QStringList defaultIds; // the runs in the default order, when known
        tracking::RunTree tree;
        Parents parents;
        QVector<RunRow> firstPage;
    };
    // The ids, their tree and the first page in one task: the first paint needs all three.
    m_worker->post<Answer>([query, columns, metricSort, base, knownParents](store::Database &db) -> Result<Answer> {
        Answer a;
        if (metricSort) {
            a.defaultIds = base;
            if (a.defaultIds.isEmpty()) {
                tracking::RunTableQuery unsorted = query;
                unsorted.sorted = false;
                ORRERY_ASSIGN_OR_RETURN(auto ids, tracking::orderedRunIds(db, unsorted));
                a.defaultIds = std::move(ids);
            }
            ORRERY_ASSIGN_OR_RETURN(auto sorted, tracking::sortRunIdsByMetric(db, a.defaultIds, query.sortColumn.key, query.descending));
            a.ids = std::move(sorted);
        } else {
            ORRERY_ASSIGN_OR_RETURN(auto ids, tracking::orderedRunIds(db, query));
            a.ids = std::move(ids);
            if (!query.sorted)
                a.defaultIds = a.ids;
        }
        a.parents = knownParents;
        if (!a.parents) {
            ORRERY_ASSIGN_OR_RETURN(auto parents, tracking::parentRunIds(db, query.experimentIds));
            a.parents = std::make_shared<const QHash<QString, QString>>(std::move(parents));
        }
        a.tree = tracking::arrangeRunTree(a.ids, *a.parents);
        ORRERY_ASSIGN_OR_RETURN(a.firstPage, tracking::runRows(db, a.tree.ids.mid(0, kPageSize), columns));
        return a;
    }, this, [this, request, keepRows, columns, scope, query](const Result<Answer> &answer) {
        if (request != m_queryRequest)
            return; // a newer query was asked for
        if (answer) {
            m_parents = answer->parents;
            m_parentsScope = query.experimentIds;
            m_defaultIds = answer->defaultIds;
            m_defaultScope = answer->defaultIds.isEmpty() ? QString() : scope;
        }
        if (!answer) {
            m_loading = false;
            Q_EMIT queryFailed(answer.status().message());
            return;
        }
        if (columns != m_columns) {
            m_loading = false;
            return; // columns changed meanwhile; a refresh follows
        }
        // m_loading stays true through the reset, so views can tell a reset from a user's change.
        if (keepRows && answer->tree == m_tree) {
            // Same runs in the same order: keep what is shown and re-read pages as they are seen.
            m_queryOrder = answer->ids;
            for (auto it = m_pages.keyBegin(); it != m_pages.keyEnd(); ++it)
                m_stale.insert(*it);
            applyPage(0, m_generation, answer->firstPage);
            emitChanged(0, m_tree.size() - 1);
        } else {
            setTree(answer->tree, answer->ids);
            applyPage(0, m_generation, answer->firstPage);
        }
        m_loading = false;
        Q_EMIT queryApplied(m_tree.size());
    });
}

void RunTableModel::setTree(tracking::RunTree tree, const QStringList &queryOrder)
{
    beginResetModel();
    m_tree = std::move(tree);
    m_queryOrder = queryOrder;
    ++m_generation;
    m_pages.clear();
    m_requested.clear();
    m_stale.clear();
    m_pageOrder.clear();
    endResetModel();
}

void RunTableModel::requestPage(int page) const
{
    if (m_requested.contains(page))
        return;
    m_requested.insert(page);
    const QStringList ids = m_tree.ids.mid(page * kPageSize, kPageSize);
    const QVector<RunColumn> columns = m_columns;
    const quint64 generation = m_generation;
    auto *self = const_cast<RunTableModel *>(this);
    m_worker->post<QVector<RunRow>>([ids, columns](store::Database &db) { return tracking::runRows(db, ids, columns); }, self,
                                    [self, page, generation](const Result<QVector<RunRow>> &rows) {
                                        self->m_requested.remove(page);
                                        if (rows)
                                            self->applyPage(page, generation, *rows);
                                    });
}

void RunTableModel::applyPage(int page, quint64 generation, const QVector<RunRow> &rows)
{
    if (generation != m_generation)
        return;
    // Rows come back in id order, minus runs deleted meanwhile: align them with the ids.
    QVector<RunRow> aligned(std::min<qsizetype>(kPageSize, m_tree.ids.size() - qsizetype(page) * kPageSize));
    int next = 0;
    for (int i = 0; i < aligned.size() && next < rows.size(); ++i)
        if (rows[next].info.runId == m_tree.ids[page * kPageSize + i])
            aligned[i] = rows[next++];
    m_pages.insert(page, aligned);
    m_stale.remove(page);
    m_pageOrder.removeAll(page);
    m_pageOrder.append(page);
    while (m_pageOrder.size() > kMaxCachedPages)
        m_pages.remove(m_pageOrder.takeFirst());
    emitChanged(page * kPageSize, page * kPageSize + int(aligned.size()) - 1);
    Q_EMIT pageLoaded(page);
}

void RunTableModel::emitChanged(int first, int last)
{
    // Siblings are one block of positions (RunTree's level order): one signal per block.
    const int lastColumn = int(m_columns.size()) - 1;
    for (int start = first; start <= last;) {
        int end = start;
        while (end < last && m_tree.parent[end + 1] == m_tree.parent[start])
            ++end;
        Q_EMIT dataChanged(indexAt(start, 0), indexAt(end, lastColumn));
        start = end + 1;
    }
}

const RunRow *RunTableModel::rowAt(int position) const
{
    auto it = m_pages.constFind(position / kPageSize);
    if (it == m_pages.constEnd() || position % kPageSize >= it->size())
        return nullptr;
    const RunRow &r = (*it)[position % kPageSize];
    return r.info.runId.isEmpty() ? nullptr : &r;
}

const RunRow *RunTableModel::cachedRow(const QModelIndex &index) const
{
    return index.isValid() && index.model() == this ? rowAt(int(index.internalId())) : nullptr;
}

QString RunTableModel::runId(const QModelIndex &index) const
{
    return index.isValid() && index.model() == this ? m_tree.ids.value(int(index.internalId())) : QString();
}

QModelIndex RunTableModel::indexAt(int position, int column) const
{
    if (position < 0 || position >= m_tree.size())
        return {};
    return createIndex(m_tree.rowInParent[position], column, quintptr(position));
}

QModelIndex RunTableModel::indexOfRun(const QString &runId, int column) const
{
    return indexAt(int(m_tree.ids.indexOf(runId)), column);
}

QModelIndexList RunTableModel::indexesOfRuns(const QStringList &runIds) const
{
    QModelIndexList found;
    if (runIds.size() <= 4) {
        for (const QString &id : runIds)
            if (const QModelIndex i = indexOfRun(id); i.isValid())
                found << i;
        return found;
    }
    const QSet<QString> wanted(runIds.cbegin(), runIds.cend());
    for (int p = 0; p < m_tree.size() && found.size() < wanted.size(); ++p)
        if (wanted.contains(m_tree.ids[p]))
            found << indexAt(p);
    return found;
}

QModelIndex RunTableModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= m_columns.size())
        return {};
    if (!parent.isValid())
        return row < m_tree.roots.size() ? indexAt(m_tree.roots[row], column) : QModelIndex();
    const int p = int(parent.internalId());
    if (parent.column() != 0 || row >= m_tree.childCount(p))
        return {};
    return indexAt(m_tree.child(p, row), column);
}

QModelIndex RunTableModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    return indexAt(m_tree.parent.value(int(child.internalId()), -1), 0);
}

int RunTableModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_tree.roots.size());
    return parent.column() == 0 ? m_tree.childCount(int(parent.internalId())) : 0;
}

int RunTableModel::columnCount(const QModelIndex &) const
{
    return int(m_columns.size());
}

QString RunTableModel::displayValue(const RunColumn &column, const QVariant &value)
{
    if (!value.isValid())
        return QString();
    // Params and metrics in the one shared number format, so 0.0005 reads the same in both.
    if (column.kind == RunColumn::Metric) {
        const double v = value.toDouble();
        return std::isnan(v) ? QStringLiteral("NaN") : statformat::number(v);
    }
    if (column.kind == RunColumn::Param)
        return runlabel::paramText(value.toString());
    if (column.kind == RunColumn::Attribute && (column.key == QLatin1String("start_time") || column.key == QLatin1String("end_time")))
        return QDateTime::fromMSecsSinceEpoch(qint64(value.toDouble())).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    if (column.kind == RunColumn::Attribute && column.key == QLatin1String("duration"))
        return formatDuration(value.toDouble());
    return value.toString();
}

QVariant RunTableModel::data(const QModelIndex &index, int role) const
{
    const int position = int(index.internalId());
    if (!index.isValid() || position >= m_tree.size() || index.column() >= m_columns.size())
        return {};
    if (role == RunIdRole)
        return m_tree.ids[position];
    const int page = position / kPageSize;
    const RunRow *row = rowAt(position);
    if (!row || m_stale.contains(page)) {
        if (role == Qt::DisplayRole || role == Qt::ForegroundRole)
            requestPage(page);
    }
    if (!row)
        return role == Qt::DisplayRole && index.column() == 0 ? QVariant(QStringLiteral("…")) : QVariant();
    const RunColumn &column = m_columns[index.column()];
    const QVariant &value = row->values.value(index.column());
    switch (role) {
    case Qt::DisplayRole:
        // Reruns share a name: the short id tells them apart.
        if (column.kind == RunColumn::Attribute && column.key == QLatin1String("run_name"))
            return runlabel::nameWithId(value.toString(), row->info.runId);
        return displayValue(column, value);
    case Qt::ToolTipRole:
        if (column.key == QLatin1String("status") && !row->info.statusReason.isEmpty())
            return row->info.statusReason;
        if (index.column() == 0)
            return row->info.runId;
        if (column.kind == RunColumn::Param)
            return value.toString(); // as logged
        return displayValue(column, value);
    case StatusRole:
        return int(row->info.status);
    case SortValueRole:
        return value;
    case Qt::TextAlignmentRole:
        if (column.kind == RunColumn::Metric || (column.kind == RunColumn::Attribute && column.key == QLatin1String("duration")))
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (column.kind == RunColumn::Attribute && column.key == QLatin1String("status")) {
            switch (row->info.status) {
            case tracking::RunStatus::Running:
                return QBrush(QColor(0x1f, 0x77, 0xd4));
            case tracking::RunStatus::Finished:
                return QBrush(QColor(0x2c, 0x9a, 0x2c));
            case tracking::RunStatus::Failed:
                return QBrush(QColor(0xd6, 0x27, 0x28));
            case tracking::RunStatus::Killed:
                return QBrush(QColor(0x8c, 0x8c, 0x8c));
            case tracking::RunStatus::Scheduled:
                return QBrush(QColor(0xe0, 0x8a, 0x00));
            }
        }
        return {};
    case Qt::FontRole:
        if (column.key == QLatin1String("status") && row->info.status == tracking::RunStatus::Running) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    default:
        return {};
    }
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= m_columns.size())
        return QAbstractItemModel::headerData(section, orientation, role);
    const RunColumn &c = m_columns[section];
    if (role == Qt::DisplayRole) {
        if (c.kind == RunColumn::Attribute) {
            static const QHash<QString, QString> names = {{QStringLiteral("run_name"), tr("Run")},
                                                          {QStringLiteral("status"), tr("Status")},
                                                          {QStringLiteral("start_time"), tr("Started")},
                                                          {QStringLiteral("duration"), tr("Duration")}};
            return names.value(c.key, c.key);
        }
        return c.key;
    }
    if (role == Qt::ToolTipRole)
        return c.qualifiedName();
    if (role == Qt::ForegroundRole && c.kind == RunColumn::Metric)
        return QBrush(QColor(0x1f, 0x77, 0xd4));
    if (role == Qt::ForegroundRole && c.kind == RunColumn::Param)
        return QBrush(QColor(0x6a, 0x3d, 0x9a));
    return {};
}

QString RunTableModel::toCsv(const QVector<RunColumn> &columns, const QVector<RunRow> &rows)
{
    auto quote = [](const QString &s) {
        if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) && !s.contains(QLatin1Char('\n')))
            return s;
        QString q = s;
        q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        return QLatin1Char('"') + q + QLatin1Char('"');
    };
    QStringList header{QStringLiteral("run_id")};
    for (const auto &c : columns)
        header << quote(c.qualifiedName());
    QString out = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (const RunRow &r : rows) {
        QStringList cells{r.info.runId};
        for (int i = 0; i < columns.size(); ++i) {
            const QVariant v = r.values.value(i);
            const RunColumn &c = columns[i];
            QString text;
            if (!v.isValid())
                text.clear();
            else if (c.kind == RunColumn::Metric || (c.kind == RunColumn::Attribute && v.typeId() == QMetaType::Double))
                text = QString::number(v.toDouble(), 'g', 17);
            else
                text = v.toString();
            cells << quote(text);
        }
        out += cells.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return out;
}

void RunTableModel::requestCsv(const QStringList &ids)
{
    const QStringList wanted = ids.isEmpty() ? m_queryOrder : ids;
    const QVector<RunColumn> columns = m_columns;
    m_worker->post<QString>([wanted, columns](store::Database &db) -> Result<QString> {
        ORRERY_ASSIGN_OR_RETURN(auto rows, tracking::runRows(db, wanted, columns));
        return toCsv(columns, rows);
    }, this, [this](const Result<QString> &csv) {
        if (csv)
            Q_EMIT csvReady(*csv);
        else
            Q_EMIT queryFailed(csv.status().message());
    });
}

} // namespace orrery::ui
